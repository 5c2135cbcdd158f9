"""Metric buffers: the only thing ``log()`` touches.

A row is one ``log()`` call. Its step and timestamp go to two flat ``array('q')`` columns. Its values
go to a *block*: all rows that logged the same keys in the same order share one block, whose values
sit row after row in one flat ``array('d')``. So the common call (the same dict of floats every step)
costs one tuple of its keys, one dict lookup and one C-level ``extend``, and a buffered value costs
8 bytes, not a Python float plus a list slot. The arrays hand their memory to Arrow without a copy.

String values (``log({"phase": "eval"})``) are rare, so they skip blocks: the slow path keeps them as
(row, key, text) triples, and the fast path never sees them (a str makes ``array('d').extend`` fail).
Media values take the slow path the same way: ``media_out`` holds them until ``log()`` hands them to
the media worker, and the worker's finished rows come back through ``add_media_rows``.

The flusher thread swaps the whole buffer out under the lock and does all Arrow work on its own time.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from wanllmdb.values import SKIPPED, MediaValue, coerce_value, validate_key

__all__ = ["Block", "Drained", "LogLine", "MediaJob", "MediaRow", "MetricBuffer", "TextValue"]

LogLine = tuple[int, int, str, str]  # a console line: (line, ts_ms, stream, text)
TextValue = tuple[int, str, str]  # a string metric: (row, key, text)
MediaJob = tuple[int, int, str, MediaValue]  # a media value to encode: (step, ts_ms, key, value)
MediaRow = tuple[int, int, str, str, str | None]  # an encoded one: (step, ts_ms, key, descriptor JSON, ref)


class Block:
    """Rows that logged the same keys in the same order: their row numbers and their values, row-major."""

    __slots__ = ("keys", "rows", "vals")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.rows = array("q")
        self.vals = array("d")

    def column(self, j: int) -> array[float]:
        """The values of ``keys[j]``, one per row of this block (a strided copy, in C)."""
        return self.vals[j :: len(self.keys)] if len(self.keys) > 1 else self.vals


class Drained:
    """What the flusher takes out of a buffer: the rows (step, ts), the blocks of values and the texts."""

    def __init__(
        self,
        steps: array[int],
        ts_ms: array[int],
        blocks: list[Block],
        texts: list[TextValue] | None = None,
        media: list[MediaRow] | None = None,
    ) -> None:
        self.steps = steps
        self.ts_ms = ts_ms
        self.blocks = blocks
        self.texts: list[TextValue] = texts if texts is not None else []
        self.media: list[MediaRow] = media if media is not None else []

    def __len__(self) -> int:
        return sum(len(b.vals) for b in self.blocks) + len(self.texts) + len(self.media)

    @cached_property
    def columns(self) -> dict[str, tuple[array[int], array[float]]]:
        """Per key, its row numbers and values in row order (a key logged in two shapes is merged)."""
        out: dict[str, tuple[array[int], array[float]]] = {}
        for block in self.blocks:
            for j, key in enumerate(block.keys):
                rows, vals = block.rows, block.column(j)
                if key in out:
                    rows, vals = _merge(out[key], (rows, vals))
                out[key] = (rows, vals)
        return out


def _merge(
    a: tuple[array[int], array[float]], b: tuple[array[int], array[float]]
) -> tuple[array[int], array[float]]:
    rows = a[0] + b[0]
    vals = a[1] + b[1]
    order = sorted(range(len(rows)), key=rows.__getitem__)  # stable: a key twice in a row keeps its order
    return array("q", (rows[i] for i in order)), array("d", (vals[i] for i in order))


class MetricBuffer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values = 0  # values buffered since the last drain; the flusher wakes early past a bound
        self._steps: array[int] = array("q")
        self._ts: array[int] = array("q")
        self._blocks: dict[tuple[Any, ...], Block] = {}
        self._texts: list[TextValue] = []
        self._media: list[MediaRow] = []
        # Media values of rows added since ``log()`` last took them (``take_media``); usually empty.
        self.media_out: list[MediaJob] = []
        # Panels of wanllmdb.plot charts logged since ``log()`` last took them: (key, _wandb.visualize value).
        self.charts_out: list[tuple[str, dict[str, Any]]] = []

    def add(self, step: int, ts_ms: int, data: Mapping[str, Any]) -> int:
        with self.lock:
            return self.add_locked(step, ts_ms, data)

    def add_locked(self, step: int, ts_ms: int, data: Mapping[str, Any]) -> int:
        """Append one row (caller holds ``lock``); returns the values buffered. Bad input stores nothing.

        The fast path takes rows whose keys (in order) match a block and whose values all convert to a
        C double (float, int, bool, numpy scalars...). Anything else (a new key set, nested dicts, a value
        that needs a helpful error) takes ``_add_slow``, which validates before it stores.
        """
        keys = tuple(data)
        block = self._blocks.get(keys)
        if block is None:
            return self._add_slow(step, ts_ms, data)
        vals = block.vals
        n = len(vals)
        try:
            vals.extend(data.values())
        except Exception:
            del vals[n:]  # extend stops at the first bad value: take back the ones before it
            return self._add_slow(step, ts_ms, data)
        block.rows.append(len(self._steps))
        self._steps.append(step)
        self._ts.append(ts_ms)
        self.values += len(keys)
        return self.values

    def _add_slow(self, step: int, ts_ms: int, data: Mapping[str, Any]) -> int:
        flat: dict[str, Any] = {}
        _flatten(data, "", flat)
        row = len(self._steps)
        texts = [(row, k, v) for k, v in flat.items() if type(v) is str]
        media = [(step, ts_ms, k, v) for k, v in flat.items() if type(v) is not float and type(v) is not str]
        for k in [*(t[1] for t in texts), *(m[2] for m in media)]:
            del flat[k]
        if media:
            media = [self._chart_table(job) for job in media]
        self._texts += texts
        self.media_out += media
        keys = tuple(flat)
        if keys or not (texts or media):  # a row of strings or media only has no block
            block = self._blocks.get(keys)
            if block is None:
                block = self._blocks[keys] = Block(keys)
            block.vals.extend(flat.values())  # type: ignore[arg-type]  # the strings went above
            block.rows.append(row)
        self._steps.append(step)
        self._ts.append(ts_ms)
        self.values += len(keys) + len(texts)
        return self.values

    def _chart_table(self, job: MediaJob) -> MediaJob:
        """A ``wanllmdb.plot`` chart logs its table under ``<key>_table`` (wandb's key) and leaves its
        panel in ``charts_out`` for the run's config (``_wandb.visualize.<key>``)."""
        step, ts_ms, key, value = job
        spec = getattr(value, "spec", None)
        if spec is None or type(value).__name__ != "CustomChart":
            return job
        value.set_key(key)
        self.charts_out.append((key, spec.config_value))
        return step, ts_ms, validate_key(spec.table_key), value.table

    def take_charts(self) -> list[tuple[str, dict[str, Any]]]:
        """The panels of charts logged since the last call. Callers hold ``self.lock``."""
        charts, self.charts_out = self.charts_out, []
        return charts

    def take_media(self) -> list[MediaJob]:
        """The media values logged since the last call, for the media worker. Callers hold ``self.lock``."""
        jobs, self.media_out = self.media_out, []
        return jobs

    def add_media_rows(self, rows: list[MediaRow]) -> None:
        """Encoded media rows (from the media worker): they join the next chunk, with their own steps."""
        with self.lock:
            self._media += rows
            self.values += len(rows)

    def drain(self, fold: Callable[[Drained], None] | None = None) -> Drained | None:
        """Swap the buffers out; ``fold`` sees them under the lock so summary readers never miss a value."""
        with self.lock:
            if not self._steps and not self._media:
                return None
            out = Drained(self._steps, self._ts, list(self._blocks.values()), self._texts, self._media)
            self._steps, self._ts, self._blocks, self._texts = array("q"), array("q"), {}, []
            self._media = []
            self.values = 0
            if fold is not None:
                fold(out)
            return out

    def peek(self, key: str) -> array[float]:
        """Values of ``key`` not yet drained, in row order (a copy). Callers hold ``self.lock``.

        Only the blocks that hold ``key`` are read, one strided copy each: the summary calls this for
        every key while log() waits on the lock.
        """
        found: tuple[array[int], array[float]] | None = None
        for block in self._blocks.values():
            if key in block.keys:
                col = (block.rows, block.column(block.keys.index(key)))
                found = col if found is None else _merge(found, col)
        return array("d", found[1]) if found is not None else array("d")

    def peek_steps(self, key: str) -> list[int]:
        """Steps of ``key``'s values not yet drained, in the order ``peek`` gives the values. Callers hold
        ``self.lock``; the summary's ``last`` follows the step, not the call order."""
        rows: array[int] | None = None
        for block in self._blocks.values():
            if key in block.keys:
                rows = block.rows if rows is None else array("q", sorted(rows + block.rows))
        steps = self._steps
        return [steps[r] for r in rows] if rows is not None else []

    def pending_texts(self) -> list[tuple[int, str, str]]:
        """(step, key, text) of every string value not yet drained, in call order.
        Callers hold ``self.lock``."""
        steps = self._steps
        return [(steps[row], key, text) for row, key, text in self._texts]

    def pending_media(self) -> list[MediaRow]:
        """Encoded media rows not yet drained. Callers hold ``self.lock``."""
        return list(self._media)

    def max_step(self) -> int | None:
        """Highest step not yet drained. Callers hold ``self.lock``."""
        return max(self._steps) if self._steps else None

    def keys(self) -> list[str]:
        numeric = (k for block in self._blocks.values() for k in block.keys)
        return list(
            dict.fromkeys([*numeric, *(k for _, k, _ in self._texts), *(row[2] for row in self._media)])
        )


def _flatten(data: Mapping[Any, Any], prefix: str, out: dict[str, Any]) -> None:
    """Nested dicts become dotted keys; every key is validated and every value coerced to a float, a
    str or a media value (or refused; a media value that failed to convert is left out with a warning).
    A dotted key given twice in one row ({"a.b": 1, "a": {"b": 2}}) keeps the later value, as a dict would."""
    for key, value in data.items():
        name = prefix + validate_key(key)
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
            continue
        coerced = value if type(value) is float else coerce_value(name, value)
        if coerced is not SKIPPED:
            out[validate_key(name)] = coerced
