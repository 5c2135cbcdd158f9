"""The agent loop: heartbeat the controller, run the trials it hands out, stop the ones it stops.

One thread does it all (a function trial gets a thread of its own): every ``heartbeat_s`` (5 s, as
the server says) the agent sends what it knows of its trial (new metric values, its exit code) and
whether it wants work, and acts on the answer: ``run`` starts a trial, ``stop`` stops one (SIGTERM,
SIGKILL after 30 s), ``exit`` ends the agent once its trial has ended. An ended trial is reported at
once rather than at the next beat, so the agent is idle for one round trip, not five seconds.

A server that is slow or away delays heartbeats; it never stops or fails a running trial. Values
not yet acknowledged are sent again (the controller counts each once, by offset).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wanllmdb.agents.client import SweepClient
from wanllmdb.agents.guards import FailureGuard
from wanllmdb.agents.trial import FunctionTrial, ProcessTrial, Trial, TrialFiles, trial_environment
from wanllmdb.errors import WanllmdbError
from wanllmdb.rest import ApiError, Transient
from wanllmdb.termlog import termerror, termlog, termwarn

__all__ = ["Agent", "AgentFailed"]

_BACKOFF_MAX_S = 30.0
_TICK_S = 0.2


class AgentFailed(WanllmdbError):
    """The agent could not start or had to stop; ``exit_code`` is what ``wanllmdb agent`` exits with."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class _Sent:
    """A trial's values read from its metric file and not yet acknowledged by the controller."""

    trial: Trial
    exit_code: int | None = None
    unsent: list[float | None] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        self.unsent += self.trial.new_values()
        report: dict[str, Any] = {
            "run_id": self.trial.run_id,
            "metric_offset": self.trial.sent,
            "metric": self.unsent[:10_000],
        }
        if self.exit_code is not None:
            report["exit_code"] = self.exit_code
        return report

    def acknowledged(self, report: dict[str, Any]) -> None:
        done = len(report["metric"])
        self.trial.sent += done
        del self.unsent[:done]


