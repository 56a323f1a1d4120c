"""The cumulative areawise test (Schulte 2016, simplified form of Schulte 2019).

Hand-made masks check each step; seeded AR(1) Monte Carlo checks the test as a
whole (N = 512, dj = 1/4, 100 calibration and 100 independent test series).
Measured with these seeds (see docs/significance.md):

- out of sample, each level's geometric test passes 4-6% of the null patches
  (nominal 5%); pointwise-95% area is ~5% of the plane, cumulative-areawise area
  ~1.7% (geometric test at 95%: ~0.9%; Maraun test: ~0.3%);
- a sinusoid of period 32, 200 samples long, amplitude 1.0-1.5 noise standard
  deviations in AR(1) noise (g = 0.7) is found by the cumulative test over more of
  its ridge than by the geometric test (Schulte 2016: more power, especially at
  high signal-to-noise ratio).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import pycwt_mod as wavelet
from pycwt_mod.areawise import cumulative as C
from pycwt_mod.areawise import patches as P
from pycwt_mod.montecarlo import surrogates as S

N, DJ, G = 512, 0.25, 0.7
LN2 = np.log(2)


def _normalised_area(cells_scales, dt, dj):
    """Schulte's normalised area of one patch from the scales of its points, by hand."""
    s = np.asarray(cells_scales, dtype=float)
    cell = dt * s * LN2 * dj
    centroid = (cell * s).sum() / cell.sum()
    return cell.sum() / centroid**2


def _pool(samples):
    samples = list(samples)  # (null_areas, null_levels) per field, in field order
    return np.concatenate([a for a, _ in samples]), np.concatenate([lev for _, lev in samples])


class TestGeometricPathways:
    def test_nested_patches_and_their_normalised_areas(self):
        sj = np.array([1.0, 2.0])
        loose = np.array([[1, 1, 0, 1], [1, 0, 0, 1]], bool)  # two patches
        strict = np.array([[1, 0, 0, 0], [0, 0, 0, 0]], bool)  # inside the first
        p = C.geometric_pathways(np.stack([loose, strict]), sj, dt=1.0, dj=0.5)
        a_big = _normalised_area([1, 1, 2], 1.0, 0.5)
        a_right = _normalised_area([1, 2], 1.0, 0.5)
        a_small = _normalised_area([1], 1.0, 0.5)
        np.testing.assert_allclose(p.areas[0], [[a_big, a_big, 0, a_right], [a_big, 0, 0, a_right]])
        np.testing.assert_allclose(p.areas[1], [[a_small, 0, 0, 0], [0, 0, 0, 0]])
        # pathway of point (0, 0): areas shrink as the level rises
        assert p.areas[0, 0, 0] > p.areas[1, 0, 0] > 0
        # null sample: every patch once, level by level
        level0 = sorted(p.null_areas[p.null_levels == 0])
        np.testing.assert_allclose(level0, sorted([a_big, a_right]))
        np.testing.assert_allclose(p.null_areas[p.null_levels == 1], [a_small])
        np.testing.assert_array_equal(p.null_levels, [0, 0, 1])

    def test_matches_patches_schulte_measure(self):
        rng = np.random.default_rng(3)
        sj = 2.0 ** (np.arange(6) * 0.5)
        masks = rng.random((3, 6, 40)) > 0.6
        p = C.geometric_pathways(masks, sj, 0.5, 0.5)
        for level in range(3):
            _, sizes, _ = P.patch_sizes(masks[level], sj, 0.5, 0.5, measure="schulte")
            np.testing.assert_allclose(p.null_areas[p.null_levels == level], sizes)

    def test_null_sample_is_the_pathways_sample(self):
        rng = np.random.default_rng(4)
        sj = 2.0 ** (np.arange(5) * 0.5)
        masks = rng.random((2, 5, 30)) > 0.5
        areas, levels = C.null_sample(masks, sj, 1.0, 0.5)
        p = C.geometric_pathways(masks, sj, 1.0, 0.5)
        np.testing.assert_array_equal(areas, p.null_areas)
        np.testing.assert_array_equal(levels, p.null_levels)
        assert areas.size > 2 and set(levels) == {0, 1}

    def test_no_patch(self):
        p = C.geometric_pathways(np.zeros((2, 3, 5), bool), [1.0, 2.0, 4.0], 1.0, 1.0)
        assert p.null_areas.size == 0 and p.null_levels.size == 0 and not p.areas.any()

    def test_validation(self):
        with pytest.raises(ValueError, match="`masks`"):
            C.geometric_pathways(np.zeros((3, 5), bool), [1.0, 2.0, 4.0], 1.0, 1.0)
        with pytest.raises(ValueError, match="`masks`"):
            C.geometric_pathways(np.zeros((1, 2, 5), bool), [1.0, 2.0, 4.0], 1.0, 1.0)
        with pytest.raises(ValueError, match="`dt`"):
            C.geometric_pathways(np.zeros((1, 3, 5), bool), [1.0, 2.0, 4.0], -1.0, 1.0)
        with pytest.raises(ValueError, match="`masks`"):
            C.null_sample(np.zeros((1, 2, 5), bool), [1.0, 2.0, 4.0], 1.0, 1.0)


