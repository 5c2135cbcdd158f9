"""The run files W&B users look for in a run's Files tab: ``config.yaml``, ``requirements.txt`` and
``output.log`` (``wanllmdb-metadata.json``, wandb's ``wandb-metadata.json``, is written by ``init()``).

They go into the run dir's ``files/`` like ``run.save`` files, so the uploader sends them off the
caller's thread. ``config.yaml`` and ``requirements.txt`` are written at ``init()`` by a background
thread (listing the environment's packages takes tens of milliseconds), ``config.yaml`` again at
``finish()``; ``output.log`` gathers the captured console during the run outside ``files/`` (one
upload at the end, not one per flush) and moves in at ``finish()``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from wanllmdb.late_writer import LateWriter

__all__ = ["OUTPUT_LOG", "InitFiles", "append_output", "publish_output", "requirements", "write_config"]

OUTPUT_LOG = "output.log"


def _write(path: Path, text: str) -> None:
    # By rename: the uploader may list files/ at any moment and must never read half a file.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def requirements() -> str:
    """``pip freeze``-style lines of the installed distributions, sorted.

    Read from the ``<name>-<version>.dist-info`` folder names on ``sys.path``: about 1 ms, where asking
    importlib.metadata for every distribution parses each METADATA file (~80 ms of CPU on a 150-package
    venv, on a thread that competes with the training loop's first steps). Only old ``.egg-info``
    installs, which do not spell their version in the folder name reliably, go through importlib.metadata.
    """
    seen: dict[str, str] = {}
    eggs = False
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except OSError:
            continue
        with listing:
            for item in listing:
                if item.name.endswith(".dist-info"):
                    name, _, version = item.name[: -len(".dist-info")].rpartition("-")
                    if name and version:
                        seen.setdefault(name.lower(), f"{name}=={version}")
                elif item.name.endswith(".egg-info"):
                    eggs = True
    if eggs:
        for dist in importlib_metadata.distributions():
            name = dist.name
            if name and name.lower() not in seen:
                seen[name.lower()] = f"{name}=={dist.version}"
    return "".join(line + "\n" for _, line in sorted(seen.items()))


def write_config(files: Path, config: dict[str, Any]) -> None:
    """wandb's config.yaml layout, ``key: {value: ...}``, which ``init(config="config.yaml")`` reads back."""
    import yaml

    body = {key: {"value": value} for key, value in config.items()}
    _write(files / "config.yaml", yaml.safe_dump(body, sort_keys=False, allow_unicode=True))


def append_output(run_dir: Path, texts: Iterable[str]) -> None:
    """Add captured console lines to the run's output log (kept out of files/ until finish)."""
    with (run_dir / OUTPUT_LOG).open("a", encoding="utf-8", errors="replace") as out:
        out.writelines(text + "\n" for text in texts)


def publish_output(run_dir: Path, files: Path) -> None:
    """Move the output log into files/ for upload; a rename, whatever its size."""
    src = run_dir / OUTPUT_LOG
    if src.is_file():
        os.replace(src, files / OUTPUT_LOG)


class InitFiles(LateWriter):
    """config.yaml and requirements.txt, written on a thread so ``init()`` does not wait for them.

    ``settle()`` (from ``finish()``, on the caller's thread) waits for it, bounded, then writes the final
    config.yaml: a file that lands after the final state would be uploaded into a finished run, so a
    thread still running by then writes nothing more.
    """

    def __init__(self, files: Path, config: Callable[[], dict[str, Any]], *, requirements: bool) -> None:
        super().__init__("wanllmdb-files")
        self._files = files
        self._requirements = requirements
        self._config = config
        self._initial = config()  # on the caller's thread: the config may change while the thread runs

    def settle(self) -> None:
        super().settle()
        try:
            write_config(self._files, self._config())
        except Exception:  # never a reason for finish() to fail; the files are a convenience
            return

    def _write(self) -> None:
        try:
            self.publish(lambda: write_config(self._files, self._initial))
            if not self._requirements:
                return
            listing = requirements()
            self.publish(lambda: _write(self._files / "requirements.txt", listing))
        except Exception:
            return
