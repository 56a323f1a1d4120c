"""Labelled partial and multiple coherence: `partial_wct`, `multiple_wct` (on the pipeline).

The analyses are `pycwt_mod.pipeline.analyze_partial_wct` and
`~pycwt_mod.pipeline.analyze_multiple_wct` (the numbers of every door); this module
reads the series' shared time axis and labels the result, as `pycwt_mod.labelled.wct`.

References
----------
.. [3] Mihanovic, H., Orlic, M. and Pasaric, Z. (2009). Diurnal thermocline
   oscillations driven by tidal flow around an island in the Middle Adriatic.
   Journal of Marine Systems, 78, S157-S168.
.. [4] Ng, E. K. W. and Chan, J. C. L. (2012). Geophysical applications of partial
   wavelet coherence and multiple wavelet coherence. Journal of Atmospheric and
   Oceanic Technology, 29, 1845-1853.
.. [5] Hu, W. and Si, B. C. (2016). Technical note: Multiple wavelet coherence for
   untangling scale-specific and localized multivariate relationships in
   geosciences. Hydrology and Earth System Sciences, 20, 3183-3191.
"""

from __future__ import annotations

import numpy as np

from ..pipeline import analyze_multiple_wct, analyze_partial_wct, analyze_wct, red_noise
from .attrs import _common_attrs, _coords, _doc, _steps
from .keywords import Chosen, announce, option_keywords
from .series import _libs, _read, _same_time, _Series

__all__ = ["multiple_wct", "partial_wct"]

_PARTIAL_METHOD = (
    "partial wavelet coherence from the conditional spectra of the smoothed "
    "cross-spectral matrix (Mihanovic et al. 2009; Ng and Chan 2012)"
)
_MULTIPLE_METHOD = (
    "multiple wavelet coherence from the smoothed cross-spectral matrix "
    "(Ng and Chan 2012; Hu and Si 2016)"
)
_PHASE_CONVENTION = "angle of the conditional cross spectrum S_yx|z; positive when y leads x"


def _several(obj, name: str) -> list:
    """``obj`` as a list of series: one series, a list or tuple of them, or a 2-D array."""
    if isinstance(obj, list | tuple):
        if not obj:
            raise ValueError(f"`{name}` must hold at least one series")
        if all(np.ndim(v) == 0 for v in obj):  # a plain list of numbers is one series
            return [obj]
        return list(obj)
    if isinstance(obj, np.ndarray) and obj.ndim == 2:
        return list(obj)
    return [obj]


def _read_all(objs, names, dt, dim, unit) -> list[_Series]:
    """`_read` of every series, checked to share the first one's time axis."""
    if dim is not None and any(getattr(o, "ndim", 1) != 1 for o in objs):
        raise ValueError(
            "partial_wct and multiple_wct take 1-D series; select the other dimensions "
            "first (N-D inputs with `dim` are not supported here)"
        )
    read = [_read(o, dt, dim, unit, n) for o, n in zip(objs, names, strict=True)]
    for s in read[1:]:
        _same_time(read[0], s)
    return read


def _attrs(res, read, names, options: Chosen, sig: bool, method: str) -> dict:
    """The attrs of both analyses: grid, preprocessing, AR(1) per series, the test."""
    mc, pre = options.monte_carlo, options.preprocessing
    s0 = read[0]
    attrs = _common_attrs(res.grid, res.scales, s0, mc.significance_level, pre,
                          _steps(*res.series, names=tuple(names)))  # fmt: skip
    thr = res.thresholds
    values = tuple(p.values for p in res.series)
    if thr is not None and thr.ar1 is not None:
        ar1, warnings = thr.ar1, thr.warnings
    else:  # no test, or a data-driven family: the series' own coefficients, for the attrs
        given = (mc.al1, mc.al2, *([None] * (len(values) - 2)))
        ar1, warnings = red_noise(values, given, tuple(names))
    missing = np.logical_or.reduce([p.missing for p in res.series])
    attrs.update(
        method=method,
        series_names=", ".join(s.name for s in read),
        series_roles=", ".join(names),
        ar1=np.asarray(ar1, dtype=float),
        n_missing=int(missing.sum()),
    )
    if sig:
        attrs.update(
            significance_method=f"Monte Carlo, {mc.surrogate.description} surrogates of "
            "every series, mutually independent (the null of Ng and Chan 2012)",
            mc_count=int(thr.info["mc_count"]),
            seed=str(thr.seed),
            backend=str(thr.backend),
        )
    else:
        attrs["significance_method"] = "none"
    announce(warnings, attrs)
    return attrs


