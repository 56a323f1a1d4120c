"""``/api/v1/plots``: PNG figures, rendered in the compute deployments."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..deps import ServiceDep
from ..errors import shielded
from ..npz_body import NpzRoute
from ..schemas import PLOT_FIELDS, CWTPlotRequest, WCTPlotRequest
from .common import AUTH, ERRORS

__all__ = ["router"]

_PNG = {200: {"content": {"image/png": {}}, "description": "PNG."}}

router = APIRouter(
    prefix="/api/v1/plots",
    tags=["plots"],
    dependencies=AUTH,
    responses={**_PNG, **ERRORS},
    route_class=NpzRoute,
)


@router.post("/cwt", response_class=Response)
async def plot_cwt(body: CWTPlotRequest, service: ServiceDep) -> Response:
    """PNG of the wavelet power (scalogram) of one series, with its cone of influence."""
    plot = body.model_dump(include=PLOT_FIELDS)
    kw = body.model_dump(exclude={"data", "dt", *PLOT_FIELDS})
    png = await shielded(service.cwt_png(body.data, body.dt, plot, **kw))
    return Response(png, media_type="image/png")


@router.post("/wct", response_class=Response)
async def plot_wct(body: WCTPlotRequest, service: ServiceDep) -> Response:
    """PNG of the wavelet coherence of two series, phase arrows and significance contour."""
    plot = body.model_dump(include=PLOT_FIELDS)
    kw = body.model_dump(exclude={"data1", "data2", "dt", *PLOT_FIELDS})
    png = await shielded(service.wct_png(body.data1, body.data2, body.dt, plot, **kw))
    return Response(png, media_type="image/png")
