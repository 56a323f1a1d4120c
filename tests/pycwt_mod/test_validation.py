"""Bad input: every public function answers with a ValueError that says what is wrong.

The messages name the parameter, what it accepts and the value received; the HTTP
service turns them into 400 answers, so they are part of the interface.
"""

from __future__ import annotations

import numpy as np
import pytest

import pycwt_mod as wavelet
from pycwt_mod import DOG, Morlet, Paul

WAVELETS = ["morlet", "paul", "dog", "mexicanhat"]


@pytest.fixture
def x(rng):
    return rng.standard_normal(64)


def _with_bad_values(x, values, where):
    y = np.array(x, dtype=float)
    y[list(where)] = values
    return y


# Each takes a series and calls one public function on it.
SERIES_FUNCTIONS = {
    "cwt": lambda s: wavelet.cwt(s, 1.0),
    "cwt-float32": lambda s: wavelet.cwt(s, 1.0, dtype="float32"),
    "xwt-y1": lambda s: wavelet.xwt(s, np.ones(s.size) + np.arange(s.size) % 3, 1.0),
    "wct-y1": lambda s: wavelet.wct(s, np.ones(s.size) + np.arange(s.size) % 3, 1.0, sig=False),
    "partial_wct-y": lambda s: wavelet.partial_wct(
        s, np.ones(s.size) + np.arange(s.size) % 3, np.cos(np.arange(s.size)), 1.0, sig=False
    ),
    "multiple_wct-y": lambda s: wavelet.multiple_wct(
        s, [np.ones(s.size) + np.arange(s.size) % 3], 1.0, sig=False
    ),
    "ar1": lambda s: wavelet.ar1(s),
    "significance": lambda s: wavelet.significance(s, 1.0, [1.0, 2.0]),
}


class TestNonFinite:
    @pytest.mark.parametrize("call", SERIES_FUNCTIONS.values(), ids=SERIES_FUNCTIONS.keys())
    @pytest.mark.parametrize(
        "values, where, count, first",
        [
            ([np.nan], [5], 1, 5),
            ([np.inf], [0], 1, 0),
            ([-np.inf, np.nan, np.nan], [40, 3, 63], 3, 3),
        ],
    )
    def test_counts_and_first_index(self, x, call, values, where, count, first):
        bad = _with_bad_values(x, values, where)
        with pytest.raises(ValueError, match=rf"holds {count} non-finite .* at index {first}\b"):
            call(bad)

    @pytest.mark.parametrize("fn", ["xwt", "wct"])
    def test_names_the_second_series(self, x, fn):
        kw = dict(sig=False) if fn == "wct" else {}
        with pytest.raises(ValueError, match=r"`y2` holds 1 non-finite .* index 7"):
            getattr(wavelet, fn)(x, _with_bad_values(x, [np.nan], [7]), 1.0, **kw)


