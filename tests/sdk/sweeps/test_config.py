"""Sweep configs: wandb's documented examples load, every bad input names its YAML path and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wanllmdb.errors import UsageError
from wanllmdb.sweeps import SweepConfigError, load_config, parse_config
from wanllmdb.sweeps.config import load_schema
from wanllmdb.sweeps.params import DISTRIBUTIONS

REPO = Path(__file__).resolve().parents[3]

# Equivalents of the examples in wandb's sweep docs ("Define sweep configuration").
DOCS_RANDOM = """
program: train.py
name: sweepdemo
method: random
metric:
  goal: minimize
  name: validation_loss
parameters:
  learning_rate:
    min: 0.0001
    max: 0.1
  batch_size:
    values: [16, 32, 64]
  epochs:
    values: [5, 10, 15]
  optimizer:
    values: ["adam", "sgd"]
"""
DOCS_BAYES_HYPERBAND = """
method: bayes
metric:
  name: val_loss
  goal: minimize
parameters:
  learning_rate:
    distribution: log_uniform_values
    min: 1e-5
    max: 1e-1
  dropout:
    distribution: uniform
    min: 0
    max: 0.5
  layers:
    distribution: int_uniform
    min: 1
    max: 8
early_terminate:
  type: hyperband
  min_iter: 3
"""
DOCS_GRID_NESTED = """
method: grid
parameters:
  optimizer:
    parameters:
      learning_rate:
        values: [0.01, 0.001]
      momentum:
        value: 0.9
  batch_size:
    values: [32, 64]
"""
DOCS_COMMAND = """
program: main.py
method: random
parameters:
  lr: {min: 0.001, max: 0.1}
command:
  - ${env}
  - python3
  - ${program}
  - ${args_no_hyphens}
"""
DOCS_MAX_ITER = """
method: random
metric: {name: acc, goal: maximize, target: 0.99}
run_cap: 20
parameters:
  lr: {distribution: log_uniform, min: -9.21, max: -4.61}
  width: {distribution: q_log_uniform_values, min: 16, max: 512, q: 8}
