"""Labelled rectified power, reconstruction and phase statistics (`pycwt_mod.labelled`)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

import pycwt_mod as pm  # noqa: E402
from pycwt_mod import labelled as L  # noqa: E402
from pycwt_mod import pipeline as P  # noqa: E402
from pycwt_mod.options import Preprocessing, ScaleGrid, Spectrum  # noqa: E402
from pycwt_mod.phase import phase_statistics  # noqa: E402
from pycwt_mod.reconstruct import reconstruct  # noqa: E402

N = 480  # 40 years, monthly
T = np.arange(N) / 12
INDEX = pd.date_range("1980-01-01", periods=N, freq="MS")


@pytest.fixture(scope="module")
def pair():
    a = np.sin(2 * np.pi * T / 4) + 0.3 * pm.rednoise(N, 0.4, rng=3)
    b = np.sin(2 * np.pi * (T - 0.5) / 4) + 0.3 * pm.rednoise(N, 0.4, rng=4)
    return pd.Series(a, index=INDEX, name="a"), pd.Series(b, index=INDEX, name="b")


class TestRectify:
    def test_cwt_rectify_keyword(self, pair):
        raw = L.cwt(pair[0], normalize=False)
        rect = L.cwt(pair[0], normalize=False, rectify=True)
        s = raw["scale"].values[:, None]
        assert_allclose(rect.power.values, raw.power.values / s, rtol=1e-15)
        assert_allclose(rect.sig95.values, raw.sig95.values / s[:, 0], rtol=1e-15)
        assert_allclose(rect.global_power.values, raw.global_power.values / s[:, 0], rtol=1e-12)
        assert_allclose(rect.global_sig95.values, raw.global_sig95.values / s[:, 0], rtol=1e-12)
        assert rect.attrs["rectify"] == 1 and raw.attrs["rectify"] == 0
        assert "/s" in rect.power.attrs["long_name"]
        # the same as the pipeline's, and as the Spectrum object
        a = P.analyze_cwt(pair[0].values, ScaleGrid(dt=1 / 12), Preprocessing(normalize=False),
                          significance_level=0.95, spectrum=Spectrum(rectify=True))  # fmt: skip
        assert_array_equal(rect.power.values, a.power)
        same = L.cwt(pair[0], normalize=False, spectrum=Spectrum(rectify=True))
        assert_array_equal(same.power.values, rect.power.values)

    def test_xwt_rectify_keyword(self, pair):
        raw = L.xwt(*pair)
        rect = L.xwt(*pair, rectify=True)
        s = raw["scale"].values[:, None]
        assert_allclose(rect.power.values, raw.power.values / s, rtol=1e-15)
        assert_allclose(rect.phase.values, raw.phase.values, atol=1e-12)
        assert_allclose(rect.sig95.values, raw.sig95.values / s[:, 0], rtol=1e-15)


class TestReconstruct:
    def test_band_of_a_cwt_dataset(self, pair):
        ds = L.cwt(pair[0], normalize=False, wave=True)
        r = L.reconstruct(ds, (3, 5), outside_coi=True)
        assert r.dims == ("time",) and (r.time.values == ds.time.values).all()
        period = ds.period.values
        keep = (period[:, None] <= ds.coi.values[None, :]) & ~ds.gap_mask.values
        want = reconstruct(ds.wave.values, ds.scale.values, 1 / 12, 1 / 12, band=(3, 5),
                           significant=keep)  # fmt: skip
        assert_array_equal(r.values, want.series)
        assert 3 <= r.attrs["band_min"] <= r.attrs["band_max"] <= 5
        inner = slice(60, N - 60)
        assert np.corrcoef(r.values[inner], np.sin(2 * np.pi * T / 4)[inner])[0, 1] > 0.95
        sig = L.reconstruct(ds, (3, 5), significant=True)
        assert 0 < sig.attrs["fraction_used"] < r.attrs["fraction_used"]

    def test_needs_wave(self, pair):
        with pytest.raises(ValueError, match="wave=True"):
            L.reconstruct(L.cwt(pair[0]), (3, 5))


class TestPhaseStats:
    def test_xwt_lag_in_years(self, pair):
        ds = L.xwt(*pair)
        st = L.phase_stats(ds, (3.5, 4.5), outside_coi=True, lag_period=4.0)
        assert float(st.lag) == pytest.approx(0.5, abs=0.05)  # a leads b by half a year
        assert st.lag.attrs["units"] == "year"
        assert float(st.lag_ci_low) <= float(st.lag) <= float(st.lag_ci_high)
        assert "positive when a leads b" in st.attrs["phase_convention"]
        period = ds.period.values
        keep = (period[:, None] <= ds.coi.values[None, :]) & ~ds.gap_mask.values
        want = phase_statistics(ds.phase.values, period, band=(3.5, 4.5), significant=keep,
                                lag_period=4.0)  # fmt: skip
        assert float(st.mean_phase) == want.mean_phase and int(st.n_points) == want.n_points

    def test_window_by_dates(self, pair):
        ds = L.xwt(*pair)
        whole = L.phase_stats(ds, (3.5, 4.5))
        part = L.phase_stats(ds, (3.5, 4.5), ("1990-01-01", "1999-12-01"))
        n_times = 120
        assert int(part.n_points) == int(whole.n_points) * n_times // N
        assert part.attrs["window_start"] == "1990-01-01"
        with pytest.raises(ValueError, match="holds no sample"):
            L.phase_stats(ds, (3.5, 4.5), ("2050-01-01", "2060-01-01"))

    def test_wct(self, pair):
        ds = L.wct(*pair, mc_count=20, seed=2, backend="sequential", cache=False)
        st = L.phase_stats(ds, (3.5, 4.5), significant=True, outside_coi=True, lag_period=4.0)
        assert float(st.lag) == pytest.approx(0.5, abs=0.08)
        bare = L.wct(*pair, sig=False)
        with pytest.raises(ValueError, match="sig=True"):
            L.phase_stats(bare, significant=True)
        with pytest.raises(ValueError, match="xwt or wct"):
            L.phase_stats(L.cwt(pair[0]))


class TestRectifyThroughTheOtherFunctions:
    def test_scale_average_is_the_same_rectified(self, pair):
        raw = L.scale_average(L.cwt(pair[0], normalize=False), (2, 8))
        rect = L.scale_average(L.cwt(pair[0], normalize=False, rectify=True), (2, 8))
        assert_allclose(rect.power.values, raw.power.values, rtol=1e-12)
        assert rect.attrs["sig95"] == pytest.approx(raw.attrs["sig95"], rel=1e-12)

    def test_stacked_series(self, pair):
        da = xr.DataArray(
            np.stack([pair[0].values, pair[1].values]), dims=("site", "time"),
            coords={"time": INDEX, "site": ["a", "b"]},
        )  # fmt: skip
        ds = L.cwt(da, dim="time", rectify=True)
        one = L.cwt(pair[1], rectify=True)
        assert_allclose(ds.power.sel(site="b").values, one.power.values, rtol=1e-12)

    def test_object_and_field_clash(self, pair):
        with pytest.raises(ValueError, match="pass the Spectrum object or its fields"):
            L.cwt(pair[0], rectify=True, spectrum=Spectrum())
