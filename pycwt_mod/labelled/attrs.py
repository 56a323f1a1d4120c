"""Output of the labelled API: coordinates, attrs and the shared docstrings.

How a result Dataset records the way it was made (wavelet, grid, AR(1) values,
significance method, preprocessing, areawise options), netCDF-serialisable, and the
parameter descriptions the analyses share (`_doc`). The numbers are the pipeline's
(`pycwt_mod.pipeline`); nothing here computes.
"""

from __future__ import annotations

import numpy as np

from .. import __version__
from ..mothers import WAVELETS
from ..options import Preprocessing, ResolvedGrid
from ..pipeline import PreparedSeries, anomaly_period
from .series import _Series

__all__: list[str] = []


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


def _coords(xr, s: _Series, period: np.ndarray, scales: np.ndarray) -> dict:
    time_attrs = {} if np.issubdtype(s.time.dtype, np.datetime64) else {"units": s.unit}
    return {
        "time": ("time", s.time, time_attrs),
        "period": ("period", period, {"units": s.unit, "long_name": "Fourier period"}),
        "scale": ("period", scales, {"units": s.unit, "long_name": "wavelet scale"}),
    }


def _steps(*series: PreparedSeries, names: tuple[str, ...] = ()) -> str:
    """The preprocessing text (`PreparedSeries.steps`); a pair's, each named if they differ."""
    if len({p.steps for p in series}) == 1:
        return series[0].steps
    return " | ".join(f"{n}: {p.steps}" for n, p in zip(names, series, strict=True))


def _common_attrs(grid: ResolvedGrid, scales, s: _Series, level, pre: Preprocessing, steps):
    """The attrs every result has: wavelet, grid, spacing, level, preprocessing."""
    attrs = {
        **_wavelet_attrs(grid.mother),
        "dj": float(grid.dj),
        "s0": float(scales[0]),
        "J": int(scales.size - 1),
        "dt": float(s.dt),
        "time_unit": s.unit,
        "significance_level": float(level),
        "preprocessing": steps,
    }
    period = anomaly_period(pre, s.dt, s.unit)
    if period is not None:  # samples per seasonal cycle removed (netCDF has no None)
        attrs["anomalies"] = int(period)
    attrs["pycwt_mod_version"] = __version__
    return attrs


def _areawise_vars(res, attrs: dict) -> dict:
    """The masks of an `AreawiseResult` as (period, time) variables; its settings to attrs."""
    attrs.update(
        surrogate=res.surrogate,
        area_level=float(res.area_level),
        area_measure=res.area_measure,
        critical_area=float(res.critical_area),
        mc_count=int(res.mc_count),
        seed=str(res.seed),
    )
    attrs["area_test"] = res.area_test
    attrs["areawise_test"] = res.area_test  # its name before `area_test`, for one release
    where = f"{res.mc_count} {res.surrogate} surrogates"
    how = f"{res.area_measure} patch measure"
    if res.area_test == "cumulative":
        attrs["cumulative_levels"] = list(res.cumulative_levels)
        attrs["cumulative_critical_areas"] = list(res.cumulative_critical_areas)
        how = "cumulative test, Schulte 2016"
    return {
        "pointwise_significant": (("period", "time"), res.pointwise, {
            "long_name": f"pointwise significant at {res.significance_level:g} against "
            f"{where}"}),
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
        Name of the time dimension of a DataArray (default: its only dimension). An
        N-D DataArray (stations, grid points) needs it: the analysis runs once per
        index of the other dimensions (`xarray.apply_ufunc`; a dask-backed array
        stays lazy, chunked along the others), and what a 1-D result keeps as a
        per-series attr (``ar1``, ``variance``, ...) is a variable over them.
    unit : str, optional
        Unit of time and period. For dates or a Timedelta ``dt``: one of
        `TIME_UNITS` (default "year" for monthly, quarterly or yearly dates, else the
        largest of day/hour/minute/second not longer than the step). For numbers:
        free text (default the coordinate's ``units`` attr, else "")."""


_PAIR_PARAMS = """
    a, b : pandas.Series, xarray.DataArray or (n,) array_like
        The series, on one time axis."""


_AR1_WARNS = """
    Warns
    -----
    AR1FallbackWarning
        When a series has no unbiased AR(1) estimate (`pycwt_mod.significance.fit_ar1`)."""


_PLACEHOLDERS = {
    "    {pair}": _PAIR_PARAMS,
    "    {common}": _COMMON_PARAMS,
    "    {warns}": _AR1_WARNS,
}


def _doc(func):
    """Fill the shared sections (``{pair}``, ``{common}``, ``{warns}``).

    The option keywords' section (``{options}``) is `keywords.option_keywords`'.
    """
    for placeholder, text in _PLACEHOLDERS.items():
        func.__doc__ = func.__doc__.replace(placeholder, text.strip("\n"))
    return func
