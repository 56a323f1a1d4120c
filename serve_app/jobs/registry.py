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

Storage faults: every SQLite call runs in a thread (the actor's event loop keeps
answering while a write waits on the disk); a failed write is tried again a few times
(`serve_app.jobs.faults.WRITE_RETRIES`), then fails the request (`StorageError`: 507
for a full disk, 503 otherwise) or, for a job already running, ends the job
``failed`` with the reason. An end that cannot be written is kept in memory, shown by
every read and written once the database takes writes again, so no job is left
``running`` without a runner. A database that cannot be opened (corrupt, newer
schema, unreadable) makes every call fail with the message that says what to do.

Life cycle: ``queued -> running -> completed | failed | cancelled``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import ray

from ..npz import from_npz, to_npz
from ..records import ACTIVE, TERMINAL, JobStatus
from .faults import WRITE_RETRIES, StorageError
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

__all__ = [
    "HEAD_RESOURCE",
    "MAX_ATTEMPTS",
    "MAX_RESUMPTIONS",
    "JobRegistry",
    "get_registry",
    "service_log_path",
]

log = logging.getLogger(__name__)

#: Seconds between two refreshes of the active-jobs gauge (and tries to write the
#: ends of jobs that the database refused).
METRICS_REFRESH_S = 2.0

T = TypeVar("T")


def service_log_path(db_path: str) -> str:
    """The service's own log beside its database: ``var/pycwt_jobs.log`` for
    ``var/pycwt_jobs.sqlite3`` (submissions, resumptions, failures, storage faults)."""
    return os.path.splitext(os.path.abspath(db_path))[0] + ".log"


