"""``WanllmdbLoggerCallback``: Ray's ``WandbLoggerCallback``, a run per trial, each logged from a Ray actor
of its own (the SDK keeps one run per process)."""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import pyarrow.fs
import ray
from ray.tune.logger import LoggerCallback
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

import wanllmdb
from wanllmdb.errors import CommError
from wanllmdb.integration._framework import config_values
from wanllmdb.integration.ray._results import clean_log, split_result
from wanllmdb.integration.ray._setup import api_key_from
from wanllmdb.settings import ENVIRONMENT
from wanllmdb.termlog import termwarn

if TYPE_CHECKING:
    from ray.tune.experiment import Trial

__all__ = ["DEFAULT_UPLOAD_TIMEOUT", "WandbLoggerCallback", "WanllmdbLoggerCallback"]

TRAINING_ITERATION = "training_iteration"  # ray.air.constants: Tune's step counter
DEFAULT_UPLOAD_TIMEOUT = 1800  # Ray's DEFAULT_SYNC_TIMEOUT, the default of WandbLoggerCallback's


class _TrialLogger:
    """One trial's run, in a Ray actor of its own (see the module docstring for why a process)."""

    def __init__(self, logdir: str | None, exclude: list[str], to_config: list[str], **init_kwargs: Any):
        self._exclude, self._to_config = frozenset(exclude), frozenset(to_config)
        self._trial_name = init_kwargs.get("name") or "unknown"
        self._run = wanllmdb.init(**init_kwargs)
        self._config: dict[str, Any] = {}
        if logdir is not None:
            self._run.config.update({"trial_log_path": logdir}, allow_val_change=True)

    def log(self, result: dict[str, Any]) -> None:
        row, config_update = split_result(result, self._exclude, self._to_config)
        # Ray updates the config with every result; only what changed is sent (a config update is an
        # upload of the whole config, a row is a buffer append).
        changed = {k: v for k, v in config_update.items() if self._config.get(k, self) != v}
        if changed:
            self._config.update(changed)
            self._run.config.update(config_values(changed), allow_val_change=True)
        self._run.log(row, step=row.get(TRAINING_ITERATION))

    def log_checkpoint(self, path: str) -> None:
        artifact = wanllmdb.Artifact(f"checkpoint_{self._trial_name}", type="model")
        artifact.add_dir(path)
        try:
            self._run.log_artifact(artifact)
        except CommError as exc:
            termwarn(f"checkpoint {path} was not logged, the server could not be reached: {exc}")

    def finish(self, exit_code: int) -> bool:
        """Finish the run; True when everything reached the server (else it waits in the spool)."""
        self._run.finish(exit_code=exit_code)
        return bool(self._run.synced)


