"""One trial on an agent's machine: its files, its environment, and the process or thread that runs it.

Files live where wandb's agent puts them, under ``<dir>/wanllmdb/sweep-<sweep_id>/``: the params as
wandb's config-defaults YAML (``WANLLMDB_SWEEP_PARAM_PATH``), the same params as JSON for
``${args_json_file}``, and the metric file the run's flusher appends to (in_run.py).

A command trial is a child process in its own session (a stop signals its whole process group, so a
launcher's workers stop too). On Linux it also asks the kernel to SIGTERM it should the agent die
(``PR_SET_PDEATHSIG``): an agent killed with kill -9 leaves no trial running unseen; the trial's SDK
ends its run as crashed, and the controller marks it so in any case once the agent misses three
heartbeats. A stop is SIGTERM, then SIGKILL after the kill delay (30 s).

A function trial (``wanllmdb.agent(function=...)``) runs in a thread of this process, as wandb's does;
a stop raises an exception in that thread at its next Python instruction.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wanllmdb.agents import in_run

__all__ = ["FunctionTrial", "ProcessTrial", "Trial", "TrialFiles", "trial_environment"]

KILL_DELAY_S = 30.0


@dataclass(frozen=True)
class TrialFiles:
    folder: Path
    run_id: str

    @classmethod
    def under(cls, root: Path, sweep_id: str, run_id: str) -> TrialFiles:
        folder = root / f"sweep-{sweep_id}"
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, run_id)

    @property
    def params_yaml(self) -> Path:
        return self.folder / f"config-{self.run_id}.yaml"

    @property
    def params_json(self) -> Path:
        return self.folder / f"params-{self.run_id}.json"

    @property
    def metric(self) -> Path:
        return self.folder / f"metric-{self.run_id}.txt"

    def write(self, params: Mapping[str, Any]) -> None:
        """wandb's config-defaults format (``{key: {value: ...}}``), which init() reads back as config."""
        doc = {"wandb_version": 1, **{k: {"value": v} for k, v in params.items()}}
        self.params_yaml.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        self.params_json.write_text(json.dumps(dict(params)), encoding="utf-8")
        self.metric.write_text("", encoding="utf-8")


def trial_environment(files: TrialFiles, sweep: Mapping[str, Any], *, metric: str | None) -> dict[str, str]:
    """What a trial's init() reads, under our names and wandb's (wandb.init in the script works too)."""
    values = {
        in_run.SWEEP_ID: sweep["id"],
        in_run.RUN_ID: files.run_id,
        in_run.PARAM_PATH: str(files.params_yaml),
        in_run.PROJECT: sweep["project"],
        in_run.ENTITY: sweep["entity"],
    }
    env = {name: value for names, value in values.items() for name in names}
    if metric:
        env[in_run.METRIC_NAME[0]] = metric
        env[in_run.METRIC_PATH[0]] = str(files.metric)
    return env


@dataclass
class Trial(ABC):
    """What the agent needs of a running trial: is it done, new metric values, and how to stop it."""

    run_id: str
    files: TrialFiles
    started: float = field(default_factory=time.monotonic)
    stop_asked: float | None = None
    _metric_offset: int = 0  # bytes of the metric file already read
    _partial: str = ""
    sent: int = 0  # values the controller has acknowledged

    @abstractmethod
    def poll(self) -> int | None:
        """The exit code once the trial has ended, else None."""

    @abstractmethod
    def stop(self) -> None:
        """Ask the trial to end (the controller stopped it, or the agent is shutting down)."""

    def escalate(self) -> None:  # noqa: B027 - only a process has a kill to escalate to
        """Called every agent tick while a stop is pending: the kill after the delay."""

    def new_values(self) -> list[float | None]:
        """Metric values appended since the last call (whole lines only)."""
        try:
            with self.files.metric.open("r", encoding="utf-8") as src:
                src.seek(self._metric_offset)
                chunk = src.read()
                self._metric_offset = src.tell()
        except OSError:
            return []
        text = self._partial + chunk
        lines = text.split("\n")
        self._partial = lines.pop()
        out: list[float | None] = []
        for line in lines:
            try:
                value = float(line)
            except ValueError:
                continue
            out.append(value if value == value and abs(value) != float("inf") else None)
        return out


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the agent dies (Linux only). SIGTERM, not SIGKILL: the
    SDK in the trial flushes what it logged and ends its run as crashed on the way out."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class ProcessTrial(Trial):
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    kill_delay_s: float = KILL_DELAY_S
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> ProcessTrial:
        # Called from the agent's main thread: PR_SET_PDEATHSIG follows the thread that forked.
        self.process = subprocess.Popen(
            self.argv,
            env={**os.environ, **self.env},
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        return self

    def poll(self) -> int | None:
        assert self.process is not None
        return self.process.poll()

    def _signal(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def stop(self) -> None:
        if self.stop_asked is None and self.poll() is None:
            self.stop_asked = time.monotonic()
            self._signal(signal.SIGTERM)

    def escalate(self) -> None:
        asked = self.stop_asked
        if asked is not None and self.poll() is None and time.monotonic() - asked >= self.kill_delay_s:
            self._signal(signal.SIGKILL)

    def kill(self) -> None:
        if self.poll() is None:
            self._signal(signal.SIGKILL)


class TrialStopped(Exception):
    """Raised inside a function trial's thread when the controller stops it."""


@dataclass
class FunctionTrial(Trial):
    function: Callable[[], Any] | None = None
    env: dict[str, str] = field(default_factory=dict)
    _thread: threading.Thread | None = None
    _code: int | None = None
    error: BaseException | None = None

    def start(self) -> FunctionTrial:
        self._thread = threading.Thread(target=self._run, name=f"wanllmdb-trial-{self.run_id}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        import wanllmdb

        saved = {name: os.environ.get(name) for name in self.env}
        os.environ.update(self.env)
        code = 0
        try:
            assert self.function is not None
            self.function()
            wanllmdb.finish()
        except BaseException as exc:  # the trial failed (or was stopped): the agent goes on
            self.error = exc
            code = 1
            stopped = isinstance(exc, TrialStopped)
            with contextlib.suppress(Exception):
                wanllmdb.finish(exit_code=143 if stopped else 1)
            if not stopped:
                import traceback

                traceback.print_exception(exc)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self._code = code

    def poll(self) -> int | None:
        assert self._thread is not None
        return None if self._thread.is_alive() else (self._code if self._code is not None else 1)

    def stop(self) -> None:
        """wandb's way: an exception raised in the thread at its next bytecode."""
        if self.stop_asked is not None or self._thread is None or not self._thread.is_alive():
            return
        self.stop_asked = time.monotonic()
        ident = self._thread.ident
        if ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(TrialStopped))
