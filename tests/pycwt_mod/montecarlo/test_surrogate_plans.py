"""Surrogate families and areawise tests on the Monte Carlo engine.

The data-driven families (phase, IAAFT) run through the coherence kernel, and the
areawise tests' two passes (power thresholds, null patches) through the field
kernel, on the same backends and chunking as AR(1): same seed, same bits. The Ray
backend's share of these guarantees is tested in ``test_backends.py`` (its Ray).
"""

from __future__ import annotations

import numpy as np
import pytest

import pycwt_mod as wavelet
from pycwt_mod.areawise import threshold_levels
from pycwt_mod.areawise.kernel import (
    LOG_POWER_RANGE,
    POWER_NBINS,
    PatchPlan,
    PowerPlan,
    field_of,
    power_thresholds,
)
from pycwt_mod.areawise.pathways import null_sample
from pycwt_mod.montecarlo import (
    Cancelled,
    make_plan,
    pair_noise,
    run_plan,
    thresholds,
    wct_significance,
)
from pycwt_mod.montecarlo.backends import MonteCarloBackend
from pycwt_mod.montecarlo.cache import ThresholdCache
from pycwt_mod.montecarlo.observed import ObservedSeries
from pycwt_mod.montecarlo.surrogates import multi_surrogates

N, DJ, S0 = 256, 0.25, 2.0
J = wavelet.scale_grid(N, 1.0, DJ, S0).size - 1


@pytest.fixture(scope="module")
def pair():
    y1 = wavelet.rednoise(N, 0.6, rng=1)
    y2 = 0.4 * y1 + wavelet.rednoise(N, 0.3, rng=2)
    return y1, y2


class _Refuses(MonteCarloBackend):
    """A backend that fails if asked to run anything (proves a cache hit)."""

    name = "refuses"

    def _imap(self, plan, chunks, cancel):
        raise AssertionError("the engine ran although the cache held the answer")


class TestCoherenceFamilies:
    @pytest.mark.parametrize("family", ["phase", "iaaft"])
    def test_same_bits_for_every_cpu_backend_and_chunking(self, pair, family):
        kw = dict(mc_count=24, seed=5, cache=False, progress=False, surrogate=family, data=pair)
        ref = wct_significance(0, 0, 1.0, DJ, S0, J, backend="sequential", chunk_size=24, **kw)
        for backend, size in [("sequential", 5), ("joblib", 7)]:
            got = wct_significance(0, 0, 1.0, DJ, S0, J, backend=backend, chunk_size=size, **kw)
            np.testing.assert_array_equal(got, ref)
        assert np.isfinite(ref[:4]).all() and (ref[np.isfinite(ref)] < 1).all()

    def test_noise_is_the_data_surrogates(self, pair):
        plan = make_plan(0.0, 0.0, 1.0, DJ, S0, J, mc_count=4, seed=2, surrogate="phase", data=pair)
        assert plan.n == N and plan.al1 == plan.al2 == 0.0
        expect = multi_surrogates(plan.data.values, "phase", 2, 2, start=1)
        np.testing.assert_array_equal(pair_noise(plan, 1, 3), expect)
        spec = np.abs(np.fft.rfft(pair_noise(plan, 0, 1)[0], axis=-1))
        np.testing.assert_allclose(spec, np.abs(np.fft.rfft(plan.data.values, axis=-1)), atol=1e-9)

    def test_wct_passes_the_data(self, pair):
        kw = dict(mc_count=12, seed=1, cache=False, progress=False)
        *_, sig = wavelet.wct(*pair, 1.0, DJ, S0, J, surrogate="iaaft", **kw)
        ref = wct_significance(0, 0, 1.0, DJ, S0, J, surrogate="iaaft", data=pair, **kw)
        np.testing.assert_array_equal(sig, ref)

    def test_data_required_and_named(self):
        with pytest.raises(ValueError, match=r"data=\(y1, y2\)"):
            make_plan(0.5, 0.5, 1.0, DJ, S0, J, surrogate="phase")
        with pytest.raises(ValueError, match="`surrogate` must be one of 'ar1', 'phase'"):
            make_plan(0.5, 0.5, 1.0, DJ, S0, J, surrogate="bootstrap")
        with pytest.raises(ValueError, match="`y2` is constant"):
            make_plan(
                0.5, 0.5, 1.0, DJ, S0, J, surrogate="phase", data=(np.arange(9.0), np.ones(9))
            )

    def test_cache_key_names_family_and_data(self, pair):
        kw = dict(mc_count=4, seed=2)
        a = make_plan(0.0, 0.0, 1.0, DJ, S0, J, surrogate="phase", data=pair, **kw)
        b = make_plan(0.0, 0.0, 1.0, DJ, S0, J, surrogate="phase", data=(pair[0], -pair[1]), **kw)
        c = make_plan(0.0, 0.0, 1.0, DJ, S0, J, surrogate="iaaft", data=pair, **kw)
        keys = [ThresholdCache.key(p, 0.95) for p in (a, b, c)]
        assert keys[0]["data"] != keys[1]["data"] and keys[0]["surrogate"] != keys[2]["surrogate"]
        assert len({ThresholdCache(".").path(k) for k in keys}) == 3
        red = ThresholdCache.key(make_plan(0.5, 0.5, 1.0, DJ, S0, J, **kw), 0.95)
        assert "data" not in red and "surrogate" not in red  # AR(1) entries stay valid

    def test_cached_thresholds_are_reused(self, pair, tmp_path):
        kw = dict(mc_count=8, seed=2, progress=False, surrogate="phase", data=pair)
        first = wct_significance(0, 0, 1.0, DJ, S0, J, cache_dir=tmp_path, **kw)
        again, info = wct_significance(
            0, 0, 1.0, DJ, S0, J, cache_dir=tmp_path, backend=_Refuses(), return_info=True, **kw
        )
        np.testing.assert_array_equal(first, again)
        assert info["cache_hit"] and info["seed"] == 2


