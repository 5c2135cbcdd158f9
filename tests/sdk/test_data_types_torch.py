"""Media types fed real torch tensors (the CPU build in the dev extra): the dtypes and flags training code
has at hand, including bfloat16 and tensors that require grad, which numpy cannot take directly."""

from __future__ import annotations

import io

import numpy as np
import pytest

import wanllmdb
from wanllmdb.errors import InvalidValue

torch = pytest.importorskip("torch")


def decode(png: bytes) -> np.ndarray:
    from PIL import Image as PILImage

    return np.asarray(PILImage.open(io.BytesIO(png)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64])
def test_a_chw_tensor_of_any_float_dtype_becomes_an_hwc_png(dtype: torch.dtype) -> None:
    t = torch.zeros(3, 4, 5, dtype=dtype)
    t[1] = 1.0
    px = decode(wanllmdb.Image(t).prepare("k", 0).data or b"")
    assert px.shape == (4, 5, 3) and (px[..., 1] == 255).all() and (px[..., 0] == 0).all()


def test_a_tensor_that_requires_grad_and_a_batch_are_taken_as_wandb_does() -> None:
    weights = torch.rand(10, 3, 4, 5, requires_grad=True)
    grid = decode(wanllmdb.Image(weights * 2).prepare("k", 0).data or b"")
    assert grid.shape == (2 * 6 + 2, 8 * 7 + 2, 3)  # make_grid: 8 a row, 2 px padding
    gray = decode(wanllmdb.Image(torch.rand(1, 6, 7)).prepare("k", 0).data or b"")
    assert gray.shape[:2] == (6, 7)


def test_the_image_snapshots_the_tensor_when_logged() -> None:
    t = torch.zeros(3, 2, 2)
    t[0] = 1.0
    image = wanllmdb.Image(t)
    t.fill_(0.5)  # the training step goes on and changes the tensor in place
    px = decode(image.prepare("k", 0).data or b"")
    assert (px[..., 0] == 255).all() and (px[..., 1] == 0).all()


def test_a_tensor_of_the_wrong_shape_names_what_was_given() -> None:
    with pytest.raises(InvalidValue, match=r"torch tensor of shape \(5, 4, 4\)"):
        wanllmdb.Image(torch.zeros(5, 4, 4))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_a_histogram_of_a_tensor_counts_every_element_and_its_non_finite_values(dtype: torch.dtype) -> None:
    t = torch.arange(100, dtype=dtype).reshape(10, 10)
    t[0, 0] = float("nan")
    t.requires_grad_(True)
    descriptor = wanllmdb.Histogram(t, num_bins=10).prepare("w", 0).descriptor
    assert sum(descriptor["values"]) == 99 and descriptor["nonfinite"]["nan"] == 1
