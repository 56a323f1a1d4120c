"""Pydantic request models of the HTTP API (the responses: `serve_app.http.responses`).

The option fields of every request (grid, preprocessing, Monte Carlo, areawise) are
generated from the library's option types (`serve_app.http.fields.option_model`), flat
in the JSON body as the API contract names them, and each request model gives its
option objects (``.grid()``, ``.preprocessing()``, ``.monte_carlo()``,
``.areawise_options()``: the contract's ``areawise`` is the test's on/off flag). A
value an option type refuses is a 422 naming the field; semantic checks (a missing
sample, NaN or ``null``, in the data; unequal lengths; too short a series) are the
pipeline's, whose ``ValueError`` messages (naming the request fields) become HTTP 400
at the ingress.

Every request model carries one example (``examples`` in its JSON schema) that the
service answers with 2xx: it is what the /docs page's "Try it out" posts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WrapValidator, model_validator

from pycwt_mod.montecarlo.backends import list_backends
from pycwt_mod.options import (
    Areawise,
    MonteCarlo,
    Preprocessing,
    ScaleGrid,
    Spectrum,
    option_fields,
)
from pycwt_mod.plot import FIGURE_FORMATS

from ..analysis import DTYPES, OUTPUTS
from .fields import build_options, choice, merge_aliases, option_model, unknown_choice

__all__ = [
    "AREA_FIELDS",
    "DEPRECATED_ALIASES",
    "PLOT_FIELDS",
    "CWTPlotRequest",
    "CWTRequest",
    "ComplexMatrix",
    "ICWTRequest",
    "PlotOptions",
    "SignificanceRequest",
    "WCTPlotRequest",
    "WCTRequest",
    "XWTRequest",
]


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


#: Where the API contract differs from an option's declaration: a request has no time
#: axis, so ``dt`` is required; ``s0``/``J`` also take ``null`` for the default.
_GRID_CONTRACT: dict[str, dict[str, Any]] = {
    "dt": {"annotation": float, "default": ..., "doc": "Sample spacing (time units).",
           "examples": [1.0]},
    "s0": {"annotation": float | None,
           "doc": "Smallest scale; null or -1 gives the library default 2 dt / flambda."},
    "J": {"annotation": int | None,
          "doc": "Number of scales less one; null or -1 gives the library default."},
}  # fmt: skip


class _Grid(option_model(ScaleGrid, "_GridFields", overrides=_GRID_CONTRACT)):
    """Sample spacing and scale grid: the fields of `pycwt_mod.options.ScaleGrid`."""

    def grid(self) -> ScaleGrid:
        """The request's scale grid."""
        return build_options(self, ScaleGrid)

    @model_validator(mode="after")
    def _grid_builds(self) -> Any:
        self.grid()
        return self


def _preprocess_model(name: str, exclude: tuple[str, ...] = ()) -> type[BaseModel]:
    """The fields of `pycwt_mod.options.Preprocessing` (less ``exclude``) as a request part."""

    class Preprocess(option_model(Preprocessing, name + "Fields", exclude=exclude)):
        """What is done to the series first: the fields of `Preprocessing`."""

        def preprocessing(self) -> Preprocessing:
            """The request's preprocessing."""
            return build_options(self, Preprocessing)

        @model_validator(mode="after")
        def _preprocessing_builds(self) -> Any:
            self.preprocessing()
            return self

    Preprocess.__name__ = Preprocess.__qualname__ = name
    return Preprocess


_Preprocess = _preprocess_model("_Preprocess")


def _check_backend(v: str | None) -> str | None:
    """A registered backend name, or ``auto`` (backends may register after import)."""
    names = ["auto", *list_backends()]
    if v is not None and v not in names:
        raise ValueError(unknown_choice("backend", v, names))
    return v


#: Monte Carlo fields a request does not choose: the service sets them (chunking of a
#: job, no threshold cache).
_SERVICE_SIDE = tuple(f.name for f in option_fields(MonteCarlo) if f.local)

_MC_CONTRACT: dict[str, dict[str, Any]] = {
    "backend": {
        "doc": "Monte Carlo backend (GET /api/v1/backends); null: the service's default.",
        "validators": (AfterValidator(_check_backend),),
    },
}