class TestPowerHistogram:
    def test_quantiles_match_numpy_within_a_bin(self):
        x = wavelet.rednoise(N, 0.5, rng=4)
        data = ObservedSeries.of(x, names=("x",))
        g = (float(wavelet.ar1(data.values[0])[0]),)
        plan = PowerPlan(1.0, DJ, S0, J, wavelet.Morlet(6), data, "ar1", g, 30, 7)
        hist, _ = run_plan(plan, "sequential", 8)
        assert hist.shape == (J + 1, POWER_NBINS) and hist.dtype == np.int64
        sur = multi_surrogates(data.values, "ar1", 30, 7, g=g)[:, 0] * np.sqrt(1 - g[0] ** 2)
        fields = [field_of(plan, s[None]) for s in sur]
        valid = fields[0][1]
        pooled = np.stack([f for f, _ in fields])
        exact = np.array(
            [
                np.quantile(pooled[:, j][:, valid[j]], 0.95) if valid[j].any() else np.nan
                for j in range(J + 1)
            ]
        )
        got = power_thresholds(plan, hist, 0.95)
        bin_ratio = 10 ** ((LOG_POWER_RANGE[1] - LOG_POWER_RANGE[0]) / POWER_NBINS)
        ok = np.isfinite(exact)
        assert np.array_equal(ok, np.isfinite(got))
        assert np.all(np.abs(np.log(got[ok] / exact[ok])) < np.log(bin_ratio))


