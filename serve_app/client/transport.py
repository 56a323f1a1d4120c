"""The HTTP transport of `serve_app.client.Client`: retries, ``.npz`` bodies, errors.

Two kinds of retry: a request that could not connect is retried by httpx's own
transport (``httpx.HTTPTransport(retries=...)``, its exponential backoff), and a
request answered 502/503/504 (the service or Serve busy or restarting) is sent again
by `RetryPolicy`: after the ``Retry-After`` the answer gives (seconds or an HTTP
date), else after ``backoff * 2**k`` seconds, never longer than ``max_delay``.
"""

from __future__ import annotations

import email.utils
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..npz import NPZ_MEDIA_TYPE, from_npz, to_npz
from .errors import error_of

try:  # the `client` extra: pip install 'pycwt-mod[client]'
    import httpx
except ImportError:  # the local CLI works without it; Client says what to install
    httpx = None

__all__ = ["INSTALL_HINT", "RETRY_STATUSES", "RetryPolicy", "Transport", "retry_after"]

#: Statuses retried with backoff (the service or Serve is busy or restarting).
RETRY_STATUSES = (502, 503, 504)
#: What to install when httpx is missing.
INSTALL_HINT = "the HTTP client needs httpx and httpx-sse: pip install 'pycwt-mod[client]'"


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (RFC 9110, 10.2.3), or None.

    Parameters
    ----------
    value : str or None
        The header: a number of seconds (``"120"``; a decimal is accepted too) or
        an HTTP date (``"Wed, 21 Oct 2026 07:28:00 GMT"``).
    now : datetime, optional
        The time a date is measured from (default: now, UTC).

    Returns
    -------
    float or None
        Seconds, >= 0 (a date in the past gives 0); None when the header is absent
        or neither form.

    Examples
    --------
    >>> retry_after("2"), retry_after("0.5"), retry_after("soon"), retry_after(None)
    (2.0, 0.5, None, None)
    >>> now = datetime(2026, 10, 21, 7, 27, 30, tzinfo=timezone.utc)
    >>> retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now)
    30.0
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is UTC
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


@dataclass(frozen=True)
class RetryPolicy:
    """When an answered request is sent again, and after how long.

    Attributes
    ----------
    retries : int
        Sends after the first, at most (default 3).
    backoff : float
        Seconds before the first retry when the answer gives no ``Retry-After``;
        doubled for each next one (default 0.5).
    max_delay : float
        The longest wait, whatever ``Retry-After`` asks (default 60 s).
    statuses : tuple of int
        The statuses retried (`RETRY_STATUSES`).
    """

    retries: int = 3
    backoff: float = 0.5
    max_delay: float = 60.0
    statuses: tuple[int, ...] = RETRY_STATUSES

    def __post_init__(self):
        if self.retries < 0:
            raise ValueError(f"`retries` must be >= 0 (got {self.retries})")

    def delay(self, attempt: int, status: int, header: str | None) -> float | None:
        """Seconds to wait before sending again after answer ``attempt`` (0 for the
        first) with ``status`` and ``Retry-After`` ``header``; None: do not retry."""
        if attempt >= self.retries or status not in self.statuses:
            return None
        asked = retry_after(header)
        return min(self.backoff * 2**attempt if asked is None else asked, self.max_delay)


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
        headers = {"X-API-Key": api_key} if api_key else {}
        self.url = url.rstrip("/")
        self.policy = RetryPolicy(retries=retries, backoff=backoff)
        #: Requests answered for the last call, retries included (for logs and tests).
        self.last_attempts = 0
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers=headers,
            transport=httpx.HTTPTransport(retries=retries),  # connection errors
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any):
        attempt = 0
        while True:
            self.last_attempts = attempt + 1
            r = self._http.request(method, path, **kwargs)
            delay = self.policy.delay(attempt, r.status_code, r.headers.get("retry-after"))
            if delay is None:
                break
            time.sleep(delay)
            attempt += 1
        if r.status_code >= 400:
            raise error_of(r)
        return r

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
