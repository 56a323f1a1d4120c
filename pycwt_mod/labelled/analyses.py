"""Labelled wavelet analysis: pandas or xarray in, `xarray.Dataset` out.

`cwt`, `xwt` and `wct` take a pandas Series (with a DatetimeIndex or a numeric
index), a 1-D xarray DataArray with a time coordinate, or a plain array with `dt`.
The sample spacing and its unit come from the coordinate when there is one:
monthly dates give ``dt = 1/12`` year, daily dates ``dt = 1`` day. The result is a
Dataset with the input's ``time`` coordinate, a ``period`` coordinate in the same
unit, the power or coherence with its significance, the cone of influence and a
gap mask, and attrs recording how it was made (wavelet, grid, AR(1) values,
significance method, preprocessing), all netCDF-serialisable: ``ds.to_netcdf()``
round-trips. `scale_average` adds the band-averaged power of a `cwt` result.
``areawise=True`` adds Monte Carlo pointwise and areawise significance masks
(`pycwt_mod.areawise_power`, `pycwt_mod.areawise_coherence`) to `cwt` and `wct`.

Needs the ``xarray`` extra (``pip install 'pycwt-mod[xarray]'``); xarray and pandas
are imported only when a function is called.

Preprocessing (`pycwt_mod.preprocess`) is an option of each function:
``detrend="linear"`` removes a straight line, ``standardize=True`` divides by the
standard deviation, and ``gaps="mask"`` fills NaN gaps and masks the (period, time)
points they influence (default ``gaps="raise"``: an error naming the first gap).

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlinear
   Processes in Geophysics, 11, 561-566.
"""

from __future__ import annotations

import datetime
import fractions
import numbers
from dataclasses import dataclass

import numpy as np

from .. import __version__
from .._validation import check_significance_level
from ..areawise import AREAWISE_TESTS, areawise_coherence, areawise_power, threshold_levels
from ..areawise.patches import AREA_MEASURES, check_level
from ..coherence import wct as _wct
from ..grid import scale_grid
from ..montecarlo.engine import wct_significance
from ..montecarlo.surrogates import SURROGATES
from ..mothers import WAVELETS, get_wavelet
from ..preprocess import (
    DETREND_METHODS,
    GAP_FILLS,
    GAP_POLICIES,
    _choice,
    check_gaps,
    fill_gaps,
    gap_mask,
)
from ..preprocess import detrend as _detrend
from ..preprocess import standardize as _standardize
from ..significance import ar1, significance
from ..spectra import _in_band, global_coherence, global_wavelet_spectrum, scale_averaged_power
from ..transform import cwt as _cwt
from ..transform import xwt as _xwt

__all__ = ["TIME_UNITS", "cwt", "scale_average", "time_spacing", "wct", "xwt"]

INSTALL_HINT = "pycwt_mod.labelled needs xarray and pandas: pip install 'pycwt-mod[xarray]'"

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


# ----------------------------------------------------------------------------- input


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


def _prepare(s: _Series, name: str, detrend: str, standardize: bool, gaps: str, fill: str):
    """Detrended, standardised and gap-filled values, and the missing samples."""
    _choice(detrend, "detrend", DETREND_METHODS)
    _choice(gaps, "gaps", GAP_POLICIES)
    _choice(fill, "fill", GAP_FILLS)
    if gaps == "raise":
        check_gaps(s.values, name, s.time)
    missing = ~np.isfinite(s.values)
    y = _detrend(s.values, detrend)
    if standardize:
        y = _standardize(y)
    return fill_gaps(y, fill), missing


# ---------------------------------------------------------------------------- output


def _wavelet_attrs(mother) -> dict:
    attrs = {"wavelet": mother.name}
    if mother.param is not None:
        attrs["wavelet_param"] = float(mother.param)
    return attrs


