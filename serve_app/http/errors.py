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
`StorageError` (jobs database)  507/503 what failed and what to do (507: disk full)
`LimitExceededError`            413     the limit, its setting and what to do
``ValueError``                  400     the library's message
any other Ray error             500     "internal error: <type>: <message>"
==============================  ======  ==========================================
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from ray.exceptions import RayError
from ray.serve.exceptions import BackPressureError

from pycwt_mod.montecarlo.backends import BackendUnavailableError

from ..analysis import LimitExceededError
from ..jobs.faults import StorageError

__all__ = ["RETRY_AFTER_S", "Overloaded", "error_response", "install_error_handler", "shielded"]

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait after a 503 "overloaded".
RETRY_AFTER_S = 2

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
    elif isinstance(cause, StorageError):
        log.error("jobs database error on %s: %s", request.url.path, msg)
        status = cause.http_status
    elif isinstance(cause, LimitExceededError):
        status = 413
    elif isinstance(cause, ValueError):
        status = 400
    else:
        log.error("unexpected error on %s: %r", request.url.path, exc)
        status, msg = 500, f"internal error: {type(cause).__name__}: {msg}"
    return JSONResponse({"detail": msg}, status, headers=headers)


def install_error_handler(app: FastAPI) -> None:
    """Register `error_response` for every exception class it maps."""
    for cls in (Overloaded, BackendUnavailableError, StorageError, ValueError, RayError):
        app.add_exception_handler(cls, error_response)
