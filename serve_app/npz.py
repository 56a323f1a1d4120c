"""``.npz`` bytes of named numpy arrays: the binary body format of the HTTP API.

Used on both sides of the wire (the service and `serve_app.client`), so it needs
numpy only. Loading never unpickles (``allow_pickle=False``).

`read_npz` is the reader of untrusted bodies: every member is checked *before* it is
decompressed, from what the zip directory (uncompressed size) and the member's
``.npy`` header (shape, dtype) declare, against `NpzBounds`; no more bytes than a
member declares are ever inflated, so a zip bomb (a few MB expanding to GB) or a
header declaring ``shape=(10**12,)`` costs no memory. Refusals are `NpzError`
(``status`` 400 or 413, naming the member and how to fix it).
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NPZ_MEDIA_TYPE", "NpzBounds", "NpzError", "from_npz", "read_npz", "to_npz"]

#: Media type of ``.npz`` request and response bodies.
NPZ_MEDIA_TYPE = "application/x-npz"

#: dtype kinds a body may hold: bool, integers, floats, complex, strings.
_KINDS = "biufcSU"
#: Largest ``.npy`` header read (numpy's own default).
_MAX_HEADER = 10_000
#: How to write a body the service reads.
_HOW = (
    "write it with numpy.savez(file, data=..., dt=...) using the JSON field names "
    "(numeric or string arrays, scalars as 0-d arrays)"
)


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
    """Arrays of a trusted ``.npz`` blob made by `to_npz` (0-d arrays stay 0-d).

    For bodies from outside use `read_npz`.
    """
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@dataclass(frozen=True)
class NpzBounds:
    """What one ``.npz`` body may declare (from the service's size limits).

    Attributes
    ----------
    max_elements : int
        Most elements of one member (``PYCWT_MAX_SCALES_X_SAMPLES``: the largest
        array a request carries is a ``(n_scales, n)`` transform).
    max_bytes : int
        Most decoded bytes of all members together.
    max_members : int
        Most members.
    """

    max_elements: int
    max_bytes: int
    max_members: int = 256

    @classmethod
    def from_limits(cls, max_samples: int, max_scales_x_samples: int) -> NpzBounds:
        """Bounds that admit every request within the sample limits: one complex128
        ``(n_scales, n)`` array plus four float series of ``max_samples`` (and 1 MiB
        for scalars and strings)."""
        return cls(
            max_elements=max_scales_x_samples,
            max_bytes=16 * max_scales_x_samples + 32 * max_samples + 2**20,
        )


class NpzError(ValueError):
    """An ``.npz`` body refused: ``status`` 400 (unreadable, a non-array, object or
    pickle member) or 413 (over `NpzBounds`); ``member`` names it (None: the file)."""

    def __init__(self, status: int, message: str, member: str | None = None):
        super().__init__(message)
        self.status = status
        self.member = member


def _refuse(status: int, name: str, why: str) -> NpzError:
    return NpzError(status, f"npz member {name!r} {why}", name)


def _header(f, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Shape, Fortran order and dtype of a member's ``.npy`` header (no data read)."""
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(f, max_header_size=_MAX_HEADER)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(f, max_header_size=_MAX_HEADER)
    except (ValueError, EOFError, SyntaxError, OSError) as exc:
        raise _refuse(400, name, f"is not a .npy array ({exc}); {_HOW}") from None
    raise _refuse(400, name, f"has .npy format version {version}, not 1.0 or 2.0; {_HOW}")


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, bounds: NpzBounds, left: int):
    name = info.filename.removesuffix(".npy")
    if not info.filename.endswith(".npy"):
        raise _refuse(400, name, f"is not an array (no .npy file); {_HOW}")
    with zf.open(info) as f:
        shape, fortran, dtype = _header(f, name)
        if dtype.hasobject:
            raise _refuse(
                400,
                name,
                f"holds Python objects (dtype {dtype.str}: a pickle, which the service "
                "never loads); send a numeric array, e.g. np.asarray(x, dtype=float), "
                "with NaN for a missing value",
            )
        if dtype.kind not in _KINDS or dtype.fields is not None:
            raise _refuse(
                400, name, f"has dtype {dtype.str}; send bool, integer, float, complex or "
                "string arrays",
            )  # fmt: skip
        count = math.prod(shape)
        nbytes = count * dtype.itemsize
        if count > bounds.max_elements or nbytes > left:
            raise _refuse(
                413,
                name,
                f"declares shape {shape} of {dtype} ({nbytes} bytes decoded), over the "
                f"limits of {bounds.max_elements} elements a member and {bounds.max_bytes} "
                "bytes a body (settings PYCWT_MAX_SCALES_X_SAMPLES, PYCWT_MAX_SAMPLES); "
                "send fewer samples or scales, or run the batch job (python -m "
                "serve_app.batch)",
            )
        if f.tell() + nbytes != info.file_size:
            raise _refuse(
                400, name, f"declares {nbytes} bytes of data in its header but the zip "
                f"directory gives {info.file_size - f.tell()}; {_HOW}",
            )  # fmt: skip
        data = bytearray(nbytes)
        if f.readinto(data) != nbytes:
            raise _refuse(400, name, f"is truncated; {_HOW}")
    a = np.frombuffer(data, dtype=dtype)
    return name, nbytes, a.reshape(shape, order="F" if fortran else "C")


def read_npz(blob: bytes, bounds: NpzBounds) -> dict[str, np.ndarray]:
    """Arrays of an untrusted ``.npz`` body, each member checked before decompression.

    Parameters
    ----------
    blob : bytes
        The body.
    bounds : NpzBounds

    Returns
    -------
    dict of str to ndarray
        One array per member (0-d arrays stay 0-d); memory used is at most
        ``len(blob) + bounds.max_bytes`` plus one ``.npy`` header.

    Raises
    ------
    NpzError
        400: empty, not a zip, a member that is not a ``.npy`` array, an object
        (pickle) or structured dtype, a header that disagrees with the zip directory;
        413: more members than ``max_members``, a member over ``max_elements``, or
        all members over ``max_bytes`` (from the declared sizes, before inflating).
    """
    if not blob:
        raise NpzError(400, f"empty application/x-npz body; {_HOW}")
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise NpzError(400, f"body is not a valid .npz file ({exc}); {_HOW}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > bounds.max_members:
            raise NpzError(
                413, f"npz body has {len(infos)} members, more than {bounds.max_members}; "
                "send only the request's fields",
            )  # fmt: skip
        declared = 0
        for info in infos:  # the zip directory's sizes, before anything is inflated
            declared += info.file_size
            if declared > bounds.max_bytes + len(infos) * _MAX_HEADER:
                raise _refuse(
                    413,
                    info.filename.removesuffix(".npy"),
                    f"inflates to {info.file_size} bytes (zip directory; {declared} with the "
                    f"members before it), over the limit of {bounds.max_bytes} bytes a body "
                    "(settings PYCWT_MAX_SCALES_X_SAMPLES, PYCWT_MAX_SAMPLES); send fewer "
                    "samples or scales, or run the batch job (python -m serve_app.batch)",
                )
        arrays: dict[str, np.ndarray] = {}
        left = bounds.max_bytes
        for info in infos:
            try:
                name, nbytes, a = _member(zf, info, bounds, left)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
                raise NpzError(
                    400, f"npz member {info.filename!r} cannot be read ({exc}); {_HOW}"
                ) from None
            left -= nbytes
            arrays[name] = a
    return arrays
