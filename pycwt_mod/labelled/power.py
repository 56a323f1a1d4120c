"""Labelled analyses of one series: `cwt` and `scale_average` (see `pycwt_mod.labelled`)."""

from __future__ import annotations

import numpy as np

from .._validation import check_significance_level
from ..areawise import areawise_power
from ..mothers import get_wavelet
from ..preprocess import (
    gap_mask,
)
from ..significance import ar1, significance
from ..spectra import _in_band, global_wavelet_spectrum, scale_averaged_power
from ..transform import cwt as _cwt
from .attrs import (
    _areawise_options,
    _areawise_vars,
    _common_attrs,
    _coords,
    _doc,
    _mother_from_attrs,
    _preprocessing,
    _root_seed,
)
from .series import _libs, _prepare, _read

__all__ = ["cwt", "scale_average"]


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
        raise ValueError("`ds` must be the Dataset returned by pycwt_mod.xr.cwt")
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