class _MonteCarlo(
    option_model(MonteCarlo, "_MonteCarloFields", exclude=_SERVICE_SIDE, overrides=_MC_CONTRACT)
):
    """The Monte Carlo test: the fields of `pycwt_mod.options.MonteCarlo`."""

    def monte_carlo(self) -> MonteCarlo:
        """The request's Monte Carlo test."""
        return build_options(self, MonteCarlo)

    @model_validator(mode="after")
    def _monte_carlo_builds(self) -> Any:
        self.monte_carlo()
        return self


#: The confidence level alone (the XWT's and the CWT power test's): `MonteCarlo`'s field.
_Level = option_model(MonteCarlo, "_Level", include=("significance_level",))

#: Deprecated request names -> their option fields (accepted for one release).
DEPRECATED_ALIASES = {"areawise_test": "area_test"}

#: Fields of the areawise test (of a significance job, used with ``areawise``).
AREA_FIELDS = (*(f.name for f in option_fields(Areawise)), *DEPRECATED_ALIASES)


class _Areawise(option_model(Areawise, "_AreawiseFields", aliases=DEPRECATED_ALIASES)):
    """The areawise test: the fields of `pycwt_mod.options.Areawise`, and its flag."""

    areawise: bool = Field(
        False,
        description="Also run the areawise test: the result gains pointwise_mask and "
        "areawise_mask ((n_scales, n) booleans) and critical_area.",
    )

    def areawise_options(self) -> Areawise | None:
        """The request's areawise test (None without ``areawise``)."""
        return build_options(self, Areawise) if self.areawise else None


class _Spectrum(option_model(Spectrum, "_SpectrumFields")):
    """What the power answered is: the fields of `pycwt_mod.options.Spectrum`."""

    def spectrum(self) -> Spectrum:
        """The request's `Spectrum` (``rectify``)."""
        return build_options(self, Spectrum)


class _CWTBase(_Grid, _Preprocess):
    data: Series = Field(
        ..., description="The time series (null marks a missing sample).",
        examples=[[0.0, 1.0, 0.0, -1.0]],
    )  # fmt: skip


class CWTRequest(_CWTBase, _Spectrum):
    """Body of POST /api/v1/analysis/cwt."""

    model_config = _example(data=_X, dt=1.0, dj=0.25, output="power")

    output: choice("output", OUTPUTS) = Field(  # type: ignore[valid-type]
        "wave",
        description="'wave': the complex transform (with the series' fft); 'power': "
        "only |wave|^2, half the numbers.",
    )
    dtype: choice("dtype", DTYPES) = Field(  # type: ignore[valid-type]
        "float64",
        description="Precision of the arrays answered: 'float32' (complex64 wave) halves "
        "an npz answer and shortens JSON numbers, with about 7 significant digits.",
    )


class ComplexMatrix(BaseModel):
    """A complex 2-D array as separate real and imaginary parts."""

    real: Matrix
    imag: Matrix | None = None


#: The grid fields of an inverse transform (its scales are given).
_ICWTGrid = option_model(
    ScaleGrid, "_ICWTGrid", include=("dt", "dj", "wavelet"), overrides=_GRID_CONTRACT
)


class ICWTRequest(_ICWTGrid):
    """Body of POST /api/v1/analysis/icwt: a CWT as returned by /analysis/cwt."""

    model_config = _example(
        wave={"real": [[1.0, 0.0, -1.0, 0.0], [0.5, 0.5, -0.5, -0.5]],
              "imag": [[0.0, 1.0, 0.0, -1.0], [0.5, -0.5, -0.5, 0.5]]},
        scales=[1.0, 2.0], dt=1.0, dj=1.0,
    )  # fmt: skip

    wave: ComplexMatrix = Field(..., description="Wavelet transform, (n_scales, n).")
    scales: Series = Field(..., description="Scales of the rows of `wave`.")

    def grid(self) -> ScaleGrid:
        """The transform's ``dt``, ``dj`` and wavelet."""
        return build_options(self, ScaleGrid)


_DATA1 = "First series (null marks a missing sample)."
_DATA2 = "Second series, as long as data1."


