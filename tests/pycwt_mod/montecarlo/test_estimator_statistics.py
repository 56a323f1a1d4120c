"""Statistical validation of the Monte Carlo coherence significance.

These tests compare distributions, not numbers: the tolerances come from the
Monte Carlo error of the estimates, measured in the test itself.
"""

import numpy as np
import pycwt
import pytest

import pycwt_mod as pm
from pycwt_mod.montecarlo import make_plan, run_chunk, surrogate_groups, thresholds

pytestmark = pytest.mark.slow

# Equivalence of the multirate estimator with the full-length one (issue 10): K
# seeded runs of MC pairs each, on a grid of 33 scales (dj = 1/4, s_max = 512, so
# surrogates of 3072 samples for the full estimator) with two groups.
EQ_GRID = dict(dt=1.0, dj=0.25, s0=2.0, J=32)
EQ_SEEDS, EQ_MC = 24, 40


def _seeded_thresholds(estimator: str, precision: str, wavelet="morlet") -> np.ndarray:
    """(EQ_SEEDS, n_scales) thresholds at the 95% level, one row per seed."""
    rows = []
    for seed in range(EQ_SEEDS):
        plan = make_plan(0.72, 0.72, **EQ_GRID, wavelet=wavelet, mc_count=EQ_MC, seed=seed,
                         estimator=estimator, precision=precision)  # fmt: skip
        rows.append(thresholds(plan, run_chunk(plan, 0, EQ_MC), 0.95))
    return np.array(rows)


@pytest.fixture(scope="module")
def estimators():
    """Thresholds of the full estimator (float64, pycwt's) and the multirate one."""
    return {
        "full": _seeded_thresholds("full", "float64"),
        "multirate": _seeded_thresholds("multirate", "float32"),
        "multirate64": _seeded_thresholds("multirate", "float64"),
        "top": surrogate_groups(make_plan(0.72, 0.72, **EQ_GRID, seed=0))[-1][0],
    }


class TestMultirateEquivalence:
    """The default (multirate, float32) estimator against pycwt's full-length one.

    The standard error of a threshold is the spread of its estimates over seeds.
    """

    def test_standard_error_no_larger_than_the_full_estimators_at_its_largest_scale(
        self, estimators
    ):
        full, multi, top = estimators["full"], estimators["multirate"], estimators["top"]
        sd_full = full.std(axis=0, ddof=1)
        sd_multi = multi.std(axis=0, ddof=1)
        assert top >= 16  # most scales are in the cheaper groups
        # Below the top group the surrogates are shorter than the full estimator's.
        assert np.all(sd_multi[:top] <= sd_full[-1]), sd_multi[:top] / sd_full[-1]
        # The full estimator's error grows with scale, its largest scale is its worst
        # (up to the spread of a standard deviation over 24 seeds, about 15%).
        assert sd_full[-1] >= 0.85 * sd_full.max()
        # The top group is the full-length computation (float32 against float64).
        np.testing.assert_allclose(multi[:, top:], full[:, top:], rtol=0, atol=0.1 * sd_full[-1])

    def test_means_agree_within_three_standard_errors(self, estimators):
        full, multi = estimators["full"], estimators["multirate"]
        se = np.sqrt((full.var(axis=0, ddof=1) + multi.var(axis=0, ddof=1)) / EQ_SEEDS)
        diff = multi.mean(axis=0) - full.mean(axis=0)
        assert np.all(np.abs(diff) <= 3 * se), diff / se

    def test_float32_moves_thresholds_far_less_than_the_monte_carlo_error(self, estimators):
        single, double = estimators["multirate"], estimators["multirate64"]
        sd = double.std(axis=0, ddof=1)
        assert np.all(np.abs(single - double) <= 0.05 * sd), np.abs(single - double).max()


