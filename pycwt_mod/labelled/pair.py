"""Labelled analyses of a pair of series: `xwt` and `wct` (see `pycwt_mod.labelled`)."""

from __future__ import annotations

import numpy as np

from ..options import renamed_keywords
from ..pipeline import analyze_wct, analyze_xwt, red_noise
from ..spectra import global_coherence
from .attrs import _areawise_vars, _common_attrs, _coords, _doc, _steps
from .keywords import Chosen, announce, option_keywords
from .series import _libs, _read_pair
from .stack import analyze_stacked, is_stacked

__all__ = ["wct", "xwt"]

_NAMES = ("a", "b")
_PHASE_CONVENTION = "angle of W_a conj(W_b); positive when a leads b"


@renamed_keywords(standardize="normalize")
@_doc
@option_keywords(
    "grid", "preprocessing", "monte_carlo", "spectrum",
    only={"monte_carlo": ("significance_level",)},
)  # fmt: skip
def xwt(
    a,
    b,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    options: Chosen,
):
    """Cross wavelet transform of two labelled series ([2]_), as an `xarray.Dataset`.

    The analysis is `pycwt_mod.pipeline.analyze_xwt`. With ``normalize`` (default)
    both series are standardised (as `pycwt_mod.xwt` with ``normalize=True``).

    Parameters
    ----------
    {pair}
    {common}
    {options}

    Returns
    -------
    ds : xarray.Dataset
        Coordinates as in `cwt`. Variables: ``power`` (period, time), the cross
        wavelet power ``|W_a conj(W_b)|`` (over the scale, and ``sig95`` alike, with
        ``rectify``: Veleda et al. 2012); ``phase`` (period, time), its angle in
        radians (positive: ``a`` leads ``b``); ``coi``; ``sig95`` (period), the
        significant cross power against two AR(1) backgrounds ([2]_ eq. 4);
        ``gap_mask`` (gaps of either series). Attrs as in `cwt` with ``ar1_a``,
        ``ar1_b``, ``phase_convention``, ``rectify``.

    Raises
    ------
    ValueError
        As `cwt`, and for series on different time axes.

    {warns}
    """
    _, xr = _libs()
    if dim is not None and is_stacked(a, b):
        return analyze_stacked(xwt, (a, b), dim, options)
    grid, pre = options.grid, options.preprocessing
    level = options.monte_carlo.significance_level
    sa, sb = _read_pair(a, b, dt, dim, unit)
    res = analyze_xwt(
        sa.values, sb.values, grid.with_dt(sa.dt), pre, significance_level=level,
        names=_NAMES, unit=sa.unit, labels=sa.time, spectrum=options.spectrum,
    )  # fmt: skip
    period = 1 / res.freqs
    name = "rectified cross wavelet power" if res.rectify else "cross wavelet power"
    data = {
        "power": (("period", "time"), np.abs(res.xwt), {"long_name": name}),
        "phase": (("period", "time"), np.angle(res.xwt), {"long_name": "phase", "units": "rad"}),
        "coi": ("time", res.coi, {"long_name": "cone of influence", "units": sa.unit}),
        "sig95": ("period", res.signif, {"long_name": "significant cross wavelet power"}),
        "gap_mask": (("period", "time"), res.gap_mask, {"long_name": "influenced by a gap"}),
    }
    attrs = _common_attrs(res.grid, res.scales, sa, level, pre, _steps(*res.series, names=_NAMES))
    attrs.update(
        ar1_a=float(res.ar1[0]),
        ar1_b=float(res.ar1[1]),
        significance_method="chi-square against two AR(1) red-noise backgrounds "
        "(Grinsted et al. 2004, eq. 4)",
        phase_convention=_PHASE_CONVENTION,
        n_missing=int(np.count_nonzero(res.series[0].missing | res.series[1].missing)),
        series_names=f"{sa.name}, {sb.name}",
        rectify=int(res.rectify),
    )
    announce(res.warnings, attrs)
    return xr.Dataset(data, coords=_coords(xr, sa, period, res.scales), attrs=attrs)


