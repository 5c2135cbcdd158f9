"""Grid and random search: order, no repeats, exhaustion, seeds, priors, run_cap and target."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from wanllmdb.sweeps import SweepRun, load_config, next_runs
from wanllmdb.sweeps.config import SweepConfig


def _drain(config: SweepConfig, batch: int = 3, state: str = "finished") -> list[dict[str, Any]]:
    runs: list[SweepRun] = []
    while (suggestions := next_runs(config, runs, batch)) is not None:
        assert suggestions, "an empty batch before exhaustion"
        runs += [SweepRun(f"r{len(runs) + i}", state, s) for i, s in enumerate(suggestions)]
    return [r.params for r in runs]


def test_grid_enumerates_in_wandbs_order_once_then_ends() -> None:
    config = load_config(
        {
            "method": "grid",
            "parameters": {"b": {"values": ["x", "y"]}, "a": {"min": 1, "max": 3}, "c": {"value": 0}},
        }
    )
    seen = _drain(config)
    assert seen == [
        {"a": a, "b": b, "c": 0}
        for a in (1, 2, 3)
        for b in ("x", "y")  # sorted names; the first slowest
    ]
    assert next_runs(config, [SweepRun(str(i), "finished", p) for i, p in enumerate(seen)]) is None


def test_grid_counts_failed_and_pending_runs_as_used() -> None:
    config = load_config({"method": "grid", "parameters": {"a": {"values": [1, 2, 3]}}})
    runs = [SweepRun("1", "failed", {"a": 1}), SweepRun("2", "pending", {"a": 2})]
    assert next_runs(config, runs, 5) == [{"a": 3}]


def test_grid_keeps_false_zero_and_empty_string_apart() -> None:
    config = load_config({"method": "grid", "parameters": {"v": {"values": [False, 0, "", None]}}})
    assert _drain(config) == [{"v": False}, {"v": 0}, {"v": ""}, {"v": None}]


def test_grid_walks_a_q_uniform_lattice_including_max() -> None:
    config = load_config(
        {"method": "grid", "parameters": {"q": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.25}}}
    )
    assert [p["q"] for p in _drain(config)] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_grid_nests_parameters_as_the_run_config() -> None:
    config = load_config({"method": "grid", "parameters": {"opt": {"parameters": {"lr": {"values": [0.1]}}}}})
    assert _drain(config) == [{"opt": {"lr": 0.1}}]


def test_all_discrete_random_draws_without_replacement_until_exhausted() -> None:
    config = load_config(
        {
            "method": "random",
            "seed": 7,
            "parameters": {
                "a": {"values": [1, 2, 3]},
                "b": {"min": 0, "max": 3},
                "c": {"values": [True, False]},
            },
        }
    )
    seen = _drain(config, batch=5)
    assert len(seen) == 3 * 4 * 2
    assert len({(p["a"], p["b"], p["c"]) for p in seen}) == 24


def test_random_with_a_seed_repeats_its_sequence_and_another_seed_does_not() -> None:
    spec = {
        "method": "random",
        "parameters": {"x": {"min": 0.0, "max": 1.0}, "y": {"values": list(range(50))}},
    }
    first = _drain_n(load_config({**spec, "seed": 1}), 6)
    assert first == _drain_n(load_config({**spec, "seed": 1}), 6)
    assert first != _drain_n(load_config({**spec, "seed": 2}), 6)


def test_a_batch_equals_the_same_suggestions_one_at_a_time() -> None:
    config = load_config({"method": "random", "seed": 3, "parameters": {"x": {"min": 0.0, "max": 1.0}}})
    batch = next_runs(config, [], 3)
    assert batch == _drain_n(config, 3)


def _drain_n(config: SweepConfig, n: int, *, may_end: bool = False) -> list[dict[str, Any]]:
    runs: list[SweepRun] = []
    for _ in range(n):
        s = next_runs(config, runs, 1)
        if s is None and may_end:
            break
        assert s
        runs.append(SweepRun(str(len(runs)), "running", s[0]))
    return [r.params for r in runs]


def test_random_suggestions_avoid_pending_params() -> None:
    config = load_config({"method": "random", "seed": 0, "parameters": {"a": {"values": [1, 2]}}})
    assert next_runs(config, [SweepRun("1", "pending", {"a": 1})], 5) == [{"a": 2}]


@pytest.mark.parametrize(
    ("spec", "low", "high"),
    [
        ({"distribution": "log_uniform", "min": -3.0, "max": 0.0}, math.exp(-3), 1.0),
        ({"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1}, 1e-4, 1e-1),
        ({"distribution": "inv_log_uniform", "min": 0.0, "max": 2.0}, math.exp(-2), 1.0),
        ({"distribution": "inv_log_uniform_values", "min": 0.01, "max": 0.5}, 0.01, 0.5),
        ({"distribution": "q_log_uniform_values", "min": 1.0, "max": 64.0, "q": 2}, 0, 64),
        ({"distribution": "beta", "a": 2.0, "b": 2.0}, 0.0, 1.0),
        ({"distribution": "int_uniform", "min": -2, "max": 2}, -2, 2),
    ],
)
def test_random_draws_stay_within_each_priors_support(spec: dict[str, Any], low: float, high: float) -> None:
    config = load_config({"method": "random", "seed": 1, "parameters": {"x": spec}})
    values = [p["x"] for p in _drain_n(config, 40, may_end=True)]
    assert all(low - 1e-12 <= v <= high + 1e-12 for v in values)
    if spec.get("q") == 2:
        assert all(isinstance(v, int) and v % 2 == 0 for v in values)


def test_categorical_probabilities_weigh_the_draws() -> None:
    config = load_config(
        {
            "method": "random",
            "seed": 5,
            "parameters": {
                "x": {"values": ["a", "b"], "probabilities": [0.9, 0.1]},
                "y": {"min": 0.0, "max": 1.0},
            },
        }
    )
    counts = Counter(p["x"] for p in _drain_n(config, 200))
    assert counts["a"] > 150


def test_run_cap_limits_and_then_ends_the_search() -> None:
    config = load_config({"method": "random", "run_cap": 3, "parameters": {"x": {"min": 0.0, "max": 1.0}}})
    assert len(next_runs(config, [], 10) or []) == 3
    runs = [SweepRun(str(i), "finished", {"x": 0.1 * i}) for i in range(3)]
    assert next_runs(config, runs) is None


def test_reaching_the_metric_target_ends_the_search() -> None:
    config = load_config(
        {
            "method": "random",
            "metric": {"name": "acc", "goal": "maximize", "target": 0.9},
            "parameters": {"x": {"min": 0.0, "max": 1.0}},
        }
    )
    assert next_runs(config, [SweepRun("1", "running", {"x": 0.5}, history=(0.5, 0.8))]) != []
    assert next_runs(config, [SweepRun("1", "running", {"x": 0.5}, history=(0.5, 0.95))]) is None
