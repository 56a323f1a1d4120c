"""Significance jobs on Ray: the job registry actor and one runner actor per job.

``JobRegistry`` is a named, detached, async actor; it writes every transition to
SQLite (`serve_app.store`) and reloads on restart. Each job runs in its own detached
``JobRunner`` (0 CPUs for itself), which calls
`pycwt_mod.montecarlo.wct_significance` with the ``ray`` backend so the chunks of
surrogate pairs run as Ray tasks, reports progress as chunks finish and polls the
registry's cancel flag. Every wait has a deadline (``job_timeout_s``).

Life cycle: ``queued -> running -> completed | failed | cancelled``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import traceback
import uuid
from typing import Any

import numpy as np
import ray

from pycwt_mod.backends import BackendUnavailableError, get_backend

from .analysis import Limits, check_size, resolve_grid
from .encoding import to_npz
from .metrics import JobMetrics
from .store import JobStore, utcnow

__all__ = [
    "ACTIVE",
    "TERMINAL",
    "JobRegistry",
    "JobRunner",
    "get_registry",
    "prepare_job",
]

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
TERMINAL = ("completed", "failed", "cancelled")
#: Seconds a runner gets to stop after a cancel before it is killed.
CANCEL_GRACE_S = 15.0
#: Deadline of one call from a runner to the registry.
CALL_TIMEOUT_S = 60.0
#: Seconds between two refreshes of the active-jobs gauge.
METRICS_REFRESH_S = 2.0
#: Resource only the head node has (Ray 2.60).
HEAD_RESOURCE = "node:__internal_head__"
#: Job backends run in the runner through Ray tasks; other names run in the runner.
RAY_PATHS = ("ray", "gpu", "auto")
#: Runs of one job: a job whose runner dies is started once more with the same
#: parameters and seed (chunks are deterministic, so the result is identical); when the
#: second runner dies too, the job fails with "job runner died: ...".
MAX_ATTEMPTS = 2


def _cluster_gpus() -> float:
    return float(ray.cluster_resources().get("GPU", 0)) if ray.is_initialized() else 0.0


def prepare_job(
    data1,
    data2,
    dt: float,
    dj: float = 1 / 12,
    s0=None,
    J=None,
    wavelet: str = "morlet",
    significance_level: float = 0.95,
    mc_count: int = 300,
    backend: str | None = None,
    seed: int | None = None,
    *,
    limits: Limits | None = None,
    default_backend: str = "ray",
    use_gpu: str = "auto",
    chunk_size: int | None = None,
) -> dict[str, Any]:
    """Validate a significance request and reduce it to the job's parameters.

    The job only needs the AR(1) coefficients of the two series and their resolved
    scale grid, so the series themselves are not stored.

    Returns
    -------
    params : dict
        JSON-serialisable parameters of the runner (seed drawn when None).

    Raises
    ------
    ValueError
        Bad data or parameters (the library's message), or a request over ``limits``.
    pycwt_mod.backends.BackendUnavailableError
        A GPU asked of a cluster without one, or an unavailable backend.
    """
    import pycwt_mod
    from pycwt_mod._validation import as_series, check_same_length

    y1 = as_series(data1, "data1")
    y2 = as_series(data2, "data2")
    check_same_length(y1, y2)
    s0r, Jr, scales = resolve_grid(y1.size, dt, dj, s0, J, wavelet)
    check_size(y1.size, scales.size, limits or Limits(), mc_count)
    a1, _, _ = pycwt_mod.ar1(y1)
    a2, _, _ = pycwt_mod.ar1(y2)
    name = backend or default_backend
    gpus = _cluster_gpus()
    if name == "gpu" or (name in RAY_PATHS and use_gpu == "always"):
        gpu = True
    else:  # "auto" takes the GPUs when the cluster has some; "ray" stays on CPUs
        gpu = name == "auto" and use_gpu == "auto" and gpus >= 1
    if gpu:
        if use_gpu == "never":
            raise BackendUnavailableError(
                "GPU jobs are disabled on this service (PYCWT_USE_GPU=never)"
            )
        if gpus < 1:
            raise BackendUnavailableError(
                f"backend {name!r} needs a GPU, but this Ray cluster has none "
                f"(resources: {ray.cluster_resources() if ray.is_initialized() else {}}); "
                "use backend 'ray' or start the cluster with GPU workers"
            )
    elif name not in RAY_PATHS:
        get_backend(name)  # raises BackendUnavailableError with the reason
    return {
        "a1": float(a1),
        "a2": float(a2),
        "n": int(y1.size),
        "dt": float(dt),
        "dj": float(dj),
        "s0": float(s0r),
        "J": int(Jr),
        "wavelet": wavelet,
        "significance_level": float(significance_level),
        "mc_count": int(mc_count),
        "seed": int(secrets.randbits(53) if seed is None else seed),  # exact in JSON
        "backend": "gpu" if gpu else ("ray" if name == "auto" else name),
        "chunk_size": chunk_size,
    }


# ------------------------------------------------------------------------------ runner


class JobRunner:
    """Runs one significance job (a detached actor; one per job).

    Parameters
    ----------
    job_id : str
    registry_name, namespace : str
        Where to find the `JobRegistry` actor.
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
        params = self._call("start")
        if params is None:  # cancelled while queued
            return "cancelled"
        from pycwt_mod import montecarlo

        t0 = time.perf_counter()
        try:
            sig, info = montecarlo.wct_significance(
                params["a1"],
                params["a2"],
                params["dt"],
                params["dj"],
                params["s0"],
                params["J"],
                significance_level=params["significance_level"],
                wavelet=params["wavelet"],
                mc_count=params["mc_count"],
                progress=False,
                cache=False,
                backend=_backend_arg(params["backend"], self._timeout_s),
                seed=params["seed"],
                chunk_size=params.get("chunk_size"),
                progress_callback=self._progress,
                cancel=self._cancel,
                return_info=True,
            )
        except (montecarlo.Cancelled, TimeoutError):
            if self._timed_out or not self._cancelled:
                self._call("fail", f"timed out after {self._timeout_s:g} s (PYCWT_JOB_TIMEOUT_S)")
                return "failed"
            self._call("mark_cancelled")
            return "cancelled"
        except Exception as exc:
            log.error("job %s failed:\n%s", self.job_id, traceback.format_exc())
            self._call("fail", f"{type(exc).__name__}: {exc}")
            return "failed"
        _, _, scales = resolve_grid(
            params["n"], params["dt"], params["dj"], params["s0"], params["J"], params["wavelet"]
        )
        import pycwt_mod

        freqs = 1 / (pycwt_mod.get_wavelet(params["wavelet"]).flambda() * scales)
        blob = to_npz(
            {
                "sig": np.asarray(sig),
                "scales": scales,
                "freqs": freqs,
                "period": 1 / freqs,
                "seed": int(info["seed"]),
                "mc_count": int(params["mc_count"]),
                "significance_level": float(params["significance_level"]),
                "computation_time": time.perf_counter() - t0,
                "backend_used": str(info.get("backend", params["backend"])),
            }
        )
        self._call("complete", blob, str(info.get("backend", params["backend"])))
        return "completed"

    def wait(self) -> bool:
        """Returns once `run` has returned (calls on this actor run one at a time)."""
        return True


def _backend_arg(name: str, timeout_s: float):
    """Backend of ``wct_significance`` for a job's backend label.

    ``ray`` and ``gpu`` fan the chunks out as Ray tasks (one GPU each for ``gpu``),
    with the job's deadline; other names run in the runner itself.
    """
    if name in ("ray", "gpu"):
        return get_backend("ray", use_gpu=name == "gpu", timeout_s=timeout_s)
    return get_backend(name)


# ---------------------------------------------------------------------------- registry


class JobRegistry:
    """Named, detached, async actor keeping the jobs (see module docstring).

    Parameters
    ----------
    db_path : str
        SQLite file.
    namespace, name : str
        Where this actor and the runners live.
    job_timeout_s : float
        Deadline of one job, from its start.
    """

    def __init__(self, db_path: str, namespace: str, name: str, job_timeout_s: float):
        self._store = JobStore(db_path)
        self._ns = namespace
        self._name = name
        self._timeout = float(job_timeout_s)
        self._booted = False
        self._boot_lock: asyncio.Lock | None = None
        self._watchers: dict[str, asyncio.Task] = {}
        self._metrics = JobMetrics()

    # -- start-up -----------------------------------------------------------------------

    async def _boot(self) -> None:
        if self._booted:
            return
        if self._boot_lock is None:
            self._boot_lock = asyncio.Lock()
        async with self._boot_lock:
            if self._booted:
                return
            for job in self._store.list():
                if job["status"] in ACTIVE:
                    self._reattach(job)
            self._booted = True
            asyncio.get_running_loop().create_task(self._refresh_active_gauge())

    def _reattach(self, job: dict) -> None:
        try:
            runner = ray.get_actor(job["runner_name"], namespace=self._ns)
        except ValueError:
            self._finish(
                job["job_id"],
                "failed",
                error=(
                    f"the job's runner was lost while the job was {job['status']} (the "
                    "service or the cluster restarted); submit the job again"
                ),
            )
            return
        self._watch(job["job_id"], runner, runner.wait.remote())

    async def ping(self) -> dict:
        """Health of the registry: SQLite path, job counts per status, code location."""
        await self._boot()
        counts: dict[str, int] = {}
        for job in self._store.list():
            counts[job["status"]] = counts.get(job["status"], 0) + 1
        return {
            "db_path": self._store.path,
            "namespace": self._ns,
            "counts": counts,
            "module": __file__,
        }

    # -- public API (ingress) --------------------------------------------------------

    async def submit(self, params: dict, owner: str | None = None) -> dict:
        """Record a job of ``owner`` (an API key fingerprint, or None), start its runner
        and return the job."""
        await self._boot()
        job_id = uuid.uuid4().hex
        runner_name = f"pycwt-job-{job_id}"
        job = {
            "job_id": job_id,
            "status": "queued",
            "progress": 0.0,
            "created_at": utcnow(),
            "backend": params["backend"],
            "mc_count": params["mc_count"],
            "cancel_requested": False,
            "runner_name": runner_name,
            "params": params,
            "owner": owner,
            "attempts": 1,
        }
        self._store.insert(job)
        self._metrics.job_submitted(params["backend"], self._active())
        self._start_runner(job_id, runner_name, params)
        return self._public(job_id)

    def _start_runner(self, job_id: str, runner_name: str, params: dict) -> None:
        in_runner = params["backend"] not in RAY_PATHS  # runs the backend in the runner
        try:
            runner = (
                ray.remote(JobRunner)
                .options(
                    name=runner_name,
                    namespace=self._ns,
                    lifetime="detached",
                    num_cpus=1 if in_runner else 0,
                    max_restarts=0,
                )
                .remote(job_id, self._name, self._ns, self._timeout)
            )
            self._watch(job_id, runner, runner.run.remote())
        except Exception as exc:
            self._finish(job_id, "failed", error=f"could not start the runner: {exc}")

    def _owned(self, job_id: str, owner: str | None) -> dict | None:
        """The stored job when ``owner`` may see it (None: any owner), else None."""
        job = self._store.get(job_id)
        if job is None or (owner is not None and job.get("owner") != owner):
            return None
        return job

    async def get(self, job_id: str, owner: str | None = None) -> dict | None:
        """The job, or None (unknown, or another owner's)."""
        await self._boot()
        job = self._owned(job_id, owner)
        return None if job is None else _public(job)

    async def list(self, status: str | None = None, owner: str | None = None) -> list[dict]:
        """All jobs, newest first, or those in ``status``; only ``owner``'s when given."""
        await self._boot()
        return [_public(j) for j in self._store.list(status, owner)]

    async def result(self, job_id: str, owner: str | None = None) -> bytes | None:
        """The ``.npz`` result of a completed job, or None."""
        await self._boot()
        if self._owned(job_id, owner) is None:
            return None
        return self._store.get_result(job_id)

    async def cancel(self, job_id: str, owner: str | None = None) -> dict | None:
        """Ask a job to stop; a queued or running job ends ``cancelled``. None if unknown."""
        await self._boot()
        job = self._owned(job_id, owner)
        if job is None:
            return None
        if job["status"] in ACTIVE and not job["cancel_requested"]:
            self._store.update(job_id, cancel_requested=True)
            asyncio.get_running_loop().create_task(self._force_cancel(job_id))
        return self._public(job_id)

    # -- runner API ---------------------------------------------------------------------

    async def start(self, job_id: str) -> dict | None:
        """Mark the job running and return its parameters (None: it was cancelled)."""
        await self._boot()
        job = self._store.get(job_id)
        if job is None or job["status"] in TERMINAL:
            return None
        if job["cancel_requested"]:
            self._finish(job_id, "cancelled")
            return None
        self._store.update(job_id, status="running", started_at=utcnow())
        return job["params"]

    async def report_progress(self, job_id: str, done: int, total: int) -> bool:
        """Record progress; returns whether a cancel was requested."""
        await self._boot()
        job = self._store.get(job_id)
        if job is None:
            return True
        if job["status"] == "running" and total > 0:
            self._store.update(job_id, progress=min(1.0, done / total))
        return bool(job["cancel_requested"])

    async def cancel_requested(self, job_id: str) -> bool:
        """Whether the job should stop."""
        await self._boot()
        job = self._store.get(job_id)
        return job is None or bool(job["cancel_requested"])

    async def complete(self, job_id: str, blob: bytes, backend_used: str) -> None:
        """Store the result and mark the job completed."""
        await self._boot()
        self._store.set_result(job_id, blob)
        self._finish(job_id, "completed", progress=1.0, backend=backend_used)

    async def fail(self, job_id: str, error: str) -> None:
        """Mark the job failed with ``error``."""
        await self._boot()
        self._finish(job_id, "failed", error=error)

    async def mark_cancelled(self, job_id: str) -> None:
        """Mark the job cancelled (the runner stopped)."""
        await self._boot()
        self._finish(job_id, "cancelled")

    # -- internals ------------------------------------------------------------------------

    def _public(self, job_id: str) -> dict | None:
        job = self._store.get(job_id)
        return None if job is None else _public(job)

    def _finish(self, job_id: str, status: str, **fields) -> None:
        job = self._store.get(job_id)
        if job is None or job["status"] in TERMINAL:
            return
        done = utcnow()
        self._store.update(job_id, status=status, completed_at=done, **fields)
        rate = None
        if status == "completed" and job.get("started_at"):
            elapsed = _seconds_between(job["started_at"], done)
            rate = job["mc_count"] / elapsed if elapsed > 0 else None
        backend = fields.get("backend") or job["backend"]
        self._metrics.job_finished(status, backend, self._active(), rate)

    async def _refresh_active_gauge(self) -> None:
        # Ray drops a gauge that is not set again within two export intervals
        while True:
            self._metrics.set_active(self._active())
            await asyncio.sleep(METRICS_REFRESH_S)

    def _active(self) -> int:
        return sum(len(self._store.list(s)) for s in ACTIVE)

    def _watch(self, job_id: str, runner, ref) -> None:
        task = asyncio.get_running_loop().create_task(self._supervise(job_id, runner, ref))
        self._watchers[job_id] = task

    async def _supervise(self, job_id: str, runner, ref) -> None:
        """Wait for the runner with a deadline; never leave a job active after it."""
        job = self._store.get(job_id) or {}
        grace = 60.0  # start-up of the runner and its Ray tasks
        try:
            await asyncio.wait_for(ref, timeout=self._timeout + grace)
        except asyncio.TimeoutError:
            self._finish(job_id, "failed", error=f"timed out after {self._timeout:g} s (no answer)")
        except Exception as exc:  # the runner died
            if not self._restart(job_id, exc):
                self._finish(job_id, "failed", error=f"job runner died: {exc}"[:2000])
        else:
            job = self._store.get(job_id) or {}
            if job.get("status") in ACTIVE:
                self._finish(job_id, "failed", error="the runner exited without a result")
        finally:
            if self._watchers.get(job_id) is asyncio.current_task():  # not a restart's
                self._watchers.pop(job_id, None)
            try:
                ray.kill(runner, no_restart=True)
            except Exception:  # already gone
                pass

    def _restart(self, job_id: str, exc: BaseException) -> bool:
        """Start a dead runner's job again (same parameters and seed); False: give up."""
        job = self._store.get(job_id)
        if (
            job is None
            or job["status"] not in ACTIVE
            or job["cancel_requested"]
            or (job.get("attempts") or 1) >= MAX_ATTEMPTS
            or "a1" not in job["params"]
        ):
            return False
        attempt = (job.get("attempts") or 1) + 1
        runner_name = f"pycwt-job-{job_id}-{attempt}"
        log.warning("runner of job %s died (%s); starting attempt %d", job_id, exc, attempt)
        self._store.update(
            job_id, status="queued", progress=0.0, attempts=attempt, runner_name=runner_name
        )
        self._start_runner(job_id, runner_name, job["params"])
        return True

    async def _force_cancel(self, job_id: str) -> None:
        await asyncio.sleep(CANCEL_GRACE_S)
        job = self._store.get(job_id)
        if job is not None and job["status"] in ACTIVE:
            try:
                ray.kill(ray.get_actor(job["runner_name"], namespace=self._ns), no_restart=True)
            except ValueError:
                pass
            self._finish(job_id, "cancelled", error="stopped by force after the cancel grace")


def _seconds_between(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _public(job: dict) -> dict:
    return {k: job[k] for k in job if k not in ("params", "runner_name", "owner", "attempts")}


def get_registry(name: str, namespace: str, db_path: str, job_timeout_s: float):
    """The job registry actor, created when it does not exist yet.

    Parameters
    ----------
    name, namespace : str
        Actor name and (explicit) namespace.
    db_path : str
        Absolute SQLite path (ignored when the actor already exists).
    job_timeout_s : float
        Deadline of one job.

    Returns
    -------
    ray.actor.ActorHandle
    """
    return (
        ray.remote(JobRegistry)
        .options(
            name=name,
            namespace=namespace,
            lifetime="detached",
            get_if_exists=True,
            num_cpus=0,
            # on the head node, so the SQLite path is always on the same machine
            resources={HEAD_RESOURCE: 0.001},
            max_restarts=-1,
            max_task_retries=-1,
        )
        .remote(db_path, namespace, name, job_timeout_s)
    )
