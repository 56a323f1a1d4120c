"""How the job registry runs each job: one detached runner per attempt, supervised.

`RunnerSupervision` is the part of `serve_app.jobs.registry.JobRegistry` that starts
a job's `serve_app.jobs.runner.JobRunner` (placed by the job's backend), waits for it
with the job's deadline, starts a dead runner's job once more (`MAX_ATTEMPTS`),
resumes the jobs whose runner a restart of the service took (`MAX_RESUMPTIONS`) and
stops a cancelled runner by force after `CANCEL_GRACE_S`. Every new attempt runs only
the Monte Carlo pairs no kept chunk covers, so a job is never left active forever
and its result does not depend on how often it was started.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import ray

from ..records import ACTIVE, JobStatus
from .faults import StorageError
from .job import Job, mc_passes
from .prepare import RAY_PATHS
from .runner import JobRunner

__all__ = [
    "CANCEL_GRACE_S",
    "HEAD_RESOURCE",
    "MAX_ATTEMPTS",
    "MAX_RESUMPTIONS",
    "RunnerSupervision",
    "total_pairs",
]

log = logging.getLogger(__name__)

#: Seconds a runner gets to stop after a cancel before it is killed.
CANCEL_GRACE_S = 15.0
#: Resource only the head node has (Ray 2.60).
HEAD_RESOURCE = "node:__internal_head__"
#: Runs of one job: a job whose runner dies is started once more; when the second
#: runner dies too, the job fails with "job runner died: ...".
MAX_ATTEMPTS = 2
#: Resumptions of one job after restarts of the whole service (registry reloaded, runner
#: gone); one more restart fails the job with the reason.
MAX_RESUMPTIONS = 3


class RunnerSupervision:
    """Runner life cycle of `serve_app.jobs.registry.JobRegistry` (a mixin).

    The registry provides ``_store`` (`serve_app.jobs.store.JobStore`), ``_ns`` and
    ``_name`` (its namespace and actor name), ``_timeout`` (a job's deadline, s),
    ``_watchers`` (job id -> supervising task) and the coroutines ``_get(job_id)``,
    ``_read``/``_write(fn, *args)`` (store calls in a thread; writes retried) and
    ``_finish(job_id, status, **fields)`` (which never raises a `StorageError`).
    """

    async def _reattach(self, job: Job) -> None:
        try:
            runner = ray.get_actor(job.runner_name, namespace=self._ns)
        except ValueError:
            await self._resume(job)
            return
        self._watch(job.job_id, runner, runner.wait.remote())

    async def _resume(self, job: Job) -> None:
        """Start a job whose runner is gone (the service restarted) from its kept chunks."""
        lost = (
            f"the job's runner was lost while the job was {job.status.value} (the "
            "service or the cluster restarted)"
        )
        if job.cancel_requested:
            await self._finish(job.job_id, JobStatus.cancelled, error=lost)
            return
        if "a1" not in job.params:  # a row of an older version: nothing to resume from
            await self._finish(job.job_id, JobStatus.failed, error=f"{lost}; submit the job again")
            return
        if job.resumptions >= MAX_RESUMPTIONS and not job.suspended:
            await self._finish(
                job.job_id,
                JobStatus.failed,
                error=(
                    f"{lost}, after {job.resumptions} resumptions (at most {MAX_RESUMPTIONS}); "
                    "submit the job again"
                ),
            )
            return
        n = job.resumptions + (0 if job.suspended else 1)  # a graceful stop is free
        try:
            done = await self._read(self._store.done_pairs, job.job_id)
            await self._write(
                self._store.update,
                job.job_id,
                status=JobStatus.queued.value,
                progress=min(1.0, done / total_pairs(job)) if job.mc_count else 0.0,
                resumptions=n,
                suspended=False,
                runner_name=f"pycwt-job-{job.job_id}-r{job.resumptions + 1}-{uuid.uuid4().hex[:6]}",
                runner_node=None,
                runner_pid=None,
            )
        except StorageError as exc:
            await self._finish(job.job_id, JobStatus.failed, error=f"{lost}; not resumed: {exc}")
            return
        log.warning(
            "resuming job %s (resumption %d%s) from %d of %d pairs",
            job.job_id, n, ", after a graceful stop" if job.suspended else "", done,
            total_pairs(job),
        )  # fmt: skip
        await self._start_runner(await self._get(job.job_id))

    async def _start_runner(self, job: Job) -> None:
        in_runner = job.backend not in RAY_PATHS  # the backend runs in the runner itself
        # Runners of Ray-path jobs only coordinate (no CPU): the first is spread over the
        # nodes; one started again after a runner death goes to the head node, where
        # this registry is (a node that just died may not be known dead yet).
        placement: dict[str, Any] = {"scheduling_strategy": "DEFAULT" if in_runner else "SPREAD"}
        if job.attempts > 1 and not in_runner:
            placement = {"resources": {HEAD_RESOURCE: 0.001}}
        try:
            runner = (
                ray.remote(JobRunner)
                .options(
                    name=job.runner_name,
                    namespace=self._ns,
                    lifetime="detached",
                    num_cpus=1 if in_runner else 0,
                    max_restarts=0,
                    **placement,
                )
                .remote(job.job_id, self._name, self._ns, self._timeout)
            )
            self._watch(job.job_id, runner, runner.run.remote())
        except Exception as exc:
            await self._finish(
                job.job_id, JobStatus.failed, error=f"could not start the runner: {exc}"
            )

    def _watch(self, job_id: str, runner, ref) -> None:
        task = asyncio.get_running_loop().create_task(self._supervise(job_id, runner, ref))
        self._watchers[job_id] = task

    async def _supervise(self, job_id: str, runner, ref) -> None:
        """Wait for the runner with a deadline; never leave a job active after it."""
        grace = 60.0  # start-up of the runner and its Ray tasks
        try:
            await asyncio.wait_for(ref, timeout=self._timeout + grace)
        except asyncio.TimeoutError:
            await self._finish(
                job_id, JobStatus.failed, error=f"timed out after {self._timeout:g} s (no answer)"
            )
        except Exception as exc:  # the runner died
            if not await self._restart(job_id, exc):
                error = f"job runner died: {exc}"[:2000]
                await self._finish(job_id, JobStatus.failed, error=error)
        else:
            job = await self._get_or_none(job_id)
            if job is not None and job.status in ACTIVE:
                await self._finish(
                    job_id, JobStatus.failed, error="the runner exited without a result"
                )
        finally:
            if self._watchers.get(job_id) is asyncio.current_task():  # not a restart's
                self._watchers.pop(job_id, None)
            try:
                ray.kill(runner, no_restart=True)
            except Exception:  # already gone
                pass

    async def _get_or_none(self, job_id: str) -> Job | None:
        try:
            return await self._get(job_id)
        except StorageError as exc:
            log.warning("job %s: cannot read it: %s", job_id, exc)
            return None

    async def _restart(self, job_id: str, exc: BaseException) -> bool:
        """Start a dead runner's job again (same parameters and seed); False: give up."""
        job = await self._get_or_none(job_id)
        if (
            job is None
            or job.status not in ACTIVE
            or job.cancel_requested
            or job.attempts >= MAX_ATTEMPTS
            or "a1" not in job.params
        ):
            return False
        attempt = job.attempts + 1
        runner_name = f"pycwt-job-{job_id}-{attempt}"
        try:  # the new runner starts from the kept chunks
            done = await self._read(self._store.done_pairs, job_id)
            await self._write(
                self._store.update,
                job_id,
                status=JobStatus.queued.value,
                progress=min(1.0, done / total_pairs(job)) if job.mc_count else 0.0,
                attempts=attempt,
                runner_name=runner_name,
                runner_node=None,
                runner_pid=None,
            )
        except StorageError as write:
            log.error("job %s: runner died (%s); no new attempt: %s", job_id, exc, write)
            return False
        log.warning("runner of job %s died (%s); starting attempt %d", job_id, exc, attempt)
        await self._start_runner(await self._get(job_id))
        return True

    async def _force_cancel(self, job_id: str) -> None:
        await asyncio.sleep(CANCEL_GRACE_S)
        job = await self._get_or_none(job_id)
        if job is not None and job.status in ACTIVE:
            try:
                ray.kill(ray.get_actor(job.runner_name, namespace=self._ns), no_restart=True)
            except ValueError:
                pass
            await self._finish(
                job_id, JobStatus.cancelled, error="stopped by force after the cancel grace"
            )


def total_pairs(job: Job) -> int:
    """Surrogate pairs of the whole job (`mc_passes` times ``mc_count``): the kept
    chunks of an areawise job's thresholds are only part of its work."""
    return job.mc_count * mc_passes(bool(job.params.get("areawise")))
