"""Input of the labelled API: series and their time axis.

`time_spacing` infers the sample spacing and its unit from a time coordinate
(monthly dates: ``dt = 1/12`` year); `_read` turns a pandas Series, an xarray
DataArray or a plain array into the values, times and spacing the analyses use.
Preprocessing is the pipeline's (`pycwt_mod.pipeline.prepare_series`). xarray and
pandas are imported only when a function is called (`_libs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..timeaxis import (
    TIME_UNITS,
    date_spacing,
    numeric_spacing,
    parse_dt,
    same_time_axis,
    time_spacing,
)

__all__ = ["TIME_UNITS", "time_spacing"]


INSTALL_HINT = "pycwt_mod.xr needs xarray and pandas: pip install 'pycwt-mod[xarray]'"


def _libs():
    try:
        import pandas as pd
        import xarray as xr
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return pd, xr


@dataclass(frozen=True)
class _Series:
    values: np.ndarray  # (n,) float64, NaN at gaps
    time: np.ndarray  # (n,) datetime64[ns] or float64 labels
    dt: float
    unit: str
    name: str
    units: str  # of the values, "" when unknown


def _read(obj, dt, dim: str | None, unit: str | None, name: str) -> _Series:
    """Values, time labels, spacing and unit of a Series, DataArray or array."""
    pd, xr = _libs()
    given = parse_dt(dt, unit)
    coord, label, units = None, name, ""
    if isinstance(obj, xr.DataArray):
        if dim is None:
            if obj.ndim != 1:
                raise ValueError(
                    f"`{name}` must be 1-D (got dims {obj.dims}); select the other "
                    "dimensions first, e.g. da.sel(lat=0, lon=0), or pass `dim`"
                )
            dim = obj.dims[0]
        if dim not in obj.dims or obj.ndim != 1:
            raise ValueError(
                f"`dim` must name the only dimension of `{name}` (got {dim!r}; dims {obj.dims})"
            )
        values = obj.values
        if dim in obj.coords:
            coord = obj[dim].values
            if not np.issubdtype(coord.dtype, np.datetime64):
                unit = unit or str(obj[dim].attrs.get("units", "")) or None
        label = str(obj.name) if obj.name is not None else name
        units = str(obj.attrs.get("units", ""))
    elif isinstance(obj, pd.Series):
        values = obj.to_numpy()
        index = obj.index
        if isinstance(index, pd.DatetimeIndex):
            coord = (index.tz_convert(None) if index.tz is not None else index).to_numpy()
        elif not isinstance(index, pd.RangeIndex):
            coord = index.to_numpy()
        label = str(obj.name) if obj.name is not None else name
    else:
        values = obj
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must hold real numbers") from None
    if values.ndim != 1 or values.size < 3:
        raise ValueError(f"`{name}` must be 1-D with at least 3 samples (got shape {values.shape})")

    if coord is not None and np.issubdtype(coord.dtype, np.datetime64):
        if given is not None:
            raise ValueError(
                f"`dt` comes from the dates of `{name}` (got dt={dt!r} as well); drop `dt`, "
                "or pass the bare values with `dt`"
            )
        step, unit = date_spacing(coord, unit)
        time = coord
    elif coord is not None:
        try:
            time = np.asarray(coord, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"the time coordinate of `{name}` must hold dates or numbers "
                f"(got dtype {coord.dtype})"
            ) from None
        step = numeric_spacing(time)
        if given is not None and not np.isclose(given[0], step, rtol=1e-6, atol=0):
            raise ValueError(
                f"`dt` ({given[0]!r}) disagrees with the spacing of the time coordinate of "
                f"`{name}` ({step!r}); drop `dt`"
            )
        unit = unit or (given[1] if given else "")
    else:
        if given is None:
            raise ValueError(
                f"`{name}` has no time coordinate, so `dt` is needed (a number, '1/12', "
                "a pandas.Timedelta or a string such as '1D')"
            )
        step, unit = given
        time = step * np.arange(values.size)
    return _Series(values, time, float(step), unit or "", label, units)


def _same_time(a: _Series, b: _Series) -> None:
    same_time_axis(a.time, b.time)  # equal labels (n >= 3) have one spacing


def _read_pair(a, b, dt, dim: str | None, unit: str | None) -> tuple[_Series, _Series]:
    """`_read` of two series, checked to share one time axis."""
    sa = _read(a, dt, dim, unit, "a")
    sb = _read(b, dt, dim, unit, "b")
    _same_time(sa, sb)
    return sa, sb
