"""Pointwise and areawise significance: patch geometry, calibration, detection.

Calibration numbers (seeded, so deterministic; the bench script `bench/areawise.py`
runs the same checks on a larger grid):

- pointwise false positives under each family's null, power and coherence: 3-7%;
- AR(1) null, out of sample: areawise-significant area is ~0.2% of the plane
  (pointwise ~5%), i.e. the fraction of false-positive area that survives is close
  to the nominal ``1 - area_level`` = 5%;
- an intermittent sinusoid in red noise is still found areawise.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import pycwt_mod as wavelet
from pycwt_mod import areawise as A
from pycwt_mod.montecarlo import surrogates as S
from pycwt_mod.options import MonteCarlo

N, DJ = 512, 0.25


def _grid(n=N, dj=DJ):
    _, sj, freqs, coi, _, _ = wavelet.cwt(np.arange(n) % 3.0, 1.0, dj=dj)
    return sj, freqs, A.outside_coi(freqs, coi)


def _power(xs, freqs):
    return np.stack([np.abs(wavelet.cwt(x, 1.0, freqs=freqs)[0]) ** 2 for x in xs])


class TestPatchSizes:
    def test_maraun_area_is_time_over_scale_times_octaves(self):
        sj = np.array([1.0, 2.0, 4.0])
        mask = np.zeros((3, 10), bool)
        mask[0, 0:4] = True  # 4 points at s=1
        mask[1, 6] = mask[2, 6] = mask[2, 7] = True  # one patch across two scales
        mask[0, 9] = True  # diagonal neighbours are not connected (4-connectivity)
        labels, sizes, areas = A.patch_sizes(mask, sj, dt=0.5, dj=0.5)
        assert labels.max() == 3 and sizes.size == 3
        expected = sorted([4 * 0.5 * 0.5 / 1, 0.5 * 0.5 * (1 / 2 + 2 / 4), 0.5 * 0.5 / 1])
        np.testing.assert_allclose(sorted(sizes), expected)
        np.testing.assert_array_equal(sizes, areas)

    def test_schulte_measure_is_area_over_centroid_scale_squared(self):
        sj = np.array([1.0, 2.0])
        mask = np.array([[True, True], [True, False]])
        _, sizes, areas = A.patch_sizes(mask, sj, dt=1.0, dj=1.0, measure="schulte")
        cells = np.array([1.0, 1.0, 2.0]) * np.log(2)  # dt * s ln2 dj per point
        centroid = (cells * [1.0, 1.0, 2.0]).sum() / cells.sum()
        np.testing.assert_allclose(sizes, [cells.sum() / centroid**2])
        np.testing.assert_allclose(areas, [1 + 1 + 0.5])

    def test_planes_of_a_stack_are_not_connected(self):
        sj = np.array([1.0, 2.0])
        mask = np.ones((3, 2, 4), bool)
        _, sizes, _ = A.patch_sizes(mask, sj, 1.0, 1.0)
        assert sizes.size == 3
        np.testing.assert_allclose(sizes, 4 * 1.5)

    def test_same_physical_patch_same_size_at_every_scale(self):
        # a patch as wide as the scale and one octave tall has size 1 everywhere
        dj = 1 / 8
        sj = 2.0 ** (np.arange(48) * dj)
        n = 256
        sizes = []
        for j0 in (16, 24, 32):
            mask = np.zeros((sj.size, n), bool)
            rows = slice(j0, j0 + 8)
            width = round(sj[j0 + 4])
            mask[rows, 10 : 10 + width] = True
            sizes.append(A.patch_sizes(mask, sj, 1.0, dj)[1][0])
        np.testing.assert_allclose(sizes, 1.0, rtol=0.15)


class TestCriticalArea:
    def _masks(self):
        sj = np.array([1.0])
        mask = np.zeros((1, 1, 30), bool)
        for start, length in [(0, 1), (3, 2), (7, 3), (12, 10)]:
            mask[0, 0, start : start + length] = True
        return mask, sj

    @pytest.mark.parametrize(
        "area_level, expected",
        [(0.8, 10.0), (0.3, 3.0), (0.01, 1.0)],
    )
    def test_area_weighted_quantile(self, area_level, expected):
        # patches of area 1, 2, 3, 10 (total 16): with 1 - area_level = 0.7, the
        # patches larger than 3 hold 10 <= 11.2, those larger than 2 hold 13 > 11.2
        mask, sj = self._masks()
        assert A.critical_area(mask, sj, 1.0, 1.0, area_level) == expected

    def test_no_patch_gives_zero(self):
        assert A.critical_area(np.zeros((2, 3, 5), bool), [1.0, 2.0, 4.0], 1.0, 1.0) == 0.0

    def test_areawise_keeps_patches_larger_than_critical(self):
        mask, sj = self._masks()
        kept = A.areawise_mask(mask[0], sj, 1.0, 1.0, critical_area=2.0)
        np.testing.assert_array_equal(
            np.flatnonzero(kept[0]), list(range(7, 10)) + list(range(12, 22))
        )

    def test_validation(self):
        with pytest.raises(ValueError, match=r"`critical_area` must be.*got -1"):
            A.areawise_mask(np.ones((1, 3), bool), [1.0], 1.0, 1.0, -1)
        with pytest.raises(ValueError, match=r"`mask` must have shape \(\.\.\., n_scales=2"):
            A.patch_sizes(np.ones((3, 4), bool), [1.0, 2.0], 1.0, 1.0)
        with pytest.raises(ValueError, match="`measure` must be one of 'maraun', 'schulte'"):
            A.patch_sizes(np.ones((2, 4), bool), [1.0, 2.0], 1.0, 1.0, measure="area")
        with pytest.raises(ValueError, match=r"`area_level` must be in \(0, 1\) \(got 1.5\)"):
            A.critical_area(np.ones((1, 2, 4), bool), [1.0, 2.0], 1.0, 1.0, area_level=1.5)


class TestPointwiseThresholds:
    def test_matches_numpy_quantile_per_scale(self):
        rng = np.random.default_rng(0)
        F = rng.gamma(2.0, size=(20, 4, 30))
        valid = rng.random((4, 30)) < 0.6
        valid[3] = False
        thr = A.pointwise_thresholds(F, valid, 0.9)
        for j in range(3):
            assert thr[j] == pytest.approx(np.quantile(F[:, j, valid[j]], 0.9), rel=1e-12)
        assert np.isnan(thr[3])

    def test_shape_error_names_parameter(self):
        with pytest.raises(ValueError, match="`null_fields` must have shape"):
            A.pointwise_thresholds(np.ones((2, 3, 4)), np.ones((3, 5), bool))


class TestAreawisePower:
    def test_result_and_reproducibility(self):
        x = wavelet.rednoise(256, 0.5, rng=1)
        r1 = wavelet.areawise_power(x, 1.0, dj=DJ, mc_count=40, seed=3)
        r2 = wavelet.areawise_power(x, 1.0, dj=DJ, mc_count=40, seed=3)
        r3 = wavelet.areawise_power(x, 1.0, dj=DJ, mc_count=40, seed=4)
        W = wavelet.cwt(x, 1.0, dj=DJ)[0]
        assert r1.pointwise.shape == r1.areawise.shape == W.shape
        assert r1.threshold.shape == (W.shape[0],)
        assert not (r1.areawise & ~r1.pointwise).any()
        np.testing.assert_array_equal(r1.threshold, r2.threshold)
        assert r1.critical_area == r2.critical_area
        assert not np.array_equal(r1.threshold, r3.threshold)
        assert (r1.surrogate, r1.mc_count, r1.seed, r1.level, r1.area_level) == (
            "ar1",
            40,
            3,
            0.95,
            0.95,
        )
        assert (r1.significance_level, r1.area_measure, r1.area_test) == (
            0.95,
            "maraun",
            "areawise",
        )
        with pytest.raises(AttributeError):
            r1.seed = 5  # frozen

    def test_validation(self):
        x = np.arange(64.0) % 5
        with pytest.raises(ValueError, match=r"`mc_count` must be a whole number >= 2 .got 1"):
            wavelet.areawise_power(x, 1.0, mc_count=1)
        with pytest.raises(ValueError, match=r"`seed`.*got -2"):
            wavelet.areawise_power(x, 1.0, seed=-2)
        with pytest.raises(
            ValueError, match=r"`significance_level` must be in \(0, 1\) \(got 95\)"
        ):
            wavelet.areawise_power(x, 1.0, significance_level=95)
        with pytest.raises(ValueError, match="`area_measure` must be one of 'maraun', 'schulte'"):
            wavelet.areawise_power(x, 1.0, area_measure="area")

    @pytest.mark.parametrize("family", S.SURROGATES)
    def test_false_positive_rate_under_the_null(self, family):
        # AR(1) series are a realisation of every family's null (a linear Gaussian
        # stationary process); each is tested against its own surrogates
        rates = []
        for r in range(12):
            x = wavelet.rednoise(N, 0.7, rng=100 + r)
            res = wavelet.areawise_power(x, 1.0, dj=DJ, surrogate=family, mc_count=100, seed=r)
            valid = A.outside_coi(*wavelet.cwt(x, 1.0, dj=DJ)[2:4])
            rates.append(res.pointwise[valid].mean())
        assert 0.03 <= np.mean(rates) <= 0.07

    def test_areawise_area_under_ar1_null_out_of_sample(self):
        # thresholds and critical area from 300 AR(1) surrogates, applied to 200
        # independent AR(1) series of the same process
        sj, freqs, valid = _grid()
        null = _power(S.ar1_surrogates(N, 0.7, 300, seed=1), freqs)
        thr = A.pointwise_thresholds(null, valid, 0.95)
        a_crit = A.critical_area(valid & (null > thr[:, None]), sj, 1.0, DJ, 0.95)
        test = _power(S.ar1_surrogates(N, 0.7, 200, seed=2), freqs)
        pw = valid & (test > thr[:, None])
        aw = A.areawise_mask(pw, sj, 1.0, DJ, a_crit)
        w = np.broadcast_to(DJ / sj[:, None], valid.shape)  # normalised area per point
        pw_area = (pw * w).sum() / (valid * w).sum() / 200
        aw_area = (aw * w).sum() / (valid * w).sum() / 200
        assert 0.04 < pw_area < 0.06  # pointwise: ~5% of the plane
        assert aw_area < 0.01  # areawise: far below 5% ...
        assert 0.02 < aw_area / pw_area < 0.10  # ... and ~5% of the pointwise area

    def test_planted_intermittent_sinusoid_detected_areawise(self):
        t = np.arange(N)
        noise = wavelet.rednoise(N, 0.7, rng=7)
        noise /= noise.std()
        on = (t > 150) & (t < 350)
        x = noise + 1.0 * on * np.sin(2 * np.pi * t / 32)
        res = wavelet.areawise_power(x, 1.0, dj=DJ, mc_count=100, seed=1)
        period = 1 / wavelet.cwt(x, 1.0, dj=DJ)[2]
        band = (period > 24) & (period < 44)
        assert res.areawise[band][:, 170:330].mean() > 0.5
        assert res.areawise[:, ~on].mean() < 0.01  # and little elsewhere
        # the same noise without the signal: nothing there
        res0 = wavelet.areawise_power(noise, 1.0, dj=DJ, mc_count=100, seed=1)
        assert res0.areawise[band][:, 170:330].mean() < 0.1

    def test_schulte_measure_runs_and_detects(self):
        t = np.arange(N)
        x = wavelet.rednoise(N, 0.7, rng=7)
        x = x / x.std() + 1.0 * ((t > 150) & (t < 350)) * np.sin(2 * np.pi * t / 32)
        res = wavelet.areawise_power(x, 1.0, dj=DJ, mc_count=60, seed=1, area_measure="schulte")
        band = np.abs(1 / wavelet.cwt(x, 1.0, dj=DJ)[2] - 32) < 8  # the planted period
        assert (
            res.area_measure == res.measure == "schulte"
            and res.areawise[band][:, 170:330].mean() > 0.5
        )


class TestAreawiseCoherence:
    @pytest.mark.parametrize("family", S.SURROGATES)
    def test_false_positive_rate_independent_pairs(self, family):
        rates = []
        for r in range(8):
            y1 = wavelet.rednoise(N, 0.6, rng=200 + r)
            y2 = wavelet.rednoise(N, 0.3, rng=300 + r)
            res = wavelet.areawise_coherence(
                y1, y2, 1.0, dj=DJ, surrogate=family, mc_count=80, seed=r
            )
            _, _, coi, freqs, _ = wavelet.wct(y1, y2, 1.0, dj=DJ, sig=False)
            rates.append(res.pointwise[A.outside_coi(freqs, coi)].mean())
        assert 0.03 <= np.mean(rates) <= 0.07

    def test_sig95_from_engine_and_planted_coherence(self):
        n = 256
        t = np.arange(n)
        common = np.where((t > 60) & (t < 200), np.sin(2 * np.pi * t / 16), 0.0)
        y1 = wavelet.rednoise(n, 0.5, rng=1) * 0.5 + common
        y2 = wavelet.rednoise(n, 0.5, rng=2) * 0.5 + common
        _, _, _, freqs, sig95 = wavelet.wct(
            y1,
            y2,
            1.0,
            dj=DJ,
            mc_count=30,
            seed=1,
            progress=False,
            cache=False,
            backend="sequential",
        )
        res = wavelet.areawise_coherence(y1, y2, 1.0, dj=DJ, sig95=sig95, mc_count=60, seed=1)
        np.testing.assert_array_equal(res.threshold, sig95)
        band = (1 / freqs > 12) & (1 / freqs < 22)
        assert res.areawise[band][:, 80:180].mean() > 0.5
        with pytest.raises(ValueError, match=r"`sig95` must have shape \(n_scales,\)"):
            wavelet.areawise_coherence(y1, y2, 1.0, dj=DJ, sig95=sig95[:-1], mc_count=4)


class TestRenamedKeywords:
    """`level`, `measure` and `test` still work for one release, with a DeprecationWarning."""

    @pytest.mark.parametrize(
        ("old", "new", "value"),
        [("level", "significance_level", 0.9), ("measure", "area_measure", "schulte"),
         ("test", "area_test", "cumulative")],
    )  # fmt: skip
    def test_old_name_warns_and_gives_the_same_result(self, old, new, value):
        x = wavelet.rednoise(128, 0.5, rng=3)
        kw = dict(dj=0.5, mc_count=8, seed=2, cache=False, backend="sequential")
        with pytest.warns(DeprecationWarning, match=f"`{old}` is deprecated.*`{new}`"):
            got = wavelet.areawise_power(x, 1.0, **{old: value}, **kw)
        ref = wavelet.areawise_power(x, 1.0, **{new: value}, **kw)
        np.testing.assert_array_equal(got.areawise, ref.areawise)
        assert getattr(got, new) == value

    def test_both_names_is_an_error(self):
        with pytest.raises(TypeError, match="both `level` and its new name"):
            wavelet.areawise_coherence(
                np.ones(8), np.ones(8), 1.0, level=0.9, significance_level=0.9
            )

    def test_power_significance_and_coherence_accept_the_old_names(self):
        x = wavelet.rednoise(128, 0.5, rng=3)
        kw = dict(dj=0.5, mc_count=8, seed=2, cache=False, backend="sequential")
        with pytest.warns(DeprecationWarning, match="`level` is deprecated"):
            old = wavelet.power_significance(x, 1.0, level=0.9, **kw)
        np.testing.assert_array_equal(
            old, wavelet.power_significance(x, 1.0, significance_level=0.9, **kw)
        )
        y = wavelet.rednoise(128, 0.3, rng=4)
        with pytest.warns(DeprecationWarning, match="`test` is deprecated"):
            old = wavelet.areawise_coherence(x, y, 1.0, test="areawise", **kw)
        assert old.area_test == "areawise"

    def test_default_mc_count_is_the_options(self):
        for func in (wavelet.areawise_power, wavelet.areawise_coherence,
                     wavelet.power_significance):  # fmt: skip
            assert inspect.signature(func).parameters["mc_count"].default == MonteCarlo.mc_count
