"""Issue 20 benchmark: per-round overhead of the XGBoost, LightGBM and CatBoost callbacks and of the
Lightning logger (a round is a training step there), and the one-off cost of
wanllmdb.sklearn.plot_classifier.

    python benchmarks/integrations.py [--only xgboost|lightgbm|catboost|lightning|huggingface|sklearn]
        [--rounds 25] [--repeats 40]

Each framework trains the same regression (ROWS x 20 synthetic features, a train and a validation set,
two metrics per set) four ways in one process and one offline run: without the callback (the
baseline), without it again (the noise floor), with an empty callback (what the framework's own
callback machinery costs: CatBoost hands each callback every metric's whole history every round) and
with ours (plus log_summary where the framework has one, so feature importance and the end-of-training
work are counted too). They take turns, the order rotating each repeat, so the load of this shared
box falls on all of them alike; the overhead is the median per-round time with the callback over the
baseline's. On a busy shared box that comparison moves by as much as the noise floor shows, so the
time spent inside the callback itself (per round, timed around its method, as a share of the baseline
round) is printed beside it: load moves it far less. Short trainings, many times (25 rounds x 40 by
default), keep each variant's samples close in time. The issue's target: <= 5 % per round.

Lightning fits an MLP (20-256-256-1, batch 256) for ``--rounds`` steps with ``log_every_n_steps=1`` (our
logger's worst case; Lightning's default logs every 50th step) and no checkpointing: without a logger,
with an empty Logger, and with WanllmdbLogger on the active run. Only the training loop is timed
(``on_train_start`` to ``on_train_end``): building the Trainer costs the same in every variant and
would dilute the figure.

Hugging Face trains a small BERT (2 layers, hidden 64, sequences of 32 synthetic token ids, batch 16)
with ``Trainer`` for ``--rounds`` steps with ``logging_steps=1`` (HF's default logs every 500th step):
without a callback, with an empty TrainerCallback, and with WanllmdbCallback on the active run. Only
``on_train_begin`` to ``on_train_end`` is timed, as for Lightning.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "sdk"))

# train(variant): "none", "no-op" (an empty callback) or "wanllmdb"; returns the seconds to count, or
# None when the whole call counts.
Trainer = Callable[[str], float | None]


class CallTimer:
    """Wraps a callback method and adds up the time spent in it."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, obj: Any, method: str) -> None:
        inner = getattr(obj, method)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        setattr(obj, method, timed)

    def wrap_callable(self, inner: Any) -> Any:
        """A LightGBM callback (a callable object with ``order``), timed: Python looks ``__call__`` up on
        the type, so it cannot be patched on the instance."""
        timer = self

        class Timed:
            order = inner.order
            before_iteration = inner.before_iteration

            def __call__(self, env: Any) -> None:
                start = time.perf_counter()
                try:
                    inner(env)
                finally:
                    timer.seconds += time.perf_counter() - start
                    timer.calls += 1

        return Timed()


def data(rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 20))
    y = X[:, 0] * 3 - X[:, 1] + np.sin(X[:, 2]) + rng.normal(scale=0.1, size=rows)
    cut = rows * 4 // 5
    return X[:cut], y[:cut], X[cut:], y[cut:]


def xgboost_trainer(rows: int, rounds: int, timer: CallTimer) -> Trainer:
    import xgboost as xgb

    from wanllmdb.integration.xgboost import WandbCallback

    xt, yt, xv, yv = data(rows)
    train, valid = xgb.DMatrix(xt, label=yt), xgb.DMatrix(xv, label=yv)
    params = {"max_depth": 6, "nthread": 2, "tree_method": "hist", "eval_metric": ["rmse", "mae"]}

    class NoOp(xgb.callback.TrainingCallback):  # type: ignore[misc]
        pass

    def run(variant: str) -> None:
        callbacks: list[Any] = [NoOp()] if variant == "no-op" else []
        if variant == "wanllmdb":
            callback = WandbCallback(log_model=False)
            timer.wrap(callback, "after_iteration")
            callbacks.append(callback)
        evals = [(train, "train"), (valid, "validation")]
        xgb.train(params, train, rounds, evals=evals, verbose_eval=False, callbacks=callbacks)

    return run