def _mother_from_attrs(attrs: dict):
    key = str(attrs["wavelet"]).lower().replace(" ", "")
    if key not in WAVELETS:
        raise ValueError(f"unknown wavelet {attrs['wavelet']!r} in the Dataset attrs")
    cls = WAVELETS[key]
    return cls(attrs["wavelet_param"]) if "wavelet_param" in attrs else cls()


def _preprocessing(detrend: str, standardize: bool, gaps: str, fill: str, n_missing: int) -> str:
    text = f"detrend={detrend}; standardize={'yes' if standardize else 'no'}; gaps={gaps}"
    if gaps == "mask":
        text += f" (fill={fill}, {n_missing} missing sample(s) masked)"
    return text


def _coords(xr, s: _Series, period: np.ndarray, scales: np.ndarray) -> dict:
    time_attrs = {} if np.issubdtype(s.time.dtype, np.datetime64) else {"units": s.unit}
    return {
        "time": ("time", s.time, time_attrs),
        "period": ("period", period, {"units": s.unit, "long_name": "Fourier period"}),
        "scale": ("period", scales, {"units": s.unit, "long_name": "wavelet scale"}),
    }


def _common_attrs(mother, dj, scales, s: _Series, level, pre: str) -> dict:
    return {
        **_wavelet_attrs(mother),
        "dj": float(dj),
        "s0": float(scales[0]),
        "J": int(scales.size - 1),
        "dt": float(s.dt),
        "time_unit": s.unit,
        "significance_level": float(level),
        "preprocessing": pre,
        "pycwt_mod_version": __version__,
    }


_FAMILIES = {"ar1": "AR(1) red-noise", "phase": "phase-randomised", "iaaft": "IAAFT"}


def _areawise_options(surrogate, area_level, area_measure, area_test) -> dict:
    """Areawise options, checked under this module's names, as `areawise_*` keywords."""
    _choice(surrogate, "surrogate", SURROGATES)
    _choice(area_measure, "area_measure", AREA_MEASURES)
    _choice(area_test, "area_test", AREAWISE_TESTS)
    level = check_level(area_level, "area_level")
    return dict(surrogate=surrogate, area_level=level, measure=area_measure, test=area_test)


def _root_seed(seed) -> int:
    """``seed``, or 53 bits of fresh entropy (exact in netCDF doubles and JSON)."""
    if seed is not None:
        return seed
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(11))


def _areawise_vars(res, attrs: dict) -> dict:
    """The masks of an `AreawiseResult` as (period, time) variables; its settings to attrs."""
    attrs.update(
        surrogate=res.surrogate,
        area_level=float(res.area_level),
        area_measure=res.measure,
        critical_area=float(res.critical_area),
        mc_count=int(res.mc_count),
        seed=str(res.seed),
    )
    attrs["areawise_test"] = res.test
    where = f"{res.mc_count} {res.surrogate} surrogates"
    how = f"{res.measure} patch measure"
    if res.test == "cumulative":
        attrs["cumulative_levels"] = list(res.cumulative_levels)
        attrs["cumulative_critical_areas"] = list(res.cumulative_critical_areas)
        how = "cumulative test, Schulte 2016"
    return {
        "pointwise_significant": (("period", "time"), res.pointwise, {
            "long_name": f"pointwise significant at {res.level:g} against {where}"}),
        "areawise_significant": (("period", "time"), res.areawise, {
            "long_name": f"areawise significant at {res.area_level:g} ({how}) "
            f"against {where}"}),
    }  # fmt: skip


