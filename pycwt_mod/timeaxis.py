"""Time axes: the sample spacing and its unit, from dates or numbers (numpy only).

`time_spacing` reads the spacing of a time axis: calendar-month steps (monthly,
quarterly, yearly dates, month ends included) give ``dt`` in years (1/12 for
monthly dates), other evenly spaced dates give it in the largest of day, hour,
minute or second that is not longer than the step, and numbers give their
step as is. `parse_dt` reads a ``dt`` given by a user: a number, a fraction
such as "1/12", a timedelta (numpy, datetime or pandas) or a string such as
"1D", "6h", "15min" or "2W". Both need numpy only: the labelled API and the
command line share them, and the command line works without pandas.

Time steps are read as `pandas.Timedelta` reads them (the same strings, the
same spacing in seconds, the same text in messages), without importing it;
strings that pandas reads loosely (a "." straight after a unit, as in "5H." or
"1D.5", or before a ":") are refused.
"""

from __future__ import annotations

import datetime
import fractions
import math
import numbers
import re
from typing import Any

import numpy as np

__all__ = [
    "RESAMPLE_HINT",
    "TIME_UNITS",
    "date_spacing",
    "numeric_spacing",
    "parse_dt",
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

_INT64_MAX = 2**63 - 1
_DAY_NS = 86400 * 10**9
# Nanoseconds per unit, and the decimals a fraction of the unit is rounded to.
_UNIT_NS = {"W": 7 * _DAY_NS, "D": _DAY_NS, "h": 3600 * 10**9, "m": 60 * 10**9}
_UNIT_NS |= {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_UNIT_DIGITS = {unit: len(str(ns)) - 1 for unit, ns in _UNIT_NS.items()}
# The unit names of a time step string, lower case (pandas.Timedelta's).
_UNIT_NAMES = {
    **dict.fromkeys(("w",), "W"),
    **dict.fromkeys(("d", "day", "days"), "D"),
    **dict.fromkeys(("h", "hr", "hour", "hours"), "h"),
    **dict.fromkeys(("m", "min", "minute", "minutes"), "m"),
    **dict.fromkeys(("s", "sec", "second", "seconds"), "s"),
    **dict.fromkeys(("ms", "milli", "millis", "millisecond", "milliseconds"), "ms"),
    **dict.fromkeys(("us", "µs", "micro", "micros", "microsecond", "microseconds"), "us"),
    **dict.fromkeys(("ns", "nano", "nanos", "nanosecond", "nanoseconds"), "ns"),
}
_NAT_STRINGS = frozenset({"NaT", "nat", "NAT", "nan", "NaN", "NAN"})
# numpy units a timedelta is kept in (coarser ones are read in seconds).
_RESOLUTIONS = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_TIMEDELTA_UNITS = "'W', 'D', 'h', 'm', 's', 'ms', 'us', 'ns'"

_TOKEN = r"[0-9]+(?:\.[0-9]*)?[^0-9:.\-]+"
_CLOCK = r"[0-9]+:[0-9]+:[0-9]+(?:\.[0-9]+)?"
_REGULAR = re.compile(rf"(-?)((?:{_TOKEN})*)({_CLOCK})?")
_TOKENS = re.compile(r"([0-9]+)(?:\.([0-9]*))?([^0-9:.\-]+)")
_ISO = re.compile(r"(-?)((?:[0-9]+[WD]|[0-9]{1,2}[HM])*)(?:([0-9]*)\.([0-9]{1,9})S|([0-9]+)S)?")
_ISO_TOKENS = re.compile(r"([0-9]+)([WDHM])")
_ISO_UNITS = {"W": "W", "D": "D", "H": "h", "M": "m"}


# ------------------------------------------------------------------ time steps


def _in_unit(number: str, frac: str, unit: str) -> int:
    """``number.frac`` units in nanoseconds, rounded as pandas rounds them."""
    x = float(f"{number}.{frac}")
    whole = int(x)
    part = x - whole
    if _UNIT_DIGITS[unit]:
        part = round(part, _UNIT_DIGITS[unit])
    return whole * _UNIT_NS[unit] + int(part * _UNIT_NS[unit])


def _fraction_ns(digits: str) -> int:
    """Decimal digits of a second (at most 9 are read) in nanoseconds."""
    return int(digits[:9].ljust(9, "0"))


def _parse_regular(text: str) -> tuple[int, bool] | None:
    """A step such as "1 days 02:00:00" or "1h30min": (ns, needs ns) or None."""
    text = re.sub(r"[ ,+]", "", text)
    if re.fullmatch(r"-?[0-9]+", text):  # a bare count of nanoseconds
        return (-1 if text[0] == "-" else 1) * _in_unit(text.lstrip("-"), "", "ns"), True
    match = _REGULAR.fullmatch(text)
    if match is None or not (match[2] or match[3]):
        return None
    sign = -1 if match[1] else 1
    total, fine = 0, False
    for number, frac, name in _TOKENS.findall(match[2]):
        unit = None if name in ("M", "Y", "y") else _UNIT_NAMES.get(name.lower())
        if unit is None:
            return None
        total += sign * _in_unit(number, frac, unit)
        fine |= name == "ns" or name.lower().startswith("nano") or len(frac) > 6
    if match[3]:
        clock, _, frac = match[3].partition(".")
        hours, minutes, seconds = (int(v) for v in clock.split(":"))
        ns = (hours * 3600 + minutes * 60 + seconds) * 10**9 + _fraction_ns(frac)
        # A leading sign covers the clock only when no unit comes before it.
        total += -ns if match[1] and not match[2] else ns
        fine |= len(frac) > 6
    return total, fine


def _parse_iso(text: str) -> tuple[int, bool] | None:
    """An ISO 8601 duration such as "P1DT2H" or "PT0.5S": (ns, needs ns) or None."""
    sign = -1 if text.startswith("-") else 1
    match = _ISO.fullmatch(text.lstrip("-").replace("P", "").replace("T", "").replace("+", ""))
    if match is None or not any(match.group(2, 3, 4, 5)):
        return None
    parts = [
        _in_unit(number, "0", _ISO_UNITS[name]) for number, name in _ISO_TOKENS.findall(match[2])
    ]
    if match[4]:  # milliseconds go with the seconds, as pandas reads a sign before them
        parts.append(_in_unit(match[3] or "0", "0", "s") + _fraction_ns(match[4][:3]))
        parts.append(_fraction_ns(match[4]) - _fraction_ns(match[4][:3]))
    elif match[5]:
        parts.append(_in_unit(match[5], "0", "s"))
    if match[1] and parts:
        parts[0] = -parts[0]
    return sign * sum(parts), bool(match[4]) and len(match[4]) > 6


def _parse_timedelta(text: str) -> np.timedelta64 | None:
    """A time step string as `pandas.Timedelta` reads it, or None when it reads none.

    The step is kept in microseconds, or in nanoseconds where it needs them.
    """
    if text == "" or text in _NAT_STRINGS:
        return np.timedelta64("NaT", "ns")
    try:
        parsed = _parse_iso(text) if text.startswith(("P", "-P")) else _parse_regular(text)
    except OverflowError:  # a number too large for a float
        return None
    if parsed is None or abs(parsed[0]) > _INT64_MAX:
        return None
    ns, fine = parsed
    if fine or ns % 1000:
        return np.timedelta64(ns, "ns")
    return np.timedelta64(ns // 1000, "us")


def _as_timedelta64(td: Any) -> np.timedelta64:
    """A numpy, datetime or pandas timedelta as a timedelta64 in s, ms, us or ns."""
    to_numpy = getattr(td, "to_timedelta64", None)  # pandas.Timedelta, without pandas
    if not isinstance(td, np.timedelta64) and callable(to_numpy):
        return to_numpy()
    if not isinstance(td, np.timedelta64):  # datetime.timedelta
        us = (td.days * 86400 + td.seconds) * 10**6 + td.microseconds
        if abs(us) > _INT64_MAX:
            raise ValueError("Python int too large to convert to C long")
        return np.timedelta64(us, "us")
    unit, count = np.datetime_data(td.dtype)
    if count != 1:
        raise ValueError(
            "np.timedelta64 objects with units containing a multiplier are not supported"
        )
    if unit == "generic":
        return np.timedelta64(td.astype(np.int64), "ns")
    if unit not in _UNIT_NS:
        raise ValueError(
            f"Unit {unit} is not supported. Only unambiguous timedelta values durations "
            f"are supported. Allowed units are {_TIMEDELTA_UNITS}"
        )
    if unit in _RESOLUTIONS or np.isnat(td):
        return td
    seconds = int(td.astype(np.int64)) * (_UNIT_NS[unit] // 10**9)
    if abs(seconds) > _INT64_MAX:
        raise ValueError(str(td))
    return np.timedelta64(seconds, "s")


def _seconds(td: np.timedelta64) -> float:
    """Length in seconds of a timedelta64 in s, ms, us or ns (NaN for NaT)."""
    if np.isnat(td):
        return math.nan
    unit, _ = np.datetime_data(td.dtype)
    whole, part = divmod(int(td.astype(np.int64)), _RESOLUTIONS[unit])
    seconds = whole + part / _RESOLUTIONS[unit]
    if part:  # as pandas: a part of a second never rounds to a whole second
        seconds = min(
            max(seconds, math.nextafter(whole, math.inf)), math.nextafter(whole + 1, -math.inf)
        )
    return seconds


def _format_timedelta(td: np.timedelta64) -> str:
    """A timedelta64 written as pandas writes one: "1 days 02:00:00", "-1 days +23:00:00".

    Examples
    --------
    >>> _format_timedelta(np.timedelta64(-90, "m").astype("m8[s]"))
    '-1 days +22:30:00'
    """
    if np.isnat(td):
        return "NaT"
    unit, _ = np.datetime_data(td.dtype)
    ns = int(td.astype(np.int64)) * (10**9 // _RESOLUTIONS[unit])
    days, rest = divmod(ns, _DAY_NS)
    hours, rest = divmod(rest, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    seconds, sub = divmod(rest, 10**9)
    frac = "" if not sub else f".{sub:09d}" if sub % 1000 else f".{sub // 1000:06d}"
    sign = "+" if ns < 0 else ""
    return f"{days} days {sign}{hours:02d}:{minutes:02d}:{seconds:02d}{frac}"


def _td_in_unit(td: np.timedelta64, unit: str | None, what: str) -> tuple[float, str]:
    seconds = _seconds(td)
    if not seconds > 0:
        raise ValueError(f"{what} must be a positive time step (got {_format_timedelta(td)})")
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
                td = _parse_timedelta(dt)
                if td is None:
                    raise ValueError(dt)
                return _td_in_unit(td, unit, "`dt`")
            except ValueError:
                raise ValueError(
                    f"`dt` must be a number, a fraction such as '1/12' or a time step "
                    f"such as '1D' or '6h' (got {dt!r})"
                ) from None
        dt = value
    if isinstance(dt, np.timedelta64 | datetime.timedelta):
        return _td_in_unit(_as_timedelta64(dt), unit, "`dt`")
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
        return _td_in_unit(np.timedelta64(int(ns[0]), "ns"), unit, "the time step")
    shortest = _format_timedelta(np.timedelta64(int(ns.min()), "ns"))
    longest = _format_timedelta(np.timedelta64(int(ns.max()), "ns"))
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
