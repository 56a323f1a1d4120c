"""``/api/v1/analysis``: CWT, inverse CWT, XWT, coherence, and significance jobs."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Header, Request, Response

from ...error_codes import ErrorCode
from ..deps import ServiceDep
from ..encoding import encode
from ..errors import ApiError, shielded
from ..npz_body import NpzRoute
from ..responses import CWTResponse, ICWTResponse, JobPublic, WCTResponse, XWTResponse
from ..schemas import CWTRequest, ICWTRequest, SignificanceRequest, WCTRequest, XWTRequest
from ..security import Owner
from .common import AUTH, ERRORS, arrays_answer

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/analysis",
    tags=["analysis"],
    dependencies=AUTH,
    responses=ERRORS,
    route_class=NpzRoute,  # application/x-npz bodies too
)


@router.post("/cwt", response_class=Response, responses=arrays_answer(CWTResponse))
async def cwt(body: CWTRequest, request: Request, service: ServiceDep) -> Response:
    """Continuous wavelet transform of one series."""
    call = service.cwt(
        body.data, grid=body.grid(), preprocessing=body.preprocessing(),
        spectrum=body.spectrum(), output=body.output, dtype=body.dtype,
    )  # fmt: skip
    return encode((await shielded(call)).arrays(), request)


@router.post("/icwt", response_class=Response, responses=arrays_answer(ICWTResponse))
async def icwt(body: ICWTRequest, request: Request, service: ServiceDep) -> Response:
    """Inverse CWT of a transform as returned by /analysis/cwt."""
    try:
        real = np.asarray(body.wave.real, dtype=float)
        wave = real if body.wave.imag is None else real + 1j * np.asarray(body.wave.imag)
    except ValueError as exc:  # ragged rows, or real/imag of different shapes
        raise ApiError(
            400,
            ErrorCode.BAD_REQUEST,
            f"`wave.real` and `wave.imag` must be equal-shape 2-D arrays ({exc})",
        ) from None
    call = service.icwt(wave, body.scales, grid=body.grid())
    return encode((await shielded(call)).arrays(), request)


@router.post("/xwt", response_class=Response, responses=arrays_answer(XWTResponse))
async def xwt(body: XWTRequest, request: Request, service: ServiceDep) -> Response:
    """Cross wavelet transform of two equal-length series."""
    call = service.xwt(
        body.data1, body.data2, grid=body.grid(), preprocessing=body.preprocessing(),
        spectrum=body.spectrum(), significance_level=body.significance_level,
    )  # fmt: skip
    return encode((await shielded(call)).arrays(), request)


@router.post("/wct", response_class=Response, responses=arrays_answer(WCTResponse))
async def wct(body: WCTRequest, request: Request, service: ServiceDep) -> Response:
    """Wavelet coherence; Monte Carlo thresholds only within the synchronous budget.

    Larger significance tests get a 400 that points to /api/v1/analysis/significance.
    """
    call = service.wct(
        body.data1, body.data2, grid=body.grid(), preprocessing=body.preprocessing(),
        monte_carlo=body.monte_carlo(), significance_test=body.significance_test,
    )  # fmt: skip
    return encode((await shielded(call)).arrays(), request)


@router.post(
    "/significance",
    response_model=JobPublic,
    tags=["jobs"],
    responses={503: {"description": "Backend unavailable."}},
)
async def significance(
    body: SignificanceRequest,
    response: Response,
    service: ServiceDep,
    owner: Owner,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JobPublic:
    """Submit a Monte Carlo coherence-significance job; poll /api/v1/jobs/{job_id}.

    Answers 200 with the job (``job_id``, ``status``) and its URL in ``Location``. A
    retry with the ``Idempotency-Key`` header of an earlier submission (same API key)
    answers that job instead of starting another.
    """
    call = service.submit_significance(
        body.data1, body.data2, owner=owner, idempotency_key=idempotency_key, grid=body.grid(),
        preprocessing=body.preprocessing(), monte_carlo=body.monte_carlo(),
        areawise=body.areawise_options(),
    )  # fmt: skip
    job = await shielded(call)
    response.headers["Location"] = f"/api/v1/jobs/{job['job_id']}"
    return JobPublic(**job)
