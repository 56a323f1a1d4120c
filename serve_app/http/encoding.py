"""JSON encoding of numpy results (NaN as null, complex split) and content negotiation.

JSON is produced by orjson straight from the arrays (no Python lists in between);
orjson writes NaN and infinities as ``null``, so the output is always valid JSON.
``Accept: application/x-npz`` gets the same fields as an ``.npz`` file instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
from fastapi import Request, Response

from ..npz import NPZ_MEDIA_TYPE, to_npz

__all__ = ["dumps", "encode", "jsonable"]

_OPTS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def jsonable(value: Any) -> Any:
    """Turn complex arrays into ``{"real", "imag"}`` and numpy scalars into Python ones.

    Containers (dict, list, tuple) are walked; real arrays are left to orjson.
    """
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):
            return {"real": _contiguous(value.real), "imag": _contiguous(value.imag)}
        if value.ndim == 0:
            return value.item()
        return _contiguous(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, complex):
        return {"real": value.real, "imag": value.imag}
    return value


def _contiguous(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "fiub":
        return a
    return np.ascontiguousarray(a)


def _default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return jsonable(np.ascontiguousarray(obj))
    raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def dumps(value: Any) -> bytes:
    """JSON bytes of ``value`` (see `jsonable`); NaN and inf become ``null``."""
    return orjson.dumps(jsonable(value), default=_default, option=_OPTS)


def encode(payload: dict[str, Any], request: Request, status_code: int = 200) -> Response:
    """``payload`` as npz when the request accepts ``application/x-npz``, else JSON."""
    if NPZ_MEDIA_TYPE in request.headers.get("accept", ""):
        return Response(to_npz(payload), status_code, media_type=NPZ_MEDIA_TYPE)
    return Response(dumps(payload), status_code, media_type="application/json")
