"""The Monte Carlo backend interface."""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from ..chunks import Accumulator, Chunk, Plan
from ..plan import Cancelled

__all__ = ["BackendUnavailableError", "MonteCarloBackend"]


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
    ) -> Iterator[tuple]:
        """Yield ``(chunk, part)`` or ``(chunk, part, where)`` as chunks finish, in any
        order (``where``: where the chunk ran, e.g. a Ray node id)."""

    def run(
        self,
        plan: Plan,
        chunks: Sequence[Chunk],
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        done: Mapping[Chunk, Any] | None = None,
        on_chunk: Callable[[Chunk, Any, str | None], None] | None = None,
    ):
        """Run ``chunks`` and join their results with those of ``done``
        (`pycwt_mod.montecarlo.chunks.Accumulator`).

        Parameters
        ----------
        plan : Plan
        chunks : sequence of (start, stop)
            Pair ranges to run; with the chunks of ``done`` they must cover
            ``range(plan.mc_count)`` once.
        progress : callable, optional
            ``progress(done_pairs, total_pairs)`` after each finished chunk (and once
            first, with the pairs of ``done``, when there are some).
        cancel : callable, optional
            Polled between chunks; True raises `Cancelled`.
        done : mapping, optional
            ``{(start, stop): part}`` of chunks already computed (e.g. kept by a
            `pycwt_mod.montecarlo.chunks.Checkpoint`): added to the result, not rerun.
        on_chunk : callable, optional
            ``on_chunk(chunk, part, where)`` once for each chunk of ``chunks`` as it
            finishes; ``where`` is the Ray node id on the ray backend, None for a
            backend that runs on this machine.

        Returns
        -------
        result : (n_scales, nbins) int64 ndarray or NullPatches
            The summed histogram, or the null patches in surrogate order: the same
            bits whichever chunks were done before.
        """
        done = dict(done or {})
        chunks = list(chunks)
        covered = sorted([*chunks, *done])
        if (
            not covered
            or covered[0][0] != 0
            or covered[-1][1] != plan.mc_count
            or any(a[1] != b[0] for a, b in itertools.pairwise(covered))
        ):
            raise ValueError(f"chunks and done chunks must tile range(0, {plan.mc_count}) exactly")
        acc = Accumulator()
        count = 0
        for (a, b), part in done.items():
            acc.add((a, b), part)
            count += b - a
        if count and progress is not None:
            progress(count, plan.mc_count)
        if not chunks:
            return acc.result()
        if cancel is not None and cancel():
            raise Cancelled("cancelled before the first chunk")
        finished = self._imap(plan, chunks, cancel)
        try:
            for item in finished:
                (a, b), part = item[0], item[1]
                acc.add((a, b), part)
                if on_chunk is not None:
                    on_chunk((a, b), part, item[2] if len(item) > 2 else None)
                count += b - a
                if progress is not None:
                    progress(count, plan.mc_count)
                if cancel is not None and count < plan.mc_count and cancel():
                    raise Cancelled(f"cancelled after {count} of {plan.mc_count} pairs")
        finally:
            close = getattr(finished, "close", None)
            if close is not None:  # a generator: its clean-up runs now, not at collection
                close()
        return acc.result()