class TestCriticalAreas:
    def test_order_statistic_per_level(self):
        areas = [1, 2, 3, 4, 5, 10, 20]
        levels = [0, 0, 0, 0, 0, 1, 1]
        # 0.8: at most 1 of level 0's 5 patches may be larger -> 4; at most 0.4 of
        # level 1's 2 -> none -> 20; level 2 has no patch -> 0
        np.testing.assert_allclose(C.critical_areas(areas, levels, 3, 0.8), [4.0, 20.0, 0.0])
        np.testing.assert_allclose(C.critical_areas(areas, levels, 2, 0.5), [3.0, 10.0])
        # 0.95: no patch may be larger -> the largest
        np.testing.assert_allclose(C.critical_areas(areas, levels, 2, 0.95), [5.0, 20.0])

    def test_ties_move_together(self):
        np.testing.assert_allclose(C.critical_areas([1, 2, 2, 2], [0] * 4, 1, 0.5), [2.0])
        np.testing.assert_allclose(C.critical_areas([1, 1, 1, 1], [0] * 4, 1, 0.95), [1.0])

    def test_does_not_depend_on_order_or_chunking(self):
        rng = np.random.default_rng(0)
        a = rng.exponential(size=300)
        lev = rng.integers(0, 4, size=300)
        whole = C.critical_areas(a, lev, 4, 0.9)
        perm = rng.permutation(300)
        np.testing.assert_array_equal(C.critical_areas(a[perm], lev[perm], 4, 0.9), whole)
        chunks = [(a[i : i + 70], lev[i : i + 70]) for i in range(0, 300, 70)]
        pooled = C.critical_areas(
            np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks]), 4, 0.9
        )
        np.testing.assert_array_equal(pooled, whole)

    def test_validation(self):
        with pytest.raises(ValueError, match="`area_level`"):
            C.critical_areas([1.0], [0], 1, 1.5)
        with pytest.raises(ValueError, match="same length"):
            C.critical_areas([1.0, 2.0], [0], 1)
        with pytest.raises(ValueError, match="`null_levels`"):
            C.critical_areas([1.0], [2], 2)
        with pytest.raises(ValueError, match="`null_areas`"):
            C.critical_areas([-1.0], [0], 1)
        with pytest.raises(ValueError, match="`n_levels`"):
            C.critical_areas([1.0], [0], 0)


class TestStatisticAndMask:
    def test_fraction_of_levels_passed(self):
        areas = np.array(
            [
                [[5.0, 5.0, 0.0, 1.0]],  # level 0, critical 2
                [[3.0, 0.5, 0.0, 0.0]],  # level 1, critical 1
                [[0.0, 0.0, 0.0, 0.0]],  # level 2, critical 0: an empty point never passes
            ]
        )
        stat = C.cumulative_statistic(areas, [2.0, 1.0, 0.0])
        np.testing.assert_allclose(stat, [[2 / 3, 1 / 3, 0.0, 0.0]])
        np.testing.assert_array_equal(C.cumulative_mask(stat), [[True, False, False, False]])
        np.testing.assert_array_equal(C.cumulative_mask(stat, 1 / 3), [[True, True, False, False]])
        np.testing.assert_array_equal(C.cumulative_mask(stat, 1.0), [[False] * 4])

    def test_three_of_five_levels_meets_one_half(self):
        stat = np.array([[2 / 5, 3 / 5, 1.0]])
        np.testing.assert_array_equal(C.cumulative_mask(stat, 0.5), [[False, True, True]])
        np.testing.assert_array_equal(C.cumulative_mask(stat, 0.6), [[False, True, True]])

    def test_validation(self):
        with pytest.raises(ValueError, match="`critical`"):
            C.cumulative_statistic(np.zeros((2, 3, 4)), [1.0])
        with pytest.raises(ValueError, match="`critical`"):
            C.cumulative_statistic(np.zeros((1, 3, 4)), [np.nan])
        with pytest.raises(ValueError, match="`fraction`"):
            C.cumulative_mask(np.zeros((3, 4)), 0)
        for bad in ((), (0.9, 0.8), (0.5, 1.0), "x", [[0.9]]):
            with pytest.raises(ValueError, match="`levels`"):
                C.check_levels(bad)
        assert C.check_levels(C.DEFAULT_LEVELS) == (0.82, 0.86, 0.90, 0.94, 0.98)


