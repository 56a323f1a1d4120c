"""``Content-Type: application/x-npz`` request bodies for the FastAPI routes.

An ``.npz`` body carries the same fields as the JSON body: arrays as members (a complex
member stands for a ``{"real", "imag"}`` field, so the ``wave`` of a CWT answered as
npz can be posted back to /analysis/icwt), scalars and strings as 0-d arrays. It is
loaded with ``allow_pickle=False`` and handed to FastAPI as the already-parsed JSON
body, so the same pydantic model validates it (422 for a bad field) and the OpenAPI
schema still describes the JSON body. Numeric arrays skip the per-element list
validation (see ``serve_app.http.schemas.Series``) and reach the deployments as ndarrays.
Members are checked before they are decompressed, against bounds derived from the
sample limits (`serve_app.npz.read_npz`, ``app.state.npz_bounds``): a body that is not
a readable ``.npz``, or a member that is not a numeric or string array, is a 400; a
member declaring more than the limits (a zip bomb) is a 413.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from ..error_codes import ErrorCode
from ..npz import NPZ_MEDIA_TYPE, NpzBounds, NpzError, read_npz
from .errors import ApiError

__all__ = ["NpzRequest", "NpzRoute", "is_npz", "npz_fields"]


def is_npz(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` header names the npz media type (parameters ignored)."""
    return (content_type or "").split(";")[0].strip().lower() == NPZ_MEDIA_TYPE


def _field(a: np.ndarray) -> Any:
    if a.ndim == 0:
        value = a.item()
        return value.decode() if isinstance(value, bytes) else value
    if a.dtype.kind == "c":
        return {"real": a.real, "imag": a.imag}
    if a.dtype.kind in "iuf":
        return a
    return a.tolist()  # strings, bools: validated element by element


def npz_fields(blob: bytes, bounds: NpzBounds) -> dict[str, Any]:
    """The fields of an ``.npz`` request body, as the JSON body would give them.

    Every member is checked against ``bounds`` before it is decompressed
    (`serve_app.npz.read_npz`).

    Raises
    ------
    ApiError
        400 (``invalid_npz``) when the body is empty, not a readable ``.npz``, or
        holds a member that is not a numeric or string array (object, pickle); 413
        (``too_large``) when a member declares more than ``bounds`` allow.
    """
    try:
        arrays = read_npz(blob, bounds)
    except NpzError as exc:
        code = ErrorCode.TOO_LARGE if exc.status == 413 else ErrorCode.INVALID_NPZ
        raise ApiError(exc.status, code, str(exc)) from None
    return {name: _field(a) for name, a in arrays.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return f"<array shape {value.shape} dtype {value.dtype}>"
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class NpzRequest(Request):
    """A request whose ``.npz`` body reads as the equivalent JSON body.

    Parameters
    ----------
    request : Request
        The original request (its body already read into ``body``).
    body : bytes
        The raw ``.npz`` bytes.
    fields : dict
        `npz_fields` of ``body``.
    """

    def __init__(self, request: Request, body: bytes, fields: dict[str, Any]):
        headers = [
            (k, b"application/json" if k == b"content-type" else v)
            for k, v in request.scope["headers"]
        ]
        super().__init__({**request.scope, "headers": headers}, request.receive)
        self._npz_body = body
        self._npz_fields = fields

    async def body(self) -> bytes:
        return self._npz_body

    async def json(self) -> Any:
        return self._npz_fields


class NpzRoute(APIRoute):
    """An `APIRoute` that also accepts ``application/x-npz`` bodies (module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:  # no body to parse (GET, DELETE)
            return handler

        async def route_handler(request: Request) -> Response:
            if not is_npz(request.headers.get("content-type")):
                return await handler(request)
            body = await request.body()
            fields = npz_fields(body, request.app.state.npz_bounds)
            try:
                return await handler(NpzRequest(request, body, fields))
            except RequestValidationError as exc:  # arrays are not JSON: summarise them
                raise RequestValidationError(_jsonable(exc.errors())) from None

        return route_handler
