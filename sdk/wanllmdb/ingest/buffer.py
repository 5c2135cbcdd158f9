"""Per-key column buffers: the only thing ``log()`` touches.

A row is one ``log()`` call: its step and timestamp are stored once, and each key keeps two parallel
lists, the row index and the value. The flusher thread swaps the lists out under the lock and does all
Arrow work on its own time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wanllmdb.values import coerce_scalar, validate_key

__all__ = ["Drained", "MetricBuffer"]


@dataclass
class Drained:
    """What the flusher takes out of a buffer: rows (step, ts) and, per key, row indices and values."""

    steps: list[int]
    ts_ms: list[int]
    columns: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(rows) for rows, _ in self.columns.values())


class MetricBuffer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values = 0  # values buffered since the last drain; the flusher wakes early past a bound
        self._steps: list[int] = []
        self._ts: list[int] = []
        self._cols: dict[str, tuple[list[int], list[float]]] = {}

    def add(self, step: int, ts_ms: int, data: Mapping[str, Any]) -> int:
        with self.lock:
            return self.add_locked(step, ts_ms, data)

    def add_locked(self, step: int, ts_ms: int, data: Mapping[str, Any]) -> int:
        """Append one row (caller holds ``lock``); returns the values buffered. Bad input rolls back fully."""
        row = len(self._steps)
        self._steps.append(step)
        self._ts.append(ts_ms)
        cols = self._cols
        nested = 0
        try:
            # The hot loop: flat dicts of floats never leave it. Everything else takes a detour per value.
            for key, value in data.items():
                if type(value) is not float:
                    if isinstance(value, Mapping):
                        nested += self._add_nested(row, value, validate_key(key) + ".") - 1
                        continue
                    value = coerce_scalar(str(key), value)
                col = cols.get(key)
                if col is None:
                    col = cols[validate_key(key)] = ([], [])
                col[0].append(row)
                col[1].append(value)
        except BaseException:
            self._rollback(row)
            raise
        self.values += len(data) + nested
        return self.values

    def _add_nested(self, row: int, data: Mapping[str, Any], prefix: str) -> int:
        cols = self._cols
        added = 0
        for sub, value in data.items():
            key = prefix + validate_key(sub)
            if type(value) is not float:
                if isinstance(value, Mapping):
                    added += self._add_nested(row, value, key + ".")
                    continue
                value = coerce_scalar(key, value)
            col = cols.get(key)
            if col is None:
                col = cols[validate_key(key)] = ([], [])
            col[0].append(row)
            col[1].append(value)
            added += 1
        return added

    def _rollback(self, row: int) -> None:
        for key, (rows, vals) in list(self._cols.items()):
            while rows and rows[-1] == row:
                rows.pop()
                vals.pop()
            if not rows:
                del self._cols[key]
        del self._steps[row:]
        del self._ts[row:]

    def drain(self, fold: Callable[[Drained], None] | None = None) -> Drained | None:
        """Swap the buffers out; ``fold`` sees them under the lock so summary readers never miss a value."""
        with self.lock:
            if not self._steps:
                return None
            out = Drained(self._steps, self._ts, self._cols)
            self._steps, self._ts, self._cols = [], [], {}
            self.values = 0
            if fold is not None:
                fold(out)
            return out

    def peek(self, key: str) -> list[float]:
        """Values of ``key`` not yet drained (a copy). Callers hold ``self.lock``."""
        col = self._cols.get(key)
        return list(col[1]) if col else []

    def max_step(self) -> int | None:
        """Highest step not yet drained. Callers hold ``self.lock``."""
        return max(self._steps) if self._steps else None

    def keys(self) -> list[str]:
        return list(self._cols)
