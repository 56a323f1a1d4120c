"""One mapping from library, service and Ray errors to HTTP answers.

`install_error_handler` registers `error_response` for every exception class it
maps, so each route just lets errors propagate. A compute deployment's exception
reaches the ingress wrapped in a Ray error that is also an instance of the original
class (``RayTaskError(ValueError)``); the mapping looks at the original (``cause``).

==============================  ======  ==========================================
error                           status  body
==============================  ======  ==========================================
`Overloaded` (Serve back-        503     "service overloaded ..." + ``Retry-After``
pressure from a deployment)
`BackendUnavailableError`       503     "backend unavailable: <reason>"
`LimitExceededError`            413     the limit, its setting and what to do
``ValueError``                  400     the library's message
any other error                 500     "internal error ..." + ``request_id``
==============================  ======  ==========================================

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

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from ray.exceptions import RayError
from ray.serve.exceptions import BackPressureError

from pycwt_mod.montecarlo.backends import BackendUnavailableError

from ..analysis import LimitExceededError

__all__ = [
    "REQUEST_ID_HEADER",
    "RETRY_AFTER_S",
    "InternalErrors",
    "Overloaded",
    "error_response",
    "install_error_handler",
    "internal_error",
    "request_id",
    "shielded",
]

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait after a 503 "overloaded".
RETRY_AFTER_S = 2
#: The request id header (set by the Serve proxy on the request and the answer).
REQUEST_ID_HEADER = "x-request-id"

T = TypeVar("T")


class Overloaded(Exception):
    """A compute deployment refused a request because its queue is full."""


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


def internal_error(scope: dict[str, Any], exc: BaseException) -> JSONResponse:
    """The 500 of a fault: a short body with the request id; the traceback is logged."""
    rid = request_id(scope)
    log.error(
        "internal error, request id %s, %s %s",
        rid,
        scope.get("method", ""),
        scope.get("path", ""),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    body = {
        "detail": f"internal error (request id {rid}); the service log has the details "
        "under this id: quote it when reporting the problem",
        "request_id": rid,
    }
    return JSONResponse(body, 500)


def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The HTTP answer for ``exc`` (see the module's table)."""
    cause = _cause(exc)
    msg = str(cause)
    headers = None
    if isinstance(cause, Overloaded):
        status = 503
        msg = "service overloaded: too many requests are queued; retry in a few seconds"
        headers = {"Retry-After": str(RETRY_AFTER_S)}
    elif isinstance(cause, BackendUnavailableError):
        status, msg = 503, f"backend unavailable: {msg}"
    elif isinstance(cause, LimitExceededError):
        status = 413
    elif isinstance(cause, ValueError):
        status = 400
    else:
        return internal_error(request.scope, exc)
    return JSONResponse({"detail": msg}, status, headers=headers)


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
                log.error("error after the answer started, request id %s", request_id(scope),
                          exc_info=exc)  # fmt: skip
                return
            await internal_error(scope, exc)(scope, receive, send)


def install_error_handler(app: FastAPI) -> None:
    """Register `error_response` for every exception class it maps, and `InternalErrors`
    for the rest (call before the other middleware: it must be the innermost)."""
    for cls in (Overloaded, BackendUnavailableError, ValueError, RayError):
        app.add_exception_handler(cls, error_response)
    app.add_middleware(InternalErrors)
