"""Labelled API: pandas / xarray in, xarray.Dataset out, NetCDF round trip."""

import inspect
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod as pm
from pycwt_mod import labelled as pxr
from pycwt_mod import options
from pycwt_mod import preprocess as pp
from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.significance import AR1FallbackWarning, ar1_yule_walker
from pycwt_mod.spectra import scale_averaged_power

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

MC = dict(mc_count=20, backend="sequential", seed=3, cache=False)


@pytest.fixture(scope="module")
def monthly(elnino):
    """El Nino SST anomalies 1950-2010 as a pandas Series on month-start dates."""
    anomalies = (elnino.reshape(-1, 12) - elnino.reshape(-1, 12).mean(axis=0)).ravel()
    index = pd.date_range("1950-01-01", periods=elnino.size, freq="MS")
    return pd.Series(anomalies, index=index, name="nino12")


@pytest.fixture(scope="module")
def daily():
    """Two years of daily data with a 30-day period, as a DataArray with two gaps."""
    rng = np.random.default_rng(5)
    t = np.arange(730)
    x = np.sin(2 * np.pi * t / 30) + 0.4 * rng.standard_normal(t.size)
    x[100:110] = np.nan
    x[400] = np.nan
    time = pd.date_range("2001-01-01", periods=t.size, freq="D")
    return xr.DataArray(x, coords={"time": time}, dims="time", name="q", attrs={"units": "m3/s"})