_COMMON_PARAMS = """
    dt : float, str or pandas.Timedelta, optional
        Sample spacing, needed only when there is no time coordinate: a number (in
        ``unit``), a fraction such as ``"1/12"``, or a time step such as ``"1D"``.
        With dates it must be left out (it comes from the dates); with a numeric
        coordinate it must agree with the coordinate's spacing.
    dim : str, optional
        Name of the time dimension of a DataArray (default: its only dimension).
    unit : str, optional
        Unit of time and period. For dates or a Timedelta ``dt``: one of
        `TIME_UNITS` (default "year" for monthly, quarterly or yearly dates, else the
        largest of day/hour/minute/second not longer than the step). For numbers:
        free text (default the coordinate's ``units`` attr, else "").
    dj, s0, J, wavelet
        As in `pycwt_mod.cwt`; ``s0`` is in ``unit``.
    detrend : {"none", "linear"}, optional
        Remove a least-squares line first (`pycwt_mod.preprocess.detrend`).
    standardize : bool, optional
        Divide by the standard deviation after removing the mean (default False).
    gaps : {"raise", "mask"}, optional
        "raise" (default): a NaN is an error naming the first gap. "mask": gaps are
        filled (``fill``) and ``gap_mask`` marks the points within the wavelet's
        e-folding time of a gap (`pycwt_mod.preprocess.gap_mask`).
    fill : {"mean", "linear"}, optional
        How gaps are filled with ``gaps="mask"`` (`pycwt_mod.preprocess.fill_gaps`).
    significance_level : float, optional
        Default 0.95 (the variable is called ``sig95`` whatever the level)."""

_AREAWISE_PARAMS = """
    areawise : bool, optional
        Add Monte Carlo pointwise and areawise significance masks (default False;
        Maraun et al. 2007, see `pycwt_mod.areawise`). They are computed on the
        preprocessed (and gap-filled) series; points under ``gap_mask`` are not left
        out of the test.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis of the areawise test (`pycwt_mod.montecarlo.surrogates`), default "ar1".
    area_level : float, optional
        Areawise significance level, in (0, 1) (default 0.95); the pointwise level is
        ``significance_level``.
    area_measure : {"maraun", "schulte"}, optional
        Patch size measure (`pycwt_mod.areawise.patches.AREA_MEASURES`), default "maraun".
    area_test : str, optional
        The areawise test (`pycwt_mod.AREAWISE_TESTS`), default "areawise"."""


def _doc(func):
    func.__doc__ = func.__doc__.replace("    {common}", _COMMON_PARAMS.strip("\n"))
    func.__doc__ = func.__doc__.replace("    {areawise}", _AREAWISE_PARAMS.strip("\n"))
    return func