@renamed_keywords(standardize="normalize")
@_doc
@option_keywords("grid", "preprocessing", "monte_carlo", "areawise")
def wct(
    a,
    b,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    sig: bool = True,
    progress: bool = False,
    options: Chosen,
):
    """Wavelet coherence of two labelled series ([2]_), as an `xarray.Dataset`.

    The analysis is `pycwt_mod.pipeline.analyze_wct` (the numbers of every door).

    Parameters
    ----------
    {pair}
    {common}
    sig : bool, optional
        Compute the Monte Carlo significance (default True).
    progress : bool, optional
        Progress bar (default off here).
    {options}

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
        ``phase_convention``. With ``areawise`` also the masks and attrs of
        `cwt`'s ``areawise``.

    Raises
    ------
    ValueError
        As `cwt`, and for series on different time axes or a wavelet without a
        tabulated ``deltaj0``.

    {warns}

    Notes
    -----
    With ``areawise`` the areawise test uses the surrogates of the coherence test
    (the same ``mc_count``, root seed, backend and cache), and its pointwise mask is
    ``coherence > sig95`` outside the cone of influence.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(256.0)
    >>> x = np.sin(2 * np.pi * t / 16)
    >>> ds = wct(x, np.roll(x, 4), dt=1.0, sig=False)
    >>> p = ds.phase.sel(period=16, method="nearest").isel(time=128)
    >>> round(float(p) / (np.pi / 2), 2)  # x leads by a quarter period
    1.0
    """
    _, xr = _libs()
    if dim is not None and is_stacked(a, b):
        return analyze_stacked(wct, (a, b), dim, options, sig=sig, progress=progress)
    grid, pre, mc, test = options.grid, options.preprocessing, options.monte_carlo, options.areawise
    sa, sb = _read_pair(a, b, dt, dim, unit)
    res = analyze_wct(
        sa.values, sb.values, grid.with_dt(sa.dt), pre,
        monte_carlo=mc if sig or test is not None else None, areawise=test, names=_NAMES,
        unit=sa.unit, labels=sa.time, progress=progress,
    )  # fmt: skip
    period = 1 / res.freqs
    thr = res.thresholds
    if thr is not None and thr.ar1 is not None:
        ar1, warnings = thr.ar1, thr.warnings
    else:  # no test, or a data-driven family: the series' own coefficients, for the attrs
        ar1, warnings = red_noise(tuple(p.values for p in res.series), (mc.al1, mc.al2), _NAMES)
    missing = res.series[0].missing | res.series[1].missing
    steps = _steps(*res.series, names=_NAMES)
    attrs = _common_attrs(res.grid, res.scales, sa, mc.significance_level, pre, steps)
    attrs.update(ar1_a=float(ar1[0]), ar1_b=float(ar1[1]), n_missing=int(missing.sum()),
                 series_names=f"{sa.name}, {sb.name}",
                 phase_convention=_PHASE_CONVENTION)  # fmt: skip
    if sig:
        attrs.update(
            significance_method=f"Monte Carlo, {mc.surrogate.description} surrogate pairs "
            "(Grinsted et al. 2004)",
            mc_count=int(thr.info["mc_count"]),
            seed=str(thr.seed),
            backend=str(thr.backend),
        )
        thresholds = thr.sig95
    else:
        thresholds = np.full(period.size, np.nan)
        attrs["significance_method"] = "none"
    announce(warnings, attrs)
    data = {
        "coherence": (("period", "time"), res.WCT, {"long_name": "squared wavelet coherence"}),
        "phase": (("period", "time"), res.aWCT, {"long_name": "phase", "units": "rad"}),
        "coi": ("time", res.coi, {"long_name": "cone of influence", "units": sa.unit}),
        "sig95": ("period", thresholds, {"long_name": "significant coherence"}),
        "gap_mask": (("period", "time"), res.gap_mask, {"long_name": "influenced by a gap"}),
        "global_coherence": ("period", global_coherence(res.WCT, res.coi, period,
                             mask=res.gap_mask), {"long_name": "mean coherence outside the COI"}),
    }  # fmt: skip
    if res.areawise is not None:
        data.update(_areawise_vars(res.areawise, attrs))
    return xr.Dataset(data, coords=_coords(xr, sa, period, res.scales), attrs=attrs)
