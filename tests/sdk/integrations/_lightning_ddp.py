"""A 2-process DDP fit (gloo, CPU, ``fast_dev_run``) logging through WanllmdbLogger; run as a script
by test_lightning.py, since Lightning's DDP launcher starts rank 1 by running this file again.

argv: the project and save_dir; the server comes from WANLLMDB_BASE_URL and WANLLMDB_API_KEY."""

from __future__ import annotations

import sys

import lightning.pytorch as pl
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from wanllmdb.integration.lightning import WanllmdbLogger


class Tiny(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(4, 1)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def main(project: str, save_dir: str) -> None:
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(32, 4), torch.randn(32, 1))
    logger = WanllmdbLogger(project=project, save_dir=save_dir, settings={"system_metrics": False})
    trainer = pl.Trainer(
        strategy="ddp",
        accelerator="cpu",
        devices=2,
        fast_dev_run=2,
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    model = Tiny()
    # fast_dev_run swaps the Trainer's loggers for a dummy: what reaches the run is what the script
    # logs itself, on every rank, before and after the fit, as scripts do (watch, hyper-parameters).
    logger.log_hyperparams({"lr": 0.1, "batch_size": 8})
    logger.watch(model, log="all", log_freq=1)
    trainer.fit(model, DataLoader(data, batch_size=8))
    logger.log_metrics({"rank": float(trainer.global_rank)}, step=trainer.global_step)
    if trainer.global_rank == 0:
        print(f"RUN {logger.version}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
