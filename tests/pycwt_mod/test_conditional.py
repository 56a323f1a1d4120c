"""Tests of `pycwt_mod.conditional` and `pycwt_mod.partial`: the cross-spectral matrix,
partial and multiple coherence, their limiting cases and their equivalent forms."""

from __future__ import annotations

import numpy as np
import pytest

import pycwt_mod as wavelet
from pycwt_mod.conditional import (
    cross_spectral_matrix,
    multiple_coherence,
    partial_coherence,
)

DT, DJ = 1.0, 0.25


def _outside_coi(M):
    return (1 / M.freqs)[:, None] <= M.coi[None, :]


@pytest.fixture(scope="module")
def four():
    """y and x driven by z, and w independent of all: 256 samples, 21 scales (the
    largest, near singular inside the cone of influence, are left out)."""
    rng = np.random.default_rng(1)
    n = 256
    z = rng.standard_normal(n)
    y, x, w = z + rng.standard_normal(n), z + rng.standard_normal(n), rng.standard_normal(n)
    return (y, x, z, w), cross_spectral_matrix([y, x, z, w], DT, DJ, J=20)


class TestCrossSpectralMatrix:
    def test_hermitian_with_the_coherence_blocks(self, four):
        (y, x, *_), M = four
        assert M.S.shape == (4, 4, 21, 256) and M.k == 4
        np.testing.assert_array_equal(M.S, np.conj(np.swapaxes(M.S, 0, 1)))
        assert np.all(M.S[range(4), range(4)].imag == 0)
        R2, _, coi, freq, _ = wavelet.wct(y, x, DT, dj=DJ, J=20, sig=False)
        S = M.S
        np.testing.assert_allclose(np.abs(S[0, 1]) ** 2 / (S[0, 0].real * S[1, 1].real), R2,
                                   rtol=1e-12)  # fmt: skip
        np.testing.assert_array_equal(M.coi, coi)
        np.testing.assert_array_equal(M.freqs, freq)

    def test_the_record_and_the_full_matrix_give_the_same_coherences(self, four):
        _, M = four
        before = [a.copy() for a in M.auto]
        assert len(M.cross) == 6  # the upper triangle only
        np.testing.assert_array_equal(partial_coherence(M)[0], partial_coherence(M.S)[0])
        np.testing.assert_array_equal(multiple_coherence(M), multiple_coherence(M.S))
        for a, b in zip(M.auto, before, strict=True):  # the sweep works on copies
            np.testing.assert_array_equal(a, b)
        with pytest.raises(ValueError, match=r"shape \(k, k, ...\) with k >= 2"):
            partial_coherence(np.ones((3, 2, 4)))

    def test_validates(self):
        x = np.arange(64.0)
        with pytest.raises(ValueError, match="at least 2 series"):
            cross_spectral_matrix([x], DT)
        with pytest.raises(ValueError, match=r"same length \(got y: 64, x: 63\)"):
            cross_spectral_matrix([x, x[:-1]], DT, names=["y", "x"])
        with pytest.raises(ValueError, match="cannot normalize `z`"):
            cross_spectral_matrix([x, np.sin(x), np.ones(64)], DT, names=["y", "x", "z"])
        with pytest.raises(ValueError, match="`names` must name each of the 2"):
            cross_spectral_matrix([x, x], DT, names=["y"])


class TestEquivalentForms:
    def test_partial_equals_the_inverse_form(self, four):
        # Partial coherence from the inverse G = S^-1: |G_01|^2 / (G_00 G_11).
        _, M = four
        r2, phase = partial_coherence(M.S)
        G = np.linalg.inv(np.moveaxis(M.S, (0, 1), (-2, -1)))
        ref = np.abs(G[..., 0, 1]) ** 2 / (G[..., 0, 0].real * G[..., 1, 1].real)
        np.testing.assert_allclose(r2, ref, rtol=1e-10, atol=1e-12)
        # the partial coherency is -G_01 / sqrt(G_00 G_11): its phase is arg(-G_01)
        ok = r2 > 1e-3
        np.testing.assert_allclose(np.angle(-G[..., 0, 1] * np.exp(-1j * phase))[ok], 0,
                                   atol=1e-8)  # fmt: skip

    def test_partial_with_one_removed_series_is_mihanovic(self, four):
        _, M = four
        S = M.S[:3, :3]

        def R(i, j):  # complex coherency
            return S[i, j] / np.sqrt(S[i, i].real * S[j, j].real)

        ref = np.abs(R(0, 1) - R(0, 2) * R(2, 1)) ** 2 / (
            (1 - np.abs(R(0, 2)) ** 2) * (1 - np.abs(R(1, 2)) ** 2)
        )
        np.testing.assert_allclose(partial_coherence(S)[0], ref, rtol=1e-10, atol=1e-12)

    @pytest.mark.parametrize("k", [2, 3, 4])
    def test_multiple_equals_the_determinant_form(self, four, k):
        _, M = four
        A = np.moveaxis(M.S[:k, :k], (0, 1), (-2, -1))
        ref = 1 - np.linalg.det(A).real / (A[..., 0, 0].real * np.linalg.det(A[..., 1:, 1:]).real)
        np.testing.assert_allclose(multiple_coherence(M.S[:k, :k]), ref, rtol=1e-9, atol=1e-11)


