"""pycwt_mod.timeaxis: the spacing of a time axis and a user's ``dt``.

Each case is checked against a value written here; numbers need numpy only, time
steps and dates are read with `pandas.Timedelta` (checked against it too).
"""

from __future__ import annotations

import datetime
import doctest
import subprocess
import sys

import numpy as np
import pytest

from pycwt_mod import timeaxis
from pycwt_mod.timeaxis import TIME_UNITS, parse_dt, time_spacing

MONTHLY = 1 / 12
DAY_S = 86400.0


def _months(start: str, stop: str, step: int = 1) -> np.ndarray:
    return np.arange(start, stop, step, dtype="datetime64[M]").astype("datetime64[ns]")


def _month_ends(start: str, stop: str, step: int = 1) -> np.ndarray:
    """Last day of each month from ``start`` (the day before the next month)."""
    first = np.arange(start, stop, step, dtype="datetime64[M]") + 1
    return first.astype("datetime64[D]") - np.timedelta64(1, "D")


def _days(start: str, n: int, step: str = "1D") -> np.ndarray:
    count, unit = int(step[:-1] or 1), step[-1]
    unit = {"D": "D", "h": "h", "m": "m", "s": "s"}[unit]
    return np.datetime64(start, "ns") + np.arange(n) * np.timedelta64(count, unit)


def _outcome(func, *args):
    try:
        return "ok", func(*args)
    except ValueError as exc:
        return "ValueError", str(exc)


# ----------------------------------------------------------------------- time axes

