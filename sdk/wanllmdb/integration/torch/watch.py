"""``watch()`` and ``unwatch()`` for PyTorch: parameter and gradient histograms every ``log_freq`` calls.

Sampling. One forward pre-hook per watched model counts its calls; an unsampled call costs that
increment and a modulo, nothing else. On every ``log_freq``-th call (wandb's count: the first
histograms come at call ``log_freq``):

- parameters are histogrammed right there, before the forward, at the run's current step;
- gradients: a ``register_post_accumulate_grad_hook`` goes on each parameter for that call's backward
  only. The first to fire queues an autograd final callback, which runs once the whole backward is
  done, histograms every gradient that arrived, and removes the hooks (also those that never fired:
  parameters the forward did not use). So an unsampled backward runs no hook of ours at all, where
  wandb keeps a hook on every gradient for the whole run. A sampled call without grad (an eval
  forward) leaves the hooks for the next call with grad;
- activations (``log_activations=True``, not in wandb): forward hooks on the leaf modules for that
  call only; each output is histogrammed as its module returns, before any in-place op can touch it.

The histograms (histograms.py) are queued on the tensors' device in one batched pass; the training
thread never waits for a result. A background thread waits for them (a CUDA event), builds the
histogram rows at the step of the capture, and hands them to the run's buffer as the media worker does.
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.hooks import RemovableHandle

from wanllmdb.data_types.base import describe
from wanllmdb.errors import InvalidValue
from wanllmdb.ingest.buffer import MediaRow
from wanllmdb.integration.torch.graph import module_graph
from wanllmdb.integration.torch.histograms import Pending, launch_histograms

__all__ = ["LOG_CHOICES", "Watcher"]

log = logging.getLogger("wanllmdb")

LOG_CHOICES = ("gradients", "parameters", "all", None)
ONCE_PER_MODEL = (
    "You can only call `watch` once per model. Pass a new instance of the model if you need to call "
    "watch again in your code (or unwatch() it first)."
)  # wandb's message, with our way out


@dataclass(frozen=True)
class _Capture:
    step: int
    ts_ms: int
    keys: list[str]
    pending: list[Pending]  # their histograms, in the order of ``keys``


def _histogrammable(t: Tensor) -> bool:
    return t.is_floating_point() and t.layout == torch.strided and not t.is_meta


class _Watched:
    """One watched model: its permanent pre-hook, and the hooks of the sample in progress."""

    def __init__(
        self, watcher: Watcher, module: nn.Module, prefix: str, *, log: str | None, freq: int, acts: bool
    ) -> None:
        self.watcher = watcher
        self.module = module
        self.prefix = prefix
        self.params = log in ("parameters", "all")
        self.grads = log in ("gradients", "all")
        self.acts = acts
        self.freq = freq
        self.calls = 0
        self.grad_hooks: list[RemovableHandle] = []
        self.arrived: list[tuple[str, Tensor]] = []
        self.callback_queued = False
        self.act_hooks: list[RemovableHandle] = []
        self.act_keys: list[str] = []
        self.act_seen: set[str] = set()  # leaf modules already sampled in this forward
        self.act_pending: list[Pending] = []
        self.hooks: list[RemovableHandle] = []
        if self.params or self.grads or self.acts:
            self.hooks.append(module.register_forward_pre_hook(self._before_forward))

    def keys(self) -> int:
        """How many histogram keys this model adds to the run (its summary included)."""
        params = [p for p in self.module.parameters() if _histogrammable(p)]
        leaves = [m for m in self.module.modules() if next(m.children(), None) is None]
        return (
            len(params) * self.params
            + sum(p.requires_grad for p in params) * self.grads
            + len(leaves) * self.acts
        )

    def remove(self) -> None:
        for handle in (*self.hooks, *self.grad_hooks, *self.act_hooks):
            handle.remove()
        self.hooks, self.grad_hooks, self.act_hooks = [], [], []
        self.arrived, self.act_keys, self.act_pending, self.act_seen = [], [], [], set()

    # -- the training thread -------------------------------------------------------------------------
    def _before_forward(self, module: nn.Module, args: Any) -> None:
        # Every forward call pays this: an increment, a modulo and a flag (well under a microsecond).
        self.calls += 1
        if self.calls % self.freq == 0:
            self._sample()

    def _sample(self) -> None:
        if self.params:
            named = [(n, p) for n, p in self.module.named_parameters() if _histogrammable(p)]
            keys = [f"parameters/{self.prefix}{n}" for n, _ in named]
            self.watcher.capture(keys, [p for _, p in named])
        # Armed now even under no_grad: these hooks fire only in a backward pass, and some trainers
        # call forward() only without gradients and train through another method (Stable-Baselines3
        # collects rollouts with forward() and updates with evaluate_actions()).
        if self.grads and not self.grad_hooks:
            self._arm_gradients()
        if self.acts and not self.act_hooks:
            self._arm_activations()

    def _arm_gradients(self) -> None:
        for name, param in self.module.named_parameters():
            if param.requires_grad:
                hook = functools.partial(self._gradient_arrived, name)
                self.grad_hooks.append(param.register_post_accumulate_grad_hook(hook))

    def _gradient_arrived(self, name: str, param: Tensor) -> None:
        if not self.callback_queued:
            self.callback_queued = True
            # Runs once this backward is over, on the caller's streams (synced with the gradients').
            torch.autograd.Variable._execution_engine.queue_callback(self._backward_done)
        if param.grad is not None:
            self.arrived.append((name, param.grad))

    def _backward_done(self) -> None:
        for handle in self.grad_hooks:
            handle.remove()
        self.grad_hooks, self.callback_queued = [], False
        arrived, self.arrived = self.arrived, []
        usable = [(n, g) for n, g in arrived if _histogrammable(g)]
        if len(usable) < len(arrived):
            self.watcher.warn_once("sparse", "watch(): sparse gradients are not histogrammed")
        self.watcher.capture([f"gradients/{self.prefix}{n}" for n, _ in usable], [g for _, g in usable])

    def _arm_activations(self) -> None:
        for name, sub in self.module.named_modules():
            if next(sub.children(), None) is None:  # a leaf: its output is one layer's activations
                hook = functools.partial(self._leaf_returned, name or type(sub).__name__)
                self.act_hooks.append(sub.register_forward_hook(hook))
        self.act_hooks.append(self.module.register_forward_hook(self._forward_done))

    def _leaf_returned(self, name: str, module: nn.Module, args: Any, output: Any) -> None:
        key = f"activations/{self.prefix}{name}"
        if key in self.act_seen:
            return  # a module called twice in one forward: its first call is the sample
        self.act_seen.add(key)
        if isinstance(output, Tensor):
            named = [(key, output)]
        elif isinstance(output, tuple | list):
            named = [(f"{key}.{i}", t) for i, t in enumerate(output) if isinstance(t, Tensor)]
        else:
            return
        named = [(k, t) for k, t in named if _histogrammable(t)]
        if named and (pending := self.watcher.launch([t for _, t in named])) is not None:
            self.act_keys += [k for k, _ in named]
            self.act_pending.append(pending)

    def _forward_done(self, module: nn.Module, args: Any, output: Any) -> None:
        for handle in self.act_hooks:
            handle.remove()
        keys, pending = self.act_keys, self.act_pending
        self.act_hooks, self.act_keys, self.act_pending, self.act_seen = [], [], [], set()
        self.watcher.queue(keys, pending)


class Watcher:
    """A run's watched models, and the thread that turns their histograms into rows.

    ``step`` reads the run's current step; ``emit`` hands finished rows to the run's buffer. Both are
    called from other threads than the one that made the Watcher (its own, autograd's).
    """

    def __init__(self, *, step: Callable[[], int], emit: Callable[[list[MediaRow]], None]) -> None:
        self._step = step
        self._emit = emit
        self._watched: dict[
            int, _Watched
        ] = {}  # by id(module); _Watched holds the module, so ids stay unique
        self._next_idx = 0  # wandb's global watch index, per run here
        self._queue: queue.SimpleQueue[_Capture | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._busy = 0  # captures queued and not yet rows
        self._idle = threading.Condition()
        self._warned: set[str] = set()

    # -- the caller's thread -------------------------------------------------------------------------
    def watch(
        self,
        models: nn.Module | Sequence[nn.Module],
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        log_graph: bool = False,
        log_activations: bool = False,
    ) -> None:
        modules = _modules(models, "watch")
        if log not in LOG_CHOICES:
            raise InvalidValue(
                f"watch(log={log!r}): use one of 'gradients', 'parameters', 'all' or None", key="log"
            )
        if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
            raise InvalidValue(f"watch(log_freq={log_freq!r}): a positive integer of calls", key="log_freq")
        if idx is not None and (isinstance(idx, bool) or not isinstance(idx, int) or idx < 0):
            raise InvalidValue(f"watch(idx={idx!r}): a non-negative integer or None", key="idx")
        if len({id(m) for m in modules}) < len(modules) or any(id(m) in self._watched for m in modules):
            raise InvalidValue(ONCE_PER_MODEL, key="models")
        start = self._next_idx if idx is None else idx
        for local, module in enumerate(modules):
            graph_idx = start + local
            self._next_idx += 1
            # wandb's key prefix: none for the first model, "graph_<i>" (no separator) for later ones.
            prefix = f"graph_{graph_idx}" if graph_idx > 0 else ""
            watched = _Watched(self, module, prefix, log=log, freq=log_freq, acts=log_activations)
            self._watched[id(module)] = watched
            if log_graph:
                descriptor = module_graph(module, criterion)
                self._emit([self._row(self._step(), _now_ms(), f"graph_{graph_idx}", descriptor)])

    def unwatch(self, models: nn.Module | Sequence[nn.Module] | None = None) -> None:
        """Remove the hooks of ``models`` (all watched models when None). Histograms already captured
        still become rows; nothing is captured after this returns."""
        if models is None:
            targets = list(self._watched)
        else:
            targets = []
            for module in _modules(models, "unwatch"):
                if id(module) in self._watched:
                    targets.append(id(module))
                else:
                    warnings.warn(f"unwatch(): this {type(module).__name__} is not watched", stacklevel=3)
        for key in targets:
            self._watched.pop(key).remove()

    def watched(self) -> list[nn.Module]:
        return [w.module for w in self._watched.values()]

    def close(self, timeout_s: float) -> bool:
        """Unwatch everything, then wait (at most ``timeout_s``) until every capture is a row. True
        when none is left."""
        self.unwatch()
        done = self.drain(timeout_s)
        with self._idle:
            if self._thread is not None:
                self._queue.put(None)
                self._thread = None
        return done

    def drain(self, timeout_s: float) -> bool:
        """Wait until every capture so far is a row (or ``timeout_s``); True when none is left."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout=timeout_s)

    # -- hooks (the training thread, or autograd's) ----------------------------------------------------
    def launch(self, tensors: list[Tensor]) -> Pending | None:
        """Queue the histograms of ``tensors``; None (and one warning) when torch refuses them, so that
        watch() never breaks the training step it observes (a tensor subclass, an exotic device)."""
        try:
            with torch.no_grad():
                return launch_histograms(tensors)
        except Exception as exc:
            log.debug("watch histograms failed", exc_info=True)
            self.warn_once(f"launch {type(exc).__name__}", f"watch(): some histograms were skipped ({exc})")
            return None

    def capture(self, keys: list[str], tensors: list[Tensor]) -> None:
        if keys and (pending := self.launch(tensors)) is not None:
            self.queue(keys, [pending])

    def queue(self, keys: list[str], pending: list[Pending]) -> None:
        if not keys:
            return
        with self._idle:  # on CUDA the gradients' capture comes from autograd's device thread
            self._busy += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="wanllmdb-watch", daemon=True)
                self._thread.start()
        self._queue.put(_Capture(self._step(), _now_ms(), keys, pending))

    def warn_once(self, what: str, message: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            warnings.warn(f"wanllmdb: {message}", RuntimeWarning, stacklevel=2)

    # -- the background thread -------------------------------------------------------------------------
    def _loop(self) -> None:
        while (capture := self._queue.get()) is not None:
            try:
                histograms = [h for p in capture.pending for h in p.wait()]
                rows = [
                    self._row(capture.step, capture.ts_ms, key, h.descriptor())
                    for key, h in zip(capture.keys, histograms, strict=True)
                ]
                self._emit(rows)
            except Exception as exc:  # a device error, a closed run: these histograms only
                log.debug("watch histograms failed", exc_info=True)
                self.warn_once("rows", f"watch(): histograms at step {capture.step} not stored ({exc})")
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    @staticmethod
    def _row(step: int, ts_ms: int, key: str, descriptor: dict[str, Any]) -> MediaRow:
        return step, ts_ms, key, json.dumps(descriptor, separators=(",", ":")), None


def _modules(models: Any, call: str) -> list[nn.Module]:
    items = list(models) if isinstance(models, tuple | list) else [models]
    for item in items:
        if not isinstance(item, nn.Module):
            raise InvalidValue(
                f"{call}(models=...): expected a torch.nn.Module or a tuple or list of them, got "
                f"{describe(item)}",
                key="models",
            )
    return items


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