def _base_vars(res, unit: str, sig: bool) -> dict:
    n_period = res.freqs.size
    sig95 = res.sig95 if sig else np.full(n_period, np.nan)
    return {
        "coi": ("time", res.coi, {"long_name": "cone of influence", "units": unit}),
        "sig95": ("period", sig95, {"long_name": "significant coherence (Monte Carlo)"}),
        "gap_mask": (("period", "time"), res.gap_mask, {"long_name": "influenced by a gap"}),
    }


def _test(options: Chosen, sig: bool):
    return options.monte_carlo if sig else None


_TRIO_PARAMS = """
    y : pandas.Series, xarray.DataArray or (n,) array_like
        The response.
    x : pandas.Series, xarray.DataArray or (n,) array_like
        The predictor, on the response's time axis.
    z : series, or a list of them (or a (m, n) array)
        The series whose influence is removed (one or more), on the same time axis."""


@_doc
@option_keywords("grid", "preprocessing", "monte_carlo")
def partial_wct(
    y,
    x,
    z,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    sig: bool = True,
    progress: bool = False,
    options: Chosen,
):
    """Partial wavelet coherence of ``y`` and ``x``, the influence of ``z`` removed.

    ``R^2_{yx|z} = |S_{yx|z}|^2 / (S_{yy|z} S_{xx|z})`` from the conditional spectra
    of the smoothed cross-spectral matrix ([3]_, [4]_); the analysis is
    `pycwt_mod.pipeline.analyze_partial_wct`. The areawise test is not offered for
    this analysis (no ``areawise`` keyword), nor N-D inputs with ``dim``.

    Parameters
    ----------
    {trio}
    {common}
    sig : bool, optional
        Compute the Monte Carlo significance (default True): the null is that all
        series are mutually independent, each red noise of its own AR(1)
        coefficient (``al1`` is the response's, ``al2`` the predictor's, the
        others fitted), or surrogates of each series for ``surrogate="phase"`` /
        ``"iaaft"``.
    progress : bool, optional
        Progress bar (default off).
    {options}

    Returns
    -------
    ds : xarray.Dataset
        Coordinates as in `cwt`. Variables: ``coherence`` (period, time), the squared
        partial coherence in [0, 1]; ``phase`` (period, time), radians, the angle of
        ``S_{yx|z}`` (positive: ``y`` leads ``x``); ``wct_coherence`` (period, time),
        the ordinary squared coherence of ``y`` and ``x`` from the same spectra, for
        comparison; ``coi``; ``sig95`` (period), the Monte Carlo threshold of the
        partial coherence (NaN when ``sig`` is False); ``gap_mask`` (gaps of any
        series). Attrs as in `cwt` with ``method`` (with its references), ``ar1``
        (one per series, in the order of ``series_roles``: y, x, z...),
        ``series_names``, ``mc_count``, ``seed`` (a string), ``backend``,
        ``phase_convention``.

    Raises
    ------
    ValueError
        As `cwt`, for series on different time axes, or no ``z``.

    {warns}

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(256)
    >>> y, x = z + 0.3 * rng.standard_normal(256), z + 0.3 * rng.standard_normal(256)
    >>> ds = partial_wct(y, x, z, dt=1.0, dj=0.25, sig=False)
    >>> bool(ds.coherence.mean() < ds.wct_coherence.mean() - 0.3)
    True

    References
    ----------
    .. [3] Mihanovic, Orlic and Pasaric (2009), J. Marine Systems 78, S157-S168.
    .. [4] Ng and Chan (2012), J. Atmos. Oceanic Technol. 29, 1845-1853.
    """
    _, xr = _libs()
    removed = _several(z, "z")
    names = ["y", "x"] + (["z"] if len(removed) == 1 else [f"z[{i}]" for i in range(len(removed))])
    read = _read_all([y, x, *removed], names, dt, dim, unit)
    s0 = read[0]
    res = analyze_partial_wct(
        s0.values, read[1].values, [s.values for s in read[2:]], options.grid.with_dt(s0.dt),
        options.preprocessing, monte_carlo=_test(options, sig), names=names, unit=s0.unit,
        labels=s0.time, progress=progress,
    )  # fmt: skip
    attrs = _attrs(res, read, names, options, sig, _PARTIAL_METHOD)
    attrs["phase_convention"] = _PHASE_CONVENTION
    pt = ("period", "time")
    data = {
        "coherence": (pt, res.PWCT, {"long_name": "squared partial wavelet coherence"}),
        "phase": (pt, res.aPWCT, {"long_name": "partial phase", "units": "rad"}),
        "wct_coherence": (pt, res.WCT, {"long_name": "squared wavelet coherence of y and x"}),
        **_base_vars(res, s0.unit, sig),
    }
    return xr.Dataset(data, coords=_coords(xr, s0, 1 / res.freqs, res.scales), attrs=attrs)


