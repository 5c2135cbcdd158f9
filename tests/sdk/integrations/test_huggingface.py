"""wanllmdb.integration.huggingface: a tiny BERT built from a config (no hub download, no tokenizer:
synthetic token ids) trained by a real ``Trainer`` on CPU for 2 steps, logged to a real local server and
read back."""

from __future__ import annotations

import os

# Hermetic: nothing may reach the hub (set before transformers reads them at import).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import online_settings
from tests.sdk.integrations.conftest import PROJECT, Landed, server_down_settings
from tests.sdk.integrations.test_frameworks import fresh_import
from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported, InvalidValue
from wanllmdb.integration.huggingface import WandbCallback, WanllmdbCallback, rewrite_logs
from wanllmdb.run import Run

SEQ = 8


class Tokens(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """Synthetic sequences of token ids with a binary label."""

    def __init__(self, n: int, seed: int) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, 100, (n, SEQ), generator=generator)
        self.labels = (self.ids[:, 0] > 50).long()

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {
            "input_ids": self.ids[i],
            "attention_mask": torch.ones(SEQ, dtype=torch.long),
            "labels": self.labels[i],
        }


def tiny_bert() -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=100,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=SEQ,
        num_labels=2,  # type: ignore[call-arg]  # a PretrainedConfig keyword
    )
    return BertForSequenceClassification(config)


def trainer(tmp_path: Path, callback: WanllmdbCallback, **args: Any) -> Trainer:
    """2 steps of 4 sequences, logging every step, on CPU."""
    defaults: dict[str, Any] = {
        "output_dir": str(tmp_path / "out"),
        "max_steps": 2,
        "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 8,
        "learning_rate": 1e-3,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",  # HF adds no callbacks of its own
        "use_cpu": True,
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        "seed": 0,
    }
    return Trainer(
        model=tiny_bert(),
        args=TrainingArguments(**{**defaults, **args}),
        train_dataset=Tokens(16, 0),
        eval_dataset=Tokens(8, 1),
        callbacks=[callback],
    )


@pytest.fixture
def callback_settings(integration_server: LocalServer, tmp_path: Path) -> dict[str, Any]:
    """init() arguments for a run the callback starts itself."""
    return {"project": PROJECT, "dir": tmp_path, "settings": online_settings(integration_server)}


@pytest.fixture(autouse=True)
def no_model_or_watch_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOG_MODEL", "WATCH", "PROJECT"):
        monkeypatch.delenv(f"WANLLMDB_{name}", raising=False)
        monkeypatch.delenv(f"WANDB_{name}", raising=False)


