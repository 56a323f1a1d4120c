"""Labelled analyses of a pair of series: `xwt` and `wct` (see `pycwt_mod.labelled`)."""

from __future__ import annotations

import numpy as np

from .._validation import check_significance_level
from ..areawise import areawise_coherence, threshold_levels
from ..coherence import wct as _wct
from ..grid import scale_grid
from ..montecarlo.engine import wct_significance
from ..mothers import get_wavelet
from ..preprocess import (
    gap_mask,
)
from ..significance import ar1
from ..spectra import global_coherence
from ..transform import xwt as _xwt
from .attrs import (
    _FAMILIES,
    _areawise_options,
    _areawise_vars,
    _common_attrs,
    _coords,
    _doc,
    _preprocessing,
    _root_seed,
)
from .series import _libs, _pair

__all__ = ["wct", "xwt"]


# ----------------------------------------------------------------------------- input


# ---------------------------------------------------------------------------- output


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
