"""Request body size limit for the HTTP ingress (an ASGI middleware).

A request whose ``Content-Length`` is over the limit gets 413 before any of its body
is read. A body without ``Content-Length`` (chunked transfer) is read up to the limit
and answered 413 as soon as it goes over; a body within the limit is handed on
unchanged. The limit is a constructor argument (``app.add_middleware(BodyLimit,
max_body_bytes=...)``), one per FastAPI app.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..error_codes import ErrorCode

__all__ = ["BodyLimit"]


def _message(size: str, limit: int) -> bytes:
    detail = (
        f"request body {size} is over the limit of {limit} bytes "
        f"({limit / 2**20:.3g} MiB, setting PYCWT_MAX_BODY_BYTES, which the operator can "
        "raise); send the arrays as .npz (Content-Type: application/x-npz, 8 bytes a "
        "sample, about 2.5x smaller than JSON text), or run the batch job (python -m "
        "serve_app.batch); do not split the series: each piece would get its own cone "
        "of influence and a different transform near the cut"
    )
    return orjson.dumps({"detail": detail, "code": ErrorCode.TOO_LARGE.value})


async def _send_413(send, size: str, limit: int) -> None:
    body = _message(size, limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware answering 413 for bodies over ``max_body_bytes``.

    Parameters
    ----------
    app : ASGI app
    max_body_bytes : int
        Largest body accepted (``Settings.max_body_bytes``).
    """

    def __init__(self, app: Any, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = int(max_body_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.max_body_bytes
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = None
                break
        if length is not None:
            if length > limit:
                return await _send_413(send, f"of {length} bytes (Content-Length)", limit)
            return await self.app(scope, receive, send)
        # no Content-Length (chunked): buffer up to the limit, then replay
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # disconnect
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                return await _send_413(send, f"of more than {limit} bytes (chunked)", limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)
