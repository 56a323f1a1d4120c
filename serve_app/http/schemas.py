"""Pydantic request and response models of the HTTP API.

Field constraints do the syntactic validation (HTTP 422); semantic checks (a missing
sample, NaN or ``null``, in the data; unequal lengths; too short a series) are left to
`serve_app.analysis` and pycwt_mod, whose ``ValueError`` messages (naming the request
fields) become HTTP 400 at the ingress.

Every request model carries one example (``examples`` in its JSON schema) that the
service answers with 2xx: it is what the /docs page's "Try it out" posts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WrapValidator,
    field_validator,
    model_validator,
)

from pycwt_mod import AREAWISE_TESTS, SURROGATES, WAVELETS
from pycwt_mod.areawise.patches import AREA_MEASURES
from pycwt_mod.montecarlo.backends import list_backends
from pycwt_mod.preprocess import DETREND_METHODS, GAP_POLICIES

from ..analysis import DTYPES, OUTPUTS, check_area_options, check_surrogate
from ..records import JobStatus

__all__ = [
    "AREA_FIELDS",
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


def _null_as_nan(value: list) -> np.ndarray:
    """A JSON series as floats, ``null`` as NaN: a missing sample, like a NaN."""
    return np.array([np.nan if v is None else v for v in value], dtype=float)


#: A series: JSON numbers, ``null`` (or NaN) for a missing sample; an npz array as is.
Series = Annotated[list[float | None], AfterValidator(_null_as_nan), _ndarray_as_is(1)]
Matrix = Annotated[list[list[float]], _ndarray_as_is(2)]
NullableFloats = list[float | None]


# ----------------------------------------------------------------------------- requests

#: Example series for the request schemas: 48 monthly samples of a noisy annual cycle,
#: and the same cycle a month later (each has an unbiased AR(1) estimate, so the XWT's
#: red-noise significance exists).
_X = [1.22, -1.03, 1.12, 0.66, 0.59, 0.37, -1.21, -0.64, -1.39, 0.99, -0.73, -0.71, -0.17,
      0.1, 0.23, 0.77, 1.16, 0.36, 0.57, -0.62, -0.85, -0.07, -0.54, -0.8, -0.11, 0.82, 2.03,
      0.84, 0.72, 1.1, -0.53, -0.68, -0.34, -0.65, -0.81, -0.1, -1.7, 1.11, 0.29, -0.0, 1.03,
      0.92, -0.27, -1.15, -0.85, -1.03, -0.02, -0.05]  # fmt: skip
_Y = [0.96, 1.67, 0.77, -0.02, 0.4, -0.11, -0.97, -1.47, -0.75, -2.04, 0.37, 0.75, -0.14,
      1.04, 0.31, 0.99, -1.17, -1.01, -0.42, -0.31, -2.18, -0.84, 0.15, 0.09, 1.8, 0.28, 1.1,
      -0.09, 0.89, -0.47, -1.06, -2.03, 0.12, -0.09, 0.4, 1.14, 1.05, 0.62, 0.41, 0.06, 0.87,
      -1.33, -1.2, -1.19, -0.75, -0.2, -0.8, -0.58]  # fmt: skip


def _example(**fields: Any) -> ConfigDict:
    """A model config whose JSON schema carries ``fields`` as its one example."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [fields]})


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
    surrogate: str = Field(
        "ar1",
        description=f"Null hypothesis of the test, one of {', '.join(SURROGATES)}: 'ar1' "
        "red noise with each series' lag-1 coefficient (al1/al2); 'phase' Fourier "
        "phase-randomised copies of the series (same power spectrum); 'iaaft' "
        "iterated amplitude-adjusted copies (same spectrum and value distribution).",
    )

    @field_validator("backend")
    @classmethod
    def _backend(cls, v: str | None) -> str | None:
        return _check_backend(v)

    @field_validator("surrogate")
    @classmethod
    def _surrogate(cls, v: str) -> str:
        return check_surrogate(v)


class _Preprocess(BaseModel):
    """Preprocessing of the series (`pycwt_mod.preprocess`), before the transform."""

    detrend: Literal[DETREND_METHODS] = Field(  # type: ignore[valid-type]
        "none",
        description="'linear' removes each series' least-squares line (fitted to its "
        "valid samples) first; 'none' leaves it as it is.",
    )


class _Gaps(BaseModel):
    gaps: Literal[GAP_POLICIES] = Field(  # type: ignore[valid-type]
        "raise",
        description="Missing samples (null or NaN): 'raise' answers 400 naming the "
        "first one; 'mask' fills them with the series mean for the transform and returns "
        "`gap_mask` ((n_scales, n) booleans, true within the wavelet's e-folding time of a "
        "gap: a cone of influence around each gap; Torrence & Compo 1998, sec. 3g).",
    )


class _RedNoise(BaseModel):
    """How the red-noise (AR(1)) model of a significance test is obtained."""

    al1: float | None = Field(
        None, gt=-1, lt=1, description="Lag-1 coefficient of data1; null: estimated."
    )
    al2: float | None = Field(
        None, gt=-1, lt=1, description="Lag-1 coefficient of data2; null: estimated."
    )