early_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}
"""


@pytest.mark.parametrize(
    "text", [DOCS_RANDOM, DOCS_BAYES_HYPERBAND, DOCS_GRID_NESTED, DOCS_COMMAND, DOCS_MAX_ITER]
)
def test_the_docs_examples_load(text: str) -> None:
    config = load_config(text)
    assert config.parameters


def test_wandb_defaulting_rules_infer_the_distribution() -> None:
    config = load_config(DOCS_RANDOM)
    kinds = {p.key: p.distribution for p in config.parameters}
    assert kinds == {
        "batch_size": "categorical",
        "epochs": "categorical",
        "learning_rate": "uniform",
        "optimizer": "categorical",
    }
    config = load_config(
        {
            "method": "random",
            "parameters": {
                "n": {"min": 1, "max": 3},
                "c": {"value": 4},
                "p": {"values": [1, 2], "probabilities": [0.3, 0.7]},
            },
        }
    )
    assert {p.key: p.distribution for p in config.parameters} == {
        "c": "constant",
        "n": "int_uniform",
        "p": "categorical_w_probabilities",
    }


def test_defaults_are_filled_as_wandb_fills_them() -> None:
    config = load_config(DOCS_BAYES_HYPERBAND)
    assert config.raw["metric"] == {
        "name": "val_loss",
        "goal": "minimize",
        "impute": "worst",
        "impute_while_running": "false",
    }
    assert config.early_terminate is not None
    assert (config.early_terminate.eta, config.early_terminate.strict) == (3, True)
    normal = load_config({"method": "random", "parameters": {"x": {"distribution": "q_normal"}}}).parameters[
        0
    ]
    assert (normal["mu"], normal["sigma"], normal["q"]) == (0.0, 1.0, 1.0)


def test_yaml_exponents_without_a_dot_are_numbers() -> None:
    config = load_config(DOCS_BAYES_HYPERBAND)
    lr = next(p for p in config.parameters if p.key == "learning_rate")
    assert lr["min"] == 1e-5


def test_nested_parameters_are_leaves_with_paths() -> None:
    config = load_config(DOCS_GRID_NESTED)
    assert [p.path for p in config.parameters] == [
        ("batch_size",),
        ("optimizer", "learning_rate"),
        ("optimizer", "momentum"),
    ]


MINIMAL: dict[str, dict[str, Any]] = {
    "categorical": {"values": [1, 2]},
    "categorical_w_probabilities": {"values": [1, 2], "probabilities": [0.5, 0.5]},
    "constant": {"value": 3},
    "int_uniform": {"min": 1, "max": 3},
    "uniform": {"min": 0.0, "max": 1.0},
    "q_uniform": {"min": 0.0, "max": 1.0, "q": 0.1},
    "log_uniform": {"min": -5.0, "max": 0.0},
    "log_uniform_values": {"min": 1e-5, "max": 1.0},
    "inv_log_uniform": {"min": 0.0, "max": 5.0},
    "inv_log_uniform_values": {"min": 1e-3, "max": 1.0},
    "q_log_uniform": {"min": 0.0, "max": 5.0, "q": 2},
    "q_log_uniform_values": {"min": 1.0, "max": 256.0, "q": 4},
    "normal": {"mu": 1.0, "sigma": 2.0},
    "q_normal": {"q": 0.5},
    "log_normal": {},
    "q_log_normal": {"q": 1},
    "beta": {"a": 2.0, "b": 3.0},
    "q_beta": {"q": 0.05},
}


def test_every_distribution_is_accepted() -> None:
    assert set(MINIMAL) == set(DISTRIBUTIONS)
    params = {name: {"distribution": name, **spec} for name, spec in MINIMAL.items()}
    config = load_config({"method": "random", "parameters": params})
    assert {p.distribution for p in config.parameters} == set(DISTRIBUTIONS)


@pytest.mark.parametrize(
    ("config", "path", "words"),
    [
        ({"method": "random", "paramters": {}}, "paramters", "did you mean 'parameters'"),
        (
            {"method": "random", "parameters": {"x": {"values": [1], "step": 2}}},
            "parameters.x.step",
            "unknown key",
        ),
        (
            {"method": "random", "parameters": {"x": {"distribution": "loguniform", "min": 1, "max": 2}}},
            "parameters.x.distribution",
            "did you mean 'log_uniform'",
        ),
        ({"method": "random", "parameters": {"x": {"min": 2.0, "max": 1.0}}}, "parameters.x.min", "swap"),
        ({"method": "random", "parameters": {"x": {"values": []}}}, "parameters.x.values", "at least one"),
        ({"method": "grid", "parameters": {"x": {"min": 0.0, "max": 1.0}}}, "parameters.x", "grid search"),
        (
            {"method": "grid", "parameters": {"x": {"values": [1, 2], "probabilities": [0.5, 0.5]}}},
            "parameters.x.probabilities",
            "grid",
        ),
        ({"method": "bayes", "parameters": {"x": {"min": 0.0, "max": 1.0}}}, "metric.name", "bayes"),
        (
            {"method": "random", "parameters": {"x": {"value": 1}}, "command": ["${interpreter}", "${arg}"]},
            "command[1]",
            "unknown macro ${arg}",
        ),
        (
            {"method": "random", "parameters": {"x": {"value": 1}}, "command": ["--cfg=${args}"]},
            "command[0]",
            "item of its own",
        ),
        (
            {"method": "random", "parameters": {"x": {"value": 1}}, "command": ["${envvar:home}"]},
            "command[0]",
            "A-Z",
        ),
        (
            {"method": "random", "parameters": {"x": {"values": [1, 2], "probabilities": [0.5, 0.6]}}},
            "parameters.x.probabilities",
            "sum to 1",
        ),
        (
            {"method": "random", "parameters": {"x": {"distribution": "int_uniform", "min": 0.5, "max": 2}}},
            "parameters.x.min",
            "integer",
        ),
        (
            {
                "method": "random",
                "parameters": {"x": {"distribution": "log_uniform_values", "min": 0, "max": 1}},
            },
            "parameters.x.min",
            "> 0",
        ),
        ({"method": "random", "parameters": {"x": {"min": 1}}}, "parameters.x.max", "both min and max"),
        (
            {
                "method": "random",
                "parameters": {"x": {"value": 1}},
                "metric": {"name": "a"},
                "early_terminate": {"type": "hyperband", "eta": 3},
            },
            "early_terminate",
            "min_iter",
        ),
        (
            {
                "method": "random",
                "parameters": {"x": {"value": 1}},
                "early_terminate": {"type": "hyperband", "min_iter": 1},
            },
            "metric.name",
            "early_terminate",
        ),
        ({"method": "custom", "parameters": {"x": {"value": 1}}}, "method", "not supported"),
        ({"parameters": {"x": {"value": 1}}}, "method", "missing"),
        ({"method": "random", "parameters": {}}, "parameters", "at least one"),
        ({"method": "random", "run_cap": 0, "parameters": {"x": {"value": 1}}}, "run_cap", "> 0"),
    ],
)
def test_bad_configs_name_the_path_and_the_fix(config: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(SweepConfigError) as info:
        load_config(config)
    assert info.value.path == path
    assert words in str(info.value)
    assert isinstance(info.value, UsageError)


def test_a_config_loads_from_a_file_and_from_json_text(tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text(DOCS_RANDOM)
    from_file = load_config(path)
    assert load_config(str(path)).raw == from_file.raw
    assert load_config(json.dumps(dict(from_file.raw))).raw == from_file.raw


def test_a_missing_file_is_not_mistaken_for_yaml() -> None:
    with pytest.raises(SweepConfigError, match="no such file"):
        load_config("sweep.yaml")


def test_parse_config_never_reads_a_file(tmp_path: Path) -> None:
    # A server parses the text a caller sent: a file name in it is text, never a file to read.
    path = tmp_path / "sweep.yaml"
    path.write_text(DOCS_RANDOM)
    with pytest.raises(SweepConfigError, match="mapping"):
        parse_config(str(path))
    assert parse_config(DOCS_RANDOM).raw == load_config(path).raw


def test_the_shipped_schema_copy_equals_the_source_of_truth() -> None:
    assert load_schema() == json.loads((REPO / "schemas" / "sweep_config.schema.json").read_text())


def test_the_schema_accepts_the_docs_examples_as_written() -> None:
    import jsonschema
    import yaml

    for text in (DOCS_RANDOM, DOCS_GRID_NESTED, DOCS_COMMAND):
        jsonschema.validate(yaml.safe_load(text), load_schema())


@pytest.mark.parametrize(
    "text", [DOCS_RANDOM, DOCS_BAYES_HYPERBAND, DOCS_GRID_NESTED, DOCS_COMMAND, DOCS_MAX_ITER]
)
def test_the_normalised_config_reloads_to_the_same_config(text: str) -> None:
    # A controller stores config.raw (as JSON) and loads it again on every heartbeat.
    config = load_config(text)
    again = load_config(json.loads(json.dumps(dict(config.raw))))
    assert again.raw == config.raw and again.parameters == config.parameters
