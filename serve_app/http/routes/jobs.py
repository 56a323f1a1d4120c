"""``/api/v1/jobs``: state, result, live events and cancellation of significance jobs."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from ...error_codes import ErrorCode
from ...npz import NPZ_MEDIA_TYPE
from ...records import TERMINAL, JobStatus
from ..deps import ServiceDep
from ..encoding import dumps, encode
from ..errors import ApiError, job_not_found
from ..responses import ErrorBody, JobPublic, JobsPublic, SignificanceResultResponse
from ..security import Owner
from ..service import Service
from .common import AUTH, arrays_answer

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"], dependencies=AUTH)

_UNKNOWN = {404: {"description": "Unknown job.", "model": ErrorBody}}


async def _job_or_404(service: Service, job_id: str, owner: str | None) -> dict[str, Any]:
    job = await service.job(job_id, owner)
    if job is None:
        raise job_not_found(job_id)
    return job


@router.get("", response_model=JobsPublic)
async def list_jobs(
    service: ServiceDep, owner: Owner, status: Annotated[str | None, Query()] = None
) -> JobsPublic:
    """All jobs, newest first (``{"jobs": [...], "count": n}``); ``?status=`` keeps one
    state."""
    valid = [s.value for s in JobStatus]
    if status is not None and status not in valid:
        raise ApiError(
            400,
            ErrorCode.INVALID_STATUS,
            f"unknown status {status!r}; valid: {', '.join(valid)}",
        )
    jobs = await service.jobs(status, owner)
    return JobsPublic(jobs=[JobPublic(**j) for j in jobs], count=len(jobs))


@router.get("/{job_id}", response_model=JobPublic, responses=_UNKNOWN)
async def get_job(job_id: str, service: ServiceDep, owner: Owner) -> JobPublic:
    """State of one job: status, progress (0..1), timestamps, error, backend."""
    return JobPublic(**await _job_or_404(service, job_id, owner))


@router.get(
    "/{job_id}/result",
    response_class=Response,
    responses={
        **arrays_answer(SignificanceResultResponse),
        **_UNKNOWN,
        409: {"description": "Not done.", "model": ErrorBody},
    },
)
async def job_result(job_id: str, request: Request, service: ServiceDep, owner: Owner) -> Response:
    """Thresholds per scale of a completed job; 409 while it is not completed.

    JSON: ``{"job_id", "status", "result": {"sig95", ..., "backend_used", "ar1",
    "warnings"}, "computation_time"}``; with ``Accept: application/x-npz`` the same
    fields flat in one ``.npz``.
    """
    job = await _job_or_404(service, job_id, owner)
    if job["status"] != JobStatus.completed:
        extra = f": {job['error']}" if job.get("error") else ""
        raise ApiError(
            409,
            ErrorCode.JOB_NOT_COMPLETED,
            f"job {job_id} is {job['status']}, not completed; no result{extra}",
        )
    result = await service.job_result(job_id, owner)
    if result is None:
        raise ApiError(
            500, ErrorCode.INTERNAL_ERROR, f"job {job_id} is completed but its result is missing"
        )
    arrays = result.arrays()
    if NPZ_MEDIA_TYPE in request.headers.get("accept", ""):  # flat: one array per member
        return encode({"job_id": job_id, "status": job["status"], **arrays}, request)
    elapsed = arrays.pop("computation_time")
    payload = {"job_id": job_id, "status": job["status"], "result": arrays}
    return encode({**payload, "computation_time": elapsed}, request)


#: Seconds between keep-alive comments on an event stream (proxies cut idle streams).
PING_S = 15
#: Milliseconds a client waits before reconnecting a cut stream (the ``retry:`` field).
RETRY_MS = 1000


def event_id(job: dict[str, Any]) -> str:
    """The id of one job state on the event stream: a digest of the state, so a client
    reconnecting with ``Last-Event-ID`` is sent only states it has not seen."""
    return hashlib.blake2b(dumps(job), digest_size=8).hexdigest()


@router.get(
    "/{job_id}/events",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Job state events."},
        **_UNKNOWN,
    },
)
async def job_events(
    job_id: str,
    service: ServiceDep,
    owner: Owner,
    interval: Annotated[float, Query(ge=0.05, le=10)] = 0.5,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    """Server-sent events: the job's state whenever it changes, until it ends.

    Each event is ``id: <state id>`` and ``data: <job JSON>``; a client that reconnects
    with ``Last-Event-ID`` (what an ``EventSource`` does after a cut) resumes: the state
    it already has is not sent again, the next change is. Keep-alive comments every
    `PING_S` seconds; the stream closes after a terminal state (or at once on a
    reconnect that already has it), at the job deadline (``event: timeout``,
    ``PYCWT_JOB_TIMEOUT_S``), or when the client goes away.
    """
    first = await _job_or_404(service, job_id, owner)
    deadline = time.monotonic() + service.config.job_timeout_s + 60

    async def events() -> AsyncIterator[ServerSentEvent]:
        job, seen = first, last_event_id
        while True:
            if job is None:
                return
            state = event_id(job)
            if state != seen:
                yield ServerSentEvent(dumps(job).decode(), id=state, retry=RETRY_MS)
                seen = state
            if job["status"] in TERMINAL:
                return
            if time.monotonic() > deadline:
                yield ServerSentEvent("{}", event="timeout")
                return
            await asyncio.sleep(interval)
            job = await service.job(job_id, owner)

    return EventSourceResponse(events(), ping=PING_S)


@router.delete(
    "/{job_id}",
    response_model=JobPublic,
    responses={**_UNKNOWN, 409: {"description": "Finished.", "model": ErrorBody}},
)
async def cancel_job(job_id: str, service: ServiceDep, owner: Owner) -> JobPublic:
    """Cancel a queued or running job (it ends ``cancelled``); 409 if it finished."""
    job = await _job_or_404(service, job_id, owner)
    if job["status"] in (JobStatus.completed, JobStatus.failed):
        raise ApiError(
            409, ErrorCode.JOB_FINISHED, f"job {job_id} already {job['status']}; nothing to cancel"
        )
    return JobPublic(**await service.cancel_job(job_id, owner))
