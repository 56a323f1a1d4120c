"""The exceptions of `serve_app.client`: one `ClientError` subclass per HTTP status.

Every `Client` method raises them with the service's message (its ``detail``; a
pydantic 422 as ``"body.field: message; ..."``) and its machine-readable ``code``
(`serve_app.error_codes.ErrorCode`); branch on ``code``, never on the message.
"""

from __future__ import annotations

from ..error_codes import ErrorCode

__all__ = [
    "BadRequest",
    "ClientError",
    "Conflict",
    "ErrorCode",
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
    """An error answer of the service.

    Attributes
    ----------
    status : int
        HTTP status.
    message : str
        The service's ``detail`` (for people).
    code : str or None
        The service's `ErrorCode` value (``"over_sync_budget"``, ``"job_not_found"``
        ...; None when the answer had none, e.g. from a proxy in front).
    request_id : str or None
        A 5xx's request id (quote it when reporting the problem).
    """

    def __init__(
        self, status: int, message: str, code: str | None = None, request_id: str | None = None
    ):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.code = code
        self.request_id = request_id


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


def _body(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(response, body: dict) -> str:
    if "detail" not in body:
        return response.text or response.reason_phrase
    detail = body["detail"]
    if isinstance(detail, list):  # pydantic errors: "body.field: message; ..."
        return "; ".join(
            ".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg", e)) for e in detail
        )
    return str(detail)


def error_of(response) -> ClientError:
    """The `ClientError` of an error answer (its class chosen by the status), with
    the body's ``code`` and ``request_id``."""
    cls = _ERRORS.get(response.status_code)
    if cls is None:
        cls = ServerError if response.status_code >= 500 else ClientError
    body = _body(response)
    code, rid = body.get("code"), body.get("request_id")
    return cls(response.status_code, _detail(response, body), code, rid)
