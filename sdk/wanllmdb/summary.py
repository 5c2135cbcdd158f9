"""``run.summary`` and ``define_metric``: per-key aggregates, folded on the flusher thread, never in log()."""

from __future__ import annotations

import fnmatch
import json
import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from wanllmdb.errors import InvalidValue
from wanllmdb.ingest.buffer import Drained, MediaRow, MetricBuffer
from wanllmdb.termlog import termwarn

__all__ = ["MetricRule", "MetricRules", "Summary"]

SUMMARY_MODES = ("min", "max", "mean", "last", "first", "none")
# The summary key that carries define_metric(step_metric=...) to the server: {name or glob: step
# metric}, in precedence order (a reader takes an exact name first, else the last glob that
# matches). Charts plot such a key against its step metric by default.
STEP_METRICS_KEY = "_step_metrics"
GOALS = ("minimize", "maximize")


@dataclass(frozen=True)
class MetricRule:
    name: str
    step_metric: str | None = None
    step_sync: bool = True
    summary: tuple[str, ...] = ("last",)
    goal: str | None = None
    hidden: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "step_metric": self.step_metric,
            "step_sync": self.step_sync,
            "summary": list(self.summary),
            "goal": self.goal,
            "hidden": self.hidden,
        }


class MetricRules:
    """define_metric() rules; an exact name beats a glob, and a later rule beats an earlier one."""

    def __init__(self) -> None:
        self._rules: list[MetricRule] = []
        self._cache: dict[str, MetricRule | None] = {}

    def define(
        self,
        name: str,
        *,
        step_metric: str | None = None,
        step_sync: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        hidden: bool = False,
    ) -> MetricRule:
        if not isinstance(name, str) or not name:
            raise InvalidValue("define_metric(): name must be a non-empty string or glob", key="name")
        modes = tuple(m.strip() for m in (summary or "last").split(",") if m.strip())
        for m in modes:
            if m not in SUMMARY_MODES:
                raise InvalidValue(
                    f"define_metric({name!r}): summary={m!r}; use one of {'|'.join(SUMMARY_MODES)}",
                    key="summary",
                )
        if goal is not None and goal not in GOALS:
            raise InvalidValue(
                f"define_metric({name!r}): goal={goal!r}; use minimize or maximize", key="goal"
            )
        rule = MetricRule(
            name,
            step_metric,
            step_sync if step_sync is not None else step_metric is not None,
            modes or ("last",),
            goal,
            hidden,
        )
        self._rules.append(rule)
        self._cache = {}
        return rule

    def __bool__(self) -> bool:
        return bool(self._rules)

    def names(self) -> set[str]:
        return {r.name for r in self._rules}

    def step_metrics(self) -> set[str]:
        return {r.step_metric for r in self._rules if r.step_metric}

    def for_key(self, key: str) -> MetricRule | None:
        try:
            return self._cache[key]
        except KeyError:
            pass
        exact = [r for r in self._rules if r.name == key]
        globbed = [r for r in self._rules if r.name != key and fnmatch.fnmatchcase(key, r.name)]
        matches = exact or globbed
        rule = matches[-1] if matches else None
        self._cache[key] = rule
        return rule

    def step_metric_map(self) -> dict[str, str]:
        """{name or glob: step_metric}, ordered so that a later definition comes later."""
        out: dict[str, str] = {}
        for r in self._rules:
            out.pop(r.name, None)
            if r.step_metric:
                out[r.name] = r.step_metric
        return out

    def as_list(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self._rules]


