"""Bias-rectified power and cross spectrum (`Spectrum.rectify`; Liu et al. 2007,
Veleda et al. 2012): `pycwt_mod.spectra.rectified` and the pipeline's option.

The check is Liu et al.'s: sines of one amplitude at widely different periods give
one rectified peak, where the unrectified power grows in proportion to the period.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod as pm
from pycwt_mod import pipeline as P
from pycwt_mod.options import Preprocessing, ScaleGrid, Spectrum
from pycwt_mod.spectra import global_wavelet_spectrum, rectified

N = 4096
T = np.arange(N, dtype=float)
#: Off the scale grid on purpose (dj = 1/24): a peak falls between two scales.
PERIODS = (5.0, 45.0, 400.0)
GRID = ScaleGrid(dt=1.0, dj=1 / 24)
RAW = Preprocessing(normalize=False)
RECTIFY = Spectrum(rectify=True)


def _mean_outside_coi(power, period, coi):
    inside = period[:, None] <= coi[None, :]
    with np.errstate(invalid="ignore"):
        return np.where(inside, power, 0).sum(axis=1) / inside.sum(axis=1)


def _peaks(power, period, coi):
    """Per planted period, the largest time-mean power outside the cone within half
    an octave and a bit (the sines are 3 octaves apart)."""
    mean = _mean_outside_coi(power, period, coi)
    out = []
    for p in PERIODS:
        near = (period > p / 2**1.5) & (period < p * 2**1.5)
        out.append(mean[near].max())
    return np.array(out)


@pytest.fixture(scope="module")
def sines():
    return sum(np.sin(2 * np.pi * T / p) for p in PERIODS)


class TestLiu2007:
    def test_equal_amplitudes_equal_rectified_peaks(self, sines):
        raw = P.analyze_cwt(sines, GRID, RAW)
        rect = P.analyze_cwt(sines, GRID, RAW, spectrum=RECTIFY)
        period = 1 / raw.freqs
        peaks_raw = _peaks(raw.power, period, raw.coi)
        peaks_rect = _peaks(rect.power, period, rect.coi)
        # unrectified: the peak grows as the period (ratios 9 and 8.9, within 3%)
        ratios = np.array(PERIODS[1:]) / PERIODS[:-1]
        assert_allclose(peaks_raw[1:] / peaks_raw[:-1], ratios, rtol=0.03)
        # rectified: one peak for one amplitude, within 2% (the scale grid's step)
        assert_allclose(peaks_rect / peaks_rect.mean(), 1.0, rtol=0.02)
        assert peaks_raw[-1] / peaks_raw[0] > 70

    def test_on_grid_periods_are_exact(self):
        x = sum(np.sin(2 * np.pi * T / p) for p in (4.0, 32.0, 256.0))
        a = P.analyze_cwt(x, GRID, RAW, spectrum=RECTIFY)
        period = 1 / a.freqs
        mean = _mean_outside_coi(a.power, period, a.coi)
        at = [np.argmin(abs(period - p)) for p in (4.0, 32.0, 256.0)]
        assert_allclose(mean[at], mean[at[0]], rtol=1e-6)

    def test_white_noise_rectified_falls_as_one_over_scale(self):
        """The other side of the coin: white noise, flat in |W|^2 (T&C eq. 16 with
        alpha = 0), falls as 1/s rectified: a log-log slope of -1."""
        x = pm.rednoise(N, 0.0, rng=5)
        a = P.analyze_cwt(x, GRID, RAW, spectrum=RECTIFY)
        period = 1 / a.freqs
        glbl = _mean_outside_coi(a.power, period, a.coi)
        keep = period <= 64  # enough independent points for a stable average
        slope = np.polyfit(np.log(a.scales[keep]), np.log(glbl[keep]), 1)[0]
        assert slope == pytest.approx(-1.0, abs=0.1)


class TestPipeline:
    def test_power_and_level_divided_by_scale_mask_unchanged(self, sines):
        raw = P.analyze_cwt(sines, GRID, RAW, significance_level=0.95)
        rect = P.analyze_cwt(sines, GRID, RAW, significance_level=0.95, spectrum=RECTIFY)
        assert rect.rectify and not raw.rectify
        assert_array_equal(rect.wave, raw.wave)  # the transform itself is kept
        assert_allclose(rect.power, raw.power / raw.scales[:, None], rtol=1e-15)
        assert_allclose(rect.sig95, raw.sig95 / raw.scales, rtol=1e-15)
        same = (rect.power > rect.sig95[:, None]) == (raw.power > raw.sig95[:, None])
        assert same.mean() > 0.9999  # up to rounding at the level itself

    def test_power_test_rectify(self, sines):
        raw = P.analyze_cwt(sines, GRID, RAW)
        plain = P.power_test(raw.series, 1.0, raw.scales, 0.95, wavelet="morlet")
        rect = P.power_test(raw.series, 1.0, raw.scales, 0.95, wavelet="morlet", rectify=True)
        assert_allclose(rect[0], plain[0] / raw.scales, rtol=1e-15)
        assert rect[1:] == plain[1:]

    def test_cross_spectrum_veleda(self, sines):
        """Veleda et al. (2012): the cross spectrum over the scale; the phase kept.
        A sine pair shifted by a quarter period: one rectified peak per period."""
        other = sum(np.sin(2 * np.pi * (T - p / 4) / p) for p in PERIODS)
        raw = P.analyze_xwt(sines, other, GRID, RAW)
        rect = P.analyze_xwt(sines, other, GRID, RAW, spectrum=RECTIFY)
        assert rect.rectify
        assert_allclose(rect.xwt, raw.xwt / raw.scales[:, None], rtol=1e-15)
        assert_allclose(np.angle(rect.xwt), np.angle(raw.xwt), atol=1e-12)
        assert_allclose(rect.signif, raw.signif / raw.scales, rtol=1e-15)
        period = 1 / raw.freqs
        peaks = _peaks(np.abs(rect.xwt), period, rect.coi)
        assert_allclose(peaks / peaks.mean(), 1.0, rtol=0.02)
        peaks_raw = _peaks(np.abs(raw.xwt), period, raw.coi)
        assert peaks_raw[-1] / peaks_raw[0] > 70


class TestSpectra:
    def test_global_spectrum_rectified(self, sines):
        a = P.analyze_cwt(sines, GRID, RAW)
        plain = global_wavelet_spectrum(a.power, a.scales, 1.0, sines.var(), 0.0)
        rect = global_wavelet_spectrum(a.power, a.scales, 1.0, sines.var(), 0.0, rectify=True)
        assert_allclose(rect[0], plain[0] / a.scales, rtol=1e-15)
        assert_allclose(rect[1], plain[1] / a.scales, rtol=1e-15)
        assert_array_equal(rect[2], plain[2])

    def test_rectified_shapes(self):
        s = np.array([1.0, 2.0, 4.0])
        assert_allclose(rectified([2.0, 2.0, 2.0], s), [2.0, 1.0, 0.5])
        assert_allclose(rectified(np.ones((3, 2)) * 4j, s)[:, 0], [4j, 2j, 1j])
        with pytest.raises(ValueError, match="one row per scale"):
            rectified(np.ones((2, 5)), s)

    def test_option_validation(self):
        assert Spectrum().rectify is False and Spectrum(np.bool_(True)).rectify is True
        with pytest.raises(ValueError, match="`rectify` must be true or false"):
            Spectrum(rectify=1)
