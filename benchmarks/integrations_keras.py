"""Issue 20 benchmark: per-step overhead of wanllmdb.integration.keras' WandbMetricsLogger on Keras 3 / JAX
(CPU), against the same fit without it, measured in the same process and the same offline run.

    KERAS_BACKEND=jax python benchmarks/integrations_keras.py [--rounds 25] [--repeats 30]

An MLP (20-256-256-1, batch 256, MSE with MAE as a metric) fits ``--rounds`` steps per fit, the same
model for every variant (Keras compiles its train step once), four ways in turn, the order rotating
(benchmarks/integrations.py's ``bench_callback``): without the callback, without it again (the noise
floor), with a no-op callback, and with ours. Only ``on_train_begin`` to ``on_train_end`` is timed.

- ``batch``: ``WandbMetricsLogger(log_freq="batch")``, a ``log()`` per step: the worst case. Its no-op
  callback defines an empty ``on_train_batch_end``, which is what costs most: Keras then converts each
  step's logs to Python numbers on the training loop (on JAX, a wait for the step) rather than on its
  worker threads.
- ``epoch``: ``WandbMetricsLogger()`` (the default), one ``log()`` per epoch of 5 steps; it declares
  itself ``async_safe``, so the steps run as without it. Its no-op callback is an empty ``Callback``.
- ``checkpoint``: ``WandbModelCheckpoint`` saving a ``.keras`` file each 5-step epoch and logging it
  (spooled: offline run), against Keras' own ``ModelCheckpoint`` as the no-op; the difference is the
  copy and the ``log_artifact`` call.

"in the callback" is the time inside our callback's methods per step, as a share of the baseline step.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")  # before keras is imported; TensorFlow is not needed

sys.path.insert(0, str(Path(__file__).resolve().parent))
from integrations import CallTimer, Trainer, bench_callback, data, offline_run

BATCH = 256
EPOCH_STEPS = 5


def per_step(timer: CallTimer, obj: Any, method: str, steps: int) -> None:
    """Time ``method``, called once every ``steps`` steps, counting each call as ``steps`` rounds: the
    figure printed is then the time in the callback per step."""
    timer.wrap(obj, method)
    inner = getattr(obj, method)

    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            return inner(*args, **kwargs)
        finally:
            timer.calls += steps - 1

    setattr(obj, method, counted)


def keras_trainer(mode: str) -> Any:
    def make(rows: int, rounds: int, timer: CallTimer) -> Trainer:
        import keras

        from wanllmdb.integration.keras import WandbMetricsLogger, WandbModelCheckpoint

        keras.utils.set_random_seed(0)
        xt, yt, _, _ = data(rounds * BATCH * 2)  # the first 4/5 are the training rows
        xt, yt = xt[: rounds * BATCH].astype("float32"), yt[: rounds * BATCH].astype("float32")
        model = keras.Sequential(
            [
                keras.Input((20,)),
                keras.layers.Dense(256, activation="relu"),
                keras.layers.Dense(256, activation="relu"),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
        folder = tempfile.mkdtemp(prefix="bench-keras-")
        atexit.register(shutil.rmtree, folder, True)

        class Loop(keras.callbacks.Callback):  # type: ignore[misc]
            """Times the training loop, in every variant alike."""

            def on_train_begin(self, logs: Any = None) -> None:
                self.start = time.perf_counter()

            def on_train_end(self, logs: Any = None) -> None:
                self.seconds = time.perf_counter() - self.start

        class NoOpBatch(keras.callbacks.Callback):  # type: ignore[misc]
            def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                pass

        def run(variant: str) -> float:
            loop = Loop()
            callbacks: list[Any] = [loop]
            if variant == "no-op":
                if mode == "batch":
                    callbacks.append(NoOpBatch())
                elif mode == "epoch":
                    callbacks.append(keras.callbacks.Callback())
                else:
                    callbacks.append(keras.callbacks.ModelCheckpoint(f"{folder}/plain.keras"))
            if variant == "wanllmdb":
                if mode == "checkpoint":
                    ours: Any = WandbModelCheckpoint(f"{folder}/ours.keras")
                    # Keras' own save is in both variants: time what we add, the copy and the log.
                    per_step(timer, ours, "_log_ckpt_as_artifact", EPOCH_STEPS)
                elif mode == "epoch":
                    ours = WandbMetricsLogger()
                    per_step(timer, ours, "on_epoch_end", EPOCH_STEPS)
                else:
                    ours = WandbMetricsLogger(log_freq="batch")
                    timer.wrap(ours, "on_train_batch_end")
                callbacks.append(ours)
            epochs = 1 if mode == "batch" else rounds // EPOCH_STEPS
            steps = rounds if mode == "batch" else EPOCH_STEPS
            model.fit(
                xt, yt, batch_size=BATCH, epochs=epochs, steps_per_epoch=steps, verbose=0, callbacks=callbacks
            )
            return float(loop.seconds)

        return run

    return make


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["batch", "epoch", "checkpoint"])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    import keras

    run_dir = tempfile.mkdtemp(prefix="bench-integrations-keras-")
    atexit.register(shutil.rmtree, run_dir, True)  # the spooled checkpoints: about 30 MB
    run = offline_run(run_dir)
    print(
        f"keras {keras.__version__} on {keras.backend.backend()}, {args.rounds} steps x {args.repeats} fits"
    )
    for mode in ("batch", "epoch", "checkpoint"):
        if args.only in (None, mode):
            bench_callback(f"keras ({mode})", keras_trainer(mode), 0, args.rounds, args.repeats)
    run.finish()


if __name__ == "__main__":
    main()
