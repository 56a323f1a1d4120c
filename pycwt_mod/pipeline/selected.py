"""What an analysis' selected coefficients give: a series rebuilt from a band (CWT)
and the phase statistics of a band and a time window (XWT, WCT).

The selection is the analysis' own: its cone of influence, its gap mask and its
pointwise test (the chi-square level of `analyze_cwt`, Grinsted et al.'s cross
power level of `analyze_xwt`, the Monte Carlo thresholds of `analyze_wct`). The
references cited by name are listed in `pycwt_mod.pipeline`.
"""

from __future__ import annotations

import numpy as np

from ..phase import PhaseStatistics, phase_statistics
from ..reconstruct import Reconstruction, reconstruct
from .cwt import CWTAnalysis
from .wct import WCTAnalysis
from .xwt import XWTAnalysis

__all__ = ["phase_of", "reconstruct_cwt"]


def _reliable(coi, gap_mask, period) -> np.ndarray:
    """Outside the cone of influence and not within a gap's reach (T&C sec. 3g)."""
    return (period[:, np.newaxis] <= coi[np.newaxis, :]) & ~gap_mask


def reconstruct_cwt(
    a: CWTAnalysis,
    band: tuple[float, float] | None = None,
    *,
    significant: bool = False,
    outside_coi: bool = False,
) -> Reconstruction:
    """The series rebuilt from the band ``band`` of a transform (`reconstruct`).

    Parameters
    ----------
    a : CWTAnalysis
    band : (float, float), optional
        Shortest and longest period, in the unit of ``dt``; default all.
    significant : bool, optional
        Only the coefficients whose power exceeds the chi-square level ``sig95``
        (needs `analyze_cwt` run with ``significance_level``).
    outside_coi : bool, optional
        Only the coefficients outside the cone of influence and out of a gap's
        reach (``gap_mask``).

    Returns
    -------
    Reconstruction
        In the unit of the prepared series (after ``Preprocessing``: standardised
        with ``normalize``), without its mean.

    Raises
    ------
    ValueError
        ``significant`` without a power test; a band holding no period.
    """
    period = 1 / a.freqs
    mask = None
    if significant:
        if a.sig95 is None:
            raise ValueError(
                "`significant` needs the power test: run analyze_cwt with significance_level"
            )
        mask = a.power > a.sig95[:, np.newaxis]  # the same points rectified or not
    if outside_coi:
        reliable = _reliable(a.coi, a.gap_mask, period)
        mask = reliable if mask is None else mask & reliable
    rg = a.grid
    return reconstruct(a.wave, a.scales, rg.dt, rg.dj, rg.mother, band=band, significant=mask)


def phase_of(
    a: XWTAnalysis | WCTAnalysis,
    band: tuple[float, float] | None = None,
    window: tuple[float, float] | None = None,
    *,
    time=None,
    significant: bool = False,
    outside_coi: bool = False,
    level: float = 0.95,
    n_independent: float | None = None,
    lag_period: float | None = None,
) -> PhaseStatistics:
    """Mean phase of a pair over a band and a time window, as a lag (`phase_statistics`).

    The phase is the angle of ``W1 conj(W2)``: positive, and a positive lag, when
    the first series leads.

    Parameters
    ----------
    a : XWTAnalysis or WCTAnalysis
    band : (float, float), optional
        Shortest and longest period; default all.
    window : (float, float), optional
        First and last time, on ``time``; default all.
    time : (n,) array_like, optional
        Times of the samples; default ``dt * (0 .. n-1)``.
    significant : bool, optional
        Only the points above the analysis' level: the cross power level
        ``signif`` of an XWT (Grinsted et al. 2004, eq. 4) or the Monte Carlo
        coherence threshold ``sig95`` of a WCT (which needs its test run).
    outside_coi : bool, optional
        Only the points outside the cone of influence and out of a gap's reach.
    level, n_independent, lag_period
        As in `phase_statistics`.

    Returns
    -------
    PhaseStatistics

    Raises
    ------
    ValueError
        ``significant`` on a WCT without thresholds; a selection keeping no point.
    """
    period = 1 / a.freqs
    if isinstance(a, WCTAnalysis):
        phase, value, threshold = a.aWCT, a.WCT, a.sig95
    else:
        phase, value, threshold = a.xwt, np.abs(a.xwt), a.signif
    mask = None
    if significant:
        if threshold is None:
            raise ValueError(
                "`significant` needs the coherence thresholds: run analyze_wct with monte_carlo"
            )
        threshold = np.asarray(threshold, dtype=float)
        mask = value > threshold.reshape(-1, 1)[: value.shape[0]]
    if outside_coi:
        reliable = _reliable(a.coi, a.gap_mask, period)
        mask = reliable if mask is None else mask & reliable
    if time is None and window is not None:
        time = a.grid.dt * np.arange(phase.shape[1])
    return phase_statistics(
        phase, period, band=band, window=window, time=time, significant=mask, level=level,
        n_independent=n_independent, lag_period=lag_period,
    )  # fmt: skip
