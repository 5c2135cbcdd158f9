"""Histograms of many tensors in one batched pass on their device, without a host sync.

wandb's ``watch`` bins each tensor with ``histc``, whose ``min``/``max`` must be Python floats: one
device-to-host sync per tensor, per logged step (wandb#2268). Here the tensors of a capture are
copied into one flat buffer per (device, dtype) and binned by a fixed sequence of ops on it, each a
single kernel or a ``_foreach`` op over views of the buffer:

1. one ``_foreach_max`` over the buffer with non-finite values masked to -inf, and over its negation,
   gives each tensor's finite max and min;
2. in place, each tensor's view becomes ``(x - min) * bins / (max - min)`` (numpy's formula), NaN,
   +inf and -inf become the codes -1, -2, -3, and values clamp to ``bins - 1`` (the last bin is
   closed, as numpy's);
3. as int64 plus the tensor's offset, they index one ``scatter_add_`` of ones into a zeros buffer of
   ``tensors x (bins + 3)`` slots, which counts every bin and every non-finite kind at once.

Never called: ``histc`` (Python min/max), ``bincount`` (sizes its output from the data), ``.item()``,
``.tolist()``, ``float(t)``, ``isfinite`` (slow on CPU, and not needed with the codes above). The
results (min/max and counts) go to the host with ``non_blocking=True`` into pinned memory, followed
by a CUDA event; ``Pending.wait``, called on a background thread, waits for that event and builds
numpy's edges from each min and max. On CPU the same ops run; the results are the host copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

__all__ = ["BINS", "CHUNK_ELEMENTS", "Pending", "TensorHistogram", "histogram_edges", "launch_histograms"]

BINS = 64
# One pass takes at most this many elements (a larger tensor is a pass of its own), so its scratch
# memory (16 bytes an element alive at once, 24 in float64: the copy and its masked pair, then the
# int64 slots and ones) stays near 256 MB whatever the model's size.
CHUNK_ELEMENTS = 1 << 24
_SLOTS_BEFORE_BINS = 3  # -inf, +inf, NaN


@dataclass(frozen=True)
class TensorHistogram:
    """One tensor's histogram: ``bins + 1`` edges, ``bins`` counts, and NaN/+inf/-inf counted apart."""

    edges: list[float]
    counts: list[int]
    nonfinite: dict[str, int]

    def descriptor(self) -> dict[str, Any]:
        """The ``histogram`` descriptor of schemas/media_descriptors.json."""
        return {"_type": "histogram", "bins": self.edges, "values": self.counts, "nonfinite": self.nonfinite}


def histogram_edges(lo: float, hi: float, bins: int = BINS) -> list[float]:
    """numpy's edges for finite values in [lo, hi] (0..1 for none: lo > hi; lo ± 0.5 for one value),
    bit for bit: ``np.linspace``'s arithmetic in Python floats, so this module needs no numpy."""
    if lo > hi:
        lo, hi = 0.0, 1.0
    elif lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    delta = hi - lo
    step = delta / bins
    if step == 0:  # np.linspace's branch for a span too small to divide
        edges = [i / bins * delta + lo for i in range(bins + 1)]
    else:
        edges = [i * step + lo for i in range(bins + 1)]
    edges[-1] = hi
    return edges


@dataclass
class _Part:
    """The results of one (device, dtype) group, on their way to the host."""

    positions: list[int]  # each row's place in the order the tensors were given
    minmax: Tensor  # (n, 2) on the host: finite min and max (+inf, -inf: no finite value)
    counts: Tensor  # (n, bins + 3) int64 on the host: -inf, +inf, NaN, then the bins
    event: Any = None  # a torch.cuda.Event recorded after the copies; None on CPU
    keep: tuple[Tensor, ...] = field(default=())  # the device results, alive until the copy is done


class Pending:
    """Histograms being computed and copied; ``wait`` (a background thread's call) returns them."""

    def __init__(self, n: int, parts: list[_Part], bins: int) -> None:
        self._n = n
        self._parts = parts
        self._bins = bins

    def wait(self) -> list[TensorHistogram]:
        """One histogram per tensor given to ``launch_histograms``, in that order."""
        bins = self._bins
        out = [_histogram(1.0, 0.0, [0] * (bins + _SLOTS_BEFORE_BINS), bins)] * self._n  # empty tensors
        for part in self._parts:
            if part.event is not None:
                part.event.synchronize()  # blocks this thread only; the training thread never waits
            # Host tensors by now (pinned, or CPU results): reading them syncs nothing.
            minmax: list[list[float]] = part.minmax.double().tolist()
            counts: list[list[int]] = part.counts.tolist()
            for pos, (lo, hi), slots in zip(part.positions, minmax, counts, strict=True):
                out[pos] = _histogram(lo, hi, slots, bins)
            part.keep = ()
        return out


