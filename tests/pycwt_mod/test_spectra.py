"""Global wavelet spectrum, scale-averaged power and global coherence (T&C 1998 Sec. 5).

The Nino3 checks use the seasonal Nino3 SST record of Torrence & Compo (1998),
1871-1996 (dt = 0.25 yr), shipped with pycwt (a test dependency), on their grid
(s0 = 2 dt, dj = 0.25, J = 28) and their red-noise lag-1 autocorrelation 0.72.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import chi2

import pycwt_mod as pm
from pycwt_mod.scale_dof import scale_average_dof
from pycwt_mod.spectra import global_coherence, global_wavelet_spectrum, scale_averaged_power

DT, DJ, S0, J, ALPHA = 0.25, 0.25, 0.5, 28, 0.72  # Torrence & Compo (1998), Sec. 2-4


@pytest.fixture(scope="module")
def nino3():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sample = pytest.importorskip("pycwt.sample")
    x = np.loadtxt(Path(sample.__file__).parent / "sst_nino3.dat")
    W, sj, freqs, _, _, _ = pm.cwt(x, DT, DJ, S0, J)
    year = 1871 + DT * np.arange(x.size)
    return x, year, np.abs(W) ** 2, sj, 1 / freqs


@pytest.fixture(scope="module")
def nino3_sec5b(nino3):
    """The Nino3 transform with T&C's dj = 0.125 of Sec. 5b (J = 7 / dj)."""
    x = nino3[0]
    W, sj, freqs, _, _, _ = pm.cwt(x, DT, 0.125, S0, 56)
    return x, np.abs(W) ** 2, sj, 1 / freqs


class TestGlobalWaveletSpectrum:
    def test_nino3_eq_22_23_by_hand(self, nino3):
        x, _, power, sj, _ = nino3
        glbl, signif, n_a = global_wavelet_spectrum(power, sj, DT, x.var(), ALPHA)
        assert_allclose(glbl, power.mean(axis=1))
        assert (n_a == x.size).all()
        # eq. 16 background at the normalised frequency dt/period, eq. 23 dof
        m = pm.Morlet(6)
        f = DT / (m.flambda() * sj)
        background = x.var() * (1 - ALPHA**2) / (1 + ALPHA**2 - 2 * ALPHA * np.cos(2 * np.pi * f))
        nu = 2 * np.sqrt(1 + (x.size * DT / (2.32 * sj)) ** 2)
        assert_allclose(signif, background * chi2.ppf(0.95, nu) / nu, rtol=1e-12)

    def test_nino3_enso_peak_is_significant(self, nino3):
        """T&C Fig. 1c: the global spectrum peaks above the 95% level in the ENSO band."""
        x, _, power, sj, period = nino3
        glbl, signif, _ = global_wavelet_spectrum(power, sj, DT, x.var(), ALPHA)
        k = np.argmax(glbl)
        assert 2 <= period[k] <= 8
        assert glbl[k] > signif[k]

    def test_mask_leaves_points_out(self):
        power = np.array([[1.0, 2.0, 3.0, 6.0], [4.0, 4.0, 4.0, 4.0]])
        mask = np.array([[False, False, False, True], [True, True, True, True]])
        glbl, signif, n_a = global_wavelet_spectrum(power, [1.0, 2.0], 1.0, 1.0, 0.0, mask=mask)
        assert_allclose(glbl, [2.0, np.nan])
        assert list(n_a) == [3, 0]
        assert np.isfinite(signif[0]) and np.isnan(signif[1])

    def test_more_points_lower_threshold(self, nino3):
        x, _, power, sj, _ = nino3
        _, full, _ = global_wavelet_spectrum(power, sj, DT, x.var(), ALPHA)
        half = np.zeros(power.shape, dtype=bool)
        half[:, ::2] = True
        _, fewer, _ = global_wavelet_spectrum(power, sj, DT, x.var(), ALPHA, mask=half)
        assert (fewer >= full).all() and (fewer > full).any()

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match=r"`power` must be 2-D, \(n_scales, n_times\)"):
            global_wavelet_spectrum(np.ones((3, 4)), [1.0, 2.0], 1.0, 1.0, 0.0)


