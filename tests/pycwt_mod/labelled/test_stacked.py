"""N-D labelled inputs: ``dim=`` names the time dimension, one analysis per other index."""

from __future__ import annotations

import numpy as np
import pytest

from pycwt_mod import labelled as pxr

xr = pytest.importorskip("xarray")
pd = pytest.importorskip("pandas")
dask_array = pytest.importorskip("dask.array")

MC = dict(mc_count=8, seed=7, cache=False)


@pytest.fixture(scope="module")
def stations():
    """Monthly series at three stations, the time dimension named ``t``, not first."""
    t = pd.date_range("1990-01-01", periods=96, freq="MS")
    rng = np.random.default_rng(3)
    season = np.sin(2 * np.pi * np.arange(96) / 12)
    data = rng.standard_normal((96, 3)) + season[:, None] * np.array([0.5, 1.0, 2.0])
    coords = {"t": t, "station": ["north", "centre", "south"]}
    return xr.DataArray(data, dims=("t", "station"), coords=coords, name="sst",
                        attrs={"units": "K"})  # fmt: skip


def test_cwt_per_station_equals_the_1d_call_and_stays_lazy(stations):
    lazy = stations.chunk({"station": 1})
    ds = pxr.cwt(lazy, dim="t", dj=0.25, anomalies="auto")
    assert isinstance(ds["power"].data, dask_array.Array)  # nothing computed yet
    assert ds["power"].dims == ("station", "period", "time")
    assert ds.attrs["stacked_over"] == "station" and ds.attrs["series_name"] == "sst"
    ds = ds.compute()
    for name in stations["station"].values:
        one = pxr.cwt(stations.sel(station=name), dj=0.25, anomalies="auto")
        at = ds.sel(station=name)
        for var in ("power", "sig95", "global_power", "coi"):
            np.testing.assert_array_equal(at[var].values, one[var].values)
        assert float(at["ar1"]) == one.attrs["ar1"]  # per series: a variable
        assert float(at["variance"]) == one.attrs["variance"]
        np.testing.assert_array_equal(ds["time"].values, one["time"].values)
        assert ds.attrs["anomalies"] == one.attrs["anomalies"] == 12
    assert len(set(ds["ar1"].values.tolist())) == 3  # really one fit per station


def test_wct_per_station_is_bit_identical_with_one_seed(stations):
    other = stations.roll(t=2).rename("rain")
    ds = pxr.wct(stations, other, dim="t", dj=0.25, **MC)
    assert ds["sig95"].dims == ("station", "period") and ds.attrs["seed"] == "7"
    assert ds.attrs["series_names"] == "sst, rain"
    for name in ("north", "south"):
        one = pxr.wct(stations.sel(station=name), other.sel(station=name), dj=0.25, **MC)
        np.testing.assert_array_equal(ds["coherence"].sel(station=name), one["coherence"])
        np.testing.assert_array_equal(ds["sig95"].sel(station=name), one["sig95"])
        assert float(ds["ar1_a"].sel(station=name)) == one.attrs["ar1_a"]


def test_a_drawn_seed_is_shared_and_recorded(stations):
    ds = pxr.wct(stations, stations.roll(t=1), dim="t", dj=0.5, mc_count=4, cache=False)
    seed = int(ds.attrs["seed"])
    again = pxr.wct(
        stations, stations.roll(t=1), dim="t", dj=0.5, mc_count=4, cache=False, seed=seed
    )
    np.testing.assert_array_equal(ds["sig95"], again["sig95"])


def test_xwt_and_the_areawise_masks_over_stations(stations):
    x = pxr.xwt(stations, stations.roll(t=3), dim="t", dj=0.5)
    assert x["phase"].dims == ("station", "period", "time")
    a = pxr.cwt(stations, dim="t", dj=0.5, areawise=True, **MC)
    one = pxr.cwt(stations.sel(station="centre"), dj=0.5, areawise=True, **MC)
    np.testing.assert_array_equal(
        a["areawise_significant"].sel(station="centre"), one["areawise_significant"]
    )
    assert float(a["critical_area"].sel(station="centre")) == one.attrs["critical_area"]


def test_dim_is_needed_and_checked(stations):
    with pytest.raises(ValueError, match=r"must be 1-D .* or pass `dim`"):
        pxr.cwt(stations)
    with pytest.raises(ValueError, match="`dim` must name the time dimension of the N-D `obj`"):
        pxr.cwt(stations, dim="time")
    with pytest.raises(ValueError, match="`dt` comes from the dates"):
        pxr.cwt(stations, 1.0, dim="t")
    with pytest.raises(ValueError, match="must share one time axis"):
        pxr.wct(stations, stations.isel(t=slice(1, None)), dim="t", sig=False)
