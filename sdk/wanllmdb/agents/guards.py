"""wandb's agent guards against a trial that cannot start, with wandb's numbers and switches.

- Flapping: 3 failed trials within the agent's first 60 s stop it (``WANLLMDB_AGENT_DISABLE_FLAPPING``
  or ``WANDB_AGENT_DISABLE_FLAPPING`` = ``true`` turns this off).
- Repeated initial failures: once 5 trials have failed and none has succeeded, the agent stops
  (``WANLLMDB_AGENT_MAX_INITIAL_FAILURES`` / ``WANDB_AGENT_MAX_INITIAL_FAILURES`` change the 5).

A trial fails when it exits with a positive code; one the controller stopped never counts.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

__all__ = ["FLAPPING_MAX_FAILURES", "FLAPPING_MAX_SECONDS", "MAX_INITIAL_FAILURES", "FailureGuard"]

FLAPPING_MAX_SECONDS = 60.0
FLAPPING_MAX_FAILURES = 3
MAX_INITIAL_FAILURES = 5


def _env(name: str) -> str | None:
    return os.environ.get(f"WANLLMDB_{name}") or os.environ.get(f"WANDB_{name}")


def _max_initial_failures() -> int:
    raw = _env("AGENT_MAX_INITIAL_FAILURES")
    try:
        return max(1, int(raw)) if raw else MAX_INITIAL_FAILURES
    except ValueError:
        return MAX_INITIAL_FAILURES


@dataclass
class FailureGuard:
    started: float = field(default_factory=time.monotonic)
    ended: int = 0
    failed: int = 0
    max_initial_failures: int = field(default_factory=_max_initial_failures)
    flapping_allowed: bool = field(default_factory=lambda: (_env("AGENT_DISABLE_FLAPPING") or "") == "true")

    def record(self, exit_code: int, *, stopped: bool = False) -> str | None:
        """Count one ended trial; the reason to stop the agent, if a guard trips."""
        self.ended += 1
        if stopped or exit_code <= 0:
            return None
        self.failed += 1
        early = time.monotonic() - self.started < FLAPPING_MAX_SECONDS
        if not self.flapping_allowed and early and self.failed >= FLAPPING_MAX_FAILURES:
            return (
                f"{self.failed} trials failed in the agent's first {FLAPPING_MAX_SECONDS:.0f} s, so it stops "
                "(set WANLLMDB_AGENT_DISABLE_FLAPPING=true to allow it)"
            )
        if self.failed >= self.ended and self.failed >= self.max_initial_failures:
            return (
                f"the first {self.failed} trials all failed, so the agent stops "
                "(WANLLMDB_AGENT_MAX_INITIAL_FAILURES changes the limit)"
            )
        return None
