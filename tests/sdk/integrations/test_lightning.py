"""wanllmdb.integration.lightning: real 3-step CPU fits of a tiny model on synthetic tensors, logged to a
real local server and read back; a 2-process DDP fit on gloo; the missing and unsupported framework."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import numpy as np
import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.utilities.rank_zero import rank_zero_only
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import REPO, admin_key
from tests.sdk.integrations.conftest import PROJECT, Landed
from tests.sdk.integrations.test_frameworks import fresh_import
from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported
from wanllmdb.integration.lightning import WandbLogger, WanllmdbLogger

STEPS = 3


class Tiny(pl.LightningModule):
    def __init__(self, lr: float = 0.1, hidden: int = 3) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams["lr"])


def fit(logger: WanllmdbLogger, checkpoint: ModelCheckpoint, tmp_path: Path) -> Tiny:
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(8 * STEPS, 4), torch.randn(8 * STEPS, 1))
    model = Tiny(lr=0.05, hidden=3)
    trainer = pl.Trainer(
        max_steps=STEPS,
        accelerator="cpu",
        logger=logger,
        callbacks=[checkpoint],
        log_every_n_steps=1,
        default_root_dir=tmp_path,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, DataLoader(data, batch_size=8))
    return model


def settings(server: LocalServer) -> dict[str, Any]:
    return {"base_url": server.url, "api_key": admin_key(server.data_dir), "system_metrics": False}


def every_step(tmp_path: Path, **kwargs: Any) -> ModelCheckpoint:
    return ModelCheckpoint(
        dirpath=tmp_path / "ckpt", monitor="train_loss", mode="min", every_n_train_steps=1, **kwargs
    )


@pytest.mark.slow
def test_fit_logs_steps_hyperparams_media_and_every_checkpoint_with_best_and_latest(
    integration_server: LocalServer, landed: Callable[..., Landed], tmp_path: Path
) -> None:
    logger = WanllmdbLogger(
        project=PROJECT, save_dir=tmp_path, log_model="all", settings=settings(integration_server)
    )
    checkpoint = every_step(tmp_path, save_top_k=-1)
    fit(logger, checkpoint, tmp_path)
    logger.log_table("samples", columns=["x", "y"], data=[[1, 2.5], [2, 3.5]])
    logger.log_image("inputs", [np.zeros((4, 4, 3), dtype=np.uint8)], caption=["zeros"])
    run = logger.experiment
    out = landed(run)

    steps = [row["trainer/global_step"] for row in out.history if "train_loss" in row]
    assert steps == [0, 1, 2]
    losses = out.column("train_loss")
    assert out.summary["train_loss"] == pytest.approx(losses[-1])
    assert (out.config["lr"], out.config["hidden"]) == (0.05, 3)  # save_hyperparameters()
    assert out.table("samples")["data"] == [[1, 2.5], [2, 3.5]]
    assert "inputs" in out.summary

    versions = sorted(a.version for a in out.artifacts)
    assert versions == ["v0", "v1", "v2"]  # log_model="all": one per checkpoint, as it is saved
    assert all(a.type == "model" and a.name.startswith(f"model-{run.id}:") for a in out.artifacts)
    assert out.artifact(f"model-{run.id}:latest").version == "v2"
    best = out.artifact(f"model-{run.id}:best")
    assert best.metadata["original_filename"] == Path(checkpoint.best_model_path).name
    assert best.metadata["score"] == pytest.approx(min(losses))
    assert best.metadata["ModelCheckpoint"]["monitor"] == "train_loss"


@pytest.mark.slow
def test_log_model_true_logs_the_kept_checkpoint_once_the_fit_succeeds(
    integration_server: LocalServer, landed: Callable[..., Landed], tmp_path: Path
) -> None:
    logger = WandbLogger(  # wandb's name for the same class
        project=PROJECT,
        save_dir=tmp_path,
        log_model=True,
        checkpoint_name="tiny",
        settings=settings(integration_server),
    )
    checkpoint = every_step(tmp_path, save_top_k=1)
    model = fit(logger, checkpoint, tmp_path)
    out = landed(logger.experiment)

    (artifact,) = out.artifacts
    assert (artifact.name, artifact.type) == ("tiny:v0", "model")
    assert set(out.artifact("tiny:best").aliases) >= {"best", "latest"}
    path = Path(artifact.download(root=str(tmp_path / "dl"))) / "model.ckpt"
    state = torch.load(path, weights_only=True)["state_dict"]
    assert state.keys() == model.state_dict().keys()


@pytest.mark.slow
def test_ddp_fast_dev_run_on_two_processes_makes_exactly_one_run(
    integration_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = "lightning-ddp"
    monkeypatch.setenv("WANLLMDB_BASE_URL", integration_server.url)
    monkeypatch.setenv("WANLLMDB_API_KEY", admin_key(integration_server.data_dir))
    script = Path(__file__).with_name("_lightning_ddp.py")
    done = subprocess.run(
        [sys.executable, str(script), project, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (run_id,) = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("RUN ")]

    api = wanllmdb.Api(overrides=settings(integration_server))
    try:
        runs = list(api.runs(project))
        assert [r.id for r in runs] == [run_id]
        (run,) = runs
        assert run.state == "finished"
        assert (run.config["lr"], run.config["batch_size"]) == (0.1, 8)
        assert [row["rank"] for row in run.scan_history() if "rank" in row] == [0.0]  # rank 1: a no-op
    finally:
        api.close()


def test_ranks_other_than_zero_make_no_run_and_log_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rank_zero_only, "rank", 1)
    logger = WanllmdbLogger(project="ranks", save_dir=tmp_path, log_model="all")
    logger.log_hyperparams({"lr": 0.1})
    logger.log_metrics({"loss": 1.0}, step=0)
    logger.log_table("t", columns=["a"], data=[[1]])
    logger.watch(nn.Linear(2, 1))
    logger.finalize("success")
    assert wanllmdb.run is None and logger.version is None
    assert not (tmp_path / "wanllmdb").exists()


def test_the_logger_reuses_an_active_run(offline_run: Callable[..., Any], tmp_path: Path) -> None:
    run = offline_run()
    logger = WanllmdbLogger(project="other", save_dir=tmp_path)
    with pytest.warns(UserWarning, match="already in progress"):
        assert logger.experiment is run
    assert logger.version == run.id and logger.name == "other"


def test_without_lightning_the_integration_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lightning", None)
    with pytest.raises(FrameworkMissing) as caught:
        fresh_import(monkeypatch, "lightning")
    assert str(caught.value) == (
        "wanllmdb.integration.lightning needs lightning, which is not installed: "
        "pip install 'wanllmdb[lightning]'"
    )


def test_an_unsupported_lightning_names_the_supported_range(monkeypatch: pytest.MonkeyPatch) -> None:
    import lightning

    monkeypatch.setattr(lightning, "__version__", "2.1.4")
    with pytest.raises(
        FrameworkVersionUnsupported, match=r"supports lightning>=2\.2,<3, but lightning 2\.1\.4"
    ):
        fresh_import(monkeypatch, "lightning")
