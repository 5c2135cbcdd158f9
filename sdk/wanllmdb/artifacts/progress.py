"""Progress of a transfer: files and bytes with their rate, on a tqdm bar (terminals and the CLI)."""

from __future__ import annotations

import sys
import threading
from typing import Any

from wanllmdb.termlog import is_quiet

__all__ = ["Progress"]


class Progress:
    """Thread-safe counters with an optional bar; `show=None` shows one only on a terminal."""

    def __init__(self, desc: str, *, total_bytes: int, total_files: int, show: bool | None = None) -> None:
        self.files = 0
        self.bytes = 0
        self.total_files = total_files
        self._lock = threading.Lock()
        visible = sys.stderr.isatty() if show is None else show
        self._bar: Any = None
        if visible and not is_quiet() and (total_bytes or total_files):
            from tqdm import tqdm

            self._bar = tqdm(
                desc=desc, total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr
            )

    def add(self, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            self.bytes += nbytes
            self.files += files
            if self._bar is not None:
                self._bar.update(nbytes)
                if files:
                    self._bar.set_postfix_str(f"{self.files}/{self.total_files} files", refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