class TestAreawiseOnTheEngine:
    @pytest.mark.parametrize("family", ["ar1", "phase", "iaaft"])
    def test_power_same_bits_for_every_cpu_backend_and_chunking(self, family):
        x = wavelet.rednoise(N, 0.5, rng=8)
        kw = dict(dj=DJ, s0=S0, surrogate=family, mc_count=16, seed=3, cache=False)
        ref = wavelet.areawise_power(x, 1.0, backend="sequential", chunk_size=16, **kw)
        for backend, size in [("sequential", 3), ("joblib", 5)]:
            got = wavelet.areawise_power(x, 1.0, backend=backend, chunk_size=size, **kw)
            np.testing.assert_array_equal(got.threshold, ref.threshold)
            np.testing.assert_array_equal(got.areawise, ref.areawise)
            assert got.critical_area == ref.critical_area
        assert ref.critical_area > 0 and (ref.areawise <= ref.pointwise).all()

    def test_coherence_same_bits_progress_and_cache(self, pair, tmp_path):
        seen = []
        kw = dict(dj=DJ, s0=S0, surrogate="phase", mc_count=12, seed=4, cache_dir=tmp_path)
        ref = wavelet.areawise_coherence(
            *pair, 1.0, backend="sequential", chunk_size=5,
            progress_callback=lambda d, t: seen.append((d, t)), **kw,
        )  # fmt: skip
        assert seen[-1] == (24, 24) and all(t == 24 for _, t in seen)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)
        hit = wavelet.areawise_coherence(*pair, 1.0, backend=_Refuses(), **kw)
        np.testing.assert_array_equal(hit.areawise, ref.areawise)
        assert hit.critical_area == ref.critical_area
        fresh = wavelet.areawise_coherence(
            *pair, 1.0, backend="joblib", chunk_size=7, **dict(kw, cache_dir=tmp_path / "b")
        )
        np.testing.assert_array_equal(fresh.threshold, ref.threshold)
        assert fresh.critical_area == ref.critical_area
        # the coherence thresholds are the engine's, shared with wct_significance's cache
        sig = wct_significance(
            0, 0, 1.0, DJ, S0, J, mc_count=12, seed=4, surrogate="phase", data=pair,
            cache_dir=tmp_path, backend=_Refuses(), progress=False,
        )  # fmt: skip
        np.testing.assert_array_equal(sig, ref.threshold)

    def test_cancel(self, pair):
        with pytest.raises(Cancelled):
            wavelet.areawise_coherence(
                *pair, 1.0, dj=DJ, s0=S0, mc_count=6, cache=False, cancel=lambda: True
            )

    def test_test_name_is_checked(self, pair):
        with pytest.raises(ValueError, match="`area_test` must be one of"):
            wavelet.areawise_power(pair[0], 1.0, dj=DJ, area_test="topological", cache=False)

    def test_patch_plan_chunks_concatenate_in_order(self, pair):
        data = ObservedSeries.of(*pair)
        thr = tuple([0.8] * (J + 1))
        plan = PatchPlan(
            1.0, DJ, S0, J, wavelet.Morlet(6), "coherence", data, "ar1", (0.6, 0.3), 6, 1, (thr,)
        )
        whole = plan.run_chunk(0, 6)
        parts, _ = run_plan(plan, "joblib", 2)
        np.testing.assert_array_equal(parts.sizes, whole.sizes)
        np.testing.assert_array_equal(parts.areas, whole.areas)
        assert whole.sizes.size > 0


class TestPowerSignificance:
    def test_ar1_agrees_with_torrence_compo_chi_square(self):
        # The Monte Carlo power test against AR(1) surrogates and T&C's analytical
        # red-noise test (eq. 18) estimate the same threshold: within ~15% at every
        # scale from the second to the 24th (the smallest scale is aliased in the
        # analytical spectrum; the largest have few independent samples).
        x = wavelet.rednoise(2048, 0.6, rng=3)
        thr = wavelet.power_significance(x, 1.0, 0.25, S0, mc_count=60, seed=1, cache=False)
        _, sj, *_ = wavelet.cwt(x, 1.0, 0.25, S0)
        tc, _ = wavelet.significance(x.var(), 1.0, sj, 0, wavelet.ar1(x)[0], wavelet="morlet")
        ratio = thr[1:25] / tc[1:25]
        assert np.all((ratio > 0.85) & (ratio < 1.15)), ratio
        assert abs(np.median(ratio) - 1) < 0.05

    def test_phase_family_and_same_bits(self):
        x = wavelet.rednoise(N, 0.4, rng=5)
        kw = dict(dj=DJ, s0=S0, surrogate="phase", mc_count=10, seed=2, cache=False)
        a = wavelet.power_significance(x, 1.0, backend="sequential", chunk_size=10, **kw)
        b = wavelet.power_significance(x, 1.0, backend="joblib", chunk_size=3, **kw)
        np.testing.assert_array_equal(a, b)
        assert a.shape == (J + 1,) and np.isfinite(a[:5]).all()
        with pytest.raises(ValueError, match="`significance_level` must be in"):
            wavelet.power_significance(x, 1.0, significance_level=95, cache=False)


