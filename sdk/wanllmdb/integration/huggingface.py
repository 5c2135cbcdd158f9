"""Hugging Face Transformers: a ``TrainerCallback`` that does what HF's own ``WandbCallback``
(``report_to="wandb"``) does, passed as ``Trainer(..., callbacks=[WanllmdbCallback()])`` (also exported
under HF's name, ``WandbCallback``). Set ``report_to="none"`` so that HF adds no callbacks of its own.

- The run: the active one when there is one (``wanllmdb.init()`` before training), else one it starts
  (project ``WANLLMDB_PROJECT``/``WANDB_PROJECT``, else ``huggingface``; name ``args.run_name``). It
  finishes only runs it started, and only where HF's does: when a hyper-parameter search moves to the
  next trial. Each trial gets its own run, grouped by ``args.run_name`` (or ``output_dir``) and named
  by ``hyperparameter_search(hp_name=)`` when given; the last one, like any run, finishes with the
  process or ``wanllmdb.finish()``. So ``train()`` -> ``evaluate()`` -> ``train()`` logs into one run.
- Config: the model config, then ``TrainingArguments.to_dict()`` over it, and ``model/num_parameters``.
- Every ``on_log``: HF's ``rewrite_logs`` keys (``train/loss``, ``eval/loss``, ``test/...``) and
  ``train/global_step``, the step metric of every key (``define_metric("*", step_metric=...)``); the
  end-of-training scalars (``train_runtime``, ``train_loss``, ``total_flos``, ...) go to the summary.
  ``predict()``'s metrics are logged too.
- ``WANLLMDB_LOG_MODEL`` (or ``WANDB_LOG_MODEL``) ``end``: the model architecture as ``model-<run id>``
  with alias ``base_model`` at the start, and the trained model (``save_pretrained``) with alias
  ``final_model`` at the end; ``checkpoint``: also every checkpoint HF saves, with aliases
  ``epoch_<epoch>`` and ``checkpoint_global_step_<step>``. The name is ``model-<run name>`` when
  ``args.run_name`` is set. Uploads run on the SDK's thread; a server that is down spools them.
- ``WANLLMDB_WATCH`` (or ``WANDB_WATCH``) ``gradients``/``parameters``/``all``: ``wanllmdb.watch``
  of the model every ``max(100, logging_steps)`` steps.

Only the main process (``state.is_world_process_zero``) logs; the other ranks do nothing.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import secrets
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.integration._framework import Supported, config_values, require_framework

transformers = require_framework(
    "transformers", integration="huggingface", extra="huggingface", supported=Supported((4, 40), (6,))
)

import wanllmdb  # noqa: E402
from wanllmdb.errors import CommError, InvalidValue  # noqa: E402
from wanllmdb.termlog import termwarn  # noqa: E402

if TYPE_CHECKING:
    from wanllmdb.run import Run

__all__ = ["SINGLE_VALUE_SCALARS", "WandbCallback", "WanllmdbCallback", "log_model_setting", "rewrite_logs"]

# Logged once, at the end of training: summary values, not history (HF's list).
SINGLE_VALUE_SCALARS = frozenset(
    {"train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos"}
)
_LOG_MODEL = ("end", "checkpoint")
_WATCH = ("gradients", "parameters", "all")


def _env(name: str, default: str) -> str:
    """Ours first, then wandb's name for the same setting (HF's scripts set ``WANDB_*``)."""
    return os.environ.get(f"WANLLMDB_{name}") or os.environ.get(f"WANDB_{name}") or default


def log_model_setting() -> str:
    """``end``, ``checkpoint`` or ``false``, from ``WANLLMDB_LOG_MODEL``/``WANDB_LOG_MODEL``. HF before
    v4.34 took a true value for ``end``; anything else unknown disables it, with HF's warning."""
    value = _env("LOG_MODEL", "false").strip().lower()
    if value in ("true", "1", "yes"):
        termwarn(f"LOG_MODEL={value} is deprecated in transformers; logging the model at the end ('end')")
        return "end"
    if value not in (*_LOG_MODEL, "false", "0", "no", ""):
        termwarn(f"unrecognized LOG_MODEL={value!r} (use 'end', 'checkpoint' or 'false'): not logging models")
    return value if value in _LOG_MODEL else "false"


