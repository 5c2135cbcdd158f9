"""``setup_wanllmdb``: the run of a Tune trial or a Ray Train worker, named after it, finished with it."""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ray import train as ray_train
from ray import tune as ray_tune

import wanllmdb
from wanllmdb.integration._framework import config_values
from wanllmdb.integration.ray._results import clean_log
from wanllmdb.settings import explicit_fields

if TYPE_CHECKING:
    from wanllmdb.run import Run

__all__ = ["api_key_from", "setup_wandb", "setup_wanllmdb"]


@dataclass(frozen=True)
class _RayContext:
    trial_id: str | None = None
    trial_name: str | None = None
    experiment_name: str | None = None
    world_rank: int | None = None


def _ray_context() -> _RayContext:
    """Where the caller runs. A Tune trainable: Ray Train (v2) refuses ``ray.train.get_context()`` there
    and points to ``ray.tune``'s. A Ray Train v2 worker: no trial (Ray deprecated it), a world rank.
    Anywhere else: Nones (Ray's getters warn and return None outside a session: silenced here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            context: Any = ray_train.get_context()
        except (DeprecationWarning, RuntimeError):
            tune_context = getattr(ray_tune, "get_context", None)  # Ray >= 2.10; 2.9 has train's only
            context = tune_context() if tune_context is not None else None
        if context is None:
            return _RayContext()
        rank = _ask(context, "get_world_rank")
        return _RayContext(
            trial_id=_ask(context, "get_trial_id"),
            trial_name=_ask(context, "get_trial_name"),
            experiment_name=_ask(context, "get_experiment_name"),
            world_rank=int(rank) if rank is not None else None,
        )


def _ask(context: Any, getter: str) -> Any:
    """A context value, or None where this Ray or this kind of worker does not have it."""
    try:
        return getattr(context, getter)()
    except (AttributeError, DeprecationWarning, RuntimeError):
        return None


def setup_wanllmdb(
    config: dict[str, Any] | None = None,
    api_key: str | None = None,
    api_key_file: str | None = None,
    rank_zero_only: bool = True,
    **kwargs: Any,
) -> Run:
    """Ray's ``setup_wandb``: the run of the calling trial or Ray Train worker. ``kwargs`` go to
    ``wanllmdb.init()`` and win over the defaults (``trial_id``/``trial_name``/``group``, as Ray's,
    and ``project``, ``settings``, ``mode``, ...)."""
    context = _ray_context()
    active = wanllmdb.run
    if rank_zero_only and context.world_rank not in (None, 0):
        if active is not None and active.mode == "disabled" and not active._closed:
            return active
        return wanllmdb.init(mode="disabled")  # Ray's no-op run: the other ranks log nothing

    run_id = kwargs.pop("trial_id", None) or context.trial_id
    name = kwargs.pop("trial_name", None) or context.trial_name
    settings = explicit_fields(kwargs.pop("settings", None))
    key = api_key_from(api_key, api_key_file)
    if key is not None:
        settings["api_key"] = key
    init_kwargs: dict[str, Any] = {
        "id": run_id,
        "name": name,
        "group": kwargs.pop("group", None) or context.experiment_name,
        "config": config_values(clean_log(dict(config or {}))),
        # "allow": a trial restored from a checkpoint, or a second setup call in a fresh worker,
        # continues the trial's run rather than failing on an id that exists.
        "resume": "allow",
        "allow_val_change": True,
        "settings": settings,
        **kwargs,
    }
    # Idempotent: the trial's run when it is the active one. A reused worker still holding an earlier
    # trial's run finishes it (Ray passes reinit=True for the same reason).
    wanted = init_kwargs["id"]
    if active is not None and not active._closed and (wanted is None or active.id == wanted):
        return active
    run = wanllmdb.init(reinit="finish_previous", **init_kwargs)
    _finish_when_done(run, threading.current_thread())
    return run


def _finish_when_done(run: Run, trainer: threading.Thread) -> None:
    """Finish ``run`` when the thread running the trial's function ends, before Ray stops the worker.

    Tune runs the function in a thread of the trial's worker and, once it returned, stops the worker
    without Python's exit: no atexit hook runs, so a run the function left open would lose its last
    buffered rows and stay "running" (wandb's separate service process hides this from Ray's
    ``setup_wandb``). Two pieces, both no-ops when the function finished the run itself:

    - the finisher, a ``threading.local`` value of the function's thread: CPython releases those while
      it tears the thread down, before ``join()``/``is_alive()`` report the thread ended. A function
      that raised has just queued its error for Tune, which reads it only once the thread has ended:
      the run finishes ``failed``, and Tune waits for it.
    - a function that returned waits in Tune's last report until the worker's ``stop()`` releases it;
      ``stop()`` then calls the session's ``finish()``, which here also waits (bounded) for the thread,
      and so for the finisher.
    """
    if trainer is threading.main_thread() or run.mode == "disabled":
        return  # the process's own exit finishes it (the SDK's atexit hook)
    _thread_runs.finisher = _Finisher(run, trainer)
    session = _tune_session()
    if session is None:
        return
    # A worker Tune reuses for the next trial keeps its session: the wait is on the latest thread.
    already = hasattr(session, "_wanllmdb_trainer")
    session._wanllmdb_trainer = (trainer, run.settings.finish_timeout_s + run.settings.init_timeout_s + 5)
    if already:
        return
    release = session.finish

    def finish_then_wait(*args: Any, **kwargs: Any) -> Any:
        try:
            return release(*args, **kwargs)
        finally:
            thread, bound = session._wanllmdb_trainer
            thread.join(timeout=bound)

    session.finish = finish_then_wait


def _tune_session() -> Any:
    """Ray Tune's session of this worker (the object Ray's own ``setup_wandb`` reads), or None."""
    try:
        from ray.train._internal.session import get_session
    except ImportError:
        return None
    return get_session()


class _Finisher:
    def __init__(self, run: Run, trainer: threading.Thread) -> None:
        self._run, self._trainer = run, trainer

    def __del__(self) -> None:
        if self._run._closed:
            return
        errors = getattr(self._trainer, "_error_queue", None)  # Ray's RunnerThread; absent elsewhere
        self._run.finish(exit_code=1 if errors is not None and not errors.empty() else 0)


_thread_runs = threading.local()


setup_wandb = setup_wanllmdb  # Ray's name


def api_key_from(api_key: str | None, api_key_file: str | None) -> str | None:
    """Ray's rule: one of the two, the file's first line; None leaves the SDK's own lookup (environment,
    ``wanllmdb login``, the local server's key)."""
    if api_key_file:
        if api_key:
            raise ValueError("Both `api_key_file` and `api_key` set.")
        with open(os.path.expanduser(api_key_file), encoding="utf-8") as fp:
            return fp.readline().strip()
    return api_key or None