class TestCwt:
    @pytest.mark.parametrize("n", [0, 1])
    def test_too_short(self, n):
        with pytest.raises(ValueError, match=rf"at least 2 samples \(got {n}\)"):
            wavelet.cwt(np.ones(n), 1.0)

    @pytest.mark.parametrize("dt", [0, -1.0, np.nan, np.inf, "1", None, True])
    def test_bad_dt(self, x, dt):
        with pytest.raises(ValueError, match="`dt` must be"):
            wavelet.cwt(x, dt)

    @pytest.mark.parametrize("dj", [0, -0.25, np.nan])
    def test_bad_dj(self, x, dj):
        with pytest.raises(ValueError, match="`dj` must be > 0"):
            wavelet.cwt(x, 1.0, dj=dj)

    @pytest.mark.parametrize("s0", [0, -0.5, -2, np.inf])
    def test_bad_s0(self, x, s0):
        with pytest.raises(ValueError, match="`s0` must be > 0"):
            wavelet.cwt(x, 1.0, s0=s0)

    @pytest.mark.parametrize("J", [-2, 2.5, "10", np.nan, np.inf, True])
    def test_bad_J(self, x, J):
        with pytest.raises(ValueError, match=r"`J` must be a whole number >= 0, or -1"):
            wavelet.cwt(x, 1.0, J=J)

    @pytest.mark.parametrize("name", ["haar", "morl", "", "gaussian"])
    def test_unknown_wavelet_lists_names(self, x, name):
        with pytest.raises(ValueError, match="valid names are morlet, paul, dog, mexicanhat"):
            wavelet.cwt(x, 1.0, wavelet=name)

    @pytest.mark.parametrize("obj", [42, object(), [1, 2]])
    def test_not_a_wavelet(self, x, obj):
        with pytest.raises(ValueError, match="`wavelet` must be a name"):
            wavelet.cwt(x, 1.0, wavelet=obj)

    @pytest.mark.parametrize("shape", [(8, 8), (1, 64), (2, 3, 4)])
    def test_not_1d(self, shape):
        shape_re = rf"\({shape[0]}, "
        with pytest.raises(ValueError, match=rf"must be 1-D \(got an array of shape {shape_re}"):
            wavelet.cwt(np.ones(shape), 1.0)

    def test_scalar(self):
        with pytest.raises(ValueError, match="must be 1-D"):
            wavelet.cwt(3.0, 1.0)

    @pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
    def test_complex(self, x, dtype):
        with pytest.raises(ValueError, match="must be real-valued"):
            wavelet.cwt(x.astype(dtype), 1.0)

    @pytest.mark.parametrize(
        "series", [np.array(["a", "b", "c"]), np.array([1, "x"], dtype=object), [[1, 2], [3]]]
    )
    def test_not_numbers(self, series):
        with pytest.raises(ValueError, match="`signal` must"):
            wavelet.cwt(series, 1.0)

    @pytest.mark.parametrize(
        "dtype", ["float16", "complex64", "int32", "f8x", np.float16, np.complex128, np.int64]
    )
    def test_bad_dtype_argument(self, x, dtype):
        with pytest.raises(ValueError, match=r"`dtype` must be one of float64, float32"):
            wavelet.cwt(x, 1.0, dtype=dtype)

    @pytest.mark.parametrize("freqs", [[], [0.1, -0.2], [[0.1, 0.2]], [0.1, np.nan], [0.0]])
    def test_bad_freqs(self, x, freqs):
        with pytest.raises(ValueError, match="`freqs` must be"):
            wavelet.cwt(x, 1.0, freqs=np.array(freqs, dtype=float))

    def test_integer_and_bool_series_accepted(self):
        W = wavelet.cwt(np.arange(32) % 5, 1.0)[0]
        assert np.isfinite(W).all()
        assert np.isfinite(wavelet.cwt(np.arange(32) % 2 == 0, 1.0)[0]).all()


class TestIcwt:
    def test_shape_mismatch(self, x):
        W, sj, *_ = wavelet.cwt(x, 1.0)
        with pytest.raises(ValueError, match=rf"`W` of shape \({sj.size}, 64\) does not match"):
            wavelet.icwt(W, sj[:-1], 1.0)

    def test_not_2d(self, x):
        W, sj, *_ = wavelet.cwt(x, 1.0)
        with pytest.raises(ValueError, match="`W` must be 2-D"):
            wavelet.icwt(W[0], sj, 1.0)

    @pytest.mark.parametrize("mother", [Morlet(5), Paul(2), DOG(3)], ids=repr)
    def test_untabulated_wavelet(self, x, mother):
        W, sj, *_ = wavelet.cwt(x, 1.0, wavelet=mother)
        with pytest.raises(ValueError, match="Table 2"):
            wavelet.icwt(W, sj, 1.0, wavelet=mother)

    @pytest.mark.parametrize("kw", [dict(dt=0), dict(dt=1.0, dj=-1)])
    def test_bad_spacing(self, x, kw):
        W, sj, *_ = wavelet.cwt(x, 1.0)
        with pytest.raises(ValueError, match="must be > 0"):
            wavelet.icwt(W, sj, **kw)


@pytest.mark.parametrize("fn", ["xwt", "wct"])
class TestXwtWct:
    """Checks shared by xwt and wct."""

    @staticmethod
    def _call(fn, *args, **kw):
        if fn == "wct":
            kw.setdefault("sig", False)
        return getattr(wavelet, fn)(*args, **kw)

    def test_unequal_lengths(self, x, fn):
        with pytest.raises(ValueError, match=r"same length \(got 64 and 63\)"):
            self._call(fn, x, x[:-1], 1.0)

    @pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, np.nan, "0.95"])
    def test_significance_level(self, x, fn, level):
        with pytest.raises(ValueError, match="`significance_level` must be"):
            self._call(fn, x, x[::-1], 1.0, significance_level=level)

    def test_bad_dt(self, x, fn):
        with pytest.raises(ValueError, match="`dt` must be > 0"):
            self._call(fn, x, x[::-1], -1.0)

    def test_too_short(self, fn):
        with pytest.raises(ValueError, match="at least 2 samples"):
            self._call(fn, [1.0], [2.0], 1.0)

    def test_constant_series_cannot_be_normalized(self, x, fn):
        with pytest.raises(ValueError, match="standard deviation is 0"):
            self._call(fn, x, np.ones_like(x), 1.0)

    def test_2d(self, x, fn):
        with pytest.raises(ValueError, match="`y1` must be 1-D"):
            self._call(fn, np.stack([x, x]), x, 1.0)