class TestCumulativeOnTheEngine:
    def test_patch_chunk_samples_the_pathways_of_each_surrogate(self, pair):
        data = ObservedSeries.of(*pair)
        rows = ((0.8,) * (J + 1), (0.6,) * (J + 1), (0.85,) * (J + 1))
        plan = PatchPlan(1.0, DJ, S0, J, wavelet.Morlet(6), "coherence", data, "phase",
                         (0.0, 0.0), 4, 2, rows, "maraun", "cumulative")  # fmt: skip
        got = run_plan(plan, "joblib", 1)[0]
        areas, levels = [], []
        for series in multi_surrogates(data.values, "phase", 4, 2):
            field, valid = field_of(plan, series)
            masks = valid[None] & (field[None] > np.asarray(rows)[1:, :, None])
            a, lv = null_sample(masks, plan.scales, 1.0, DJ)
            areas.append(a)
            levels.append(lv)
        np.testing.assert_array_equal(got.path_areas, np.concatenate(areas))
        np.testing.assert_array_equal(got.path_levels, np.concatenate(levels))
        assert got.path_areas.size > 0 and set(got.path_levels) == {0, 1}

    def test_end_to_end_same_bits_and_detection(self):
        t = np.arange(512)
        noise = wavelet.rednoise(512, 0.7, rng=1)
        x = noise.copy()
        x[200:400] += 1.5 * np.sin(2 * np.pi * t[200:400] / 32)
        kw = dict(dj=DJ, s0=S0, mc_count=40, seed=1, cache=False, area_test="cumulative")
        ref = wavelet.areawise_power(x, 1.0, backend="sequential", **kw)
        got = wavelet.areawise_power(x, 1.0, backend="joblib", chunk_size=7, **kw)
        np.testing.assert_array_equal(got.areawise, ref.areawise)
        assert got.cumulative_critical_areas == ref.cumulative_critical_areas
        assert len(ref.cumulative_levels) == 5 and ref.area_test == "cumulative"
        # the planted period-32 burst is found, the noise alone mostly is not
        freqs = wavelet.cwt(x, 1.0, DJ, S0)[2]
        band = np.abs(1 / freqs - 32) < 8
        assert ref.areawise[band][:, 250:350].mean() > 0.5
        alone = wavelet.areawise_power(noise, 1.0, **kw)
        assert alone.areawise.mean() < 0.25 * alone.pointwise.mean()

    def test_cumulative_refuses_a_single_level_sig95(self, pair):
        with pytest.raises(ValueError, match=rf"`sig95` must have shape .* = \(6, {J + 1}\)"):
            wavelet.areawise_coherence(
                *pair, 1.0, dj=DJ, s0=S0, sig95=np.zeros(J + 1), area_test="cumulative", cache=False
            )

    def test_thresholds_of_every_level_from_a_caller(self, pair):
        # A significance job has the histogram: its rows at threshold_levels are the
        # thresholds the function would compute itself, and give the same answer.
        plan = make_plan(*(wavelet.ar1(y)[0] for y in pair), 1.0, DJ, S0, J, mc_count=12, seed=3)
        hist, _ = run_plan(plan, "sequential")
        rows = np.stack([thresholds(plan, hist, lv) for lv in threshold_levels("cumulative", 0.95)])
        kw = dict(dj=DJ, s0=S0, mc_count=12, seed=3, area_test="cumulative", cache=False)
        given = wavelet.areawise_coherence(*pair, 1.0, sig95=rows, **kw)
        own = wavelet.areawise_coherence(*pair, 1.0, **kw)
        np.testing.assert_array_equal(given.areawise, own.areawise)
        assert given.cumulative_critical_areas == own.cumulative_critical_areas
