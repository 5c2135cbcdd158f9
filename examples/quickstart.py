"""Quickstart: train a small two-layer network on a synthetic spiral with numpy, and log it.

    make run                                   # terminal 1: the local server on :8080
    .venv/bin/python examples/quickstart.py    # terminal 2

No downloads. Logs config, per-step loss and accuracy, per-epoch validation metrics, system metrics
(every 2 s here) and console output. Add ``--offline`` to spool locally and ``wanllmdb sync`` later.
"""

from __future__ import annotations

import argparse

import numpy as np

import wanllmdb as wandb


def spiral(n_per_class: int, classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, 0.2, n_per_class)
        xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--offline", action="store_true")
    args = ap.parse_args()

    run = wandb.init(
        project="quickstart",
        config=args,  # an argparse Namespace works as it does in wandb
        mode="offline" if args.offline else None,
        tags=["numpy", "spiral"],
        settings={"system_interval_s": 2.0},
    )
    cfg = wandb.config
    rng = np.random.default_rng(cfg.seed)
    x, y = spiral(500, 3, rng)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]

    w1 = rng.normal(0, 1.0, (2, cfg.hidden)).astype(np.float32)
    b1 = np.zeros(cfg.hidden, np.float32)
    w2 = rng.normal(0, 0.1, (cfg.hidden, 3)).astype(np.float32)
    b2 = np.zeros(3, np.float32)

    def forward(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hidden = np.maximum(0, inputs @ w1 + b1)
        logits = hidden @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return hidden, probs / probs.sum(axis=1, keepdims=True)

    wandb.define_metric("epoch")
    wandb.define_metric("val/*", step_metric="epoch")
    wandb.define_metric("val/acc", step_metric="epoch", summary="max", goal="maximize")
    wandb.define_metric("train/loss", summary="min")

    for epoch in range(cfg.epochs):
        perm = rng.permutation(len(x_train))
        for start in range(0, len(perm), cfg.batch_size):
            idx = perm[start : start + cfg.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            hidden, probs = forward(xb)
            loss = -np.log(probs[np.arange(len(yb)), yb] + 1e-9).mean()
            grad = probs.copy()
            grad[np.arange(len(yb)), yb] -= 1
            grad /= len(yb)
            dw2, db2 = hidden.T @ grad, grad.sum(0)
            dh = grad @ w2.T * (hidden > 0)
            dw1, db1 = xb.T @ dh, dh.sum(0)
            for p, g in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
                p -= cfg.lr * g
            wandb.log({
                "train/loss": loss,  # a numpy float: converted, not refused
                "train/acc": float((probs.argmax(1) == yb).mean()),
                "train/grad_norm": float(np.sqrt(sum((g**2).sum() for g in (dw1, db1, dw2, db2)))),
            })  # fmt: skip
        _, val_probs = forward(x_val)
        val_loss = float(-np.log(val_probs[np.arange(len(y_val)), y_val] + 1e-9).mean())
        val_acc = float((val_probs.argmax(1) == y_val).mean())
        wandb.log({"epoch": epoch, "val/loss": val_loss, "val/acc": val_acc})
        print(f"epoch {epoch:3d}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")

    run.summary["final_val_acc"] = val_acc
    wandb.finish()
    where = run.dir if args.offline else f"{run.settings.base_url} (project quickstart, run {run.id})"
    print(f"done: {where}")


if __name__ == "__main__":
    main()
