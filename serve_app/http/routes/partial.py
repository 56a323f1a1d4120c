"""``/api/v1/analysis/partial-wct`` and ``/multiple-wct``: coherence of several series."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..deps import ServiceDep
from ..encoding import encode
from ..errors import shielded
from ..multivariate import (
    MultipleWCTRequest,
    MultipleWCTResponse,
    PartialWCTRequest,
    PartialWCTResponse,
)
from ..npz_body import NpzRoute
from .common import AUTH, ERRORS

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/analysis",
    tags=["analysis"],
    dependencies=AUTH,
    responses=ERRORS,
    route_class=NpzRoute,  # application/x-npz bodies too
)


@router.post("/partial-wct", response_model=PartialWCTResponse)
async def partial_wct(body: PartialWCTRequest, request: Request, service: ServiceDep) -> Response:
    """Partial wavelet coherence of response and predictor, the removed series' influence
    taken out (Mihanovic et al. 2009; Ng and Chan 2012); Monte Carlo thresholds only
    within the synchronous budget (a 400 naming PYCWT_SYNC_WORK_BUDGET otherwise)."""
    call = service.partial_wct(
        body.response, body.predictor, body.removed, grid=body.grid(),
        preprocessing=body.preprocessing(), monte_carlo=body.monte_carlo(),
        significance_test=body.significance_test,
    )  # fmt: skip
    return encode((await shielded(call)).arrays(), request)


@router.post("/multiple-wct", response_model=MultipleWCTResponse)
async def multiple_wct(body: MultipleWCTRequest, request: Request, service: ServiceDep) -> Response:
    """Multiple wavelet coherence of response with the predictors together (Ng and Chan
    2012; Hu and Si 2016); the test as /partial-wct."""
    call = service.multiple_wct(
        body.response, body.predictors, grid=body.grid(), preprocessing=body.preprocessing(),
        monte_carlo=body.monte_carlo(), significance_test=body.significance_test,
    )  # fmt: skip
    return encode((await shielded(call)).arrays(), request)