def rewrite_logs(logs: Mapping[str, Any]) -> dict[str, Any]:
    """HF's keys: ``eval_loss`` -> ``eval/loss``, ``test_acc`` -> ``test/acc``, anything else under
    ``train/``."""
    out: dict[str, Any] = {}
    for key, value in logs.items():
        if key.startswith("eval_"):
            out["eval/" + key[5:]] = value
        elif key.startswith("test_"):
            out["test/" + key[5:]] = value
        else:
            out["train/" + key] = value
    return out


class WanllmdbCallback(transformers.TrainerCallback):  # type: ignore[misc,name-defined]
    """HF's ``WandbCallback`` for wanllmdb. ``init_kwargs`` (not in HF's): ``wanllmdb.init()``
    arguments for a run the callback starts (``project=``, ``settings=``, ``tags=``, ...)."""

    def __init__(self, **init_kwargs: Any) -> None:
        self._init_kwargs = init_kwargs
        self._log_model = log_model_setting()
        self._run: Run | None = None
        self._owns_run = False

    # -- the run ---------------------------------------------------------------------------------------
    def setup(self, args: Any, state: Any, model: Any, **kwargs: Any) -> None:
        """Take the active run (or start one), then log the config; HF's method, overridable."""
        search = bool(state.is_hyper_param_search)
        run = wanllmdb.run
        self._owns_run = run is None
        if run is None:
            names: dict[str, Any] = {}
            if search:  # a trial: named by hyperparameter_search(hp_name=...) when given
                names = {"group": args.run_name or args.output_dir}
                if state.trial_name is not None:
                    names["name"] = state.trial_name
            elif args.run_name is not None:
                names = {"name": args.run_name}
            project = _env("PROJECT", "huggingface")
            run = wanllmdb.init(**{"project": project, **names, **self._init_kwargs})
        elif search:
            termwarn(
                f"a trial is logged into run {run.id}, which this callback did not start: "
                "without a run of your own, each trial gets its own"
            )
        self._run = run

        combined = {**_model_config(model), **args.to_dict()}
        peft = getattr(model, "peft_config", None)
        if peft is not None:
            combined["peft_config"] = {
                k: v.to_dict() if hasattr(v, "to_dict") else v for k, v in peft.items()
            }
        run.config.update(config_values(combined), allow_val_change=True)
        if hasattr(model, "num_parameters"):
            run.config.update({"model/num_parameters": model.num_parameters()}, allow_val_change=True)
        run.define_metric("train/global_step")
        run.define_metric("*", step_metric="train/global_step", step_sync=True)

        watch = _env("WATCH", "false")
        if watch in _WATCH and model is not None:
            with contextlib.suppress(InvalidValue):  # the user watched it already: theirs stands
                run.watch(model, log=watch, log_freq=max(100, args.logging_steps))
        if self._log_model in _LOG_MODEL and model is not None:
            architecture = {"model_config": _model_config(model) or None, "initial_model": True}
            architecture["num_parameters"] = run.config.get("model/num_parameters")
            self._log_model_dir(
                args,
                lambda folder: _save_architecture(model, folder),
                "base",
                aliases=["base_model"],
                metadata=architecture,
            )

    def _active(self, args: Any, state: Any, model: Any) -> Run:
        """The run to log to: ours while it is the active one; once it is finished (or another replaced
        it), the active one again, or a new one."""
        if self._run is None or self._run is not wanllmdb.run:
            self.setup(args, state, model)
        assert self._run is not None
        return self._run

    def _finish_own_run(self) -> None:
        if self._run is not None and self._owns_run:
            self._run.finish()
        self._run = None

    # -- TrainerCallback events ------------------------------------------------------------------------
    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        if state.is_hyper_param_search:  # a new trial: its own run
            self._finish_own_run()
        self._active(args, state, model)

    def on_log(
        self, args: Any, state: Any, control: Any, model: Any = None, logs: Any = None, **kwargs: Any
    ) -> None:
        if not state.is_world_process_zero or not logs:
            return
        run = self._active(args, state, model)
        row: dict[str, Any] = {}
        for key, value in logs.items():
            if key in SINGLE_VALUE_SCALARS:
                run.summary[key] = value
            else:
                row[key] = value
        run.log({**rewrite_logs(row), "train/global_step": state.global_step})

    def on_predict(self, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> None:
        if state.is_world_process_zero and metrics:
            self._active(args, state, kwargs.get("model")).log(rewrite_logs(metrics))

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._log_model != "checkpoint" or not state.is_world_process_zero or self._run is None:
            return
        checkpoint = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if not checkpoint.is_dir():
            return
        metadata = _numeric_summary(self._run)
        metadata["model/num_parameters"] = self._run.config.get("model/num_parameters")
        self._log_model_dir(
            args,
            lambda folder: shutil.copytree(checkpoint, folder, copy_function=_link_or_copy),
            checkpoint.name,
            aliases=[f"epoch_{round(state.epoch or 0, 2)}", f"checkpoint_global_step_{state.global_step}"],
            metadata=metadata,
        )

    def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if self._log_model not in _LOG_MODEL or not state.is_world_process_zero or self._run is None:
            return
        if args.load_best_model_at_end:
            metadata: dict[str, Any] = {
                f"eval/{args.metric_for_best_model}": state.best_metric,
                "train/total_floss": state.total_flos,  # HF's key, typo included
                "model/num_parameters": self._run.config.get("model/num_parameters"),
            }
        else:
            metadata = _numeric_summary(self._run)
        metadata["final_model"] = True
        processor = kwargs.get("processing_class") or kwargs.get("tokenizer")  # HF < 4.46: tokenizer
        self._log_model_dir(
            args,
            lambda folder: _save_model(model, processor, folder),
            f"final-step-{state.global_step}",
            aliases=["final_model"],
            metadata=metadata,
        )

    # -- model artifacts -------------------------------------------------------------------------------
    def _log_model_dir(
        self,
        args: Any,
        fill: Callable[[Path], Any],
        folder_name: str,
        *,
        aliases: list[str],
        metadata: dict[str, Any],
    ) -> None:
        """``fill(folder)`` writes the files; they are logged as the ``model`` artifact ``model-<run>``."""
        from wanllmdb.artifacts import Artifact

        run = self._run
        if run is None or run.mode == "disabled" or run.dir is None:
            return
        # Under the run's folder, so the files outlive this call (the upload reads them on the SDK's
        # thread) and a checkpoint HF rotates away meanwhile is still whole: its files are hard links.
        # A folder of its own per call: training twice ends at the same step, and the first model's
        # upload may still be reading its folder when the second is saved.
        folder = Path(run.dir) / "models" / f"{folder_name}-{secrets.token_hex(4)}"
        folder.parent.mkdir(parents=True, exist_ok=True)
        fill(folder)
        named_by_run = args.run_name is not None and args.run_name != args.output_dir
        name = f"model-{_artifact_safe(run.name or run.id) if named_by_run else run.id}"
        artifact = Artifact(name, type="model", metadata=config_values(metadata))
        artifact.add_dir(str(folder))
        try:  # versions of one name commit in call order (the SDK's): final_model lands on the last
            run.log_artifact(artifact, aliases=aliases)
        except CommError as exc:
            termwarn(f"model {name} was not logged, the server could not be reached: {exc}")


WandbCallback = WanllmdbCallback  # HF's and wandb's name


def _model_config(model: Any) -> dict[str, Any]:
    config = getattr(model, "config", None)
    if config is None:
        return {}
    return dict(config) if isinstance(config, dict) else dict(config.to_dict())


def _numeric_summary(run: Run) -> dict[str, Any]:
    return {
        k: v
        for k, v in run.summary.items()
        if isinstance(v, numbers.Number) and not isinstance(v, bool) and not k.startswith("_")
    }


def _save_architecture(model: Any, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model_architecture.txt").write_text(f"{model}\n", encoding="utf-8")


def _save_model(model: Any, processor: Any, folder: Path) -> None:
    """What ``Trainer.save_model`` writes: ``save_pretrained`` (config and safetensors weights), else
    the state dict as ``model.safetensors``; the tokenizer/processor beside it; the architecture."""
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "save_pretrained"):
        model.save_pretrained(str(folder))
    else:
        from safetensors.torch import save_model

        save_model(model, str(folder / "model.safetensors"))
    if processor is not None and hasattr(processor, "save_pretrained"):
        processor.save_pretrained(str(folder))
    _save_architecture(model, folder)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, dst)


def _artifact_safe(name: str) -> str:
    """An artifact name from a run name: '/', ':' and '#' separate parts of artifact paths."""
    return "".join("-" if c in "/:#" else c for c in name)
