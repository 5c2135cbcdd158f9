"""PED-ANOVA importance (functions/wanllmdb_functions/sweeps/importance.py)."""

from __future__ import annotations

import math
import random
import statistics
import warnings
from collections.abc import Mapping
from typing import Any

import pytest

from wanllmdb_functions.sweeps.analysis import analyse
from wanllmdb_functions.sweeps.importance import Space, chance_importance, ped_anova, top_quantile


def _optuna_study(rows: list[dict[str, Any]], losses: list[float], dists: Mapping[str, object]) -> object:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study()
    for row, loss in zip(rows, losses, strict=True):
        trial = optuna.trial.create_trial(params=row, distributions={k: dists[k] for k in row}, value=loss)
        study.add_trial(trial)
    return study


@pytest.mark.parametrize("n", [6, 40, 300])
def test_matches_optunas_ped_anova_on_every_kind_of_parameter(n: int) -> None:
    optuna = pytest.importorskip("optuna")
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.importance import PedAnovaImportanceEvaluator

    dists = {
        "x": FloatDistribution(-5, 5),
        "lr": FloatDistribution(1e-5, 1e-1, log=True),
        "layers": IntDistribution(1, 200),
        "width": IntDistribution(1, 1024, log=True),
        "drop": FloatDistribution(0, 1, step=0.1),
        "opt": CategoricalDistribution(["adam", "sgd", "rms"]),
        "nested": FloatDistribution(0, 1),  # present in two trials of three
    }
    spaces = [
        Space("x", "numeric", -5, 5),
        Space("lr", "numeric", 1e-5, 1e-1, log=True),
        Space("layers", "numeric", 1, 200, step=1),
        Space("width", "numeric", 1, 1024, log=True, step=1),
        Space("drop", "numeric", 0, 1, step=0.1),
        Space("opt", "categorical", choices=("adam", "sgd", "rms")),
        Space("nested", "numeric", 0, 1),
    ]
    rng = random.Random(n)
    rows, losses = [], []
    for t in range(n):
        row: dict[str, Any] = {
            "x": rng.uniform(-5, 5),
            "lr": math.exp(rng.uniform(math.log(1e-5), math.log(1e-1))),
            "layers": rng.randint(1, 200),
            "width": rng.randint(1, 1024),
            "drop": round(rng.randint(0, 10) * 0.1, 10),
            "opt": rng.choice(["adam", "sgd", "rms"]),
            "nested": rng.random(),
        }
        if t % 3 == 0:
            del row["nested"]
        rows.append(row)
        losses.append(row["x"] ** 2 + (math.log10(row["lr"]) + 3) ** 2 + 3.0 * (row["opt"] == "sgd"))
    study = _optuna_study(rows, losses, dists)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = PedAnovaImportanceEvaluator().evaluate(study)  # type: ignore[arg-type]
    ours = ped_anova(spaces, rows, losses)
    assert optuna is not None
    assert set(ours) == set(theirs)
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-9, abs=1e-15), name


def test_irrelevant_parameter_ranks_last_where_random_forest_impurity_ranks_it_above_a_relevant_one() -> None:
    """Loss = a bowl in x + 0.5 if opt is sgd + noise (sd 0.5); `noise` is a parameter the loss never
    reads. Over 20 seeded sweeps of 300 trials, a random forest's impurity importance ranks `noise` above
    `opt` every time (a continuous column offers a cut point per trial to fit the noise with), and gives
    it ~18 %. PED-ANOVA as Optuna computes it gives `noise` ~4 %; less its chance level, nothing, and
    ranks it last every time."""
    sklearn_ensemble = pytest.importorskip("sklearn.ensemble")
    config = {
        "method": "random",
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {
            "x": {"distribution": "uniform", "min": 0.0, "max": 1.0},
            "opt": {"distribution": "categorical", "values": ["adam", "sgd"]},
            "noise": {"distribution": "uniform", "min": 0.0, "max": 1.0},
        },
    }
    rf_noise_above_opt, ped_noise_last = 0, 0
    rf_share, raw_share, ped_share = [], [], []
    for seed in range(20):
        rng = random.Random(seed)
        trials, features, losses = [], [], []
        for i in range(300):
            params = {"x": rng.uniform(0, 1), "opt": rng.choice(["adam", "sgd"]), "noise": rng.uniform(0, 1)}
            loss = 4 * (params["x"] - 0.3) ** 2 + 0.5 * (params["opt"] == "sgd") + rng.gauss(0, 0.5)  # type: ignore[operator]
            trials.append({"run_id": f"r{i}", "state": "finished", "params": params, "summary_value": loss})
            features.append([params["x"], float(params["opt"] == "sgd"), params["noise"]])
            losses.append(loss)
        forest = sklearn_ensemble.RandomForestRegressor(random_state=0).fit(features, losses)
        rf = dict(zip(["x", "opt", "noise"], forest.feature_importances_, strict=True))
        ped = {p.name: p for p in analyse("s", config, trials).parameters}
        rf_noise_above_opt += rf["noise"] > rf["opt"]
        ped_noise_last += ped["noise"].importance < min(ped["x"].importance, ped["opt"].importance)
        rf_share.append(rf["noise"])
        raw_share.append(ped["noise"].importance_raw / sum(p.importance_raw for p in ped.values()))
        ped_share.append(ped["noise"].importance)
    assert rf_noise_above_opt == 20
    assert statistics.median(rf_share) > 0.15
    assert statistics.median(raw_share) < 0.06
    assert ped_noise_last == 20
    assert statistics.median(ped_share) < 0.01


