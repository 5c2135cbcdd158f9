"""Command macros expand as wandb's agent expands them, one line per macro."""

from __future__ import annotations

import json
import sys

import pytest

from wanllmdb.sweeps import SweepConfigError, expand_command, load_config

PARAMS = {"lr": 0.1, "fast": True, "slow": False, "name": "a b", "opt": {"beta": 0.9}}


def _config(*command: str) -> object:
    return load_config(
        {
            "method": "random",
            "program": "train.py",
            "parameters": {"x": {"value": 1}},
            "command": list(command),
        }
    )


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("${env}", ["/usr/bin/env"]),
        ("${interpreter}", [sys.executable]),
        ("${program}", ["train.py"]),
        ("${args}", ["--lr=0.1", "--fast=True", "--slow=False", "--name=a b", "--opt={'beta': 0.9}"]),
        (
            "${args_no_equals}",
            ["--lr", "0.1", "--fast", "True", "--slow", "False", "--name", "a b", "--opt", "{'beta': 0.9}"],
        ),
        ("${args_no_hyphens}", ["lr=0.1", "fast=True", "slow=False", "name=a b", "opt={'beta': 0.9}"]),
        ("${args_no_boolean_flags}", ["--lr=0.1", "--fast", "--name=a b", "--opt={'beta': 0.9}"]),
        ("${args_json}", [json.dumps(PARAMS)]),
        ("${args_json_file}", ["/tmp/params.json"]),
        ("${args_append_hydra}", ["+lr=0.1", "+fast=True", "+slow=False", "+name=a b", "+opt={'beta': 0.9}"]),
        (
            "${args_override_hydra}",
            ["++lr=0.1", "++fast=True", "++slow=False", "++name=a b", "++opt={'beta': 0.9}"],
        ),
    ],
)
def test_each_macro_expands_to_its_arguments(macro: str, expected: list[str]) -> None:
    argv = expand_command(_config(macro), PARAMS, args_json_file="/tmp/params.json")  # type: ignore[arg-type]
    assert argv == expected


def test_envvar_is_replaced_inside_an_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", "/data")
    monkeypatch.delenv("NOT_SET", raising=False)
    argv = expand_command(_config("--data=${envvar:DATA_DIR}/x", "${envvar:NOT_SET}"), {})  # type: ignore[arg-type]
    assert argv == ["--data=/data/x", "NOT_SET"]  # an unset variable leaves its name, as wandb does


def test_the_default_command_is_env_interpreter_program_args() -> None:
    config = load_config({"method": "grid", "program": "t.py", "parameters": {"x": {"values": [1]}}})
    assert expand_command(config, {"x": 1}, interpreter="python3") == [
        "/usr/bin/env",
        "python3",
        "t.py",
        "--x=1",
    ]
    assert expand_command(config, {"x": 1}, program="u.py", env_prefix=[])[1:] == ["u.py", "--x=1"]


def test_literal_items_pass_through() -> None:
    argv = expand_command(_config("python3", "-u", "${program}", "--epochs", "3"), {})  # type: ignore[arg-type]
    assert argv == ["python3", "-u", "train.py", "--epochs", "3"]


def test_program_macro_without_a_program_is_refused() -> None:
    config = load_config({"method": "grid", "parameters": {"x": {"values": [1]}}})
    with pytest.raises(SweepConfigError) as info:
        expand_command(config, {"x": 1})
    assert info.value.path == "program"
