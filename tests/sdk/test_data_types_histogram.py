"""wanllmdb.Histogram: inline bins and counts, non-finite values counted apart, the 1..512 bin limits."""

from __future__ import annotations

import numpy as np
import pytest

from wanllmdb.data_types import Histogram, media_path
from wanllmdb.errors import InvalidValue


def test_sequence_is_binned_inline_with_64_bins_by_default() -> None:
    data = np.random.default_rng(0).normal(size=1000)
    p = Histogram(data).prepare("weights", 3)
    assert (p.data, p.ext, p.type_dir) == (None, "", None)
    d = p.descriptor
    assert d["_type"] == "histogram"
    assert len(d["bins"]) == 65 and len(d["values"]) == 64 and sum(d["values"]) == 1000
    counts, edges = np.histogram(data, bins=64)
    assert d["values"] == counts.tolist() and d["bins"] == pytest.approx(edges.tolist())
    assert d["nonfinite"] == {"nan": 0, "inf": 0, "-inf": 0}
    with pytest.raises(ValueError, match="stored inline"):
        media_path(p, "weights", 3)


def test_non_finite_values_are_counted_apart_never_dropped() -> None:
    h = Histogram([1.0, 2.0, np.nan, np.inf, np.inf, -np.inf, 3.0], num_bins=2)
    d = h.prepare("k", 0).descriptor
    assert d["nonfinite"] == {"nan": 1, "inf": 2, "-inf": 1}
    assert sum(d["values"]) == 3 and d["bins"] == [1.0, 2.0, 3.0]
    assert (h.histogram, h.bins, h.nonfinite) == (d["values"], d["bins"], d["nonfinite"])


def test_all_non_finite_or_empty_sequences_still_make_a_histogram() -> None:
    d = Histogram([np.nan, np.nan], num_bins=4).prepare("k", 0).descriptor
    assert d["values"] == [0, 0, 0, 0] and d["nonfinite"]["nan"] == 2
    assert Histogram([], num_bins=1).prepare("k", 0).descriptor["values"] == [0]


def test_np_histogram_is_taken_as_given() -> None:
    d = Histogram(np_histogram=np.histogram([1, 2, 2, 3], bins=3)).prepare("k", 0).descriptor
    assert d["values"] == [1, 2, 1] and len(d["bins"]) == 4
    weighted = Histogram(np_histogram=([0.5, 1.5], [0, 1, 2])).prepare("k", 0).descriptor
    assert weighted["values"] == [0.5, 1.5]


def test_the_sequence_is_copied_at_construction() -> None:
    a = np.zeros(10)
    h = Histogram(a, num_bins=2)
    a[:] = np.nan
    assert h.prepare("k", 0).descriptor["nonfinite"]["nan"] == 0


def test_identical_data_gives_identical_descriptors() -> None:
    data = np.arange(100.0)
    assert Histogram(data).prepare("a", 1).descriptor == Histogram(list(data)).prepare("b", 2).descriptor


@pytest.mark.parametrize("bins", [0, -1, 513, 10_000, 2.5, True])
def test_bin_counts_outside_1_to_512_are_refused_naming_the_limits(bins: object) -> None:
    with pytest.raises(InvalidValue, match=r"num_bins must be an integer from 1 to 512, got"):
        Histogram([1, 2], num_bins=bins)  # type: ignore[arg-type]


def test_512_bins_is_the_limit_and_allowed() -> None:
    assert len(Histogram(np.arange(1000.0), num_bins=512).histogram) == 512
    with pytest.raises(InvalidValue, match=r"np_histogram has 513 bins; it must have 1 to 512"):
        Histogram(np_histogram=([0] * 513, list(range(514))))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"give a sequence or np_histogram=\(values, bins\)"),
        ({"sequence": ["a", "b"]}, r"sequence must be numbers .*got list"),
        ({"np_histogram": ([1, 2], [0, 1])}, r"got 2 values and 2 bins; accepted: np_histogram="),
        ({"np_histogram": [1]}, r"got np_histogram=list; accepted"),
        ({"np_histogram": ([np.nan], [0, 1])}, r"np_histogram holds NaN or infinite numbers"),
    ],
)
def test_bad_input_names_what_is_accepted(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Histogram(**kwargs)  # type: ignore[arg-type]
