"""Time axes: the sample spacing and its unit, from dates or numbers.

`time_spacing` reads the spacing of a time axis: calendar-month steps (monthly,
quarterly, yearly dates, month ends included) give ``dt`` in years (1/12 for
monthly dates), other evenly spaced dates give it in the largest of day, hour,
minute or second that is not longer than the step, and numbers give their
step as is. `parse_dt` reads a ``dt`` given by a user: a number, a fraction
such as "1/12", a timedelta (numpy, datetime or pandas) or a string such as
"1D", "6h", "15min" or "2W". The labelled API and the command line share them.

Numbers and calendar-month dates need numpy only. Other time steps (strings,
timedeltas, the steps of dates) are read, measured and written as `pandas.Timedelta`
reads, measures and writes them (pandas is imported only then; without it the
functions say what to install). The calendar-month test stays in numpy:
`pandas.infer_freq` finds no frequency for monthly dates on the 15th or at noon,
and none for fewer than three dates.
"""

from __future__ import annotations

import datetime
import fractions
import numbers
from typing import Any

import numpy as np

__all__ = [
    "RESAMPLE_HINT",
    "TIME_UNITS",
    "date_spacing",
    "numeric_spacing",
    "parse_dt",
    "same_time_axis",
    "time_spacing",
]

#: Time units a date coordinate or a timedelta ``dt`` can be expressed in, with
#: their length in seconds (a year is 365.25 days; calendar months are 1/12 year).
TIME_UNITS = {
    "year": 365.25 * 86400.0,
    "month": 365.25 * 86400.0 / 12,
    "day": 86400.0,
    "hour": 3600.0,
    "minute": 60.0,
    "second": 1.0,
}

#: The advice that ends every "not evenly spaced" message.
RESAMPLE_HINT = (
    "The wavelet transform needs evenly spaced samples: resample onto a regular grid "
    "first, e.g. series.resample('1D').mean() (pandas) or da.resample(time='1D').mean() "
    "(xarray), which marks missing samples as NaN, then pass gaps='mask'."
)

_PANDAS_HINT = "time steps and dates need pandas: pip install pandas"