def test_less_its_chance_level_an_irrelevant_parameter_scores_nothing_in_small_sweeps() -> None:
    """With 6 top trials of 60 the Parzen estimate of a continuous parameter is bumpy, so raw PED-ANOVA
    gives an irrelevant one a few percent, and up to a fifth in some sweeps. What random top sets of
    the same size score (the chance level) is about that much, so less it the irrelevant parameter's
    share is ~0, while the parameters the loss reads keep theirs."""
    spaces = [
        Space("lr", "numeric", 1e-5, 1e-1, log=True),
        Space("opt", "categorical", choices=("adam", "sgd")),
        Space("noise", "numeric", 0, 1),
    ]
    raw_noise, corrected_noise, corrected_opt = [], [], []
    for seed in range(20):
        rng = random.Random(seed)
        rows, losses = [], []
        for _ in range(60):
            lr = math.exp(rng.uniform(math.log(1e-5), math.log(1e-1)))
            row = {"lr": lr, "opt": rng.choice(["adam", "sgd"]), "noise": rng.random()}
            rows.append(row)
            losses.append((math.log10(lr) + 3) ** 2 + 0.5 * (row["opt"] == "sgd"))
        raw = ped_anova(spaces, rows, losses)
        chance = chance_importance(spaces, rows, losses)
        beyond = {k: max(0.0, raw[k] - chance[k]) for k in raw}
        raw_noise.append(raw["noise"] / sum(raw.values()))
        corrected_noise.append(beyond["noise"] / sum(beyond.values()))
        corrected_opt.append(beyond["opt"] / sum(beyond.values()))
        assert beyond["lr"] == max(beyond.values())
    # Raw, noise takes over 5 % in 5 sweeps of 20 (up to 23 %); beyond chance in 2.
    assert sum(x > 0.05 for x in corrected_noise) < sum(x > 0.05 for x in raw_noise)
    assert statistics.median(raw_noise) > 0.01
    assert statistics.median(corrected_noise) < 0.005
    assert statistics.median(corrected_opt) > 0.02


def test_chance_importance_is_repeatable_and_zero_without_trials() -> None:
    spaces = [Space("c", "numeric", 0, 1)]
    rows = [{"c": i / 19} for i in range(20)]
    losses = [float(i) for i in range(20)]
    assert chance_importance(spaces, rows, losses) == chance_importance(spaces, rows, losses)
    assert chance_importance(spaces, [], []) == {"c": 0.0}


def test_a_parameter_with_one_possible_value_explains_nothing() -> None:
    spaces = [
        Space("a", "numeric", 1.0, 1.0),
        Space("b", "categorical", choices=("only",)),
        Space("c", "numeric", 0, 1),
    ]
    rows = [{"a": 1.0, "b": "only", "c": i / 9} for i in range(10)]
    out = ped_anova(spaces, rows, [float(i) for i in range(10)])
    assert out["a"] == 0.0
    assert out["b"] == 0.0
    assert out["c"] > 0.0


def test_one_trial_or_none_gives_zeros() -> None:
    spaces = [Space("c", "numeric", 0, 1)]
    assert ped_anova(spaces, [], []) == {"c": 0.0}
    assert ped_anova(spaces, [{"c": 0.5}], [1.0]) == {"c": 0.0}


def test_top_quantile_keeps_every_trial_tied_at_the_cutoff() -> None:
    assert top_quantile([3.0, 1.0, 1.0, 2.0], 0.25) == [1, 2]
    assert top_quantile([5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 6.0, 7.0, 8.0, 9.0], 0.1) == [5]
    assert top_quantile([1.0, 2.0], 1.0) == [0, 1]


def test_quantiles_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError):
        ped_anova([], [], [], target_quantile=0.5, region_quantile=0.5)
