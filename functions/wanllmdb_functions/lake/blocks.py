"""Aggregates of a metric's points over consecutive x ranges ("blocks"), and their exact roll-up.

One code path serves the chart envelope of raw points (query/envelope.py), the level-of-detail pyramid
compaction writes (lake/lod.py) and the chart read that merges that pyramid with raw points
(query/lod.py). They agree to the last bit because every aggregate is either associative and exact
(count, min, max, first, last, first and last x) or computed by the same fixed tree:

- `sum` is a left fold, in x order, of the children's sums: points into 10-step blocks, those into
  100-step blocks, and so on. Floating-point addition is not associative, so a bucket's sum is only
  reproducible from stored partial sums when the tree is fixed; a left fold also continues exactly,
  so a stored block whose last points are still in live chunks is completed by adding those points.
- min and max read -0.0 as 0.0, so which of two equal zeros wins never depends on the order of a merge.
- NaN counts as a point (`count`) but not in min, max or the sum (`finite`, the mean's divisor);
  ±inf is a value like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

__all__ = ["Blocks", "group_starts", "rollup_levels"]

# Groups longer than this are folded one at a time with np.add.accumulate (sequential, in C); shorter
# ones position by position across all groups at once.
_SHORT_GROUP = 64

Array = npt.NDArray[np.generic]


def _lengths(starts: npt.NDArray[np.intp], n: int) -> npt.NDArray[np.intp]:
    lengths = np.empty(len(starts), dtype=np.intp)
    lengths[:-1] = starts[1:] - starts[:-1]
    lengths[-1] = n - starts[-1]
    return lengths


def _add(
    values: npt.NDArray[np.int64], starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]
) -> npt.NDArray[np.int64]:
    if values.strides[0] == 0:  # a broadcast constant (points: one each)
        return lengths.astype(np.int64) * values[0]
    return np.add.reduceat(values, starts)


def _fold(values: npt.NDArray[np.float64], starts: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Per group, ((v0 + v1) + v2) + ...: the left fold, in order (numpy's reductions are pairwise)."""
    n = len(values)
    out = values[starts].copy()
    if n == 0:
        return out
    lengths = _lengths(starts, n)
    # Dense data: a run of groups of one length (from the first group, or the second when a range
    # cut the first) are rows of a matrix, folded column by column; a wide group too, when there are
    # at least as many groups as columns to add.
    begin = 1 if len(lengths) > 2 and lengths[0] != lengths[1] else 0
    width = int(lengths[begin])
    same = lengths[begin:] == width
    end = len(lengths) if same.all() else begin + int(np.argmin(same))
    uniform = np.zeros(0, dtype=np.intp)
    if 1 < width <= max(_SHORT_GROUP, end - begin) and end - begin > 1:
        first = int(starts[begin])
        rows = values[first : first + (end - begin) * width].reshape(end - begin, width)
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(1, width):
                out[begin:end] += rows[:, k]
        uniform = np.arange(begin, end)
    rest = np.setdiff1d(np.arange(len(lengths)), uniform, assume_unique=True)
    if not len(rest):
        return out
    long = rest[lengths[rest] > _SHORT_GROUP]
    short = rest[lengths[rest] <= _SHORT_GROUP]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow to inf and inf - inf are the answer
        for k in range(1, int(lengths[short].max()) if len(short) else 1):
            take = short[lengths[short] > k]
            out[take] += values[starts[take] + k]
        for i in long.tolist():
            out[i] = np.add.accumulate(values[starts[i] : starts[i] + lengths[i]])[-1]
    return out


