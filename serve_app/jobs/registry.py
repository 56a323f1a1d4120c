"""The job registry: a named, detached, async Ray actor keeping every job.

It writes every transition to SQLite (`serve_app.jobs.store`) and reloads on restart;
each job runs in its own detached `serve_app.jobs.runner.JobRunner`, which the
registry starts, supervises with a deadline and, when the runner dies, starts once
more with the same parameters and seed (chunks are deterministic, so the result is
identical; `serve_app.jobs.supervision`). A job is never left active forever.

Durability: the runner hands every finished Monte Carlo chunk of every pass (the
thresholds' histogram, the areawise test's null patches; each pass under its own key)
and the node it ran on to `chunk_done`, which keeps it in SQLite and counts the
progress in one transaction. A new attempt (runner died, or the whole service
restarted and the registry reloads a ``queued``/``running`` job whose runner is gone)
asks `kept_chunks` for each pass, computes only the pairs not kept yet and joins the
kept parts (integer sums, null patches in surrogate order), so the result is
bit-identical to an uninterrupted run. After `MAX_RESUMPTIONS` resumptions by restarts
the job fails with the reason.

Life cycle: ``queued -> running -> completed | failed | cancelled``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import uuid
from datetime import datetime
from typing import Any

import numpy as np
import ray

from ..npz import from_npz, to_npz
from ..records import ACTIVE, TERMINAL, JobStatus
from .job import Job, JobParams
from .metrics import JobMetrics
from .store import LEGACY_KEY, JobStore, utcnow
from .supervision import (
    HEAD_RESOURCE,
    MAX_ATTEMPTS,
    MAX_RESUMPTIONS,
    RunnerSupervision,
    total_pairs,
)

__all__ = ["HEAD_RESOURCE", "MAX_ATTEMPTS", "MAX_RESUMPTIONS", "JobRegistry", "get_registry"]

log = logging.getLogger(__name__)

#: Seconds between two refreshes of the active-jobs gauge.
METRICS_REFRESH_S = 2.0


class JobRegistry(RunnerSupervision):
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
        # shown in the console of `serve run` (Ray streams this actor's output there)
        print(f"pycwt-mod jobs database: {os.path.abspath(db_path)}", flush=True)

    # -- start-up -----------------------------------------------------------------------

    async def _boot(self) -> None:
        if self._booted:
            return
        if self._boot_lock is None:
            self._boot_lock = asyncio.Lock()
        async with self._boot_lock:
            if self._booted:
                return
            for job in self._jobs():
                if job.status in ACTIVE:
                    self._reattach(job)
            self._booted = True
            asyncio.get_running_loop().create_task(self._refresh_active_gauge())

    async def ping(self) -> dict[str, Any]:
        """Health of the registry: SQLite path, job counts per status, code location."""
        await self._boot()
        counts: dict[str, int] = {}
        for job in self._jobs():
            counts[job.status.value] = counts.get(job.status.value, 0) + 1
        return {
            "db_path": self._store.path,
            "namespace": self._ns,
            "counts": counts,
            "module": __file__,
        }

    # -- public API (ingress) --------------------------------------------------------

    async def submit(self, params: JobParams, owner: str | None = None) -> dict[str, Any]:
        """Record a job of ``owner`` (an API key fingerprint, or None), start its runner
        and return its public view."""
        await self._boot()
        job_id = uuid.uuid4().hex
        job = Job(
            job_id=job_id,
            status=JobStatus.queued,
            progress=0.0,
            created_at=utcnow(),
            backend=params.backend,
            mc_count=params.mc_count,
            runner_name=f"pycwt-job-{job_id}",
            params=dataclasses.replace(params, data1=None, data2=None).to_dict(),
            owner=owner,
        )
        series = None
        if params.data1 is not None:  # a blob apart: the polls never decode it
            series = to_npz({"data1": np.asarray(params.data1), "data2": np.asarray(params.data2)})
        self._store.insert(job.to_row(), series)
        self._metrics.job_submitted(params.backend, self._active())
        self._start_runner(job)
        return self._public(job_id)

    def _owned(self, job_id: str, owner: str | None) -> Job | None:
        """The stored job when ``owner`` may see it (None: any owner), else None."""
        job = self._get(job_id)
        if job is None or (owner is not None and job.owner != owner):
            return None
        return job

    async def get(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """The job's public view, or None (unknown, or another owner's)."""
        await self._boot()
        job = self._owned(job_id, owner)
        return None if job is None else job.public()

    async def list(self, status: str | None = None, owner: str | None = None) -> list[dict]:
        """All jobs, newest first, or those in ``status``; only ``owner``'s when given."""
        await self._boot()
        return [job.public() for job in self._jobs(status, owner)]

    async def result(self, job_id: str, owner: str | None = None) -> bytes | None:
        """The ``.npz`` result of a completed job, or None."""
        await self._boot()
        if self._owned(job_id, owner) is None:
            return None
        return self._store.get_result(job_id)

    async def cancel(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """Ask a job to stop; a queued or running job ends ``cancelled``. None if unknown."""
        await self._boot()
        job = self._owned(job_id, owner)
        if job is None:
            return None
        if job.status in ACTIVE and not job.cancel_requested:
            self._store.update(job_id, cancel_requested=True)
            asyncio.get_running_loop().create_task(self._force_cancel(job_id))
        return self._public(job_id)

    # -- runner API ---------------------------------------------------------------------

    async def boot(self) -> None:
        """Reload the jobs from SQLite now (resuming the active ones); idempotent."""
        await self._boot()

    async def start(self, job_id: str, runner_node: str | None = None) -> dict[str, Any] | None:
        """Mark the job running (its runner on ``runner_node``) and return its
        parameters (None: it was cancelled)."""
        await self._boot()
        job = self._get(job_id)
        if job is None or job.status in TERMINAL:
            return None
        if job.cancel_requested:
            self._finish(job_id, JobStatus.cancelled)
            return None
        fields: dict[str, Any] = {"status": JobStatus.running.value, "runner_node": runner_node}
        if job.started_at is None:  # the first attempt's start is the job's start
            fields["started_at"] = utcnow()
        self._store.update(job_id, **fields)
        blob = self._store.series(job_id)
        if blob is None:
            return job.params
        arrays = from_npz(blob)
        return {**job.params, "data1": arrays["data1"].tolist(), "data2": arrays["data2"].tolist()}

    async def kept_chunks(
        self, job_id: str, plan_key: str, legacy: bool = False
    ) -> list[tuple[int, int, Any]]:
        """``(start, stop, part)`` of the chunks of pass ``plan_key`` kept for the job;
        with ``legacy``, also those kept by a version that had one pass and no keys
        (the thresholds' histograms)."""
        await self._boot()
        keys = (plan_key, LEGACY_KEY) if legacy else (plan_key,)
        return [(c.start, c.stop, c.part) for key in keys for c in self._store.chunks(job_id, key)]

    async def chunk_done(
        self,
        job_id: str,
        plan_key: str,
        start: int,
        stop: int,
        part: Any,
        node_id: str | None,
    ) -> bool:
        """Keep a finished chunk of pass ``plan_key`` (its part and node) and count its
        progress; returns whether a cancel was requested."""
        await self._boot()
        job = self._get(job_id)
        if job is None:
            return True
        if job.status is JobStatus.running:  # kept and counted in one transaction
            self._store.add_chunk(
                job_id, start, stop, part, node_id, total_pairs(job), plan_key=plan_key
            )
        return job.cancel_requested

    async def report_progress(self, job_id: str, done: int, total: int) -> bool:
        """Record progress; returns whether a cancel was requested."""
        await self._boot()
        job = self._get(job_id)
        if job is None:
            return True
        if job.status is JobStatus.running and total > 0:
            self._store.update(job_id, progress=min(1.0, done / total))
        return job.cancel_requested

    async def cancel_requested(self, job_id: str) -> bool:
        """Whether the job should stop."""
        await self._boot()
        job = self._get(job_id)
        return job is None or job.cancel_requested

    async def complete(self, job_id: str, blob: bytes, backend_used: str) -> None:
        """Store the result and mark the job completed."""
        await self._boot()
        self._store.set_result(job_id, blob)
        self._finish(job_id, JobStatus.completed, progress=1.0, backend=backend_used)

    async def fail(self, job_id: str, error: str) -> None:
        """Mark the job failed with ``error``."""
        await self._boot()
        self._finish(job_id, JobStatus.failed, error=error)

    async def mark_cancelled(self, job_id: str) -> None:
        """Mark the job cancelled (the runner stopped)."""
        await self._boot()
        self._finish(job_id, JobStatus.cancelled)

    # -- internals ------------------------------------------------------------------------

    def _get(self, job_id: str) -> Job | None:
        row = self._store.get(job_id)
        return None if row is None else Job.from_row(row)

    def _jobs(self, status: str | None = None, owner: str | None = None) -> list[Job]:
        return [Job.from_row(row) for row in self._store.list(status, owner)]

    def _public(self, job_id: str) -> dict[str, Any] | None:
        job = self._get(job_id)
        return None if job is None else job.public()

    def _finish(self, job_id: str, status: JobStatus, **fields: Any) -> None:
        job = self._get(job_id)
        if job is None or job.status in TERMINAL:
            return
        done = utcnow()
        self._store.update(job_id, status=status.value, completed_at=done, **fields)
        self._store.drop_chunks(job_id)  # the result (or the error) is what remains
        rate = None
        if status is JobStatus.completed and job.started_at:
            elapsed = _seconds_between(job.started_at, done)
            rate = job.mc_count / elapsed if elapsed > 0 else None
        backend = fields.get("backend") or job.backend
        self._metrics.job_finished(status.value, backend, self._active(), rate)

    async def _refresh_active_gauge(self) -> None:
        # Ray drops a gauge that is not set again within two export intervals
        while True:
            self._metrics.set_active(self._active())
            await asyncio.sleep(METRICS_REFRESH_S)

    def _active(self) -> int:
        return sum(len(self._store.list(s.value)) for s in ACTIVE)


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


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
    registry = (
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
    # reload now, so the jobs interrupted by a restart resume without waiting for a call
    registry.boot.remote()
    return registry
