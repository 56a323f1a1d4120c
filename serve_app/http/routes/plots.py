"""``/api/v1/plots``: PNG, SVG or PDF figures, rendered in the compute deployments."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pycwt_mod.plot import FIGURE_FORMATS

from ...error_codes import ErrorCode
from ..deps import ServiceDep
from ..errors import ApiError, job_not_found, shielded
from ..npz_body import NpzRoute
from ..schemas import PLOT_FIELDS, CWTPlotRequest, WCTPlotRequest
from ..security import Owner
from ..service import Service
from .common import AUTH, ERRORS

__all__ = ["router"]

_PNG = {
    200: {
        "content": {media: {} for media in FIGURE_FORMATS.values()},
        "description": "The figure: PNG, or SVG or PDF as the request's `format` says.",
    }
}

router = APIRouter(
    prefix="/api/v1/plots",
    tags=["plots"],
    dependencies=AUTH,
    responses={**_PNG, **ERRORS},
    route_class=NpzRoute,
)


@router.post("/cwt", response_class=Response)
async def plot_cwt(body: CWTPlotRequest, service: ServiceDep) -> Response:
    """The wavelet power (scalogram) of one series, with its cone of influence,
    the gap mask (``gaps="mask"``) and, with ``significance_test``, the red-noise
    (chi-square) significance contour."""
    call = service.cwt_png(
        body.data, plot=body.model_dump(include=PLOT_FIELDS), grid=body.grid(),
        preprocessing=body.preprocessing(), significance_test=body.significance_test,
        significance_level=body.significance_level, ar1=body.ar1,
    )  # fmt: skip
    figure = await shielded(call)
    return Response(figure, media_type=FIGURE_FORMATS[body.format])


async def job_thresholds(service: Service, job_id: str, owner: str | None) -> dict:
    """``job_id``, ``sig95``, ``scales`` and ``areawise_mask`` (None unless an areawise
    job) of a completed significance job.

    Raises
    ------
    ApiError
        404 for an unknown job, 409 for one that is not completed.
    """
    job = await service.job(job_id, owner)
    if job is None:
        raise job_not_found(job_id)
    status = getattr(job["status"], "value", job["status"])
    if status != "completed":
        raise ApiError(
            409,
            ErrorCode.JOB_NOT_COMPLETED,
            f"job {job_id} is {status}, not completed: wait for it "
            f"(GET /api/v1/jobs/{job_id}) before drawing its thresholds",
        )
    result = await service.job_result(job_id, owner)
    if result is None:  # completed, yet no result stored
        raise ApiError(409, ErrorCode.JOB_NOT_COMPLETED, f"job {job_id} has no stored result")
    return {
        "job_id": job_id,
        "sig95": result.sig95,
        "scales": result.scales,
        "areawise_mask": result.areawise_mask,
    }


@router.post("/wct", response_class=Response)
async def plot_wct(body: WCTPlotRequest, service: ServiceDep, owner: Owner) -> Response:
    """The wavelet coherence of two series, phase arrows and significance contour.

    The contour is the thresholds of the completed significance job ``job_id`` (same
    scale grid; no Monte Carlo here), or of a synchronous test (``significance_test``,
    within the work budget). An areawise job's significant patches are outlined in
    bold over the thin pointwise contour.
    """
    thresholds = None
    if body.job_id is not None:
        thresholds = await job_thresholds(service, body.job_id, owner)
    call = service.wct_png(
        body.data1, body.data2, plot=body.model_dump(include=PLOT_FIELDS),
        thresholds=thresholds, grid=body.grid(), preprocessing=body.preprocessing(),
        monte_carlo=body.monte_carlo(), significance_test=body.significance_test,
    )  # fmt: skip
    figure = await shielded(call)
    return Response(figure, media_type=FIGURE_FORMATS[body.format])