def _timedelta(value: Any):
    """`pandas.Timedelta` of ``value`` (pandas imported here; ValueError as pandas')."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(_PANDAS_HINT) from None
    return pd.Timedelta(value)


def _td_in_unit(td, unit: str | None, what: str) -> tuple[float, str]:
    """A `pandas.Timedelta` (NaT included) in ``unit``, or in the largest unit fitting it."""
    seconds = td.total_seconds()
    if not seconds > 0:
        raise ValueError(f"{what} must be a positive time step (got {td})")
    if unit is None:
        units = ("day", "hour", "minute", "second")
        unit = next((u for u in units if seconds >= TIME_UNITS[u]), "second")
    if unit not in TIME_UNITS:
        raise ValueError(f"`unit` must be one of {', '.join(TIME_UNITS)} for dates (got {unit!r})")
    return seconds / TIME_UNITS[unit], unit


def parse_dt(dt: Any, unit: str | None = None) -> tuple[float, str] | None:
    """A user's sample spacing as ``(value, unit)``.

    Parameters
    ----------
    dt : float, str, timedelta or None
        A number (in ``unit``), a fraction such as ``"1/12"``, a time step
        (`numpy.timedelta64`, `datetime.timedelta`, `pandas.Timedelta`) or a time
        step string as `pandas.Timedelta` reads it (``"1D"``, ``"6h"``,
        ``"15min"``, ``"2W"``, ``"1 days 02:00:00"``, ``"P1DT2H"``).
    unit : str, optional
        For a number, a free label returned as given (default ""); for a time
        step, one of `TIME_UNITS` (default: the largest of day, hour, minute and
        second not longer than the step).

    Returns
    -------
    (float, str) or None
        The spacing in ``unit`` and the unit; None when ``dt`` is None.

    Raises
    ------
    ValueError
        When ``dt`` is not > 0, a string is neither a number nor a time step, or
        ``unit`` is not a time unit for a time step.
    ImportError
        For a time step (a string or a timedelta) without pandas.

    Examples
    --------
    >>> parse_dt("1/12", "year")
    (0.08333333333333333, 'year')
    >>> parse_dt("6h")
    (6.0, 'hour')
    >>> parse_dt(np.timedelta64(90, "m"), "hour")
    (1.5, 'hour')
    >>> parse_dt(2.5)
    (2.5, '')
    """
    if dt is None:
        return None
    if isinstance(dt, str):
        try:
            value = float(fractions.Fraction(dt.strip()))
        except ValueError:
            try:
                return _td_in_unit(_timedelta(dt), unit, "`dt`")
            except (ValueError, OverflowError):
                raise ValueError(
                    f"`dt` must be a number, a fraction such as '1/12' or a time step "
                    f"such as '1D' or '6h' (got {dt!r})"
                ) from None
        dt = value
    if isinstance(dt, np.timedelta64 | datetime.timedelta):  # pandas.Timedelta included
        return _td_in_unit(_timedelta(dt), unit, "`dt`")
    if isinstance(dt, bool) or not isinstance(dt, numbers.Real) or not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"`dt` must be > 0 (got {dt!r})")
    return float(dt), unit or ""


# ------------------------------------------------------------------- time axes


def date_spacing(times: Any, unit: str | None = None) -> tuple[float, str]:
    """Spacing and unit of strictly increasing dates (see `time_spacing`).

    Examples
    --------
    >>> date_spacing(np.array(["2000-01-31", "2000-02-29", "2000-03-31"], "datetime64[D]"))
    (0.08333333333333333, 'year')
    >>> date_spacing(np.arange("2000-01-01", "2000-01-02", 6, dtype="datetime64[h]"))
    (6.0, 'hour')
    """
    t = np.asarray(times, dtype="datetime64[ns]")
    if not (t[1:] > t[:-1]).all():
        raise ValueError(
            "the time coordinate must be strictly increasing (sort it and drop duplicate "
            "dates first)"
        )
    month = t.astype("datetime64[M]")
    day = t.astype("datetime64[D]")
    step = np.diff(month.astype(np.int64))
    day_of_month = day - month.astype("datetime64[D]")
    month_end = (day + np.timedelta64(1, "D")).astype("datetime64[M]") != month
    same_day = (day_of_month == day_of_month[0]).all() or month_end.all()
    clock = t - day
    same_clock = (clock == clock[0]).all()
    if step.size and (step == step[0]).all() and step[0] > 0 and same_day and same_clock:
        unit = unit or "year"
        if unit not in ("year", "month"):
            raise ValueError(
                f"monthly dates have a calendar spacing: `unit` must be 'year' or "
                f"'month' (got {unit!r})"
            )
        return float(step[0]) / (12.0 if unit == "year" else 1.0), unit
    ns = np.diff(t.astype(np.int64))
    if (ns == ns[0]).all():
        return _td_in_unit(_timedelta(np.timedelta64(int(ns[0]), "ns")), unit, "the time step")
    shortest = _timedelta(np.timedelta64(int(ns.min()), "ns"))
    longest = _timedelta(np.timedelta64(int(ns.max()), "ns"))
    raise ValueError(
        f"the time coordinate is not evenly spaced (steps from {shortest} to {longest}). "
        + RESAMPLE_HINT
    )


def numeric_spacing(t: np.ndarray) -> float:
    """Step of strictly increasing, evenly spaced float times (rtol 1e-6).

    Examples
    --------
    >>> numeric_spacing(np.array([1.5, 2.0, 2.5]))
    0.5
    """
    steps = np.diff(t)
    if not (steps > 0).all():
        raise ValueError("the time coordinate must be strictly increasing (sort it first)")
    dt = (t[-1] - t[0]) / (t.size - 1)
    if not np.allclose(steps, dt, rtol=1e-6, atol=0):
        raise ValueError(
            f"the time coordinate is not evenly spaced (steps from {steps.min():.6g} to "
            f"{steps.max():.6g}). " + RESAMPLE_HINT
        )
    return float(dt)


def time_spacing(time: Any, unit: str | None = None) -> tuple[float, str]:
    """Sample spacing and its unit from a time axis of dates or numbers.

    Parameters
    ----------
    time : (n,) array_like of datetime64 or numbers
        Strictly increasing, evenly spaced times (n >= 2). Monthly, quarterly and
        yearly dates count as evenly spaced (calendar months), on the same day of
        the month or all on month ends, at the same time of day.
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
    ImportError
        For dates without pandas.

    Examples
    --------
    >>> time_spacing(np.arange("2000-01", "2001-01", dtype="datetime64[M]"))
    (0.08333333333333333, 'year')
    >>> time_spacing(np.arange("2000-01", "2003-01", 3, dtype="datetime64[M]"), "month")
    (3.0, 'month')
    >>> time_spacing(np.arange("2000-01-01", "2000-01-05", dtype="datetime64[D]"))
    (1.0, 'day')
    >>> time_spacing([1.5, 2.0, 2.5], "kyr")
    (0.5, 'kyr')
    >>> days = np.array(["2000-01-01", "2000-01-02", "2000-01-04"], "datetime64[D]")
    >>> time_spacing(days)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the time coordinate is not evenly spaced (steps from 1 days 00:00:00 to 2 days ...
    """
    t = np.asarray(time)
    if t.ndim != 1 or t.size < 2:
        raise ValueError(f"`time` must be 1-D with at least 2 values (got shape {t.shape})")
    if np.issubdtype(t.dtype, np.datetime64):
        return date_spacing(t, unit)
    return numeric_spacing(t.astype(np.float64)), unit or ""


def same_time_axis(a: Any, b: Any) -> None:
    """Check that two series' time labels are one axis (same length and labels).

    Parameters
    ----------
    a, b : (n,) array_like of datetime64 or numbers
        The labels of the two series.

    Raises
    ------
    ValueError
        When they differ, saying how to align the series.

    Examples
    --------
    >>> same_time_axis([1.0, 2.0], [1.0, 2.0])
    >>> same_time_axis([1.0, 2.0, 3.0], [2.0, 3.0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the two series must share one time axis (same length and labels); ...
    """
    ta, tb = np.asarray(a), np.asarray(b)
    if ta.shape != tb.shape or not np.array_equal(ta, tb):
        raise ValueError(
            "the two series must share one time axis (same length and labels); align them "
            "first, e.g. xarray.align(a, b, join='inner') or pandas.concat([a, b], "
            f"axis=1).dropna() (got {ta.size} and {tb.size} samples)"
        )
