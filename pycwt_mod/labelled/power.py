"""Labelled analyses of one series: `cwt` and `scale_average` (see `pycwt_mod.labelled`)."""

from __future__ import annotations

import numpy as np

from ..options import renamed_keywords
from ..pipeline import analyze_cwt
from ..spectra import _in_band, global_wavelet_spectrum, scale_averaged_power
from .attrs import _areawise_vars, _common_attrs, _coords, _doc, _mother_from_attrs
from .keywords import Chosen, announce, option_keywords
from .series import _libs, _read
from .stack import analyze_stacked, is_stacked

__all__ = ["cwt", "scale_average"]


@renamed_keywords(standardize="normalize")
@_doc
@option_keywords(
    "grid", "preprocessing", "monte_carlo", "areawise", "spectrum", exclude=("al1", "al2")
)
def cwt(
    obj,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    wave: bool = False,
    options: Chosen,
):
    """Continuous wavelet transform of a labelled series, as an `xarray.Dataset`.

    The analysis is `pycwt_mod.pipeline.analyze_cwt` (the numbers of every door);
    this function reads the time axis and labels the result.

    Parameters
    ----------
    obj : pandas.Series, xarray.DataArray or (n,) array_like
        The series; NaN marks a gap.
    {common}
    wave : bool, optional
        Include the complex transform ``wave`` (default False; netCDF cannot store
        complex numbers, so drop it or split it before ``to_netcdf``).
    {options}

    Returns
    -------
    ds : xarray.Dataset
        Coordinates ``time`` (n, the input's), ``period`` (n_scales, in ``unit``)
        and ``scale`` (along ``period``). Variables: ``power`` (period, time),
        ``|W|**2`` of the preprocessed series (``|W|**2 / s`` with ``rectify``, and
        ``sig95`` and the global spectrum alike); ``wave`` (period, time, complex, if
        asked); ``coi`` (time), the cone of influence in periods; ``sig95``
        (period), the red-noise power level of ``significance_level`` (chi-square,
        [1]_ eq. 18, against the AR(1) coefficient and variance of the valid
        samples); ``gap_mask`` (period, time, bool); ``global_power`` and
        ``global_sig95`` (period), the global wavelet spectrum over the points not
        gap-masked and its significance ([1]_ eq. 22-23). Attrs: ``wavelet``,
        ``wavelet_param``, ``dj``, ``s0``, ``J``, ``dt``, ``time_unit``, ``ar1``,
        ``variance``, ``significance_method``, ``significance_level``,
        ``preprocessing``, ``anomalies`` (when removed), ``n_missing``,
        ``series_name``, ``units``, ``rectify`` (0 or 1), and ``warnings`` when the
        AR(1) coefficient is the Yule-Walker fallback. With ``areawise`` also
        ``pointwise_significant`` and ``areawise_significant`` (period, time, bool;
        areawise is a subset of pointwise, whose threshold is the surrogates'
        ``significance_level`` quantile, not ``sig95``), and attrs ``surrogate``, ``area_level``,
        ``area_measure``, ``area_test`` (also as ``areawise_test``, its old name),
        ``critical_area``, ``mc_count``, ``seed`` (a string).

    Raises
    ------
    ValueError
        For irregular or decreasing times, a ``dt`` that is missing or conflicts with
        the coordinate, a gap with ``gaps="raise"``, ``anomalies="auto"`` without
        monthly or quarterly dates, or a bad option (named).
    ImportError
        Without xarray and pandas.

    {warns}

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> t = pd.date_range("2000-01-01", periods=240, freq="MS")
    >>> noise = np.random.default_rng(0).standard_normal(240)
    >>> x = pd.Series(np.sin(2 * np.pi * np.arange(240) / 24) + 0.5 * noise, index=t)
    >>> ds = cwt(x)
    >>> ds.attrs["dt"], ds.attrs["time_unit"]
    (0.08333333333333333, 'year')
    >>> round(float(ds.global_power.idxmax()), 1)
    2.0
    >>> cwt(x, anomalies="auto").attrs["preprocessing"]
    'anomalies=12; detrend=none; normalize=yes; gaps=raise'
    """
    _, xr = _libs()
    if dim is not None and is_stacked(obj):
        return analyze_stacked(cwt, (obj,), dim, options, wave=wave)
    grid, pre, mc, test = options.grid, options.preprocessing, options.monte_carlo, options.areawise
    s = _read(obj, dt, dim, unit, "obj")
    level = mc.significance_level
    a = analyze_cwt(
        s.values, grid.with_dt(s.dt), pre, significance_level=level, monte_carlo=mc,
        areawise=test, name="obj", unit=s.unit, labels=s.time, spectrum=options.spectrum,
    )  # fmt: skip
    period = 1 / a.freqs
    power = a.power
    rectify = options.spectrum.rectify
    glbl, glbl_sig, _ = global_wavelet_spectrum(
        np.abs(a.wave) ** 2, a.scales, s.dt, a.variance, a.ar1, mask=a.gap_mask,
        significance_level=level, wavelet=a.grid.mother, rectify=rectify,
    )  # fmt: skip
    sq = f"({s.units})^2" if s.units else ""
    if rectify and sq:
        sq = f"{sq}/{s.unit}" if s.unit else f"{sq}/time"
    name = "rectified wavelet power |W|^2/s" if rectify else "wavelet power |W|^2"
    data = {
        "power": (("period", "time"), power, {"long_name": name, "units": sq}),
        "coi": ("time", a.coi, {"long_name": "cone of influence", "units": s.unit}),
        "sig95": ("period", a.sig95, {"long_name": "significant local power", "units": sq}),
        "gap_mask": (("period", "time"), a.gap_mask, {"long_name": "influenced by a gap"}),
        "global_power": ("period", glbl, {"long_name": "global wavelet spectrum", "units": sq}),
        "global_sig95": ("period", glbl_sig, {"long_name": "significant global power"}),
    }
    if wave:
        data["wave"] = (("period", "time"), a.wave, {"long_name": "wavelet transform"})
    attrs = _common_attrs(a.grid, a.scales, s, level, pre, a.series.steps)
    attrs.update(
        ar1=float(a.ar1),
        variance=float(a.variance),
        significance_method="chi-square against AR(1) red noise (Torrence & Compo 1998, "
        "eq. 18; global spectrum eq. 23)",
        n_missing=a.series.n_missing,
        series_name=s.name,
        units=s.units,
        rectify=int(rectify),
    )
    announce(a.warnings, attrs)
    if a.areawise is not None:
        data.update(_areawise_vars(a.areawise, attrs))
    return xr.Dataset(data, coords=_coords(xr, s, period, a.scales), attrs=attrs)


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
        raise ValueError("`ds` must be the Dataset returned by pycwt_mod.xr.cwt")
    mother = _mother_from_attrs(ds.attrs)
    scales = ds["scale"].values
    power = ds["power"].values
    if ds.attrs.get("rectify"):  # eq. 24 sums |W|^2 / s itself
        power = power * scales[:, None]
    avg, sig = scale_averaged_power(
        power, scales, ds.attrs["dt"], ds.attrs["dj"], ds.attrs["variance"],
        ds.attrs["ar1"], band, significance_level=ds.attrs["significance_level"],
        wavelet=mother,
    )  # fmt: skip
    period = ds["period"].values
    inband = _in_band(period, float(band[0]), float(band[1]))
    masked = ds["gap_mask"].values[inband].any(axis=0)
    attrs = dict(ds.attrs)
    attrs.update(sig95=sig, band_min=float(band[0]), band_max=float(band[1]),
                 n_periods=int(inband.sum()))  # fmt: skip
    units = f"({ds.attrs['units']})^2" if ds.attrs.get("units") else ""
    return xr.Dataset(
        {
            "power": ("time", avg, {"long_name": "scale-averaged power", "units": units}),
            "gap_mask": ("time", masked, {"long_name": "influenced by a gap"}),
        },
        coords={"time": ds["time"]},
        attrs=attrs,
    )
