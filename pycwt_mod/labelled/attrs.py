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
        Name of the time dimension of a DataArray (default: its only dimension).
    unit : str, optional
        Unit of time and period. For dates or a Timedelta ``dt``: one of
        `TIME_UNITS` (default "year" for monthly, quarterly or yearly dates, else the
        largest of day/hour/minute/second not longer than the step). For numbers:
        free text (default the coordinate's ``units`` attr, else "").
    dj, s0, J, wavelet
        The scale grid, `pycwt_mod.options.ScaleGrid` (as in `pycwt_mod.cwt`);
        ``s0`` is in ``unit``.
    anomalies : int or "auto", optional
        Remove the mean seasonal cycle of this many samples first (12 for monthly
        data, 4 for quarterly; `pycwt_mod.preprocess.anomalies`). ``"auto"`` reads
        it from monthly or quarterly dates (an error for other spacings). Default
        None: no anomalies. Recorded in the ``anomalies`` attr.
    detrend : {"none", "linear"}, optional
        Remove a least-squares line of the valid samples (`pycwt_mod.preprocess.detrend`).
    normalize : bool, optional
        Standardise (zero mean, unit variance of the valid samples) before the
        transform (default True, as pycwt's ``wct``/``xwt``). ``standardize`` is its
        old name, accepted with a DeprecationWarning for one release.
    gaps : {"raise", "mask"}, optional
        "raise" (default): a NaN is an error naming the first gap. "mask": gaps are
        filled (``fill``) and ``gap_mask`` marks the points within the wavelet's
        e-folding time of a gap (`pycwt_mod.preprocess.gap_mask`).
    fill : {"mean", "linear"}, optional
        How gaps are filled with ``gaps="mask"`` (`pycwt_mod.preprocess.fill_gaps`).
    significance_level : float, optional
        Default 0.95 (the variable is called ``sig95`` whatever the level).
    grid, preprocessing : ScaleGrid, Preprocessing, optional
        The options as objects (`pycwt_mod.options`), instead of their fields above
        (a field given beside its object must keep its default). ``grid.dt``, when
        set, stands for ``dt``."""


_AREAWISE_PARAMS = """
    areawise : bool or Areawise, optional
        Add Monte Carlo pointwise and areawise significance masks (default False;
        Maraun et al. 2007, see `pycwt_mod.areawise`): True with the options below,
        or a `pycwt_mod.options.Areawise`. They are computed on the preprocessed
        (and gap-filled) series; points under ``gap_mask`` are not left out of the
        test.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis of the Monte Carlo tests (`pycwt_mod.montecarlo.surrogates`),
        default "ar1".
    area_level : float, optional
        Areawise significance level, in (0, 1) (default 0.95); the pointwise level is
        ``significance_level``.
    area_measure : {"maraun", "schulte"}, optional
        Patch size measure (`pycwt_mod.options.AREA_MEASURES`), default "maraun".
    area_test : {"areawise", "cumulative"}, optional
        The areawise test (`pycwt_mod.options.AREA_TESTS`), default "areawise"."""


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
    "    {areawise}": _AREAWISE_PARAMS,
    "    {warns}": _AR1_WARNS,
}


def _doc(func):
    """Fill the shared sections (``{pair}``, ``{common}``, ``{areawise}``, ``{warns}``)."""
    for placeholder, text in _PLACEHOLDERS.items():
        func.__doc__ = func.__doc__.replace(placeholder, text.strip("\n"))
    return func