@_doc
def cwt(
    obj,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    detrend: str = "none",
    standardize: bool = False,
    gaps: str = "raise",
    fill: str = "mean",
    significance_level: float = 0.95,
    wave: bool = False,
    areawise: bool = False,
    surrogate: str = "ar1",
    area_level: float = 0.95,
    area_measure: str = "maraun",
    area_test: str = "areawise",
    mc_count: int = 200,
    seed: int | None = None,
    backend=None,
    cache: bool = True,
):
    """Continuous wavelet transform of a labelled series, as an `xarray.Dataset`.

    Parameters
    ----------
    obj : pandas.Series, xarray.DataArray or (n,) array_like
        The series; NaN marks a gap.
    {common}
    wave : bool, optional
        Include the complex transform ``wave`` (default False; netCDF cannot store
        complex numbers, so drop it or split it before ``to_netcdf``).
    {areawise}
    mc_count : int, optional
        Surrogates of the areawise test, >= 2 (default 200).
    seed : int, optional
        Root seed of the surrogates (default None: fresh entropy, recorded in the
        ``seed`` attr).
    backend, cache
        Monte Carlo backend and threshold cache of the areawise test, as in
        `pycwt_mod.areawise_power`.

    Returns
    -------
    ds : xarray.Dataset
        Coordinates ``time`` (n, the input's), ``period`` (n_scales, in ``unit``)
        and ``scale`` (along ``period``). Variables: ``power`` (period, time),
        ``|W|**2`` of the preprocessed series; ``wave`` (period, time, complex, if
        asked); ``coi`` (time), the cone of influence in periods; ``sig95``
        (period), the red-noise power level of ``significance_level`` (chi-square,
        [1]_ eq. 18); ``gap_mask`` (period, time, bool); ``global_power`` and
        ``global_sig95`` (period), the global wavelet spectrum over the points not
        gap-masked and its significance ([1]_ eq. 22-23). Attrs: ``wavelet``,
        ``wavelet_param``, ``dj``, ``s0``, ``J``, ``dt``, ``time_unit``, ``ar1``,
        ``variance``, ``significance_method``, ``significance_level``,
        ``preprocessing``, ``n_missing``, ``series_name``, ``units``.
        With ``areawise=True`` also ``pointwise_significant`` and
        ``areawise_significant`` (period, time, bool; areawise is a subset of
        pointwise, whose threshold is the surrogates' ``significance_level``
        quantile, not ``sig95``), and attrs ``surrogate``, ``area_level``,
        ``area_measure``, ``areawise_test``, ``critical_area``, ``mc_count``,
        ``seed`` (a string).

    Raises
    ------
    ValueError
        For irregular or decreasing times, a ``dt`` that is missing or conflicts with
        the coordinate, a gap with ``gaps="raise"``, or a bad option.
    ImportError
        Without xarray and pandas.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.date_range("2000-01-01", periods=240, freq="MS")
    >>> noise = np.random.default_rng(0).standard_normal(240)
    >>> x = pd.Series(np.sin(2 * np.pi * np.arange(240) / 24) + 0.5 * noise, index=t)
    >>> ds = cwt(x)
    >>> ds.attrs["dt"], ds.attrs["time_unit"]
    (0.08333333333333333, 'year')
    >>> round(float(ds.global_power.idxmax()), 1)
    2.0
    """
    _, xr = _libs()
    s = _read(obj, dt, dim, unit, "obj")
    level = check_significance_level(significance_level)
    options = _areawise_options(surrogate, area_level, area_measure, area_test)
    mother = get_wavelet(wavelet)
    y, missing = _prepare(s, "obj", detrend, standardize, gaps, fill)
    W, scales, freqs, coi, _, _ = _cwt(y, s.dt, dj, s0, J, mother)
    period = 1 / freqs
    power = np.abs(W) ** 2
    variance = float(y.var())
    alpha, _, _ = ar1(y)
    sig, _ = significance(variance, s.dt, scales, 0, alpha, level, wavelet=mother)
    mask = gap_mask(missing, period, s.dt, mother)
    glbl, glbl_sig, _ = global_wavelet_spectrum(
        power, scales, s.dt, variance, alpha, mask=mask, significance_level=level,
        wavelet=mother,
    )  # fmt: skip
    sq = f"({s.units})^2" if s.units else ""
    data = {
        "power": (("period", "time"), power, {"long_name": "wavelet power |W|^2", "units": sq}),
        "coi": ("time", coi, {"long_name": "cone of influence", "units": s.unit}),
        "sig95": ("period", sig, {"long_name": "significant local power", "units": sq}),
        "gap_mask": (("period", "time"), mask, {"long_name": "influenced by a gap"}),
        "global_power": ("period", glbl, {"long_name": "global wavelet spectrum", "units": sq}),
        "global_sig95": ("period", glbl_sig, {"long_name": "significant global power"}),
    }
    if wave:
        data["wave"] = (("period", "time"), W, {"long_name": "wavelet transform"})
    pre = _preprocessing(detrend, standardize, gaps, fill, int(missing.sum()))
    attrs = _common_attrs(mother, dj, scales, s, level, pre)
    attrs.update(
        ar1=float(alpha),
        variance=variance,
        significance_method="chi-square against AR(1) red noise (Torrence & Compo 1998, "
        "eq. 18; global spectrum eq. 23)",
        n_missing=int(missing.sum()),
        series_name=s.name,
        units=s.units,
    )
    if areawise:
        res = areawise_power(
            y, s.dt, dj, s0, J, mother, level=level, mc_count=mc_count,
            seed=_root_seed(seed), backend=backend, cache=cache, **options,
        )  # fmt: skip
        data.update(_areawise_vars(res, attrs))
    return xr.Dataset(data, coords=_coords(xr, s, period, scales), attrs=attrs)


