"""Python client of the pycwt-mod HTTP service: numpy arrays in, numpy arrays out.

Arrays travel as ``.npz`` both ways (``Content-Type`` and ``Accept:
application/x-npz``), results come back as the typed records of `serve_app.records`,
significance jobs show a tqdm progress bar fed by the job's server-sent events, 503
answers are retried with exponential backoff, and 4xx answers raise a `ClientError`
subclass carrying the service's message.

Examples
--------
>>> from serve_app.client import Client  # doctest: +SKIP
>>> c = Client("http://127.0.0.1:8000")  # doctest: +SKIP
>>> res = c.cwt(x, dt=1.0, dj=0.25)  # doctest: +SKIP
>>> res.wave.shape  # doctest: +SKIP
(33, 512)
>>> sig = c.significance(x, y, dt=1.0, dj=0.25, mc_count=300, seed=1)  # doctest: +SKIP
>>> res = c.wct(x, y, dt=1.0, surrogate="phase", areawise=True, mc_count=100)  # doctest: +SKIP
>>> res.areawise_mask.shape  # doctest: +SKIP
(109, 512)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..npz import NPZ_MEDIA_TYPE, from_npz, to_npz
from ..records import (
    TERMINAL,
    CWTResult,
    ICWTResult,
    SignificanceResult,
    WCTResult,
    XWTResult,
)

try:  # the `client` extra: pip install 'pycwt-mod[client]'
    import httpx
    from httpx_sse import connect_sse
except ImportError:  # the local CLI works without it; Client says what to install
    httpx = None
    connect_sse = None

__all__ = [
    "INSTALL_HINT",
    "BadRequest",
    "Client",
    "ClientError",
    "Conflict",
    "JobFailed",
    "NotFound",
    "PayloadTooLarge",
    "ServerError",
    "ServiceUnavailable",
    "Unauthorized",
    "UnprocessableEntity",
]

#: Statuses retried with backoff (the service or Serve is busy or restarting).
RETRY_STATUSES = (502, 503, 504)
#: Named by the service's 400 for a synchronous significance test over its work budget.
BUDGET_SETTING = "PYCWT_SYNC_WORK_BUDGET"
#: Fields of a coherence request that a significance job takes too.
_JOB_FIELDS = frozenset(
    ("dj", "s0", "J", "wavelet", "significance_level", "mc_count", "backend", "seed",
     "al1", "al2", "detrend", "surrogate", "areawise", "area_level", "area_measure",
     "areawise_test")
)  # fmt: skip
#: Fields of the areawise test, which only a significance job runs.
_AREA_FIELDS = frozenset(("areawise", "area_level", "area_measure", "areawise_test"))
#: What to install when httpx is missing.
INSTALL_HINT = "the HTTP client needs httpx and httpx-sse: pip install 'pycwt-mod[client]'"


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


def _error(response) -> ClientError:
    cls = _ERRORS.get(response.status_code)
    if cls is None:
        cls = ServerError if response.status_code >= 500 else ClientError
    return cls(response.status_code, _detail(response))


def _drop_none(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


#: Fields of a coherence request that only its Monte Carlo test uses.
_TEST_FIELDS = frozenset(
    ("significance_test", "significance_level", "mc_count", "backend", "seed", "al1", "al2",
     "surrogate", *_AREA_FIELDS)
)  # fmt: skip


def _without_test(fields: dict[str, Any]) -> dict[str, Any]:
    """A coherence request's fields without its Monte Carlo test."""
    return {k: v for k, v in fields.items() if k not in _TEST_FIELDS}


