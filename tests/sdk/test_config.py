from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

import wanllmdb
from tests.sdk.conftest import OfflineRun
from wanllmdb.config import Config
from wanllmdb.errors import ConfigChangeError, InvalidValue


def test_config_reads_as_attributes_and_items_nested(offline_run: OfflineRun) -> None:
    run = offline_run(config={"lr": 0.1, "optim": {"name": "adam", "betas": (0.9, 0.99)}})
    assert run.config.lr == 0.1
    assert run.config["optim"]["name"] == "adam"
    assert wanllmdb.config.optim.betas == [0.9, 0.99]
    assert run.config.as_dict() == {"lr": 0.1, "optim": {"name": "adam", "betas": [0.9, 0.99]}}


def test_changing_a_value_needs_allow_val_change(offline_run: OfflineRun) -> None:
    run = offline_run(config={"lr": 0.1, "optim": {"name": "adam"}})
    with pytest.raises(
        ConfigChangeError, match=r"config\['lr'\] is already 0.1; refusing to change it to 0.2"
    ):
        run.config.lr = 0.2
    with pytest.raises(ConfigChangeError, match=r"optim.name"):
        run.config.update({"optim": {"name": "sgd", "momentum": 0.9}})
    assert run.config.as_dict() == {"lr": 0.1, "optim": {"name": "adam"}}  # nothing half-applied
    run.config.update({"lr": 0.2}, allow_val_change=True)
    run.config.update({"lr": 0.2})  # the same value again is no change
    run.config.optim.momentum = 0.9  # a new nested key is fine
    assert run.config.as_dict() == {"lr": 0.2, "optim": {"name": "adam", "momentum": 0.9}}


def test_setdefaults_keeps_existing_values(offline_run: OfflineRun) -> None:
    run = offline_run(config={"lr": 0.1})
    run.config.setdefaults({"lr": 0.5, "epochs": 3})
    assert run.config.as_dict() == {"lr": 0.1, "epochs": 3}


def test_config_from_argparse_namespace_and_yaml(offline_run: OfflineRun, tmp_path: Path) -> None:
    ns = argparse.Namespace(lr=0.3, batch=32)
    assert Config_from(ns) == {"lr": 0.3, "batch": 32}
    plain = tmp_path / "plain.yaml"
    plain.write_text("lr: 0.01\nlayers: [64, 64]\n")
    wandb_style = tmp_path / "config-defaults.yaml"
    wandb_style.write_text("wandb_version: 1\nlr:\n  desc: learning rate\n  value: 0.02\n")
    assert Config_from(str(plain)) == {"lr": 0.01, "layers": [64, 64]}
    run = offline_run(config=wandb_style)
    assert run.config.as_dict() == {"lr": 0.02}


def Config_from(source: object) -> dict[str, object]:
    c = Config()
    c.update(source)  # type: ignore[arg-type]
    return c.as_dict()


def test_non_json_config_values_are_refused_with_the_key(offline_run: OfflineRun) -> None:
    run = offline_run()
    with pytest.raises(InvalidValue, match=r"config\['model'\] is a object"):
        run.config.update({"model": object()})
    with pytest.raises(InvalidValue, match="no such YAML file"):
        Config_from("/nonexistent/config.yaml")


def test_config_changes_are_spooled_for_the_server(offline_run: OfflineRun) -> None:
    run = offline_run(config={"lr": 0.1})
    run.config.update({"epochs": 3})
    run.config.update({"lr": 0.2}, allow_val_change=True)
    run.finish()
    assert run.dir is not None
    ops = [json.loads(line) for line in (run.dir / "ops.jsonl").read_text().splitlines()]
    assert ops[0]["op"] == "create" and ops[0]["body"]["run"]["config"] == {"lr": 0.1}
    changes = [o["body"] for o in ops if o["op"] == "config"]
    assert changes == [
        {"config": {"epochs": 3}, "allow_val_change": False},
        {"config": {"lr": 0.2}, "allow_val_change": True},
    ]
    assert ops[-1] == {"n": ops[-1]["n"], "op": "state", "body": {"state": "finished"}}


def test_module_config_refuses_writes_with_no_active_run(offline_run: OfflineRun) -> None:
    # Before init (and after finish) a value would belong to no run and vanish: refuse it loudly.
    from wanllmdb.errors import UsageError

    assert len(wanllmdb.config) == 0 and wanllmdb.config.get("lr") is None
    with pytest.raises(UsageError, match=r"'lr'.*call wanllmdb.init\(\) first.*init\(config=\.\.\.\)"):
        wanllmdb.config.update({"lr": 0.1})
    with pytest.raises(UsageError):
        wanllmdb.config.epochs = 3
    run = offline_run(config={"lr": 0.2})
    wanllmdb.config.update({"epochs": 3})
    assert run.config.as_dict() == {"lr": 0.2, "epochs": 3}
    run.finish()
    assert run.config.as_dict() == {"lr": 0.2, "epochs": 3}  # the run keeps its own
    with pytest.raises(UsageError):
        wanllmdb.config["lr"] = 0.3
