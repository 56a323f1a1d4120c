"""ar1, ar1_spectrum, rednoise, significance: parity with pycwt and its fixed defects.

pycwt 0.5.0b0 is the oracle where it is right: ``ar1``, ``ar1_spectrum`` and
``significance`` given the variance as a number (for ``sigma_test=2`` up to its
S_mid, the geometric mean of the band's edges, where T&C eq. 28 take the middle of
the scales averaged). Its ``rednoise`` (white noise, no
``g = 0``, global RNG) and its ``significance`` for a series (background evaluated at
the wrong frequencies) and for a scalar ``dof`` (crashes) are the defects fixed here.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import chi2

import pycwt_mod as wavelet
from pycwt_mod import AR1EstimationError
from pycwt_mod.scale_dof import scale_average_dof

WAVELETS = ["morlet", "paul", "dog", "mexicanhat"]


def assert_parity(actual, desired):
    # None of these arrays has zeros: a relative tolerance suffices.
    assert np.shape(actual) == np.shape(desired)
    assert_allclose(actual, desired, rtol=1e-6)


def _lag1(y):
    y = y - y.mean()
    return np.dot(y[:-1], y[1:]) / np.dot(y, y)


def _scales(name, dt=0.5, n=500, dj=1 / 8):
    return wavelet.scale_grid(n, dt, dj, wavelet=name)


class TestAr1:
    @pytest.mark.parametrize("g", [0.0, 0.3, 0.72, -0.4])
    @pytest.mark.parametrize("n", [50, 333, 4097])
    def test_parity(self, pycwt, n, g):
        x = wavelet.rednoise(n, g, rng=n) + 5.0
        assert_parity(wavelet.ar1(x), pycwt.ar1(x))

    def test_parity_real_data(self, pycwt, sunspots, elnino):
        assert_parity(wavelet.ar1(sunspots), pycwt.ar1(sunspots))
        assert_parity(wavelet.ar1(elnino), pycwt.ar1(elnino))

    @pytest.mark.parametrize("g", [0.8, 0.2, -0.6])
    def test_recovers_coefficient(self, g):
        g_hat, a_hat, _ = wavelet.ar1(wavelet.rednoise(50_000, g, a=2.0, rng=7))
        assert g_hat == pytest.approx(g, abs=0.02)
        assert a_hat == pytest.approx(2.0, rel=0.02)

    def test_no_estimate_for_a_trend(self, pycwt):
        ramp = np.arange(10.0)
        with pytest.raises(AR1EstimationError, match="detrend") as info:
            wavelet.ar1(ramp)
        # Both a ValueError and the Warning pycwt raises, so old except clauses work.
        assert isinstance(info.value, ValueError) and isinstance(info.value, Warning)
        with pytest.raises(Warning):
            pycwt.ar1(ramp)


class TestAr1Spectrum:
    @pytest.mark.parametrize("g", [0.0, 0.5, 0.9, -0.7])
    def test_parity(self, pycwt, g):
        freqs = np.linspace(0, 0.5, 257)
        assert_parity(wavelet.ar1_spectrum(freqs, g), pycwt.ar1_spectrum(freqs, g))

    @pytest.mark.parametrize("g", [0.0, 0.5, 0.9, -0.7])
    def test_unit_variance(self, g):
        # The spectrum of unit-variance noise integrates to 1 over [-1/2, 1/2).
        f = np.arange(-4096, 4096) / 8192
        assert np.mean(wavelet.ar1_spectrum(f, g)) == pytest.approx(1.0, rel=1e-9)

    def test_matches_periodogram_of_rednoise(self):
        # Average periodogram of many AR(1) series against the theory.
        g, n = 0.7, 256
        y = np.stack([wavelet.rednoise(n, g, rng=k) for k in range(400)])
        y *= np.sqrt(1 - g**2)  # unit variance
        pgram = np.mean(np.abs(np.fft.rfft(y, axis=1)) ** 2, axis=0) / n
        f = np.fft.rfftfreq(n)
        theory = wavelet.ar1_spectrum(f, g)
        assert_allclose(pgram[1:-1], theory[1:-1], rtol=0.2)  # 400 spectra: ~5% noise


class TestRednoise:
    @pytest.mark.parametrize("g", [0.7, -0.5, 0.95])
    def test_is_red(self, g):
        y = wavelet.rednoise(100_000, g, a=1.5, rng=1)
        assert _lag1(y) == pytest.approx(g, abs=0.02)
        assert y.var() == pytest.approx(1.5**2 / (1 - g**2), rel=0.05)

    def test_pycwt_returns_white_noise(self, pycwt):
        # pycwt draws from numpy's global RNG: seed it, then put its state back.
        state = np.random.get_state()  # noqa: NPY002
        try:
            np.random.seed(1)  # noqa: NPY002
            y = pycwt.rednoise(100_000, 0.7)
        finally:
            np.random.set_state(state)  # noqa: NPY002
        assert abs(_lag1(y)) < 0.02  # the defect: filtered along a length-1 axis
        assert abs(_lag1(wavelet.rednoise(100_000, 0.7, rng=1)) - 0.7) < 0.02

    def test_stationary_from_the_first_sample(self):
        # y[0] is drawn from the stationary distribution: its variance over many draws
        # equals the process variance (no spin-up needed).
        g = 0.9
        first = np.array([wavelet.rednoise(3, g, rng=k)[0] for k in range(4000)])
        assert first.var() == pytest.approx(1 / (1 - g**2), rel=0.1)

    def test_g_zero_is_white(self, pycwt):
        y = wavelet.rednoise(100_000, 0, rng=3)
        assert y.shape == (100_000,)
        assert abs(_lag1(y)) < 0.02 and y.var() == pytest.approx(1.0, rel=0.02)
        with pytest.raises(AttributeError):  # pycwt calls numpy.randn
            pycwt.rednoise(10, 0)

    @pytest.mark.parametrize("n", [1, 2, 17])
    def test_short(self, n):
        y = wavelet.rednoise(n, 0.5, rng=0)
        assert y.shape == (n,) and np.isfinite(y).all()

    def test_reproducible(self):
        a = wavelet.rednoise(1000, 0.6, rng=42)
        assert_allclose(wavelet.rednoise(1000, 0.6, rng=42), a, rtol=0, atol=0)
        assert_allclose(wavelet.rednoise(1000, 0.6, rng=np.random.default_rng(42)), a, atol=0)
        assert not np.allclose(wavelet.rednoise(1000, 0.6, rng=43), a)
        assert not np.allclose(wavelet.rednoise(1000, 0.6), wavelet.rednoise(1000, 0.6))


class TestSignificance:
    @pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
    @pytest.mark.parametrize("alpha", [0.0, 0.72, -0.3])
    @pytest.mark.parametrize("name", WAVELETS)
    def test_parity_local(self, pycwt, name, alpha, level):
        # pycwt is right when the variance is passed as a number.
        sj = _scales(name)
        ours = wavelet.significance(1.0, 0.5, sj, 0, alpha, level, wavelet=name)
        ref = pycwt.significance(1.0, 0.5, sj, 0, alpha, level, wavelet=name)
        assert_parity(ours[0], ref[0])
        assert_parity(ours[1], ref[1])

    @pytest.mark.parametrize("alpha", [0.0, 0.72, -0.3])
    @pytest.mark.parametrize("name", WAVELETS)
    def test_parity_time_average(self, pycwt, name, alpha):
        # sigma_test=1 with one dof per scale. pycwt overwrites fft_theor in place
        # (signif aliases it) and dof too, so compare signif only, on a copy of dof.
        sj = _scales(name)
        dof = np.linspace(300, 0.5, sj.size)  # includes dof < 1, clipped to 1
        ours = wavelet.significance(2.3, 0.5, sj, 1, alpha, 0.95, dof=dof.copy(), wavelet=name)
        ref = pycwt.significance(2.3, 0.5, sj, 1, alpha, 0.95, dof=dof.copy(), wavelet=name)
        assert_parity(ours[0], ref[0])

    @pytest.mark.parametrize("band", [(2, 8), (1.0, 40.0), (5, 5.5)])
    @pytest.mark.parametrize("alpha", [0.0, 0.72])
    @pytest.mark.parametrize("name", WAVELETS)
    def test_parity_scale_average(self, pycwt, name, alpha, band):
        """pycwt's S_mid is the geometric mean of the band's edges; here it is the
        middle of the scales averaged (T&C eq. 28). The background average (eq. 27)
        is the same; the level differs only through the chi-square factor of the
        degrees of freedom, nu_pycwt = nu * S_mid / sqrt(s1 s2); given the edges as
        the band's own scales, the two agree."""
        sj = _scales(name)
        sel = (sj >= band[0]) & (sj <= band[1])
        assert sel.any()  # the band is not empty
        ours = wavelet.significance(2.3, 0.5, sj, 2, alpha, 0.95, dof=list(band), wavelet=name)
        ref = pycwt.significance(2.3, 0.5, sj, 2, alpha, 0.95, dof=list(band), wavelet=name)
        assert_parity(ours[1], ref[1])
        d = scale_average_dof(sj, *band, wavelet=name)
        nu_pycwt = d.dof * d.s_mid / np.sqrt(band[0] * band[1])
        assert not np.isclose(nu_pycwt, d.dof, rtol=1e-5)  # the edges are off the grid
        factor = (chi2.ppf(0.95, d.dof) / d.dof) / (chi2.ppf(0.95, nu_pycwt) / nu_pycwt)
        assert_parity(ours[0], ref[0] * factor)
        edges = [sj[sel][0], sj[sel][-1]]
        ours = wavelet.significance(2.3, 0.5, sj, 2, alpha, 0.95, dof=edges, wavelet=name)
        ref = pycwt.significance(2.3, 0.5, sj, 2, alpha, 0.95, dof=edges, wavelet=name)
        assert_parity(ours[0], ref[0])

    @pytest.mark.parametrize("name", WAVELETS)
    def test_scalar_dof_equals_array_dof(self, pycwt, name):
        sj = _scales(name)
        scalar = wavelet.significance(1.5, 0.5, sj, 1, 0.4, dof=200, wavelet=name)
        dof = np.full(sj.size, 200.0)
        array = wavelet.significance(1.5, 0.5, sj, 1, 0.4, dof=dof, wavelet=name)
        assert_allclose(scalar[0], array[0], rtol=1e-12)
        assert_allclose(scalar[1], array[1], rtol=1e-12)
        with pytest.raises(TypeError):  # pycwt: len() of an int
            pycwt.significance(1.5, 0.5, sj, 1, 0.4, dof=200, wavelet=name)

    @pytest.mark.parametrize("name", WAVELETS)
    def test_time_average_is_stricter_than_local(self, name):
        # More averaged spectra: narrower chi-square, so a lower threshold relative to
        # the background (TC98 eq. 23), tending to the background itself.
        sj = _scales(name)
        local, background = wavelet.significance(1.0, 0.5, sj, 0, 0.5, wavelet=name)
        avg, _ = wavelet.significance(1.0, 0.5, sj, 1, 0.5, dof=500, wavelet=name)
        assert np.all(avg <= local * (1 + 1e-12)) and np.all(avg > background)

    @pytest.mark.parametrize("name", WAVELETS)
    def test_series_equals_variance_and_ar1(self, pycwt, name, elnino):
        x = elnino
        sj = wavelet.scale_grid(x.size, 1 / 12, 1 / 12, wavelet=name)
        g = wavelet.ar1(x)[0]
        for sigma_test, dof in ((0, -1), (1, x.size), (2, [0.5, 4.0])):
            ours = wavelet.significance(x, 1 / 12, sj, sigma_test, dof=dof, wavelet=name)
            by_variance = wavelet.significance(
                x.var(), 1 / 12, sj, sigma_test, alpha=g, dof=dof, wavelet=name
            )
            assert_allclose(ours[0], by_variance[0], rtol=1e-12)
            assert_allclose(ours[1], by_variance[1], rtol=1e-12)
        # pycwt's array path evaluates the background at k / N with N the series
        # length instead of dt / period, which flattens the red spectrum.
        theirs = pycwt.significance(x, 1 / 12, sj, 0, wavelet=name)
        ours = wavelet.significance(x, 1 / 12, sj, 0, wavelet=name)
        assert not np.allclose(theirs[1], ours[1], rtol=0.1)

    @pytest.mark.parametrize("alpha", [0.0, 0.7])
    @pytest.mark.parametrize("name", WAVELETS)
    def test_false_positive_rate(self, name, alpha):
        # On AR(1) noise with the matching background, about 5% of the local power
        # outside the cone of influence exceeds the 95% level (TC98 Sec. 4c-d).
        exceed = inside_total = 0
        for seed in (11, 12):
            x = wavelet.rednoise(8192, alpha, rng=seed)
            W, sj, freqs, coi, _, _ = wavelet.cwt(x, 1.0, 1 / 4, wavelet=name)
            signif, _ = wavelet.significance(x.var(), 1.0, sj, 0, alpha, 0.95, wavelet=name)
            inside = (1 / freqs)[:, None] < coi[None, :]
            exceed += np.sum((np.abs(W) ** 2 > signif[:, None]) & inside)
            inside_total += inside.sum()
        assert 0.035 < exceed / inside_total < 0.07

    def test_variance_needs_alpha(self):
        with pytest.raises(ValueError, match="`alpha`"):
            wavelet.significance(1.0, 1.0, [1.0, 2.0])


class TestAR1YuleWalker:
    def test_hand_value_and_statsmodels(self):
        x = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
        c = x - 3.0  # [-2, 0, -1, 2, 1]
        expected = (0 + 0 - 2 + 2) / (c @ c)
        assert wavelet.ar1_yule_walker(x) == pytest.approx(expected, abs=0)
        acf = pytest.importorskip("statsmodels.tsa.stattools").acf
        y = wavelet.rednoise(500, 0.6, rng=np.random.default_rng(3))
        assert wavelet.ar1_yule_walker(y) == pytest.approx(acf(y, nlags=1)[1], rel=1e-12)

    def test_ramp_has_a_value_inside_the_unit_interval(self):
        ramp = np.arange(50.0)  # the plan's sample data: no unbiased estimate exists
        with pytest.raises(wavelet.AR1EstimationError):
            wavelet.ar1(ramp)
        assert -1 < wavelet.ar1_yule_walker(ramp) < 1

    def test_constant_series(self):
        with pytest.raises(ValueError, match="constant"):
            wavelet.ar1_yule_walker(np.ones(8))
