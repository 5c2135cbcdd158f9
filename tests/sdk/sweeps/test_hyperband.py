"""Hyperband as wandb's sweeps package decides it, pinned on the example in its docstring.

The example (``hyperband_stopping.py`` in wandb/sweeps): max_iter 5, eta 2, s 2 give bands [1, 2]; at
band 1 every run logged 10, so the threshold is 10; at band 2 the values 9, 10, 8, 7, 6 give the
value ranked int(5 / 2) = 2, which is 8. Run "b" logged 10 at band 2 and stops; "c" logged 8, which
is not worse than 8, and goes on. Finished runs set thresholds but are never stopped.
"""

from __future__ import annotations

from typing import Any

import pytest

from wanllmdb.sweeps import SweepRun, load_config, stop_runs
from wanllmdb.sweeps.config import bands
from wanllmdb.sweeps.hyperband import bracket_of, thresholds


def _config(goal: str = "minimize", **early: Any) -> Any:
    return load_config(
        {
            "method": "grid",
            "metric": {"name": "loss", "goal": goal},
            "early_terminate": {"type": "hyperband", **early},
            "parameters": {"a": {"values": [1, 2, 3]}},
        }
    )


DOCSTRING_RUNS = [
    SweepRun("a", "finished", {"a": 1}, (10, 9)),
    SweepRun("b", "running", {"a": 2}, (10, 10)),
    SweepRun("c", "running", {"a": 3}, (10, 8, 8)),
    SweepRun("d", "running", {"a": 1}, (10, 7, 7)),
    SweepRun("e", "finished", {"a": 2}, (10, 6, 6)),
]


def test_the_docstring_example_bands_thresholds_and_stopped_run() -> None:
    config = _config(max_iter=5, eta=2, s=2)
    assert bands(config.early_terminate) == [1, 2]
    histories = [list(r.history) for r in DOCSTRING_RUNS]
    assert thresholds([1, 2], histories, 2) == [10, 8]
    assert stop_runs(config, DOCSTRING_RUNS) == ["b"]


def test_the_docstring_example_maximized_stops_the_mirror_run() -> None:
    config = _config("maximize", max_iter=5, eta=2, s=2)
    mirrored = [SweepRun(r.id, r.state, r.params, tuple(-v for v in r.history)) for r in DOCSTRING_RUNS]
    assert stop_runs(config, mirrored) == ["b"]


@pytest.mark.parametrize(
    ("early", "expected"),
    [
        ({"min_iter": 3, "eta": 3}, [3, 9, 27]),
        ({"max_iter": 81, "eta": 3, "s": 3}, [3, 9, 27]),
        ({"max_iter": 18, "eta": 3, "s": 2}, [2, 6]),
        ({"max_iter": 5, "eta": 2, "s": 2}, [1, 2]),
    ],
)
def test_bands_follow_wandb(early: dict[str, Any], expected: list[int]) -> None:
    assert bands(_config(**early).early_terminate)[: len(expected)] == expected


def test_min_iter_example_stops_the_flat_run() -> None:
    # wandb's test: a flat run at loss 10 and one improving 10, 9, 8, ...; at band 3 the flat one is worse.
    runs = [
        SweepRun("flat", "running", {}, (10,) * 4),
        SweepRun("good", "running", {}, tuple(range(10, 0, -1))),
    ]
    assert stop_runs(_config(min_iter=3, eta=3), runs) == ["flat"]


def test_strict_judges_the_value_at_the_band_and_lenient_the_best_so_far() -> None:
    runs = [*DOCSTRING_RUNS, SweepRun("late", "running", {}, (3, 9.5))]  # best 3, but 9.5 at band 2 (> 9)
    assert "late" in stop_runs(_config(max_iter=5, eta=2, s=2), runs)
    assert "late" not in stop_runs(_config(max_iter=5, eta=2, s=2, strict=False), runs)


def test_an_iteration_is_a_logged_value_and_nan_is_not_one() -> None:
    runs = [SweepRun(x, "finished", {}, (1.0, 1.0)) for x in "ac"]
    runs.append(SweepRun("b", "running", {}, (5.0, float("nan"))))
    assert stop_runs(_config(min_iter=2, eta=2), runs) == []  # "b" has one iteration: below band 2
    runs[2] = SweepRun("b", "running", {}, (5.0, float("nan"), 5.0))
    assert stop_runs(_config(min_iter=2, eta=2), runs) == ["b"]


def test_a_single_run_is_never_stopped() -> None:
    assert stop_runs(_config(max_iter=18, eta=3, s=2), [SweepRun("a", "running", {}, tuple(range(10)))]) == []


def test_no_early_terminate_stops_nothing() -> None:
    config = load_config({"method": "grid", "parameters": {"a": {"values": [1]}}})
    assert stop_runs(config, DOCSTRING_RUNS) == []


def test_multi_bracket_spreads_runs_and_the_most_patient_bracket_never_stops() -> None:
    config = _config(max_iter=27, eta=3, s=3, brackets=4)  # bands [1, 3, 9]; bracket 3 has none
    et = config.early_terminate
    assert et is not None
    counts = [0] * 4
    for i in range(2000):
        counts[bracket_of(f"run-{i}", et)] += 1
    assert counts[0] > counts[1] > counts[2] > counts[3] > 0  # Hyperband's n_s: the aggressive bracket most
    assert bracket_of("run-7", et) == bracket_of("run-7", et)
    patient = next(f"p{i}" for i in range(100) if bracket_of(f"p{i}", et) == 3)
    peers = [SweepRun(f"x{i}", "finished", {}, (1.0,) * 10) for i in range(20)]
    assert stop_runs(config, [*peers, SweepRun(patient, "running", {}, (100.0,) * 10)]) == []


def test_one_bracket_is_wandbs_ladder() -> None:
    assert stop_runs(_config(max_iter=5, eta=2, s=2, brackets=1), DOCSTRING_RUNS) == ["b"]
