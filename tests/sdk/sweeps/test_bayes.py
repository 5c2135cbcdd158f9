"""Bayes search: distinct parallel suggestions, one-hot categories, log scales, a GP that beats random."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from wanllmdb.sweeps import SweepRun, load_config, next_runs
from wanllmdb.sweeps.bayes import initial_points, subset_rows
from wanllmdb.sweeps.config import SweepConfig
from wanllmdb.sweeps.encoding import Space
from wanllmdb.sweeps.space import params_key

MIXED = {
    "x": {"min": -2.0, "max": 2.0},
    "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
    "act": {"values": ["relu", "gelu", "tanh"]},
    "n": {"min": 1, "max": 6},
}


def _config(parameters: dict[str, Any], seed: int = 0, goal: str = "minimize") -> SweepConfig:
    return load_config(
        {"method": "bayes", "seed": seed, "metric": {"name": "loss", "goal": goal}, "parameters": parameters}
    )


def _loss(p: dict[str, Any]) -> float:
    return (
        (p["x"] - 0.7) ** 2
        + 0.1 * (math.log10(p["lr"]) + 3) ** 2
        + (p["act"] != "gelu")
        + 0.05 * abs(p["n"] - 4)
    )


def _finished(config: SweepConfig, count: int) -> list[SweepRun]:
    runs: list[SweepRun] = []
    for _ in range(count):
        (params,) = next_runs(config, runs, 1) or [None]
        assert params is not None
        value = _loss(params)
        runs.append(SweepRun(f"r{len(runs)}", "finished", params, (value,), value))
    return runs


def test_parallel_suggestions_are_pairwise_distinct_and_avoid_running_runs() -> None:
    config = _config(MIXED)
    runs = _finished(config, 8)
    running = [SweepRun(f"p{i}", "running", p) for i, p in enumerate(next_runs(config, runs, 3) or [])]
    batch = next_runs(config, runs + running, 4)
    assert batch is not None and len(batch) == 4
    keys = {params_key(config.searchable, p) for p in batch}
    assert len(keys) == 4
    assert not keys & {params_key(config.searchable, r.params) for r in runs + running}
    space = Space(config.searchable)
    points = np.array([space.encode(p) for p in batch])
    gaps = [np.abs(a - b).max() for i, a in enumerate(points) for b in points[i + 1 :]]
    assert min(gaps) > 1e-3  # believed pending points push the batch apart, not onto one optimum


def test_the_same_seed_and_runs_give_the_same_suggestions() -> None:
    config = _config(MIXED, seed=4)
    runs = _finished(config, initial_points(4) + 2)
    assert next_runs(config, runs, 2) == next_runs(_config(MIXED, seed=4), runs, 2)


def test_false_zero_and_empty_string_are_three_categories() -> None:
    config = _config({"v": {"values": [False, 0, "", None]}, "x": {"min": 0.0, "max": 1.0}})
    space = Space(config.searchable)
    assert space.n_features == 5  # a one-hot block of 4, then x
    assert [space.encode({"v": v, "x": 0.5})[0] for v in (False, 0, "", None)] == [0, 1, 2, 3]  # type: ignore[index]
    assert space.encode({"v": 0.0, "x": 0.5})[0] == 1  # type: ignore[index]  # a number, as a store may return it
    assert space.encode({"v": Decimal("0"), "x": Decimal("0.5")})[0] == 1  # type: ignore[index]  # DynamoDB's


def test_bayes_finds_the_category_that_only_zero_the_integer_satisfies() -> None:
    config = _config({"v": {"values": [False, 0, ""]}, "x": {"min": 0.0, "max": 1.0}})
    runs: list[SweepRun] = []
    for _ in range(12):
        (p,) = next_runs(config, runs, 1) or [None]
        assert p is not None
        good = type(p["v"]) is int and p["v"] == 0
        value = (p["x"] - 0.3) ** 2 + (0.0 if good else 1.0)
        runs.append(SweepRun(str(len(runs)), "finished", p, (value,), value))
    best = min(runs, key=lambda r: r.summary or 0)
    assert type(best.params["v"]) is int and best.params["v"] == 0


def test_log_parameters_are_searched_in_log_space() -> None:
    space = Space(
        _config({"lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1}}).searchable
    )
    assert space.encode({"lr": 1e-3})[0] == pytest.approx(0.5)  # type: ignore[index]
    assert space.value(0, 0.25) == pytest.approx(1e-4)
    assert space.value(0, 1.0) <= 1e-1 and space.value(0, 0.0) >= 1e-5  # exp(log(b)) stays within bounds
    v1 = Space(_config({"lr": {"distribution": "log_uniform", "min": math.log(1e-4), "max": 0.0}}).searchable)
    assert v1.encode({"lr": 1e-2})[0] == pytest.approx(0.5)  # type: ignore[index]


def test_integer_and_lattice_parameters_come_back_on_their_values() -> None:
    config = _config(
        {
            "n": {"min": 1, "max": 6},
            "q": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.1},
            "x": {"min": 0.0, "max": 1.0},
        }
    )
    runs = [
        SweepRun(str(i), "finished", {"n": i % 6 + 1, "q": 0.1 * i, "x": i / 10}, (float(i),))
        for i in range(8)
    ]
    for p in next_runs(config, runs, 3) or []:
        assert isinstance(p["n"], int) and 1 <= p["n"] <= 6
        assert abs(p["q"] * 10 - round(p["q"] * 10)) < 1e-9


def test_a_finite_space_is_used_up_without_repeats_then_ends() -> None:
    config = _config({"a": {"values": [1, 2, 3]}, "b": {"min": 0, "max": 1}})
    runs: list[SweepRun] = []
    while (batch := next_runs(config, runs, 2)) is not None:
        runs += [SweepRun(str(len(runs) + i), "finished", p, (float(p["a"]),)) for i, p in enumerate(batch)]
    assert len(runs) == 6
    assert len({(r.params["a"], r.params["b"]) for r in runs}) == 6


def test_nested_parameters_come_back_nested() -> None:
    config = _config({"opt": {"parameters": {"lr": {"min": 0.0, "max": 1.0}, "m": {"value": 0.9}}}})
    (p,) = next_runs(config, [], 1) or [None]
    assert p is not None and set(p) == {"opt"} and p["opt"]["m"] == 0.9


def test_the_subset_above_the_threshold_is_deterministic_and_never_repeats_a_row() -> None:
    y = np.random.default_rng(0).random(1000)
    rows = subset_rows(y, 256)
    assert len(rows) == len(set(rows.tolist())) == 256
    assert set(np.argsort(y)[:128].tolist()) <= set(rows.tolist())
    assert np.array_equal(rows, subset_rows(y, 256))
    assert np.array_equal(subset_rows(y[:100], 256), np.arange(100))


def _regret(method: str, seed: int, trials: int) -> float:
    config = load_config(
        {
            "method": method,
            "seed": seed,
            "metric": {"name": "loss"},
            "parameters": {"x": {"min": -5.0, "max": 5.0}, "y": {"min": -5.0, "max": 5.0}},
        }
    )
    runs: list[SweepRun] = []
    for _ in range(trials):
        (p,) = next_runs(config, runs, 1) or [None]
        assert p is not None
        value = (p["x"] - 1.3) ** 2 + (p["y"] + 0.4) ** 2 + 0.5 * math.sin(3 * p["x"])
        runs.append(SweepRun(str(len(runs)), "finished", p, (value,), value))
    return min(r.summary for r in runs if r.summary is not None)


def test_bayes_beats_random_on_a_toy_function() -> None:
    bayes = statistics.median(_regret("bayes", s, 14) for s in range(3))
    random_ = statistics.median(_regret("random", s, 14) for s in range(3))
    assert bayes < random_


def test_the_gp_gradient_matches_finite_differences() -> None:
    from scipy import optimize

    from wanllmdb.sweeps.gp import _group_sq_dists, _neg_log_posterior

    rng = np.random.default_rng(1)
    x = rng.random((25, 3))
    y = np.sin(4 * x[:, 0]) + x[:, 1]
    y = (y - y.mean()) / y.std()
    groups = np.array([0, 1, 1])
    d2 = _group_sq_dists(x, x, groups, 2)
    theta = np.array([-1.0, 0.3, 0.2, -4.0])
    err = optimize.check_grad(
        lambda t: _neg_log_posterior(t, d2, y)[0], lambda t: _neg_log_posterior(t, d2, y)[1], theta
    )
    assert err < 1e-4 * np.linalg.norm(_neg_log_posterior(theta, d2, y)[1])


def test_maximize_goal_is_searched_as_its_negative() -> None:
    config = _config({"x": {"min": 0.0, "max": 1.0}}, goal="maximize")
    runs = [SweepRun(str(i), "finished", {"x": x}, (x,), x) for i, x in enumerate([0.1, 0.2, 0.5, 0.6, 0.9])]
    (p,) = next_runs(config, runs, 1) or [None]
    assert p is not None and p["x"] > 0.6