def scale_average(ds, band: tuple[float, float]):
    """Power averaged over a band of periods, from a `cwt` Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Result of `cwt` (uses ``power``, ``gap_mask``, ``scale`` and the attrs
        ``dt``, ``dj``, ``variance``, ``ar1``, ``wavelet``, ``significance_level``).
    band : (float, float)
        Shortest and longest period of the band, in the Dataset's time unit.

    Returns
    -------
    avg : xarray.Dataset
        ``power`` (time), the scale-averaged power of [1]_ eq. 24 (a variance), and
        ``gap_mask`` (time), True where any period of the band is gap-masked. Attrs
        ``sig95`` (the significant level, [1]_ eq. 25-28), ``band_min``,
        ``band_max``, ``n_periods`` and those of ``ds``.

    Raises
    ------
    ValueError
        For a band holding no period (see `pycwt_mod.spectra.scale_averaged_power`)
        or a Dataset that is not a `cwt` result.
    """
    _, xr = _libs()
    need = ("power", "gap_mask")
    if not isinstance(ds, xr.Dataset) or any(v not in ds for v in need) or "ar1" not in ds.attrs:
        raise ValueError("`ds` must be the Dataset returned by pycwt_mod.labelled.cwt")
    mother = _mother_from_attrs(ds.attrs)
    scales = ds["scale"].values
    avg, sig = scale_averaged_power(
        ds["power"].values, scales, ds.attrs["dt"], ds.attrs["dj"], ds.attrs["variance"],
        ds.attrs["ar1"], band, significance_level=ds.attrs["significance_level"],
        wavelet=mother,
    )  # fmt: skip
    period = ds["period"].values
    inband = _in_band(period, float(band[0]), float(band[1]))
    masked = ds["gap_mask"].values[inband].any(axis=0)
    attrs = dict(ds.attrs)
    attrs.update(sig95=sig, band_min=float(band[0]), band_max=float(band[1]),
                 n_periods=int(inband.sum()))  # fmt: skip
    units = ds["power"].attrs.get("units", "")
    return xr.Dataset(
        {
            "power": ("time", avg, {"long_name": "scale-averaged power", "units": units}),
            "gap_mask": ("time", masked, {"long_name": "influenced by a gap"}),
        },
        coords={"time": ds["time"]},
        attrs=attrs,
    )


def _pair(a, b, dt, dim, unit, detrend, standardize, gaps, fill):
    sa = _read(a, dt, dim, unit, "a")
    sb = _read(b, dt, dim, unit, "b")
    _same_time(sa, sb)
    ya, miss_a = _prepare(sa, "a", detrend, standardize, gaps, fill)
    yb, miss_b = _prepare(sb, "b", detrend, standardize, gaps, fill)
    return sa, sb, ya, yb, miss_a | miss_b


