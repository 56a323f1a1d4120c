"""FastAPI dependencies the routers ask for by type."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .service import Service

__all__ = ["ServiceDep", "get_service"]


def get_service(request: Request) -> Service:
    """The replica's `Service` (``app.state.service``, set by `create_api`)."""
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]