def _grid(n=N, dj=DJ):
    _, sj, freqs, coi, _, _ = wavelet.cwt(np.arange(n) % 3.0, 1.0, dj=dj)
    return sj, freqs, P.outside_coi(freqs, coi)


def _power(xs, freqs):
    return np.stack([np.abs(wavelet.cwt(x, 1.0, freqs=freqs)[0]) ** 2 for x in xs])


@pytest.fixture(scope="module")
def ar1_null():
    """100 calibration and 100 independent test fields of the same AR(1) process."""
    sj, freqs, valid = _grid()
    cal = _power(S.ar1_surrogates(N, G, 100, seed=1), freqs)
    test = _power(S.ar1_surrogates(N, G, 100, seed=2), freqs)
    return sj, valid, cal, test


class TestLevels:
    def test_thresholds_grow_and_masks_nest(self, ar1_null):
        sj, valid, cal, test = ar1_null
        thr = C.level_thresholds(cal, valid)
        assert thr.shape == (len(C.DEFAULT_LEVELS), sj.size)
        finite = np.isfinite(thr).all(axis=0)
        assert (np.diff(thr[:, finite], axis=0) >= 0).all()
        masks = C.level_masks(test[0], thr, valid)
        assert not (masks & ~valid).any()
        assert (masks[1:] <= masks[:-1]).all()  # M_1 ⊇ M_2 ⊇ ...
        with pytest.raises(ValueError, match="`thresholds`"):
            C.level_masks(test[0], thr[:, :-1], valid)

    def test_single_level_is_the_geometric_test(self, ar1_null):
        sj, valid, cal, test = ar1_null
        kept = dropped = 0
        for f in test[:10]:
            res = C.cumulative_test(f, cal[:40], valid, sj, 1.0, DJ, levels=(0.95,))
            pw = res.pointwise[0]
            crit = res.critical_areas[0]
            expected = P.areawise_mask(pw, sj, 1.0, DJ, crit, measure="schulte")
            np.testing.assert_array_equal(res.significant, expected)
            kept += res.significant.sum()
            dropped += (pw & ~res.significant).sum()
        assert kept > 0 and dropped > 0  # the comparison is not vacuous