def lightgbm_trainer(rows: int, rounds: int, timer: CallTimer) -> Trainer:
    import lightgbm as lgb

    from wanllmdb.integration.lightgbm import log_summary, wandb_callback

    xt, yt, xv, yv = data(rows)
    train = lgb.Dataset(xt, yt, free_raw_data=False)
    valid = lgb.Dataset(xv, yv, reference=train, free_raw_data=False)
    params = {"objective": "regression", "metric": ["l2", "l1"], "num_threads": 2, "verbose": -1}

    def no_op(env: Any) -> None:
        pass

    no_op.order = 20  # type: ignore[attr-defined]

    def run(variant: str) -> None:
        callbacks: list[Any] = [no_op] if variant == "no-op" else []
        if variant == "wanllmdb":
            callbacks.append(timer.wrap_callable(wandb_callback()))
        booster = lgb.train(params, train, rounds, valid_sets=[train, valid], callbacks=callbacks)
        if variant == "wanllmdb":
            log_summary(booster)

    return run


def catboost_trainer(rows: int, rounds: int, timer: CallTimer) -> Trainer:
    import catboost

    from wanllmdb.integration.catboost import WandbCallback, log_summary

    xt, yt, xv, yv = data(rows)
    train_dir = tempfile.mkdtemp(prefix="bench-catboost-")

    class NoOp:
        def after_iteration(self, info: Any) -> bool:
            return True

    def run(variant: str) -> None:
        model = catboost.CatBoostRegressor(
            iterations=rounds,
            depth=6,
            thread_count=2,
            verbose=False,
            train_dir=train_dir,
            custom_metric=["MAE"],
        )
        callbacks: list[Any] = [NoOp()] if variant == "no-op" else []
        if variant == "wanllmdb":
            callback = WandbCallback()
            timer.wrap(callback, "after_iteration")
            callbacks.append(callback)
        model.fit(xt, yt, eval_set=(xv, yv), callbacks=callbacks or None)
        if variant == "wanllmdb":
            log_summary(model)

    return run


