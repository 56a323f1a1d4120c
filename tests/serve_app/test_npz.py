"""`serve_app.npz.read_npz`: members checked before they are decompressed."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from serve_app.npz import NpzBounds, NpzError, read_npz, to_npz

from .hostile_npz import declared_shape, non_array, pickle_member, zip_bomb

#: The service's default limits.
BOUNDS = NpzBounds.from_limits(max_samples=131_072, max_scales_x_samples=2**24)


def refused(blob: bytes, bounds: NpzBounds = BOUNDS) -> tuple[NpzError, int]:
    """The refusal of ``blob`` and the peak memory (bytes) spent reaching it."""
    tracemalloc.start()
    try:
        with pytest.raises(NpzError) as info:
            read_npz(blob, bounds)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return info.value, peak


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb(2**31)


class TestReadNpz:
    def test_bomb_is_a_real_zip_bomb(self, bomb):
        assert len(bomb) < 3 * 2**20
        with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
            (info,) = zf.infolist()
            assert info.file_size > 2**31  # what it inflates to
            with zf.open(info) as f:  # and it does: the start of it
                assert np.lib.format.read_magic(f) == (1, 0)
                assert np.lib.format.read_array_header_1_0(f)[0] == (2**28,)
                assert f.read(2**20) == bytes(2**20)

    def test_bomb_is_413_before_inflating(self, bomb):
        exc, peak = refused(bomb)
        assert exc.status == 413 and exc.member == "data"
        assert "'data'" in str(exc) and "PYCWT_MAX_SCALES_X_SAMPLES" in str(exc)
        assert peak < 2**20

    def test_declared_shape_is_413_without_allocating(self):
        exc, peak = refused(declared_shape((10**12,)))
        assert exc.status == 413 and exc.member == "data"
        assert "(1000000000000,)" in str(exc)
        assert peak < 2**20

    def test_pickle_member_is_400(self):
        exc, _ = refused(pickle_member())
        assert exc.status == 400 and exc.member == "data"
        assert "pickle" in str(exc) and "dtype=float" in str(exc)

    def test_non_array_member_is_400(self):
        exc, _ = refused(non_array())
        assert exc.status == 400 and exc.member == "notes.txt"
        assert "not an array" in str(exc)

    def test_header_disagreeing_with_directory_is_400(self):
        exc, _ = refused(declared_shape((4,)))  # declares 32 bytes, carries 8
        assert exc.status == 400 and exc.member == "data"
        assert "zip directory" in str(exc)

    def test_member_over_the_element_bound(self):
        small = NpzBounds(max_elements=100, max_bytes=10**6)
        exc, _ = refused(to_npz({"data": np.zeros(101)}), small)
        assert exc.status == 413 and "100 elements" in str(exc)
        assert read_npz(to_npz({"data": np.zeros(100)}), small)["data"].shape == (100,)

    def test_total_over_the_byte_bound(self):
        small = NpzBounds(max_elements=1000, max_bytes=12_000)
        blob = to_npz({"a": np.zeros(1000), "b": np.zeros(1000)})
        exc, _ = refused(blob, small)
        assert exc.status == 413 and exc.member == "b"

    def test_too_many_members(self):
        blob = to_npz({f"x{i}": np.float64(i) for i in range(5)})
        exc, _ = refused(blob, NpzBounds(max_elements=10, max_bytes=10**6, max_members=4))
        assert exc.status == 413

    @pytest.mark.parametrize("blob", [b"", b"not a zip", b"PK\x03\x04broken"])
    def test_unreadable_is_400(self, blob):
        exc, _ = refused(blob)
        assert exc.status == 400 and exc.member is None

    def test_good_bodies_round_trip(self):
        fields = {
            "data": np.arange(5.0),
            "dt": np.float64(0.5),
            "wavelet": np.array("paul"),
            "wave": np.asfortranarray(np.arange(6.0).reshape(2, 3) * (1 + 2j)),
            "mask": np.array([True, False]),
            "J": np.int64(7),
        }
        for save in (np.savez, np.savez_compressed):
            buf = io.BytesIO()
            save(buf, **fields)
            got = read_npz(buf.getvalue(), BOUNDS)
            assert set(got) == set(fields)
            for k, v in fields.items():
                assert_array_equal(got[k], v, err_msg=k)
                assert got[k].dtype == np.asarray(v).dtype
            assert got["data"].flags.writeable
