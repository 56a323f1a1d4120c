"""The Monte Carlo kernels behind one entry point, for the backends.

A backend runs chunks of a plan without knowing which kernel computes them: a
`pycwt_mod.montecarlo.plan.MonteCarloPlan` (coherence histograms, numpy or cupy) or a
plan that runs its own chunks on the host (`FieldPlan`: the power histograms and
null patches of `pycwt_mod.areawise.kernel`, which sits above the engine and so
cannot be imported here). `Accumulator` joins the chunks' results: histograms are
summed (integers, in any order), other parts are joined in chunk order by their
type's ``concat``, so the result does not depend on which chunk finished first.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from .kernel import BATCH_BYTES
from .kernel import run_chunk as coherence_chunk
from .plan import MonteCarloPlan

__all__ = ["Accumulator", "FieldPlan", "Plan", "run_chunk"]


@runtime_checkable
class FieldPlan(Protocol):
    """A plan whose chunks run on the host through its own ``run_chunk``."""

    mc_count: int

    def run_chunk(self, start: int, stop: int): ...


Plan = MonteCarloPlan | FieldPlan


def run_chunk(
    plan: Plan,
    start: int,
    stop: int,
    xp=np,
    workers: int | None = 1,
    batch_bytes: int = BATCH_BYTES,
):
    """Run surrogates ``start..stop-1`` of any plan.

    A coherence plan runs on ``xp`` (numpy or cupy, see
    `pycwt_mod.montecarlo.kernel.run_chunk`); a `FieldPlan` runs with numpy on the host
    whatever ``xp`` is (its fields are the library's float64 transforms).

    Returns
    -------
    part : (n_scales, nbins) int64 ndarray, or the field plan's chunk result
    """
    if isinstance(plan, MonteCarloPlan):
        return coherence_chunk(plan, start, stop, xp=xp, workers=workers, batch_bytes=batch_bytes)
    if isinstance(plan, FieldPlan):
        return plan.run_chunk(start, stop)
    raise TypeError(f"not a Monte Carlo plan: {type(plan).__name__}")


class Accumulator:
    """Joins chunk results: sums histograms, joins other parts in chunk order."""

    def __init__(self) -> None:
        self._hist = None
        self._parts: dict[int, object] = {}

    def add(self, chunk: tuple[int, int], part) -> None:
        """Take the result of chunk ``(start, stop)``."""
        if not isinstance(part, np.ndarray):
            self._parts[chunk[0]] = part
        elif self._hist is None:
            self._hist = np.array(part, dtype=np.int64)
        else:
            self._hist += part

    def result(self):
        """The summed histogram, or the parts joined by ``type(part).concat``."""
        if self._parts:
            parts = [self._parts[a] for a in sorted(self._parts)]
            return type(parts[0]).concat(parts)
        return self._hist
