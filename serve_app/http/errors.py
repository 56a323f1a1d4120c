"""One mapping from library, service and Ray errors to HTTP answers.

Every error body is ``{"detail": <message>, "code": <ErrorCode>}``
(`serve_app.error_codes`; a 5xx adds ``request_id``): clients branch on ``code``.
`install_error_handler` registers `error_response` for every exception class it
maps, so each route just lets errors propagate; routes raise `ApiError` (an
``HTTPException`` with its code). A compute deployment's exception reaches the
ingress wrapped in a Ray error that is also an instance of the original class
(``RayTaskError(ValueError)``); the mapping looks at the original (``cause``), and
takes its code from the exception's ``code`` attribute when it has one.

==============================  ======  ======================  =====================
error                           status  code                    body
==============================  ======  ======================  =====================
`ApiError` / ``HTTPException``  its     its (by status)         its message
request validation (pydantic)   422     ``validation_error``    pydantic's error list
`Overloaded` (Serve back-        503     ``overloaded``          + ``Retry-After``
pressure from a deployment)
`BackendUnavailableError`       503     ``backend_unavailable`` the reason
`StorageError` (jobs database)  507/503 ``storage_full`` /       what failed, what to do
                                        ``storage_error``
`LimitExceededError`            413     ``too_large``           limit, setting, advice
``ValueError``                  400     ``bad_request`` (or     the library's message
                                        its ``code``)
any other error                 500     ``internal_error``      "internal error ..."
==============================  ======  ======================  =====================

A 500 never carries a traceback or the fault's message (paths, pids, addresses): the
body is a short message with the request's id (Serve's ``X-Request-ID``, also on
the answer's headers), and the traceback goes to the service log under that id.
`InternalErrors` (a middleware) answers the same for an exception no handler maps.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from ray.exceptions import RayError
from ray.serve.exceptions import BackPressureError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pycwt_mod.montecarlo.backends import BackendUnavailableError

from ..analysis import LimitExceededError
from ..error_codes import ErrorCode
from ..jobs.faults import StorageError

__all__ = [
    "REQUEST_ID_HEADER",
    "RETRY_AFTER_S",
    "ApiError",
    "InternalErrors",
    "Overloaded",
    "error_body",
    "error_response",
    "install_error_handler",
    "internal_error",
    "job_not_found",
    "request_id",
    "shielded",
]

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait after a 503 "overloaded".
RETRY_AFTER_S = 2
#: The request id header (set by the Serve proxy on the request and the answer).
REQUEST_ID_HEADER = "x-request-id"

#: The code of an ``HTTPException`` that names none, by status.
_BY_STATUS = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.TOO_LARGE,
    422: ErrorCode.VALIDATION_ERROR,
    503: ErrorCode.NOT_READY,
}

T = TypeVar("T")


class Overloaded(Exception):
    """A compute deployment refused a request because its queue is full."""


class ApiError(HTTPException):
    """An ``HTTPException`` with its `ErrorCode` (what routes raise).

    Parameters
    ----------
    status : int
    code : ErrorCode
    detail : str
        What was wrong and how to fix it.
    headers : dict, optional
    """

    def __init__(
        self, status: int, code: ErrorCode, detail: str, headers: dict[str, str] | None = None
    ):
        super().__init__(status, detail, headers=headers)
        self.code = code


def job_not_found(job_id: str) -> ApiError:
    """The one 404 of an unknown job (or another key's)."""
    return ApiError(404, ErrorCode.JOB_NOT_FOUND, f"job {job_id!r} not found")


def error_body(code: ErrorCode, detail: Any) -> dict[str, Any]:
    """An error body: ``{"detail", "code"}``."""
    return {"detail": detail, "code": ErrorCode(code).value}


async def shielded(call: Awaitable[T]) -> T:
    """Await a deployment call, turning Serve's back-pressure into `Overloaded`.

    (Serve installs its own handler for ``BackPressureError`` on the ingress app, so
    the route must see a class of ours to answer with our message and header.)
    """
    try:
        return await call
    except BackPressureError as exc:
        raise Overloaded(str(exc)) from None


def _cause(exc: BaseException) -> BaseException:
    """The user exception inside a Ray error (RayTaskError keeps it as ``cause``)."""
    return getattr(exc, "cause", None) or exc


def request_id(scope: dict[str, Any]) -> str:
    """The request's id: Serve's ``X-Request-ID`` (a new one when absent)."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            return value.decode("latin-1")
    return uuid.uuid4().hex


def internal_error(
    scope: dict[str, Any], exc: BaseException, detail: str = "internal error"
) -> JSONResponse:
    """The 500 of a fault: a short body with the request id; the traceback is logged."""
    rid = request_id(scope)
    log.error(
        "%s, request id %s, %s %s",
        detail,
        rid,
        scope.get("method", ""),
        scope.get("path", ""),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    message = (
        f"{detail} (request id {rid}); the service log has the details under this id: "
        "quote it when reporting the problem"
    )
    body = {**error_body(ErrorCode.INTERNAL_ERROR, message), "request_id": rid}
    return JSONResponse(body, 500)


def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The HTTP answer for ``exc`` (see the module's table)."""
    cause = _cause(exc)
    msg = str(cause)
    headers = None
    if isinstance(cause, Overloaded):
        status, code = 503, ErrorCode.OVERLOADED
        msg = "service overloaded: too many requests are queued; retry in a few seconds"
        headers = {"Retry-After": str(RETRY_AFTER_S)}
    elif isinstance(cause, BackendUnavailableError):
        status, code, msg = 503, ErrorCode.BACKEND_UNAVAILABLE, f"backend unavailable: {msg}"
    elif isinstance(cause, StorageError):
        log.error("jobs database error on %s: %s", request.url.path, msg)
        status = cause.http_status
        code = ErrorCode.STORAGE_FULL if status == 507 else ErrorCode.STORAGE_ERROR
    elif isinstance(cause, LimitExceededError):
        status, code = 413, ErrorCode.TOO_LARGE
    elif isinstance(cause, ValueError):
        status, code = 400, getattr(cause, "code", None) or ErrorCode.BAD_REQUEST
    else:
        return internal_error(request.scope, exc)
    return JSONResponse(error_body(code, msg), status, headers=headers)


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """An ``HTTPException``'s answer with its code; a 5xx as `internal_error`'s."""
    code = getattr(exc, "code", None) or _BY_STATUS.get(exc.status_code, ErrorCode.HTTP_ERROR)
    if exc.status_code >= 500 and code in (ErrorCode.HTTP_ERROR, ErrorCode.INTERNAL_ERROR):
        return internal_error(request.scope, exc, str(exc.detail))
    body = error_body(code, exc.detail)
    return JSONResponse(body, exc.status_code, headers=getattr(exc, "headers", None))


def validation_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with pydantic's error list as ``detail`` (FastAPI's body) and its code."""
    body = error_body(ErrorCode.VALIDATION_ERROR, jsonable_encoder(exc.errors()))
    return JSONResponse(body, 422)


class InternalErrors:
    """ASGI middleware: an exception no handler mapped becomes `internal_error`'s 500
    (instead of the server's traceback page), unless the answer had already started.

    Parameters
    ----------
    app : ASGI app
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # nothing left to answer: log it, under the request id
                rid = request_id(scope)
                log.error("error after the answer started, request id %s", rid, exc_info=exc)
                return
            await internal_error(scope, exc)(scope, receive, send)


def install_error_handler(app: FastAPI) -> None:
    """Register the handlers of every error (module table) and `InternalErrors` for
    the rest (call before adding other middleware: it must be the innermost)."""
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    app.add_exception_handler(RequestValidationError, validation_response)
    for cls in (Overloaded, BackendUnavailableError, StorageError, ValueError, RayError):
        app.add_exception_handler(cls, error_response)
    app.add_middleware(InternalErrors)