def _histogram(lo: float, hi: float, slots: list[int], bins: int) -> TensorHistogram:
    """A tensor's row of results as a histogram: its finite min and max, and its slots."""
    counts = slots[_SLOTS_BEFORE_BINS:]
    if lo == hi:  # one finite value: the device put it in bin 0, numpy's rule puts it mid-range
        counts = [0] * bins
        counts[bins // 2] = sum(slots[_SLOTS_BEFORE_BINS:])
    nonfinite = {"nan": slots[2], "inf": slots[1], "-inf": slots[0]}
    return TensorHistogram(histogram_edges(lo, hi, bins), counts, nonfinite)


def launch_histograms(
    tensors: Sequence[Tensor], *, bins: int = BINS, chunk_elements: int = CHUNK_ELEMENTS
) -> Pending:
    """Queue the histograms of ``tensors`` (dense, floating) on their devices and return at once.

    Runs on the training thread: it queues kernels and a non-blocking copy, and reads nothing back.
    float64 tensors are binned in float64, every other dtype in float32.
    """
    groups: dict[tuple[torch.device, torch.dtype], list[int]] = {}
    for i, t in enumerate(tensors):
        if t.numel():  # an empty tensor has nothing to reduce: Pending gives it numpy's empty histogram
            compute = torch.float64 if t.dtype == torch.float64 else torch.float32
            groups.setdefault((t.device, compute), []).append(i)
    parts = []
    for (device, compute), members in groups.items():
        results = [
            _bin_chunk([tensors[i] for i in chunk], device, compute, bins)
            for chunk in _chunks(members, tensors, chunk_elements)
        ]
        minmax = torch.cat([r[0] for r in results]) if len(results) > 1 else results[0][0]
        counts = torch.cat([r[1] for r in results]) if len(results) > 1 else results[0][1]
        parts.append(_to_host(members, minmax, counts))
    return Pending(len(tensors), parts, bins)


def _chunks(members: list[int], tensors: Sequence[Tensor], limit: int) -> list[list[int]]:
    chunks: list[list[int]] = [[]]
    size = 0
    for i in members:
        n = tensors[i].numel()
        if chunks[-1] and size + n > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(i)
        size += n
    return chunks


def _bin_chunk(
    tensors: list[Tensor], device: torch.device, compute: torch.dtype, bins: int
) -> tuple[Tensor, Tensor]:
    """One pass over ``tensors`` (one device, one compute dtype, none empty): min/max (n, 2) and the
    counts (n, bins + 3). Every op is queued on the device; none reads a value back."""
    slots = bins + _SLOTS_BEFORE_BINS
    numels = [t.numel() for t in tensors]
    n, total = len(tensors), sum(numels)
    inf = float("inf")
    flat = torch.empty(total, dtype=compute, device=device)
    torch.cat([t.detach().reshape(-1) for t in tensors], out=flat)

    # Finite max of x and of -x per tensor, one _foreach_max over views of one buffer: non-finite
    # values become -inf, so they never win (a tensor with no finite value gets -inf for both).
    both = torch.empty(2, total, dtype=compute, device=device)
    torch.nan_to_num(flat, -inf, -inf, -inf, out=both[0])
    torch.neg(flat, out=both[1]).nan_to_num_(-inf, -inf, -inf)
    peaks = torch.stack(torch._foreach_max([*both[0].split(numels), *both[1].split(numels)]))
    del both
    hi, lo = peaks[:n], peaks[n:].neg()

    # Per tensor, x -> (x - lo) * bins / (hi - lo): numpy's formula. The span is taken in float64 (MPS
    # has none) so that neither a huge nor a tiny range overflows. With no finite value (lo > hi) or
    # one (lo == hi) the scale is 1: finite values land in bin 0 (``_histogram`` moves them to numpy's
    # middle bin) and infinities stay infinite, so the codes below still tell them apart.
    wide = torch.float32 if device.type == "mps" else torch.float64
    scale = torch.where(lo >= hi, 1.0, bins / (hi.to(wide) - lo.to(wide)))
    scale = scale.clamp_(max=torch.finfo(compute).max).to(compute)
    origin = torch.where(lo > hi, 0.0, lo)
    views = list(flat.split(numels))
    torch._foreach_sub_(views, list(origin.unbind()))
    torch._foreach_mul_(views, list(scale.unbind()))
    # NaN -> -1, +inf -> -2, -inf -> -3; finite values are >= 0 and clamp to bins - 1 (x == hi: the
    # last bin, closed as numpy's). Every slot is in range whatever the data: scatter never faults.
    flat.nan_to_num_(-1.0, -2.0, -3.0).clamp_(max=bins - 1)
    slot = flat.to(torch.int64)
    del flat, views
    # Tensor i owns slots [i * (bins + 3), (i + 1) * (bins + 3)): -inf, +inf, NaN, then its bins.
    torch._foreach_add_(list(slot.split(numels)), [i * slots + _SLOTS_BEFORE_BINS for i in range(n)])
    counts = torch.zeros(n * slots, dtype=torch.int64, device=device)
    # A contiguous source: scatter_add_ walks it twice as fast as an expanded scalar (CPU, measured).
    counts.scatter_add_(0, slot, torch.ones(total, dtype=torch.int64, device=device))
    return torch.stack([lo, hi], dim=1), counts.view(n, slots)


def _to_host(positions: list[int], minmax: Tensor, counts: Tensor) -> _Part:
    if minmax.device.type != "cuda":
        return _Part(positions, minmax.cpu(), counts.cpu())
    # Pinned buffers come from torch's caching host allocator (no cudaHostAlloc per capture), and a
    # non-blocking copy into them is ordered on the stream after the kernels above: the event marks
    # its end, and only the background thread waits for it.
    host_minmax = torch.empty(minmax.shape, dtype=minmax.dtype, pin_memory=True)
    host_counts = torch.empty(counts.shape, dtype=counts.dtype, pin_memory=True)
    host_minmax.copy_(minmax, non_blocking=True)
    host_counts.copy_(counts, non_blocking=True)
    event = torch.cuda.Event()
    event.record(torch.cuda.current_stream(minmax.device))  # the copies' stream: the tensors' device's
    return _Part(positions, host_minmax, host_counts, event, (minmax, counts))
