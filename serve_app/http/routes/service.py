"""``GET /health``: liveness, library version and the backends available here."""

from __future__ import annotations

from fastapi import APIRouter

import pycwt_mod
from pycwt_mod.montecarlo.backends import describe_backends

from ..responses import HealthResponse

__all__ = ["router"]

router = APIRouter(tags=["service"])


@router.get("/health", response_model=HealthResponse)
async def health() -> HealthResponse:
    """Liveness, library version and the Monte Carlo backends available here."""
    names = [d["name"] for d in describe_backends() if d.get("available")]
    return HealthResponse(status="healthy", version=pycwt_mod.__version__, backends_available=names)
