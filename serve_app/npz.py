"""``.npz`` bytes of named numpy arrays: the binary body format of the HTTP API.

Used on both sides of the wire (the service and `serve_app.client`), so it needs
numpy only. Loading never unpickles (``allow_pickle=False``).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

__all__ = ["NPZ_MEDIA_TYPE", "from_npz", "to_npz"]

#: Media type of ``.npz`` request and response bodies.
NPZ_MEDIA_TYPE = "application/x-npz"


def to_npz(arrays: dict[str, Any]) -> bytes:
    """Bytes of an uncompressed ``.npz`` holding ``arrays`` (None values are left out).

    Parameters
    ----------
    arrays : dict of str to array_like
        Scalars and strings become 0-d arrays.

    Returns
    -------
    bytes
    """
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items() if v is not None})
    return buf.getvalue()


def from_npz(blob: bytes) -> dict[str, np.ndarray]:
    """Arrays of an ``.npz`` blob made by `to_npz` (0-d arrays stay 0-d)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
