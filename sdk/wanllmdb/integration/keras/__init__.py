"""Keras 3: wandb's three callbacks for ``model.fit(..., callbacks=[...])``, on any backend (JAX, PyTorch
or TensorFlow; with no TensorFlow installed, set ``KERAS_BACKEND=jax`` or ``torch``).

- ``WandbMetricsLogger``: Keras' logs as ``epoch/<metric>`` (and ``batch/<metric>``), with the learning
  rate, against ``epoch/epoch`` (``batch/batch_step``).
- ``WandbModelCheckpoint``: Keras' ``ModelCheckpoint``; each saved file is a ``model`` artifact
  ``run_<run id>_model`` aliased ``latest`` and ``epoch_<n>`` (and ``best`` under ``save_best_only``).
- ``WandbEvalCallback``: the base of callbacks that log a data table once and a prediction table per
  epoch, as artifacts.

Importing this without keras names the extra (``FrameworkMissing``); with keras outside >=3.0,<4, the
range (``FrameworkVersionUnsupported``); with keras but not its backend, ``KerasBackendMissing`` says
to set ``KERAS_BACKEND``.
"""

from wanllmdb.integration.keras._keras import KerasBackendMissing
from wanllmdb.integration.keras.metrics_logger import WandbMetricsLogger
from wanllmdb.integration.keras.model_checkpoint import WandbModelCheckpoint
from wanllmdb.integration.keras.tables_builder import WandbEvalCallback

__all__ = ["KerasBackendMissing", "WandbEvalCallback", "WandbMetricsLogger", "WandbModelCheckpoint"]