class TestLimitingCases:
    def test_multiple_with_one_predictor_is_the_ordinary_coherence(self, four):
        (y, x, *_), _ = four
        R2, *_ = wavelet.wct(y, x, DT, dj=DJ, J=20, sig=False)
        M2, _, _, sig = wavelet.multiple_wct(y, [x], DT, dj=DJ, J=20, sig=False)
        np.testing.assert_allclose(M2, R2, rtol=1e-10)
        np.testing.assert_array_equal(sig, [0])

    def test_partial_of_two_series_is_the_ordinary_coherence(self, four):
        (y, x, *_), M = four
        R2, *_ = wavelet.wct(y, x, DT, dj=DJ, J=20, sig=False)
        np.testing.assert_allclose(partial_coherence(M.S[:2, :2])[0], R2, rtol=1e-10)

    def test_values_stay_in_the_unit_interval(self, four):
        _, M = four
        for r2 in (partial_coherence(M.S)[0], multiple_coherence(M.S),
                   partial_coherence(M.S[:3, :3])[0]):  # fmt: skip
            assert np.isfinite(r2).all()
            assert r2.min() >= 0 and r2.max() <= 1
        # more predictors never explain less (nested least squares, pointwise)
        m2, m3, m4 = (multiple_coherence(M.S[:k, :k]) for k in (2, 3, 4))
        assert np.all(m3 >= m2 - 1e-12) and np.all(m4 >= m3 - 1e-12)

    def test_invariant_to_rescaling_and_order_of_the_removed_series(self, four):
        (y, x, z, w), M = four
        kw = dict(dj=DJ, J=20, sig=False, normalize=False)
        a = wavelet.partial_wct(y, x, [z, w], DT, **kw)[0]
        b = wavelet.partial_wct(3 * y, -x / 7, [w * 5, z], DT, **kw)[0]
        # Equal up to rounding: the sweep divides by conditional spectra, small where
        # the smoothing window holds few independent samples (the largest scales).
        np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(a, partial_coherence(M.S)[0], rtol=1e-7, atol=1e-10)

    def test_independent_removed_series_leaves_the_ordinary_coherence(self):
        # y and x share a signal (coherence 0.8^2 = 0.64 in every band); z is
        # independent of both. Over the 12 seeds 0..11 of this set-up (n = 2048, 25
        # scales) the mean over the points outside the cone of influence of
        # ordinary - partial was -0.005 +- 0.006 (largest |difference| 0.014), while
        # a driving z moves it by 0.39 +- 0.02 (test below): 0.03 is five standard
        # deviations of the first and a tenth of the second.
        rng = np.random.default_rng(3)
        n = 2048
        s = 2 * rng.standard_normal(n)
        y, x, z = s + rng.standard_normal(n), s + rng.standard_normal(n), rng.standard_normal(n)
        M = cross_spectral_matrix([y, x, z], DT, DJ, J=24)
        ok = _outside_coi(M)
        ordinary = partial_coherence(M.S[:2, :2])[0][ok].mean()
        partial = partial_coherence(M.S)[0][ok].mean()
        assert ordinary > 0.6
        assert abs(ordinary - partial) < 0.03

    def test_a_common_driver_makes_the_partial_coherence_drop(self):
        # y and x are both 2 z + noise: their ordinary coherence is near 16/17 at
        # every scale, but given z they are independent; the partial coherence falls
        # to the level of two independent noises (about 0.3 for this smoothing).
        rng = np.random.default_rng(4)
        n = 2048
        z = rng.standard_normal(n)
        y, x = 2 * z + rng.standard_normal(n), 2 * z + rng.standard_normal(n)
        M = cross_spectral_matrix([y, x, z], DT, DJ, J=24)
        ok = _outside_coi(M)
        ordinary = partial_coherence(M.S[:2, :2])[0][ok].mean()
        partial = partial_coherence(M.S)[0][ok].mean()
        e1, e2 = rng.standard_normal((2, n))
        null = partial_coherence(cross_spectral_matrix([e1, e2], DT, DJ, J=24).S)[0][ok].mean()
        assert ordinary > 0.6 and ordinary - partial > 0.25
        assert abs(partial - null) < 0.1
        # and the multiple coherence of y with (x, z) is at least the ordinary one
        assert multiple_coherence(M.S)[ok].mean() >= ordinary


class TestPartialWct:
    def test_forms_of_the_removed_series(self, four):
        (y, x, z, w), _ = four
        kw = dict(dj=DJ, J=20, sig=False)
        one = wavelet.partial_wct(y, x, z, DT, **kw)
        np.testing.assert_array_equal(one[0], wavelet.partial_wct(y, x, [z], DT, **kw)[0])
        np.testing.assert_array_equal(one[0], wavelet.partial_wct(y, x, list(z), DT, **kw)[0])
        two = wavelet.partial_wct(y, x, np.stack([z, w]), DT, **kw)
        np.testing.assert_array_equal(two[0], wavelet.partial_wct(y, x, [z, w], DT, **kw)[0])
        P, aP, coi, freq, sig = two
        assert P.shape == aP.shape == (21, 256) and coi.shape == (256,) and freq.shape == (21,)
        np.testing.assert_array_equal(sig, [0])

    def test_errors_name_the_series(self):
        x = np.sin(np.arange(64.0))
        with pytest.raises(ValueError, match="`z` must hold at least one series"):
            wavelet.partial_wct(x, x, [], DT)
        with pytest.raises(ValueError, match="z: 63"):
            wavelet.partial_wct(x, x, x[:-1], DT, sig=False)
        with pytest.raises(ValueError, match="`significance_level`"):
            wavelet.partial_wct(x, x, x, DT, significance_level=1.5)
