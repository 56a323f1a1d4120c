"""``GET /health``: liveness, library version and the backends available here;
``GET /health/ready``: readiness (registry, database, backends), 503 until ready."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

import pycwt_mod
from pycwt_mod.montecarlo.backends import describe_backends

from ...error_codes import ErrorCode
from ..deps import ServiceDep
from ..errors import error_body
from ..readiness import readiness
from ..responses import CheckResponse, HealthResponse, NotReadyResponse, ReadinessResponse

__all__ = ["router"]

router = APIRouter(tags=["service"])


@router.get("/health", response_model=HealthResponse)
async def health() -> HealthResponse:
    """Liveness (the replica answers; nothing else is checked), library version and the
    Monte Carlo backends available here."""
    names = [d["name"] for d in describe_backends() if d.get("available")]
    return HealthResponse(status="healthy", version=pycwt_mod.__version__, backends_available=names)


@router.get(
    "/health/ready",
    response_model=ReadinessResponse,
    responses={503: {"model": NotReadyResponse, "description": "Not ready (checks say why)."}},
)
async def ready(service: ServiceDep) -> Response:
    """Readiness: the job registry answers, its SQLite database is writable (disk not
    full) and the default backend is available. 503 (code ``not_ready``) until then:
    a load balancer sends no traffic to a service that answers 503 here."""
    found = await readiness(service)
    checks = {k: CheckResponse(ok=c.ok, detail=c.detail) for k, c in found.checks.items()}
    if found.ready:
        return ReadinessResponse(status="ready", checks=checks)
    failing = "; ".join(f"{k}: {c.detail}" for k, c in found.checks.items() if c.ok is False)
    body = {
        **error_body(ErrorCode.NOT_READY, f"not ready: {failing}"),
        "status": "not_ready",
        "checks": {k: c.model_dump() for k, c in checks.items()},
    }
    return JSONResponse(body, 503, headers={"Retry-After": "5"})
