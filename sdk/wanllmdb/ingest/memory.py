"""Handing freed memory back to the OS after a flush.

The flusher and uploader threads each get their own glibc malloc arena; chunks freed there stay in
the process (measured: peak RSS growth 139 MB instead of 54 MB over 1M steps x 10 scalars). glibc's
``malloc_trim`` returns them, as Dask does for its workers. Elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache

__all__ = ["release_memory"]


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim  # ctypes drops the GIL during the call
    except (OSError, AttributeError):  # musl and other libcs have no malloc_trim
        return None
    return trim


def release_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
