"""Hostile ``.npz`` bodies, built without allocating what they declare.

A zip bomb here is a real, valid zip: its one ``.npy`` member (``data``) declares
``nbytes`` of float64 zeros and inflates to them (CRC included), from a compressed
stream of ~1/1000 the size; the stream is one deflate segment of a zero block
repeated (each segment ends in a full flush, so the segments are independent).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np

__all__ = ["declared_shape", "non_array", "pickle_member", "zip_bomb"]

_BLOCK = 2**22


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def _zip_one(name: str, compressed: bytes, crc: int, size: int) -> bytes:
    """A zip of one deflated member (no zip64: ``size`` < 4 GiB)."""
    raw = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(compressed), size, len(raw), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(compressed), size,
        len(raw), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    offset = len(local) + len(raw) + len(compressed)
    cd = central + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd), offset, 0)
    return local + raw + compressed + cd + end


def zip_bomb(nbytes: int = 2**31) -> bytes:
    """An ``.npz`` whose member ``data`` inflates to ``nbytes`` (a multiple of 4 MiB,
    under 4 GiB) of float64 zeros; ~1000x smaller than that."""
    if nbytes % _BLOCK or nbytes >= 2**32 - _BLOCK:
        raise ValueError("nbytes must be a multiple of 4 MiB below 4 GiB")
    header = _npy_header((nbytes // 8,))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    zeros = bytes(_BLOCK)
    segment = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    count = nbytes // _BLOCK
    stream = head + segment * count + c.flush()
    crc = zlib.crc32(header)
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    return _zip_one("data.npy", stream, crc, len(header) + nbytes)


def declared_shape(shape: tuple[int, ...] = (10**12,)) -> bytes:
    """An ``.npz`` whose member ``data`` has a header declaring ``shape`` and 8 bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.npy", _npy_header(shape) + bytes(8))
        zf.writestr("dt.npy", _npy_header(()) + np.float64(1).tobytes())
    return buf.getvalue()


def pickle_member() -> bytes:
    """An ``.npz`` whose member ``data`` is an object array (a pickle)."""
    buf = io.BytesIO()
    np.savez(buf, data=np.array([1.0, {"x": 1}], dtype=object), dt=np.array(1.0))
    return buf.getvalue()


def non_array() -> bytes:
    """An ``.npz`` with a plain text member beside a good ``data``."""
    buf = io.BytesIO()
    np.savez(buf, data=np.arange(64.0), dt=np.array(1.0))
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("notes.txt", "not an array")
    return buf.getvalue()