class Client:
    """Client of one pycwt-mod service.

    Parameters
    ----------
    url : str
        Base URL, e.g. ``"http://127.0.0.1:8000"``.
    api_key : str, optional
        Sent as ``X-API-Key`` (needed when the service sets ``PYCWT_API_KEY``).
    timeout : float, optional
        Seconds per request (default 120).
    retries : int, optional
        Retries of a request answered 502/503/504 or that could not connect
        (default 3), after ``backoff * 2**k`` seconds (or the ``Retry-After`` header).
    backoff : float, optional
        First retry delay in seconds (default 0.5).

    Raises
    ------
    ClientError
        Subclass per status (`BadRequest`, `Unauthorized`, `NotFound`, `Conflict`,
        `PayloadTooLarge`, `UnprocessableEntity`, `ServiceUnavailable`, `ServerError`)
        with the service's message, from every method.
    """

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

    def __enter__(self) -> Client:
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
                raise _error(r)
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
        r = self._post_npz(path, _drop_none(fields))
        return cls.from_arrays(from_npz(r.content))

    # -- service ----------------------------------------------------------------------

    def health(self) -> dict:
        """``GET /health``: status, version and the backends available."""
        return self._request("GET", "/health").json()

    def backends(self) -> list[dict]:
        """Every Monte Carlo backend with its availability (``GET /api/v1/backends``)."""
        return self._request("GET", "/api/v1/backends").json()["backends"]

    # -- analysis -------------------------------------------------------------------------

    def cwt(self, data, dt: float, **kwargs) -> CWTResult:
        """Continuous wavelet transform.

        Keywords: ``dj, s0, J, wavelet, normalize, detrend`` (``"none"`` |
        ``"linear"``), ``gaps`` (``"raise"`` | ``"mask"``: NaN samples are filled and
        ``gap_mask`` returned), ``output`` (``"wave"`` | ``"power"``: only ``|wave|**2``
        comes back, in ``power``) and ``dtype`` (``"float64"`` | ``"float32"``).
        """
        return self._analysis(
            "/api/v1/analysis/cwt", CWTResult, {"data": np.asarray(data), "dt": dt, **kwargs}
        )

    def icwt(self, wave, scales, dt: float, **kwargs) -> ICWTResult:
        """Inverse CWT of ``wave`` (complex, ``(n_scales, n)``) at ``scales``."""
        fields = {"wave": np.asarray(wave), "scales": np.asarray(scales), "dt": dt, **kwargs}
        return self._analysis("/api/v1/analysis/icwt", ICWTResult, fields)

    def xwt(self, data1, data2, dt: float, **kwargs) -> XWTResult:
        """Cross wavelet transform of two equal-length series."""
        fields = {"data1": np.asarray(data1), "data2": np.asarray(data2), "dt": dt, **kwargs}
        return self._analysis("/api/v1/analysis/xwt", XWTResult, fields)

    def wct(self, data1, data2, dt: float, *, progress: bool = True, **kwargs) -> WCTResult:
        """Wavelet coherence, with Monte Carlo thresholds when ``significance_test=True``.

        A test within the service's synchronous work budget is answered at once; a
        larger one (e.g. the default ``mc_count=300`` on a long series) runs as a
        significance job (`significance`, with a progress bar unless ``progress`` is
        False) and its thresholds, seed, ``ar1`` and warnings are put in the result.

        ``surrogate`` (``"ar1"``, ``"phase"``, ``"iaaft"``) picks the null of the test.
        ``areawise=True`` (with ``area_level``, ``area_measure``, ``areawise_test``)
        always runs a job, and the result gains its ``pointwise_mask``,
        ``areawise_mask`` and ``critical_area``.
        """
        fields = {"data1": np.asarray(data1), "data2": np.asarray(data2), "dt": dt, **kwargs}
        if not kwargs.get("areawise"):
            try:
                return self._analysis("/api/v1/analysis/wct", WCTResult, fields)
            except BadRequest as exc:
                if not kwargs.get("significance_test") or BUDGET_SETTING not in exc.message:
                    raise
        _, sig = self._job(data1, data2, dt, progress, kwargs)
        res = self._analysis("/api/v1/analysis/wct", WCTResult, _without_test(fields))
        res.sig95, res.seed, res.ar1 = sig.sig95, sig.seed, sig.ar1
        res.warnings, res.backend_used = list(sig.warnings), sig.backend_used
        res.surrogate = sig.surrogate
        res.pointwise_mask, res.areawise_mask = sig.pointwise_mask, sig.areawise_mask
        res.critical_area = sig.critical_area
        res.computation_time += sig.computation_time
        return res

    def _job(self, data1, data2, dt, progress: bool, kwargs: dict):
        """Run the significance job of a coherence request's ``kwargs`` to completion;
        returns its id and `SignificanceResult`."""
        job_kw = {k: v for k, v in kwargs.items() if k in _JOB_FIELDS}
        job = self.submit_significance(data1, data2, dt, **job_kw)
        self.wait(job["job_id"], progress=progress)
        return job["job_id"], self.result(job["job_id"])

    def plot_cwt(self, data, dt: float, **kwargs) -> bytes:
        """PNG bytes of the scalogram (``POST /api/v1/plots/cwt``; plot options too).

        ``significance_test=True`` draws the red-noise (chi-square) significance contour.
        """
        fields = _drop_none({"data": np.asarray(data), "dt": dt, **kwargs})
        return self._post_npz("/api/v1/plots/cwt", fields, accept="image/png").content

    def plot_wct(self, data1, data2, dt: float, *, progress: bool = True, **kwargs) -> bytes:
        """PNG bytes of the coherence map (``POST /api/v1/plots/wct``).

        ``job_id`` draws the thresholds of a completed significance job (and an
        areawise job's patches in bold); ``significance_test=True`` over the
        synchronous budget, or ``areawise=True``, runs one first (as `wct`).
        """
        fields = {"data1": np.asarray(data1), "data2": np.asarray(data2), "dt": dt, **kwargs}
        if not kwargs.get("areawise"):
            try:
                return self._post_npz("/api/v1/plots/wct", _drop_none(fields), "image/png").content
            except BadRequest as exc:
                if not kwargs.get("significance_test") or BUDGET_SETTING not in exc.message:
                    raise
        job_id, _ = self._job(data1, data2, dt, progress, kwargs)
        fields = {**_without_test(fields), "job_id": job_id}
        return self._post_npz("/api/v1/plots/wct", _drop_none(fields), "image/png").content

    # -- jobs -------------------------------------------------------------------------------

    def submit_significance(self, data1, data2, dt: float, **kwargs) -> dict:
        """Submit a Monte Carlo significance job; returns the job (``job_id``, ``status``)."""
        fields = {"data1": np.asarray(data1), "data2": np.asarray(data2), "dt": dt, **kwargs}
        r = self._post_npz("/api/v1/analysis/significance", _drop_none(fields), "*/*")
        return r.json()

    def significance(
        self,
        data1,
        data2,
        dt: float,
        *,
        wait: bool = True,
        progress: bool = True,
        timeout: float | None = None,
        **kwargs,
    ) -> SignificanceResult | dict:
        """Run a significance job: submit, follow it (progress bar), fetch the result.

        Parameters
        ----------
        data1, data2 : (n,) array_like
        dt : float
        wait : bool, optional
            False returns the submitted job (a dict) at once.
        progress : bool, optional
            Show a tqdm bar of finished surrogate pairs while waiting.
        timeout : float, optional
            Give up waiting after this many seconds (default: the service's deadline).
        **kwargs
            ``dj, s0, J, wavelet, significance_level, mc_count, backend, seed``;
            ``surrogate`` (``"ar1"`` default, ``"phase"``, ``"iaaft"``); for ``"ar1"``
            the red-noise model: ``al1, al2`` (lag-1 coefficients) or ``detrend``
            (``"none"`` | ``"linear"``), reported in the result's ``ar1`` and
            ``warnings``; ``areawise=True`` with ``area_level``, ``area_measure``,
            ``areawise_test`` adds the areawise masks to the result.

        Returns
        -------
        SignificanceResult or dict

        Raises
        ------
        JobFailed
            When the job ends ``failed`` or ``cancelled``.
        """
        job = self.submit_significance(data1, data2, dt, **kwargs)
        if not wait:
            return job
        job = self.wait(job["job_id"], progress=progress, timeout=timeout)
        return self.result(job["job_id"])

    def events(self, job_id: str, interval: float = 0.25):
        """Yield the job's states from ``GET /api/v1/jobs/{id}/events`` until it ends."""
        url = f"/api/v1/jobs/{job_id}/events"
        with connect_sse(
            self._http, "GET", url, params={"interval": interval},
            timeout=httpx.Timeout(30, read=None),
        ) as source:  # fmt: skip
            r = source.response
            if r.status_code >= 400:
                r.read()
                raise _error(r)
            for event in source.iter_sse():
                if event.event == "message" and event.data:
                    state = event.json()
                    if state:
                        yield state

    def wait(self, job_id: str, progress: bool = True, timeout: float | None = None) -> dict:
        """Follow a job to a terminal state; returns it (raises `JobFailed` unless completed).

        The server-sent event stream feeds the progress bar; if the stream breaks the
        job is polled instead.
        """
        job = self.job(job_id)
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = tqdm(total=job["mc_count"], unit="pair", desc=f"job {job_id[:8]}",
                   disable=not progress, leave=True)  # fmt: skip

        def show(state: dict) -> None:
            bar.n = round(state["progress"] * state["mc_count"])
            bar.set_postfix_str(state["status"], refresh=False)
            bar.refresh()

        try:
            show(job)
            try:
                for job in self.events(job_id):
                    show(job)
                    if job["status"] in TERMINAL or (deadline and time.monotonic() > deadline):
                        break
            except httpx.HTTPError:  # stream cut: poll instead
                pass
            while job["status"] not in TERMINAL:
                if deadline and time.monotonic() > deadline:
                    raise TimeoutError(f"job {job_id} still {job['status']} after {timeout} s")
                time.sleep(0.5)
                job = self.job(job_id)
                show(job)
        finally:
            bar.close()
        if job["status"] != "completed":
            raise JobFailed(job)
        return job

    def job(self, job_id: str) -> dict:
        """State of one job (``GET /api/v1/jobs/{id}``)."""
        return self._request("GET", f"/api/v1/jobs/{job_id}").json()

    def jobs(self, status: str | None = None) -> list[dict]:
        """All jobs, newest first, or those in ``status``."""
        params = {"status": status} if status else None
        return self._request("GET", "/api/v1/jobs", params=params).json()["data"]

    def cancel(self, job_id: str) -> dict:
        """Ask a job to stop (``DELETE /api/v1/jobs/{id}``); returns its state."""
        return self._request("DELETE", f"/api/v1/jobs/{job_id}").json()

    def result(self, job_id: str) -> SignificanceResult:
        """Thresholds of a completed job (`Conflict` while it is not completed)."""
        r = self._request(
            "GET", f"/api/v1/jobs/{job_id}/result", headers={"Accept": NPZ_MEDIA_TYPE}
        )
        return SignificanceResult.from_arrays(from_npz(r.content))
