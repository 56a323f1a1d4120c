"""The Monte Carlo backend interface."""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import ClassVar

import numpy as np

from ..chunks import Accumulator, Plan
from ..plan import Cancelled

__all__ = ["BackendUnavailableError", "MonteCarloBackend"]

Chunk = tuple[int, int]


class BackendUnavailableError(RuntimeError):
    """A named backend cannot run here; the message says why and how to fix it."""


class MonteCarloBackend(ABC):
    """Runs the chunks of a plan (`pycwt_mod.montecarlo.chunks.Plan`) and joins their results.

    Subclasses set ``name``, ``description`` and ``capabilities``, implement
    `unavailable_reason` and `_imap`, and may override `default_chunk_size`.
    Constructor keyword arguments are backend options.
    """

    name: ClassVar[str] = "base"
    description: ClassVar[str] = ""
    capabilities: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **options):
        self.options = options

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this backend cannot run here, or None if it can."""
        return None

    @classmethod
    def is_available(cls) -> bool:
        """True if the backend can run in this process."""
        return cls.unavailable_reason() is None

    @classmethod
    def describe(cls) -> dict:
        """``{"name", "description", "available", "reason", "capabilities"}``."""
        reason = cls.unavailable_reason()
        return {
            "name": cls.name,
            "description": cls.description,
            "available": reason is None,
            "reason": reason,
            "capabilities": list(cls.capabilities),
        }

    def parallelism(self) -> int:
        """How many chunks run at once (sets the default chunk size)."""
        return 1

    def default_chunk_size(self, plan: Plan) -> int:
        """About four chunks per parallel worker, at most 50 pairs each."""
        return max(1, min(50, math.ceil(plan.mc_count / (4 * self.parallelism()))))

    @abstractmethod
    def _imap(
        self, plan: Plan, chunks: Sequence[Chunk], cancel: Callable[[], bool] | None
    ) -> Iterator[tuple[Chunk, np.ndarray]]:
        """Yield ``(chunk, part)`` as chunks finish, in any order."""

    def run(
        self,
        plan: Plan,
        chunks: Sequence[Chunk],
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ):
        """Run all ``chunks`` and join their results (`pycwt_mod.montecarlo.chunks.Accumulator`).

        Parameters
        ----------
        plan : Plan
        chunks : sequence of (start, stop)
            Pair ranges; together they must cover ``range(plan.mc_count)`` once.
        progress : callable, optional
            ``progress(done_pairs, total_pairs)`` after each finished chunk.
        cancel : callable, optional
            Polled between chunks; True raises `Cancelled`.

        Returns
        -------
        result : (n_scales, nbins) int64 ndarray or NullPatches
            The summed histogram, or the null patches in surrogate order.
        """
        covered = sorted(chunks)
        if (
            not covered
            or covered[0][0] != 0
            or covered[-1][1] != plan.mc_count
            or any(a[1] != b[0] for a, b in itertools.pairwise(covered))
        ):
            raise ValueError(f"chunks must tile range(0, {plan.mc_count}) exactly")
        if cancel is not None and cancel():
            raise Cancelled("cancelled before the first chunk")
        acc = Accumulator()
        done = 0
        for (a, b), part in self._imap(plan, chunks, cancel):
            acc.add((a, b), part)
            done += b - a
            if progress is not None:
                progress(done, plan.mc_count)
            if cancel is not None and done < plan.mc_count and cancel():
                raise Cancelled(f"cancelled after {done} of {plan.mc_count} pairs")
        return acc.result()
