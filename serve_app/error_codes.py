"""The machine-readable ``code`` of every error body of the HTTP API.

An error answer is ``{"detail": <message>, "code": <ErrorCode>}`` (a 5xx also has
``request_id``); clients branch on ``code``, never on the message, which is for
people and may be reworded. Shared by the service and `serve_app.client` (no
dependencies). The table is in serve_app/README_SERVICE.md, "Errors".
"""

from __future__ import annotations

from enum import Enum

__all__ = ["ErrorCode"]


class ErrorCode(str, Enum):
    """Error codes, by HTTP status (``.value`` is what the body carries)."""

    #: 400: a semantic problem with the data (NaN, unequal lengths, too short ...).
    BAD_REQUEST = "bad_request"
    #: 400: an ``application/x-npz`` body that is unreadable, or a member refused
    #: (not a ``.npy`` array, an object/pickle or structured dtype).
    INVALID_NPZ = "invalid_npz"
    #: 400: a synchronous significance test over ``PYCWT_SYNC_WORK_BUDGET``: submit
    #: it as a job (POST /api/v1/analysis/significance) instead.
    OVER_SYNC_BUDGET = "over_sync_budget"
    #: 400: an unknown ``status`` filter of GET /api/v1/jobs.
    INVALID_STATUS = "invalid_status"
    #: 401: missing or invalid API key.
    UNAUTHORIZED = "unauthorized"
    #: 404: no such route.
    NOT_FOUND = "not_found"
    #: 404: no such job (or not one of this key's jobs).
    JOB_NOT_FOUND = "job_not_found"
    #: 404: no such Monte Carlo backend.
    BACKEND_NOT_FOUND = "backend_not_found"
    #: 405: the route exists, not with this method.
    METHOD_NOT_ALLOWED = "method_not_allowed"
    #: 409: a job's result (or a figure of it) asked before the job completed.
    JOB_NOT_COMPLETED = "job_not_completed"
    #: 409: cancel of a job that already finished.
    JOB_FINISHED = "job_finished"
    #: 413: over a size limit (body, samples, scales, Monte Carlo count, npz member).
    TOO_LARGE = "too_large"
    #: 422: a malformed or out-of-range field (``detail`` is pydantic's list).
    VALIDATION_ERROR = "validation_error"
    #: 500: a fault of the service; ``request_id`` finds it in the service log.
    INTERNAL_ERROR = "internal_error"
    #: 503: too many requests queued; retry after ``Retry-After`` seconds.
    OVERLOADED = "overloaded"
    #: 503: the Monte Carlo backend asked for is not available here.
    BACKEND_UNAVAILABLE = "backend_unavailable"
    #: 503: the service is starting or a part of it is down (GET /health/ready).
    NOT_READY = "not_ready"
    #: 503: the jobs database failed a read or a write (read-only, corrupt, locked).
    STORAGE_ERROR = "storage_error"
    #: 507: the jobs database's disk is full.
    STORAGE_FULL = "storage_full"
    #: Any other HTTP error status.
    HTTP_ERROR = "http_error"
