"""``Histogram``: wandb's inline histogram. No file: the bins and counts are the row's descriptor.

``Histogram(sequence)`` bins the finite values into ``num_bins`` equal bins (numpy's rule: the range of
the values, or 0..1 for none) and counts NaN, +inf and -inf apart in ``nonfinite``: nothing is
dropped silently. ``Histogram(np_histogram=(values, bins))`` takes a ready ``np.histogram``. Binning
runs in ``prepare`` on the worker; the constructor keeps a copy of the sequence.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from wanllmdb.data_types.base import Media, Prepared, describe, import_optional, is_tensor, tensor_to_numpy
from wanllmdb.errors import InvalidValue

__all__ = ["MAX_BINS", "Histogram"]

MAX_BINS = 512

# (bin edges, counts per bin, non-finite counts); counts are floats only for a weighted np_histogram
_Computed = tuple[list[float], list[int | float], dict[str, int]]


def _sequence(value: Any) -> Any:
    np = import_optional("numpy", "Histogram", "numpy")
    if is_tensor(value):
        value = tensor_to_numpy(value)
    try:
        a = np.array(value, dtype=np.float64).ravel()  # always a copy
    except (TypeError, ValueError):
        raise InvalidValue(
            f"Histogram: sequence must be numbers (a list, numpy array or tensor), got {describe(value)}"
        ) from None
    return a


class Histogram(Media):
    """``wandb.Histogram(sequence=None, np_histogram=None, num_bins=64)``, at most 512 bins."""

    _type: ClassVar[str] = "histogram"
    _dir: ClassVar[str | None] = None

    def __init__(self, sequence: Any = None, np_histogram: Any = None, num_bins: int = 64) -> None:
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or not 1 <= num_bins <= MAX_BINS:
            raise InvalidValue(
                f"Histogram: num_bins must be an integer from 1 to {MAX_BINS}, got {num_bins!r}"
            )
        self._num_bins = num_bins
        self._computed: _Computed | None = None
        self._sequence: Any = None
        if np_histogram is not None:
            self._computed = _from_np_histogram(np_histogram)
        elif sequence is not None:
            self._sequence = _sequence(sequence)
        else:
            raise InvalidValue("Histogram: give a sequence or np_histogram=(values, bins)")

    def _compute(self) -> _Computed:
        if self._computed is None:
            import numpy as np

            a = self._sequence
            finite = np.isfinite(a)
            nonfinite = {
                "nan": int(np.isnan(a).sum()),
                "inf": int(np.isposinf(a).sum()),
                "-inf": int(np.isneginf(a).sum()),
            }
            values, bins = np.histogram(a[finite], bins=self._num_bins)
            self._computed = ([float(b) for b in bins], [int(v) for v in values], nonfinite)
        return self._computed

    @property
    def bins(self) -> list[float]:
        """The ``num_bins + 1`` bin edges (wandb's ``Histogram.bins``)."""
        return self._compute()[0]

    @property
    def histogram(self) -> list[int | float]:
        """The counts per bin (wandb's ``Histogram.histogram``)."""
        return self._compute()[1]

    @property
    def nonfinite(self) -> dict[str, int]:
        """NaN, +inf and -inf counted apart from the bins."""
        return self._compute()[2]

    def prepare(self, key: str, step: int) -> Prepared:
        bins, values, nonfinite = self._compute()
        descriptor = {"_type": self._type, "bins": bins, "values": values, "nonfinite": nonfinite}
        return Prepared(descriptor=descriptor, data=None, ext="", type_dir=None)


def _from_np_histogram(value: Any) -> _Computed:
    shape = "np_histogram=(values, bins) with len(bins) == len(values) + 1, as np.histogram returns"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InvalidValue(f"Histogram: got np_histogram={describe(value)}; accepted: {shape}")
    try:
        values = [float(v) for v in value[0]]
        bins = [float(b) for b in value[1]]
    except (TypeError, ValueError):
        raise InvalidValue(f"Histogram: np_histogram holds non-numbers; accepted: {shape}") from None
    if not all(math.isfinite(x) for x in (*values, *bins)):
        raise InvalidValue(f"Histogram: np_histogram holds NaN or infinite numbers; accepted: {shape}")
    if len(bins) != len(values) + 1:
        raise InvalidValue(f"Histogram: got {len(values)} values and {len(bins)} bins; accepted: {shape}")
    if not 1 <= len(values) <= MAX_BINS:
        raise InvalidValue(f"Histogram: np_histogram has {len(values)} bins; it must have 1 to {MAX_BINS}")
    counts: list[int | float] = [int(v) if v.is_integer() else v for v in values]
    return bins, counts, {"nan": 0, "inf": 0, "-inf": 0}