class WanllmdbLoggerCallback(LoggerCallback):  # type: ignore[misc]
    """Ray's ``WandbLoggerCallback``: a run per trial, grouped by ``group`` (default: the experiment's
    folder name). ``kwargs`` go to ``wanllmdb.init()`` (``settings=``, ``tags=``, ``dir=``, ...)."""

    _exclude_results = ["done", "should_checkpoint"]  # never logged
    AUTO_CONFIG_KEYS = ["trial_id", "experiment_tag", "node_ip", "experiment_id", "hostname", "pid", "date"]
    """Results that go to the run's config, not its history (Ray's list)."""

    _logger_actor_cls = _TrialLogger

    def __init__(
        self,
        project: str | None = None,
        group: str | None = None,
        api_key_file: str | None = None,
        api_key: str | None = None,
        excludes: list[str] | None = None,
        log_config: bool = False,
        upload_checkpoints: bool = False,
        save_checkpoints: bool = False,
        upload_timeout: int = DEFAULT_UPLOAD_TIMEOUT,
        video_kwargs: dict[str, Any] | None = None,
        image_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if save_checkpoints:
            warnings.warn(
                "`save_checkpoints` is deprecated. Use `upload_checkpoints` instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            upload_checkpoints = True
        self.project, self.group = project, group
        self.api_key_path, self.api_key = api_key_file, api_key
        self.excludes = list(excludes or [])
        self.log_config, self.upload_checkpoints = log_config, upload_checkpoints
        self._upload_timeout = upload_timeout
        self.video_kwargs, self.image_kwargs = video_kwargs or {}, image_kwargs or {}
        self.kwargs = kwargs
        self._env: dict[str, str] = {}
        self._remote_logger_class: Any = None
        self._trial_logging_actors: dict[Trial, Any] = {}
        self._trial_logging_futures: dict[Trial, Any] = {}
        self._logging_future_to_trial: dict[Any, Trial] = {}

    def setup(self, *args: Any, **kwargs: Any) -> None:
        # The actors see the driver's WANLLMDB_* settings even when they were set after ray.init().
        self._env = {name: os.environ[name] for name in ENVIRONMENT if os.environ.get(name)}
        # Runs go where a plain script's would (./wanllmdb/ of the driver, where `wanllmdb sync` finds
        # a spool), not into Ray's session folder under /tmp/ray, which Ray may clean away.
        self._env.setdefault("WANLLMDB_DIR", os.getcwd())
        key = api_key_from(self.api_key, self.api_key_path)
        if key is not None:
            self._env["WANLLMDB_API_KEY"] = key

    def log_trial_start(self, trial: Trial) -> None:
        config = dict(trial.config)
        config.pop("callbacks", None)
        exclude = [*self._exclude_results, *self.excludes, *([] if self.log_config else ["config"])]
        config = {k: v for k, v in clean_log(config).items() if k not in self.excludes}
        init_kwargs: dict[str, Any] = {
            "id": trial.trial_id,
            "name": str(trial),
            # "allow": a trial Tune restarts after a failure continues its run (Ray passes resume=False:
            # its restarted trials reuse a live actor, which an errored trial no longer has here).
            "resume": "allow",
            "allow_val_change": True,
            "group": self.group or trial.experiment_dir_name,
            "project": self.project,
            "config": config_values(config),
            **self.kwargs,
        }
        self._start_logging_actor(trial, exclude, **init_kwargs)

    def _start_logging_actor(self, trial: Trial, exclude: list[str], **init_kwargs: Any) -> None:
        if trial in self._trial_logging_actors:
            finishing = self._trial_logging_futures.get(trial)
            if finishing is None:  # a restored trial whose actor still runs: reuse it
                return
            # A trial Tune restarts after it ended: its run finishes before the actor that resumes it starts.
            ray.wait([finishing], timeout=self._upload_timeout)
            self._cleanup_logging_actor(trial)
        if self._remote_logger_class is None:
            # Ray's stubs leave NodeAffinitySchedulingStrategy out of remote()'s overloads; Ray takes it.
            self._remote_logger_class = ray.remote(  # type: ignore[call-overload]
                num_cpus=0,  # logging must never take a CPU a trial waits for
                scheduling_strategy=NodeAffinitySchedulingStrategy(
                    ray.get_runtime_context().get_node_id(), soft=False
                ),  # the driver's node: checkpoint folders are local paths there
                runtime_env={"env_vars": self._env},
            )(self._logger_actor_cls)
        self._trial_logging_actors[trial] = self._remote_logger_class.remote(
            trial.local_path, exclude, self.AUTO_CONFIG_KEYS, **init_kwargs
        )

    def log_trial_result(self, iteration: int, trial: Trial, result: dict[str, Any]) -> None:
        if trial not in self._trial_logging_actors:
            self.log_trial_start(trial)
        cleaned = clean_log(result, video_kwargs=self.video_kwargs, image_kwargs=self.image_kwargs)
        self._trial_logging_actors[trial].log.remote(cleaned)

    def log_trial_save(self, trial: Trial) -> None:
        checkpoint = trial.checkpoint
        if not self.upload_checkpoints or checkpoint is None or trial not in self._trial_logging_actors:
            return
        # Ray's rule: only checkpoints on the local filesystem (cloud storage keeps its own copies).
        if isinstance(checkpoint.filesystem, pyarrow.fs.LocalFileSystem):
            self._trial_logging_actors[trial].log_checkpoint.remote(checkpoint.path)

    def log_trial_end(self, trial: Trial, failed: bool = False) -> None:
        actor = self._trial_logging_actors.get(trial)
        if actor is None or trial in self._trial_logging_futures:
            return
        future = actor.finish.remote(1 if failed else 0)
        self._trial_logging_futures[trial] = future
        self._logging_future_to_trial[future] = trial
        self._cleanup_logging_actors()

    def _cleanup_logging_actors(self, timeout: float = 0, kill_on_timeout: bool = False) -> None:
        """Release the actors whose run has finished; after ``timeout``, with ``kill_on_timeout``, the
        rest too (their unsent data stays in the trial's spool for ``wanllmdb sync``)."""
        futures = list(self._trial_logging_futures.values())
        if not futures:
            return
        done, remaining = ray.wait(futures, num_returns=len(futures), timeout=timeout)
        for future in done:
            trial = self._logging_future_to_trial[future]
            try:
                ray.get(future)
            except Exception as exc:  # a logger that failed must not fail the experiment
                termwarn(f"trial {trial}: its wanllmdb run did not finish cleanly: {exc}")
            self._cleanup_logging_actor(trial)
        if kill_on_timeout:
            for future in remaining:
                trial = self._logging_future_to_trial[future]
                termwarn(
                    f"trial {trial}: its wanllmdb run did not finish in {timeout} s; see `wanllmdb sync`"
                )
                self._cleanup_logging_actor(trial)

    def _cleanup_logging_actor(self, trial: Trial) -> None:
        self._logging_future_to_trial.pop(self._trial_logging_futures.pop(trial), None)
        ray.kill(self._trial_logging_actors.pop(trial))

    def on_experiment_end(self, trials: list[Trial], **info: Any) -> None:
        """Wait for the runs to finish (and their uploads), at most ``upload_timeout`` seconds."""
        for trial in list(self._trial_logging_actors):  # trials that ended without log_trial_end
            self.log_trial_end(trial)
        self._cleanup_logging_actors(timeout=self._upload_timeout, kill_on_timeout=True)

    def __del__(self) -> None:
        if not ray.is_initialized():
            return
        for trial in list(self._trial_logging_actors):
            self.log_trial_end(trial)
        self._cleanup_logging_actors(timeout=2, kill_on_timeout=True)


WandbLoggerCallback = WanllmdbLoggerCallback  # Ray's name
