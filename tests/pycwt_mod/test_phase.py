"""Phase statistics (`pycwt_mod.phase`): circular mean, confidence interval (Zar 1999,
as Grinsted's anglemean), and the phase as a time lag (positive: a leads b)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import pycwt_mod as pm
from pycwt_mod.phase import circular_mean, phase_statistics

N = 1024
T = np.arange(N, dtype=float)


class TestCircularMean:
    def test_known_mean_and_resultant(self):
        c = circular_mean([0.0, np.pi / 2])
        assert c.mean == pytest.approx(np.pi / 4)
        assert c.resultant_length == pytest.approx(np.sqrt(2) / 2)
        assert c.angular_deviation == pytest.approx(np.sqrt(2 - np.sqrt(2)))
        assert c.circular_std == pytest.approx(np.sqrt(-2 * np.log(np.sqrt(2) / 2)))

    def test_wraps_across_pi(self):
        c = circular_mean([np.pi - 0.1, -np.pi + 0.1])
        assert abs(c.mean) == pytest.approx(np.pi)
        assert c.resultant_length == pytest.approx(np.cos(0.1))

    def test_ci_by_zar_26_23(self):
        """R <= 0.9: d = arccos(sqrt(2n(2r^2 - n chi2)/(4n - chi2)) / r)."""
        rng = np.random.default_rng(3)
        a = rng.vonmises(1.0, 2.0, 40)
        c = circular_mean(a)
        assert c.resultant_length <= 0.9
        n, r, x = 40, 40 * c.resultant_length, 3.841458820694124
        assert c.ci_halfwidth == pytest.approx(
            np.arccos(np.sqrt(2 * n * (2 * r**2 - n * x) / (4 * n - x)) / r), rel=1e-12
        )

    def test_ci_shrinks_with_more_points(self):
        rng = np.random.default_rng(7)
        widths = [circular_mean(rng.vonmises(0.5, 4.0, n)).ci_halfwidth for n in (10, 100, 1000)]
        assert widths[0] > widths[1] > widths[2]
        # as 1/sqrt(n), within sampling noise
        assert widths[1] / widths[2] == pytest.approx(np.sqrt(10), rel=0.2)

    def test_ci_covers_the_true_mean_95_percent(self):
        """The interval's coverage for von Mises angles (kappa 2, n 100): 95 +- 2% (Zar's
        approximation runs slightly conservative, about 96% at n = 30)."""
        rng = np.random.default_rng(11)
        mu, covered, trials = 0.7, 0, 2000
        for _ in range(trials):
            c = circular_mean(rng.vonmises(mu, 2.0, 100))
            covered += abs(np.angle(np.exp(1j * (c.mean - mu)))) <= c.ci_halfwidth
        assert covered / trials == pytest.approx(0.95, abs=0.02)

    def test_uniform_phases_large_dispersion(self):
        rng = np.random.default_rng(5)
        c = circular_mean(rng.uniform(-np.pi, np.pi, 500))
        assert c.resultant_length < 0.1  # about 1/sqrt(n) = 0.045
        assert c.angular_deviation > 1.3  # near the maximum sqrt(2) = 1.41
        assert c.rayleigh_p > 0.05
        assert c.ci_halfwidth == np.pi  # no preferred direction: not determined
        concentrated = circular_mean(rng.vonmises(0.0, 4.0, 500))
        assert concentrated.rayleigh_p < 1e-10 and concentrated.angular_deviation < 0.6

    def test_n_independent_widens(self):
        a = np.random.default_rng(2).vonmises(0.0, 3.0, 400)
        assert circular_mean(a, n_independent=40).ci_halfwidth > circular_mean(a).ci_halfwidth
        assert circular_mean(a, level=0.99).ci_halfwidth > circular_mean(a).ci_halfwidth

    @pytest.mark.parametrize(
        ("args", "match"),
        [(([np.nan],), "no finite angle"), (([0.1], 1.5), "`level`"),
         (([0.1], 0.95, 0.5), "`n_independent` must be >= 1")],
    )  # fmt: skip
    def test_errors(self, args, match):
        with pytest.raises(ValueError, match=match):
            circular_mean(*args)


class TestPhaseStatistics:
    @pytest.mark.parametrize("tau", [4.0, -6.0])
    def test_shifted_sine_gives_its_lag(self, tau):
        """b(t) = a(t - tau): b follows a by tau, phase 2 pi tau / P > 0 (a leads)."""
        P = 32.0
        a, b = np.sin(2 * np.pi * T / P), np.sin(2 * np.pi * (T - tau) / P)
        W12, coi, freqs, _ = pm.xwt(a, b, 1.0, 1 / 12)
        st = phase_statistics(W12, 1 / freqs, band=(24, 40), coi=coi, lag_period=P)
        assert st.mean_phase == pytest.approx(2 * np.pi * tau / P, abs=1e-6)
        assert st.lag == pytest.approx(tau, abs=1e-4)
        # default: read at the harmonic mean period of a narrow band around P
        narrow = phase_statistics(W12, 1 / freqs, band=(30, 34), coi=coi)
        assert narrow.lag == pytest.approx(tau, rel=0.03)

    def test_broadband_delay(self):
        """Red noise and its copy 3 samples later: the lag at the harmonic mean period,
        from the coherence phase (aWCT) of pycwt's wct; a few % low (the phase at a
        scale is that of the frequencies the wavelet passes there, below the nominal
        one for red noise)."""
        a = pm.rednoise(4096, 0.8, rng=1)
        b = np.roll(a, 3)  # b(t) = a(t - 3)
        _, aWCT, coi, freqs, _ = pm.wct(a, b, 1.0, 1 / 12, sig=False)
        st = phase_statistics(aWCT, 1 / freqs, band=(12, 64), coi=coi)
        assert st.lag == pytest.approx(3.0, rel=0.05)
        assert st.lag_ci[0] <= st.lag <= st.lag_ci[1]

    def test_window_and_significance_select(self):
        """A lead in the first half, a lag in the second: the window or the mask
        picks one."""
        P = 32.0
        a = np.sin(2 * np.pi * T / P)
        b = np.where(T < N / 2, np.sin(2 * np.pi * (T - 4) / P), np.sin(2 * np.pi * (T + 4) / P))
        W12, coi, freqs, _ = pm.xwt(a, b, 1.0, 1 / 12)
        period = 1 / freqs
        kw = dict(band=(30, 34), coi=coi, lag_period=P)
        first = phase_statistics(W12, period, window=(100, 400), **kw)
        second = phase_statistics(W12, period, window=(612, 924), **kw)
        assert first.lag == pytest.approx(4.0, abs=0.05)
        assert second.lag == pytest.approx(-4.0, abs=0.05)
        years = 1900 + T / 12  # a time axis of its own
        by_time = phase_statistics(W12, period, window=(1900 + 100 / 12, 1900 + 400 / 12),
                                   time=years, **kw)  # fmt: skip
        assert by_time.n_points == first.n_points and by_time.lag == first.lag
        mask = np.broadcast_to(T < 400, W12.shape)
        assert phase_statistics(W12, period, significant=mask, **kw).lag > 3.5
        whole = phase_statistics(W12, period, **kw)
        assert whole.circular.resultant_length < first.circular.resultant_length

    def test_errors(self):
        W = np.ones((3, 5), complex)
        with pytest.raises(ValueError, match=r"`phase` must be \(n_scales, n\)"):
            phase_statistics(W, [1.0, 2.0])
        with pytest.raises(ValueError, match="keeps no point"):
            phase_statistics(W, [1.0, 2.0, 4.0], significant=np.zeros((3, 5), bool))
        with pytest.raises(ValueError, match="holds no sample"):
            phase_statistics(W, [1.0, 2.0, 4.0], window=(10, 20))
        with pytest.raises(ValueError, match="`lag_period`"):
            phase_statistics(W, [1.0, 2.0, 4.0], lag_period=-1)
        assert_allclose(phase_statistics(W, [1.0, 2.0, 4.0]).mean_phase, 0.0)


def test_single_angle_has_no_interval():
    c = circular_mean([0.4])
    assert c.mean == pytest.approx(0.4) and c.resultant_length == 1.0
    assert c.ci_halfwidth == np.pi
