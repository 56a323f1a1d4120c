"""The runner of one significance job: a detached Ray actor (0 CPUs for itself).

For ``ray`` and ``gpu`` jobs it cuts the job's `pycwt_mod.montecarlo.plan` into chunks
of surrogate pairs (the chunk size is fixed at the first attempt and kept with the
job), asks the registry which chunks are already kept, and runs only the others, each
as a Ray task (one GPU each for ``gpu`` jobs). Every finished chunk's histogram and the
node it ran on go to the registry (SQLite) at once; the thresholds come from the sum of
the kept and the new histograms, so an attempt that resumes after a crash gives the
same bits as an uninterrupted run. Backends that run inside the runner (``sequential``,
``joblib``) go through `pycwt_mod.montecarlo.wct_significance` and start from scratch
on a new attempt. The plan is rebuilt from the job's stored parameters, the series
included for the ``phase``/``iaaft`` families (`JobParams.data1`/``data2``), so every
family resumes the same way. An areawise job then runs
`pycwt_mod.areawise_coherence` with the job's thresholds, seed and backend (that pass
keeps no chunks: a new attempt runs it again). The runner polls the registry's cancel
flag, stops at the job's deadline and owns the chunk ObjectRefs, so an HTTP replica
restart does not orphan a job.
"""

from __future__ import annotations

import logging
import time
import traceback

import numpy as np
import ray

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod.areawise import threshold_levels
from pycwt_mod.montecarlo.backends import BackendUnavailableError, MonteCarloBackend, get_backend
from pycwt_mod.montecarlo.backends.gpu import GPU_BATCH_BYTES, gpu_unavailable_reason

from ..analysis import resolve_grid
from ..npz import to_npz
from ..records import JobStatus, SignificanceResult
from .job import JobParams

__all__ = ["CALL_TIMEOUT_S", "CHUNKED_BACKENDS", "JobRunner", "backend_for"]

log = logging.getLogger(__name__)

#: Deadline of one call from a runner to the registry.
CALL_TIMEOUT_S = 60.0
#: Job backends whose chunks the runner runs (and keeps) one Ray task each.
CHUNKED_BACKENDS = ("ray", "gpu")
#: Retries of a chunk task that failed or whose worker or node was lost (chunks are
#: deterministic, so a retry gives the same histogram).
CHUNK_RETRIES = 3
#: Seconds between two checks of cancellation and the deadline while chunks run.
POLL_S = 0.25


