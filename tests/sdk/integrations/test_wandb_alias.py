"""The opt-in ``wandb`` alias (packaging/wandb-alias): built from this repository, it refuses to install
or import over a real wandb; where it is the only wandb, unmodified wandb code (the alias's surface,
Lightning's own WandbLogger, Hugging Face's report_to="wandb") logs to a real local server.

This environment has a real wandb (the dev extra's), so the alias runs in a Python started with ``-S``
whose path is the alias, then a view of this venv's site-packages without wandb, then the SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import REPO, admin_key

pytestmark = pytest.mark.slow

ALIAS = REPO / "packaging" / "wandb-alias"
SCRIPTS = Path(__file__).with_name("_alias_scripts.py")
PROJECT = "alias"


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture(scope="module")
def alias_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PYTHONPATH for a Python whose only wandb is the alias: the alias installed from its wheel, this
    venv's site-packages without wandb (symlinks), and the SDK (the editable install's .pth is not
    read under -S)."""
    root = tmp_path_factory.mktemp("alias")
    # A wheel for an index skips the install-time check (this venv has a real wandb).
    built = pip(
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-C",
        "wanllmdb-alias=build-only",
        "-w",
        str(root / "dist"),
        str(ALIAS),
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("wandb-*.whl")
    installed = pip("install", "--no-deps", "--target", str(root / "alias"), str(wheel))
    assert installed.returncode == 0, installed.stderr
    view = root / "site"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name == "wandb" or entry.name.startswith("wandb-") or entry.suffix == ".pth":
            continue
        (view / entry.name).symlink_to(entry)
    return os.pathsep.join([str(root / "alias"), str(view), str(REPO / "sdk")])


def run_unmodified(
    script: str, alias_path: str, folder: Path, env: dict[str, str], timeout: float = 240
) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "WANLLMDB_", "PYTHON"))}
    done = subprocess.run(
        [sys.executable, "-S", str(SCRIPTS), script, str(folder)],
        env={**clean, "PYTHONPATH": alias_path, **env},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and results, done.stdout[-3000:] + done.stderr[-6000:]
    result: dict[str, Any] = json.loads(results[-1].removeprefix("RESULT "))
    return result


@pytest.fixture
def wandb_env(integration_server: LocalServer) -> dict[str, str]:
    """wandb's own variables: the alias makes them configure wanllmdb."""
    return {
        "WANDB_BASE_URL": integration_server.url,
        "WANDB_API_KEY": admin_key(integration_server.data_dir),
        "WANDB_PROJECT": PROJECT,
        "WANLLMDB_SYSTEM_METRICS": "false",
    }


@pytest.fixture
def read_run(integration_server: LocalServer) -> Callable[[str], Any]:
    overrides = {"base_url": integration_server.url, "api_key": admin_key(integration_server.data_dir)}
    api = wanllmdb.Api(overrides=overrides)
    return lambda run_id: api.run(f"{PROJECT}/{run_id}")


def test_installing_over_a_real_wandb_is_refused(tmp_path: Path) -> None:
    done = pip("install", "--no-deps", "--no-build-isolation", "--target", str(tmp_path / "t"), str(ALIAS))
    assert done.returncode != 0
    real = Path(sysconfig.get_paths()["purelib"]) / "wandb"
    assert f"refusing to install wanllmdb's wandb alias: a real wandb is installed at {real}" in done.stderr
    assert not (tmp_path / "t").exists()


def test_importing_over_a_real_wandb_is_refused(alias_path: str) -> None:
    alias_dir = alias_path.split(os.pathsep)[0]
    done = subprocess.run(
        [sys.executable, "-c", "import wandb"],
        env={**os.environ, "PYTHONPATH": alias_dir},  # the alias first, the real wandb in site-packages
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "RealWandbInstalled" in done.stderr
    assert f"a real wandb is installed at {Path(sysconfig.get_paths()['purelib']) / 'wandb'}" in done.stderr


def test_the_alias_is_the_wanllmdb_module_with_wandbs_names(
    alias_path: str, tmp_path: Path, wandb_env: dict[str, str], read_run: Callable[[str], Any]
) -> None:
    out = run_unmodified("surface", alias_path, tmp_path, wandb_env)
    assert out["is_wanllmdb"] and out["version"] == "0.19.0+wanllmdb.0.1.0"
    assert out["before"] and out["rebound"] and out["after"]  # wandb.run/config/summary rebind
    assert out["config_error_raised"] and all(out["classes"]) and out["api_key"] and out["login"]
    assert json.loads(out["json"]) == {"a": [1, 2]}
    assert out["env"] == PROJECT
    run = read_run(out["run_id"])  # WANDB_BASE_URL, WANDB_API_KEY, WANDB_PROJECT reached the server
    assert run.config["lr"] == 0.1
    assert run.config["_wandb"]["labels"] == {"code": "alias_test"}
    assert [row["x"] for row in run.scan_history()] == [1.0]


def test_unmodified_lightning_wandb_logger_logs_to_wanllmdb(
    alias_path: str, tmp_path: Path, wandb_env: dict[str, str], read_run: Callable[[str], Any]
) -> None:
    out = run_unmodified("lightning", alias_path, tmp_path, wandb_env)
    run = read_run(out["run_id"])
    history = list(run.scan_history())
    assert [row["after_dev_run"] for row in history if "after_dev_run" in row] == [1.0]
    losses = [row for row in history if "train_loss" in row]
    assert [row["trainer/global_step"] for row in losses] == [0, 1, 2]
    assert run.config["width"] == 4  # save_hyperparameters, through log_hyperparams


def test_unmodified_huggingface_report_to_wandb_logs_to_wanllmdb(
    alias_path: str, tmp_path: Path, wandb_env: dict[str, str], read_run: Callable[[str], Any]
) -> None:
    out = run_unmodified("huggingface", alias_path, tmp_path, wandb_env)
    run = read_run(out["run_id"])
    history = list(run.scan_history())
    assert [row["train/global_step"] for row in history if "train/loss" in row] == [1, 2]
    assert run.name == "alias-hf"
    assert run.config["max_steps"] == 2 and run.config["hidden_size"] == 32  # args and model config
    assert run.config["_wandb"]["labels"] == {"code": "transformers_trainer"}
