"""What every router shares: the error responses documented on each route."""

from __future__ import annotations

from typing import Any

from fastapi import Depends

from ..security import require_key

__all__ = ["AUTH", "ERRORS"]

#: Documented error answers of the analysis routes.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Semantic problem with the data (the message says which)."},
    401: {"description": "Missing or invalid API key (when keys are configured)."},
    413: {"description": "Request over the size limits."},
    422: {"description": "Malformed or out-of-range field."},
    503: {"description": "Overloaded (retry later) or backend unavailable."},
}

#: Router dependency: an API key when keys are configured.
AUTH = [Depends(require_key)]
