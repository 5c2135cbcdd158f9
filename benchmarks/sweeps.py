"""Sweeps: median simple regret of the bayes engine against random search and Optuna's TPE, and the
latency of one bayes suggestion.

    python benchmarks/sweeps.py [--seeds 10] [--budgets 30,60] [--functions branin,hartmann6,mixed]
                                [--json FILE]

Regret is the best value found minus the known optimum, after 30 and 60 trials, median over the seeds.
Our engine (bayes, and its random search) is driven through ``python -m wanllmdb.sweeps.engine_stdio``,
one process per method, exactly as an outside benchmark would drive it; Optuna's TPE sampler runs
in-process on the same search spaces. Functions: Branin (2 dims), Hartmann-6 (6 dims), and "mixed", a
training-like loss over a categorical optimizer, a log-scale learning rate, an integer depth, a
dropout and a boolean, with its optimum (0) known by construction.

``--wandb-python PYTHON`` adds W&B's own bayes engine (the ``sweeps`` package, in its own venv) through
``benchmarks/_wandb_sweeps_stdio.py``, which speaks the same protocol.

Targets (issue 19): Branin <= 0.05 at 30 and <= 0.01 at 60 trials, Hartmann-6 <= 0.25 at 60, never
worse than random; one suggestion at 1,000 finished runs in 6 dims <= 100 ms p50 on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Problem:
    parameters: dict[str, Any]
    fn: Callable[[dict[str, Any]], float]
    optimum: float


def branin(p: dict[str, Any]) -> float:
    x1, x2 = p["x1"], p["x2"]
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


_H_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(p: dict[str, Any]) -> float:
    x = np.array([p[f"x{i}"] for i in range(1, 7)])
    return float(-(_H_ALPHA * np.exp(-(_H_A * (x - _H_P) ** 2).sum(1))).sum())


_BASE = {"sgd": 0.3, "adam": 0.0, "rmsprop": 0.15}
_LR_CENTRE = {"sgd": -1.0, "adam": -3.0, "rmsprop": -2.5}


def mixed(p: dict[str, Any]) -> float:
    """A training-like loss: each optimizer has its own best learning rate; batchnorm halves the
    dropout penalty and saves 0.2. The optimum is 0: adam, lr 1e-3, 5 layers, dropout 0.15, batchnorm."""
    opt, bn = p["optimizer"], p["batchnorm"]
    loss = _BASE[opt] + 0.25 * (math.log10(p["lr"]) - _LR_CENTRE[opt]) ** 2
    loss += 0.04 * (p["layers"] - 5) ** 2 + 3 * (p["dropout"] - 0.15) ** 2 * (1 if bn else 2)
    return loss + (0.0 if bn else 0.2)


PROBLEMS = {
    "branin": Problem({"x1": {"min": -5.0, "max": 10.0}, "x2": {"min": 0.0, "max": 15.0}}, branin, 0.397887),
    "hartmann6": Problem({f"x{i}": {"min": 0.0, "max": 1.0} for i in range(1, 7)}, hartmann6, -3.32237),
    "mixed": Problem(
        {
            "optimizer": {"values": ["sgd", "adam", "rmsprop"]},
            "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
            "layers": {"min": 1, "max": 8},
            "dropout": {"min": 0.0, "max": 0.6},
            "batchnorm": {"values": [True, False]},
        },
        mixed,
        0.0,
    ),
}


class StdioEngine:
    """``python -m wanllmdb.sweeps.engine_stdio`` (or another engine on its protocol) as a child process."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "wanllmdb.sweeps.engine_stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply: dict[str, Any] = json.loads(self.proc.stdout.readline())
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write('{"op":"close"}\n')
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_engine(engine: StdioEngine, method: str, name: str, seed: int, budget: int) -> list[float]:
    problem = PROBLEMS[name]
    config = {
        "method": method,
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": problem.parameters,
    }
    engine.call({"op": "init", "benchmark": name, "seed": seed, "budget": budget, "sweep_config": config})
    best, trace = math.inf, []
    for _ in range(budget):
        params = engine.call({"op": "suggest"})["params"]
        value = problem.fn(params)
        engine.call({"op": "observe", "params": params, "value": value})
        best = min(best, value)
        trace.append(best)
    return trace


