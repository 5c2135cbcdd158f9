"""Random search: draws from the priors; an all-discrete space without replacement until exhausted.

The k-th suggestion of a sweep (k = the number of runs so far, plus its place in the batch) is drawn
by ``random.Random(f"{seed}:{k}:{attempt}")``: the same seed and runs give the same suggestions, and
no state is kept between calls. A draw that repeats a run's param set is drawn again; when a
discrete space runs low, the remaining points are listed and one is chosen by its prior weight. An
all-discrete space ends (None) when every point is used.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from itertools import product
from typing import TYPE_CHECKING, Any

from wanllmdb.sweeps.config import finite_product
from wanllmdb.sweeps.space import build, params_key, seed_material, taken_keys

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import SweepConfig
    from wanllmdb.sweeps.engine import SweepRun
    from wanllmdb.sweeps.params import Param

__all__ = ["random_next_runs", "sample_params"]

_REJECTION_TRIES = 32
_ENUMERATE_UP_TO = 200_000


def sample_params(config: SweepConfig, rng: random.Random) -> dict[str, Any]:
    return build(config, {p.path: p.sample(rng) for p in config.searchable})


def random_next_runs(config: SweepConfig, runs: Sequence[SweepRun], n: int) -> list[dict[str, Any]] | None:
    params = config.searchable
    seed = seed_material(config)
    taken = taken_keys(config, runs)
    total = finite_product(params)
    left: int | None = None
    if total is not None:
        # How many points are unused, from each parameter's value set: no walk over the product.
        members = [{p.value_key(v) for v in p.finite_values()} for p in params]
        used = sum(1 for key in taken if all(c in m for c, m in zip(key, members, strict=True)))
        left = total - used
        if left <= 0:
            return None
        n = min(n, left)
    out: list[dict[str, Any]] = []
    for i in range(n):
        k = len(runs) + i
        suggestion = None
        for attempt in range(_REJECTION_TRIES):
            candidate = sample_params(config, random.Random(f"{seed}:{k}:{attempt}"))
            if params_key(params, candidate) not in taken:
                suggestion = candidate
                break
        if suggestion is None and total is not None and total <= _ENUMERATE_UP_TO:
            # Only a nearly used-up space gets here: list what is left, choose by prior weight.
            remaining = [
                c for c in product(*(list(p.finite_values()) for p in params)) if _key(params, c) not in taken
            ]
            if remaining:
                weights = [_weight(params, c) for c in remaining]
                combo = random.Random(f"{seed}:{k}:rest").choices(remaining, weights=weights)[0]
                suggestion = build(config, {p.path: v for p, v in zip(params, combo, strict=True)})
        if suggestion is None:
            break  # a huge space this crowded is not reachable in practice; hand out fewer
        taken.add(params_key(params, suggestion))
        out.append(suggestion)
    return out


def _key(params: Sequence[Param], combo: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(p.value_key(v) for p, v in zip(params, combo, strict=True))


def _weight(params: Sequence[Param], combo: Sequence[Any]) -> float:
    w = 1.0
    for p, v in zip(params, combo, strict=True):
        if p.distribution == "categorical_w_probabilities":
            idx = p.category_index(v)
            w *= sum(pr for j, pr in enumerate(p["probabilities"]) if p.category_index(p.values[j]) == idx)
    return w if math.isfinite(w) else 0.0
