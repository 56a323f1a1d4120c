"""Request and response models of the partial and multiple coherence routes.

The option fields are the coherence request's (`serve_app.http.schemas`: grid,
preprocessing and Monte Carlo fields generated from the option types); the series are
``response`` and ``predictor`` plus the ``removed`` list (partial), or ``response``
and the ``predictors`` list (multiple). In an ``.npz`` body a list of series is one
``(m, n)`` array. The areawise test is not offered for these analyses (a 422 says so).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from .responses import _GAP_MASK, NullableFloats, _Timed
from .schemas import (
    _X,
    _Y,
    AREA_FIELDS,
    Series,
    _example,
    _Grid,
    _MonteCarlo,
    _ndarray_as_is,
    _Preprocess,
)

__all__ = [
    "MultipleWCTRequest",
    "MultipleWCTResponse",
    "PartialWCTRequest",
    "PartialWCTResponse",
]

#: One or more series: a list of series (null marks a missing sample), or an npz
#: body's (m, n) array.
SeriesList = Annotated[list[Series], _ndarray_as_is(2)]

#: A third example series: an annual cycle with noise (48 months).
_Z = [-0.39, 0.4, 1.86, 1.4, -0.12, 0.5, -0.37, -0.41, -1.83, -0.85, -0.72, 0.45, 0.19, 0.81,
      -0.03, 2.35, -0.28, 1.16, -0.2, -1.03, -1.26, -1.4, -0.64, -0.57, 0.89, -0.6, 0.86, 0.46,
      1.33, -0.77, -0.21, -0.37, -1.76, -0.41, -0.76, 0.1, 0.58, -0.09, 0.39, 0.88, 1.31, 1.01,
      -0.43, -0.86, -1.34, -1.35, -1.01, -0.58]  # fmt: skip


class _Multivariate(_Grid, _MonteCarlo, _Preprocess):
    response: Series = Field(..., description="The response series (null marks a missing sample).")
    significance_test: bool = Field(
        False,
        description="Compute Monte Carlo thresholds (within the synchronous work budget, "
        "PYCWT_SYNC_WORK_BUDGET; these analyses have no significance job yet).",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_areawise(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(f in data for f in ("areawise", *AREA_FIELDS)):
            raise ValueError(
                "the areawise test is not offered for partial or multiple coherence; "
                "leave out areawise and the area_* fields"
            )
        return data


class PartialWCTRequest(_Multivariate):
    """Body of POST /api/v1/analysis/partial-wct (synchronous; small Monte Carlo only)."""

    model_config = _example(
        response=_X, predictor=_Y, removed=[_Z], dt=1.0, dj=0.25, significance_test=True,
        mc_count=20, seed=1,
    )  # fmt: skip

    predictor: Series = Field(..., description="The predictor, as long as response.")
    removed: SeriesList = Field(
        ..., min_length=1,
        description="One or more series whose influence is removed, each as long as response.",
    )  # fmt: skip


class MultipleWCTRequest(_Multivariate):
    """Body of POST /api/v1/analysis/multiple-wct (synchronous; small Monte Carlo only)."""

    model_config = _example(response=_X, predictors=[_Y, _Z], dt=1.0, dj=0.25)

    predictors: SeriesList = Field(
        ..., min_length=1, description="One or more predictors, each as long as response."
    )


class _MultivariateResponse(_Timed):
    coi: NullableFloats
    freqs: NullableFloats
    scales: NullableFloats
    sig95: NullableFloats | None = Field(
        None, description="Threshold per scale at significance_level (with a test)."
    )
    seed: int | None = None
    ar1: NullableFloats | None = Field(
        None, description="Lag-1 coefficient of each series' red noise (with an ar1 test)."
    )
    warnings: list[str] = Field([], description="How ar1 was obtained, when not unbiased.")
    gap_mask: list[list[bool]] | None = Field(None, description=_GAP_MASK)
    surrogate: str | None = Field(None, description="Null family of the test (with a test).")


class PartialWCTResponse(_MultivariateResponse):
    PWCT: list[NullableFloats] = Field(..., description="Partial coherence, (n_scales, n).")
    aPWCT: list[NullableFloats] = Field(
        ..., description="Partial phase (radians; positive: response leads), (n_scales, n)."
    )
    WCT: list[NullableFloats] = Field(
        ..., description="Ordinary coherence of response and predictor, (n_scales, n)."
    )


class MultipleWCTResponse(_MultivariateResponse):
    MWCT: list[NullableFloats] = Field(..., description="Multiple coherence, (n_scales, n).")
