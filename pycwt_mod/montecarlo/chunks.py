"""The Monte Carlo kernels behind one entry point, for the backends.

A backend runs chunks of a plan without knowing which kernel computes them: a
`pycwt_mod.montecarlo.plan.MonteCarloPlan` (coherence histograms, numpy or cupy) or a
plan that runs its own chunks on the host (`FieldPlan`: the power histograms and
null patches of `pycwt_mod.areawise.kernel`, which sits above the engine and so
cannot be imported here). `Accumulator` joins the chunks' results: histograms are
summed (integers, in any order), other parts are joined in chunk order by their
type's ``concat``, so the result does not depend on which chunk finished first.

A `Checkpoint` keeps finished chunks somewhere durable (a significance job keeps
them in its registry's SQLite file): `pycwt_mod.montecarlo.run_plan` asks it for the
chunks of a plan kept so far, runs only the pairs they do not cover
(`resume_chunks`) and hands it every chunk that finishes, so an interrupted run
resumes with the same bits as an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .._validation import check_count
from .kernel import BATCH_BYTES
from .kernel import run_chunk as coherence_chunk
from .multivariate_kernel import run_multivariate_chunk
from .multivariate_plan import MultivariatePlan
from .plan import MonteCarloPlan

__all__ = ["Accumulator", "Checkpoint", "Chunk", "FieldPlan", "Plan", "resume_chunks", "run_chunk"]

#: Surrogates ``[start, stop)`` of a plan.
Chunk = tuple[int, int]


@runtime_checkable
class FieldPlan(Protocol):
    """A plan whose chunks run on the host through its own ``run_chunk``."""

    mc_count: int

    def run_chunk(self, start: int, stop: int): ...


Plan = MonteCarloPlan | MultivariatePlan | FieldPlan


@runtime_checkable
class Checkpoint(Protocol):
    """Where the finished chunks of Monte Carlo passes are kept, to resume from.

    ``key`` names one pass (one plan: `pycwt_mod.montecarlo.engine.checkpoint_key`),
    so the passes of one analysis (thresholds, null patches) keep their chunks apart.
    A part is what the plan's chunk returns: an integer histogram, or a field plan's
    parts (e.g. `pycwt_mod.areawise.kernel.NullPatches`).
    """

    def kept(self, key: str) -> Mapping[Chunk, Any]:
        """The chunks of pass ``key`` kept so far, ``{(start, stop): part}``."""
        ...

    def keep(self, key: str, chunk: Chunk, part: Any, where: str | None) -> None:
        """Keep a chunk of pass ``key`` that just finished (``where``: where it ran)."""
        ...


def resume_chunks(
    mc_count: int, chunk_size: int, kept: Mapping[Chunk, Any] | None = None
) -> tuple[dict[Chunk, Any], list[Chunk]]:
    """The kept chunks to use and the chunks still to run.

    Kept chunks outside ``range(mc_count)`` or overlapping an earlier one are
    ignored; the pairs no kept chunk covers are cut into chunks of at most
    ``chunk_size`` pairs, so together they tile ``range(mc_count)`` once whatever
    chunking the kept ones had.

    Returns
    -------
    done : dict
        ``{(start, stop): part}`` of the kept chunks used.
    todo : list of (start, stop)
    """
    chunk_size = check_count(chunk_size, "chunk_size")
    done: dict[Chunk, Any] = {}
    end = 0
    for (a, b), part in sorted((kept or {}).items(), key=lambda item: item[0]):
        a, b = int(a), int(b)
        if end <= a < b <= mc_count:
            done[(a, b)] = part
            end = b
    todo, start = [], 0
    for a, b in [*done, (mc_count, mc_count)]:
        todo += [(s, min(s + chunk_size, a)) for s in range(start, a, chunk_size)]
        start = b
    return done, todo


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
    `pycwt_mod.montecarlo.kernel.run_chunk`), and so does a partial or multiple
    coherence plan (`pycwt_mod.montecarlo.multivariate_kernel`); a `FieldPlan` runs
    with numpy on the host whatever ``xp`` is (its fields are the library's float64
    transforms).

    Returns
    -------
    part : (n_scales, nbins) int64 ndarray, or the field plan's chunk result
    """
    if isinstance(plan, MonteCarloPlan):
        return coherence_chunk(plan, start, stop, xp=xp, workers=workers, batch_bytes=batch_bytes)
    if isinstance(plan, MultivariatePlan):
        return run_multivariate_chunk(
            plan, start, stop, xp=xp, workers=workers, batch_bytes=batch_bytes
        )
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
