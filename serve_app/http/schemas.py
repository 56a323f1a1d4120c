"""Pydantic request and response models of the HTTP API.

Field constraints do the syntactic validation (HTTP 422); semantic checks (NaN in the
data, unequal lengths, too short a series) are left to pycwt_mod, whose ``ValueError``
messages become HTTP 400 at the ingress.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, WrapValidator, field_validator

from pycwt_mod import WAVELETS
from pycwt_mod.backends import list_backends
from pycwt_mod.preprocess import DETREND_METHODS

from ..records import JobStatus

__all__ = [
    "PLOT_FIELDS",
    "WAVELET_NAMES",
    "BackendInfo",
    "BackendList",
    "CWTPlotRequest",
    "CWTRequest",
    "CWTResponse",
    "ComplexArray",
    "ComplexMatrix",
    "HealthResponse",
    "ICWTRequest",
    "ICWTResponse",
    "JobPublic",
    "JobsPublic",
    "PlotOptions",
    "SignificanceRequest",
    "SignificanceResultResponse",
    "WCTPlotRequest",
    "WCTRequest",
    "WCTResponse",
    "XWTRequest",
    "XWTResponse",
]

#: Wavelet names the API accepts (those of pycwt_mod.WAVELETS); anything else is a 422.
WAVELET_NAMES: tuple[str, ...] = tuple(WAVELETS)
WaveletName = Literal[WAVELET_NAMES]  # type: ignore[valid-type]


def _ndarray_as_is(ndim: int):
    """Let numeric ndarrays of ``ndim`` dimensions (from an .npz body) skip list validation.

    JSON bodies never hold arrays, so they are validated (and documented) as lists.
    """

    def validate(value: Any, handler):
        if isinstance(value, np.ndarray) and value.ndim == ndim and value.dtype.kind in "iuf":
            return value.astype(float, copy=False)
        return handler(value)

    return WrapValidator(validate)


Series = Annotated[list[float], _ndarray_as_is(1)]
Matrix = Annotated[list[list[float]], _ndarray_as_is(2)]
NullableFloats = list[float | None]


# ----------------------------------------------------------------------------- requests


class _Grid(BaseModel):
    """Sampling and scale grid shared by every analysis request."""

    model_config = ConfigDict(extra="forbid")

    dt: float = Field(..., gt=0, description="Sample spacing (time units).", examples=[1.0])
    dj: float = Field(1 / 12, gt=0, le=4, description="Scale spacing in octaves.")
    s0: float | None = Field(
        None, description="Smallest scale; null or -1 gives the library default 2 dt / flambda."
    )
    J: int | None = Field(
        None, description="Number of scales less one; null or -1 gives the library default."
    )
    wavelet: WaveletName = Field("morlet", description="Mother wavelet.")

    @field_validator("s0")
    @classmethod
    def _s0(cls, v: float | None) -> float | None:
        if v is None or v == -1:
            return None
        if not v > 0:
            raise ValueError("s0 must be > 0, or -1/null for the default")
        return v

    @field_validator("J")
    @classmethod
    def _J(cls, v: int | None) -> int | None:
        if v is None or v == -1:
            return None
        if v < 0:
            raise ValueError("J must be >= 0, or -1/null for the default")
        return v


def _check_backend(v: str | None) -> str | None:
    if v is None:
        return None
    names = ["auto", *list_backends()]
    if v not in names:
        raise ValueError(f"unknown backend {v!r}; valid names are {', '.join(names)}")
    return v


class _MonteCarlo(BaseModel):
    significance_level: float = Field(0.95, gt=0, lt=1, description="Confidence level.")
    mc_count: int = Field(300, ge=1, description="Surrogate pairs of the Monte Carlo test.")
    backend: str | None = Field(
        None, description="Monte Carlo backend (GET /api/v1/backends); null: service default."
    )
    seed: int | None = Field(
        None, ge=0, description="Random seed; null draws one (returned with the result)."
    )

    @field_validator("backend")
    @classmethod
    def _backend(cls, v: str | None) -> str | None:
        return _check_backend(v)


class _RedNoise(BaseModel):
    """How the red-noise (AR(1)) model of a significance test is obtained."""

    al1: float | None = Field(
        None, gt=-1, lt=1, description="Lag-1 coefficient of data1; null: estimated."
    )
    al2: float | None = Field(
        None, gt=-1, lt=1, description="Lag-1 coefficient of data2; null: estimated."
    )
    detrend: Literal[DETREND_METHODS] = Field(  # type: ignore[valid-type]
        "none",
        description="'linear' removes each series' least-squares line first (series "
        "with a trend); 'none' leaves them as they are.",
    )


class CWTRequest(_Grid):
    """Body of POST /api/v1/analysis/cwt."""

    data: Series = Field(..., description="The time series.", examples=[[0.0, 1.0, 0.0, -1.0]])
    normalize: bool = Field(True, description="Standardise the series first.")


class ComplexMatrix(BaseModel):
    """A complex 2-D array as separate real and imaginary parts."""

    real: Matrix
    imag: Matrix | None = None


class ICWTRequest(BaseModel):
    """Body of POST /api/v1/analysis/icwt: a CWT as returned by /analysis/cwt."""

    model_config = ConfigDict(extra="forbid")

    wave: ComplexMatrix = Field(..., description="Wavelet transform, (n_scales, n).")
    scales: Series = Field(..., description="Scales of the rows of `wave`.")
    dt: float = Field(..., gt=0)
    dj: float = Field(1 / 12, gt=0, le=4)
    wavelet: WaveletName = "morlet"


class XWTRequest(_Grid):
    """Body of POST /api/v1/analysis/xwt."""

    data1: Series
    data2: Series
    normalize: bool = True
    significance_level: float = Field(0.95, gt=0, lt=1)


class WCTRequest(_Grid, _MonteCarlo, _RedNoise):
    """Body of POST /api/v1/analysis/wct (synchronous; small Monte Carlo only)."""

    data1: Series
    data2: Series
    normalize: bool = True
    significance_test: bool = Field(
        False, description="Compute Monte Carlo thresholds (within the sync work budget)."
    )


class SignificanceRequest(_Grid, _MonteCarlo, _RedNoise):
    """Body of POST /api/v1/analysis/significance (an asynchronous job)."""

    data1: Series
    data2: Series
    significance_test: Literal[True] = Field(
        True, description="Always true here (a job is a significance test)."
    )


class PlotOptions(BaseModel):
    """Labels and size of a plot; the time axis is ``t0 + dt * arange(n)``."""

    title: str | None = Field(None, max_length=200, description="Title; null: a default.")
    time_label: str = Field("Time", max_length=100, description="Label of the time axis.")
    period_label: str = Field("Period", max_length=100, description="Label of the period axis.")
    t0: float = Field(0.0, description="Time of the first sample.")
    width: float = Field(9.0, ge=2, le=30, description="Figure width, inches.")
    height: float = Field(4.5, ge=2, le=20, description="Figure height, inches.")
    dpi: int = Field(100, ge=30, le=300, description="Pixels per inch.")


#: Fields of `PlotOptions` (split off the analysis fields by the plot routes).
PLOT_FIELDS = frozenset(PlotOptions.model_fields)


class CWTPlotRequest(CWTRequest, PlotOptions):
    """Body of POST /api/v1/plots/cwt: a CWT request plus plot options."""


class WCTPlotRequest(WCTRequest, PlotOptions):
    """Body of POST /api/v1/plots/wct: a coherence request plus plot options.

    With ``significance_test`` the thresholds are drawn as a contour (within the
    synchronous work budget, as /analysis/wct).
    """


# ---------------------------------------------------------------------------- responses


class ComplexArray(BaseModel):
    """A complex array as separate real and imaginary parts (same shape)."""

    real: list
    imag: list


class _Timed(BaseModel):
    computation_time: float = Field(..., description="Seconds spent computing.")
    backend_used: str = Field(..., description="Backend that computed the result.")


class CWTResponse(_Timed):
    """Result of a CWT; NaN values are null."""

    wave: ComplexArray
    scales: NullableFloats
    freqs: NullableFloats
    coi: NullableFloats
    fft: ComplexArray
    fftfreqs: NullableFloats


class ICWTResponse(_Timed):
    signal: NullableFloats


class XWTResponse(_Timed):
    xwt: ComplexArray
    coi: NullableFloats
    freqs: NullableFloats
    signif: NullableFloats
    scales: NullableFloats


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
    ar1: list[float] | None = Field(None, description="Lag-1 coefficients of the test.")
    warnings: list[str] = Field([], description="How ar1 was obtained, when not unbiased.")


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
    runner_node: str | None = Field(None, description="Ray node id of the job's runner.")
    chunk_nodes: dict[str, int] = Field(
        default_factory=dict,
        description="Ray node id -> surrogate pairs of the finished chunks computed there.",
    )


class JobsPublic(BaseModel):
    data: list[JobPublic]
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
    ar1: list[float] = Field(..., description="Lag-1 coefficients of data1 and data2 used.")
    warnings: list[str] = Field([], description="How ar1 was obtained, when not unbiased.")


class SignificanceResultResponse(BaseModel):
    """A completed job's result (JSON); an npz answer holds the same fields flat."""

    job_id: str
    status: JobStatus
    result: SignificanceResult
    computation_time: float = Field(..., description="Seconds spent computing.")
