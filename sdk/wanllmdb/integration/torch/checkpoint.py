"""``log_checkpoint()``: a PyTorch model's ``state_dict`` (``torch.save``) logged as a ``model`` artifact.

The file is written under the run's folder, in a folder of its own per call, so a later checkpoint of
the same name never overwrites one whose upload (on the SDK's thread, or ``wanllmdb sync`` offline) has
not read it yet. Logging never raises out of a training loop because the server is down: the artifact
is spooled, or warned about, as every integration's model (``_framework.log_model_file``).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from wanllmdb.errors import UsageError
from wanllmdb.integration._framework import active_run, log_model_file

if TYPE_CHECKING:
    from wanllmdb.artifacts import Artifact
    from wanllmdb.run import Run

__all__ = ["log_checkpoint", "log_checkpoint_file"]

# One folder per checkpoint logged by this process: models/<name>-<n>/<file>.
_SEQUENCE = itertools.count()


def _folder_of(name: str) -> str:
    return f"{name.replace(':', '_').replace('/', '_')}-{next(_SEQUENCE)}"


def log_checkpoint(
    model: nn.Module | Mapping[str, Any],
    name: str | None = None,
    aliases: Sequence[str] | None = None,
    *,
    metadata: dict[str, Any] | None = None,
    filename: str = "model.pt",
    run: Run | None = None,
) -> Artifact | None:
    """Save ``model.state_dict()`` (or a state dict you built: model, optimizer, epoch) with
    ``torch.save`` and log it as a ``model`` artifact ``name`` (default ``model-<run id>``) holding
    ``filename``, with ``aliases`` (``["best"]``; the server moves ``latest`` itself). Logs to ``run``,
    else the active run. Returns the artifact (``.wait()`` blocks until it is committed), or None when
    the run is disabled or the server could not be reached (warned about)."""
    if isinstance(model, nn.Module):
        state: Mapping[str, Any] = model.state_dict()
    elif isinstance(model, Mapping):
        state = model
    else:
        raise UsageError(
            f"log_checkpoint(): model should be a torch.nn.Module or a state dict, got {type(model).__name__}"
        )
    target = run if run is not None else active_run("log_checkpoint()")
    artifact_name = name or f"model-{target.id}"

    def save(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(dict(state), path)

    return log_model_file(
        target,
        save,
        f"{_folder_of(artifact_name)}/{filename}",
        artifact_name,
        aliases=list(aliases) if aliases else None,
        metadata=metadata,
    )


def log_checkpoint_file(
    run: Run,
    source: str | Path,
    name: str,
    aliases: Sequence[str] | None = None,
    *,
    metadata: dict[str, Any] | None = None,
    filename: str = "model.ckpt",
) -> Artifact | None:
    """A checkpoint file another library wrote (Lightning's ``ModelCheckpoint``), logged as the
    ``model`` artifact ``name`` holding ``filename``. It is copied first, on the calling thread, as
    wandb's ``add_file(policy="mutable")`` does: the library may overwrite (``last.ckpt``) or delete
    (``save_top_k``) it before the upload reads it."""

    def copy(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    return log_model_file(
        run,
        copy,
        f"{_folder_of(name)}/{filename}",
        name,
        aliases=list(aliases) if aliases else None,
        metadata=metadata,
    )
