"""The client keeps labels: dates give ``dt``, misaligned series are refused, the labels
come back on the result; the numbers are those of the labelled API (pycwt_mod.labelled)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pycwt_mod import labelled
from serve_app.client import Client
from serve_app.client.labels import read_series

from ..utils import series

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

MONTHS = pd.date_range("1950-01-01", periods=240, freq="MS")
X = pd.Series(series(240, 1, period=48), index=MONTHS, name="nino3")
Y = pd.Series(series(240, 2, period=48), index=MONTHS, name="rain")


class TestRead:
    def test_dates_give_dt_and_unit(self):
        s = read_series((X, Y))
        assert (s.dt, s.unit) == (1 / 12, "year")
        assert_array_equal(s.time, MONTHS.to_numpy())
        assert_array_equal(s.values[0], X.to_numpy())

    def test_a_dataarray_and_numeric_labels(self):
        da = xr.DataArray(X.to_numpy(), dims="t", coords={"t": 0.5 * np.arange(240)})
        s = read_series((da,), 0.5)
        assert s.dt == 0.5 and s.time[1] == 0.5
        with pytest.raises(ValueError, match="disagrees with the spacing"):
            read_series((da,), 1.0)

    def test_plain_arrays_and_a_range_index_keep_the_callers_dt(self):
        s = read_series((X.to_numpy(), pd.Series(Y.to_numpy())), 2.0)
        assert (s.dt, s.time) == (2.0, None)

    def test_misaligned_series_are_refused_with_how_to_align(self):
        with pytest.raises(ValueError, match=r"share one time axis.*xarray.align"):
            read_series((X, Y.iloc[12:]))
        with pytest.raises(ValueError, match="one series has a time axis"):
            read_series((X, Y.to_numpy()))
        with pytest.raises(ValueError, match="dt comes from the dates"):
            read_series((X,), 1 / 12)

    def test_reading_loads_neither_pandas_nor_xarray_for_arrays(self):
        s = read_series((np.arange(4.0),), 1.0)
        assert s.time is None and s.values[0].dtype == float


def test_the_service_analyses_dated_series_as_the_labelled_api(service):
    with Client(service.url) as c:
        res = c.wct(X, Y, dj=0.25, significance_test=False)
        cwt = c.cwt(X, dj=0.25)
        with pytest.raises(ValueError, match="share one time axis"):
            c.wct(X, Y.iloc[1:], dj=0.25)
    ds = labelled.wct(X, Y, dj=0.25, sig=False)
    assert_array_equal(res.WCT, ds["coherence"].values)
    assert_array_equal(res.time, MONTHS.to_numpy())
    assert_array_equal(1 / cwt.freqs, labelled.cwt(X, dj=0.25)["period"].values)
    assert_array_equal(cwt.time, MONTHS.to_numpy())