@_doc
@option_keywords("grid", "preprocessing", "monte_carlo")
def multiple_wct(
    y,
    xs,
    dt=None,
    *,
    dim: str | None = None,
    unit: str | None = None,
    sig: bool = True,
    progress: bool = False,
    options: Chosen,
):
    """Multiple wavelet coherence of ``y`` with the predictors ``xs`` together.

    ``R^2_{y|X} = S_yX S_XX^-1 S_Xy / S_yy`` of the smoothed cross-spectral matrix
    ([4]_, [5]_): the share of the response's smoothed power the predictors explain
    together. The analysis is `pycwt_mod.pipeline.analyze_multiple_wct`; with one
    predictor it is `wct`'s coherence. No areawise test, nor N-D inputs with ``dim``.

    Parameters
    ----------
    y : pandas.Series, xarray.DataArray or (n,) array_like
        The response.
    xs : list of series (or a (m, n) array), or one series
        The predictors, on the response's time axis.
    {common}
    sig : bool, optional
        Compute the Monte Carlo significance (default True; the null as in
        `partial_wct`, ``al2`` the first predictor's coefficient).
    progress : bool, optional
        Progress bar (default off).
    {options}

    Returns
    -------
    ds : xarray.Dataset
        Coordinates as in `cwt`, and ``predictor`` (the predictors' names).
        Variables: ``coherence`` (period, time), the squared multiple coherence in
        [0, 1]; ``wct_coherence`` (predictor, period, time), the ordinary coherence
        of ``y`` with each predictor (`wct`'s, for comparison); ``coi``; ``sig95``
        (period), the Monte Carlo threshold of the multiple coherence (NaN when
        ``sig`` is False); ``gap_mask``. Attrs as in `partial_wct` (no phase).

    Raises
    ------
    ValueError
        As `cwt`, for series on different time axes, or no predictor.

    {warns}

    Notes
    -----
    Each extra predictor raises the multiple coherence of unrelated series, and so
    its thresholds: compare with ``sig95``, not with the ordinary coherence's.

    References
    ----------
    .. [4] Ng and Chan (2012), J. Atmos. Oceanic Technol. 29, 1845-1853.
    .. [5] Hu and Si (2016), Hydrol. Earth Syst. Sci. 20, 3183-3191.
    """
    _, xr = _libs()
    preds = _several(xs, "xs")
    names = ["y"] + (["xs"] if len(preds) == 1 else [f"xs[{i}]" for i in range(len(preds))])
    read = _read_all([y, *preds], names, dt, dim, unit)
    s0 = read[0]
    grid = options.grid.with_dt(s0.dt)
    pre = options.preprocessing
    res = analyze_multiple_wct(
        s0.values, [s.values for s in read[1:]], grid, pre, monte_carlo=_test(options, sig),
        names=names, unit=s0.unit, labels=s0.time, progress=progress,
    )  # fmt: skip
    ordinary = np.stack([
        analyze_wct(s0.values, s.values, grid, pre, names=("y", n), unit=s0.unit,
                    labels=s0.time).WCT
        for s, n in zip(read[1:], names[1:], strict=True)
    ])  # fmt: skip
    attrs = _attrs(res, read, names, options, sig, _MULTIPLE_METHOD)
    data = {
        "coherence": (("period", "time"), res.MWCT,
                      {"long_name": "squared multiple wavelet coherence"}),
        "wct_coherence": (("predictor", "period", "time"), ordinary,
                          {"long_name": "squared wavelet coherence of y and each predictor"}),
        **_base_vars(res, s0.unit, sig),
    }  # fmt: skip
    coords = _coords(xr, s0, 1 / res.freqs, res.scales)
    coords["predictor"] = ("predictor", [s.name for s in read[1:]])
    return xr.Dataset(data, coords=coords, attrs=attrs)


partial_wct.__doc__ = partial_wct.__doc__.replace("    {trio}", _TRIO_PARAMS.strip("\n"))
