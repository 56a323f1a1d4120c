"""Sequential backend: every chunk in this process, one after the other."""

from __future__ import annotations

from ..chunks import run_chunk
from .base import MonteCarloBackend


class SequentialBackend(MonteCarloBackend):
    """Runs chunks one by one in the calling process.

    Options
    -------
    workers : int
        scipy.fft threads per transform (default 1).
    """

    name = "sequential"
    description = "All chunks in the calling process, one after another (numpy)."
    capabilities = ("cpu", "cancel", "progress")

    def _imap(self, plan, chunks, cancel):
        workers = self.options.get("workers", 1)
        for a, b in chunks:
            yield (a, b), run_chunk(plan, a, b, workers=workers)
