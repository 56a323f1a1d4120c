"""``/api/v1/backends``: the Monte Carlo backends, available or not."""

from __future__ import annotations

from fastapi import APIRouter

from pycwt_mod.montecarlo.backends import describe_backends

from ...error_codes import ErrorCode
from ..deps import ServiceDep
from ..errors import ApiError
from ..responses import BackendInfo, BackendList
from .common import AUTH

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/backends", tags=["backends"], dependencies=AUTH)


@router.get("", response_model=BackendList)
async def list_backends(service: ServiceDep) -> BackendList:
    """Every registered Monte Carlo backend, available or not (with the reason)."""
    infos = [BackendInfo(**d) for d in describe_backends()]
    return BackendList(backends=infos, count=len(infos), default=service.config.default_backend)


@router.get(
    "/{name}", response_model=BackendInfo, responses={404: {"description": "Unknown backend."}}
)
async def get_backend(name: str) -> BackendInfo:
    """One backend's description; 404 for an unknown name."""
    described = describe_backends()
    found = [d for d in described if d["name"] == name]
    if not found:
        known = ", ".join(d["name"] for d in described)
        raise ApiError(
            404, ErrorCode.BACKEND_NOT_FOUND, f"backend {name!r} not found; known backends: {known}"
        )
    return BackendInfo(**found[0])
