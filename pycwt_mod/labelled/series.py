"""Input of the labelled API: series and their time axis.

`time_spacing` infers the sample spacing and its unit from a time coordinate
(monthly dates: ``dt = 1/12`` year); `_read` turns a pandas Series, an xarray
DataArray or a plain array into the values, times and spacing the analyses use.
Preprocessing is the pipeline's (`pycwt_mod.pipeline.prepare_series`). xarray and
pandas are imported only when a function is called (`_libs`).
"""

from __future__ import annotations

import datetime
import fractions
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["TIME_UNITS", "time_spacing"]


INSTALL_HINT = "pycwt_mod.xr needs xarray and pandas: pip install 'pycwt-mod[xarray]'"


#: Time units a date coordinate or a Timedelta ``dt`` can be expressed in, with
#: their length in seconds (a year is 365.25 days; calendar months are 1/12 year).
TIME_UNITS = {
    "year": 365.25 * 86400.0,
    "month": 365.25 * 86400.0 / 12,
    "day": 86400.0,
    "hour": 3600.0,
    "minute": 60.0,
    "second": 1.0,
}


_RESAMPLE_HINT = (
    "The wavelet transform needs evenly spaced samples: resample onto a regular grid "
    "first, e.g. series.resample('1D').mean() (pandas) or da.resample(time='1D').mean() "
    "(xarray), which marks missing samples as NaN, then pass gaps='mask'."
)


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


def _td_in_unit(td, unit: str | None, what: str) -> tuple[float, str]:
    seconds = td.total_seconds()
    if not seconds > 0:
        raise ValueError(f"{what} must be a positive time step (got {td})")
    if unit is None:
        units = ("day", "hour", "minute", "second")
        unit = next((u for u in units if seconds >= TIME_UNITS[u]), "second")
    if unit not in TIME_UNITS:
        raise ValueError(f"`unit` must be one of {', '.join(TIME_UNITS)} for dates (got {unit!r})")
    return seconds / TIME_UNITS[unit], unit


def _parse_dt(pd, dt, unit: str | None) -> tuple[float, str] | None:
    """``dt`` as (value, unit): a number, "1/12", a Timedelta or a string like "1D"."""
    if dt is None:
        return None
    if isinstance(dt, str):
        try:
            value = float(fractions.Fraction(dt.strip()))
        except ValueError:
            try:
                return _td_in_unit(pd.Timedelta(dt), unit, "`dt`")
            except ValueError:
                raise ValueError(
                    f"`dt` must be a number, a fraction such as '1/12' or a time step "
                    f"such as '1D' or '6h' (got {dt!r})"
                ) from None
        dt = value
    if isinstance(dt, pd.Timedelta | np.timedelta64 | datetime.timedelta):
        return _td_in_unit(pd.Timedelta(dt), unit, "`dt`")
    if isinstance(dt, bool) or not isinstance(dt, numbers.Real) or not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"`dt` must be > 0 (got {dt!r})")
    return float(dt), unit or ""


def _date_spacing(pd, times, unit: str | None) -> tuple[float, str]:
    idx = pd.DatetimeIndex(np.asarray(times, dtype="datetime64[ns]"))
    if not idx.is_monotonic_increasing or idx.has_duplicates:
        raise ValueError(
            "the time coordinate must be strictly increasing (sort it and drop duplicate "
            "dates first)"
        )
    months = np.asarray(idx.year) * 12 + np.asarray(idx.month)
    step = np.diff(months)
    same_day = (idx.day == idx.day[0]).all() or idx.is_month_end.all()
    same_clock = (idx - idx.normalize() == idx[0] - idx[0].normalize()).all()
    if step.size and (step == step[0]).all() and step[0] > 0 and same_day and same_clock:
        unit = unit or "year"
        if unit not in ("year", "month"):
            raise ValueError(
                f"monthly dates have a calendar spacing: `unit` must be 'year' or "
                f"'month' (got {unit!r})"
            )
        return float(step[0]) / (12.0 if unit == "year" else 1.0), unit
    ns = np.diff(idx.asi8)
    if (ns == ns[0]).all():
        return _td_in_unit(pd.Timedelta(int(ns[0]), "ns"), unit, "the time step")
    raise ValueError(
        f"the time coordinate is not evenly spaced (steps from {pd.Timedelta(int(ns.min()), 'ns')}"
        f" to {pd.Timedelta(int(ns.max()), 'ns')}). " + _RESAMPLE_HINT
    )


def _numeric_spacing(t: np.ndarray) -> float:
    steps = np.diff(t)
    if not (steps > 0).all():
        raise ValueError("the time coordinate must be strictly increasing (sort it first)")
    dt = (t[-1] - t[0]) / (t.size - 1)
    if not np.allclose(steps, dt, rtol=1e-6, atol=0):
        raise ValueError(
            f"the time coordinate is not evenly spaced (steps from {steps.min():.6g} to "
            f"{steps.max():.6g}). " + _RESAMPLE_HINT
        )
    return float(dt)


def time_spacing(time, unit: str | None = None) -> tuple[float, str]:
    """Sample spacing and its unit from a time axis of dates or numbers.

    Parameters
    ----------
    time : (n,) array_like of datetime64 or numbers
        Strictly increasing, evenly spaced times (n >= 2). Monthly, quarterly and
        yearly dates count as evenly spaced (calendar months).
    unit : str, optional
        For dates, one of `TIME_UNITS` (default "year" for calendar-month steps,
        else the largest of day/hour/minute/second not longer than the step); for
        numbers, a free label returned as given (default "").

    Returns
    -------
    dt : float
        The spacing, in ``unit``.
    unit : str

    Raises
    ------
    ValueError
        For unevenly spaced, unsorted or duplicate times (the message says how to
        resample), or a unit that does not fit the dates.

    Examples
    --------
    >>> time_spacing(np.arange("2000-01", "2001-01", dtype="datetime64[M]"))
    (0.08333333333333333, 'year')
    >>> time_spacing([1.5, 2.0, 2.5], "kyr")
    (0.5, 'kyr')
    """
    pd, _ = _libs()
    t = np.asarray(time)
    if t.ndim != 1 or t.size < 2:
        raise ValueError(f"`time` must be 1-D with at least 2 values (got shape {t.shape})")
    if np.issubdtype(t.dtype, np.datetime64):
        return _date_spacing(pd, t, unit)
    return _numeric_spacing(t.astype(np.float64)), unit or ""


def _read(obj, dt, dim: str | None, unit: str | None, name: str) -> _Series:
    """Values, time labels, spacing and unit of a Series, DataArray or array."""
    pd, xr = _libs()
    given = _parse_dt(pd, dt, unit)
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
        step, unit = _date_spacing(pd, coord, unit)
        time = coord
    elif coord is not None:
        try:
            time = np.asarray(coord, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"the time coordinate of `{name}` must hold dates or numbers "
                f"(got dtype {coord.dtype})"
            ) from None
        step = _numeric_spacing(time)
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
    if a.time.shape != b.time.shape or not np.array_equal(a.time, b.time) or a.dt != b.dt:
        raise ValueError(
            "the two series must share one time axis (same length and labels); align them "
            "first, e.g. xarray.align(a, b, join='inner') or pandas.concat([a, b], "
            f"axis=1).dropna() (got {a.time.size} and {b.time.size} samples)"
        )


def _read_pair(a, b, dt, dim: str | None, unit: str | None) -> tuple[_Series, _Series]:
    """`_read` of two series, checked to share one time axis."""
    sa = _read(a, dt, dim, unit, "a")
    sb = _read(b, dt, dim, unit, "b")
    _same_time(sa, sb)
    return sa, sb
