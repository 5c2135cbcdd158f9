"""A sweep's analysis from its trials (functions/wanllmdb_functions/sweeps/analysis.py)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from wanllmdb_functions.sweeps.analysis import analyse, spearman, trial_points
from wanllmdb_functions.sweeps.param_space import category_key, param_defs

LOSS = {"name": "loss", "goal": "minimize"}


def _trial(
    run_id: str, params: dict[str, Any], loss: float | None, state: str = "finished", **extra: Any
) -> dict[str, Any]:
    return {"run_id": run_id, "state": state, "params": params, "summary_value": loss, **extra}


def test_spearman_agrees_with_scipy_with_ties() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(3)
    for _ in range(20):
        n = rng.randint(3, 60)
        xs = [float(rng.randint(0, 5)) for _ in range(n)]
        ys = [rng.gauss(0, 1) + x for x in xs]
        expected = stats.spearmanr(xs, ys).statistic
        got = spearman(xs, ys)
        if math.isnan(expected):
            assert got is None
        else:
            assert got == pytest.approx(expected, abs=1e-12)
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None
    assert spearman([1.0, 2.0], [1.0, 2.0]) is None


@pytest.mark.parametrize("impute", ["worst", "best", "latest"])
@pytest.mark.parametrize("goal", ["minimize", "maximize"])
def test_trials_are_valued_as_the_search_engine_values_them(impute: str, goal: str) -> None:
    engine = pytest.importorskip("wanllmdb.sweeps.engine")
    config = {
        "method": "random",
        "metric": {"name": "loss", "goal": goal, "impute": impute},
        "parameters": {"x": {"min": 0.0, "max": 1.0}},
    }
    rng = random.Random(7)
    trials = []
    for i in range(40):
        state = rng.choice(["finished", "finished", "failed", "crashed", "running", "pending"])
        history = [rng.uniform(0, 10) for _ in range(rng.randint(0, 4))]
        summary = rng.choice([None, rng.uniform(0, 10)])
        trials.append(_trial(f"r{i}", {"x": rng.random()}, summary, state, history=history))
    points, counts = trial_points(config, trials)
    ours = {p.run_id: p.value for p in points}
    cfg = engine.load_config(config)
    runs = [
        engine.SweepRun(
            id=t["run_id"],
            state=t["state"],
            params=t["params"],
            history=tuple(t["history"]),
            summary=t["summary_value"],
        )
        for t in trials
    ]
    theirs = {
        r.id: v
        for r in runs
        if r.state not in ("running", "pending") and (v := engine.run_metric(cfg, r, runs=runs)) is not None
    }
    assert ours == pytest.approx(theirs)
    assert counts.total == 40
    assert counts.used == len(theirs)
    assert counts.excluded == 40 - len(theirs)
    assert counts.imputed == sum(1 for p in points if p.imputed)


def test_a_stopped_trial_is_imputed_like_a_failure_and_never_recommended() -> None:
    trials = [
        _trial("a", {"x": 0.1}, 1.0),
        _trial("b", {"x": 0.2}, 2.0),
        _trial("c", {"x": 0.3}, 0.01, state="stopped", history=[0.01]),
    ]
    config = {"metric": {**LOSS, "impute": "best"}, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    out = analyse("s", config, trials)
    assert out.trials.imputed == 1
    assert out.best is not None
    assert out.best.run_id == "a"


def test_false_zero_and_empty_string_are_three_categories() -> None:
    values = [False, 0, "", None]
    assert len({category_key(v) for v in values}) == 4
    assert category_key(1) == category_key(1.0)
    config = {
        "metric": LOSS,
        "parameters": {"flag": {"values": [False, 0, ""]}, "x": {"min": 0.0, "max": 1.0}},
    }
    trials = [_trial(f"r{i}", {"flag": [False, 0, ""][i % 3], "x": i / 30}, float(i % 3)) for i in range(30)]
    out = analyse("s", config, trials)
    flag = next(p for p in out.parameters if p.name == "flag")
    assert [c.value for c in flag.categories] == [False, 0, ""]
    assert [c.count for c in flag.categories] == [10, 10, 10]
    assert flag.categories[0].top_share == 1.0  # loss 0 is always False
    assert flag.correlation is None  # mixed kinds have no order
    assert out.parameters[0].name == "flag"


def test_log_scale_parameters_are_binned_and_summarised_in_log_space() -> None:
    config = {
        "metric": LOSS,
        "parameters": {
            "lr": {"distribution": "log_uniform_values", "min": 1e-6, "max": 1.0},
            "momentum": {"distribution": "uniform", "min": 0.0, "max": 1.0},
        },
    }
    rng = random.Random(1)
    trials = []
    for i in range(200):
        lr = math.exp(rng.uniform(math.log(1e-6), 0.0))
        trials.append(_trial(f"r{i}", {"lr": lr, "momentum": rng.random()}, (math.log10(lr) + 4) ** 2))
    out = analyse("s", config, trials)
    lr_stats = out.parameters[0]
    assert (lr_stats.name, lr_stats.log) == ("lr", True)
    assert lr_stats.importance > 0.8
    assert out.best is not None
    rng_lr = out.best.ranges[0]
    assert rng_lr.low is not None and rng_lr.high is not None and rng_lr.median is not None
    assert 1e-5 < rng_lr.low <= rng_lr.median <= rng_lr.high < 1e-3
    # The geometric median of the top trials sits near 1e-4, the optimum.
    assert abs(math.log10(rng_lr.median) + 4) < 0.3


def test_nested_parameters_are_read_by_their_dotted_path() -> None:
    config: dict[str, Any] = {
        "metric": {"name": "acc", "goal": "maximize"},
        "parameters": {
            "optimizer": {
                "parameters": {
                    "name": {"values": ["adam", "sgd"]},
                    "lr": {"distribution": "uniform", "min": 0.0, "max": 1.0},
                }
            },
            "epochs": {"value": 3},
        },
    }
    assert [p.name for p in param_defs(config["parameters"])] == ["optimizer.name", "optimizer.lr"]
    trials = [
        _trial(
            f"r{i}", {"optimizer": {"name": "adam" if i % 2 else "sgd", "lr": i / 40}, "epochs": 3}, float(i)
        )
        for i in range(40)
    ]
    out = analyse("s", config, trials, run_names={"r39": "best-run"})
    names = [p.name for p in out.parameters]
    assert names == ["optimizer.lr", "optimizer.name"]  # constants are left out
    lr = out.parameters[0]
    assert lr.correlation == pytest.approx(1.0)  # acc grows with lr
    assert out.best is not None
    assert (out.best.run_id, out.best.run_name, out.best.value) == ("r39", "best-run", 39.0)
    assert out.best.params == {"optimizer": {"name": "adam", "lr": 39 / 40}, "epochs": 3}
    assert out.best.top_trials == 5  # 10 % of 40 is 4; at least 5
    assert out.best.top_value == 35.0
    assert out.best.ranges[0].low == pytest.approx(35 / 40)
    assert out.best.ranges[0].high == pytest.approx(39 / 40)


def test_categorical_numbers_and_booleans_are_correlated_as_numbers() -> None:
    config = {
        "metric": LOSS,
        "parameters": {"bs": {"values": [16, 32, 64]}, "aug": {"values": [True, False]}},
    }
    trials = [
        _trial(f"r{i}", {"bs": [16, 32, 64][i % 3], "aug": i % 2 == 0}, float(i % 3)) for i in range(30)
    ]
    out = analyse("s", config, trials)
    bs = next(p for p in out.parameters if p.name == "bs")
    aug = next(p for p in out.parameters if p.name == "aug")
    assert bs.correlation == pytest.approx(1.0)
    assert aug.correlation == pytest.approx(0.0, abs=0.2)
    assert bs.categories[0].correlation is not None and bs.categories[0].correlation < 0


def test_a_prior_run_outside_the_range_widens_it() -> None:
    config = {"metric": LOSS, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    trials = [_trial(f"r{i}", {"x": i / 10}, float(i)) for i in range(10)] + [_trial("p", {"x": 5.0}, 100.0)]
    out = analyse("s", config, trials)
    assert out.parameters[0].n == 11


def test_without_a_metric_or_enough_trials_the_answer_says_why() -> None:
    no_metric = analyse("s", {"parameters": {"x": {"min": 0.0, "max": 1.0}}}, [_trial("a", {"x": 0.5}, 1.0)])
    assert no_metric.parameters == [] and no_metric.best is None
    assert no_metric.note is not None and "no metric" in no_metric.note
    config = {"metric": LOSS, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    one = analyse("s", config, [_trial("a", {"x": 0.5}, 1.0), _trial("b", {"x": 0.1}, None, state="running")])
    assert one.note is not None and "two trials" in one.note
    assert (one.trials.used, one.trials.excluded) == (1, 1)


def test_a_numeric_parameter_with_a_wrong_typed_value_is_inactive_in_that_trial() -> None:
    config = {"metric": LOSS, "parameters": {"x": {"min": 0.0, "max": 1.0}, "y": {"values": ["a", "b"]}}}
    trials = [_trial(f"r{i}", {"x": i / 20, "y": "ab"[i % 2]}, float(i)) for i in range(20)]
    trials.append(_trial("odd", {"x": "auto", "y": "a"}, 0.5))
    out = analyse("s", config, trials)
    x = next(p for p in out.parameters if p.name == "x")
    assert x.n == 20