class TestWct:
    @pytest.mark.parametrize("mother", [Morlet(5), Paul(2), DOG(3)], ids=repr)
    def test_untabulated_wavelet(self, x, mother):
        with pytest.raises(ValueError, match="Table 2"):
            wavelet.wct(x, x[::-1], 1.0, sig=False, wavelet=mother)


class TestSignificance:
    @pytest.mark.parametrize("level", [0, 1, 1.01, -0.5])
    def test_level_outside_unit_interval(self, level):
        with pytest.raises(ValueError, match=r"`significance_level` must be in \(0, 1\)"):
            wavelet.significance(1.0, 1.0, [1.0, 2.0], 0, 0.5, level)

    @pytest.mark.parametrize("sigma_test", [3, -1, "0"])
    def test_sigma_test(self, sigma_test):
        with pytest.raises(ValueError, match="`sigma_test` must be 0, 1 or 2"):
            wavelet.significance(1.0, 1.0, [1.0, 2.0], sigma_test, 0.5)

    @pytest.mark.parametrize("dof", [-1, 5, [1, 2, 3]])
    def test_scale_average_needs_a_band(self, dof):
        with pytest.raises(ValueError, match=r"`dof` must be \[s1, s2\]"):
            wavelet.significance(1.0, 1.0, [1.0, 2.0, 4.0], 2, 0.5, dof=dof)

    def test_empty_band(self):
        with pytest.raises(ValueError, match=r"No valid scales between 10\.0 and 20\.0"):
            wavelet.significance(1.0, 1.0, [1.0, 2.0, 4.0], 2, 0.5, dof=[10, 20])

    def test_scale_average_untabulated(self):
        with pytest.raises(ValueError, match="Table 2"):
            wavelet.significance(1.0, 1.0, [1.0, 2.0], 2, 0.5, dof=[1, 2], wavelet=Morlet(5))

    @pytest.mark.parametrize("scales", [[1.0], [[1.0, 2.0]], [1.0, -2.0], [0.0, 1.0]])
    def test_bad_scales(self, scales):
        with pytest.raises(ValueError, match="`scales` must be"):
            wavelet.significance(1.0, 1.0, scales, 0, 0.5)

    def test_bad_dt(self):
        with pytest.raises(ValueError, match="`dt` must be > 0"):
            wavelet.significance(1.0, 0, [1.0, 2.0], 0, 0.5)


class TestRednoise:
    @pytest.mark.parametrize("N", [0, -5, 2.5, "10", True])
    def test_bad_length(self, N):
        with pytest.raises(ValueError, match="`N` must be a whole number >= 1"):
            wavelet.rednoise(N, 0.5)

    @pytest.mark.parametrize("g", [1, -1, 1.5, np.nan])
    def test_not_stationary(self, g):
        with pytest.raises(ValueError, match=r"`g` must be in \(-1, 1\)"):
            wavelet.rednoise(10, g)

    def test_negative_innovation(self):
        with pytest.raises(ValueError, match="`a` must be >= 0"):
            wavelet.rednoise(10, 0.5, a=-1)


class TestAr1:
    def test_too_short(self):
        with pytest.raises(ValueError, match="at least 3 samples"):
            wavelet.ar1([1.0, 2.0])


class TestMothers:
    @pytest.mark.parametrize("f0", [0, -6, np.nan])
    def test_morlet_f0(self, f0):
        with pytest.raises(ValueError, match="Morlet `f0` must be > 0"):
            Morlet(f0)

    @pytest.mark.parametrize("cls", [Paul, DOG])
    @pytest.mark.parametrize("m", [0, -2, 2.5])
    def test_order(self, cls, m):
        with pytest.raises(ValueError, match="order `m` must be a whole number >= 1"):
            cls(m)

    @pytest.mark.parametrize("name", WAVELETS)
    def test_names_accepted(self, x, name):
        assert wavelet.cwt(x, 1.0, wavelet=name)[0].shape[1] == x.size