class XWTRequest(_Grid, _Preprocess, _Level, _Spectrum):
    """Body of POST /api/v1/analysis/xwt."""

    model_config = _example(data1=_X, data2=_Y, dt=1.0, dj=0.25)

    data1: Series = Field(..., description=_DATA1)
    data2: Series = Field(..., description=_DATA2)


class _WCTBase(_Grid, _MonteCarlo, _Preprocess):
    data1: Series = Field(..., description=_DATA1)
    data2: Series = Field(..., description=_DATA2)
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


class SignificanceRequest(_Grid, _MonteCarlo, _Preprocess, _Areawise):
    """Body of POST /api/v1/analysis/significance (an asynchronous job).

    With ``areawise`` the job also runs the areawise test of Maraun et al. (2007)
    (`pycwt_mod.areawise_coherence`) after the thresholds, with the same surrogate
    family, mc_count and seed: about twice the work.
    """

    model_config = _example(data1=_X, data2=_Y, dt=1.0, dj=0.25, mc_count=50, seed=1)

    data1: Series = Field(
        ..., description=_DATA1 + ' A gap is a 400 unless "gaps": "mask" (filled first).'
    )
    data2: Series = Field(..., description=_DATA2)
    significance_test: Literal[True] = Field(
        True, description="Always true here (a job is a significance test)."
    )

    @model_validator(mode="after")
    def _area_options(self) -> SignificanceRequest:
        given = [f for f in AREA_FIELDS if f in self.model_fields_set]
        merge_aliases(self, DEPRECATED_ALIASES)
        if not self.areawise:
            if given:
                verb = "apply" if len(given) > 1 else "applies"
                raise ValueError(
                    f"{', '.join(given)} {verb} only to the areawise test; add "
                    '"areawise": true, or leave them out'
                )
            return self
        if self.mc_count < 2:  # the pipeline's rule, answered before the job is queued
            raise ValueError(f"an areawise test needs mc_count >= 2 (got {self.mc_count})")
        return self


#: A series name on a figure.
_Name = Annotated[str, Field(min_length=1, max_length=100)]


class PlotOptions(BaseModel):
    """Labels, size and format of a plot; the time axis is ``t0 + dt * arange(n)``."""

    title: str | None = Field(None, max_length=200, description="Title; null: a default.")
    time_label: str = Field("Time", max_length=100, description="Label of the time axis.")
    period_label: str = Field("Period", max_length=100, description="Label of the period axis.")
    t0: float = Field(0.0, description="Time of the first sample.")
    width: float = Field(9.0, ge=2, le=30, description="Figure width, inches.")
    height: float = Field(4.5, ge=2, le=20, description="Figure height, inches.")
    dpi: int = Field(
        100, ge=30, le=600, description="Pixels per inch (of the shading only, in SVG or PDF)."
    )
    period_unit: str | None = Field(
        None, max_length=50, description="Unit of the periods ('year': 'Period (years)')."
    )
    series_names: list[_Name] | None = Field(
        None,
        min_length=1,
        max_length=2,
        description="Names of the series, for the title and (coherence) the phase caption "
        "'phase of <first> relative to <second>'; null: 'series 1', 'series 2'.",
        examples=[["nino3", "rainfall"]],
    )
    format: choice("format", tuple(FIGURE_FORMATS)) = Field(  # type: ignore[valid-type]
        "png", description="'png', or vector 'svg' or 'pdf' (text as text), for a journal."
    )


#: Fields of `PlotOptions` (split off the analysis fields by the plot routes).
PLOT_FIELDS = frozenset(PlotOptions.model_fields)


class CWTPlotRequest(_CWTBase, _Level, PlotOptions):
    """Body of POST /api/v1/plots/cwt: a CWT request plus plot options.

    With ``significance_test`` the red-noise (chi-square) significance of the power is
    drawn as a contour (`pycwt_mod.significance`, Torrence & Compo 1998, eq. 18), at
    ``significance_level``.
    """

    model_config = _example(data=_X, dt=1.0, dj=0.25, significance_test=True, title="Example")

    significance_test: bool = Field(
        False, description="Draw the red-noise (chi-square) significance contour."
    )
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
