"""Labelled areawise significance: masks on (period, time), attrs, NetCDF round trip."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod as pm
from pycwt_mod import labelled as pxr

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

GRID = dict(dj=1 / 4)
MC = dict(backend="sequential", cache=False)
AREA = dict(areawise=True, mc_count=20, seed=5, **MC)
MASKS = ("pointwise_significant", "areawise_significant")


@pytest.fixture(scope="module")
def pair():
    """A 16-sample period in red noise for 160 of 256 days, and a lagged noisy copy."""
    rng = np.random.default_rng(7)
    t = np.arange(256)
    x = 2 * np.sin(2 * np.pi * t / 16) * (t > 60) * (t < 220) + pm.rednoise(256, 0.5, rng=rng)
    y = np.roll(x, 2) + 0.5 * rng.standard_normal(256)
    time = pd.date_range("2001-01-01", periods=256, freq="D")
    return pd.Series(x, index=time, name="x"), pd.Series(y, index=time, name="y")


@pytest.fixture(scope="module")
def cwt_ds(pair):
    return pxr.cwt(pair[0], **GRID, **AREA)


@pytest.fixture(scope="module")
def wct_ds(pair):
    return pxr.wct(*pair, **GRID, **AREA)


def _check_masks(ds, signal: bool = True) -> None:
    for name in MASKS:
        assert ds[name].dims == ("period", "time")
        assert ds[name].dtype == bool
        assert_array_equal(ds[name].period, ds.period)
        assert_array_equal(ds[name].time, ds.time)
    pointwise, areawise = ds.pointwise_significant.values, ds.areawise_significant.values
    assert not (areawise & ~pointwise).any()  # areawise is a subset of pointwise
    if signal:  # against AR(1) and for coherence; phase surrogates keep the sinusoid
        assert areawise.any()  # the sinusoid survives
        assert areawise.sum() < pointwise.sum()  # noise patches do not


class TestCwtAreawise:
    def test_masks_and_attrs(self, cwt_ds):
        _check_masks(cwt_ds)
        attrs = cwt_ds.attrs
        assert (attrs["surrogate"], attrs["area_measure"]) == ("ar1", "maraun")
        assert attrs["areawise_test"] == "areawise"
        assert (attrs["area_level"], attrs["mc_count"], attrs["seed"]) == (0.95, 20, "5")
        assert attrs["critical_area"] > 0
        # the sinusoid's band (period 16 days), away from the edges, is areawise significant
        band = cwt_ds.areawise_significant.sel(period=16, method="nearest")
        assert band.isel(time=slice(100, 180)).all()

    def test_matches_the_array_function(self, pair, cwt_ds):
        res = pm.areawise_power(pair[0].to_numpy(), 1.0, mc_count=20, seed=5, **MC, **GRID)
        assert_array_equal(cwt_ds.areawise_significant.values, res.areawise)
        assert_array_equal(cwt_ds.pointwise_significant.values, res.pointwise)
        assert cwt_ds.attrs["critical_area"] == res.critical_area

    def test_off_by_default(self, pair):
        ds = pxr.cwt(pair[0], **GRID)
        assert not set(MASKS) & set(ds.data_vars)
        assert "critical_area" not in ds.attrs

    def test_measure_level_and_fresh_seed(self, pair):
        opts = dict(areawise=True, mc_count=20, area_level=0.9, area_measure="schulte",
                    surrogate="phase", significance_level=0.9)  # fmt: skip
        ds = pxr.cwt(pair[0], **GRID, **MC, **opts)
        _check_masks(ds, signal=False)
        assert (ds.attrs["area_measure"], ds.attrs["surrogate"]) == ("schulte", "phase")
        assert ds.attrs["area_level"] == 0.9
        # fresh entropy each call, recorded: passing it back gives the same masks
        assert pxr.cwt(pair[0], **GRID, **MC, **opts).attrs["seed"] != ds.attrs["seed"]
        same = pxr.cwt(pair[0], **GRID, **MC, **opts, seed=int(ds.attrs["seed"]))
        for name in MASKS:
            assert_array_equal(same[name].values, ds[name].values)

    def test_netcdf_round_trip(self, cwt_ds, tmp_path):
        path = tmp_path / "cwt_areawise.nc"
        cwt_ds.to_netcdf(path, engine="scipy")
        with xr.open_dataset(path, engine="scipy") as back:
            back = back.load()
        xr.testing.assert_identical(back, cwt_ds)
        assert back.areawise_significant.dtype == bool


class TestWctAreawise:
    def test_masks_use_the_monte_carlo_thresholds(self, wct_ds):
        _check_masks(wct_ds)
        ds = wct_ds
        outside = ds.period.values[:, None] <= ds.coi.values[None, :]
        expected = outside & (ds.coherence.values > ds.sig95.values[:, None])
        assert_array_equal(ds.pointwise_significant.values, expected)
        assert ds.attrs["seed"] == "5" and ds.attrs["mc_count"] == 20

    def test_matches_the_array_function(self, pair, wct_ds):
        x, y = (s.to_numpy() for s in pair)
        res = pm.areawise_coherence(x, y, 1.0, sig95=wct_ds.sig95.values, mc_count=20, seed=5,
                                    **MC, **GRID)  # fmt: skip
        assert_array_equal(wct_ds.areawise_significant.values, res.areawise)
        assert wct_ds.attrs["critical_area"] == res.critical_area

    def test_without_sig_and_with_another_family(self, pair):
        ds = pxr.wct(*pair, **GRID, **AREA, sig=False, surrogate="iaaft")
        _check_masks(ds)
        assert ds.attrs["surrogate"] == "iaaft" and ds.attrs["seed"] == "5"
        assert np.isnan(ds.sig95.values).all()

    def test_family_also_sets_the_coherence_thresholds(self, pair):
        ds = pxr.wct(*pair, **GRID, **AREA, surrogate="phase")
        _check_masks(ds)
        x, y = (s.to_numpy() for s in pair)
        sj = ds.scale.values
        expected = pm.wct_significance(0.0, 0.0, 1.0, 1 / 4, sj[0], sj.size - 1, mc_count=20,
                                       seed=5, surrogate="phase", data=(x, y), progress=False,
                                       **MC)  # fmt: skip
        assert_array_equal(ds.sig95.values, expected)
        assert "phase-randomised" in ds.attrs["significance_method"]

    def test_netcdf_round_trip(self, wct_ds, tmp_path):
        path = tmp_path / "wct_areawise.nc"
        wct_ds.to_netcdf(path, engine="scipy")
        with xr.open_dataset(path, engine="scipy") as back:
            xr.testing.assert_identical(back.load(), wct_ds)


class TestCumulative:
    def test_wct_cumulative_attrs_and_netcdf(self, pair, tmp_path):
        ds = pxr.wct(*pair, **GRID, **AREA, area_test="cumulative")
        x, y = (s.to_numpy() for s in pair)
        res = pm.areawise_coherence(x, y, 1.0, mc_count=20, seed=5, area_test="cumulative",
                                    **MC, **GRID)  # fmt: skip
        assert_array_equal(ds.areawise_significant.values, res.areawise)
        assert ds.attrs["areawise_test"] == ds.attrs["area_test"] == "cumulative"
        assert list(ds.attrs["cumulative_levels"]) == list(res.cumulative_levels)
        assert "cumulative test" in ds.areawise_significant.attrs["long_name"]
        path = tmp_path / "wct_cumulative.nc"
        ds.to_netcdf(path, engine="scipy")
        with xr.open_dataset(path, engine="scipy") as back:
            assert_array_equal(back.load().areawise_significant.values, res.areawise)


class TestAreawiseOptionsAreChecked:
    """Bad options are refused at the top (named as in pycwt_mod.labelled), areawise off too."""

    @pytest.mark.parametrize(
        "option, match",
        [
            (dict(surrogate="white"), "`surrogate` must be one of 'ar1', 'phase', 'iaaft'"),
            (dict(area_measure="area"), "`area_measure` must be one of 'maraun', 'schulte'"),
            (dict(area_level=1.5), r"`area_level` must be in \(0, 1\)"),
            (dict(area_test="cumulated"), "`area_test` must be one of 'areawise'"),
        ],
    )
    def test_cwt_and_wct(self, pair, option, match):
        with pytest.raises(ValueError, match=match):
            pxr.cwt(pair[0], **GRID, areawise=True, **option)
        with pytest.raises(ValueError, match=match):
            pxr.wct(*pair, **GRID, sig=False, **option)
