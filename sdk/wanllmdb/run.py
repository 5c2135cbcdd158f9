"""``Run``: the object ``init()`` returns. Its hot path is ``log``; everything else is bookkeeping."""

from __future__ import annotations

import glob
import json
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from wanllmdb.alerts import AlertLevel, alert_body
from wanllmdb.config import Config
from wanllmdb.console import ConsoleCapture
from wanllmdb.errors import InvalidValue, UsageError
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.ingest.pipeline import Pipeline
from wanllmdb.ingest.spool import RunDir
from wanllmdb.run_surface import RunSurface
from wanllmdb.settings import Settings
from wanllmdb.summary import MetricRule, MetricRules, Summary
from wanllmdb.system.sampler import SystemSampler

__all__ = ["Run"]

_POLICIES = ("live", "now", "end")


class Run(RunSurface):
    def __init__(
        self,
        *,
        settings: Settings,
        record: dict[str, Any],
        rd: RunDir | None,
        start_step: int,
        config: Config,
        history: MetricBuffer,
        summary: Summary,
        rules: MetricRules,
        pipeline: Pipeline | None,
        sampler: SystemSampler | None,
        console: ConsoleCapture | None,
        on_finish: Callable[[Run], None] | None = None,
        before_close: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self._record = record
        self.id: str = record["id"]
        self.project: str = record["project"]
        self.entity: str | None = record.get("entity")
        self.attempt: int = int(record.get("attempt", 0))
        self.mode: str = settings.mode
        self.config = config
        self.summary = summary
        # Offline, or before the server named it, a run without a name shows its id.
        self._name: str | None = record.get("name") or record.get("id")
        self._tags: tuple[str, ...] = tuple(record.get("tags") or ())
        self._notes: str | None = record.get("notes")
        self._rd = rd
        self._history = history
        self._rules = rules
        self._pipeline = pipeline
        self._sampler = sampler
        self._console = console
        self._on_finish = on_finish
        self._before_close = before_close
        self._step = start_step
        self._closed = False
        self._disabled = settings.mode == "disabled"
        self._slow = self._disabled  # one flag for log()'s rare branches: disabled, finished, define_metric
        self._flush_bound = settings.flush_max_values
        self._memory_bound = 3 * settings.flush_max_values  # past this, log() waits for the flusher
        self._warned_lower: set[str] = set()
        self._step_metric_last: dict[str, float] = {}
        self._finish_lock = threading.Lock()
        self.synced: bool | None = None  # after finish: did everything reach the server?
        self.final_state: str | None = None

    # -- identity ------------------------------------------------------------------------------------
    @property
    def dir(self) -> Path | None:
        return self._rd.path if self._rd is not None else None

    @property
    def step(self) -> int:
        return self._step

    @property
    def name(self) -> str | None:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value
        self._submit("update", {"name": value})

    display_name = name  # wandb's other name for it

    @property
    def tags(self) -> tuple[str, ...]:
        return self._tags

    @tags.setter
    def tags(self, value: list[str] | tuple[str, ...]) -> None:
        self._tags = tuple(str(t) for t in value)
        self._submit("update", {"tags": list(self._tags)})

    @property
    def notes(self) -> str | None:
        return self._notes

    @notes.setter
    def notes(self, value: str) -> None:
        self._notes = value
        self._submit("update", {"notes": value})

    def alert(
        self, title: str, text: str, level: str | AlertLevel | None = None, wait_duration: Any = None
    ) -> None:
        """wandb's ``run.alert``: subscribers of the project's alerts hear it (in-app, email, webhooks).
        The server sends at most one alert per title and run within ``wait_duration`` (1 minute by
        default). Queued like every run change: it never blocks, and an outage only delays it."""
        body = alert_body(title, text, level, wait_duration)
        if self._closed:
            raise UsageError(f"alert() after finish(): run {self.id} is finished")
        self._submit("alert", body)

    def _submit(self, op: str, body: dict[str, Any]) -> None:
        if self._pipeline is not None and not self._closed:
            self._pipeline.submit_op(op, body)

    # -- the hot path --------------------------------------------------------------------------------
    def log(
        self, data: Mapping[str, Any] | None = None, step: int | None = None, commit: bool | None = None
    ) -> None:
        """Record ``data`` at the current step (wandb semantics for ``step`` and ``commit``).

        Budget: a few µs for 10 float scalars. One lock, two list appends per key, no I/O, no Arrow,
        no summary math; the flusher thread does the rest. A media value costs a queue put on top (its
        constructor already took the snapshot); the media worker encodes it. Raises only for bad input
        or after finish().
        ``log()`` with no data commits the row that ``log(..., commit=False)`` calls built, as in wandb.
        """
        if self._slow or type(data) is not dict:
            if self._closed:
                raise UsageError(f"log() after finish(): run {self.id} is finished; init() a new run")
            if self._disabled:
                return
            if data is None:
                self._commit_pending(step, commit)
                return
            if not isinstance(data, Mapping):
                raise InvalidValue(f"log() takes a dict of metrics, not a {type(data).__name__}", key="data")
            if self._rules:
                data = self._with_step_metrics(data)
        buf = self._history
        with buf.lock:
            cur = self._step
            if step is None:
                row_step, nxt = cur, (cur if commit is False else cur + 1)
            else:
                row_step, nxt = self._explicit_step(step, cur, commit, data)
            n = buf.add_locked(row_step, time.time_ns() // 1_000_000, data)
            self._step = nxt  # only after the row is in: a refused call moves nothing
            media = buf.take_media() if buf.media_out else None
            charts = buf.take_charts() if buf.charts_out else None
        if charts:
            self._record_charts(charts)
        if media:  # outside the lock: a full media queue may block this call briefly (back-pressure)
            self._send_media(media)
        if n >= self._flush_bound and self._pipeline is not None:
            self._pipeline.kick()
            if n >= self._memory_bound:
                self._pipeline.wait_for_room(self._flush_bound)

    def _record_charts(self, charts: list[tuple[str, dict[str, Any]]]) -> None:
        """Each chart's panel under ``config._wandb.visualize.<key>``, where wandb keeps it."""
        self.config.update({"_wandb": {"visualize": dict(charts)}}, allow_val_change=True)

    def _send_media(self, jobs: list[Any]) -> None:
        if self._pipeline is not None:
            self._pipeline.submit_media(jobs)

    def _commit_pending(self, step: int | None, commit: bool | None) -> None:
        """``log()`` without data: move past the current step if a row was logged at it (wandb does
        nothing when no row is pending, so two bare ``log()`` calls never skip a step)."""
        buf = self._history
        with buf.lock:
            cur = self._step
            if step is not None:
                self._step = self._explicit_step(step, cur, commit, {})[1]
            elif commit is not False:
                pending = buf.max_step()
                if max(pending if pending is not None else -1, self.summary.max_step) >= cur:
                    self._step = cur + 1

    def _explicit_step(
        self, step: object, cur: int, commit: bool | None, data: Mapping[str, Any]
    ) -> tuple[int, int]:
        """(the row's step, the run's next step) for log(step=...), as wandb counts them."""
        if isinstance(step, bool) or not hasattr(step, "__index__"):
            raise InvalidValue(f"log(step={step!r}): step must be an int", key="step")
        step = int(step.__index__())
        if step < 0:
            raise InvalidValue(f"log(step={step}): step must be >= 0", key="step")
        if step > cur:
            return step, (step + 1 if commit else step)
        if step == cur:
            return step, (cur + 1 if commit else cur)
        # wandb drops these rows; we keep them (they are data) and say so once per key.
        for key in data:
            if key not in self._warned_lower:
                self._warned_lower.add(str(key))
                warnings.warn(
                    f"wanllmdb: {key!r} logged at step {step}, below the run's current step "
                    f"{cur}; stored at step {step} as given",
                    stacklevel=3,
                )
        return step, cur

    def _with_step_metrics(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """step_sync: a metric with a step_metric gets that metric's latest value in the same row."""
        out: dict[str, Any] | None = None
        for key in list(data):
            rule = self._rules.for_key(str(key))
            if rule is not None and rule.step_metric and rule.step_sync and rule.step_metric not in data:
                last = self._step_metric_last.get(rule.step_metric)
                if last is not None:
                    out = out if out is not None else dict(data)
                    out[rule.step_metric] = last
        for name in self._rules.step_metrics():
            if name in data:
                self._step_metric_last[name] = data[name]
        return out if out is not None else data

    # -- the rest of the wandb surface -----------------------------------------------------------------
    def define_metric(
        self,
        name: str,
        step_metric: str | None = None,
        step_sync: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        hidden: bool = False,
    ) -> MetricRule:
        self._slow = True
        rule = self._rules.define(
            name, step_metric=step_metric, step_sync=step_sync, summary=summary, goal=goal, hidden=hidden
        )
        if step_metric and step_metric not in self._rules.names():
            self._rules.define(step_metric)  # wandb also tracks the x-axis metric itself
        return rule

    def save(
        self, glob_str: str | Path, base_path: str | Path | None = None, policy: str = "live"
    ) -> list[str]:
        """Copy matching files into the run (now, at the end, or now and on every change) for upload."""
        if policy not in _POLICIES:
            raise InvalidValue(f"save(policy={policy!r}): use one of {', '.join(_POLICIES)}", key="policy")
        if self._closed:
            raise UsageError("save() after finish()")
        pattern = str(glob_str)
        base = Path(base_path) if base_path is not None else Path(_glob_root(pattern))
        names: list[str] = []
        for match in sorted(glob.glob(pattern, recursive=True)):
            src = Path(match)
            if not src.is_file():
                continue
            try:
                rel = src.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                raise InvalidValue(
                    f"save(): {match!r} is not under base_path {str(base)!r}", key="base_path"
                ) from None
            names.append(rel)
            if self._pipeline is not None:
                self._pipeline.save_file(src, rel, policy)
        return names

    def finish(self, exit_code: int | None = None, *, state: str | None = None) -> None:
        with self._finish_lock:
            if self._closed:
                return
            self._closed = True
            self._slow = True
        final = state or ("finished" if not exit_code else "failed")
        if self._preempting and final in ("failed", "crashed"):
            final = "paused"  # mark_preempting(): the run is resumable, not broken
        self.final_state = final
        if self._sampler is not None:
            self._sampler.stop()
        if self._console is not None:
            self._console.stop()
        if self._before_close is not None:
            self._before_close()  # files still being written must land before the final state
        if self._pipeline is not None:
            if self._rules and self._rd is not None:
                metrics = self._rd.files / "wanllmdb-metrics.json"
                metrics.write_text(json.dumps(self._rules.as_list(), indent=1), encoding="utf-8")
            body: dict[str, Any] = {"state": final}
            if exit_code is not None:
                body["exit_code"] = int(exit_code)
            self.synced = self._pipeline.close(body)
        if self._rd is not None:
            self._rd.unlock()
        if self._pipeline is not None:
            created = self._pipeline.uploader.run if self._pipeline.uploader is not None else None
            if created and not self.entity:  # init() fell back to offline; the uploader created it later
                self.entity = created.get("entity")
                if not self._record.get("name"):  # the server named it ("adjective-noun-N")
                    self._name = created.get("name") or self._name
            self._say_finished(self._pipeline.unsynced)
        if self._on_finish is not None:
            self._on_finish(self)

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.finish(exit_code=0 if exc_type is None else 1)

    def __repr__(self) -> str:
        return f"<wanllmdb.Run {self.entity or ''}/{self.project}/{self.id} mode={self.mode}>"


def _glob_root(pattern: str) -> str:
    parts = Path(pattern).parts
    root: list[str] = []
    for part in parts[:-1]:
        if any(c in part for c in "*?["):
            break
        root.append(part)
    return str(Path(*root)) if root else "."
