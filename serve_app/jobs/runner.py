"""The runner of one significance job: a detached Ray actor (0 CPUs for itself).

It computes the job with the library, as `pycwt_mod.pipeline.analyze_wct` does: the
thresholds with `pycwt_mod.pipeline.coherence_thresholds`, then for an areawise job
the null patches with `pycwt_mod.areawise_coherence` and the job's thresholds. Both
passes run on a Monte Carlo backend (`backend_for`: the ray backend, one Ray task per
chunk, on GPUs for ``gpu`` jobs; another name runs in the runner itself) with a
`RegistryCheckpoint`: every finished chunk of either pass, with the node it ran on,
goes to the registry (SQLite) at once, and a new attempt after a crash runs only the
pairs not kept yet and joins the kept parts, so it gives the same bits as an
uninterrupted run. The passes are rebuilt from the job's stored parameters (the
series included for the ``phase``/``iaaft`` families and the areawise test,
`JobParams.data1`/``data2``). The runner keeps only the registry calls: the kept
chunks, the progress (counted by the registry as chunks are kept, over every pass),
the cancel flag and the job's end. It polls the cancel flag, stops at the job's
deadline and owns the chunk tasks (cancelling those left running once the job's end
is stored), so an HTTP replica restart does not orphan a job.
"""

from __future__ import annotations

import logging
import os
import time
import traceback

import numpy as np
import ray

import pycwt_mod
from pycwt_mod import montecarlo, pipeline
from pycwt_mod.montecarlo.backends import MonteCarloBackend, get_backend

from ..npz import to_npz
from ..records import JobStatus, SignificanceResult
from .job import JobParams

__all__ = ["CALL_TIMEOUT_S", "JobRunner", "RegistryCheckpoint", "backend_for"]

log = logging.getLogger(__name__)

#: Deadline of one call from a runner to the registry.
CALL_TIMEOUT_S = 60.0
#: Seconds between two polls of the registry's cancel flag.
POLL_S = 0.25


def backend_for(name: str, timeout_s: float) -> MonteCarloBackend:
    """The Monte Carlo backend of a job's backend label.

    ``ray`` and ``gpu`` fan the chunks out as Ray tasks (one GPU each for ``gpu``),
    with the job's deadline, leaving the tasks still running when a pass ends early
    to the runner (`RayBackend.cancel_leftovers`); other names run in the runner.
    """
    if name in ("ray", "gpu"):
        return get_backend("ray", use_gpu=name == "gpu", timeout_s=timeout_s, defer_cancel=True)
    return get_backend(name)


