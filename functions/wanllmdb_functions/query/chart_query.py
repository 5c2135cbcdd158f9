"""What one run's chart asks for: keys, x axis, bucket count, stream and zoom range, checked once
(the per-run route, compare and the batch route all ask through it)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import InvalidInput
from ..lake.keys import STREAMS
from .envelope import MAX_BUCKETS
from .models import check_keys

__all__ = ["ChartQuery"]


@dataclass(frozen=True)
class ChartQuery:
    keys: list[str]
    x: str = "step"
    buckets: int = 1000
    stream: str = "history"
    x_min: float | None = None
    x_max: float | None = None
    after_step: int | None = None

    def validated(self) -> ChartQuery:
        if not 1 <= self.buckets <= MAX_BUCKETS:
            raise InvalidInput(f"buckets must be 1..{MAX_BUCKETS}", field="buckets")
        if self.stream not in STREAMS:
            raise InvalidInput(f"stream must be one of {', '.join(STREAMS)}", field="stream")
        if self.x_min is not None and self.x_max is not None and self.x_min > self.x_max:
            raise InvalidInput("min must not be greater than max", field="min")
        if not self.x or len(self.x) > 256:
            raise InvalidInput("x is step, ts or a metric name of 1..256 characters", field="x")
        check_keys(self.keys)
        return self

    def fingerprint(self) -> str:
        return repr(sorted(self.keys)) + repr(
            (self.x, self.buckets, self.stream, self.x_min, self.x_max, self.after_step)
        )