def _service_logging(db_path: str) -> None:
    """``serve_app`` messages at INFO on stderr (the actor's Ray log) and in
    `service_log_path`; each handler once per process."""
    logger = logging.getLogger("serve_app")
    logger.setLevel(logging.INFO)
    form = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    path = service_log_path(db_path)
    have = {getattr(h, "baseFilename", None) for h in logger.handlers}
    if None not in have:
        handler = logging.StreamHandler()
        handler.setFormatter(form)
        logger.addHandler(handler)
    if path not in have:
        try:
            handler = logging.FileHandler(path, delay=True)
        except OSError:
            return
        handler.setFormatter(form)
        logger.addHandler(handler)


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
        _service_logging(db_path)
        self._ns = namespace
        self._name = name
        self._timeout = float(job_timeout_s)
        self._booted = False
        self._boot_lock: asyncio.Lock | None = None
        self._watchers: dict[str, asyncio.Task] = {}
        self._metrics = JobMetrics()
        #: job id -> the fields of an end the database refused (written later)
        self._unrecorded: dict[str, dict[str, Any]] = {}
        self._broken: StorageError | None = None
        self._db_path = os.path.abspath(db_path)
        try:
            self._store = JobStore(db_path)
        except StorageError as exc:  # every call answers it (503), with what to do
            self._broken = exc
            log.error("cannot open the jobs database: %s", exc)
        else:
            log.info("jobs database: %s", self._db_path)

    # -- storage --------------------------------------------------------------------------

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` of the store, in a thread."""
        if self._broken is not None:
            raise self._broken
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    async def _write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`_read` for a write: tried `WRITE_RETRIES` times, then its `StorageError`."""
        delay = 0.1
        for attempt in range(1, WRITE_RETRIES + 1):
            try:
                return await self._read(fn, *args, **kwargs)
            except StorageError as exc:
                if attempt == WRITE_RETRIES or exc is self._broken:
                    raise
                log.warning("write to the jobs database failed (attempt %d): %s", attempt, exc)
                await asyncio.sleep(delay)
                delay *= 3
        raise AssertionError("unreachable")

    async def _flush_unrecorded(self) -> None:
        """Write the ends the database refused, once it takes writes again."""
        for job_id, fields in list(self._unrecorded.items()):
            try:
                await self._read(self._store.update, job_id, **fields)
                await self._read(self._store.drop_chunks, job_id)
            except StorageError:
                return  # still refused: next time
            self._unrecorded.pop(job_id, None)
            log.info("job %s: its end (%s) is now recorded", job_id, fields.get("status"))

    # -- start-up -----------------------------------------------------------------------

    async def _boot(self) -> None:
        if self._booted:
            return
        if self._boot_lock is None:
            self._boot_lock = asyncio.Lock()
        async with self._boot_lock:
            if self._booted:
                return
            for job in await self._jobs():
                if job.status in ACTIVE:
                    await self._reattach(job)
            self._booted = True
            asyncio.get_running_loop().create_task(self._refresh_active_gauge())

    async def ping(self) -> dict[str, Any]:
        """Health of the registry: SQLite path, job counts per status, code location."""
        info: dict[str, Any] = {"db_path": self._db_path, "namespace": self._ns,
                                "module": __file__}  # fmt: skip
        if self._broken is not None:
            return {**info, "ok": False, "error": str(self._broken), "counts": {}}
        await self._boot()
        counts: dict[str, int] = {}
        for job in await self._jobs():
            counts[job.status.value] = counts.get(job.status.value, 0) + 1
        return {**info, "ok": True, "counts": counts, "unrecorded": len(self._unrecorded)}

    # -- public API (ingress) --------------------------------------------------------

    async def submit(
        self, params: JobParams, owner: str | None = None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Record a job of ``owner`` (an API key fingerprint, or None), start its runner
        and return its public view; a submission with the ``idempotency_key`` of an
        earlier one of the same owner returns that job (a client's retry)."""
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
            idempotency_key=idempotency_key,
        )
        series = None
        if params.data1 is not None:  # a blob apart: the polls never decode it
            series = to_npz({"data1": np.asarray(params.data1), "data2": np.asarray(params.data2)})
        stored = await self._write(self._store.insert, job.to_row(), series)  # StorageError: none
        if stored != job_id:  # the same key again: that job
            log.info("submission with a known idempotency key: job %s", stored)
            return await self._public(stored)
        log.info("job %s submitted (%d pairs, backend %s)", job_id, params.mc_count, params.backend)
        self._metrics.job_submitted(params.backend, await self._active())
        await self._start_runner(job)
        return await self._public(job_id)

    async def _owned(self, job_id: str, owner: str | None) -> Job | None:
        """The stored job when ``owner`` may see it (None: any owner), else None."""
        job = await self._get(job_id)
        if job is None or (owner is not None and job.owner != owner):
            return None
        return job

    async def get(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """The job's public view, or None (unknown, or another owner's)."""
        await self._boot()
        job = await self._owned(job_id, owner)
        return None if job is None else job.public()

    async def list(self, status: str | None = None, owner: str | None = None) -> list[dict]:
        """All jobs, newest first, or those in ``status``; only ``owner``'s when given."""
        await self._boot()
        return [job.public() for job in await self._jobs(status, owner)]

    async def result(self, job_id: str, owner: str | None = None) -> bytes | None:
        """The ``.npz`` result of a completed job, or None."""
        await self._boot()
        if await self._owned(job_id, owner) is None:
            return None
        return await self._read(self._store.get_result, job_id)

    async def cancel(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """Ask a job to stop; a queued or running job ends ``cancelled``. None if unknown."""
        await self._boot()
        job = await self._owned(job_id, owner)
        if job is None:
            return None
        if job.status in ACTIVE and not job.cancel_requested:
            await self._write(self._store.update, job_id, cancel_requested=True)
            asyncio.get_running_loop().create_task(self._force_cancel(job_id))
        return await self._public(job_id)

    async def suspend_all(self) -> int:
        """Mark the active jobs as stopped by a graceful stop of the service (the
        launcher calls it before it stops Ray): their resumption at the next start is
        not counted against `MAX_RESUMPTIONS`. Returns how many were marked."""
        await self._boot()
        active = [job for s in ACTIVE for job in await self._jobs(s.value)]
        for job in active:
            await self._write(self._store.update, job.job_id, suspended=True)
        log.info("graceful stop: %d active job(s) will resume without counting it", len(active))
        return len(active)

    # -- runner API ---------------------------------------------------------------------

    async def boot(self) -> None:
        """Reload the jobs from SQLite now (resuming the active ones); idempotent."""
        await self._boot()

    async def start(
        self, job_id: str, runner_node: str | None = None, runner_pid: int | None = None
    ) -> dict[str, Any] | None:
        """Mark the job running (its runner on ``runner_node``, process ``runner_pid``)
        and return its parameters (None: it was cancelled)."""
        await self._boot()
        job = await self._get(job_id)
        if job is None or job.status in TERMINAL:
            return None
        if job.cancel_requested:
            await self._finish(job_id, JobStatus.cancelled)
            return None
        fields: dict[str, Any] = {
            "status": JobStatus.running.value,
            "runner_node": runner_node,
            "runner_pid": runner_pid,
        }
        if job.started_at is None:  # the first attempt's start is the job's start
            fields["started_at"] = utcnow()
        try:
            await self._write(self._store.update, job_id, **fields)
            blob = await self._read(self._store.series, job_id)
        except StorageError as exc:
            await self._finish(job_id, JobStatus.failed, error=f"could not start: {exc}")
            return None
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
        kept = [await self._read(self._store.chunks, job_id, key) for key in keys]
        return [(c.start, c.stop, c.part) for chunks in kept for c in chunks]

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
        progress; returns whether the runner should stop (a cancel was requested, or
        the job ended: e.g. failed because the chunk could not be kept)."""
        await self._boot()
        job = await self._get(job_id)
        if job is None:
            return True
        if job.status is JobStatus.running:  # kept and counted in one transaction
            try:
                await self._write(
                    self._store.add_chunk,
                    job_id, start, stop, part, node_id, total_pairs(job), plan_key=plan_key,
                )  # fmt: skip
            except StorageError as exc:
                await self._finish(
                    job_id, JobStatus.failed, error=f"a finished chunk could not be kept: {exc}"
                )
                return True
        return job.cancel_requested or job.status in TERMINAL

    async def report_progress(self, job_id: str, done: int, total: int) -> bool:
        """Record progress; returns whether a cancel was requested."""
        await self._boot()
        job = await self._get(job_id)
        if job is None:
            return True
        if job.status is JobStatus.running and total > 0:
            try:
                await self._read(self._store.update, job_id, progress=min(1.0, done / total))
            except StorageError as exc:  # progress only: the next chunk counts it again
                log.warning("job %s: progress not recorded: %s", job_id, exc)
        return job.cancel_requested or job.status in TERMINAL

    async def cancel_requested(self, job_id: str) -> bool:
        """Whether the job should stop."""
        await self._boot()
        job = await self._get(job_id)
        return job is None or job.cancel_requested or job.status in TERMINAL

    async def complete(self, job_id: str, blob: bytes, backend_used: str) -> None:
        """Store the result and mark the job completed."""
        await self._boot()
        try:
            await self._write(self._store.set_result, job_id, blob)
        except StorageError as exc:
            await self._finish(
                job_id, JobStatus.failed, error=f"the result could not be stored: {exc}"
            )
            return
        await self._finish(job_id, JobStatus.completed, progress=1.0, backend=backend_used)

    async def fail(self, job_id: str, error: str) -> None:
        """Mark the job failed with ``error``."""
        await self._boot()
        await self._finish(job_id, JobStatus.failed, error=error)

    async def mark_cancelled(self, job_id: str) -> None:
        """Mark the job cancelled (the runner stopped)."""
        await self._boot()
        await self._finish(job_id, JobStatus.cancelled)

    # -- internals ------------------------------------------------------------------------

    async def _get(self, job_id: str) -> Job | None:
        row = await self._read(self._store.get, job_id)
        return None if row is None else self._job(row)

    def _job(self, row: dict[str, Any]) -> Job:
        """The job of a stored row, with an end the database refused (if any)."""
        job = Job.from_row(row)
        end = self._unrecorded.get(job.job_id)
        if end is None:
            return job
        fields = {k: v for k, v in end.items() if k in ("progress", "error", "completed_at")}
        return dataclasses.replace(job, status=JobStatus(end["status"]), **fields)

    async def _jobs(self, status: str | None = None, owner: str | None = None) -> list[Job]:
        rows = await self._read(self._store.list, status, owner)
        jobs = [j for j in map(self._job, rows) if status is None or j.status.value == status]
        if status is not None:  # ends kept in memory, stored with another status
            listed = {j.job_id for j in jobs}
            for job_id, end in list(self._unrecorded.items()):
                if end["status"] == status and job_id not in listed:
                    job = await self._get(job_id)
                    if job is not None and (owner is None or job.owner == owner):
                        jobs.append(job)
        return jobs

    async def _public(self, job_id: str) -> dict[str, Any] | None:
        job = await self._get(job_id)
        return None if job is None else job.public()

    async def _finish(self, job_id: str, status: JobStatus, **fields: Any) -> None:
        """Record the job's end; when the database refuses it, keep it in memory (shown
        by every read, written later) and fail the job with the reason instead of a
        ``completed`` whose result is not stored."""
        done = utcnow()
        record = {"status": status.value, "completed_at": done, **fields}
        try:
            job = await self._get(job_id)
        except StorageError as exc:  # unreadable: end it in memory
            if job_id not in self._unrecorded:
                self._unrecorded[job_id] = record
                log.error("job %s ended %s; the database is unreadable: %s",
                          job_id, status.value, exc)  # fmt: skip
            return
        if job is None or job.status in TERMINAL:
            return
        try:
            await self._write(self._store.update, job_id, **record)
        except StorageError as exc:
            if status is JobStatus.completed:
                status = JobStatus.failed
                record = {"status": status.value, "completed_at": done,
                          "error": f"the result could not be recorded: {exc}"}  # fmt: skip
            self._unrecorded[job_id] = record
            log.error("job %s ended %s; the database refused it (kept in memory): %s",
                      job_id, status.value, exc)  # fmt: skip
        else:
            try:  # the result (or the error) is what remains
                await self._read(self._store.drop_chunks, job_id)
            except StorageError as exc:
                log.warning("job %s: kept chunks not dropped: %s", job_id, exc)
        if status is JobStatus.failed:
            log.warning("job %s failed: %s", job_id, record.get("error"))
        else:
            log.info("job %s %s", job_id, status.value)
        rate = None
        if status is JobStatus.completed and job.started_at:
            elapsed = _seconds_between(job.started_at, done)
            rate = job.mc_count / elapsed if elapsed > 0 else None
        backend = fields.get("backend") or job.backend
        try:
            active = await self._active()
        except StorageError:
            active = 0
        self._metrics.job_finished(status.value, backend, active, rate)

    async def _refresh_active_gauge(self) -> None:
        # Ray drops a gauge that is not set again within two export intervals
        while True:
            try:
                if self._unrecorded:
                    await self._flush_unrecorded()
                self._metrics.set_active(await self._active())
            except StorageError as exc:
                log.warning("jobs database unreadable: %s", exc)
            await asyncio.sleep(METRICS_REFRESH_S)

    async def _active(self) -> int:
        return sum([len(await self._jobs(s.value)) for s in ACTIVE])


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