class RegistryCheckpoint:
    """A `pycwt_mod.montecarlo.Checkpoint` kept by the job registry (SQLite).

    Parameters
    ----------
    runner : JobRunner
        Whose registry calls are used.
    """

    def __init__(self, runner: JobRunner):
        self._runner = runner

    def kept(self, key: str) -> dict:
        """The chunks of pass ``key`` kept so far (for the coherence histogram, also
        those of a version that kept one pass without keys)."""
        legacy = key.split("-")[0] == montecarlo.MonteCarloPlan.__name__
        rows = self._runner.call("kept_chunks", key, legacy)
        return {(int(a), int(b)): part for a, b, part in rows}

    def keep(self, key: str, chunk, part, where: str | None) -> None:
        """Hand a finished chunk to the registry (best effort: the job goes on without
        this chunk's durability when the call fails); ``where`` None is the runner's
        own node (a backend that runs in the runner)."""
        self._runner.keep(key, chunk, part, where)


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
        self._node: str | None = None
        self._backend: MonteCarloBackend | None = None

    def call(self, method: str, *args):
        """``registry.method(job_id, *args)``, finding the registry again if it died."""
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

    def keep(self, key: str, chunk, part, where: str | None) -> None:
        """Keep a finished chunk with the registry, which counts the job's progress."""
        start, stop = chunk
        try:
            if self.call("chunk_done", key, int(start), int(stop), part, where or self._node):
                self._cancelled = True
        except Exception:  # the job goes on; only this chunk's durability is lost
            log.exception("keeping chunk [%d, %d) of job %s failed", start, stop, self.job_id)

    def _cancel(self) -> bool:
        if time.monotonic() > self._deadline:
            self._timed_out = True
            return True
        now = time.monotonic()
        if not self._cancelled and now - self._last_poll > POLL_S:
            self._last_poll = now
            try:
                self._cancelled = bool(self.call("cancel_requested"))
            except Exception:
                log.exception("cancel poll of job %s failed", self.job_id)
        return self._cancelled

    def run(self) -> str:
        """Run the job to a terminal state, reported to the registry; returns it."""
        try:
            return self._run()
        finally:
            # after the job's end is stored: a force-cancel racing a finishing task can
            # abort this process (Ray 2.60 "Tried to complete task that was not
            # pending"), and a runner dying before it reported would make the registry
            # run the job again
            cancel_leftovers = getattr(self._backend, "cancel_leftovers", None)
            if cancel_leftovers is not None:
                cancel_leftovers()

    def _run(self) -> str:
        self._node = ray.get_runtime_context().get_node_id()
        stored = self.call("start", self._node, os.getpid())
        if stored is None:  # cancelled while queued
            return JobStatus.cancelled.value
        params = JobParams.from_dict(stored)
        t0 = time.perf_counter()
        try:
            self._backend = backend_for(params.backend, self._timeout_s)
            thr, area = self._compute(params, self._backend)
        except (montecarlo.Cancelled, TimeoutError):
            if self._timed_out or not self._cancelled:
                self.call("fail", f"timed out after {self._timeout_s:g} s (PYCWT_JOB_TIMEOUT_S)")
                return JobStatus.failed.value
            self.call("mark_cancelled")
            return JobStatus.cancelled.value
        except Exception as exc:
            log.error("job %s failed:\n%s", self.job_id, traceback.format_exc())
            self.call("fail", f"{type(exc).__name__}: {exc}")
            return JobStatus.failed.value
        result = _result(params, thr, time.perf_counter() - t0, area)
        self.call("complete", to_npz(result.arrays()), result.backend_used)
        return JobStatus.completed.value

    def _compute(self, params: JobParams, backend: MonteCarloBackend):
        """The job's `pycwt_mod.pipeline.Thresholds` and `pycwt_mod.AreawiseResult`
        (None without the areawise test), every chunk kept with the registry."""
        checkpoint = RegistryCheckpoint(self)
        grid, mc = params.resolved_grid(), params.monte_carlo
        y1 = y2 = None  # an AR(1) job without the areawise test keeps no series
        if mc.surrogate.needs_data or params.areawise is not None:
            y1, y2 = params.series()
        thr = pipeline.coherence_thresholds(
            y1, y2, grid, mc, params.areawise,
            ar1=(params.a1, params.a2) if mc.surrogate.fits_red_noise else None,
            warnings=params.warnings, cancel=self._cancel, backend=backend,
            checkpoint=checkpoint,
        )  # fmt: skip
        if params.areawise is None:
            return thr, None
        area = params.areawise
        return thr, pycwt_mod.areawise_coherence(
            y1, y2, grid.dt, grid.dj, grid.s0, grid.J, grid.mother, surrogate=mc.surrogate.name,
            sig95=thr.rows, significance_level=mc.significance_level,
            area_level=area.area_level, mc_count=mc.mc_count, seed=thr.seed,
            area_measure=area.area_measure, area_test=area.area_test,
            al1=params.a1, al2=params.a2,  # used by "ar1" only
            backend=backend, chunk_size=mc.chunk_size, cache=False, cancel=self._cancel,
            checkpoint=checkpoint,
        )  # fmt: skip

    def wait(self) -> bool:
        """Returns once `run` has returned (calls on this actor run one at a time)."""
        return True


def _result(params: JobParams, thr, elapsed: float, area=None) -> SignificanceResult:
    grid, mc = params.resolved_grid(), params.monte_carlo
    freqs = 1 / (grid.mother.flambda() * grid.scales)
    extra = {}
    if area is not None:
        extra = {
            "pointwise_mask": np.asarray(area.pointwise, dtype=bool),
            "areawise_mask": np.asarray(area.areawise, dtype=bool),
            "critical_area": float(area.critical_area),
            "area_level": params.areawise.area_level,
            "area_measure": params.areawise.area_measure,
            "areawise_test": params.areawise.area_test,
        }
        if params.areawise.area_test == "cumulative":
            extra["cumulative_levels"] = np.asarray(area.cumulative_levels, dtype=float)
            extra["cumulative_critical_areas"] = np.asarray(
                area.cumulative_critical_areas, dtype=float
            )
    return SignificanceResult(
        sig95=np.asarray(thr.sig95),
        scales=grid.scales,
        freqs=freqs,
        period=1 / freqs,
        seed=int(thr.seed),
        mc_count=mc.mc_count,
        significance_level=mc.significance_level,
        computation_time=elapsed,
        backend_used=thr.backend,
        ar1=None if thr.ar1 is None else np.array(thr.ar1),
        warnings=list(thr.warnings),
        surrogate=mc.surrogate.name,
        **extra,
    )