class TestUnderTheNull:
    def test_false_positives_out_of_sample(self, ar1_null):
        sj, valid, cal, test = ar1_null
        thr = C.level_thresholds(cal, valid)
        crit = C.critical_areas(
            *_pool(C.null_sample(C.level_masks(f, thr, valid), sj, 1.0, DJ) for f in cal),
            len(C.DEFAULT_LEVELS),
        )
        thr95 = P.pointwise_thresholds(cal, valid, 0.95)
        passed = np.zeros(len(C.DEFAULT_LEVELS))
        count = np.zeros(len(C.DEFAULT_LEVELS))
        w = np.broadcast_to(DJ / sj[:, None], valid.shape)  # normalised area per point
        cum_area = pw_area = 0.0
        for f in test:
            p = C.geometric_pathways(C.level_masks(f, thr, valid), sj, 1.0, DJ)
            passed += np.bincount(p.null_levels, p.null_areas > crit[p.null_levels], 5)
            count += np.bincount(p.null_levels, minlength=5)
            cum_area += (C.cumulative_mask(C.cumulative_statistic(p.areas, crit)) * w).sum()
            pw_area += ((valid & (f > thr95[:, None])) * w).sum()
        plane = (valid * w).sum() * len(test)
        # each level's geometric test keeps ~ 1 - area_level of the null patches
        assert np.all((passed / count > 0.025) & (passed / count < 0.085)), passed / count
        assert 0.04 < pw_area / plane < 0.06  # pointwise 95%: ~5% of the plane
        assert cum_area / plane < 0.025  # cumulative: far below the pointwise 5%
        assert cum_area / pw_area < 0.5

    def test_similar_false_positives_to_the_geometric_test(self, ar1_null):
        # Schulte (2016): the numbers of false positives are similar when both
        # levels are 0.05; count false-positive patches per null field
        sj, valid, cal, test = ar1_null
        cal, test = cal[:60], test[:60]
        geo = C.cumulative_test(test[0], cal, valid, sj, 1.0, DJ, levels=(0.95,))
        cum = C.cumulative_test(test[0], cal, valid, sj, 1.0, DJ)
        n_geo = n_cum = n_pw = 0
        for f in test:
            pg = C.geometric_pathways(C.level_masks(f, geo.thresholds, valid), sj, 1.0, DJ)
            pc = C.geometric_pathways(C.level_masks(f, cum.thresholds, valid), sj, 1.0, DJ)
            n_pw += pg.null_areas.size
            n_geo += int((pg.null_areas > geo.critical_areas[0]).sum())
            mask = C.cumulative_mask(C.cumulative_statistic(pc.areas, cum.critical_areas))
            n_cum += ndimage.label(mask)[1]
        assert n_geo < 0.1 * n_pw and n_cum < 0.2 * n_pw
        assert 0.5 < n_cum / max(n_geo, 1) < 2.5


class TestDetection:
    @staticmethod
    def _series(amp, rng):
        t = np.arange(N)
        noise = wavelet.rednoise(N, G, rng=rng)
        noise /= noise.std()
        on = (t > 150) & (t < 350)
        return noise, noise + amp * on * np.sin(2 * np.pi * t / 32), on

    @staticmethod
    def _tests(x, seed, others: bool = True):
        W, sj, freqs, coi, _, _ = wavelet.cwt(x, 1.0, dj=DJ)
        valid = P.outside_coi(freqs, coi)
        null = _power(S.surrogates(x, "ar1", 100, seed), freqs)
        power = np.abs(W) ** 2
        cum = C.cumulative_test(power, null, valid, sj, 1.0, DJ)
        band = (1 / freqs > 24) & (1 / freqs < 44)
        if not others:  # the cumulative test alone
            return cum, None, None, band
        geo = C.cumulative_test(power, null, valid, sj, 1.0, DJ, levels=(0.95,))
        thr = P.pointwise_thresholds(null, valid, 0.95)
        a_crit = P.critical_area(valid[None] & (null > thr[None, :, None]), sj, 1.0, DJ)
        mar = P.areawise_mask(valid & (power > thr[:, None]), sj, 1.0, DJ, a_crit)
        return cum, geo, mar, band

    def test_planted_intermittent_sinusoid_detected(self):
        noise, x, on = self._series(1.0, 7)
        cum, _, _, band = self._tests(x, 1, others=False)
        assert cum.significant[band][:, 170:330].mean() > 0.5
        assert cum.significant[:, ~on].mean() < 0.03  # little elsewhere
        assert (cum.statistic[band][:, 170:330] >= 0.8).mean() > 0.5  # most levels agree
        cum0, _, _, _ = self._tests(noise, 1, others=False)  # the noise alone: nothing there
        assert cum0.significant[band][:, 170:330].mean() < 0.1

    def test_more_power_than_geometric_and_maraun_on_same_surrogates(self):
        found = {"cum": [], "geo": [], "mar": []}
        elsewhere = {"cum": [], "geo": [], "mar": []}
        for r in range(5):
            _, x, on = self._series(1.5, 100 + r)
            cum, geo, mar, band = self._tests(x, r)
            for key, m in (("cum", cum.significant), ("geo", geo.significant), ("mar", mar)):
                found[key].append(m[band][:, 170:330].mean())
                elsewhere[key].append(m[:, ~on].mean())
        mean = {k: float(np.mean(v)) for k, v in found.items()}
        assert mean["cum"] > mean["geo"] > 0.3 and mean["cum"] > mean["mar"]
        assert all(np.mean(v) < 0.03 for v in elsewhere.values())