# (id, time, unit, expected (dt, unit) or the start of the error message)
SPACING = [
    ("monthly", _months("2000-01", "2003-01"), None, (MONTHLY, "year")),
    ("monthly-in-months", _months("2000-01", "2003-01"), "month", (1.0, "month")),
    ("monthly-15th", _months("2000-01", "2002-01") + np.timedelta64(14, "D"), None,
     (MONTHLY, "year")),
    ("monthly-noon", _months("2000-01", "2002-01") + np.timedelta64(12, "h"), None,
     (MONTHLY, "year")),
    ("monthly-mixed-clock", _months("2000-01", "2001-01") + np.r_[6, [0] * 11].astype("m8[h]"),
     None, "the time coordinate is not evenly spaced (steps from 29 days 00:00:00 to 31 days"),
    ("monthly-before-1970", _months("1950-01", "1952-01"), None, (MONTHLY, "year")),
    ("monthly-as-days", _months("2000-01", "2001-01"), "day", "monthly dates have a"),
    ("quarterly", _months("2000-01", "2010-01", 3), None, (0.25, "year")),
    ("quarterly-in-months", _months("2000-03", "2010-03", 3), "month", (3.0, "month")),
    ("yearly", np.arange("1990", "2020", dtype="datetime64[Y]"), None, (1.0, "year")),
    ("month-end", _month_ends("2000-01", "2003-01"), None, (MONTHLY, "year")),
    ("month-end-leap", _month_ends("1999-11", "2001-05"), "month", (1.0, "month")),
    ("month-end-6h", _month_ends("2000-01", "2001-01") + np.timedelta64(6, "h"), None,
     (MONTHLY, "year")),
    ("quarter-end", _month_ends("2000-03", "2005-03", 3), None, (0.25, "year")),
    ("day-30-not-month-end", np.array(["2001-01-30", "2001-02-28", "2001-03-30"], "M8[D]"),
     None, "the time coordinate is not evenly spaced"),
    ("daily", _days("2000-01-01", 40), None, (1.0, "day")),
    ("daily-in-hours", _days("2000-01-01", 40), "hour", (24.0, "hour")),
    ("daily-in-years", _days("2000-01-01", 40), "year", (DAY_S / TIME_UNITS["year"], "year")),
    ("daily-bad-unit", _days("2000-01-01", 40), "fortnight", "`unit` must be one of"),
    ("daily-datetime64[D]", np.arange("2000-01-01", "2000-03-01", dtype="M8[D]"), None,
     (1.0, "day")),
    ("weekly", _days("2000-01-03", 30, "7D"), None, (7.0, "day")),
    ("hourly", _days("2000-01-01", 50, "1h"), None, (1.0, "hour")),
    ("six-hourly", _days("2000-01-01", 50, "6h"), None, (6.0, "hour")),
    ("36-hourly", _days("2000-01-01", 50, "36h"), None, (1.5, "day")),
    ("15-minute", _days("2000-01-01", 50, "15m"), None, (15.0, "minute")),
    ("second", _days("2000-01-01", 50, "1s"), None, (1.0, "second")),
    ("half-second", np.datetime64("2000-01-01", "ns") + np.arange(9) * np.timedelta64(500, "ms"),
     None, (0.5, "second")),
    ("nanosecond", np.datetime64("2000-01-01", "ns") + np.arange(9) * np.timedelta64(1, "ns"),
     None, (1e-9, "second")),
    ("two-dates", np.array(["2000-01-01", "2000-01-03"], "M8[D]"), None, (2.0, "day")),
    ("irregular", np.array(["2000-01-01", "2000-01-02", "2000-01-04"], "M8[D]"), None,
     "the time coordinate is not evenly spaced (steps from 1 days 00:00:00 to 2 days"),
    ("irregular-sub-second", np.array(["2000-01-01T00:00:00", "2000-01-01T00:00:00.25",
     "2000-01-01T00:00:01"], "M8[ns]"), None,
     "the time coordinate is not evenly spaced (steps from 0 days 00:00:00.250000 to"),
    ("unsorted", np.array(["2000-01-02", "2000-01-01", "2000-01-03"], "M8[D]"), None,
     "the time coordinate must be strictly increasing (sort it and drop duplicate"),
    ("duplicates", np.array(["2000-01-01", "2000-01-01", "2000-01-02"], "M8[D]"), None,
     "the time coordinate must be strictly increasing"),
    ("nat", np.array(["NaT", "2000-01-01", "2000-01-02"], "M8[D]"), None,
     "the time coordinate must be strictly increasing"),
    ("numeric", np.arange(10) * 0.5, None, (0.5, "")),
    ("numeric-kyr", [1.5, 2.0, 2.5], "kyr", (0.5, "kyr")),
    ("numeric-int", np.arange(1990, 2020), "year", (1.0, "year")),
    ("numeric-jitter", 1.0 + np.arange(20) * 0.1 * (1 + 1e-9), None, (0.1 * (1 + 1e-9), "")),
    ("numeric-irregular", [0.0, 1.0, 3.0], None,
     "the time coordinate is not evenly spaced (steps from 1 to 2)"),
    ("numeric-unsorted", [0.0, 2.0, 1.0], None,
     "the time coordinate must be strictly increasing (sort it first)"),
    ("numeric-duplicates", [0.0, 1.0, 1.0], None, "the time coordinate must be strictly"),
    ("too-short", np.array(["2000-01-01"], "M8[D]"), None,
     "`time` must be 1-D with at least 2 values (got shape (1,))"),
    ("two-d", np.zeros((2, 3)), None, "`time` must be 1-D with at least 2 values"),
]  # fmt: skip


@pytest.mark.parametrize(("time", "unit", "expected"), [c[1:] for c in SPACING],
                         ids=[c[0] for c in SPACING])  # fmt: skip
def test_time_spacing(time, unit, expected):
    status, got = _outcome(time_spacing, time, unit)
    if isinstance(expected, tuple):
        assert status == "ok", got
        assert got[1] == expected[1]
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    else:
        assert status == "ValueError" and got.startswith(expected), got


def test_irregular_message_names_the_steps_and_how_to_resample():
    time = np.array(["2000-01-01", "2000-01-02", "2000-01-05T06:00"], "M8[ns]")
    with pytest.raises(ValueError, match="resample") as info:
        time_spacing(time)
    assert "steps from 1 days 00:00:00 to 3 days 06:00:00" in str(info.value)
    assert str(info.value).endswith(timeaxis.RESAMPLE_HINT)