class TestCwt:
    def test_pandas_monthly_series(self, monthly):
        ds = pxr.cwt(monthly, detrend="linear", normalize=True)
        assert ds.attrs["dt"] == pytest.approx(1 / 12)
        assert ds.attrs["time_unit"] == "year"
        assert ds.period.attrs["units"] == "year"
        assert_array_equal(ds.time.values, monthly.index.to_numpy())
        y = pp.standardize(pp.detrend(monthly.to_numpy()))
        W, sj, freqs, coi, _, _ = pm.cwt(y, 1 / 12)
        assert_allclose(ds.power.values, np.abs(W) ** 2, rtol=1e-12)
        assert_allclose(ds.period.values, 1 / freqs)
        assert_allclose(ds.coi.values, coi)
        alpha = pm.ar1(y)[0]
        assert ds.attrs["ar1"] == pytest.approx(alpha)
        assert_allclose(ds.sig95.values, pm.significance(y.var(), 1 / 12, sj, 0, alpha)[0])
        assert ds.attrs["preprocessing"] == "detrend=linear; normalize=yes; gaps=raise"
        assert not ds.gap_mask.any()
        # ENSO: the global spectrum peaks at 2-8 years and is significant there
        k = int(ds.global_power.argmax("period"))
        assert 2 <= ds.period.values[k] <= 8
        assert ds.global_power[k] > ds.global_sig95[k]

    @pytest.mark.parametrize(
        ("freq", "unit", "dt"),
        [("MS", None, 1 / 12), ("ME", "month", 1.0), ("QS", None, 0.25), ("YS", None, 1.0),
         ("D", None, 1.0), ("D", "year", 1 / 365.25), ("6h", None, 6.0), ("W-SAT", None, 7.0)],
    )  # fmt: skip
    def test_spacing_and_unit_from_dates(self, freq, unit, dt):
        index = pd.date_range("2000-01-01", periods=64, freq=freq)
        x = pd.Series(np.random.default_rng(0).standard_normal(64), index=index)
        ds = pxr.cwt(x, unit=unit, dj=0.5)
        assert ds.attrs["dt"] == pytest.approx(dt, rel=1e-12)

    def test_plain_array_dt_forms(self):
        x = np.random.default_rng(1).standard_normal(64)
        assert pxr.cwt(x, "1/12", dj=0.5).attrs["dt"] == pytest.approx(1 / 12)
        ds = pxr.cwt(x, pd.Timedelta(hours=12), dj=0.5)
        assert (ds.attrs["dt"], ds.attrs["time_unit"]) == (12.0, "hour")
        ds = pxr.cwt(x, "1D", dj=0.5, unit="day")
        assert_allclose(ds.time.values, np.arange(64.0))
        assert pxr.cwt(x, 2.5, unit="kyr", dj=0.5).period.attrs["units"] == "kyr"
        assert pxr.cwt(x, "250ms", dj=0.5).attrs["time_unit"] == "second"

    def test_numeric_coordinate(self):
        t = 1700.0 + np.arange(100)
        da = xr.DataArray(np.random.default_rng(2).standard_normal(100), coords={"year": t},
                          dims="year")  # fmt: skip
        da["year"].attrs["units"] = "yr"
        ds = pxr.cwt(da, dj=0.5)
        assert (ds.attrs["dt"], ds.attrs["time_unit"]) == (1.0, "yr")
        assert_array_equal(ds.time.values, t)

    def test_irregular_dates(self, monthly):
        with pytest.raises(ValueError, match=r"not evenly spaced.*resample\('1D'\)"):
            pxr.cwt(monthly.drop(monthly.index[10]).iloc[:200].set_axis(
                pd.date_range("2000-01-01", periods=200, freq="D").delete(7).append(
                    pd.DatetimeIndex(["2001-01-01"]))))  # fmt: skip

    def test_irregular_numbers(self):
        s = pd.Series(np.ones(5), index=[0.0, 1.0, 2.0, 4.0, 5.0])
        with pytest.raises(ValueError, match=r"not evenly spaced \(steps from 1 to 2\)"):
            pxr.cwt(s)

    def test_dt_with_dates_is_refused(self, monthly):
        with pytest.raises(ValueError, match="`dt` comes from the dates"):
            pxr.cwt(monthly, dt=1 / 12)

    def test_dt_disagreeing_with_numbers(self):
        s = pd.Series(np.ones(5), index=np.arange(5.0) * 2)
        with pytest.raises(ValueError, match=r"`dt` \(1.0\) disagrees"):
            pxr.cwt(s, dt=1.0)

    def test_no_coordinate_needs_dt(self):
        with pytest.raises(ValueError, match="no time coordinate, so `dt` is needed"):
            pxr.cwt(np.ones(10))

    @pytest.mark.parametrize("dt", ["fortnight", -1.0, True])
    def test_bad_dt(self, dt):
        with pytest.raises(ValueError, match="`dt` must be"):
            pxr.cwt(np.ones(10), dt)

    def test_gap_is_an_error_naming_its_date(self, daily):
        with pytest.raises(ValueError, match=r"11 missing value\(s\).*index 100 \(2001-04-11"):
            pxr.cwt(daily)

    def test_daily_xarray_with_gaps(self, daily):
        ds = pxr.cwt(daily, gaps="mask", dj=1 / 8, normalize=False)
        assert (ds.attrs["dt"], ds.attrs["time_unit"], ds.attrs["n_missing"]) == (1.0, "day", 11)
        assert ds.attrs["units"] == "m3/s" and ds.power.attrs["units"] == "(m3/s)^2"
        missing = np.isnan(daily.values)
        assert_array_equal(ds.gap_mask.values, pp.gap_mask(missing, ds.period.values, 1.0))
        assert ds.gap_mask.values[:, missing].all()
        # 140.5 days from the nearest gap: masked above flambda coi 140.5 = 102.6 days
        assert not ds.gap_mask.sel(period=slice(None, 100)).values[:, 250].any()
        assert ds.gap_mask.sel(period=slice(105, None)).values[:, 250].all()
        W, _, _, _, _, _ = pm.cwt(pp.fill_gaps(daily.values), 1.0, 1 / 8)
        assert_allclose(ds.power.values, np.abs(W) ** 2, rtol=1e-12)
        k = int(ds.global_power.argmax("period"))
        assert abs(np.log2(ds.period.values[k] / 30)) < 0.2

    def test_two_dimensional_array(self):
        da = xr.DataArray(np.ones((4, 5)), dims=("time", "x"))
        with pytest.raises(ValueError, match=r"must be 1-D \(got dims \('time', 'x'\)\)"):
            pxr.cwt(da)

    @pytest.mark.parametrize(
        ("option", "match"),
        [({"detrend": "cubic"}, "`detrend` must be one of"), ({"gaps": "drop"}, "`gaps` must be"),
         ({"fill": "zero"}, "`fill` must be one of"), ({"unit": "fortnight"}, "`unit` must be")],
    )  # fmt: skip
    def test_bad_options(self, monthly, option, match):
        with pytest.raises(ValueError, match=match):
            pxr.cwt(monthly.iloc[:64], **option)

    def test_wave_is_optional_and_complex(self, monthly):
        ds = pxr.cwt(monthly.iloc[:240], dj=0.5, wave=True)
        assert np.iscomplexobj(ds.wave.values)
        assert_allclose(np.abs(ds.wave.values) ** 2, ds.power.values)
        assert "wave" not in pxr.cwt(monthly.iloc[:240], dj=0.5)

    def test_module_imports_without_loading_xarray_or_pandas(self):
        code = (
            "import sys, pycwt_mod.labelled; "
            "print('xarray' in sys.modules, 'pandas' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)  # fmt: skip
        assert out.stdout.split() == ["False", "False"]

    def test_import_error_names_the_extra(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "xarray", None)
        with pytest.raises(ImportError, match=r"pip install 'pycwt-mod\[xarray\]'"):
            pxr.cwt(np.ones(8), 1.0)


class TestTimeSpacing:
    def test_dates_and_numbers(self):
        months = np.arange("2000-01", "2003-01", dtype="datetime64[M]")
        assert pxr.time_spacing(months) == (1 / 12, "year")
        assert pxr.time_spacing(months, "month") == (1.0, "month")
        days = np.arange("2000-01-01", "2000-02-01", dtype="datetime64[D]")
        assert pxr.time_spacing(days, "hour") == (24.0, "hour")
        assert pxr.time_spacing([0.0, 0.1, 0.2, 0.3]) == (pytest.approx(0.1), "")

    def test_irregular(self):
        with pytest.raises(ValueError, match="not evenly spaced"):
            pxr.time_spacing(np.array(["2000-01-01", "2000-01-02", "2000-01-04"], "datetime64[D]"))

    def test_month_unit_only_for_calendar_steps(self):
        months = np.arange("2000-01", "2001-01", dtype="datetime64[M]")
        with pytest.raises(ValueError, match="`unit` must be 'year' or 'month' \\(got 'day'\\)"):
            pxr.time_spacing(months, "day")


class TestNetcdfRoundTrip:
    def test_cwt_with_dates_and_gaps(self, daily, tmp_path):
        ds = pxr.cwt(daily, gaps="mask", dj=1 / 4)
        path = tmp_path / "cwt.nc"
        ds.to_netcdf(path, engine="scipy")
        with xr.open_dataset(path, engine="scipy") as back:
            xr.testing.assert_identical(back.load(), ds)

    def test_wct(self, monthly, tmp_path):
        x = monthly.iloc[:128]
        ds = pxr.wct(x, x.shift(2).bfill(), dj=1 / 4, **MC)
        path = tmp_path / "wct.nc"
        ds.to_netcdf(path, engine="scipy")
        with xr.open_dataset(path, engine="scipy") as back:
            xr.testing.assert_identical(back.load(), ds)


class TestScaleAverage:
    def test_matches_the_array_function(self, monthly):
        ds = pxr.cwt(monthly, dj=1 / 4, normalize=True)
        avg = pxr.scale_average(ds, (2.0, 8.0))
        y = pp.standardize(monthly.to_numpy())
        W, sj, _, _, _, _ = pm.cwt(y, 1 / 12, 1 / 4)
        expected, sig = scale_averaged_power(np.abs(W) ** 2, sj, 1 / 12, 1 / 4, y.var(),
                                             pm.ar1(y)[0], (2.0, 8.0))  # fmt: skip
        assert_allclose(avg.power.values, expected)
        assert avg.attrs["sig95"] == pytest.approx(sig)
        assert avg.attrs["n_periods"] == 8
        assert_array_equal(avg.time.values, monthly.index.to_numpy())

    def test_gap_mask_over_the_band(self, daily):
        avg = pxr.scale_average(pxr.cwt(daily, gaps="mask", dj=1 / 4), (20.0, 40.0))
        assert avg.gap_mask.values[100:110].all() and not avg.gap_mask.values[250]

    def test_not_a_cwt_dataset(self):
        with pytest.raises(ValueError, match=r"must be the Dataset returned by pycwt_mod\.xr\.cwt"):
            pxr.scale_average(xr.Dataset(), (1, 2))


def _lagged_pair(n=256, lag=4, period=16):
    rng = np.random.default_rng(8)
    t = np.arange(n + lag)
    x = np.sin(2 * np.pi * t / period) + 0.3 * rng.standard_normal(t.size)
    return x[lag:], x[:-lag]  # a(t) = x(t + lag): a leads b by `lag` samples


class TestXwt:
    def test_matches_pycwt_xwt_and_phase_convention(self):
        a, b = _lagged_pair()
        ds = pxr.xwt(a, b, 1.0, dj=1 / 8)
        W12, coi, freq, sig = pm.xwt(a, b, 1.0, 1 / 8)
        assert_allclose(ds.power.values, np.abs(W12))
        assert_allclose(ds.coi.values, coi)
        assert_allclose(ds.period.values, 1 / freq)
        assert_allclose(ds.sig95.values, sig)
        phase = ds.phase.sel(period=16, method="nearest").values[40:-40]
        assert_allclose(np.median(phase), np.pi / 2, atol=0.15)  # a leads by 1/4 period
        assert ds.attrs["phase_convention"].endswith("positive when a leads b")

    def test_different_time_axes(self, monthly):
        with pytest.raises(ValueError, match="must share one time axis"):
            pxr.xwt(monthly.iloc[:64], monthly.iloc[1:65])


class TestWct:
    def test_matches_pycwt_wct_and_seeded_significance(self):
        a, b = _lagged_pair()
        ds = pxr.wct(a, b, 1.0, dj=1 / 4, **MC)
        WCT, aWCT, coi, freq, _ = pm.wct(a, b, 1.0, 1 / 4, sig=False)
        assert_allclose(ds.coherence.values, WCT)
        assert_allclose(ds.coi.values, coi)
        assert_allclose(ds.period.values, 1 / freq)
        assert_allclose(ds.phase.values, aWCT)
        sj = ds.scale.values
        sig = pm.wct_significance(pm.ar1(a)[0], pm.ar1(b)[0], 1.0, 1 / 4, sj[0], sj.size - 1,
                                  progress=False, **MC)  # fmt: skip
        assert_allclose(ds.sig95.values, sig)
        assert (ds.attrs["mc_count"], ds.attrs["seed"], ds.attrs["backend"]) == (
            20,
            "3",
            "sequential",
        )
        k = np.argmin(np.abs(ds.period.values - 16))
        assert ds.global_coherence.values[k] > 0.8
        assert ds.phase.values[k, 128] == pytest.approx(np.pi / 2, abs=0.2)

    def test_without_significance(self):
        a, b = _lagged_pair()
        ds = pxr.wct(a, b, 1.0, dj=1 / 4, sig=False)
        assert np.isnan(ds.sig95.values).all() and ds.attrs["significance_method"] == "none"

    def test_gaps_of_either_series_are_masked(self, daily):
        other = daily.copy()
        other.values[600] = np.nan
        ds = pxr.wct(daily, other, dj=1 / 4, gaps="mask", sig=False)
        assert ds.gap_mask.values[:, [100, 400, 600]].all()
        assert ds.attrs["n_missing"] == 12


@pytest.fixture(scope="module")
def seasonal():
    """30 years of monthly values: a strong annual cycle on red noise, with a 4-year cycle."""
    n = 360
    t = np.arange(n)
    x = 5 * np.sin(2 * np.pi * t / 12) + np.sin(2 * np.pi * t / 48) + pm.rednoise(n, 0.5, rng=4)
    return pd.Series(x, pd.date_range("1981-01-01", periods=n, freq="MS"), name="sst")


class TestAnomalies:
    def test_auto_removes_the_annual_peak(self, seasonal):
        raw = pxr.cwt(seasonal, dj=1 / 8)
        ds = pxr.cwt(seasonal, dj=1 / 8, anomalies="auto")
        year = dict(period=1.0, method="nearest")
        assert float(raw.global_power.idxmax()) == pytest.approx(1.0, rel=0.1)
        assert raw.global_power.sel(**year) > raw.global_sig95.sel(**year)
        assert ds.global_power.sel(**year) < ds.global_sig95.sel(**year)  # the peak is gone
        assert float(ds.global_power.idxmax()) == pytest.approx(4.0, rel=0.15)
        power = [pxr.cwt(seasonal, dj=1 / 8, normalize=False, anomalies=a).global_power
                 for a in (None, "auto")]  # fmt: skip
        assert power[1].sel(**year) < 0.05 * power[0].sel(**year)
        assert ds.attrs["anomalies"] == 12
        assert ds.attrs["preprocessing"] == "anomalies=12; detrend=none; normalize=yes; gaps=raise"
        assert "anomalies" not in raw.attrs

    def test_auto_equals_twelve_and_the_plain_functions(self, seasonal):
        auto = pxr.cwt(seasonal, dj=1 / 8, anomalies="auto")
        xr.testing.assert_identical(auto, pxr.cwt(seasonal, dj=1 / 8, anomalies=12))
        y = pp.standardize(pp.anomalies(seasonal.to_numpy(), 12))
        W = pm.cwt(y, 1 / 12, 1 / 8)[0]
        assert_array_equal(auto.power.values, np.abs(W) ** 2)
        assert auto.attrs["ar1"] == pm.ar1(y)[0]

    def test_month_unit_and_pairs(self, seasonal):
        assert pxr.cwt(seasonal, unit="month", dj=0.5, anomalies="auto").attrs["anomalies"] == 12
        other = seasonal.shift(1).bfill()
        ds = pxr.wct(seasonal, other, dj=1 / 4, anomalies="auto", sig=False)
        a, b = (pp.anomalies(s.to_numpy(), 12) for s in (seasonal, other))
        assert_array_equal(ds.coherence.values, pm.wct(a, b, 1 / 12, 1 / 4, sig=False)[0])
        assert ds.attrs["anomalies"] == 12
        cross = pxr.xwt(seasonal, other, dj=1 / 4, anomalies=12)
        assert_array_equal(cross.power.values, np.abs(pm.xwt(a, b, 1 / 12, 1 / 4)[0]))
        assert cross.attrs["preprocessing"].startswith("anomalies=12; ")

    def test_quarterly_dates_give_four(self):
        index = pd.date_range("2000-01-01", periods=80, freq="QS")
        x = pd.Series(
            np.tile([3.0, -1.0, 0.5, -2.5], 20) + pm.rednoise(80, 0.3, rng=2), index=index
        )
        ds = pxr.cwt(x, dj=0.5, anomalies="auto")
        assert ds.attrs["anomalies"] == 4
        assert ds.attrs["preprocessing"].startswith("anomalies=4; ")

    def test_daily_dates_with_auto_are_an_error(self, daily):
        with pytest.raises(ValueError, match=r"`anomalies='auto'` needs monthly or quarterly"):
            pxr.cwt(daily, gaps="mask", anomalies="auto")

    def test_bad_value_names_the_field(self, seasonal):
        with pytest.raises(ValueError, match="`anomalies` must be the samples per seasonal"):
            pxr.cwt(seasonal, anomalies=1)

    def test_netcdf_round_trip(self, seasonal, tmp_path):
        ds = pxr.cwt(seasonal, dj=1 / 4, anomalies="auto")
        path = tmp_path / "anomalies.nc"
        ds.to_netcdf(path, engine="scipy")
        with xr.open_dataset(path, engine="scipy") as back:
            back = back.load()
        xr.testing.assert_identical(back, ds)
        assert back.attrs["anomalies"] == 12


class TestOptionKeywords:
    """The keywords are the option types' fields; the objects are accepted instead."""

    @pytest.mark.parametrize(
        ("func", "types"),
        [("cwt", ("ScaleGrid", "Preprocessing", "MonteCarlo", "Areawise")),
         ("xwt", ("ScaleGrid", "Preprocessing")),
         ("wct", ("ScaleGrid", "Preprocessing", "MonteCarlo", "Areawise"))],
    )  # fmt: skip
    def test_names_and_defaults_are_the_options(self, func, types):
        params = inspect.signature(getattr(pxr, func)).parameters
        skip = {"dt"} | ({"al1", "al2"} if func == "cwt" else set())
        for name in types:
            for f in options.option_fields(getattr(options, name)):
                if f.name in skip or (func == "xwt" and f.name == "significance_level"):
                    continue
                assert params[f.name].default == f.default, (func, f.name)
        assert "standardize" not in params
        doc = getattr(pxr, func).__doc__
        for name in params:  # every keyword is described, none left as a placeholder
            assert f"    {name} : " in doc or f", {name}" in doc or f"{name}, " in doc, name
        assert "{" + "options}" not in doc

    def test_keywords_are_generated_from_the_fields(self):
        from pycwt_mod.labelled.keywords import option_keywords

        @option_keywords("grid", "preprocessing", "areawise", exclude=("fill",))
        def analysis(x, dt=None, *, unit=None, options):
            """Parameters\n    ----------\n    {options}\n"""
            return dt, options

        params = inspect.signature(analysis).parameters
        names = [
            f.name for t in (ScaleGrid, Preprocessing, Areawise) for f in options.option_fields(t)
        ]
        expected = ["x", "dt", "unit", *(n for n in names if n not in ("dt", "fill")),
                    "areawise", "grid", "preprocessing"]  # fmt: skip
        assert list(params) == expected
        dt, chosen = analysis([0.0], grid=ScaleGrid(dt=0.5, dj=0.25), detrend="linear")
        assert dt == 0.5 and chosen.grid.dj == 0.25 and chosen.areawise is None
        assert chosen.preprocessing == Preprocessing(detrend="linear")
        assert analysis([0.0], areawise=True, area_level=0.9)[1].areawise == Areawise(
            area_level=0.9
        )
        with pytest.raises(TypeError, match="fill"):
            analysis([0.0], fill="linear")  # excluded: no keyword of this function
        with pytest.raises(ValueError, match="`grid` already holds `dj`"):
            analysis([0.0], grid=ScaleGrid(dj=0.25), dj=0.5)
        assert '    area_measure : {"maraun", "schulte"}, optional' in analysis.__doc__

    def test_objects_equal_keywords(self, monthly):
        x = monthly.iloc[:128]
        kw = dict(dj=1 / 4, detrend="linear", **MC)
        ds = pxr.cwt(x, areawise=True, area_level=0.9, **kw)
        objs = pxr.cwt(
            x, grid=ScaleGrid(dj=1 / 4), preprocessing=Preprocessing(detrend="linear"),
            monte_carlo=MonteCarlo(**MC), areawise=Areawise(area_level=0.9),
        )  # fmt: skip
        xr.testing.assert_identical(objs, ds)
        y = x.shift(3).bfill()
        xr.testing.assert_identical(
            pxr.wct(x, y, grid=ScaleGrid(dj=1 / 4), monte_carlo=MonteCarlo(**MC)),
            pxr.wct(x, y, dj=1 / 4, **MC),
        )

    def test_grid_dt_stands_for_dt(self):
        x = np.random.default_rng(1).standard_normal(64)
        xr.testing.assert_identical(
            pxr.cwt(x, grid=ScaleGrid(dt=0.5, dj=0.5)), pxr.cwt(x, 0.5, dj=0.5)
        )
        with pytest.raises(ValueError, match="`grid` already holds `dt`"):
            pxr.cwt(x, 0.5, grid=ScaleGrid(dt=0.5))

    def test_object_and_a_changed_field_is_an_error(self, monthly):
        with pytest.raises(ValueError, match="`grid` already holds `dj`"):
            pxr.cwt(monthly, dj=0.5, grid=ScaleGrid(dj=0.25))
        with pytest.raises(ValueError, match="`monte_carlo` already holds `mc_count`"):
            pxr.wct(monthly, monthly, mc_count=20, monte_carlo=MonteCarlo())
        with pytest.raises(TypeError, match=r"`preprocessing` must be a pycwt_mod\.options"):
            pxr.cwt(monthly, preprocessing={"detrend": "linear"})
        with pytest.raises(TypeError, match="`areawise` must be True, False or"):
            pxr.cwt(monthly, areawise="yes")

    def test_standardize_is_a_deprecated_alias(self, monthly):
        x = monthly.iloc[:128]
        with pytest.warns(DeprecationWarning, match="`standardize` is deprecated.*`normalize`"):
            old = pxr.cwt(x, dj=0.5, standardize=False)
        xr.testing.assert_identical(old, pxr.cwt(x, dj=0.5, normalize=False))
        with pytest.warns(DeprecationWarning):
            pxr.xwt(x, x, dj=0.5, standardize=True)
        with pytest.raises(TypeError, match="both `standardize` and its new name"):
            pxr.wct(x, x, standardize=True, normalize=True, sig=False)

    def test_normalize_false_keeps_the_series_units(self, monthly):
        x = monthly.iloc[:128]
        ds = pxr.cwt(x, dj=0.5, normalize=False)
        W = pm.cwt(x.to_numpy(), 1 / 12, 0.5)[0]
        assert_array_equal(ds.power.values, np.abs(W) ** 2)
        assert ds.attrs["preprocessing"] == "detrend=none; normalize=no; gaps=raise"


class TestAR1Fallback:
    """A series without an unbiased AR(1) estimate: the Yule-Walker one, announced."""

    RAMP = np.arange(50.0)

    def test_every_analysis_warns_and_records_it(self):
        noise = pm.rednoise(50, 0.3, rng=1)
        mc = dict(mc_count=4, seed=1, backend="sequential", cache=False)
        cases = [
            (lambda: pxr.cwt(self.RAMP, 1.0, dj=0.5), "obj"),
            (lambda: pxr.xwt(self.RAMP, noise, 1.0, dj=0.5), "a"),
            (lambda: pxr.wct(self.RAMP, noise, 1.0, dj=0.5, **mc), "a"),
        ]
        for call, name in cases:
            with pytest.warns(AR1FallbackWarning, match=f"{name}: .*Yule-Walker"):
                ds = call()
            assert "Yule-Walker" in ds.attrs["warnings"]
            g = next(v for k, v in ds.attrs.items() if k in ("ar1", "ar1_a"))
            assert g == pytest.approx(ar1_yule_walker(self.RAMP))