@dataclass
class Agent:
    client: SweepClient
    sweep: dict[str, Any]
    agent_id: str
    root: Path
    function: Callable[[], Any] | None = None
    count: int | None = None
    kill_delay_s: float = 30.0
    heartbeat_s: float = 5.0
    guard: FailureGuard = field(default_factory=FailureGuard)
    current: _Sent | None = None
    ended: list[_Sent] = field(default_factory=list)
    started_trials: int = 0
    stopping: bool = False
    exit_reason: str | None = None
    exit_code: int = 0
    _failures_in_a_row: int = 0
    _signals: int = 0

    # -- the loop ------------------------------------------------------------------------------------
    def run(self) -> int:
        """Work until the sweep ends, ``count`` trials ran, a guard trips or a signal asks; the exit code."""
        with self._signal_handlers():
            next_beat = 0.0
            while True:
                now = time.monotonic()
                if self.current is not None:
                    self.current.trial.escalate()
                    code = self.current.trial.poll()
                    if code is not None:
                        self._trial_ended(code)
                        next_beat = now  # report it at once, and take the next trial
                finishing = self.exit_reason is not None or self._done_counting()
                # Leave once ended trials are reported (or the server stays away for good).
                if self.current is None and finishing and (not self.ended or self._failures_in_a_row > 3):
                    break
                if now >= next_beat:
                    next_beat = time.monotonic() + self._beat()
                time.sleep(max(0.0, min(_TICK_S, next_beat - time.monotonic())))
            self._farewell()
        if self.exit_reason:
            (termerror if self.exit_code else termlog)(self.exit_reason)
        return self.exit_code

    def _done_counting(self) -> bool:
        return self.stopping or (self.count is not None and self.started_trials >= self.count)

    def _beat(self) -> float:
        """One heartbeat; seconds until the next."""
        sends = ([self.current] if self.current is not None else []) + list(self.ended)
        reports = [s.report() for s in sends]
        want = self.current is None and self.exit_reason is None and not self._done_counting()
        body = {
            "runs": reports,
            "want_work": want,
            "stopping": self._done_counting() and self.current is None,
        }
        try:
            answer = self.client.agent_heartbeat(self.sweep["id"], self.agent_id, body)
        except Transient as exc:
            self._failures_in_a_row += 1
            wait = min(_BACKOFF_MAX_S, self.heartbeat_s * 2 ** min(self._failures_in_a_row, 3))
            termwarn(f"sweep controller unreachable ({exc}); trying again in {wait:.0f} s", repeat=False)
            return wait
        except ApiError as exc:
            self._failures_in_a_row += 1
            self._refused(exc)
            return self.heartbeat_s
        self._failures_in_a_row = 0
        for sent, report in zip(sends, reports, strict=True):
            sent.acknowledged(report)
        self.ended = [s for s in self.ended if s.unsent or s not in sends]
        self.heartbeat_s = float(answer.get("heartbeat_s") or self.heartbeat_s)
        for command in answer.get("commands") or []:
            self._obey(command)
        return self.heartbeat_s

    def _refused(self, exc: ApiError) -> None:
        if exc.status == 404:
            self._give_up(
                f"sweep {self.sweep['id']} was deleted (or this agent is unknown to it): {exc.message}"
            )
        elif exc.status in (401, 403):
            self._give_up(f"the server refused this agent's API key: {exc.message}")
        else:
            termwarn(f"the sweep controller refused a heartbeat: {exc.message}", repeat=False)

    def _give_up(self, reason: str) -> None:
        """No more trials; the current one finishes (wandb does the same), then the agent exits 1."""
        self.exit_reason, self.exit_code, self.ended = reason, 1, []
        self.stopping = True

    def _obey(self, command: dict[str, Any]) -> None:
        kind = command.get("type")
        if kind == "run" and self.current is None and command.get("run_id"):
            self._start(command["run_id"], command.get("params") or {})
        elif (
            kind == "stop" and self.current is not None and command.get("run_id") == self.current.trial.run_id
        ):
            termlog(f"stopping run {self.current.trial.run_id} (the sweep controller asked)")
            self.current.trial.stop()
        elif kind == "exit" and self.exit_reason is None:
            self.exit_reason = command.get("reason") or f"sweep {self.sweep['id']} has ended"

    # -- trials --------------------------------------------------------------------------------------
    def _start(self, run_id: str, params: dict[str, Any]) -> None:
        from wanllmdb.sweeps.engine import expand_command, load_config

        self.started_trials += 1
        files = TrialFiles.under(self.root, self.sweep["id"], run_id)
        files.write(params)
        metric = (self.sweep.get("config") or {}).get("metric") or {}
        env = trial_environment(files, self.sweep, metric=metric.get("name"))
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
        termlog(f"agent starting run {run_id} with {shown or 'no parameters'}")
        trial: Trial
        try:
            if self.function is not None:
                trial = FunctionTrial(run_id, files, function=self.function, env=env).start()
            else:
                config = load_config(self.sweep["config"])
                argv = expand_command(config, params, args_json_file=str(files.params_json))
                trial = ProcessTrial(
                    run_id, files, argv=argv, env=env, kill_delay_s=self.kill_delay_s
                ).start()
        except (OSError, WanllmdbError) as exc:
            termerror(f"run {run_id} could not start: {exc}")
            self.current = _Sent(_Unstartable(run_id, files))
            return
        self.current = _Sent(trial)

    def _trial_ended(self, code: int) -> None:
        assert self.current is not None
        sent, self.current = self.current, None
        sent.exit_code = code
        self.ended.append(sent)
        stopped = sent.trial.stop_asked is not None
        termlog(f"run {sent.trial.run_id} ended (exit code {code}{', stopped' if stopped else ''})")
        reason = self.guard.record(code, stopped=stopped)
        if reason is not None and self.exit_reason is None:
            self.exit_reason, self.exit_code, self.stopping = reason, 1, True

    def _farewell(self) -> None:
        """Tell the controller this agent is done (best effort: it is declared dead otherwise)."""
        body = {"runs": [s.report() for s in self.ended], "want_work": False, "stopping": True}
        with contextlib.suppress(Transient, ApiError):
            self.client.agent_heartbeat(self.sweep["id"], self.agent_id, body)

    # -- signals -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _signal_handlers(self) -> Iterator[None]:
        """First SIGINT/SIGTERM: take no more trials and stop the current one (SIGTERM, then SIGKILL
        after the delay). Second: kill it now and leave."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        for signum in previous:
            signal.signal(signum, self._on_signal)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self._signals += 1
        self.stopping = True
        if self.exit_reason is None:
            self.exit_reason, self.exit_code = f"agent stopped by {signal.Signals(signum).name}", 128 + signum
        trial = self.current.trial if self.current is not None else None
        if trial is None:
            return
        if self._signals == 1:
            termlog(f"stopping run {trial.run_id}; send the signal again to kill it")
            trial.stop()
        elif isinstance(trial, ProcessTrial):
            trial.kill()


@dataclass
class _Unstartable(Trial):
    """A trial whose process could not even start: it ended at once, with exit code 127."""

    def poll(self) -> int | None:
        return 127

    def stop(self) -> None:
        return None
