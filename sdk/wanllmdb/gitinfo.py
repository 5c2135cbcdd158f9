"""Git state of the training code through GitPython: commit, branch, remote without secrets, dirty flag."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["git_diff", "git_info", "scrub_remote"]

_SCP_LIKE = re.compile(r"^(?P<user>[^@/]+)@(?P<host>[^:/]+):(?P<path>.*)$")


def scrub_remote(url: str) -> str:
    """Drop any user:password or token from a remote URL; keep host and path."""
    if "://" in url:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    m = _SCP_LIKE.match(url)
    if m:  # git@github.com:org/repo.git: "git" is the ssh login, not a secret, but a token might be
        user = m["user"] if m["user"] == "git" else ""
        return f"{user + '@' if user else ''}{m['host']}:{m['path']}"
    return url


def _repo(path: Path) -> Any | None:
    try:
        import git

        return git.Repo(path, search_parent_directories=True)
    except Exception:  # not a repo, or git missing: the run simply has no git info
        return None


def git_info(path: Path) -> dict[str, Any]:
    repo = _repo(path)
    if repo is None:
        return {}
    info: dict[str, Any] = {"root": str(repo.working_tree_dir)}
    with contextlib.suppress(Exception):  # a repo without commits has no HEAD
        info["commit"] = repo.head.commit.hexsha
    try:
        info["branch"] = repo.active_branch.name
    except Exception:  # detached HEAD
        info["branch"] = None
    try:
        remote = repo.remotes.origin.url if "origin" in repo.remotes else next(iter(repo.remotes)).url
        info["remote"] = scrub_remote(remote)
    except Exception:  # noqa: S110 - no remote
        pass
    with contextlib.suppress(Exception):
        info["dirty"] = repo.is_dirty(untracked_files=False)
    return info


def git_diff(path: Path) -> str:
    """The working tree's diff against HEAD (staged and unstaged), or '' outside a repo."""
    repo = _repo(path)
    if repo is None:
        return ""
    try:
        return str(repo.git.diff("HEAD"))
    except Exception:
        return ""