@_doc
def xwt(
    a,
    b,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    detrend: str = "none",
    standardize: bool = False,
    gaps: str = "raise",
    fill: str = "mean",
    significance_level: float = 0.95,
):
    """Cross wavelet transform of two labelled series ([2]_), as an `xarray.Dataset`.

    Both series are standardised (as `pycwt_mod.xwt` with ``normalize=True``).

    Parameters
    ----------
    a, b : pandas.Series, xarray.DataArray or (n,) array_like
        The series, on one time axis.
    {common}

    Returns
    -------
    ds : xarray.Dataset
        Coordinates as in `cwt`. Variables: ``power`` (period, time), the cross
        wavelet power ``|W_a conj(W_b)|``; ``phase`` (period, time), its angle in
        radians (positive: ``a`` leads ``b``); ``coi``; ``sig95`` (period), the
        significant cross power against two AR(1) backgrounds ([2]_ eq. 4);
        ``gap_mask`` (gaps of either series). Attrs as in `cwt` with ``ar1_a``,
        ``ar1_b``, ``phase_convention``.

    Raises
    ------
    ValueError
        As `cwt`, and for series on different time axes.
    """
    _, xr = _libs()
    sa, sb, ya, yb, missing = _pair(a, b, dt, dim, unit, detrend, standardize, gaps, fill)
    level = check_significance_level(significance_level)
    mother = get_wavelet(wavelet)
    W12, coi, freq, sig = _xwt(ya, yb, sa.dt, dj, s0, J, level, mother, normalize=True)
    period = 1 / freq
    scales = period / mother.flambda()
    data = {
        "power": (("period", "time"), np.abs(W12), {"long_name": "cross wavelet power"}),
        "phase": (("period", "time"), np.angle(W12), {"long_name": "phase", "units": "rad"}),
        "coi": ("time", coi, {"long_name": "cone of influence", "units": sa.unit}),
        "sig95": ("period", sig, {"long_name": "significant cross wavelet power"}),
        "gap_mask": (("period", "time"), gap_mask(missing, period, sa.dt, mother),
                     {"long_name": "influenced by a gap"}),
    }  # fmt: skip
    pre = _preprocessing(detrend, standardize, gaps, fill, int(missing.sum()))
    attrs = _common_attrs(mother, dj, scales, sa, level, pre)
    attrs.update(
        ar1_a=float(ar1(ya)[0]),
        ar1_b=float(ar1(yb)[0]),
        significance_method="chi-square against two AR(1) red-noise backgrounds "
        "(Grinsted et al. 2004, eq. 4)",
        phase_convention="angle of W_a conj(W_b); positive when a leads b",
        n_missing=int(missing.sum()),
        series_names=f"{sa.name}, {sb.name}",
    )
    return xr.Dataset(data, coords=_coords(xr, sa, period, scales), attrs=attrs)


