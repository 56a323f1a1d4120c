"""The HTTP transport of `serve_app.client.Client`: retries, ``.npz`` bodies, errors."""

from __future__ import annotations

import time
from typing import Any

from ..npz import NPZ_MEDIA_TYPE, from_npz, to_npz
from .errors import error_of

try:  # the `client` extra: pip install 'pycwt-mod[client]'
    import httpx
except ImportError:  # the local CLI works without it; Client says what to install
    httpx = None

__all__ = ["INSTALL_HINT", "RETRY_STATUSES", "Transport"]

#: Statuses retried with backoff (the service or Serve is busy or restarting).
RETRY_STATUSES = (502, 503, 504)
#: What to install when httpx is missing.
INSTALL_HINT = "the HTTP client needs httpx and httpx-sse: pip install 'pycwt-mod[client]'"


class Transport:
    """Requests to one service, with retries (the parameters of `Client`)."""

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 0.5,
    ):
        if httpx is None:
            raise ImportError(INSTALL_HINT)
        if retries < 0:
            raise ValueError(f"`retries` must be >= 0 (got {retries})")
        headers = {"X-API-Key": api_key} if api_key else {}
        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        #: Requests sent for the last call, retries included (for logs and tests).
        self.last_attempts = 0
        self._http = httpx.Client(base_url=self.url, timeout=timeout, headers=headers)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any):
        for attempt in range(self.retries + 1):
            self.last_attempts = attempt + 1
            try:
                r = self._http.request(method, path, **kwargs)
            except httpx.ConnectError:
                if attempt == self.retries:
                    raise
                time.sleep(self.backoff * 2**attempt)
                continue
            if r.status_code in RETRY_STATUSES and attempt < self.retries:
                retry_after = r.headers.get("retry-after", "")
                delay = self.backoff * 2**attempt
                if retry_after.replace(".", "", 1).isdigit():
                    delay = min(float(retry_after), 60.0)
                time.sleep(delay)
                continue
            if r.status_code >= 400:
                raise error_of(r)
            return r
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_npz(self, path: str, fields: dict[str, Any], accept: str = NPZ_MEDIA_TYPE):
        r = self._request(
            "POST",
            path,
            content=to_npz(fields),
            headers={"Content-Type": NPZ_MEDIA_TYPE, "Accept": accept},
        )
        return r

    def _analysis(self, path: str, cls, fields: dict[str, Any]):
        r = self._post_npz(path, fields)
        return cls.from_arrays(from_npz(r.content))