def test_monthly_spacing_is_exact_for_every_start_month():
    for start in range(1, 13):
        for step, dt in ((1, MONTHLY), (3, 0.25), (12, 1.0)):
            months = _months(f"1999-{start:02d}", "2009-01", step)
            assert time_spacing(months) == (float(step) / 12.0, "year") == (dt, "year")
            assert time_spacing(_month_ends(f"1999-{start:02d}", "2009-01", step))[0] == dt


# ------------------------------------------------------------------------------ dt

# (id, dt, unit, expected (value, unit) or the start of the error message)
BAD_STRING = "`dt` must be a number, a fraction such as '1/12' or a time step such as '1D'"
DT = [
    ("none", None, None, None),
    ("int", 2, None, (2.0, "")),
    ("float-with-unit", 0.25, "year", (0.25, "year")),
    ("numpy-float", np.float64(1.5), "kyr", (1.5, "kyr")),
    ("numpy-int", np.int64(3), None, (3.0, "")),
    ("fraction", "1/12", "year", (MONTHLY, "year")),
    ("fraction-spaces", " 1/4 ", None, (0.25, "")),
    ("number-string", "2.5", "day", (2.5, "day")),
    ("exponent-string", "1e-3", None, (0.001, "")),
    ("negative-string", "-1", None, "`dt` must be > 0 (got -1.0)"),
    ("zero", 0, None, "`dt` must be > 0 (got 0)"),
    ("negative", -0.5, None, "`dt` must be > 0 (got -0.5)"),
    ("nan", float("nan"), None, "`dt` must be > 0 (got nan)"),
    ("inf", float("inf"), None, "`dt` must be > 0 (got inf)"),
    ("bool", True, None, "`dt` must be > 0 (got True)"),
    ("list", [1], None, "`dt` must be > 0 (got [1])"),
    ("1D", "1D", None, (1.0, "day")),
    ("1D-in-hours", "1D", "hour", (24.0, "hour")),
    ("1D-in-years", "1D", "year", (DAY_S / TIME_UNITS["year"], "year")),
    ("6h", "6h", None, (6.0, "hour")),
    ("6H", "6H", None, (6.0, "hour")),
    ("15min", "15min", None, (15.0, "minute")),
    ("2W", "2W", None, (14.0, "day")),
    ("90s", "90s", None, (1.5, "minute")),
    ("500ms", "500ms", None, (0.5, "second")),
    ("1.5h", "1.5h", None, (1.5, "hour")),
    ("1h30min", "1h30min", "hour", (1.5, "hour")),
    ("1-day", "1 day", None, (1.0, "day")),
    ("clock", "1 days 06:00:00", None, (1.25, "day")),
    ("clock-only", "06:30:00", None, (6.5, "hour")),
    ("iso", "P1DT12H", None, (1.5, "day")),
    ("iso-seconds", "PT0.5S", None, (0.5, "second")),
    ("1ns", "1ns", None, (1e-9, "second")),
    ("zero-step", "0D", None, BAD_STRING),
    ("negative-step", "-1D", None, BAD_STRING),
    ("nat-string", "NaT", None, BAD_STRING),
    ("empty", "", None, BAD_STRING),
    ("month-string", "1M", None, BAD_STRING),
    ("word", "monthly", None, BAD_STRING),
    ("bad-unit-for-step", "1D", "fortnight", BAD_STRING),
    ("timedelta64-day", np.timedelta64(1, "D"), None, (1.0, "day")),
    ("timedelta64-minutes", np.timedelta64(90, "m"), "hour", (1.5, "hour")),
    ("timedelta64-ns", np.timedelta64(250, "ms").astype("m8[ns]"), None, (0.25, "second")),
    ("timedelta64-generic", np.timedelta64(5), None, (5e-9, "second")),
    ("timedelta64-zero", np.timedelta64(0, "h"), None,
     "`dt` must be a positive time step (got 0 days 00:00:00)"),
    ("timedelta64-negative", np.timedelta64(-90, "m"), None,
     "`dt` must be a positive time step (got -1 days +22:30:00)"),
    ("timedelta64-nat", np.timedelta64("NaT"), None, "`dt` must be a positive time step (got NaT)"),
    ("timedelta64-month", np.timedelta64(1, "M"), None, "Unit M is not supported."),
    ("timedelta64-multiple", np.timedelta64(1, "6h"), None,
     "np.timedelta64 objects with units containing a multiplier are not supported"),
    ("timedelta64-bad-unit", np.timedelta64(1, "D"), "week", "`unit` must be one of year, month"),
    ("datetime-timedelta", datetime.timedelta(hours=6), None, (6.0, "hour")),
    ("datetime-timedelta-days", datetime.timedelta(days=7), "day", (7.0, "day")),
    ("datetime-timedelta-negative", datetime.timedelta(hours=-1), None,
     "`dt` must be a positive time step (got -1 days +23:00:00)"),
]  # fmt: skip


