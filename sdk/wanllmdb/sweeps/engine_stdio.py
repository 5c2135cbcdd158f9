"""The search engine over JSON lines on stdin/stdout, for outside benchmarks: no server, no files.

    python -m wanllmdb.sweeps.engine_stdio

One request per line, one reply per line (README, "Sweeps: the engine over stdin/stdout"):

    {"op":"init","benchmark":"branin","seed":0,"budget":60,"sweep_config":{"method":"bayes",...}}
        -> {"ok":true}            (seed, when given, replaces the config's seed:)
    {"op":"suggest"}              -> {"params":{"x1":1.0,...}}   ({"params":null} once the space is used up)
    {"op":"observe","params":{...},"value":v}   -> {"ok":true}
    {"op":"close"}                -> no reply; the process exits

A suggested param set stays pending (so the next suggestion avoids it) until it is observed. A bad
request gets ``{"error": "..."}`` and the session goes on.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from wanllmdb.sweeps.engine import SweepConfig, SweepRun, load_config, next_runs
from wanllmdb.sweeps.params import canonical_json

__all__ = ["Session", "main"]


class Session:
    def __init__(self) -> None:
        self.config: SweepConfig | None = None
        self.runs: list[SweepRun] = []
        self.budget: int | None = None

    def handle(self, request: dict[str, Any]) -> dict[str, Any] | None:
        op = request.get("op")
        if op == "init":
            raw = dict(request["sweep_config"])
            if request.get("seed") is not None:
                raw["seed"] = int(request["seed"])
            self.config = load_config(raw)
            self.runs = []
            self.budget = request.get("budget")
            return {"ok": True}
        if self.config is None:
            raise ValueError("send init first")
        if op == "suggest":
            suggestion = next_runs(self.config, self.runs, 1)
            if not suggestion:
                return {"params": None}
            self.runs.append(SweepRun(id=str(len(self.runs)), state="pending", params=suggestion[0]))
            return {"params": suggestion[0]}
        if op == "observe":
            self._observe(request["params"], float(request["value"]))
            return {"ok": True}
        raise ValueError(f"unknown op {op!r}: use init, suggest, observe or close")

    def _observe(self, params: dict[str, Any], value: float) -> None:
        key = canonical_json(params)
        for i, run in enumerate(self.runs):
            if run.state == "pending" and canonical_json(run.params) == key:
                self.runs[i] = SweepRun(run.id, "finished", run.params, (value,), value)
                return
        self.runs.append(SweepRun(str(len(self.runs)), "finished", dict(params), (value,), value))


def main(stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout) -> int:
    session = Session()
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if request.get("op") == "close":
                return 0
            reply = session.handle(request)
        except Exception as exc:  # one bad request must not end a benchmark's session
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        if reply is not None:
            stdout.write(json.dumps(reply) + "\n")
            stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