_NORMALIZE = (
    "Standardise the series first (pycwt_mod.preprocess.standardize: zero mean, unit "
    "variance of the valid samples)."
)


class _CWTBase(_Grid, _Preprocess, _Gaps):
    data: Series = Field(
        ..., description="The time series (null marks a missing sample).",
        examples=[[0.0, 1.0, 0.0, -1.0]],
    )  # fmt: skip
    normalize: bool = Field(True, description=_NORMALIZE)


class CWTRequest(_CWTBase):
    """Body of POST /api/v1/analysis/cwt."""

    model_config = _example(data=_X, dt=1.0, dj=0.25, output="power")

    output: Literal[OUTPUTS] = Field(  # type: ignore[valid-type]
        "wave",
        description="'wave': the complex transform (with the series' fft); 'power': "
        "only |wave|^2, half the numbers.",
    )
    dtype: Literal[DTYPES] = Field(  # type: ignore[valid-type]
        "float64",
        description="Precision of the arrays answered: 'float32' (complex64 wave) halves "
        "an npz answer and shortens JSON numbers, with about 7 significant digits.",
    )


class ComplexMatrix(BaseModel):
    """A complex 2-D array as separate real and imaginary parts."""

    real: Matrix
    imag: Matrix | None = None


class ICWTRequest(BaseModel):
    """Body of POST /api/v1/analysis/icwt: a CWT as returned by /analysis/cwt."""

    model_config = _example(
        wave={"real": [[1.0, 0.0, -1.0, 0.0], [0.5, 0.5, -0.5, -0.5]],
              "imag": [[0.0, 1.0, 0.0, -1.0], [0.5, -0.5, -0.5, 0.5]]},
        scales=[1.0, 2.0], dt=1.0, dj=1.0,
    )  # fmt: skip

    wave: ComplexMatrix = Field(..., description="Wavelet transform, (n_scales, n).")
    scales: Series = Field(..., description="Scales of the rows of `wave`.")
    dt: float = Field(..., gt=0)
    dj: float = Field(1 / 12, gt=0, le=4)
    wavelet: WaveletName = "morlet"


#: Fields of the areawise test (a significance job's, used with ``areawise``).
AREA_FIELDS = ("area_level", "area_measure", "areawise_test")

_DATA1 = "First series (null marks a missing sample)."
_DATA2 = "Second series, as long as data1."


class XWTRequest(_Grid, _Preprocess, _Gaps):
    """Body of POST /api/v1/analysis/xwt."""

    model_config = _example(data1=_X, data2=_Y, dt=1.0, dj=0.25)

    data1: Series = Field(..., description=_DATA1)
    data2: Series = Field(..., description=_DATA2)
    normalize: bool = Field(True, description=_NORMALIZE)
    significance_level: float = Field(0.95, gt=0, lt=1)