@pytest.mark.parametrize(("dt", "unit", "expected"), [c[1:] for c in DT], ids=[c[0] for c in DT])
def test_parse_dt(dt, unit, expected):
    status, got = _outcome(parse_dt, dt, unit)
    if expected is None or isinstance(expected, tuple):
        assert status == "ok", got
        assert got == expected or (got[1] == expected[1] and np.isclose(got[0], expected[0]))
    else:
        assert status == "ValueError" and got.startswith(expected), got


def test_zero_fraction_raises_as_before():
    with pytest.raises(ZeroDivisionError):
        parse_dt("1/0")


def test_pandas_timedelta():
    pd = pytest.importorskip("pandas")
    assert parse_dt(pd.Timedelta("6h")) == (6.0, "hour")
    assert parse_dt(pd.Timedelta(1, "ns")) == (1e-9, "second")
    assert parse_dt(pd.Timedelta(np.timedelta64(3, "s")), "minute") == (0.05, "minute")
    with pytest.raises(ValueError, match=r"got -1 days \+19:00:00"):
        parse_dt(pd.Timedelta(-5, "h"))
    assert parse_dt(pd.Timedelta(np.timedelta64(3, "ms"))) == (0.003, "second")


def test_step_strings_as_pandas_timedelta_reads_them():
    pd = pytest.importorskip("pandas")
    for text in ("1 days 02:00:00", "-1 days 02:00:00", "1h30min", "0.3h", "P1DT2H", "PT1.5S"):
        expected = pd.Timedelta(text)
        if expected.total_seconds() > 0:
            assert parse_dt(text, "second") == (expected.total_seconds(), "second"), text
        else:
            with pytest.raises(ValueError, match=BAD_STRING):
                parse_dt(text)


_NO_PANDAS = """
import datetime, importlib.abc, sys
import numpy as np
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pandas", "xarray"):
            raise ImportError(f"{name} is blocked")
sys.meta_path.insert(0, Block())
from pycwt_mod.timeaxis import parse_dt, time_spacing
assert parse_dt("1/12", "year") == (1 / 12, "year") and parse_dt(2.5) == (2.5, "")
assert time_spacing([1.5, 2.0, 2.5], "kyr") == (0.5, "kyr")
assert time_spacing(np.arange("2000-01", "2001-01", dtype="M8[M]")) == (1 / 12, "year")
for call in (lambda: parse_dt("1D"), lambda: parse_dt(datetime.timedelta(hours=1)),
             lambda: time_spacing(np.arange("2000-01-01", "2000-01-09", dtype="M8[D]"))):
    try:
        call()
    except ImportError as exc:
        print(exc)
"""


def test_numbers_and_months_need_no_pandas_and_time_steps_say_what_to_install():
    proc = subprocess.run(
        [sys.executable, "-c", _NO_PANDAS], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    hint = "time steps and dates need pandas: pip install pandas"
    assert proc.stdout.splitlines() == [hint] * 3


def test_docstring_examples():
    result = doctest.testmod(timeaxis, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0