class TestScaleAveragedPower:
    def test_nino3_eq_24_to_28_by_hand(self, nino3):
        x, _, power, sj, period = nino3
        band = (period[sj >= 2][0], period[sj < 8][-1])  # T&C's 2-8 yr scales
        avg, signif = scale_averaged_power(power, sj, DT, DJ, x.var(), ALPHA, band)
        sel = (sj >= 2) & (sj < 8)
        assert sel.sum() == 8
        assert_allclose(avg, DJ * DT / 0.776 * (power[sel] / sj[sel, None]).sum(axis=0))
        # eq. 25-28 with Savg, Smid, na = 8, deltaj0 = 0.60
        s = sj[sel]
        savg = 1 / np.sum(1 / s)
        smid = np.sqrt(s[0] * s[-1])
        nu = 2 * 8 * savg / smid * np.sqrt(1 + (8 * DJ / 0.60) ** 2)
        m = pm.Morlet(6)
        f = DT / (m.flambda() * s)
        pk = x.var() * (1 - ALPHA**2) / (1 + ALPHA**2 - 2 * ALPHA * np.cos(2 * np.pi * f))
        expected = DJ * DT / 0.776 * np.sum(pk / s) * chi2.ppf(0.95, nu) / nu
        assert signif == pytest.approx(expected, rel=1e-12)

    def test_nino3_quiet_1920_1960_and_1982_el_nino(self, nino3):
        """T&C Sec. 5b, Fig. 1d: 2-8 yr variance low 1920-60, significant in 1982-83."""
        x, year, power, sj, period = nino3
        band = (period[sj >= 2][0], period[sj < 8][-1])
        avg, signif = scale_averaged_power(power, sj, DT, DJ, x.var(), ALPHA, band)
        assert (avg[(year > 1920) & (year < 1960)] < signif).all()
        assert avg[(year > 1982) & (year < 1984)].max() > signif

    def test_nino3_sec_5b_figures(self, nino3_sec5b):
        """T&C Sec. 5b (Fig. 8): dj = 0.125, the 2-8 yr band (actually 2.1-7.6 yr),
        n_a = 16, S_avg = 0.221 yr, S_mid = 3.83 yr, nu = 6.44 (figures as printed,
        to their last digit)."""
        x, power, sj, period = nino3_sec5b
        in_band = (period >= 2) & (period <= 8)
        assert period[in_band][0] == pytest.approx(2.1, abs=0.05)
        assert period[in_band][-1] == pytest.approx(7.6, abs=0.05)
        m = pm.Morlet(6)
        d = scale_average_dof(sj, 2 / m.flambda(), 8 / m.flambda())
        assert d.n_a == 16
        assert d.s_avg == pytest.approx(0.221, abs=5e-4)
        assert d.s_mid == pytest.approx(3.83, abs=5e-3)
        assert d.dof == pytest.approx(6.44, abs=1e-2)
        # the geometric mean of the edges (pycwt 0.5, T&C's wave_signif) is not it
        assert np.sqrt(2 * 8) / m.flambda() == pytest.approx(3.87, abs=5e-3)
        # scale_averaged_power and significance(sigma_test=2) use these figures
        _, signif = scale_averaged_power(power, sj, DT, 0.125, x.var(), ALPHA, (2, 8))
        level, background = pm.significance(
            x.var(), DT, sj, 2, ALPHA, dof=[2 / m.flambda(), 8 / m.flambda()]
        )
        nu = 6.434606957
        assert signif == pytest.approx(level, rel=1e-12)
        assert level == pytest.approx(
            0.125 * DT / 0.776 / d.s_avg * background * chi2.ppf(0.95, nu) / nu, rel=1e-8
        )

    def test_band_without_scales(self):
        sj = 2.0 ** np.arange(4)
        with pytest.raises(
            ValueError, match=r"holds no period of the transform \(periods run from 1.033"
        ):
            scale_averaged_power(np.ones((4, 8)), sj, 1.0, 1.0, 1.0, 0.0, (1.5, 1.9))

    @pytest.mark.parametrize("band", [(4.0, 2.0), (-1.0, 2.0), (1.0,), "ab"])
    def test_bad_band(self, band):
        with pytest.raises(ValueError, match="`band` must be two periods"):
            scale_averaged_power(np.ones((4, 8)), 2.0 ** np.arange(4), 1.0, 1.0, 1.0, 0.0, band)

    def test_wavelet_without_cdelta(self):
        with pytest.raises(ValueError, match="scale-averaged power"):
            scale_averaged_power(
                np.ones((4, 8)),
                2.0 ** np.arange(4),
                1.0,
                1.0,
                1.0,
                0.0,
                (1, 9),
                wavelet=pm.Morlet(5),
            )


class TestGlobalCoherence:
    def test_hand_average_outside_the_cone(self):
        WCT = np.array([[0.2, 0.4, 0.6, 0.8], [0.1, 0.5, 0.9, 0.3], [1.0, 1.0, 1.0, 1.0]])
        period = np.array([1.0, 2.0, 5.0])
        coi = np.array([1.0, 3.0, 3.0, 1.0])
        assert_allclose(global_coherence(WCT, coi, period), [0.5, 0.7, np.nan])

    def test_mask(self):
        WCT = np.array([[0.2, 0.4, 0.6, 0.8]])
        mask = np.array([[False, True, True, False]])
        assert_allclose(global_coherence(WCT, np.full(4, 9.0), [1.0], mask=mask), [0.5])

    def test_shape_mismatch(self):
        with pytest.raises(
            ValueError, match=r"`WCT` must have shape \(len\(period\), len\(coi\)\)"
        ):
            global_coherence(np.ones((2, 3)), np.ones(4), [1.0, 2.0])