def _bucket_starts(x: Array, width: int) -> npt.NDArray[np.intp]:
    """group_starts(x // width) for sorted integer x, by a binary search per bucket edge: cheaper than
    a division per point when points outnumber buckets."""
    first, last = int(x[0]) // width, int(x[-1]) // width
    if last - first >= len(x) // 4:
        return group_starts(x // width)
    found = np.searchsorted(x, np.arange(first + 1, last + 1, dtype=np.int64) * width)
    starts = np.empty(len(found) + 1, dtype=np.intp)
    starts[0] = 0
    starts[1:] = found
    keep = np.ones(len(starts), dtype=bool)
    keep[1:] = starts[1:] != starts[:-1]  # empty buckets
    return starts[keep]


def group_starts(*ids: Array) -> npt.NDArray[np.intp]:
    """Where each run of equal ids begins (ids sorted so that each group is contiguous)."""
    n = len(ids[0])
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for column in ids:
        change[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(change)


@dataclass(frozen=True)
class Blocks:
    """Aggregates of consecutive points, in x order; one entry per block."""

    x0: Array  # first x (int64 on the step axis, float64 on a metric axis)
    x1: Array  # last x
    count: npt.NDArray[np.int64]  # points, NaN included
    finite: npt.NDArray[np.int64]  # points that are not NaN: the mean's divisor
    sum: npt.NDArray[np.float64]  # left fold of the non-NaN values
    min: npt.NDArray[np.float64]  # NaN when every point is NaN
    max: npt.NDArray[np.float64]
    first: npt.NDArray[np.float64]  # the first point's value as logged (NaN stays NaN)
    last: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.x0)

    @classmethod
    def of_points(cls, x: Array, value: npt.NDArray[np.float64]) -> Blocks:
        """One block per point; `x` sorted."""
        value = np.asarray(value, dtype=np.float64)
        nan = np.isnan(value)
        any_nan = bool(nan.any())
        # -0.0 is the identity of addition (0.0 would turn a sum of -0.0 into 0.0).
        summand = np.where(nan, -0.0, value) if any_nan else value
        normalized = value + 0.0  # -0.0 -> 0.0, NaN stays NaN
        one = np.broadcast_to(np.int64(1), (len(x),))  # no allocation: merge() counts group lengths
        return cls(
            x0=x,
            x1=x,
            count=one,
            finite=(~nan).astype(np.int64) if any_nan else one,
            sum=summand,
            min=normalized,
            max=normalized,
            first=value,
            last=value,
        )

    @classmethod
    def concat(cls, parts: Sequence[Blocks]) -> Blocks:
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    def take(self, index: Array) -> Blocks:
        return Blocks(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def sorted(self) -> Blocks:
        """In x order; stable, so blocks that start at the same x keep theirs."""
        return self.take(np.argsort(self.x0, kind="stable"))

    def merge(self, starts: npt.NDArray[np.intp]) -> Blocks:
        """Contiguous groups of blocks, each beginning at an index of `starts`, merged into one block each."""
        if len(self) == 0:
            return self
        lengths = _lengths(starts, len(self))
        ends = starts + lengths - 1
        return Blocks(
            x0=self.x0[starts],
            x1=self.x1[ends],
            count=_add(self.count, starts, lengths),
            finite=_add(self.finite, starts, lengths),
            sum=_fold(self.sum, starts),
            min=np.fmin.reduceat(self.min, starts),  # fmin/fmax skip NaN
            max=np.fmax.reduceat(self.max, starts),
            first=self.first[starts],
            last=self.last[ends],
        )

    def rollup(self, width: int) -> Blocks:
        """Merged into aligned blocks of `width` steps: [k * width, (k + 1) * width) for integer k."""
        if len(self) == 0:
            return self
        return self.merge(_bucket_starts(self.x0, width))

    def mean(self) -> list[float | None]:
        """sum / finite; None for a block of NaN only (NaN itself when +inf and -inf met in the sum)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (self.sum / self.finite).tolist()
        return [m if f else None for m, f in zip(means, self.finite.tolist(), strict=True)]


def rollup_levels(blocks: Blocks, levels: Sequence[int]) -> Blocks:
    """`blocks.rollup(l)` for each level in turn: the fixed tree every sum goes through."""
    for level in levels:
        blocks = blocks.rollup(level)
    return blocks
