"""What a run records about where it ran: host, user, OS, Python, command, GPUs and git."""

from __future__ import annotations

import getpass
import os
import platform
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from wanllmdb.gitinfo import git_info
from wanllmdb.system.nvidia import nvidia_inventory

__all__ = ["collect_metadata"]


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None


def collect_metadata(*, with_git: bool = True, cwd: Path | None = None) -> dict[str, Any]:
    cwd = cwd or Path.cwd()
    meta: dict[str, Any] = {
        "host": socket.gethostname(),
        "user": _user(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "argv": list(sys.argv),
        "command": shlex.join([sys.executable, *sys.argv]),
        "program": sys.argv[0] if sys.argv else None,
        "cwd": str(cwd),
        "cpu_count": os.cpu_count(),
        "gpu_count": 0,
    }
    meta.update(nvidia_inventory())
    if with_git:
        git = git_info(cwd)
        if git:
            meta["git"] = git
    return meta