class _WCTBase(_Grid, _MonteCarlo, _RedNoise, _Preprocess, _Gaps):
    data1: Series = Field(..., description=_DATA1)
    data2: Series = Field(..., description=_DATA2)
    normalize: bool = Field(True, description=_NORMALIZE)
    significance_test: bool = Field(
        False,
        description="Compute Monte Carlo thresholds (within the synchronous work budget, "
        "PYCWT_SYNC_WORK_BUDGET; larger tests: POST /api/v1/analysis/significance).",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_areawise(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(f in data for f in ("areawise", *AREA_FIELDS)):
            raise ValueError(
                "the areawise test runs as a significance job: POST "
                '/api/v1/analysis/significance with "areawise": true, then GET '
                "/api/v1/jobs/{job_id}/result (masks) or POST /api/v1/plots/wct with job_id"
            )
        return data


class WCTRequest(_WCTBase):
    """Body of POST /api/v1/analysis/wct (synchronous; small Monte Carlo only)."""

    model_config = _example(
        data1=_X, data2=_Y, dt=1.0, dj=0.25, significance_test=True, mc_count=20, seed=1
    )


class SignificanceRequest(_Grid, _MonteCarlo, _RedNoise, _Preprocess):
    """Body of POST /api/v1/analysis/significance (an asynchronous job).

    With ``areawise`` the job also runs the areawise test of Maraun et al. (2007)
    (`pycwt_mod.areawise_coherence`) after the thresholds, with the same surrogate
    family, mc_count and seed: about twice the work.
    """

    model_config = _example(data1=_X, data2=_Y, dt=1.0, dj=0.25, mc_count=50, seed=1)

    data1: Series = Field(..., description=_DATA1 + " Gaps are refused (400).")
    data2: Series = Field(..., description=_DATA2)
    significance_test: Literal[True] = Field(
        True, description="Always true here (a job is a significance test)."
    )
    areawise: bool = Field(
        False,
        description="Also run the areawise test: the result gains pointwise_mask and "
        "areawise_mask ((n_scales, n) booleans) and critical_area.",
    )
    area_level: float = Field(
        0.95,
        gt=0,
        lt=1,
        description="Level of the areawise test, in (0, 1): a patch is areawise "
        "significant when it is larger than this quantile of the null patches.",
    )
    area_measure: str = Field(
        "maraun",
        description=f"How a patch is measured, one of {', '.join(AREA_MEASURES)}: "
        "'maraun' (Maraun et al. 2007) sums dt / s * dj over the patch (scale-"
        "normalised area); 'schulte' (Schulte et al. 2015) its area in the (time, "
        "scale) plane, sum of dt * s * ln2 * dj.",
    )
    areawise_test: str = Field(
        "areawise",
        description=f"Areawise test, one of {', '.join(AREAWISE_TESTS)}: 'areawise' "
        "is Maraun et al. (2007); 'cumulative' the cumulative areawise test of Schulte "
        "(2016), which also uses thresholds at the pointwise levels 0.82-0.98 (read from "
        "the same histogram; its areawise_mask need not lie within pointwise_mask).",
    )

    @field_validator("area_measure")
    @classmethod
    def _area_measure(cls, v: str) -> str:
        if v not in AREA_MEASURES:
            names = ", ".join(AREA_MEASURES)
            raise ValueError(f"unknown area_measure {v!r}; valid names are {names}")
        return v

    @field_validator("areawise_test")
    @classmethod
    def _areawise_test(cls, v: str) -> str:
        if v not in AREAWISE_TESTS:
            names = ", ".join(AREAWISE_TESTS)
            raise ValueError(f"unknown areawise_test {v!r}; valid names are {names}")
        return v

    @model_validator(mode="after")
    def _area_options(self) -> SignificanceRequest:
        given = [f for f in AREA_FIELDS if f in self.model_fields_set]
        if not self.areawise:
            if given:
                verb = "apply" if len(given) > 1 else "applies"
                raise ValueError(
                    f"{', '.join(given)} {verb} only to the areawise test; add "
                    '"areawise": true, or leave them out'
                )
            return self
        check_area_options(self.area_level, self.area_measure, self.areawise_test, self.mc_count)
        return self


class PlotOptions(BaseModel):
    """Labels and size of a plot; the time axis is ``t0 + dt * arange(n)``."""

    title: str | None = Field(None, max_length=200, description="Title; null: a default.")
    time_label: str = Field("Time", max_length=100, description="Label of the time axis.")
    period_label: str = Field("Period", max_length=100, description="Label of the period axis.")
    t0: float = Field(0.0, description="Time of the first sample.")
    width: float = Field(9.0, ge=2, le=30, description="Figure width, inches.")
    height: float = Field(4.5, ge=2, le=20, description="Figure height, inches.")
    dpi: int = Field(100, ge=30, le=300, description="Pixels per inch.")
    period_unit: str | None = Field(
        None, max_length=50, description="Unit of the periods ('year': 'Period (years)')."
    )


#: Fields of `PlotOptions` (split off the analysis fields by the plot routes).
PLOT_FIELDS = frozenset(PlotOptions.model_fields)


class CWTPlotRequest(_CWTBase, PlotOptions):
    """Body of POST /api/v1/plots/cwt: a CWT request plus plot options.

    With ``significance_test`` the red-noise (chi-square) significance of the power is
    drawn as a contour (`pycwt_mod.significance`, Torrence & Compo 1998, eq. 18).
    """

    model_config = _example(data=_X, dt=1.0, dj=0.25, significance_test=True, title="Example")

    significance_test: bool = Field(
        False, description="Draw the red-noise (chi-square) significance contour."
    )
    significance_level: float = Field(0.95, gt=0, lt=1, description="Confidence level.")
    ar1: float | None = Field(
        None,
        gt=-1,
        lt=1,
        description="Lag-1 coefficient of the red-noise background; null: estimated from "
        "the series (after detrend).",
    )


class WCTPlotRequest(_WCTBase, PlotOptions):
    """Body of POST /api/v1/plots/wct: a coherence request plus plot options.

    The significance contour comes from a completed significance job (``job_id``:
    its thresholds, no Monte Carlo here), or with ``significance_test`` from a test run
    now (within the synchronous work budget, as /analysis/wct).
    """

    model_config = _example(data1=_X, data2=_Y, dt=1.0, dj=0.25, title="Example")

    job_id: str | None = Field(
        None,
        max_length=100,
        description="A completed POST /api/v1/analysis/significance job on the same scale "
        "grid (dt, dj, s0, J, wavelet, length): its thresholds are drawn.",
    )

    @model_validator(mode="after")
    def _one_test(self) -> WCTPlotRequest:
        if self.job_id is not None and self.significance_test:
            raise ValueError(
                "give job_id (the thresholds of a completed job) or significance_test "
                "(a test run now), not both"
            )
        return self


# ---------------------------------------------------------------------------- responses


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
    ar1: list[float] | None = Field(
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
    areawise_test: str | None = None
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
