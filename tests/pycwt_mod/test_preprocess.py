"""Preprocessing: seasonal anomalies, detrending, standardising, gap filling and the gap
cone of influence."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod as pm
from pycwt_mod import preprocess as pp


class TestDetrend:
    def test_removes_a_line_exactly(self):
        t = np.arange(50.0)
        assert_allclose(pp.detrend(3.0 + 0.5 * t), 0.0, atol=1e-12)

    def test_fit_ignores_gaps_and_keeps_them(self):
        x = 1.0 - 2.0 * np.arange(20.0)
        x[[3, 4, 11]] = np.nan
        y = pp.detrend(x)
        assert_array_equal(np.isnan(y), np.isnan(x))
        assert_allclose(y[~np.isnan(y)], 0.0, atol=1e-12)

    def test_uneven_time_is_used_for_the_fit(self):
        t = np.array([0.0, 1.0, 4.0, 9.0, 16.0])
        assert_allclose(pp.detrend(2.0 * t, time=t), 0.0, atol=1e-12)

    def test_residual_of_hand_fit(self):
        # least squares through (0,1) (1,2) (2,3.5) (3,4): slope 1.05, intercept 1.05
        assert_allclose(pp.detrend([1.0, 2.0, 3.5, 4.0]), [-0.05, -0.1, 0.35, -0.2], atol=1e-12)

    def test_none_returns_a_copy(self):
        x = np.array([1.0, 5.0, 2.0])
        y = pp.detrend(x, "none")
        assert_array_equal(y, x)
        assert y is not x

    @pytest.mark.parametrize("method", pp.DETREND_METHODS)
    def test_every_documented_method_runs(self, method):
        assert pp.detrend(np.arange(5.0), method).shape == (5,)

    def test_unknown_method(self):
        with pytest.raises(
            ValueError, match=r"`method` must be one of 'none', 'linear' \(got 'quadratic'\)"
        ):
            pp.detrend([1.0, 2.0, 3.0], "quadratic")

    def test_too_few_valid_samples(self):
        with pytest.raises(ValueError, match="at least 2 valid samples"):
            pp.detrend([1.0, np.nan, np.nan])

    def test_infinity_is_not_a_gap(self):
        with pytest.raises(ValueError, match="infinite value at index 1"):
            pp.detrend([1.0, np.inf, 2.0])

    def test_time_of_other_length(self):
        with pytest.raises(ValueError, match="`time` must have the shape"):
            pp.detrend([1.0, 2.0, 3.0], time=[0.0, 1.0])


class TestAnomalies:
    def test_hand_example(self):
        assert_array_equal(pp.anomalies([1.0, 5.0, 3.0, 7.0], 2), [-1.0, -1.0, 1.0, 1.0])

    def test_removes_a_periodic_cycle_exactly_and_keeps_the_rest(self):
        t = np.arange(120)
        cycle = np.tile([3.0, 1.0, -2.0, 0.5, 4.0, -1.0, 0.0, 2.0, -3.0, 1.5, -0.5, 2.5], 10)
        slow = np.sin(2 * np.pi * t / 60)  # whole cycles: zero mean at every phase
        assert_allclose(pp.anomalies(cycle + slow, 12), slow, atol=1e-12)

    def test_gaps_stay_and_phase_means_are_of_the_valid_samples(self):
        x = np.arange(30.0) % 3 * 10 + np.arange(30.0)  # phases 0, 1, 2 of a 3-cycle
        x[[4, 20]] = np.nan
        y = pp.anomalies(x, 3)
        assert_array_equal(np.isnan(y), np.isnan(x))
        for phase in range(3):
            assert np.nanmean(y[phase::3]) == pytest.approx(0.0, abs=1e-12)

    def test_partial_last_cycle(self):
        x = np.r_[np.tile([1.0, -1.0, 2.0], 3), 1.0]  # 10 samples, 3-cycle
        assert_allclose(pp.anomalies(x, 3), 0.0, atol=1e-12)

    @pytest.mark.parametrize(
        ("x", "period", "match"),
        [(np.ones(24), 1, "`anomalies` must be the samples per seasonal cycle"),
         (np.ones(24), 2.5, "`anomalies` must be"),
         (np.ones(24), True, "`anomalies` must be"),
         (np.ones(20), 12, r"`anomalies=12` needs at least two full cycles \(24 samples"),
         (np.r_[np.nan, 1.0, np.nan, 1.0], 2, "phase 0 of the 2-sample cycle"),
         ([1.0, np.inf, 2.0, 3.0], 2, "infinite value at index 1")],
    )  # fmt: skip
    def test_errors(self, x, period, match):
        with pytest.raises(ValueError, match=match):
            pp.anomalies(x, period)


class TestStandardize:
    def test_zero_mean_unit_std_over_valid_samples(self):
        z = pp.standardize([1.0, 2.0, np.nan, 3.0])
        assert_allclose(z, [-np.sqrt(1.5), 0.0, np.nan, np.sqrt(1.5)])

    def test_constant_series(self):
        with pytest.raises(ValueError, match="constant series"):
            pp.standardize([2.0, 2.0, 2.0])


class TestCheckGaps:
    def test_finite_series_passes(self):
        pp.check_gaps(np.arange(4.0))

    def test_names_the_first_gap_with_its_date(self):
        dates = np.arange("2020-01-01", "2020-01-06", dtype="datetime64[D]")
        x = np.array([1.0, 2.0, np.nan, 4.0, np.nan])
        with pytest.raises(
            ValueError, match=r"`x` has 2 missing value\(s\).*index 2 \(2020-01-03\).*gaps='mask'"
        ):
            pp.check_gaps(x, "x", dates)


class TestFillGaps:
    def test_mean_fill(self):
        assert_allclose(pp.fill_gaps([1.0, np.nan, 5.0, 2.0]), [1.0, 8 / 3, 5.0, 2.0])

    def test_linear_fill_holds_the_ends(self):
        y = pp.fill_gaps([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan], fill="linear")
        assert_allclose(y, [1.0, 1.0, 2.0, 3.0, 4.0, 4.0])

    @pytest.mark.parametrize("fill", pp.GAP_FILLS)
    def test_valid_samples_unchanged(self, fill):
        x = np.array([3.0, np.nan, 1.0, 7.0])
        y = pp.fill_gaps(x, fill)
        assert np.isfinite(y).all()
        assert_array_equal(y[[0, 2, 3]], x[[0, 2, 3]])

    def test_unknown_fill(self):
        with pytest.raises(ValueError, match="`fill` must be one of 'mean', 'linear'"):
            pp.fill_gaps([1.0, 2.0], "spline")


class TestGapCone:
    def test_hand_values(self):
        missing = np.zeros(9, dtype=bool)
        missing[4] = True
        m = pm.Morlet(6)
        d = np.array([3.5, 2.5, 1.5, 0.5, 0.0, 0.5, 1.5, 2.5, 3.5])
        assert_allclose(pp.gap_cone(missing, 2.0), m.flambda() * m.coi() * 2.0 * d)

    @pytest.mark.parametrize("wavelet", ["morlet", "paul", "dog"])
    def test_is_the_edge_cone_with_gaps_beyond_the_ends(self, wavelet):
        n, dt = 37, 0.5
        padded = np.r_[True, np.zeros(n, dtype=bool), True]
        cone = pp.gap_cone(padded, dt, wavelet)[1:-1]
        assert_allclose(cone, pm.cone_of_influence(n, dt, wavelet))

    def test_no_gap_is_an_infinite_cone(self):
        assert np.isposinf(pp.gap_cone(np.zeros(5, dtype=bool))).all()


class TestGapMask:
    def test_hand_mask(self):
        m = pp.gap_mask([False] * 4 + [True] + [False] * 4, [1.0, 2.0], 1.0)
        assert_array_equal(
            m.astype(int), [[0, 0, 0, 1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 1, 1, 1, 1, 0]]
        )

    def test_outside_the_mask_a_filled_gap_moves_power_less_than_e_folding(self):
        """T&C Sec. 3g: beyond the e-folding time the gap's effect on power is < e^-2."""
        t = np.arange(1024.0)
        x = np.sin(2 * np.pi * t / 32)
        gapped = x.copy()
        gapped[500:520] = np.nan
        W0, _, freqs, coi, _, _ = pm.cwt(x, 1.0, 1 / 8)
        W1, _, _, _, _, _ = pm.cwt(pp.fill_gaps(gapped), 1.0, 1 / 8)
        period = 1 / freqs
        j = np.argmin(np.abs(period - 32))
        mask = pp.gap_mask(np.isnan(gapped), period, 1.0)[j]
        clean = period[j] <= coi
        change = np.abs(np.abs(W1[j]) ** 2 - np.abs(W0[j]) ** 2) / np.max(np.abs(W0[j]) ** 2)
        assert change[clean & ~mask].max() < np.exp(-2)
        assert change[clean & mask].max() > 0.3  # the mask is where it matters
        assert mask[500:520].all()

    def test_2d_period_rejected(self):
        with pytest.raises(ValueError, match="`period` must be 1-D"):
            pp.gap_mask([False, True], [[1.0]])