class _Agg:
    __slots__ = ("count", "finite", "first", "last", "last_step", "max", "min", "total")

    def __init__(self) -> None:
        self.count = 0
        self.finite = 0  # NaN is stored as data but kept out of min, max and mean
        self.first = math.nan
        self.last = math.nan
        self.last_step = -1  # `last` is the value at the highest step, as the lake's latest-step view
        self.min = math.inf
        self.max = -math.inf
        self.total = 0.0

    def add(self, vals: Sequence[float], full: bool, steps: Sequence[int]) -> None:
        """Fold values logged at ``steps`` (one per value, in call order)."""
        if not vals:
            return
        if self.count == 0:
            self.first = vals[0]
        top = max(steps)
        if top >= self.last_step:
            # Of several values at the top step, the one logged last wins (a later log() overwrites).
            i = len(steps) - 1 - steps[::-1].index(top)
            self.last, self.last_step = vals[i], top
        self.count += len(vals)
        if full:  # min/max/mean only for keys that asked: they cost a pass over the values
            finite = [v for v in vals if not math.isnan(v)]
            if finite:
                self.min = min(self.min, min(finite))
                self.max = max(self.max, max(finite))
                self.total += math.fsum(finite)
                self.finite += len(finite)

    def value(self, mode: str) -> float:
        if mode == "mean":
            return self.total / self.finite if self.finite else math.nan
        return float(getattr(self, mode))


