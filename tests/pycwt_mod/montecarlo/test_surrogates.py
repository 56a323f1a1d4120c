"""Surrogate families: the property each preserves, seeding, validation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft

import pycwt_mod as wavelet
from pycwt_mod.montecarlo import surrogates as S
from pycwt_mod.significance import ar1_filter


@pytest.fixture(scope="module")
def red():
    return wavelet.rednoise(300, 0.7, rng=11) + 2.0


class TestAr1Surrogates:
    def test_lag1_autocorrelation_within_sampling_error(self):
        g, n, count = 0.6, 400, 200
        y = S.ar1_surrogates(n, g, count, seed=3)
        yc = y - y.mean(axis=1, keepdims=True)
        r1 = (yc[:, 1:] * yc[:, :-1]).sum(1) / (yc * yc).sum(1)
        # Each estimate has sd ~ sqrt((1 - g^2) / n) ~ 0.04 and a bias ~ -(1 + 3g) / n.
        se = np.sqrt((1 - g**2) / n) / np.sqrt(count)
        bias = -(1 + 3 * g) / n
        assert abs(r1.mean() - (g + bias)) < 4 * se
        assert abs(r1.std() - np.sqrt((1 - g**2) / n)) < 0.01

    def test_stationary_variance(self):
        y = S.ar1_surrogates(64, 0.8, 4000, seed=1)
        # first and last samples have the same variance 1 / (1 - g^2) = 2.78
        assert y[:, 0].var() == pytest.approx(1 / (1 - 0.64), rel=0.08)
        assert y[:, -1].var() == pytest.approx(1 / (1 - 0.64), rel=0.08)

    def test_seeding_is_the_engines_convention(self, red):
        # pair k: standard_normal((2, n)) from SeedSequence(seed, spawn_key=(k,)),
        # row 0 filtered with y1's AR(1), row 1 with y2's (mc_kernel.pair_noise)
        other = wavelet.rednoise(300, 0.2, rng=12)
        pairs = S.pair_surrogates(red, other, "ar1", 5, seed=9, start=3)
        g1, g2 = wavelet.ar1(red)[0], wavelet.ar1(other)[0]
        for i, k in enumerate(range(3, 8)):
            rng = np.random.default_rng(np.random.SeedSequence(9, spawn_key=(k,)))
            e = rng.standard_normal((2, 300))
            np.testing.assert_array_equal(pairs[i, 0], ar1_filter(e[0], g1))
            np.testing.assert_array_equal(pairs[i, 1], ar1_filter(e[1], g2))
        single = S.ar1_surrogates(300, 0.5, 2, seed=9, start=4)
        e = np.random.default_rng(np.random.SeedSequence(9, spawn_key=(5,))).standard_normal(300)
        np.testing.assert_array_equal(single[1], ar1_filter(e, 0.5))

    def test_like_x_matches_mean_and_variance(self, red):
        y = S.surrogates(red, "ar1", 400, seed=2)
        assert y.mean() == pytest.approx(red.mean(), abs=0.1)
        assert y.std(axis=1).mean() == pytest.approx(red.std(), rel=0.1)


class TestPhaseSurrogates:
    def test_modulus_of_fft_is_exact(self, red):
        y = S.phase_surrogates(red, 8, seed=4)
        np.testing.assert_allclose(
            np.abs(scipy.fft.fft(y, axis=1)), np.tile(np.abs(scipy.fft.fft(red)), (8, 1)),
            rtol=1e-10, atol=1e-9,
        )  # fmt: skip
        assert not np.allclose(y[0], red)

    def test_odd_length(self):
        x = wavelet.rednoise(101, 0.5, rng=1)
        y = S.phase_surrogates(x, 3, seed=0)
        np.testing.assert_allclose(np.abs(np.fft.rfft(y)), np.tile(np.abs(np.fft.rfft(x)), (3, 1)))


class TestIaaftSurrogates:
    def test_sorted_values_exact_spectrum_close(self, red):
        y = S.iaaft_surrogates(red, 6, seed=5)
        np.testing.assert_array_equal(np.sort(y, axis=1), np.tile(np.sort(red), (6, 1)))
        P0 = np.abs(np.fft.rfft(red - red.mean())) ** 2
        P = np.abs(np.fft.rfft(y - y.mean(axis=1, keepdims=True))) ** 2
        err = np.abs(P - P0).sum(1) / P0.sum()
        assert err.max() < 0.05  # the rank step costs a few per cent of the spectrum
        shuffled = np.random.default_rng(0).permutation(red)
        Ps = np.abs(np.fft.rfft(shuffled - shuffled.mean())) ** 2
        assert np.abs(Ps - P0).sum() / P0.sum() > 10 * err.max()  # far better than a shuffle

    def test_amplitude_distribution_of_skewed_series(self):
        x = np.exp(wavelet.rednoise(256, 0.6, rng=3))  # lognormal: phase would lose it
        y = S.iaaft_surrogates(x, 2, seed=1)
        assert np.array_equal(np.sort(y[0]), np.sort(x))
        assert (y > 0).all()
        assert (S.phase_surrogates(x, 4, seed=1) < 0).any()  # phase loses positivity


@pytest.mark.parametrize("family", S.SURROGATES)
class TestSeeding:
    def test_chunks_equal_whole(self, family, red):
        whole = S.surrogates(red, family, 7, seed=8)
        parts = np.concatenate(
            [S.surrogates(red, family, 3, seed=8), S.surrogates(red, family, 4, seed=8, start=3)]
        )
        np.testing.assert_array_equal(whole, parts)
        other = S.surrogates(red, family, 7, seed=9)
        assert not np.array_equal(whole, other)

    def test_pair_chunks_equal_whole(self, family, red):
        other = red[::-1].copy()
        whole = S.pair_surrogates(red, other, family, 5, seed=8)
        parts = np.concatenate(
            [
                S.pair_surrogates(red, other, family, 2, seed=8),
                S.pair_surrogates(red, other, family, 3, seed=8, start=2),
            ]
        )
        np.testing.assert_array_equal(whole, parts)
        assert whole.shape == (5, 2, red.size)
        assert not np.allclose(whole[:, 0], whole[:, 1])


class TestRegistryAndHash:
    def test_names(self):
        assert S.SURROGATES == ("ar1", "phase", "iaaft")
        x = np.random.default_rng(3).standard_normal(64)
        for name in S.SURROGATES:
            np.testing.assert_array_equal(
                S.get_surrogate(name)(x, 2, 5), S.surrogates(x, name, 2, 5)
            )
        assert S.get_surrogate("phase") is S.phase_surrogates
        assert S.get_surrogate("iaaft") is S.iaaft_surrogates

    def test_unknown_name_lists_names(self):
        with pytest.raises(ValueError, match=r"'ar1', 'phase', 'iaaft'.*got 'white'"):
            S.get_surrogate("white")
        with pytest.raises(ValueError, match="`surrogate` must be one of 'ar1', 'phase', 'iaaft'"):
            wavelet.areawise_power(np.arange(10.0), 1.0, surrogate="bootstrap")

    def test_data_hash(self, red):
        h = S.data_hash(red)
        assert len(h) == 64 and h == S.data_hash(red.copy())
        assert h != S.data_hash(red[:-1]) and h != S.data_hash(red, red)
        assert S.data_hash([1, 2]) == S.data_hash(np.array([1.0, 2.0]))
        y = red.copy()
        y[5] += 1e-12
        assert S.data_hash(y) != h

    @pytest.mark.parametrize(
        "call, match",
        [
            (lambda: S.ar1_surrogates(10, 1.0, 2, 0), "`g` must be in"),
            (lambda: S.ar1_surrogates(0, 0.5, 2, 0), "`n` must be a whole number >= 1 .got 0"),
            (lambda: S.phase_surrogates(np.ones(10), 0, 0), "`count`.*got 0"),
            (lambda: S.phase_surrogates(np.ones(10), 2, -1), "`seed`.*got -1"),
            (lambda: S.iaaft_surrogates(np.ones(10), 2, 0, max_iter=0), "`max_iter`"),
            (lambda: S.phase_surrogates([1.0, np.nan, 2.0, 3.0], 2, 0), "finite"),
            (lambda: S.pair_surrogates(np.ones(10), np.ones(9), "phase", 2, 0), "same length"),
        ],
    )
    def test_validation(self, call, match):
        with pytest.raises(ValueError, match=match):
            call()
