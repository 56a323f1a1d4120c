"""The exceptions of `serve_app.client`: one `ClientError` subclass per HTTP status.

Every `Client` method raises them with the service's message (its ``detail``; a
pydantic 422 as ``"body.field: message; ..."``).
"""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "ClientError",
    "Conflict",
    "JobFailed",
    "NotFound",
    "PayloadTooLarge",
    "ServerError",
    "ServiceUnavailable",
    "Unauthorized",
    "UnprocessableEntity",
    "error_of",
]


class ClientError(Exception):
    """An error answer of the service: ``status`` (HTTP code) and ``message`` (its detail)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class BadRequest(ClientError):
    """400: a semantic problem with the data (NaN, unequal lengths, too short...)."""


class Unauthorized(ClientError):
    """401: missing or wrong API key."""


class NotFound(ClientError):
    """404: unknown job or backend."""


class Conflict(ClientError):
    """409: result of a job that is not completed, or cancel of a finished job."""


class PayloadTooLarge(ClientError):
    """413: over the service's size limits."""


class UnprocessableEntity(ClientError):
    """422: a malformed or out-of-range field."""


class ServerError(ClientError):
    """5xx other than a retried 503 (or a 503 still there after the retries)."""


class ServiceUnavailable(ServerError):
    """503 after all retries: a backend unavailable here, or the service overloaded."""


class JobFailed(Exception):
    """A significance job ended ``failed`` or ``cancelled``; ``job`` holds its state."""

    def __init__(self, job: dict):
        super().__init__(f"job {job['job_id']} {job['status']}: {job.get('error') or ''}".strip())
        self.job = job


_ERRORS = {
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: UnprocessableEntity,
    503: ServiceUnavailable,
}


def _detail(response) -> str:
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text or response.reason_phrase
    if isinstance(detail, list):  # pydantic errors: "body.field: message; ..."
        return "; ".join(
            ".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg", e)) for e in detail
        )
    return str(detail)


def error_of(response) -> ClientError:
    """The `ClientError` of an error answer (its class chosen by the status)."""
    cls = _ERRORS.get(response.status_code)
    if cls is None:
        cls = ServerError if response.status_code >= 500 else ClientError
    return cls(response.status_code, _detail(response))