class TestAgreementWithPycwt:
    """With white-noise backgrounds pycwt's surrogates are right, so both agree."""

    def test_white_noise_thresholds_match_within_monte_carlo_error(self):
        dt, dj, s0, J, mc = 1.0, 1 / 4, 2.0, 16, 300
        # pycwt crashes on al=0 (numpy.randn) but its generator returns white
        # noise for any coefficient, so 1e-3 gives it white-noise surrogates.
        np.random.seed(0)  # noqa: NPY002 - pycwt draws from the global generator
        ref = pycwt.wct_significance(
            1e-3, 1e-3, dt, dj, s0, J, wavelet=pycwt.Morlet(6), mc_count=mc,
            progress=False, cache=False,
        )  # fmt: skip
        k = 6
        ours = np.array(
            [
                pm.wct_significance(
                    0.0,
                    0.0,
                    dt,
                    dj,
                    s0,
                    J,
                    mc_count=mc,
                    progress=False,
                    cache=False,
                    seed=seed,
                    backend="sequential",
                )
                for seed in range(k)
            ]
        )
        mean, sd = ours.mean(axis=0), ours.std(axis=0, ddof=1)
        # pycwt leaves its last scale NaN (an off-by-one); compare the others.
        valid = np.isfinite(ref) & (ref > 0)
        assert valid.sum() >= J - 1
        # One pycwt estimate against the mean of k of ours: the difference has
        # standard deviation sd * sqrt(1 + 1/k). 5 sigma per scale, since sd
        # itself comes from only k samples; and no systematic bias overall.
        tol = 5 * sd[valid] * np.sqrt(1 + 1 / k)
        diff = ref[valid] - mean[valid]
        assert np.all(np.abs(diff) <= tol), diff / tol
        assert abs(diff.mean()) < 0.01
        # Sanity: the Monte Carlo error itself is small compared with the levels.
        assert np.all(sd < 0.05)


class TestCalibration:
    """Independent AR(1) pairs exceed the 95% level about 5% of the time."""

    def test_false_positive_rate_near_five_percent(self):
        dt, dj, s0, n, g = 1.0, 1 / 4, 2.0, 1024, 0.7
        J = pm.scale_grid(n, dt, dj, s0).size - 1
        sig = pm.wct_significance(
            g, g, dt, dj, s0, J, mc_count=300, progress=False, cache=False, seed=11
        )
        rng = np.random.default_rng(5)
        exceed = total = 0
        for _ in range(20):
            a = pm.rednoise(n, g, rng=rng)
            b = pm.rednoise(n, g, rng=rng)
            WCT, _, coi, freq, _ = pm.wct(a, b, dt, dj, s0, J, sig=False)
            outside = (1 / freq)[:, None] <= coi[None, :]
            exceed += int(((WCT > sig[:, None]) & outside).sum())
            total += int(outside.sum())
        rate = exceed / total
        assert 0.03 <= rate <= 0.07, rate

    @pytest.mark.parametrize("wavelet", ["morlet", "paul"])
    @pytest.mark.parametrize("g", [0.0, 0.5, 0.9])
    def test_false_positive_rate_of_the_default_estimator(self, g, wavelet):
        # Issue 10's grid at series length 512 (4096 is in bench/calibration.py).
        dt, dj, s0, n = 1.0, 1 / 4, 2.0, 512
        J = pm.scale_grid(n, dt, dj, s0, wavelet=wavelet).size - 1
        sig = pm.wct_significance(g, g, dt, dj, s0, J, wavelet=wavelet, mc_count=300,
                                  progress=False, cache=False, seed=12)  # fmt: skip
        rng = np.random.default_rng(6)
        exceed = total = 0
        for _ in range(40):
            a = pm.rednoise(n, g, rng=rng)
            b = pm.rednoise(n, g, rng=rng)
            WCT, _, coi, freq, _ = pm.wct(a, b, dt, dj, s0, J, sig=False, wavelet=wavelet)
            outside = (1 / freq)[:, None] <= coi[None, :]
            exceed += int(((WCT > sig[:, None]) & outside).sum())
            total += int(outside.sum())
        rate = exceed / total
        assert 0.03 <= rate <= 0.07, rate
