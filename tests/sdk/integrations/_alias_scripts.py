"""Code written for wandb, unmodified, run by test_wandb_alias.py in a Python whose only `wandb` is
wanllmdb's alias. argv: which script (surface, lightning, huggingface) and a folder to work in; the
server comes from wandb's own variables (WANDB_BASE_URL, WANDB_API_KEY, WANDB_PROJECT).

Each prints one JSON line, ``RESULT {...}``, for the test to check."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def surface(folder: Path) -> dict[str, Any]:
    """The names third-party code touches, and module-level state that rebinds like wandb's."""
    import importlib.metadata

    import wandb
    import wandb.env
    import wandb.util
    from wandb.sdk.data_types.base_types.wb_value import WBValue
    from wandb.sdk.data_types.image import Image
    from wandb.sdk.data_types.video import Video
    from wandb.sdk.lib import RunDisabled
    from wandb.sdk.lib.config_util import ConfigError
    from wandb.wandb_run import Run

    import wanllmdb

    wandb.require("service")
    wandb.ensure_configured()
    before = (wandb.run, wandb.summary)
    run = wandb.init(dir=str(folder), config={"lr": 0.1})
    rebound = wandb.run is run and wandb.config is run.config and wandb.summary is run.summary
    refused = False
    try:
        wandb.config.update({"lr": 0.2})
    except ConfigError:
        refused = True
    run._label(code="alias_test")
    wandb.log({"x": 1.0})
    run_id = run.id
    wandb.finish()
    return {
        "is_wanllmdb": wandb is wanllmdb and sys.modules["wandb"] is wanllmdb,
        "version": importlib.metadata.version("wandb"),
        "before": before == (None, None),
        "rebound": rebound,
        "after": wandb.run is None,
        "run_id": run_id,
        "config_error_raised": refused,
        "classes": [
            Run is wanllmdb.Run,
            Image is wanllmdb.Image,
            Video is wanllmdb.Video,
            issubclass(wanllmdb.Image, WBValue),
            isinstance(RunDisabled, type),
        ],
        "api_key": wandb.api.api_key == os.environ["WANDB_API_KEY"],
        "json": wandb.util.json_dumps_safer({"a": {1, 2}}),
        "env": wandb.env.get_project(),
        "login": callable(wandb.login),
    }


def lightning(folder: Path) -> dict[str, Any]:
    """Lightning's own WandbLogger: a fast_dev_run fit (which swaps the Trainer's loggers for a dummy),
    then a 3-step fit that logs through it."""
    import lightning.pytorch as pl
    import torch
    from lightning.pytorch.loggers import WandbLogger
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    class Tiny(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(4, 1)
            self.save_hyperparameters({"width": 4})

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            x, y = batch
            loss = nn.functional.mse_loss(self.layer(x), y)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    torch.manual_seed(0)
    data = DataLoader(TensorDataset(torch.randn(24, 4), torch.randn(24, 1)), batch_size=8)
    quiet = {"accelerator": "cpu", "enable_progress_bar": False, "enable_model_summary": False}
    logger = WandbLogger(project=os.environ["WANDB_PROJECT"], save_dir=str(folder))
    pl.Trainer(fast_dev_run=True, logger=logger, **quiet).fit(Tiny(), data)
    logger.log_metrics({"after_dev_run": 1.0}, step=0)
    pl.Trainer(max_steps=3, logger=logger, log_every_n_steps=1, default_root_dir=str(folder), **quiet).fit(
        Tiny(), data
    )
    run_id = logger.experiment.id
    import wandb

    wandb.finish()
    return {"run_id": run_id}


def huggingface(folder: Path) -> dict[str, Any]:
    """Hugging Face's Trainer with report_to="wandb" (its own WandbCallback) for 2 steps."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    torch.manual_seed(0)
    ids = torch.randint(1, 100, (8, 16))
    rows = [{"input_ids": i, "labels": int(i[0] > 50)} for i in ids]
    config = BertConfig(
        vocab_size=100,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
    )
    args = TrainingArguments(
        output_dir=str(folder / "out"),
        report_to="wandb",
        run_name="alias-hf",
        max_steps=2,
        logging_steps=1,
        per_device_train_batch_size=4,
        save_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
    )
    Trainer(model=BertForSequenceClassification(config), args=args, train_dataset=rows).train()
    import wandb

    run_id = wandb.run.id
    wandb.finish()
    return {"run_id": run_id}


if __name__ == "__main__":
    which, folder = sys.argv[1], Path(sys.argv[2])
    result = {"surface": surface, "lightning": lightning, "huggingface": huggingface}[which](folder)
    print("RESULT " + json.dumps(result), flush=True)