def _ray_chunk(plan, start: int, stop: int, use_gpu: bool):
    """One chunk, as a Ray task (process title ``ray::_ray_chunk``): ``(histogram or
    None, node id, error or None)``."""
    node = ray.get_runtime_context().get_node_id()
    if use_gpu:
        reason = gpu_unavailable_reason()
        if reason is not None:  # a logical GPU without a usable device: say where
            return (
                None,
                node,
                (
                    f"chunk [{start}, {stop}) was placed on Ray node {node} (GPU ids "
                    f"{ray.get_gpu_ids()}), which cannot run the GPU kernel: {reason}"
                ),
            )
        import cupy

        hist = montecarlo.run_chunk(plan, start, stop, xp=cupy, batch_bytes=GPU_BATCH_BYTES)
        return hist, node, None
    return montecarlo.run_chunk(plan, start, stop, workers=1), node, None


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
        self._pending: dict = {}

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

    def _keep(self, start: int, stop: int, hist: np.ndarray, node: str | None) -> None:
        try:
            if self._call("chunk_done", int(start), int(stop), hist, node):
                self._cancelled = True
        except Exception:  # the job goes on; only this chunk's durability is lost
            log.exception("keeping chunk [%d, %d) of job %s failed", start, stop, self.job_id)

    def _run_chunks(self, params: JobParams, plan, backend: MonteCarloBackend) -> np.ndarray:
        """The histogram of the kept chunks plus the others, run as Ray tasks."""
        size = params.chunk_size or self._call("fix_chunk_size", backend.default_chunk_size(plan))
        chunks = montecarlo.split_chunks(plan.mc_count, int(size))
        kept = {(a, b): h for a, b, h in self._call("kept_chunks")}
        hist = np.zeros((plan.n_scales, plan.nbins), dtype=np.int64)
        for chunk in chunks:
            if chunk in kept:
                hist += kept[chunk]
        todo = [c for c in chunks if c not in kept]
        use_gpu = params.backend == "gpu"
        if todo and use_gpu and ray.cluster_resources().get("GPU", 0) < 1:
            raise BackendUnavailableError(
                "the job needs a GPU (backend 'gpu'), but no node of the Ray cluster has "
                "one now; start a GPU worker or submit with backend 'ray'"
            )
        resources = {"num_gpus": 1, "num_cpus": 0} if use_gpu else {"num_cpus": 1}
        task = ray.remote(_ray_chunk).options(
            max_retries=CHUNK_RETRIES, retry_exceptions=True, **resources
        )
        plan_ref = ray.put(plan)
        # cancelled by `run` once the job's end is reported (`_drop_pending`)
        pending = self._pending = {task.remote(plan_ref, a, b, use_gpu): (a, b) for a, b in todo}
        while pending:
            if self._cancel():
                raise montecarlo.Cancelled("cancelled while chunks were running")
            ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=POLL_S)
            for ref in ready:
                a, b = pending.pop(ref)
                part, node, error = ray.get(ref)
                if error is not None:
                    raise BackendUnavailableError(error)
                hist += part
                self._keep(a, b, part, node)
        return hist

    def run(self) -> str:
        """Run the job to a terminal state, reported to the registry; returns it."""
        try:
            return self._run()
        finally:
            self._drop_pending()

    def _drop_pending(self) -> None:
        # after the job's end is stored: a force-cancel racing a finishing task can
        # abort this process (Ray 2.60 "Tried to complete task that was not pending"),
        # and a runner dying before it reported would make the registry run it again
        for ref in self._pending:
            try:
                ray.cancel(ref, force=True)
            except Exception:
                pass
        self._pending = {}

    def _run(self) -> str:
        stored = self._call("start", ray.get_runtime_context().get_node_id())
        if stored is None:  # cancelled while queued
            return JobStatus.cancelled.value
        params = JobParams.from_dict(stored)
        t0 = time.perf_counter()
        area = None
        try:
            plan = _plan(params)
            backend = backend_for(params.backend, self._timeout_s)
            if params.backend in CHUNKED_BACKENDS:
                hist = self._run_chunks(params, plan, backend)
            else:
                hist = self._run_in_runner(params, plan, backend)
            # every level the job's tests need, from the one histogram
            levels = (params.significance_level,)
            if params.areawise:
                levels = threshold_levels(params.areawise_test, params.significance_level)
            thr = np.stack([montecarlo.thresholds(plan, hist, lv) for lv in levels])
            sig = thr[0]
            if params.areawise:
                area = self._run_areawise(params, thr, backend)
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
        info = {"seed": plan.seed, "backend": backend.name}
        result = _result(params, sig, info, time.perf_counter() - t0, area)
        self._call("complete", to_npz(result.arrays()), result.backend_used)
        return JobStatus.completed.value

    def _run_in_runner(self, params: JobParams, plan, backend: MonteCarloBackend) -> np.ndarray:
        """The histogram on a backend that runs in this actor (no chunk is kept)."""
        hist, _ = montecarlo.run_plan(
            plan,
            backend,
            params.chunk_size,
            progress_callback=self._threshold_progress(params),
            cancel=self._cancel,
        )
        return hist

    def _threshold_progress(self, params: JobParams):
        """Progress of the thresholds pass: the first of the job's `JobParams.passes`."""
        if params.passes == 1:
            return self._progress
        return lambda done, total: self._progress(done, params.passes * total)

    def _run_areawise(self, params: JobParams, thr: np.ndarray, backend: MonteCarloBackend):
        """`pycwt_mod.areawise_coherence` of the job's series with its thresholds.

        ``thr`` holds the job's thresholds at every level of `threshold_levels`, so
        the library runs only the null patches, which it reports as pairs
        ``mc_count..2 * mc_count``: the job's progress goes on from where the
        thresholds left it, up to 1.
        """
        y1, y2 = params.series()
        test = params.areawise_test
        whole = params.passes * params.mc_count

        def progress(done: int, total: int) -> None:
            self._progress(whole - total + done, whole)

        return pycwt_mod.areawise_coherence(
            y1,
            y2,
            params.dt,
            params.dj,
            params.s0,
            params.J,
            params.wavelet,
            surrogate=params.surrogate,
            sig95=thr,
            level=params.significance_level,
            area_level=params.area_level,
            mc_count=params.mc_count,
            seed=params.seed,
            measure=params.area_measure,
            test=test,
            al1=params.a1,  # used by "ar1" only
            al2=params.a2,
            backend=backend,
            chunk_size=params.chunk_size,
            cache=False,
            progress_callback=progress,
            cancel=self._cancel,
        )

    def wait(self) -> bool:
        """Returns once `run` has returned (calls on this actor run one at a time)."""
        return True


def _plan(params: JobParams) -> montecarlo.MonteCarloPlan:
    """The job's coherence plan, rebuilt from its stored parameters."""
    return montecarlo.make_plan(
        al1=params.a1,
        al2=params.a2,
        dt=params.dt,
        dj=params.dj,
        s0=params.s0,
        J=params.J,
        wavelet=params.wavelet,
        mc_count=params.mc_count,
        seed=params.seed,
        **_family(params),
    )


def _family(params: JobParams) -> dict:
    """``surrogate=``/``data=`` of the plan: the kept series for ``phase``/``iaaft``."""
    if params.surrogate == "ar1":
        return {}
    return {"surrogate": params.surrogate, "data": params.series()}


def _result(params: JobParams, sig, info: dict, elapsed: float, area=None) -> SignificanceResult:
    _, _, scales = resolve_grid(params.n, params.dt, params.dj, params.s0, params.J, params.wavelet)
    freqs = 1 / (pycwt_mod.get_wavelet(params.wavelet).flambda() * scales)
    extra = {}
    if area is not None:
        extra = {
            "pointwise_mask": np.asarray(area.pointwise, dtype=bool),
            "areawise_mask": np.asarray(area.areawise, dtype=bool),
            "critical_area": float(area.critical_area),
            "area_level": params.area_level,
            "area_measure": params.area_measure,
            "areawise_test": params.areawise_test,
        }
        if params.areawise_test == "cumulative":
            extra["cumulative_levels"] = np.asarray(area.cumulative_levels, dtype=float)
            extra["cumulative_critical_areas"] = np.asarray(
                area.cumulative_critical_areas, dtype=float
            )
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
        ar1=np.array([params.a1, params.a2]) if params.surrogate == "ar1" else None,
        warnings=list(params.warnings),
        surrogate=params.surrogate,
        **extra,
    )
