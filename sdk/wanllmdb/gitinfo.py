"""Git state of the training code through GitPython: commit, branch, remote without secrets, dirty flag."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["git_diff", "git_info", "scrub_remote"]


def scrub_remote(url: str) -> str:
    """A git remote without anything secret: no user info, no query, fragment or ;parameters.

    URL remotes are parsed with urllib.parse; scp-like ones (`user@host:path`) keep only the `git`
    login, which is the ssh user and never a secret.
    """
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 literal keeps its brackets
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:  # not a number: no port worth keeping
            port = None
        netloc = f"{host}:{port}" if port else host
        return urlunsplit((parts.scheme, netloc, parts.path.split(";", 1)[0], "", ""))
    login, at, rest = url.rpartition("@")
    host, colon, path = _without_parameters(rest).partition(":")
    if colon and host and "/" not in host:
        return f"{'git@' if at and login == 'git' else ''}{host}:{path}"
    return _without_parameters(url)


def _without_parameters(text: str) -> str:
    """`text` up to its first query, `;parameter` or fragment: where tokens ride along."""
    for mark in "?;#":
        text = text.split(mark, 1)[0]
    return text


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