@_doc
def wct(
    a,
    b,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    detrend: str = "none",
    standardize: bool = False,
    gaps: str = "raise",
    fill: str = "mean",
    significance_level: float = 0.95,
    sig: bool = True,
    mc_count: int = 300,
    backend=None,
    seed: int | None = None,
    cache: bool = True,
    progress: bool = False,
    areawise: bool = False,
    surrogate: str = "ar1",
    area_level: float = 0.95,
    area_measure: str = "maraun",
    area_test: str = "areawise",
):
    """Wavelet coherence of two labelled series ([2]_), as an `xarray.Dataset`.

    Parameters
    ----------
    a, b : pandas.Series, xarray.DataArray or (n,) array_like
        The series, on one time axis.
    {common}
    sig : bool, optional
        Compute the Monte Carlo significance (default True).
    mc_count, backend, seed, cache, progress
        Passed to `pycwt_mod.wct_significance` (surrogate pairs, default 300; the
        backend name or None for the best available; root seed for reproducible
        thresholds; threshold cache; progress bar, default off here), with the null
        hypothesis ``surrogate`` below ("phase" and "iaaft" resample the
        preprocessed series). With ``areawise=True`` the areawise test uses the same
        surrogates, ``mc_count``, root seed, backend and cache, and its pointwise
        mask is ``coherence > sig95`` outside the cone of influence.
    {areawise}

    Returns
    -------
    ds : xarray.Dataset
        Coordinates as in `cwt`. Variables: ``coherence`` (period, time), squared
        coherence ``R^2``; ``phase`` (period, time), radians, angle of
        ``W_a conj(W_b)`` (positive: ``a`` leads ``b``); ``coi``; ``sig95``
        (period), the Monte Carlo coherence threshold (NaN when ``sig`` is False);
        ``gap_mask``; ``global_coherence`` (period), the mean coherence outside
        the cone of influence and the gap mask. Attrs as in `cwt` with ``ar1_a``,
        ``ar1_b``, ``mc_count``, ``seed`` (the root seed used, as a string: an
        entropy seed does not fit a netCDF integer), ``backend``,
        ``phase_convention``. With ``areawise=True`` also the masks and attrs of
        `cwt`'s ``areawise=True``.

    Raises
    ------
    ValueError
        As `cwt`, and for series on different time axes or a wavelet without a
        tabulated ``deltaj0``.

    Examples
    --------
    >>> t = np.arange(256.0)
    >>> x = np.sin(2 * np.pi * t / 16)
    >>> ds = wct(x, np.roll(x, 4), dt=1.0, sig=False)
    >>> p = ds.phase.sel(period=16, method="nearest").isel(time=128)
    >>> round(float(p) / (np.pi / 2), 2)  # x leads by a quarter period
    1.0
    """
    _, xr = _libs()
    sa, sb, ya, yb, missing = _pair(a, b, dt, dim, unit, detrend, standardize, gaps, fill)
    level = check_significance_level(significance_level)
    options = _areawise_options(surrogate, area_level, area_measure, area_test)
    mother = get_wavelet(wavelet)
    WCT, aWCT, coi, freq, _ = _wct(ya, yb, sa.dt, dj, s0, J, sig=False, wavelet=mother)
    period = 1 / freq
    scales = scale_grid(ya.size, sa.dt, dj, s0, J, mother)
    a1, a2 = float(ar1(ya)[0]), float(ar1(yb)[0])
    pre = _preprocessing(detrend, standardize, gaps, fill, int(missing.sum()))
    attrs = _common_attrs(mother, dj, scales, sa, level, pre)
    attrs.update(ar1_a=a1, ar1_b=a2, n_missing=int(missing.sum()),
                 series_names=f"{sa.name}, {sb.name}",
                 phase_convention="angle of W_a conj(W_b); positive when a leads b")  # fmt: skip
    if sig:  # with areawise, every level its test needs, from one histogram
        levels = threshold_levels(options["test"], level) if areawise else (level,)
        rows, info = wct_significance(
            a1, a2, sa.dt, dj, scales[0], scales.size - 1, levels, mother, mc_count,
            progress=progress, cache=cache, backend=backend, seed=seed, return_info=True,
            surrogate=surrogate, data=None if surrogate == "ar1" else (ya, yb),
        )  # fmt: skip
        thresholds = rows[0]
        attrs.update(
            significance_method=f"Monte Carlo, {_FAMILIES[surrogate]} surrogate pairs "
            "(Grinsted et al. 2004)",
            mc_count=int(info["mc_count"]),
            seed=str(info["seed"]),
            backend=str(info["backend"]),
        )
    else:
        thresholds = np.full(period.size, np.nan)
        attrs["significance_method"] = "none"
    mask = gap_mask(missing, period, sa.dt, mother)
    data = {
        "coherence": (("period", "time"), WCT, {"long_name": "squared wavelet coherence"}),
        "phase": (("period", "time"), aWCT, {"long_name": "phase", "units": "rad"}),
        "coi": ("time", coi, {"long_name": "cone of influence", "units": sa.unit}),
        "sig95": ("period", thresholds, {"long_name": "significant coherence"}),
        "gap_mask": (("period", "time"), mask, {"long_name": "influenced by a gap"}),
        "global_coherence": ("period", global_coherence(WCT, coi, period, mask=mask),
                             {"long_name": "mean coherence outside the COI"}),
    }  # fmt: skip
    if areawise:
        res = areawise_coherence(
            ya, yb, sa.dt, dj, s0, J, mother, sig95=rows if sig else None,
            level=level, mc_count=mc_count, al1=a1, al2=a2, backend=backend, cache=cache,
            seed=int(info["seed"]) if sig else _root_seed(seed), **options,
        )  # fmt: skip
        data.update(_areawise_vars(res, attrs))
    return xr.Dataset(data, coords=_coords(xr, sa, period, scales), attrs=attrs)