def run_tpe(name: str, seed: int, budget: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    problem = PROBLEMS[name]
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    best, trace = math.inf, []
    for _ in range(budget):
        trial = study.ask()
        params = {key: _suggest(trial, key, spec) for key, spec in problem.parameters.items()}
        value = problem.fn(params)
        study.tell(trial, value)
        best = min(best, value)
        trace.append(best)
    return trace


def _suggest(trial: Any, key: str, spec: dict[str, Any]) -> Any:
    if "values" in spec:
        return trial.suggest_categorical(key, spec["values"])
    if spec.get("distribution") == "log_uniform_values":
        return trial.suggest_float(key, spec["min"], spec["max"], log=True)
    if isinstance(spec["min"], int):
        return trial.suggest_int(key, spec["min"], spec["max"])
    return trial.suggest_float(key, spec["min"], spec["max"])


def suggestion_latency(finished: int, reps: int = 15) -> float:
    """p50 seconds of one bayes suggestion with ``finished`` finished runs in 6 dims (in-process)."""
    from wanllmdb.sweeps import SweepRun, load_config, next_runs

    config = load_config(
        {
            "method": "bayes",
            "seed": 1,
            "metric": {"name": "loss"},
            "parameters": {f"x{i}": {"min": 0.0, "max": 1.0} for i in range(1, 7)},
        }
    )
    rng = random.Random(0)
    runs = []
    for k in range(finished + reps):
        params = {f"x{i}": rng.random() for i in range(1, 7)}
        value = hartmann6(params) + 0.01 * rng.random()
        runs.append(SweepRun(id=str(k), state="finished", params=params, history=(value,), summary=value))
    next_runs(config, runs[:finished], 1)  # imports and first-call costs out of the measure
    times = []
    for r in range(reps):
        start = time.perf_counter()
        next_runs(config, runs[r : r + finished], 1)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budgets", default="30,60")
    parser.add_argument("--functions", default="branin,hartmann6,mixed")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--wandb-python",
        help="a Python with W&B's `sweeps` package: adds its bayes engine (_wandb_sweeps_stdio.py)",
    )
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    names = args.functions.split(",")
    seeds = range(args.seeds)
    load_before = os.getloadavg()
    started = time.perf_counter()
    results: dict[str, dict[str, dict[int, float]]] = {}
    engines = {m: StdioEngine() for m in ("bayes", "random")}
    if args.wandb_python:
        adapter = str(Path(__file__).with_name("_wandb_sweeps_stdio.py"))
        engines["wandb"] = StdioEngine([args.wandb_python, adapter])
    try:
        for name in names:
            traces = {
                method: [
                    run_engine(engine, method if method != "wandb" else "bayes", name, s, max(budgets))
                    for s in seeds
                ]
                for method, engine in engines.items()
            }
            traces["tpe"] = [run_tpe(name, s, max(budgets)) for s in seeds]
            optimum = PROBLEMS[name].optimum
            results[name] = {
                method: {b: statistics.median(t[b - 1] - optimum for t in ts) for b in budgets}
                for method, ts in traces.items()
            }
    finally:
        for engine in engines.values():
            engine.close()
    latency = {n: suggestion_latency(n) for n in (100, 1000)}
    load_after = os.getloadavg()

    print(f"median simple regret over {args.seeds} seeds (lower is better)")
    methods = list(next(iter(results.values())))
    print(f"{'function':<10} {'trials':>6} " + " ".join(f"{m:>10}" for m in methods))
    for name, by_method in results.items():
        for b in budgets:
            row = " ".join(f"{by_method[m][b]:>10.4g}" for m in methods)
            print(f"{name:<10} {b:>6} {row}")
    for n, seconds in latency.items():
        print(f"bayes suggestion with {n} finished runs (6 dims): {seconds * 1000:.1f} ms p50")
    print(
        f"{os.cpu_count()} cores; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{time.perf_counter() - started:.0f} s"
    )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "regret": results,
                    "latency_s": latency,
                    "seeds": args.seeds,
                    "load_average": [load_before[0], load_after[0]],
                },
                out,
                indent=2,
            )


if __name__ == "__main__":
    main()
