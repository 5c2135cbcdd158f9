"""Plain text for names, tags, notes and labels: no control characters, no bidirectional overrides.

A BEL or NUL in a run name corrupts terminals and CSV exports, and a right-to-left override makes
`gpj.exe` read as `exe.jpg` in the dashboard. Characters are judged by their Unicode properties
(`unicodedata`), never by a pattern over the text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from pydantic import AfterValidator

__all__ = ["MultilineText", "SingleLineText", "check_plain_text"]

# Embeddings, overrides and isolates: the characters that reorder what is displayed.
_BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
_LINE_BREAKS = frozenset("\n\r\t")


def check_plain_text(value: str, *, multiline: bool = False) -> str:
    """`value` unchanged, or ValueError naming the first character that is not plain text."""
    for position, char in enumerate(value):
        if multiline and char in _LINE_BREAKS:
            continue
        if unicodedata.category(char) == "Cc" or unicodedata.bidirectional(char) in _BIDI_CONTROLS:
            name = unicodedata.name(char, "a control character")
            raise ValueError(
                f"U+{ord(char):04X} ({name}) at position {position} is not allowed: "
                "remove control and text-direction characters"
            )
    return value


def _validator(*, multiline: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        return check_plain_text(value, multiline=multiline)

    return check


SingleLineText = AfterValidator(_validator(multiline=False))
MultilineText = AfterValidator(_validator(multiline=True))
