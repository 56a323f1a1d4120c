"""Pydantic response models of the HTTP API (``response_model=`` of every route).

Field names are the API plan's (``WCT``, ``aWCT``, ``sig95``, ``computation_time``,
``backend_used``); NaN values are answered as ``null``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..error_codes import ErrorCode
from ..records import JobStatus

__all__ = [
    "BackendInfo",
    "BackendList",
    "CWTResponse",
    "CheckResponse",
    "ComplexArray",
    "ErrorBody",
    "HealthResponse",
    "ICWTResponse",
    "JobPublic",
    "JobsPublic",
    "NotReadyResponse",
    "ReadinessResponse",
    "SignificanceResult",
    "SignificanceResultResponse",
    "WCTResponse",
    "XWTResponse",
]

NullableFloats = list[float | None]


class ErrorBody(BaseModel):
    """Every error answer (a 422's ``detail`` is pydantic's list of errors)."""

    detail: str | list = Field(..., description="What was wrong and how to fix it.")
    code: ErrorCode = Field(..., description="Machine-readable reason: branch on this.")
    request_id: str | None = Field(
        None, description="5xx only: the id of the request in the service log."
    )


class ComplexArray(BaseModel):
    """A complex array as separate real and imaginary parts (same shape)."""

    real: list
    imag: list


class _Timed(BaseModel):
    computation_time: float = Field(..., description="Seconds spent computing.")
    backend_used: str = Field(..., description="Backend that computed the result.")


_GAP_MASK = "With gaps='mask': true where a gap influences the result, (n_scales, n)."


class CWTResponse(_Timed):
    """Result of a CWT; NaN values are null."""

    wave: ComplexArray | None = Field(None, description="Transform, (n_scales, n) (output='wave').")
    power: list[NullableFloats] | None = Field(
        None, description="|wave|^2, (n_scales, n) (output='power')."
    )
    scales: NullableFloats
    freqs: NullableFloats
    coi: NullableFloats
    fft: ComplexArray | None = Field(None, description="FFT of the series (output='wave').")
    fftfreqs: NullableFloats | None = None
    gap_mask: list[list[bool]] | None = Field(None, description=_GAP_MASK)


class ICWTResponse(_Timed):
    signal: NullableFloats


class XWTResponse(_Timed):
    xwt: ComplexArray
    coi: NullableFloats
    freqs: NullableFloats
    signif: NullableFloats
    scales: NullableFloats
    gap_mask: list[list[bool]] | None = Field(None, description=_GAP_MASK)
    ar1: NullableFloats | None = Field(
        None, description="Lag-1 coefficients of the red-noise backgrounds of signif."
    )
    warnings: list[str] = Field([], description="How ar1 was obtained, when not unbiased.")


class WCTResponse(_Timed):
    WCT: list[NullableFloats] = Field(..., description="Coherence, (n_scales, n).")
    aWCT: list[NullableFloats] = Field(..., description="Phase angle (radians), (n_scales, n).")
    coi: NullableFloats
    freqs: NullableFloats
    scales: NullableFloats
    sig95: NullableFloats | None = Field(
        None, description="Coherence threshold per scale at significance_level (with a test)."
    )
    seed: int | None = None
    ar1: NullableFloats | None = Field(None, description="Lag-1 coefficients of the test.")
    warnings: list[str] = Field([], description="How ar1 was obtained, when not unbiased.")
    gap_mask: list[list[bool]] | None = Field(None, description=_GAP_MASK)
    surrogate: str | None = Field(None, description="Null family of the test (with a test).")
    pointwise_mask: list[list[bool]] | None = Field(
        None, description="Always null here (areawise masks come from significance jobs)."
    )
    areawise_mask: list[list[bool]] | None = Field(
        None, description="Always null here (areawise masks come from significance jobs)."
    )
    critical_area: float | None = Field(None, description="Always null here.")


class BackendInfo(BaseModel):
    name: str
    description: str = ""
    available: bool
    reason: str | None = None
    capabilities: list[str] = []


class BackendList(BaseModel):
    backends: list[BackendInfo]
    count: int
    default: str


class HealthResponse(BaseModel):
    status: str
    version: str
    backends_available: list[str]


class CheckResponse(BaseModel):
    """One readiness check."""

    ok: bool | None = Field(..., description="Passed; null: not checkable from this node.")
    detail: str


class ReadinessResponse(BaseModel):
    """GET /health/ready when ready."""

    status: Literal["ready"]
    checks: dict[str, CheckResponse] = Field(..., description="registry, database, backends.")


class NotReadyResponse(ErrorBody):
    """GET /health/ready when not ready (503, code ``not_ready``)."""

    status: Literal["not_ready"]
    checks: dict[str, CheckResponse]


class JobPublic(BaseModel):
    """State of a significance job."""

    job_id: str
    status: JobStatus
    progress: float = Field(..., ge=0, le=1)
    created_at: str
    started_at: str | None = None
    completed_at: str | None = None
    error: str | None = None
    backend: str
    mc_count: int
    cancel_requested: bool = False
    attempts: int = Field(1, description="Runs started (a dead runner's job runs once more).")
    resumptions: int = Field(0, description="Resumptions after restarts of the service.")
    runner_node: str | None = Field(None, description="Ray node id of the job's runner.")
    runner_pid: int | None = Field(None, description="Process id of the runner on that node.")
    chunk_nodes: dict[str, int] = Field(
        default_factory=dict,
        description="Ray node id -> surrogate pairs of the finished chunks computed there.",
    )


class JobsPublic(BaseModel):
    """``GET /api/v1/jobs``: the jobs (newest first) and how many (the API plan's
    ``list_jobs``: ``{"jobs": [...]}``, each with ``job_id``, ``status``, ``progress``,
    ``created_at`` and the rest of its state)."""

    jobs: list[JobPublic]
    count: int


class SignificanceResult(BaseModel):
    """Thresholds of a significance job (``result`` of GET /api/v1/jobs/{id}/result)."""

    sig95: NullableFloats = Field(
        ..., description="Coherence threshold per scale at significance_level."
    )
    scales: NullableFloats
    freqs: NullableFloats
    period: NullableFloats
    seed: int
    mc_count: int
    significance_level: float
    backend_used: str = Field(..., description="Backend that computed the result.")
    ar1: NullableFloats | None = Field(
        None, description="Lag-1 coefficients of data1 and data2 used (null: phase/iaaft)."
    )
    warnings: list[str] = Field([], description="How ar1 was obtained, when not unbiased.")
    surrogate: str = Field("ar1", description="Null family of the thresholds.")
    pointwise_mask: list[list[bool]] | None = Field(
        None,
        description="Areawise jobs: coherence above sig95, (n_scales, n), aligned with "
        "the coherence of the job's series on its grid.",
    )
    areawise_mask: list[list[bool]] | None = Field(
        None,
        description="Areawise jobs: the pointwise patches larger than critical_area, "
        "(n_scales, n).",
    )
    critical_area: float | None = Field(
        None, description="Areawise jobs: patch size (in area_measure) at area_level."
    )
    area_level: float | None = None
    area_measure: str | None = None
    area_test: str | None = Field(None, description="Areawise jobs: the areawise test.")
    areawise_test: str | None = Field(
        None, description="Deprecated name of area_test (the same value, for one release)."
    )
    cumulative_levels: NullableFloats | None = Field(
        None, description="Cumulative test: pointwise levels of its geometric pathways."
    )
    cumulative_critical_areas: NullableFloats | None = Field(
        None, description="Cumulative test: critical area at each of cumulative_levels."
    )


class SignificanceResultResponse(BaseModel):
    """A completed job's result (JSON); an npz answer holds the same fields flat."""

    job_id: str
    status: JobStatus
    result: SignificanceResult
    computation_time: float = Field(..., description="Seconds spent computing.")