@pytest.mark.slow
def test_train_evaluate_train_is_one_run_with_prefixed_history_config_summary_and_the_final_model(
    callback_settings: dict[str, Any],
    landed: Callable[[Run], Landed],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("WANLLMDB_LOG_MODEL", "end")
    assert wanllmdb.run is None
    callback = WanllmdbCallback(**callback_settings)
    hf = trainer(tmp_path, callback)
    hf.train()
    run = wanllmdb.run
    assert run is not None  # the callback started it, and leaves it open for evaluate()
    hf.evaluate()
    hf.train()
    assert wanllmdb.run is run  # no second run
    out = landed(run)

    assert len(out.column("train/loss")) == 4  # two trainings of 2 steps, in one run
    assert out.column("eval/loss") == [pytest.approx(out.summary["eval/loss"])]
    steps = [row["train/global_step"] for row in out.history if "train/loss" in row]
    assert steps == [1, 2, 1, 2]
    assert out.summary["train_runtime"] > 0 and "train_loss" in out.summary  # end-of-training scalars
    assert "train/train_runtime" not in out.summary
    assert out.config["hidden_size"] == 32 and out.config["num_hidden_layers"] == 1  # model config
    assert out.config["learning_rate"] == 1e-3 and out.config["max_steps"] == 2  # TrainingArguments
    assert out.config["model/num_parameters"] == hf.model.num_parameters()
    assert out.summary["_step_metrics"] == {"*": "train/global_step"}  # HF's define_metric

    assert sorted(a.name for a in out.artifacts) == [
        f"model-{run.id}:v0",
        f"model-{run.id}:v1",
        f"model-{run.id}:v2",
    ]
    final = out.artifact(f"model-{run.id}:final_model")
    assert final.type == "model" and final.metadata["final_model"] is True
    assert out.artifact(f"model-{run.id}:base_model").metadata["initial_model"] is True
    folder = Path(final.download(root=str(tmp_path / "dl")))
    assert {"config.json", "model.safetensors", "model_architecture.txt"} <= {
        p.name for p in folder.iterdir()
    }
    reloaded = BertForSequenceClassification.from_pretrained(str(folder))
    for name, tensor in hf.model.state_dict().items():  # the second training's model
        torch.testing.assert_close(reloaded.state_dict()[name], tensor)


@pytest.mark.slow
def test_an_active_run_is_reused_not_finished_and_each_checkpoint_is_logged_with_hfs_aliases(
    online_run: Callable[..., Run],
    landed: Callable[[Run], Landed],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("WANDB_LOG_MODEL", "checkpoint")  # wandb's names work too
    monkeypatch.setenv("WANDB_WATCH", "all")
    run = online_run(config={"mine": 1})
    hf = trainer(tmp_path, WandbCallback(), save_strategy="steps", save_steps=1, save_total_limit=1)
    hf.train()
    assert wanllmdb.run is run and not run._closed  # the callback never finishes a run it did not start
    with pytest.raises(InvalidValue, match="only call `watch` once per model"):
        run.watch(hf.model)  # the callback watched it
    run.log({"after": 1})
    out = landed(run)

    assert len(out.column("train/loss")) == 2 and out.column("after") == [1]
    assert out.config["mine"] == 1 and out.config["hidden_size"] == 32
    # base_model, each checkpoint, final_model: HF logs the final model in "checkpoint" mode too.
    assert sorted(a.name for a in out.artifacts) == [f"model-{run.id}:v{i}" for i in range(4)]
    second = out.artifact(f"model-{run.id}:checkpoint_global_step_2")
    assert second.version == "v2" and "epoch_0.5" in second.aliases and second.metadata["train/loss"] > 0
    # Logged from hard links in the run's folder: HF's rotation (save_total_limit=1) deleted
    # checkpoint-1 meanwhile, and its upload is still whole.
    assert not (tmp_path / "out" / "checkpoint-1").exists()
    first = Path(out.artifact(f"model-{run.id}:checkpoint_global_step_1").download(root=str(tmp_path / "dl")))
    assert (first / "model.safetensors").is_file() and (first / "trainer_state.json").is_file()


@pytest.mark.slow
def test_each_hyperparameter_search_trial_gets_its_own_run_grouped_and_named_by_hf(
    callback_settings: dict[str, Any],
    integration_server: LocalServer,
    landed: Callable[[Run], Landed],
    tmp_path: Path,
) -> None:
    # optuna: the dev extra installs it (HF's default search backend); missing, this fails, never skips
    callback = WanllmdbCallback(**callback_settings)
    hf = trainer(tmp_path, callback, run_name="search")
    hf.model_init = lambda *_: tiny_bert()
    runs: list[Run] = []
    hf.add_callback(RecordRun(runs))
    hf.hyperparameter_search(
        hp_space=lambda trial: {"learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True)},
        backend="optuna",
        n_trials=2,
        hp_name=lambda trial: f"trial-{trial.number}",
    )
    first, second = runs
    assert first is not second and first._closed and not second._closed  # the next trial finished it
    for number, trial_run in enumerate(runs):
        out = landed(trial_run)
        assert out.api_run.group == "search" and out.api_run.name == f"trial-{number}"
        assert len(out.column("train/loss")) == 2 and len(out.column("eval/loss")) == 1
        assert out.config["learning_rate"] == pytest.approx(trial_run.config["learning_rate"])
    assert landed(first).config["learning_rate"] != landed(second).config["learning_rate"]


class RecordRun(TrainerCallback):  # type: ignore[misc]
    """Keeps the run each training logged into (after WanllmdbCallback set it up)."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        assert wanllmdb.run is not None
        self.runs.append(wanllmdb.run)


@pytest.mark.slow
def test_with_the_server_down_training_completes_and_the_model_is_spooled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WANLLMDB_LOG_MODEL", "end")
    callback = WanllmdbCallback(project=PROJECT, dir=tmp_path, settings=server_down_settings())
    hf = trainer(tmp_path, callback)
    hf.train()
    run = wanllmdb.run
    assert run is not None and hf.state.global_step == 2
    run_dir = Path(run.dir)  # type: ignore[arg-type]
    run.finish()
    spooled = " ".join(p.read_text() for p in (run_dir / "artifacts").glob("*.json"))
    assert "base_model" in spooled and "final_model" in spooled  # `wanllmdb sync` logs them with the run


def test_hfs_key_rewriting() -> None:
    assert rewrite_logs({"loss": 1, "eval_loss": 2, "test_acc": 3, "epoch": 0.5}) == {
        "train/loss": 1,
        "eval/loss": 2,
        "test/acc": 3,
        "train/epoch": 0.5,
    }


def test_without_transformers_the_integration_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(FrameworkMissing) as caught:
        fresh_import(monkeypatch, "huggingface")
    assert str(caught.value) == (
        "wanllmdb.integration.huggingface needs transformers, which is not installed: "
        "pip install 'wanllmdb[huggingface]'"
    )
    assert isinstance(caught.value, ImportError)


def test_an_old_transformers_names_the_supported_range(monkeypatch: pytest.MonkeyPatch) -> None:
    # sys.modules' entry: after importing Trainer it is not the object `import transformers` gave.
    monkeypatch.setattr(sys.modules["transformers"], "__version__", "4.39.3")
    with pytest.raises(FrameworkVersionUnsupported, match=r"supports transformers>=4\.40,<6"):
        fresh_import(monkeypatch, "huggingface")
