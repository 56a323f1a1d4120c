"""The pipeline's partial and multiple coherence (`pycwt_mod.pipeline.partial`): equal to
the library calls bit for bit, the AR(1) policy per series, seeds, gaps, field-named
errors and the Monte Carlo stage alone (as a job runs it)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod as pm
from pycwt_mod import pipeline as P
from pycwt_mod import preprocess as pp
from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid

DT, DJ = 1.0, 0.25
GRID = ScaleGrid(dt=DT, dj=DJ)
MC = MonteCarlo(mc_count=8, seed=3, backend="sequential", cache=False)
MCKW = dict(mc_count=8, seed=3, backend="sequential", cache=False, progress=False)


@pytest.fixture(scope="module")
def three():
    return tuple(pm.rednoise(160, a, rng=i) for i, a in enumerate((0.5, 0.3, 0.4)))


class TestAnalyzePartialWct:
    def test_equals_partial_wct_with_its_thresholds(self, three):
        y, x, z = three
        a = P.analyze_partial_wct(y, x, [z], GRID, monte_carlo=MC)
        PW, aP, coi, freqs, sig = pm.partial_wct(y, x, z, DT, DJ, **MCKW)
        for got, want in [(a.PWCT, PW), (a.aPWCT, aP), (a.coi, coi), (a.freqs, freqs),
                          (a.sig95, sig)]:  # fmt: skip
            assert_array_equal(got, want)
        # re^2 + im^2 here, |S12|^2 through np.abs in wct: equal to rounding
        np.testing.assert_allclose(a.WCT, pm.wct(y, x, DT, DJ, sig=False)[0], rtol=1e-12)
        assert a.thresholds.ar1 == tuple(pm.ar1(s)[0] for s in three)
        assert a.monte_carlo.seed == 3 and a.thresholds.levels == (0.95,)
        assert [p.values.size for p in a.series] == [160] * 3 and not a.gap_mask.any()

    def test_without_a_test_and_with_given_coefficients(self, three):
        a = P.analyze_partial_wct(*three[:2], three[2:], GRID)
        assert a.thresholds is None and a.sig95 is None and a.monte_carlo is None
        mc = MonteCarlo(mc_count=8, seed=3, backend="sequential", cache=False, al1=0.1, al2=0.2)
        b = P.analyze_partial_wct(*three[:2], three[2:], GRID, monte_carlo=mc)
        assert b.thresholds.ar1 == (0.1, 0.2, pm.ar1(three[2])[0])
        assert_array_equal(b.PWCT, a.PWCT)

    def test_fresh_seed_is_reported_and_reproduces(self, three):
        mc = MonteCarlo(mc_count=8, backend="sequential", cache=False)
        a = P.analyze_partial_wct(*three[:2], three[2:], GRID, monte_carlo=mc)
        again = P.analyze_partial_wct(*three[:2], three[2:], GRID, monte_carlo=a.monte_carlo)
        assert_array_equal(again.sig95, a.sig95)

    def test_gaps_of_any_series_are_masked(self, three):
        y, x, z = (s.copy() for s in three)
        z[40:45] = np.nan
        pre = Preprocessing(gaps="mask")
        a = P.analyze_partial_wct(y, x, [z], GRID, pre)
        assert_array_equal(a.gap_mask, pp.gap_mask(np.isnan(z), 1 / a.freqs, DT))
        assert a.series[2].n_missing == 5
        with pytest.raises(ValueError, match=r"`data3` has 5 missing value"):
            P.analyze_partial_wct(y, x, [z], GRID)

    def test_errors_name_the_fields(self, three):
        y, x, z = three
        with pytest.raises(ValueError, match="at least one removed series"):
            P.analyze_partial_wct(y, x, [], GRID)
        with pytest.raises(ValueError, match=r"`y` 160, `x` 160, `z` 159"):
            P.analyze_partial_wct(y, x, [z[:-1]], GRID, names=("y", "x", "z"))
        with pytest.raises(ValueError, match="`names` must name each of the 3"):
            P.analyze_partial_wct(y, x, [z], GRID, names=("y", "x"))

    def test_phase_surrogates_need_no_red_noise(self, three):
        mc = MonteCarlo(mc_count=6, seed=2, backend="sequential", cache=False, surrogate="phase")
        a = P.analyze_partial_wct(*three[:2], three[2:], GRID, monte_carlo=mc)
        assert a.thresholds.ar1 is None
        sig = pm.partial_wct(*three, DT, DJ, **{**MCKW, "mc_count": 6, "seed": 2},
                             surrogate="phase")[-1]  # fmt: skip
        assert_array_equal(a.sig95, sig)


class TestAnalyzeMultipleWct:
    def test_equals_multiple_wct_with_its_thresholds(self, three):
        y, x, z = three
        a = P.analyze_multiple_wct(y, [x, z], GRID, monte_carlo=MC)
        M, coi, freqs, sig = pm.multiple_wct(y, [x, z], DT, DJ, **MCKW)
        for got, want in [(a.MWCT, M), (a.coi, coi), (a.freqs, freqs), (a.sig95, sig)]:
            assert_array_equal(got, want)
        assert len(a.series) == 3 and a.thresholds.backend == "sequential"

    def test_one_predictor_is_analyze_wct(self, three):
        y, x, _ = three
        a = P.analyze_multiple_wct(y, [x], GRID)
        np.testing.assert_allclose(a.MWCT, P.analyze_wct(y, x, GRID).WCT, rtol=1e-10)
        with pytest.raises(ValueError, match="at least one predictor"):
            P.analyze_multiple_wct(y, [], GRID)


class TestMultivariateThresholds:
    def test_is_the_test_stage_of_the_analysis(self, three):
        rg = GRID.resolve(160)
        thr = P.multivariate_thresholds("partial", three, rg, MC)
        a = P.analyze_partial_wct(*three[:2], three[2:], GRID, monte_carlo=MC)
        assert_array_equal(thr.rows, a.thresholds.rows)
        assert thr.seed == 3 and thr.info["n_scales"] == rg.n_scales

    def test_resumes_from_a_checkpoint(self, three):
        kept: dict = {}

        class Memory:
            def kept(self, key):
                return dict(kept.get(key, {}))

            def keep(self, key, chunk, part, where):
                kept.setdefault(key, {})[chunk] = part

        rg = GRID.resolve(160)
        mc = MonteCarlo(mc_count=8, seed=3, backend="sequential", cache=False, chunk_size=3)
        ref = P.multivariate_thresholds("multiple", three, rg, mc)
        polls = []
        with pytest.raises(pm.montecarlo.Cancelled):
            P.multivariate_thresholds("multiple", three, rg, mc, checkpoint=Memory(),
                                      cancel=lambda: polls.append(1) or len(polls) > 1)  # fmt: skip
        assert sum(len(v) for v in kept.values()) == 1
        got = P.multivariate_thresholds("multiple", three, rg, mc, checkpoint=Memory())
        assert_array_equal(got.rows, ref.rows)
        assert got.info["chunk_size"] == 3
