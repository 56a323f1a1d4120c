"""The cross wavelet transform of two series (Grinsted et al. 2004, sec. 3).

The references cited by name are listed in `pycwt_mod.pipeline`.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np

from ..options import Preprocessing, ResolvedGrid, ScaleGrid, Spectrum
from ..spectra import rectified
from ..transform import xwt
from .prepare import PreparedSeries, _gap_mask, prepare_pair, red_noise

__all__ = ["XWTAnalysis", "analyze_xwt"]

# ---------------------------------------------------------------------- XWT


@dataclass
class XWTAnalysis:
    """Result of `analyze_xwt`.

    Attributes
    ----------
    xwt : (n_scales, n) complex ndarray
        ``W1 conj(W2)``; its angle is positive when the first series leads. With
        ``rectify``, divided by the scale (Veleda et al. 2012; the angle is kept).
    coi : (n,) ndarray
    freqs, scales : (n_scales,) ndarray
    signif : (n_scales,) ndarray
        Cross power significant against two AR(1) backgrounds (Grinsted et al. 2004,
        eq. 4); divided by the scale with ``rectify``.
    grid : ResolvedGrid
    series : (PreparedSeries, PreparedSeries)
    gap_mask : (n_scales, n) bool ndarray
        Gaps of either series.
    ar1 : (float, float)
        The backgrounds' lag-1 coefficients (`red_noise`).
    warnings : tuple of str
        Why a coefficient is the Yule-Walker fallback, if one is.
    rectify : bool
        ``xwt`` and ``signif`` are divided by the scale (`Spectrum.rectify`).
    elapsed_s : float
    """

    xwt: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    signif: np.ndarray
    grid: ResolvedGrid
    series: tuple[PreparedSeries, PreparedSeries]
    gap_mask: np.ndarray
    ar1: tuple[float, float] = (0.0, 0.0)
    warnings: tuple[str, ...] = ()
    rectify: bool = False
    elapsed_s: float = 0.0


def analyze_xwt(
    data1,
    data2,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    significance_level: float = 0.95,
    spectrum: Spectrum | None = None,
    names: tuple[str, str] = ("data1", "data2"),
    unit: str = "",
    labels=None,
) -> XWTAnalysis:
    """Cross wavelet transform of two series (Grinsted et al. 2004, sec. 3).

    ``pre.normalize`` standardises both series in the transform (pycwt's
    ``normalize``); without it the cross power is in units of ``std1 * std2``.
    The red-noise backgrounds are `red_noise`'s (the one AR(1) policy).
    ``spectrum.rectify`` divides the cross spectrum and its level by the scale
    (Veleda et al. 2012).

    Returns
    -------
    XWTAnalysis
    """
    pre = Preprocessing() if pre is None else pre
    spectrum = Spectrum() if spectrum is None else spectrum
    t0 = _time.perf_counter()
    p1, p2 = prepare_pair(data1, data2, pre, names, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(p1.values.size)
    ar1, warnings = red_noise((p1.values, p2.values), (None, None), names)
    W12, coi, freqs, signif = xwt(
        p1.values, p2.values, rg.dt, rg.dj, rg.s0, rg.J, significance_level, rg.mother,
        pre.normalize, ar1=ar1,
    )  # fmt: skip
    mask = _gap_mask(p1.missing | p2.missing, freqs, rg)
    scales = rg.scales[: freqs.size]
    if spectrum.rectify:
        W12, signif = rectified(W12, scales), rectified(signif, scales)
    out = XWTAnalysis(
        W12, coi, freqs, scales, signif, rg, (p1, p2), mask, ar1, warnings, spectrum.rectify
    )
    out.elapsed_s = _time.perf_counter() - t0
    return out