def lightning_trainer(rows: int, rounds: int, timer: CallTimer) -> Trainer:
    import logging

    import lightning.pytorch as pl
    import torch
    from lightning.pytorch.loggers import Logger
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    import wanllmdb
    from wanllmdb.integration.lightning import WanllmdbLogger

    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)  # its per-Trainer banner
    torch.set_num_threads(2)
    xt, yt, _, _ = data(rows)
    batches = DataLoader(
        TensorDataset(torch.tensor(xt, dtype=torch.float32), torch.tensor(yt, dtype=torch.float32)[:, None]),
        batch_size=256,
    )

    class MLP(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1)
            )

        def training_step(self, batch: Any, batch_idx: int) -> Any:
            x, y = batch
            loss = nn.functional.mse_loss(self.net(x), y)
            self.log("train_loss", loss)
            self.log("train_mae", nn.functional.l1_loss(self.net(x).detach(), y))
            return loss

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=0.01)

    class NoOp(Logger):  # type: ignore[misc]
        name = "no-op"
        version = "0"

        def log_metrics(self, metrics: Any, step: Any = None) -> None:
            pass

        def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
            pass

    class LoopTime(pl.Callback):  # type: ignore[misc]
        def on_train_start(self, trainer: Any, module: Any) -> None:
            self.start = time.perf_counter()

        def on_train_end(self, trainer: Any, module: Any) -> None:
            self.seconds = time.perf_counter() - self.start

    def run(variant: str) -> float:
        logger: Any = False
        if variant == "no-op":
            logger = NoOp()
        elif variant == "wanllmdb":
            logger = WanllmdbLogger(experiment=wanllmdb.run)
            timer.wrap(logger, "log_metrics")
        loop = LoopTime()
        trainer = pl.Trainer(
            max_steps=rounds,
            accelerator="cpu",
            logger=logger,
            callbacks=[loop],
            log_every_n_steps=1,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        trainer.fit(MLP(), batches)
        return float(loop.seconds)

    return run


def huggingface_trainer(rows: int, rounds: int, timer: CallTimer) -> Trainer:
    import logging
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import transformers
    from transformers import BertConfig, BertForSequenceClassification, TrainerCallback, TrainingArguments
    from transformers.trainer_callback import PrinterCallback

    from wanllmdb.integration.huggingface import WanllmdbCallback

    transformers.logging.set_verbosity_error()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1, 1000, (rows, 32), generator=generator)
    labels = (ids[:, 0] > 500).long()

    class Tokens(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
        def __len__(self) -> int:
            return rows

        def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
            return {"input_ids": ids[i], "labels": labels[i]}

    config = BertConfig(
        vocab_size=1000,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=32,
    )

    class LoopTime(TrainerCallback):  # type: ignore[misc]
        def on_train_begin(self, *args: Any, **kwargs: Any) -> None:
            self.start = time.perf_counter()

        def on_train_end(self, *args: Any, **kwargs: Any) -> None:
            self.seconds = time.perf_counter() - self.start

    def run(variant: str) -> float:
        loop = LoopTime()
        callbacks: list[Any] = [loop]
        if variant == "no-op":
            callbacks.append(TrainerCallback())
        elif variant == "wanllmdb":
            callback = WanllmdbCallback()  # on the active run
            timer.wrap(callback, "on_log")
            callbacks.append(callback)
        args = TrainingArguments(
            output_dir=tempfile.mkdtemp(prefix="bench-hf-"),
            max_steps=rounds,
            per_device_train_batch_size=16,
            logging_steps=1,  # our worst case: HF's default logs every 500th step
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            disable_tqdm=True,
            seed=0,
        )
        torch.manual_seed(0)
        trainer = transformers.Trainer(
            model=BertForSequenceClassification(config),
            args=args,
            train_dataset=Tokens(),
            callbacks=callbacks,
        )
        trainer.remove_callback(PrinterCallback)  # it prints every log line, in every variant alike
        trainer.train()
        return float(loop.seconds)

    return run


def bench_callback(
    name: str, make: Callable[..., Trainer], rows: int, rounds: int, repeats: int
) -> dict[str, Any]:
    timer = CallTimer()
    train = make(rows, rounds, timer)
    train("none")  # warm up: imports, first-call allocations
    train("wanllmdb")
    timer.seconds, timer.calls = 0.0, 0
    variants = {"without": "none", "without (copy)": "none", "no-op callback": "no-op", "with": "wanllmdb"}
    per_round: dict[str, list[float]] = {v: [] for v in variants}
    order = list(variants)
    for rep in range(repeats):
        for variant in order[rep % len(order) :] + order[: rep % len(order)]:
            start = time.perf_counter()
            counted = train(variants[variant])
            seconds = counted if counted is not None else time.perf_counter() - start
            per_round[variant].append(seconds / rounds)
    base = statistics.median(per_round["without"])

    def over(variant: str) -> float:
        return (statistics.median(per_round[variant]) / base - 1) * 100

    result: dict[str, Any] = {
        "framework": name,
        "round_ms": base * 1e3,
        "overhead_pct": over("with"),
        "noop_pct": over("no-op callback"),
        "noise_pct": over("without (copy)"),
        "in_callback_us": timer.seconds / max(timer.calls, 1) * 1e6,
    }
    result["in_callback_pct"] = result["in_callback_us"] / 1e3 / result["round_ms"] * 100
    print(
        f"{name:9s} round {result['round_ms']:6.2f} ms   with callback {result['overhead_pct']:+6.2f} %   "
        f"a no-op callback {result['noop_pct']:+6.2f} %   noise floor {result['noise_pct']:+6.2f} %   "
        f"in the callback {result['in_callback_us']:6.1f} us/round ({result['in_callback_pct']:.2f} %)",
        flush=True,
    )
    return result


def bench_sklearn(rows: int) -> None:
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    from wanllmdb.integration import sklearn as wsk

    X, y = make_classification(rows, 20, n_informative=8, random_state=0)
    cut = rows * 4 // 5
    start = time.perf_counter()
    model = RandomForestClassifier(n_estimators=50, max_depth=8, n_jobs=2, random_state=0).fit(
        X[:cut], y[:cut]
    )
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    wsk.plot_classifier(
        model,
        X[:cut],
        X[cut:],
        y[:cut],
        y[cut:],
        model.predict(X[cut:]),
        model.predict_proba(X[cut:]),
        ["0", "1"],
    )
    plot_s = time.perf_counter() - start
    print(
        f"sklearn   RandomForest fit {fit_s * 1e3:7.1f} ms   "
        f"plot_classifier (8 charts, once) {plot_s * 1e3:7.1f} ms"
    )


def offline_run(run_dir: str | None = None) -> Any:
    """The run every variant logs to: offline, so only the SDK's own work is timed, never a server."""
    import wanllmdb

    return wanllmdb.init(
        project="bench-integrations",
        mode="offline",
        dir=run_dir or tempfile.mkdtemp(prefix="bench-integrations-"),
        settings={"system_metrics": False, "console": "off", "silent": True},
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", choices=["xgboost", "lightgbm", "catboost", "lightning", "huggingface", "sklearn"]
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()

    run = offline_run()
    trainers = {
        "xgboost": xgboost_trainer,
        "lightgbm": lightgbm_trainer,
        "catboost": catboost_trainer,
        "lightning": lightning_trainer,
        "huggingface": huggingface_trainer,
    }
    for name, make in trainers.items():
        if args.only in (None, name):
            bench_callback(name, make, args.rows, args.rounds, args.repeats)
    if args.only in (None, "sklearn"):
        bench_sklearn(args.rows)
    run.finish()


if __name__ == "__main__":
    main()
