"""Encoding of numpy results for HTTP: JSON (NaN as null, complex split) or NPZ.

JSON is produced by orjson straight from the arrays (no Python lists in between);
orjson writes NaN and infinities as ``null``, so the output is always valid JSON.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import orjson

__all__ = ["NPZ_MEDIA_TYPE", "dumps", "from_npz", "jsonable", "to_npz"]

NPZ_MEDIA_TYPE = "application/x-npz"

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


def to_npz(arrays: dict[str, Any]) -> bytes:
    """Bytes of an uncompressed ``.npz`` holding ``arrays`` (strings become 0-d arrays)."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items() if v is not None})
    return buf.getvalue()


def from_npz(blob: bytes) -> dict[str, np.ndarray]:
    """Arrays of an ``.npz`` blob made by `to_npz` (0-d arrays stay 0-d)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
