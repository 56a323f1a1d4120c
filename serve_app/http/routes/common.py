"""What every router shares: the error responses documented on each route."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from pydantic import BaseModel

from ...npz import NPZ_MEDIA_TYPE
from ..responses import ErrorBody
from ..security import require_key

__all__ = ["AUTH", "ERRORS", "arrays_answer"]

#: Documented error answers of the analysis routes (bodies: `ErrorBody`).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Semantic problem with the data (the message says which).",
          "model": ErrorBody},
    401: {"description": "Missing or invalid API key (when keys are configured).",
          "model": ErrorBody},
    413: {"description": "Request over the size limits.", "model": ErrorBody},
    422: {"description": "Malformed or out-of-range field."},
    503: {"description": "Overloaded (retry later) or backend unavailable.",
          "model": ErrorBody},
}  # fmt: skip


def arrays_answer(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The documented 200 of a route answering arrays: ``model`` as JSON, or the same
    fields as ``.npz`` (``Accept: application/x-npz``). The route declares
    ``response_class=Response``: it encodes the arrays itself (no model validation)."""
    return {
        200: {
            "model": model,
            "description": "JSON (NaN as null), or an .npz with Accept: application/x-npz.",
            "content": {NPZ_MEDIA_TYPE: {}},
        }
    }


#: Router dependency: an API key when keys are configured.
AUTH = [Depends(require_key)]
