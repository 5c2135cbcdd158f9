"""Issue 20 benchmark: per-step overhead of the Ray integration: ``WanllmdbLoggerCallback`` (Tune's
driver hands every result to the trial's logging actor) and ``setup_wanllmdb`` (the trainable logs
each step itself).

    python benchmarks/integrations_ray.py [--steps 200] [--repeats 3] [--work-ms 5]

One local Ray (2 CPUs, 127.0.0.1, no dashboard, no usage stats) runs the same Tune experiment (one
trial of a function trainable that does ``--work-ms`` of numpy work per step and reports it, for
``--steps`` steps) three ways, taking turns so the load of a shared box falls on all of them: without
wanllmdb (the baseline), with WanllmdbLoggerCallback, and with setup_wanllmdb + run.log in the
trainable. Runs are offline (nothing to upload). Printed per variant: the median wall time of a
step inside the trainable (report to report) and its overhead over the baseline's, the time spent in
the callback's driver-side methods per step (Tune's driver loop is single-threaded: this is what a
result costs it), ``run.log`` per step in the trainable, and the one-off costs: the whole fit, and
the callback's wait at the experiment's end for the runs to finish.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "sdk"))
sys.path.insert(0, str(REPO / "benchmarks"))

from integrations import CallTimer  # noqa: E402

OFFLINE = {"mode": "offline", "settings": {"system_metrics": False, "console": "off", "silent": True}}


def make_trainable(steps: int, work_ms: float, use_setup: bool) -> Any:
    def trainable(config: dict[str, Any]) -> None:
        import numpy as np
        from ray import tune

        run = None
        if use_setup:
            from wanllmdb.integration.ray import setup_wanllmdb

            run = setup_wanllmdb(config, project="bench-ray", dir=config["dir"], **OFFLINE)
        rng = np.random.default_rng(0)
        a = rng.normal(size=(96, 96))
        last, log_s = time.perf_counter(), 0.0
        step_s: list[float] = []
        for i in range(steps):
            deadline = time.perf_counter() + work_ms / 1000
            while time.perf_counter() < deadline:  # a fixed amount of "training" per step
                a = np.tanh(a @ a.T / 96)
            loss = float(np.abs(a).mean())
            if run is not None:
                start = time.perf_counter()
                run.log({"loss": loss, "step": i})
                log_s += time.perf_counter() - start
            now = time.perf_counter()
            step_s.append(now - last)
            last = now
            tune.report(
                {"loss": loss, "median_step_s": statistics.median(step_s[1:] or step_s), "log_s": log_s}
            )

    return trainable


def fit(variant: str, steps: int, work_ms: float, folder: Path) -> dict[str, float]:
    from ray import tune

    from wanllmdb.integration.ray import WanllmdbLoggerCallback

    timer, end_timer = CallTimer(), CallTimer()
    callbacks: list[Any] = []
    if variant == "callback":
        callback = WanllmdbLoggerCallback(project="bench-ray", dir=str(folder), **OFFLINE)
        for method in ("log_trial_start", "log_trial_result", "log_trial_end"):
            timer.wrap(callback, method)
        end_timer.wrap(callback, "on_experiment_end")
        callbacks.append(callback)
    tuner = tune.Tuner(
        make_trainable(steps, work_ms, use_setup=variant == "setup"),
        param_space={"lr": 0.1, "dir": str(folder)},
        run_config=tune.RunConfig(storage_path=str(folder / "results"), callbacks=callbacks, verbose=0),
    )
    start = time.perf_counter()
    (result,) = tuner.fit()
    return {
        "step_s": result.metrics["median_step_s"],
        "callback_s": timer.seconds / steps,
        "log_s": result.metrics["log_s"] / steps,
        "fit_s": time.perf_counter() - start,
        "end_s": end_timer.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work-ms", type=float, default=5.0)
    args = parser.parse_args()

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        configure_logging=False,
        log_to_driver=False,
    )
    variants = ["none", "callback", "setup"]
    samples: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    try:
        for repeat in range(args.repeats):
            order = variants[repeat % 3 :] + variants[: repeat % 3]
            for variant in order:
                folder = Path(tempfile.mkdtemp(prefix=f"bench-ray-{variant}-"))
                samples[variant].append(fit(variant, args.steps, args.work_ms, folder))
    finally:
        ray.shutdown()

    def median(variant: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[variant])

    base = median("none", "step_s")
    print(f"Ray Tune, 1 trial x {args.steps} steps of {args.work_ms} ms work, median of {args.repeats} fits")
    print(
        f"{'variant':<10} {'step ms':>8} {'overhead':>9} {'in callback/step':>17} {'run.log/step':>13} "
        f"{'fit s':>6} {'end wait s':>10}"
    )
    for variant in variants:
        step = median(variant, "step_s")
        print(
            f"{variant:<10} {step * 1e3:8.2f} {(step / base - 1) * 100:8.1f}% "
            f"{median(variant, 'callback_s') * 1e6:13.0f} µs {median(variant, 'log_s') * 1e6:10.1f} µs "
            f"{median(variant, 'fit_s'):6.2f} {median(variant, 'end_s'):10.2f}"
        )
    print(
        f"callback's driver time per step as a share of the baseline step: "
        f"{median('callback', 'callback_s') / base * 100:.2f} %"
    )


if __name__ == "__main__":
    main()