class Summary:
    """Last value per key by default, or what define_metric asked; explicit assignments win."""

    def __init__(self, buffer: MetricBuffer, rules: MetricRules) -> None:
        self._buffer = buffer
        self._rules = rules
        self._lock = threading.Lock()
        self._aggs: dict[str, _Agg] = {}
        # A string or media key's last (step, value): a text, or a media descriptor as the summary keeps it
        self._texts: dict[str, tuple[int, Any]] = {}
        self._explicit: dict[str, Any] = {}
        self.max_step = -1  # highest step drained so far: the summary's _step, where a resume continues
        self._media_trimmed = False

    def fold(self, drained: Drained) -> None:
        """Called by MetricBuffer.drain under the buffer lock."""
        with self._lock:
            if drained.steps:
                self.max_step = max(self.max_step, max(drained.steps))
            every = len(drained.steps)
            for key, (rows, vals) in drained.columns.items():
                agg = self._aggs.get(key)
                if agg is None:
                    agg = self._aggs[key] = _Agg()
                # A key in every row (the usual case) shares the rows' steps; a sparse one picks its own.
                steps = drained.steps if len(rows) == every else [drained.steps[r] for r in rows]
                agg.add(vals, self._needs_full(key), steps)
            for row, key, text in drained.texts:
                _fold_text(self._texts, key, drained.steps[row], text)
            _fold_media(self._texts, drained.media)

    def _needs_full(self, key: str) -> bool:
        rule = self._rules.for_key(key) if self._rules else None
        return rule is not None and any(m in ("min", "max", "mean") for m in rule.summary)

    def as_dict(self) -> dict[str, Any]:
        with self._buffer.lock, self._lock:
            out: dict[str, Any] = {}
            last_values = self._last_values()  # one pass over what is buffered, not one per key
            for key in set(self._aggs) | set(self._buffer.keys()) | set(self._texts):
                agg = _Agg()
                folded = self._aggs.get(key)
                if folded is not None:
                    for slot in _Agg.__slots__:
                        setattr(agg, slot, getattr(folded, slot))
                agg.add(self._buffer.peek(key), self._needs_full(key), self._buffer.peek_steps(key))
                rule = self._rules.for_key(key) if self._rules else None
                modes = rule.summary if rule else ("last",)
                if "none" in modes or (rule is not None and rule.hidden):
                    continue
                text = last_values.get(key)
                if text is not None and (agg.count == 0 or text[0] >= agg.last_step):
                    out[key] = text[1]  # a string's or media's summary is its last value, whatever the modes
                    continue
                out[key] = agg.last if modes == ("last",) else {m: agg.value(m) for m in modes}
            self._fit_media(out)
            out.update(self._explicit)
            pending = self._buffer.max_step()
            step = max(self.max_step, pending if pending is not None else -1)
            if step >= 0:
                out["_step"] = step
            axes = self._rules.step_metric_map() if self._rules else None
            if axes:
                out[STEP_METRICS_KEY] = axes
            return out

    def _fit_media(self, out: dict[str, Any]) -> None:
        """Keep media descriptors within MEDIA_SUMMARY_BYTES of the summary, in key order, so that
        scalars always fit in the server's 100 KiB (watch() of a big model logs thousands of keys)."""
        media = sorted(k for k, v in out.items() if isinstance(v, dict) and isinstance(v.get("_type"), str))
        used = 0
        for key in media:
            used += len(key) + len(json.dumps(out[key], separators=(",", ":"))) + 4
            if used > MEDIA_SUMMARY_BYTES:
                del out[key]
                if not self._media_trimmed:
                    self._media_trimmed = True
                    termwarn(
                        f"summary: media descriptors past {MEDIA_SUMMARY_BYTES >> 10} KiB are left out of "
                        "the run summary (their rows are all in the history); hide keys with "
                        "define_metric('gradients/*', summary='none')",
                        repeat=False,
                    )

    def _last_values(self) -> dict[str, tuple[int, Any]]:
        """Each string or media key's last (step, value), folded or still buffered. Callers hold both
        locks, which log() waits on: so one pass over the buffer, however many keys there are."""
        last = dict(self._texts)
        for step, key, text in self._buffer.pending_texts():
            _fold_text(last, key, step, text)
        _fold_media(last, self._buffer.pending_media())
        return last

    # -- mapping interface --------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, d: dict[str, Any]) -> None:
        with self._lock:
            for key, value in d.items():
                if not isinstance(key, str) or not key:
                    raise InvalidValue(f"summary: key {key!r} must be a non-empty string", key=str(key))
                self._explicit[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.as_dict().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.as_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def keys(self) -> list[str]:
        return list(self.as_dict())

    def items(self) -> list[tuple[str, Any]]:
        return list(self.as_dict().items())

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"


def _fold_text(last: dict[str, tuple[int, Any]], key: str, step: int, text: Any) -> None:
    """Keep the text at the highest step; at equal steps the one logged later wins."""
    held = last.get(key)
    if held is None or step >= held[0]:
        last[key] = (step, text)


def _fold_media(last: dict[str, tuple[int, Any]], rows: Sequence[MediaRow]) -> None:
    """Fold encoded media rows; only a key's newest row is decoded."""
    newest: dict[str, MediaRow] = {}
    for row in rows:
        held = newest.get(row[2])
        if held is None or row[0] >= held[0]:
            newest[row[2]] = row
    for key, (step, _ts, _key, descriptor, _ref) in newest.items():
        kept = last.get(key)
        if kept is None or step >= kept[0]:
            last[key] = (step, summary_descriptor(json.loads(descriptor)))


# The share of the summary (which the server caps at 100 KiB) that media descriptors may take.
MEDIA_SUMMARY_BYTES = 48 << 10
# Per-object overlays that make a descriptor large; the history row keeps them, the summary does not.
_OVERLAY_FIELDS = ("boxes", "masks", "classes", "vectors")


def summary_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """What the summary keeps of a media descriptor: a file's wandb fields without its overlays, and
    the shape of anything bulky. The summary is one item of at most 100 KiB for every key of the run:
    watch() alone writes a histogram per parameter, so bins and counts (the history has them) would
    fill it within a few dozen keys, and then every summary update would be refused, `loss` too."""
    kind = descriptor.get("_type")
    if kind == "gallery":
        items = descriptor.get("items") or []
        item_type = items[0].get("_type") if items else None
        return {"_type": "gallery", "count": len(items), "item_type": item_type}
    if kind == "histogram":
        bins = descriptor.get("bins") or []
        compact: dict[str, Any] = {"_type": "histogram", "num_bins": len(descriptor.get("values") or ())}
        if bins:
            compact["min"], compact["max"] = float(f"{bins[0]:.6g}"), float(f"{bins[-1]:.6g}")
        nonfinite = {k: v for k, v in (descriptor.get("nonfinite") or {}).items() if v}
        if nonfinite:
            compact["nonfinite"] = nonfinite
        return compact
    if kind == "graph":
        nodes = len(descriptor.get("nodes") or ())
        return {"_type": "graph", "nodes": nodes, "total_parameters": descriptor.get("total_parameters")}
    return {k: v for k, v in descriptor.items() if k not in _OVERLAY_FIELDS}
