"""The pipeline (`pycwt_mod.pipeline`): each analysis equals the plain library calls bit
for bit, one AR(1) policy with one warning, anomalies, seeds and field-named errors."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod as pm
from pycwt_mod import pipeline as P
from pycwt_mod import preprocess as pp
from pycwt_mod.areawise import threshold_levels
from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.significance import AR1FallbackWarning, ar1_yule_walker

DT, DJ = 1.0, 0.25
GRID = ScaleGrid(dt=DT, dj=DJ)
RAW = Preprocessing(normalize=False)
MC = MonteCarlo(mc_count=10, seed=3, backend="sequential", cache=False)
RAMP = np.arange(50.0)


@pytest.fixture(scope="module")
def pair():
    return pm.rednoise(200, 0.5, rng=1), pm.rednoise(200, 0.3, rng=2)


class TestAnalyzeCwt:
    def test_equals_cwt_and_significance(self, pair):
        x = pair[0]
        a = P.analyze_cwt(x, GRID, RAW, significance_level=0.9)
        W, sj, freqs, coi, fft, fftfreqs = pm.cwt(x, DT, DJ)
        for got, want in [(a.wave, W), (a.scales, sj), (a.freqs, freqs), (a.coi, coi),
                          (a.fft, fft), (a.fftfreqs, fftfreqs), (a.grid.scales, sj)]:  # fmt: skip
            assert_array_equal(got, want)
        assert_array_equal(a.power, np.abs(W) ** 2)
        g = pm.ar1(x)[0]
        assert (a.ar1, a.variance, a.significance_level) == (g, x.var(), 0.9)
        sig, _ = pm.significance(x.var(), DT, sj, 0, g, significance_level=0.9)
        assert_array_equal(a.sig95, sig)
        assert a.warnings == () and not a.gap_mask.any() and a.areawise is None

    def test_normalize_is_standardize_first(self, pair):
        a = P.analyze_cwt(pair[0], GRID)
        assert_array_equal(a.wave, pm.cwt(pp.standardize(pair[0]), DT, DJ)[0])
        assert a.series.steps == "detrend=none; normalize=yes; gaps=raise"
        assert a.sig95 is None and a.ar1 is None

    def test_areawise_equals_areawise_power(self, pair):
        x = pair[0]
        a = P.analyze_cwt(x, GRID, RAW, monte_carlo=MC, areawise=Areawise(area_level=0.9))
        res = pm.areawise_power(x, DT, DJ, surrogate="ar1", significance_level=0.95,
                                area_level=0.9, mc_count=10, seed=3, backend="sequential",
                                cache=False)  # fmt: skip
        assert_array_equal(a.areawise.areawise, res.areawise)
        assert_array_equal(a.areawise.threshold, res.threshold)
        assert a.areawise.critical_area == res.critical_area and a.areawise.seed == 3

    def test_gaps_masked(self, pair):
        x = pair[0].copy()
        x[50:55] = np.nan
        a = P.analyze_cwt(x, GRID, Preprocessing(gaps="mask", normalize=False))
        assert_array_equal(a.wave, pm.cwt(pp.fill_gaps(x), DT, DJ)[0])
        assert_array_equal(a.gap_mask, pp.gap_mask(np.isnan(x), 1 / a.freqs, DT))
        assert a.series.n_missing == 5
        with pytest.raises(ValueError, match=r"`data` has 5 missing value"):
            P.analyze_cwt(x, GRID)


class TestAnalyzeXwt:
    def test_equals_xwt(self, pair):
        b = P.analyze_xwt(*pair, GRID, significance_level=0.9)
        want = pm.xwt(*pair, DT, DJ, significance_level=0.9)
        for got, ref in zip((b.xwt, b.coi, b.freqs, b.signif), want, strict=True):
            assert_array_equal(got, ref)
        assert b.ar1 == (pm.ar1(pair[0])[0], pm.ar1(pair[1])[0]) and b.warnings == ()
        raw = P.analyze_xwt(*pair, GRID, RAW)
        assert_array_equal(raw.xwt, pm.xwt(*pair, DT, DJ, normalize=False)[0])


class TestAnalyzeWct:
    def test_equals_wct_and_wct_significance(self, pair):
        c = P.analyze_wct(*pair, GRID, monte_carlo=MC)
        for got, want in zip((c.WCT, c.aWCT, c.coi, c.freqs),
                             pm.wct(*pair, DT, DJ, sig=False)[:4], strict=True):  # fmt: skip
            assert_array_equal(got, want)
        g = (pm.ar1(pair[0])[0], pm.ar1(pair[1])[0])
        sj = c.scales
        sig = pm.wct_significance(*g, DT, DJ, sj[0], sj.size - 1, mc_count=10, seed=3,
                                  backend="sequential", cache=False, progress=False)  # fmt: skip
        assert_array_equal(c.sig95, sig)
        full = pm.wct(*pair, DT, DJ, mc_count=10, seed=3, backend="sequential", cache=False,
                      progress=False)  # fmt: skip
        assert_array_equal(c.sig95, full[4])
        assert c.thresholds.ar1 == g and c.thresholds.seed == 3 and c.monte_carlo == MC

    def test_areawise_equals_areawise_coherence(self, pair):
        test = Areawise(area_test="cumulative")
        c = P.analyze_wct(*pair, GRID, monte_carlo=MC, areawise=test)
        res = pm.areawise_coherence(*pair, DT, DJ, mc_count=10, seed=3, area_test="cumulative",
                                    backend="sequential", cache=False)  # fmt: skip
        assert_array_equal(c.areawise.areawise, res.areawise)
        assert c.areawise.cumulative_critical_areas == res.cumulative_critical_areas
        assert c.thresholds.levels == threshold_levels("cumulative", 0.95)

    def test_without_a_test_and_areawise_needs_one(self, pair):
        c = P.analyze_wct(*pair, GRID)
        assert c.thresholds is None and c.sig95 is None and c.monte_carlo is None
        with pytest.raises(ValueError, match="the areawise test needs a Monte Carlo test"):
            P.analyze_wct(*pair, GRID, areawise=Areawise())

    def test_fresh_seed_is_reported(self, pair):
        mc = MonteCarlo(mc_count=4, backend="sequential", cache=False)
        c = P.analyze_wct(*pair, GRID, monte_carlo=mc)
        assert c.monte_carlo.seed == c.thresholds.seed is not None
        again = P.analyze_wct(*pair, GRID, monte_carlo=c.monte_carlo)
        assert_array_equal(again.sig95, c.sig95)


class TestAR1Policy:
    """One policy (`fit_ar1`): the same Yule-Walker fallback and warning everywhere."""

    def test_the_same_warning_through_every_analysis(self):
        noise = pm.rednoise(RAMP.size, 0.3, rng=1)
        names = ("data1", "data2")
        cwt = P.analyze_cwt(RAMP, GRID, RAW, significance_level=0.95, name="data1")
        xwt = P.analyze_xwt(RAMP, noise, GRID, names=names)
        wct = P.analyze_wct(RAMP, noise, GRID, monte_carlo=MC, names=names)
        (message,) = cwt.warnings
        assert xwt.warnings == wct.thresholds.warnings == (message,)
        assert message.startswith("data1: ") and "Yule-Walker" in message
        g = ar1_yule_walker(RAMP)
        assert cwt.ar1 == xwt.ar1[0] == wct.thresholds.ar1[0] == pytest.approx(g, rel=1e-14)
        assert np.isfinite(xwt.signif).all() and np.isfinite(wct.sig95).all()

    def test_red_noise_given_coefficient_wins(self):
        assert P.red_noise((RAMP,), (0.4,), ("data1",)) == ((0.4,), ())

    def test_the_areawise_functions_warn_with_it(self):
        with pytest.warns(AR1FallbackWarning, match="x: the unbiased AR"):
            P.analyze_cwt(RAMP, GRID, RAW, monte_carlo=MC, areawise=Areawise())

    def test_a_constant_series_is_an_error(self):
        with pytest.raises(ValueError, match="`data1` is constant"):
            P.red_noise((np.ones(20),), (None,), ("data1",))


@pytest.fixture(scope="module")
def monthly():
    """20 years of monthly values with a strong annual cycle."""
    t = np.arange(240)
    return 4 * np.cos(2 * np.pi * t / 12) + pm.rednoise(240, 0.4, rng=5)


class TestAnomalies:
    def test_prepare_series_is_preprocess_anomalies(self, monthly):
        p = P.prepare_series(monthly, Preprocessing(anomalies=12, normalize=False))
        assert_array_equal(p.values, pp.anomalies(monthly, 12))
        assert p.steps == "anomalies=12; detrend=none; normalize=no; gaps=raise"
        lin = P.prepare_series(monthly, Preprocessing(anomalies=12, detrend="linear"))
        assert_array_equal(lin.values, pp.standardize(pp.detrend(pp.anomalies(monthly, 12))))

    @pytest.mark.parametrize(
        ("dt", "unit", "period"),
        [(1 / 12, "year", 12), (1.0, "month", 12), (0.25, "year", 4), (3.0, "month", 4)],
    )
    def test_auto_period_from_the_time_unit(self, dt, unit, period):
        assert P.anomaly_period(Preprocessing(anomalies="auto"), dt, unit) == period

    @pytest.mark.parametrize(("dt", "unit"), [(1.0, "day"), (1 / 12, ""), (None, "year")])
    def test_auto_without_a_calendar_is_an_error(self, dt, unit):
        with pytest.raises(ValueError, match=r"`anomalies='auto'` needs monthly or quarterly"):
            P.anomaly_period(Preprocessing(anomalies="auto"), dt, unit)

    def test_given_or_none(self):
        assert P.anomaly_period(Preprocessing(anomalies=4), None) == 4
        assert P.anomaly_period(Preprocessing(), 1.0, "day") is None

    def test_analyses_with_auto_equal_twelve(self, monthly):
        grid = ScaleGrid(dt=1 / 12, dj=DJ)
        auto = P.analyze_cwt(monthly, grid, Preprocessing(anomalies="auto"), unit="year",
                             significance_level=0.95)  # fmt: skip
        twelve = P.analyze_cwt(monthly, grid, Preprocessing(anomalies=12), significance_level=0.95)
        assert_array_equal(auto.wave, twelve.wave)
        assert_array_equal(auto.sig95, twelve.sig95)
        y = pp.standardize(pp.anomalies(monthly, 12))
        assert_array_equal(auto.wave, pm.cwt(y, 1 / 12, DJ)[0])
        other = np.roll(monthly, 2)
        c = P.analyze_wct(monthly, other, grid, Preprocessing(anomalies="auto"), unit="year")
        a, b = pp.anomalies(monthly, 12), pp.anomalies(other, 12)
        assert_array_equal(c.WCT, pm.wct(a, b, 1 / 12, DJ, sig=False)[0])
        assert c.series[0].steps.startswith("anomalies=12; ")


class TestPrepare:
    @pytest.mark.parametrize(
        ("data", "match"),
        [
            ([1.0, np.inf, 2.0], r"`obs` holds 1 infinite value\(s\); the first is at index 1"),
            (np.ones((2, 3)), r"`obs` must be 1-D"),
            ([1.0], r"`obs` must have at least 2 samples"),
            (["a", "b"], r"`obs` must be a 1-D sequence of numbers"),
            (np.ones(8), r"cannot normalize `obs`: it is constant"),
        ],
    )
    def test_errors_name_the_field(self, data, match):
        with pytest.raises(ValueError, match=match):
            P.prepare_series(data, Preprocessing(), "obs")

    def test_gaps(self):
        x = np.array([1.0, np.nan, 3.0, 2.0, 5.0])
        with pytest.raises(ValueError, match=r"`obs` has 1 missing value"):
            P.prepare_series(x, Preprocessing(), "obs")
        p = P.prepare_series(x, Preprocessing(gaps="mask", normalize=False), "obs")
        assert_array_equal(p.values, pp.fill_gaps(x))
        assert p.steps.endswith("gaps=mask (fill=mean, 1 missing sample(s) masked)")
        with pytest.raises(ValueError, match="at least 2 valid samples"):
            P.prepare_series([np.nan, 1.0, np.nan], Preprocessing(gaps="mask"), "obs")

    def test_pair_lengths(self):
        with pytest.raises(ValueError, match="`a` and `b` must have the same length"):
            P.prepare_pair(np.arange(5.0), np.arange(6.0), names=("a", "b"))


def test_draw_seed():
    seeds = {P.draw_seed() for _ in range(5)}
    assert len(seeds) == 5
    assert all(isinstance(s, int) and 0 <= s < 2**53 for s in seeds)
