"""`pipeline.reconstruct_cwt` and `pipeline.phase_of`: the library functions on an
analysis' own selection (its cone, gap mask and pointwise test)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod as pm
from pycwt_mod import pipeline as P
from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid, Spectrum
from pycwt_mod.phase import phase_statistics
from pycwt_mod.reconstruct import reconstruct

N = 512
T = np.arange(N, dtype=float)
DT = 0.5
GRID = ScaleGrid(dt=DT, dj=1 / 8)
RAW = Preprocessing(normalize=False)


@pytest.fixture(scope="module")
def series():
    noise = pm.rednoise(N, 0.3, rng=8)
    a = np.sin(2 * np.pi * T * DT / 16) + 0.3 * noise
    b = np.sin(2 * np.pi * (T * DT - 2) / 16) + 0.3 * pm.rednoise(N, 0.3, rng=9)
    return a, b


class TestReconstructCwt:
    def test_is_reconstruct_with_the_analysis_masks(self, series):
        a = P.analyze_cwt(series[0], GRID, RAW, significance_level=0.95)
        period = 1 / a.freqs
        got = P.reconstruct_cwt(a, (8, 32), significant=True, outside_coi=True)
        mask = (a.power > a.sig95[:, None]) & (period[:, None] <= a.coi[None, :])
        want = reconstruct(a.wave, a.scales, DT, 1 / 8, band=(8, 32), significant=mask)
        assert_array_equal(got.series, want.series)
        assert_array_equal(got.used, want.used)
        plain = P.reconstruct_cwt(a, (8, 32))
        assert got.fraction_used < plain.fraction_used
        assert_array_equal(P.reconstruct_cwt(a).series, pm.icwt(a.wave, a.scales, DT, 1 / 8))

    def test_rectified_selects_the_same_points(self, series):
        kw = dict(significance_level=0.95)
        raw = P.analyze_cwt(series[0], GRID, RAW, **kw)
        rect = P.analyze_cwt(series[0], GRID, RAW, spectrum=Spectrum(rectify=True), **kw)
        got = P.reconstruct_cwt(rect, (8, 32), significant=True).series
        assert_array_equal(got, P.reconstruct_cwt(raw, (8, 32), significant=True).series)

    def test_gaps_are_left_out_with_outside_coi(self, series):
        x = series[0].copy()
        x[200:210] = np.nan
        a = P.analyze_cwt(x, GRID, Preprocessing(normalize=False, gaps="mask"))
        r = P.reconstruct_cwt(a, (8, 32), outside_coi=True)
        assert a.gap_mask.any() and not (r.used & a.gap_mask).any()

    def test_significant_needs_the_test(self, series):
        a = P.analyze_cwt(series[0], GRID, RAW)
        with pytest.raises(ValueError, match="run analyze_cwt with significance_level"):
            P.reconstruct_cwt(a, significant=True)


class TestPhaseOf:
    def test_xwt_lag(self, series):
        x = P.analyze_xwt(*series, GRID, RAW)
        st = P.phase_of(x, (12, 20), outside_coi=True, lag_period=16)
        assert st.lag == pytest.approx(2.0, abs=0.1)  # a leads b by 2 time units
        period = 1 / x.freqs
        want = phase_statistics(x.xwt, period, band=(12, 20), coi=x.coi, lag_period=16)
        assert st == want

    def test_window_on_the_dt_axis_and_significance(self, series):
        x = P.analyze_xwt(*series, GRID, RAW)
        st = P.phase_of(x, (12, 20), (50.0, 200.0), significant=True, lag_period=16)
        period = 1 / x.freqs
        mask = np.abs(x.xwt) > x.signif[:, None]
        want = phase_statistics(x.xwt, period, band=(12, 20), window=(50.0, 200.0),
                                time=DT * T, significant=mask, lag_period=16)  # fmt: skip
        assert st == want and st.n_points < mask.sum()

    def test_wct(self, series):
        mc = MonteCarlo(mc_count=20, seed=1, backend="sequential", cache=False)
        w = P.analyze_wct(*series, GRID, RAW, monte_carlo=mc)
        st = P.phase_of(w, (12, 20), significant=True, outside_coi=True, lag_period=16)
        assert st.lag == pytest.approx(2.0, abs=0.15)
        assert st.circular.resultant_length > 0.95
        bare = P.analyze_wct(*series, GRID, RAW)
        with pytest.raises(ValueError, match="run analyze_wct with monte_carlo"):
            P.phase_of(bare, significant=True)
