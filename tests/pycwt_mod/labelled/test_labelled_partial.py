"""Labelled partial and multiple coherence (`pycwt_mod.labelled.partial`): the pipeline's
numbers bit for bit, the time axis of every series, the limiting case of one predictor,
the option keywords and the attrs."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod as pm
from pycwt_mod import labelled as L
from pycwt_mod import pipeline as P
from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

MC = dict(mc_count=8, seed=3, backend="sequential", cache=False)
GRID = ScaleGrid(dt=1 / 12, dj=0.25)


@pytest.fixture(scope="module")
def trio():
    """Three monthly series (a response driven by a shared series) on month-start dates."""
    rng = np.random.default_rng(7)
    z = pm.rednoise(144, 0.5, rng=1)
    y = z + 0.5 * rng.standard_normal(144)
    x = z + 0.5 * rng.standard_normal(144)
    index = pd.date_range("2000-01-01", periods=144, freq="MS")
    return tuple(pd.Series(v, index=index, name=n) for v, n in ((y, "y1"), (x, "x1"), (z, "z1")))


def _values(series):
    return [s.to_numpy() for s in series]


class TestPartialWct:
    def test_equals_the_pipeline_bit_for_bit(self, trio):
        ds = L.partial_wct(*trio, dj=0.25, **MC)
        y, x, z = _values(trio)
        a = P.analyze_partial_wct(y, x, [z], GRID, monte_carlo=MonteCarlo(**MC))
        for name, want in [("coherence", a.PWCT), ("phase", a.aPWCT),
                           ("wct_coherence", a.WCT), ("coi", a.coi), ("sig95", a.sig95),
                           ("gap_mask", a.gap_mask)]:  # fmt: skip
            assert_array_equal(ds[name].values, want, err_msg=name)
        assert_array_equal(ds.period.values, 1 / a.freqs)
        assert_array_equal(ds.scale.values, a.scales)
        assert_array_equal(ds.time.values, trio[0].index.to_numpy())
        assert ds.attrs["dt"] == 1 / 12 and ds.attrs["time_unit"] == "year"
        assert ds.attrs["seed"] == "3" and ds.attrs["mc_count"] == 8
        assert_array_equal(ds.attrs["ar1"], a.thresholds.ar1)
        assert ds.attrs["series_names"] == "y1, x1, z1"
        assert "Mihanovic" in ds.attrs["method"] and "Ng and Chan" in ds.attrs["method"]
        assert float(ds.coherence.min()) >= 0 and float(ds.coherence.max()) <= 1 + 1e-12

    def test_several_removed_series_and_option_objects(self, trio):
        y, x, z = _values(trio)
        w = pm.rednoise(144, 0.2, rng=9)
        pre = Preprocessing(detrend="linear")
        ds = L.partial_wct(y, x, [z, w], dt=1.0, grid=ScaleGrid(dj=0.25), preprocessing=pre,
                           sig=False)  # fmt: skip
        a = P.analyze_partial_wct(y, x, [z, w], ScaleGrid(dt=1.0, dj=0.25), pre)
        assert_array_equal(ds.coherence.values, a.PWCT)
        assert ds.attrs["series_roles"] == "y, x, z[0], z[1]" and ds.attrs["ar1"].size == 4
        assert ds.attrs["significance_method"] == "none" and np.isnan(ds.sig95).all()
        # a 2-D array of removed series is the same as their list
        both = L.partial_wct(y, x, np.stack([z, w]), dt=1.0, dj=0.25, detrend="linear",
                             sig=False)  # fmt: skip
        assert_array_equal(both.coherence.values, a.PWCT)

    def test_series_must_share_one_time_axis(self, trio):
        shifted = trio[2].copy()
        shifted.index = shifted.index + pd.DateOffset(months=1)
        with pytest.raises(ValueError, match="time"):
            L.partial_wct(trio[0], trio[1], shifted, sig=False)

    def test_no_areawise_test_and_no_removed_series(self, trio):
        with pytest.raises(TypeError, match="areawise"):
            L.partial_wct(*trio, sig=False, areawise=True)
        with pytest.raises(ValueError, match="`z` must hold at least one series"):
            L.partial_wct(trio[0], trio[1], [], sig=False)

    def test_netcdf_round_trip(self, trio, tmp_path):
        pytest.importorskip("scipy")
        ds = L.partial_wct(*trio, dj=0.5, sig=False)
        path = tmp_path / "p.nc"
        ds.to_netcdf(path, engine="scipy")
        back = xr.open_dataset(path, engine="scipy")
        assert_array_equal(back.coherence.values, ds.coherence.values)
        assert_array_equal(back.attrs["ar1"], ds.attrs["ar1"])


class TestMultipleWct:
    def test_one_predictor_is_the_ordinary_coherence(self, trio):
        ds = L.multiple_wct(trio[0], [trio[1]], dj=0.25, sig=False)
        w = L.wct(trio[0], trio[1], dj=0.25, sig=False)
        assert_array_equal(ds.wct_coherence.sel(predictor="x1").values, w.coherence.values)
        # |S_yx|^2 / (S_yy S_xx) through the matrix: equal to rounding
        assert_allclose(ds.coherence.values, w.coherence.values, rtol=1e-10, atol=1e-12)
        assert_array_equal(ds.coi.values, w.coi.values)

    def test_equals_the_pipeline_bit_for_bit(self, trio):
        ds = L.multiple_wct(trio[0], trio[1:], dj=0.25, **MC)
        y, x, z = _values(trio)
        a = P.analyze_multiple_wct(y, [x, z], GRID, monte_carlo=MonteCarlo(**MC))
        assert_array_equal(ds.coherence.values, a.MWCT)
        assert_array_equal(ds.sig95.values, a.sig95)
        assert list(ds.predictor.values) == ["x1", "z1"]
        assert ds.wct_coherence.dims == ("predictor", "period", "time")
        assert "Hu and Si" in ds.attrs["method"] and ds.attrs["seed"] == "3"
        # the predictors together explain at least what each does alone
        assert (ds.coherence >= ds.wct_coherence.max("predictor") - 1e-9).all()
