"""HTTP ingress: FastAPI routes that parse, validate, dispatch and encode.

The computations run in `serve_app.deployments` (reached through handles) and the
jobs in `serve_app.jobs`; this module only maps requests to calls and results or
errors to HTTP. The same class exposes handle methods (``cwt``, ``wct``,
``submit_significance``, ...) for Python callers of ``serve.get_app_handle``.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import ray
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from ray import serve
from ray.serve.exceptions import BackPressureError
from ray.serve.handle import DeploymentHandle

import pycwt_mod
from pycwt_mod.backends import BackendUnavailableError, describe_backends

from .analysis import (
    CWTResult,
    ICWTResult,
    LimitExceededError,
    SignificanceResult,
    WCTResult,
    XWTResult,
)
from .encoding import NPZ_MEDIA_TYPE, dumps, from_npz, to_npz
from .jobs import get_registry
from .limits import BodyLimit, configure_body_limit
from .npz_body import NpzRoute
from .plots import PLOT_FIELDS, CWTPlotRequest, WCTPlotRequest
from .schemas import (
    BackendInfo,
    BackendList,
    CWTRequest,
    CWTResponse,
    HealthResponse,
    ICWTRequest,
    ICWTResponse,
    JobPublic,
    JobsPublic,
    JobStatus,
    SignificanceRequest,
    SignificanceResultResponse,
    WCTRequest,
    WCTResponse,
    XWTRequest,
    XWTResponse,
)
from .security import ConfiguredCORS, configure, owner_of, require_key

__all__ = ["APIIngress", "fastapi_app"]

log = logging.getLogger(__name__)

fastapi_app = FastAPI(
    title="pycwt-mod",
    version=pycwt_mod.__version__,
    description=(
        "Continuous wavelet transform, cross wavelet transform, wavelet coherence and "
        "Monte Carlo coherence significance (as asynchronous jobs). Arrays are JSON "
        "lists (NaN as null; complex arrays as separate `real` and `imag`), or an .npz "
        "file with `Accept: application/x-npz`. Request bodies may also be an .npz file "
        "(`Content-Type: application/x-npz`) holding the JSON body's fields: arrays as "
        "members, scalars as 0-d arrays, a complex array for a `{real, imag}` field."
    ),
)
# every route also takes application/x-npz bodies (serve_app.npz_body)
fastapi_app.router.route_class = NpzRoute

# Outermost last: CORS answers pre-flights, then the body size limit (serve_app.limits).
fastapi_app.add_middleware(BodyLimit)
fastapi_app.add_middleware(ConfiguredCORS)

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Semantic problem with the data (the message says which)."},
    401: {"description": "Missing or invalid API key (when keys are configured)."},
    413: {"description": "Request over the size limits."},
    422: {"description": "Malformed or out-of-range field."},
    503: {"description": "Overloaded (retry later) or backend unavailable."},
}

# API keys: serve_app.security (configured by each replica's constructor).
Auth = Depends(require_key)


def _cause(exc: BaseException) -> BaseException:
    """The user exception inside a Ray error (RayTaskError keeps it as ``cause``)."""
    return getattr(exc, "cause", None) or exc


def _http_error(exc: BaseException) -> HTTPException:
    """Map a library or service exception to an HTTP error with its message."""
    cause = _cause(exc)
    msg = str(cause)
    if isinstance(cause, BackendUnavailableError):
        return HTTPException(503, f"backend unavailable: {msg}")
    if isinstance(exc, BackPressureError) or isinstance(cause, BackPressureError):
        return HTTPException(
            503,
            "service overloaded: too many requests are queued; retry in a few seconds",
            headers={"Retry-After": "2"},
        )
    if isinstance(cause, LimitExceededError):
        return HTTPException(413, msg)
    if isinstance(cause, ValueError):
        return HTTPException(400, msg)
    log.error("unexpected error: %r", exc)
    return HTTPException(500, f"internal error: {type(cause).__name__}: {msg}")


def _encode(payload: dict[str, Any], request: Request, status_code: int = 200) -> Response:
    if NPZ_MEDIA_TYPE in request.headers.get("accept", ""):
        return Response(to_npz(payload), status_code, media_type=NPZ_MEDIA_TYPE)
    return Response(dumps(payload), status_code, media_type="application/json")


def _describe(name: str | None = None) -> list[dict]:
    return [d for d in describe_backends() if name is None or d["name"] == name]


@serve.deployment(
    max_ongoing_requests=200, max_queued_requests=400, ray_actor_options={"num_cpus": 0}
)
@serve.ingress(fastapi_app)
class APIIngress:
    """HTTP routes plus handle methods over the CWT/WCT deployments and job registry.

    Parameters
    ----------
    cwt, wct : DeploymentHandle
        Handles of `CWTDeployment` and `WCTDeployment`.
    config : dict
        ``registry_name``, ``namespace``, ``db_path``, ``job_timeout_s``,
        ``default_backend``, ``api_key_hashes``, ``cors_origins`` and ``max_body_bytes``.
    """

    def __init__(self, cwt: DeploymentHandle, wct: DeploymentHandle, config: dict):
        self._cwt = cwt
        self._wct = wct
        self._config = dict(config)
        configure(config.get("api_key_hashes"), config.get("cors_origins"))
        configure_body_limit(config.get("max_body_bytes"))
        self._registry = self._connect_registry()

    def _connect_registry(self):
        c = self._config
        return get_registry(c["registry_name"], c["namespace"], c["db_path"], c["job_timeout_s"])

    async def _registry_call(self, method: str, *args, **kwargs):
        """Call the registry; when it died for good, create it again and retry once."""
        try:
            return await getattr(self._registry, method).remote(*args, **kwargs)
        except ray.exceptions.ActorDiedError:
            log.warning("job registry died; creating it again from %s", self._config["db_path"])
            self._registry = self._connect_registry()
            return await getattr(self._registry, method).remote(*args, **kwargs)

    # -- handle methods (numpy in, numpy out) ----------------------------------------

    async def cwt(self, data, dt: float, **kwargs) -> CWTResult:
        """CWT of ``data`` (see `serve_app.analysis.compute_cwt`)."""
        return await self._cwt.cwt.remote(data, dt, **kwargs)

    async def icwt(self, wave, scales, dt: float, **kwargs) -> ICWTResult:
        """Inverse CWT (see `serve_app.analysis.compute_icwt`)."""
        return await self._cwt.icwt.remote(wave, scales, dt, **kwargs)

    async def xwt(self, data1, data2, dt: float, **kwargs) -> XWTResult:
        """Cross wavelet transform (see `serve_app.analysis.compute_xwt`)."""
        return await self._wct.xwt.remote(data1, data2, dt, **kwargs)

    async def wct(self, data1, data2, dt: float, **kwargs) -> WCTResult:
        """Wavelet coherence (see `serve_app.analysis.compute_wct`)."""
        return await self._wct.wct.remote(data1, data2, dt, **kwargs)

    # ``owner`` (an API key fingerprint) limits the job methods to that key's jobs;
    # None (handle callers, or HTTP without keys) sees every job.

    async def submit_significance(
        self, data1, data2, dt: float, *, owner: str | None = None, **kwargs
    ) -> dict:
        """Submit a Monte Carlo significance job; returns the job (``job_id``, ``status``)."""
        params = await self._wct.prepare_significance.remote(data1, data2, dt, **kwargs)
        return await self._registry_call("submit", params, owner)

    async def job(self, job_id: str, owner: str | None = None) -> dict | None:
        """The job's state, or None when unknown."""
        return await self._registry_call("get", job_id, owner)

    async def jobs(self, status: str | None = None, owner: str | None = None) -> list[dict]:
        """All jobs, newest first (or those in ``status``)."""
        return await self._registry_call("list", status, owner)

    async def cancel_job(self, job_id: str, owner: str | None = None) -> dict | None:
        """Ask a job to stop; returns its state (None when unknown)."""
        return await self._registry_call("cancel", job_id, owner)

    async def job_result(self, job_id: str, owner: str | None = None) -> SignificanceResult | None:
        """The result of a completed job, or None."""
        blob = await self._registry_call("result", job_id, owner)
        if blob is None:
            return None
        a = from_npz(blob)
        return SignificanceResult(
            sig=a["sig"],
            scales=a["scales"],
            freqs=a["freqs"],
            period=a["period"],
            seed=int(a["seed"]),
            mc_count=int(a["mc_count"]),
            significance_level=float(a["significance_level"]),
            computation_time=float(a["computation_time"]),
            backend_used=str(a["backend_used"]),
        )

    # -- HTTP: service ------------------------------------------------------------------

    @fastapi_app.get("/health", response_model=HealthResponse, tags=["service"])
    async def http_health(self) -> HealthResponse:
        """Liveness, library version and the Monte Carlo backends available here."""
        names = [d["name"] for d in _describe() if d.get("available")]
        return HealthResponse(status="ok", version=pycwt_mod.__version__, backends_available=names)

    @fastapi_app.get(
        "/api/v1/backends", response_model=BackendList, tags=["backends"], dependencies=[Auth]
    )
    async def http_backends(self) -> BackendList:
        """Every registered Monte Carlo backend, available or not (with the reason)."""
        infos = [BackendInfo(**d) for d in _describe()]
        return BackendList(
            backends=infos, count=len(infos), default=self._config["default_backend"]
        )

    @fastapi_app.get(
        "/api/v1/backends/{name}",
        response_model=BackendInfo,
        tags=["backends"],
        dependencies=[Auth],
        responses={404: {"description": "Unknown backend."}},
    )
    async def http_backend(self, name: str) -> BackendInfo:
        """One backend's description; 404 for an unknown name."""
        found = _describe(name)
        if not found:
            known = ", ".join(d["name"] for d in _describe())
            raise HTTPException(404, f"backend {name!r} not found; known backends: {known}")
        return BackendInfo(**found[0])

    # -- HTTP: analysis -----------------------------------------------------------------

    async def _run(self, call, request: Request, status_code: int = 200, **extra) -> Response:
        try:
            result = await call
        except HTTPException:
            raise
        except Exception as exc:
            raise _http_error(exc) from None
        payload = result.arrays() if hasattr(result, "arrays") else dict(result)
        payload.update(extra)
        return _encode(payload, request, status_code)

    @fastapi_app.post(
        "/api/v1/analysis/cwt",
        response_model=CWTResponse,
        tags=["analysis"],
        dependencies=[Auth],
        responses=_ERRORS,
    )
    async def http_cwt(self, body: CWTRequest, request: Request) -> Response:
        """Continuous wavelet transform of one series."""
        kw = body.model_dump(exclude={"data", "dt"})
        return await self._run(self._cwt.cwt.remote(body.data, body.dt, **kw), request)

    @fastapi_app.post(
        "/api/v1/analysis/icwt",
        response_model=ICWTResponse,
        tags=["analysis"],
        dependencies=[Auth],
        responses=_ERRORS,
    )
    async def http_icwt(self, body: ICWTRequest, request: Request) -> Response:
        """Inverse CWT of a transform as returned by /analysis/cwt."""
        import numpy as np

        try:
            real = np.asarray(body.wave.real, dtype=float)
            wave = real if body.wave.imag is None else real + 1j * np.asarray(body.wave.imag)
        except ValueError as exc:  # ragged rows, or real/imag of different shapes
            raise HTTPException(
                400, f"`wave.real` and `wave.imag` must be equal-shape 2-D arrays ({exc})"
            ) from None
        call = self._cwt.icwt.remote(wave, body.scales, body.dt, dj=body.dj, wavelet=body.wavelet)
        return await self._run(call, request)

    @fastapi_app.post(
        "/api/v1/analysis/xwt",
        response_model=XWTResponse,
        tags=["analysis"],
        dependencies=[Auth],
        responses=_ERRORS,
    )
    async def http_xwt(self, body: XWTRequest, request: Request) -> Response:
        """Cross wavelet transform of two equal-length series."""
        kw = body.model_dump(exclude={"data1", "data2", "dt"})
        return await self._run(self._wct.xwt.remote(body.data1, body.data2, body.dt, **kw), request)

    @fastapi_app.post(
        "/api/v1/analysis/wct",
        response_model=WCTResponse,
        tags=["analysis"],
        dependencies=[Auth],
        responses={**_ERRORS, 503: {"description": "Backend unavailable."}},
    )
    async def http_wct(self, body: WCTRequest, request: Request) -> Response:
        """Wavelet coherence; Monte Carlo thresholds only within the synchronous budget.

        Larger significance tests get a 400 that points to /api/v1/analysis/significance.
        """
        kw = body.model_dump(exclude={"data1", "data2", "dt"})
        return await self._run(self._wct.wct.remote(body.data1, body.data2, body.dt, **kw), request)

    @fastapi_app.post(
        "/api/v1/analysis/significance",
        response_model=JobPublic,
        status_code=202,
        tags=["jobs"],
        dependencies=[Auth],
        responses={**_ERRORS, 503: {"description": "Backend unavailable."}},
    )
    async def http_significance(self, body: SignificanceRequest, request: Request) -> Response:
        """Submit a Monte Carlo coherence-significance job; poll /api/v1/jobs/{job_id}."""
        kw = body.model_dump(exclude={"data1", "data2", "dt"})
        try:
            job = await self.submit_significance(
                body.data1, body.data2, body.dt, owner=owner_of(request), **kw
            )
        except Exception as exc:
            raise _http_error(exc) from None
        resp = Response(dumps(job), 202, media_type="application/json")
        resp.headers["Location"] = f"/api/v1/jobs/{job['job_id']}"
        return resp

    # -- HTTP: plots (rendered in the compute deployments; serve_app.plots) ------------

    async def _png(self, call) -> Response:
        try:
            png = await call
        except Exception as exc:
            raise _http_error(exc) from None
        return Response(png, media_type="image/png")

    @fastapi_app.post(
        "/api/v1/plots/cwt",
        response_class=Response,
        tags=["plots"],
        dependencies=[Auth],
        responses={200: {"content": {"image/png": {}}, "description": "PNG."}, **_ERRORS},
    )
    async def http_plot_cwt(self, body: CWTPlotRequest) -> Response:
        """PNG of the wavelet power (scalogram) of one series, with its cone of influence."""
        plot = body.model_dump(include=PLOT_FIELDS)
        kw = body.model_dump(exclude={"data", "dt", *PLOT_FIELDS})
        return await self._png(self._cwt.cwt_png.remote(body.data, body.dt, plot, **kw))

    @fastapi_app.post(
        "/api/v1/plots/wct",
        response_class=Response,
        tags=["plots"],
        dependencies=[Auth],
        responses={200: {"content": {"image/png": {}}, "description": "PNG."}, **_ERRORS},
    )
    async def http_plot_wct(self, body: WCTPlotRequest) -> Response:
        """PNG of the wavelet coherence of two series, phase arrows and significance contour."""
        plot = body.model_dump(include=PLOT_FIELDS)
        kw = body.model_dump(exclude={"data1", "data2", "dt", *PLOT_FIELDS})
        call = self._wct.wct_png.remote(body.data1, body.data2, body.dt, plot, **kw)
        return await self._png(call)

    # -- HTTP: jobs -------------------------------------------------------------------------

    @fastapi_app.get("/api/v1/jobs", response_model=JobsPublic, tags=["jobs"], dependencies=[Auth])
    async def http_jobs(
        self, request: Request, status: Annotated[str | None, Query()] = None
    ) -> JobsPublic:
        """All jobs, newest first; ``?status=`` keeps one state."""
        valid = [s.value for s in JobStatus]
        if status is not None and status not in valid:
            raise HTTPException(400, f"unknown status {status!r}; valid: {', '.join(valid)}")
        jobs = await self.jobs(status, owner_of(request))
        return JobsPublic(data=[JobPublic(**j) for j in jobs], count=len(jobs))

    async def _job_or_404(self, job_id: str, request: Request) -> dict:
        job = await self.job(job_id, owner_of(request))
        if job is None:
            raise HTTPException(404, f"job {job_id!r} not found")
        return job

    @fastapi_app.get(
        "/api/v1/jobs/{job_id}", response_model=JobPublic, tags=["jobs"], dependencies=[Auth]
    )
    async def http_job(self, job_id: str, request: Request) -> JobPublic:
        """State of one job: status, progress (0..1), timestamps, error, backend."""
        return JobPublic(**await self._job_or_404(job_id, request))

    @fastapi_app.get(
        "/api/v1/jobs/{job_id}/result",
        response_model=SignificanceResultResponse,
        tags=["jobs"],
        dependencies=[Auth],
        responses={404: {"description": "Unknown job."}, 409: {"description": "Not done."}},
    )
    async def http_job_result(self, job_id: str, request: Request) -> Response:
        """Thresholds per scale of a completed job; 409 while it is not completed."""
        job = await self._job_or_404(job_id, request)
        if job["status"] != "completed":
            extra = f": {job['error']}" if job.get("error") else ""
            raise HTTPException(
                409, f"job {job_id} is {job['status']}, not completed; no result{extra}"
            )
        result = await self.job_result(job_id, owner_of(request))
        if result is None:
            raise HTTPException(500, f"job {job_id} is completed but its result is missing")
        return _encode({"job_id": job_id, **result.arrays()}, request)

    @fastapi_app.get(
        "/api/v1/jobs/{job_id}/events",
        tags=["jobs"],
        dependencies=[Auth],
        responses={
            200: {"content": {"text/event-stream": {}}, "description": "Job state events."},
            404: {"description": "Unknown job."},
        },
    )
    async def http_job_events(
        self,
        job_id: str,
        request: Request,
        interval: Annotated[float, Query(ge=0.05, le=10)] = 0.5,
    ) -> StreamingResponse:
        """Server-sent events: the job's state whenever it changes, until it ends.

        Each event is ``data: <job JSON>``; the stream closes after a terminal state or
        at the job deadline (``PYCWT_JOB_TIMEOUT_S``).
        """
        first = await self._job_or_404(job_id, request)
        owner = owner_of(request)
        deadline = time.monotonic() + self._config["job_timeout_s"] + 60

        async def events() -> AsyncIterator[bytes]:
            job, last = first, None
            while True:
                if job != last:
                    yield b"data: " + dumps(job) + b"\n\n"
                    last = job
                if job is None or job["status"] in ("completed", "failed", "cancelled"):
                    return
                if time.monotonic() > deadline:
                    yield b"event: timeout\ndata: {}\n\n"
                    return
                await asyncio.sleep(interval)
                job = await self.job(job_id, owner)

        return StreamingResponse(events(), media_type="text/event-stream")

    @fastapi_app.delete(
        "/api/v1/jobs/{job_id}",
        response_model=JobPublic,
        tags=["jobs"],
        dependencies=[Auth],
        responses={404: {"description": "Unknown job."}, 409: {"description": "Finished."}},
    )
    async def http_cancel(self, job_id: str, request: Request) -> JobPublic:
        """Cancel a queued or running job (it ends ``cancelled``); 409 if it finished."""
        job = await self._job_or_404(job_id, request)
        if job["status"] in ("completed", "failed"):
            raise HTTPException(409, f"job {job_id} already {job['status']}; nothing to cancel")
        return JobPublic(**await self.cancel_job(job_id, owner_of(request)))
