"""joblib backend: chunks in parallel worker processes (loky)."""

from __future__ import annotations

import importlib.util
import os

from ..chunks import run_chunk
from .base import MonteCarloBackend


def _chunk(plan, a, b):
    return (a, b), run_chunk(plan, a, b, workers=1)


class JoblibBackend(MonteCarloBackend):
    """Runs chunks in a pool of processes on this machine.

    Options
    -------
    n_jobs : int
        Worker processes (default: all cores).
    """

    name = "joblib"
    description = "Chunks in parallel processes on this machine (joblib/loky)."
    capabilities = ("cpu", "multiprocess", "cancel", "progress")

    @classmethod
    def unavailable_reason(cls):
        if importlib.util.find_spec("joblib") is None:
            return "joblib is not installed: pip install joblib"
        return None

    def parallelism(self) -> int:
        n_jobs = self.options.get("n_jobs", -1)
        cores = os.cpu_count() or 1
        n_jobs = -1 if n_jobs is None else int(n_jobs)
        # joblib's convention: -1 is all cores, -2 all but one, and so on.
        return max(1, cores + 1 + n_jobs if n_jobs < 0 else n_jobs)

    def _imap(self, plan, chunks, cancel):
        from joblib import Parallel, delayed

        with Parallel(n_jobs=self.parallelism(), return_as="generator_unordered") as parallel:
            yield from parallel(delayed(_chunk)(plan, a, b) for a, b in chunks)
