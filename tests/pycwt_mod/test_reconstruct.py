"""`reconstruct`: the inverse transform over a band of periods, optionally only from
significant coefficients outside the cone of influence (T&C 1998 eq. 29)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod as pm
from pycwt_mod.reconstruct import reconstruct

DT, DJ = 1.0, 1 / 12
N = 2048
T = np.arange(N, dtype=float)
SLOW = np.sin(2 * np.pi * T / 64)
FAST = 0.8 * np.sin(2 * np.pi * T / 8 + 0.3)


@pytest.fixture(scope="module")
def planted():
    x = SLOW + FAST + 0.3 * pm.rednoise(N, 0.0, rng=11)
    W, sj, freqs, coi, _, _ = pm.cwt(x, DT, DJ)
    return x, W, sj, 1 / freqs, coi


def _interior(n=N, edge=200):
    return slice(edge, n - edge)


class TestReconstruct:
    @pytest.mark.parametrize("wavelet", ["morlet", "paul", "dog"])
    def test_full_band_is_icwt(self, wavelet):
        x = pm.rednoise(512, 0.6, rng=2)
        W, sj, freqs, _, _, _ = pm.cwt(x, 0.5, 0.25, wavelet=wavelet)
        r = reconstruct(W, sj, 0.5, 0.25, wavelet)
        assert_array_equal(r.series, pm.icwt(W, sj, 0.5, 0.25, wavelet))
        assert r.used.all() and r.fraction_used == 1.0
        assert r.period_range == (1 / freqs[0], 1 / freqs[-1])
        # a band covering every period is the same sum
        wide = reconstruct(W, sj, 0.5, 0.25, wavelet, band=(1e-3, 1e9))
        assert np.allclose(wide.series, r.series, rtol=0, atol=1e-12)

    def test_band_isolates_the_planted_component(self, planted):
        _, W, sj, _, _ = planted
        slow = reconstruct(W, sj, DT, DJ, band=(32, 128)).series
        fast = reconstruct(W, sj, DT, DJ, band=(4, 16)).series
        i = _interior()
        for got, want, other in ((slow, SLOW, FAST), (fast, FAST, SLOW)):
            # the planted sine at its amplitude (T&C's reconstruction error is a few
            # %), plus the white noise of the band; none of the other sine
            slope = np.polyfit(want[i], got[i], 1)[0]
            assert slope == pytest.approx(1.0, abs=0.03)
            assert np.corrcoef(got[i], want[i])[0, 1] > 0.95
            assert abs(np.corrcoef(got[i], other[i])[0, 1]) < 0.05
        # the rest of the band: noise only, no trace of either sine
        quiet = reconstruct(W, sj, DT, DJ, band=(16.5, 30)).series
        assert quiet[i].std() < 0.15

    def test_band_of_the_transforms_own_periods(self, planted):
        _, W, sj, period, _ = planted
        r = reconstruct(W, sj, DT, DJ, band=(period[10], period[20]))
        assert r.period_range == (period[10], period[20])
        assert r.used[10:21].all() and not r.used[:10].any() and not r.used[21:].any()

    def test_outside_coi_only(self, planted):
        _, W, sj, period, coi = planted
        r = reconstruct(W, sj, DT, DJ, band=(32, 128), coi=coi)
        assert_array_equal(r.used, ((period >= 32) & (period <= 128))[:, None]
                           & (period[:, None] <= coi[None, :]))  # fmt: skip
        full = reconstruct(W, sj, DT, DJ, band=(32, 128))
        inside = ~r.used.any(axis=0)  # the edges, where the cone covers the band
        assert inside[0] and inside[-1] and (r.series[inside] == 0).all()
        i = _interior()
        assert np.allclose(r.series[i], full.series[i], atol=1e-12)

    def test_significant_only(self):
        """A burst in white noise: the significant coefficients rebuild the burst and
        leave the noise out."""
        rng = np.random.default_rng(4)
        burst = np.where((T > 800) & (T < 1200), np.sin(2 * np.pi * T / 32), 0.0)
        x = burst + 0.5 * rng.standard_normal(N)
        W, sj, _, coi, _, _ = pm.cwt(x, DT, DJ)
        sig, _ = pm.significance(x.var(), DT, sj, 0, 0.0, 0.99)
        power = np.abs(W) ** 2
        r = reconstruct(W, sj, DT, DJ, band=(16, 64), coi=coi, significant=power > sig[:, None])
        plain = reconstruct(W, sj, DT, DJ, band=(16, 64))
        quiet = (T > 200) & (T < 700)
        assert np.abs(r.series[quiet]).max() < 0.5 * np.abs(plain.series[quiet]).max()
        core = (T > 850) & (T < 1150)
        assert np.corrcoef(r.series[core], burst[core])[0, 1] > 0.95
        assert 0 < r.fraction_used < 0.1

    def test_nothing_selected_is_zero(self, planted):
        _, W, sj, _, _ = planted
        r = reconstruct(W, sj, DT, DJ, significant=np.zeros(W.shape, dtype=bool))
        assert (r.series == 0).all() and np.isnan(r.period_range).all()

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            (dict(band=(5000, 9000)), r"holds no period of the transform"),
            (dict(band=(9, 2)), r"0 < lo <= hi"),
            (dict(band="x"), r"`band` must be two periods"),
            (dict(coi=np.ones(3)), r"`coi` must have one value per sample"),
            (dict(significant=np.ones((2, 2), bool)), r"`significant` must have shape"),
        ],
    )
    def test_errors(self, planted, kwargs, match):
        _, W, sj, _, _ = planted
        with pytest.raises(ValueError, match=match):
            reconstruct(W, sj, DT, DJ, **kwargs)

    def test_shape_and_wavelet_errors(self, planted):
        _, W, sj, _, _ = planted
        with pytest.raises(ValueError, match=r"`W` must be \(n_scales, n\)"):
            reconstruct(W.T, sj, DT, DJ)
        with pytest.raises(ValueError, match="icwt"):
            reconstruct(W, sj, DT, DJ, pm.Morlet(5), band=(4, 16))
