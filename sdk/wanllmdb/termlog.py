"""What wanllmdb prints on the terminal, under wandb's names: ``termlog``, ``termwarn``, ``termerror``.

``init()`` sets the level from its settings: ``silent`` prints nothing, ``quiet`` (or
``show_info=False``) prints warnings and errors only. Everything goes to stderr, so a script's stdout
stays its own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["configure", "is_quiet", "quieted", "termerror", "termlog", "termwarn"]

_level = {"silent": False, "quiet": False}
_said: set[str] = set()


def configure(*, silent: bool, quiet: bool) -> None:
    _level["silent"] = silent
    _level["quiet"] = quiet


def is_quiet() -> bool:
    """True when informational output (progress bars, notes) should not be shown."""
    return _level["silent"] or _level["quiet"]


@contextlib.contextmanager
def quieted() -> Iterator[None]:
    """Informational output off for a block (wandb's ``finish(quiet=True)``)."""
    before = dict(_level)
    _level["quiet"] = True
    try:
        yield
    finally:
        _level.update(before)


def _emit(prefix: str, message: str, repeat: bool) -> None:
    if not repeat:
        if message in _said:
            return
        _said.add(message)
    print(f"wanllmdb: {prefix}{message}", file=sys.stderr)


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """An informational line; hidden by quiet and silent."""
    if not is_quiet():
        if not prefix:
            print(string, file=sys.stderr, end="\n" if newline else "")
        else:
            _emit("", string, repeat)


def termwarn(string: str, repeat: bool = True) -> None:
    """A warning line; hidden only by silent."""
    if not _level["silent"]:
        _emit("WARNING ", string, repeat)


def termerror(string: str, repeat: bool = True) -> None:
    """An error line; hidden only by silent (the exception, if any, still reaches the caller)."""
    if not _level["silent"]:
        _emit("ERROR ", string, repeat)
