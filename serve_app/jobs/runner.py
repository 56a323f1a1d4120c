"""The runner of one significance job: a detached Ray actor (0 CPUs for itself).

It calls `pycwt_mod.montecarlo.wct_significance` with the ``ray`` backend, so the
chunks of surrogate pairs run as Ray tasks (one GPU each for ``gpu`` jobs), reports
progress to the registry as chunks finish, polls the registry's cancel flag and stops
at the job's deadline. It owns the chunk ObjectRefs, so an HTTP replica restart does
not orphan a job.
"""

from __future__ import annotations

import logging
import time
import traceback

import numpy as np
import ray

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod.backends import MonteCarloBackend, get_backend

from ..analysis import resolve_grid
from ..npz import to_npz
from ..records import JobStatus, SignificanceResult
from .job import JobParams

__all__ = ["CALL_TIMEOUT_S", "JobRunner", "backend_for"]

log = logging.getLogger(__name__)

#: Deadline of one call from a runner to the registry.
CALL_TIMEOUT_S = 60.0


def backend_for(name: str, timeout_s: float) -> MonteCarloBackend:
    """Backend of ``wct_significance`` for a job's backend label.

    ``ray`` and ``gpu`` fan the chunks out as Ray tasks (one GPU each for ``gpu``),
    with the job's deadline; other names run in the runner itself.
    """
    if name in ("ray", "gpu"):
        return get_backend("ray", use_gpu=name == "gpu", timeout_s=timeout_s)
    return get_backend(name)


class JobRunner:
    """Runs one significance job (a detached actor; one per job attempt).

    Parameters
    ----------
    job_id : str
    registry_name, namespace : str
        Where to find the `serve_app.jobs.registry.JobRegistry` actor.
    timeout_s : float
        Deadline of the whole computation.
    """

    def __init__(self, job_id: str, registry_name: str, namespace: str, timeout_s: float):
        self.job_id = job_id
        self._registry_name, self._ns = registry_name, namespace
        self._registry = ray.get_actor(registry_name, namespace=namespace)
        self._deadline = time.monotonic() + timeout_s
        self._timeout_s = timeout_s
        self._cancelled = False
        self._timed_out = False
        self._last_poll = 0.0

    def _call(self, method: str, *args):
        try:
            ref = getattr(self._registry, method).remote(self.job_id, *args)
            return ray.get(ref, timeout=CALL_TIMEOUT_S)
        except ray.exceptions.ActorDiedError:
            # killed for good: the ingress creates it again (from SQLite) on next use
            self._registry = self._find_registry()
            ref = getattr(self._registry, method).remote(self.job_id, *args)
            return ray.get(ref, timeout=CALL_TIMEOUT_S)

    def _find_registry(self):
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while True:
            try:
                return ray.get_actor(self._registry_name, namespace=self._ns)
            except ValueError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _progress(self, done: int, total: int) -> None:
        try:
            if self._call("report_progress", int(done), int(total)):
                self._cancelled = True
        except Exception:  # progress is best effort; the job must go on
            log.exception("progress report of job %s failed", self.job_id)

    def _cancel(self) -> bool:
        if time.monotonic() > self._deadline:
            self._timed_out = True
            return True
        now = time.monotonic()
        if not self._cancelled and now - self._last_poll > 0.25:
            self._last_poll = now
            try:
                self._cancelled = bool(self._call("cancel_requested"))
            except Exception:
                log.exception("cancel poll of job %s failed", self.job_id)
        return self._cancelled

    def run(self) -> str:
        """Run the job to a terminal state, reported to the registry; returns it."""
        stored = self._call("start")
        if stored is None:  # cancelled while queued
            return JobStatus.cancelled.value
        params = JobParams.from_dict(stored)
        t0 = time.perf_counter()
        try:
            sig, info = montecarlo.wct_significance(
                params.a1,
                params.a2,
                params.dt,
                params.dj,
                params.s0,
                params.J,
                significance_level=params.significance_level,
                wavelet=params.wavelet,
                mc_count=params.mc_count,
                progress=False,
                cache=False,
                backend=backend_for(params.backend, self._timeout_s),
                seed=params.seed,
                chunk_size=params.chunk_size,
                progress_callback=self._progress,
                cancel=self._cancel,
                return_info=True,
            )
        except (montecarlo.Cancelled, TimeoutError):
            if self._timed_out or not self._cancelled:
                self._call("fail", f"timed out after {self._timeout_s:g} s (PYCWT_JOB_TIMEOUT_S)")
                return JobStatus.failed.value
            self._call("mark_cancelled")
            return JobStatus.cancelled.value
        except Exception as exc:
            log.error("job %s failed:\n%s", self.job_id, traceback.format_exc())
            self._call("fail", f"{type(exc).__name__}: {exc}")
            return JobStatus.failed.value
        result = _result(params, sig, info, time.perf_counter() - t0)
        self._call("complete", to_npz(result.arrays()), result.backend_used)
        return JobStatus.completed.value

    def wait(self) -> bool:
        """Returns once `run` has returned (calls on this actor run one at a time)."""
        return True


def _result(params: JobParams, sig, info: dict, elapsed: float) -> SignificanceResult:
    _, _, scales = resolve_grid(params.n, params.dt, params.dj, params.s0, params.J, params.wavelet)
    freqs = 1 / (pycwt_mod.get_wavelet(params.wavelet).flambda() * scales)
    return SignificanceResult(
        sig95=np.asarray(sig),
        scales=scales,
        freqs=freqs,
        period=1 / freqs,
        seed=int(info["seed"]),
        mc_count=params.mc_count,
        significance_level=params.significance_level,
        computation_time=elapsed,
        backend_used=str(info.get("backend", params.backend)),
        ar1=np.array([params.a1, params.a2]),
        warnings=list(params.warnings),
    )
