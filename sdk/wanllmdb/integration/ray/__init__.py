"""Ray Tune and Ray Train: what ``ray.air.integrations.wandb`` does, for wanllmdb.

- ``setup_wanllmdb(config)``, Ray's ``setup_wandb``, inside a Tune trainable or a Ray Train worker: the
  run's id is the trial id, its name the trial name and its group the experiment name (read from
  ``ray.tune.get_context()`` / ``ray.train.get_context()``), its config ``config``. Calling it again in
  the same trial returns the same run; a worker that Tune reuses for the next trial finishes the old
  trial's run first; the run finishes when the trial's function ends (``failed`` when it raised),
  even if the function never calls ``finish()`` (``_setup._finish_when_done`` says how). With
  ``rank_zero_only`` (the default), Ray Train workers other than rank 0 get a disabled run.
- ``WanllmdbLoggerCallback``, Ray's ``WandbLoggerCallback`` (also exported under that name), a Tune
  ``LoggerCallback``: one run per trial, grouped by the experiment, with Ray's arguments and keys. Every
  reported result is one step (``training_iteration``); Ray's auto-filled ``trial_id``, ``date``,
  ``hostname``, ... go to the config, ``done`` and ``should_checkpoint`` nowhere, values that are not
  numbers or media are dropped, as in Ray. A trial that errors finishes ``failed`` (exit code 1).
  ``upload_checkpoints=True`` logs each checkpoint folder as the ``model`` artifact
  ``checkpoint_<trial name>``.

Why one process per trial: the SDK keeps one run per process (``init(reinit="create_new")`` is refused),
so, as Ray's own callback does, each trial logs from a Ray actor of its own (no CPU reserved, pinned to
the driver's node). The driver's calls to it are fire-and-forget and ordered; the actor's ``log()`` is
the SDK's buffer append, uploads run on its threads. Settings reach the actors as ``WANLLMDB_*``
environment variables copied from the driver (``runtime_env``), plus ``api_key``/``api_key_file``.
"""

from __future__ import annotations

from wanllmdb.integration._framework import Supported, require_framework

# Before the modules below import Ray's: a missing or unsupported Ray is named with the extra to install.
require_framework("ray", integration="ray", extra="ray", supported=Supported((2, 9), (3,)))

from wanllmdb.integration.ray._callback import WandbLoggerCallback, WanllmdbLoggerCallback  # noqa: E402
from wanllmdb.integration.ray._setup import setup_wandb, setup_wanllmdb  # noqa: E402

__all__ = ["WandbLoggerCallback", "WanllmdbLoggerCallback", "setup_wandb", "setup_wanllmdb"]
