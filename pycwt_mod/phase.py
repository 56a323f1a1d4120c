"""Circular statistics of wavelet phase: the mean phase over a band of periods and
a time window, its confidence interval, and the phase as a time lag.

After Grinsted's ``anglemean`` (the MATLAB wavelet coherence package of [1]_), with
the circular statistics of Zar (1999) [2]_, chap. 26.

The phase is the angle of the cross spectrum ``W_a conj(W_b)`` (the project's
convention, as `xwt` and `wct`): positive when ``a`` leads ``b``.

References
----------
.. [1] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlinear
   Processes in Geophysics, 11, 561-566.
.. [2] Zar, J. H. (1999). Biostatistical Analysis, 4th ed. Prentice Hall, chap. 26.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from .selection import select_coefficients

__all__ = ["CircularMean", "PhaseStatistics", "circular_mean", "phase_statistics"]


@dataclass(frozen=True)
class CircularMean:
    """Circular statistics of a set of angles ([2]_, chap. 26).

    Attributes
    ----------
    mean : float
        Mean angle, radians in (-pi, pi] (eq. 26.6: ``atan2(sum sin, sum cos)``).
    resultant_length : float
        Mean resultant length ``R`` in [0, 1] (eq. 26.5): 1 when every angle is
        the same, near 0 when they are spread evenly.
    angular_deviation : float
        ``sqrt(2 (1 - R))`` radians, in [0, sqrt(2)] (eq. 26.20).
    circular_std : float
        ``sqrt(-2 ln R)`` radians (eq. 26.21; inf for R = 0).
    ci_halfwidth : float
        Half-width ``d`` of the confidence interval ``mean +- d`` at ``level``
        (eq. 26.23 for R <= 0.9, eq. 26.24 above); pi when the interval is not
        determined (``R <= sqrt(chi2_1(level) / (2 n))``: the angles show no
        preferred direction; or a single angle).
    n : float
        Number of independent angles the interval assumes.
    rayleigh_p : float
        p-value of Rayleigh's test of uniformity (eq. 26.4, Zar's approximation).
    level : float
        Confidence level of the interval.
    """

    mean: float
    resultant_length: float
    angular_deviation: float
    circular_std: float
    ci_halfwidth: float
    n: float
    rayleigh_p: float
    level: float

    @property
    def ci(self) -> tuple[float, float]:
        """``(mean - d, mean + d)``, radians (not wrapped into (-pi, pi])."""
        return (self.mean - self.ci_halfwidth, self.mean + self.ci_halfwidth)


def circular_mean(angles, level: float = 0.95, n_independent: float | None = None) -> CircularMean:
    """Mean direction of angles with its confidence interval, as Grinsted's
    ``anglemean`` computes it ([1]_, [2]_).

    Parameters
    ----------
    angles : array_like
        Angles in radians (any shape; NaN are left out).
    level : float, optional
        Confidence level of the interval, default 0.95.
    n_independent : float, optional
        How many independent angles the interval and the Rayleigh test assume;
        default the number of angles. Neighbouring wavelet coefficients are
        correlated (over about a wavelet's width in time and ``dj0`` in scale), so
        the default, which ``anglemean`` uses, makes the interval too narrow for
        wavelet phases; pass an estimate of the independent points to widen it.

    Returns
    -------
    CircularMean

    Raises
    ------
    ValueError
        For no finite angle, a bad level or ``n_independent < 1``.

    Notes
    -----
    With ``S = sum sin``, ``C = sum cos``, ``R = sqrt(S^2 + C^2) / n`` and ``r = n R``
    for the ``n`` independent angles and ``chi2 = chi2_1(level)``: for ``R <= 0.9``,
    ``d = arccos(sqrt(2 n (2 r^2 - n chi2) / (4 n - chi2)) / r)``; for ``R > 0.9``,
    ``d = arccos(sqrt(n^2 - (n^2 - r^2) exp(chi2 / n)) / r)`` ([2]_, eq. 26.23-26.24).
    """
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"`level` must be a number in (0, 1) (got {level!r})")
    level = float(level)
    a = np.asarray(angles, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        raise ValueError("no finite angle to average")
    S, C = np.sin(a).sum(), np.cos(a).sum()
    R = float(min(np.hypot(S, C) / a.size, 1.0))
    n = float(a.size if n_independent is None else n_independent)
    if not n >= 1:
        raise ValueError(f"`n_independent` must be >= 1 (got {n_independent!r})")
    r = n * R
    c2 = float(chi2.ppf(level, 1))
    if a.size < 2:
        d = np.pi  # one angle: no spread to judge by
    elif R > 0.9:
        d = np.arccos(min(np.sqrt(max(n**2 - (n**2 - r**2) * np.exp(c2 / n), 0.0)) / r, 1.0))
    elif R > np.sqrt(c2 / (2 * n)):
        d = np.arccos(min(np.sqrt(2 * n * (2 * r**2 - n * c2) / (4 * n - c2)) / r, 1.0))
    else:
        d = np.pi
    with np.errstate(divide="ignore"):
        circ_std = float(np.sqrt(-2 * np.log(R))) if R > 0 else np.inf
    p = float(np.exp(np.sqrt(1 + 4 * n + 4 * (n**2 - r**2)) - (1 + 2 * n)))  # eq. 26.4
    return CircularMean(
        float(np.arctan2(S, C)), R, float(np.sqrt(2 * (1 - R))), circ_std, float(d), n,
        min(p, 1.0), level,
    )  # fmt: skip


@dataclass(frozen=True)
class PhaseStatistics:
    """Result of `phase_statistics`.

    Attributes
    ----------
    circular : CircularMean
        The statistics of the phases selected (radians; positive: ``a`` leads
        ``b``).
    period : float
        The period the lag is read at: ``lag_period``, or the harmonic mean of the
        periods of the points averaged.
    lag : float
        ``mean * period / (2 pi)``, in the unit of ``dt``: positive when ``a``
        leads ``b`` by that time (``b`` follows ``a``). Unique only modulo
        ``period``: the value in (-period/2, period/2].
    lag_ci : (float, float)
        The confidence interval of ``circular`` as lags.
    n_points : int
        Number of (period, time) points averaged.
    """

    circular: CircularMean
    period: float
    lag: float
    lag_ci: tuple[float, float]
    n_points: int

    @property
    def mean_phase(self) -> float:
        """Mean phase, radians in (-pi, pi]."""
        return self.circular.mean


def phase_statistics(
    phase,
    period,
    *,
    band: tuple[float, float] | None = None,
    window: tuple[float, float] | None = None,
    time=None,
    coi=None,
    significant=None,
    level: float = 0.95,
    n_independent: float | None = None,
    lag_period: float | None = None,
) -> PhaseStatistics:
    """Mean phase over a band of periods and a time window, with its confidence
    interval and as a time lag.

    Parameters
    ----------
    phase : (n_scales, n) array_like
        Phase angles in radians (e.g. the ``aWCT`` of `wct`), or the complex cross
        spectrum ``W_a conj(W_b)`` of `xwt` (its angle is taken). Positive: ``a``
        leads ``b``.
    period : (n_scales,) array_like
        Fourier periods (``1 / freqs``).
    band : (float, float), optional
        Shortest and longest period averaged (inclusive); default all.
    window : (float, float), optional
        First and last time averaged (inclusive) on ``time``; default all.
    time : (n,) array_like, optional
        Times of the samples, for ``window``; default ``0 .. n-1``.
    coi : (n,) array_like, optional
        When given, only the points outside the cone of influence (``period <=
        coi``).
    significant : (n_scales, n) array_like of bool, optional
        When given, only the points where it is True (e.g. ``WCT > sig95[:, None]``).
    level : float, optional
        Confidence level, default 0.95.
    n_independent : float, optional
        See `circular_mean` (default: every point counts as independent, as
        Grinsted's ``anglemean``; too narrow an interval for wavelet phases).
    lag_period : float, optional
        The period at which the mean phase is read as a lag; default the harmonic
        mean of the periods averaged (see Notes). For a narrow-band signal, pass
        its period.

    Returns
    -------
    PhaseStatistics

    Raises
    ------
    ValueError
        For shapes that do not match, or a selection that keeps no point.

    Notes
    -----
    For ``b(t) = a(t - tau)`` the phase at period ``P`` is ``2 pi tau / P``; its mean
    over the band is ``2 pi tau <1/P>`` while the phases do not wrap, so the lag is
    the mean phase times the harmonic mean period over ``2 pi`` (a broadband
    delay). A narrow-band signal of period ``P0`` has the phase ``2 pi tau / P0``
    at every scale of the band instead: give ``lag_period=P0``. For a broadband
    delay of red noise the phase at a scale is that of the frequencies the wavelet
    passes there, which lie a little below its nominal frequency: the lag comes out
    a few percent low (about 4% for AR(1) noise with alpha = 0.8 and the Morlet).
    """
    phase = np.asarray(phase)
    if np.iscomplexobj(phase):
        phase = np.angle(phase)
    phase = phase.astype(np.float64, copy=False)
    period = np.asarray(period, dtype=np.float64)
    if phase.ndim != 2 or phase.shape[0] != period.size:
        raise ValueError(
            f"`phase` must be (n_scales, n) with n_scales = len(period) = {period.size} "
            f"(got shape {phase.shape})"
        )
    keep = select_coefficients(
        period, phase.shape[1], band=band, window=window, time=time, coi=coi,
        significant=significant,
    )  # fmt: skip
    keep &= np.isfinite(phase)
    n_points = int(keep.sum())
    if n_points == 0:
        raise ValueError(
            "the selection keeps no point (band, window, cone of influence and "
            "significance together); widen it"
        )
    stats = circular_mean(phase[keep], level, n_independent)
    periods = np.broadcast_to(period[:, np.newaxis], phase.shape)[keep]
    p_h = float(1 / np.mean(1 / periods)) if lag_period is None else float(lag_period)
    if not (np.isfinite(p_h) and p_h > 0):
        raise ValueError(f"`lag_period` must be a positive period (got {lag_period!r})")
    k = p_h / (2 * np.pi)
    lag_ci = (stats.ci[0] * k, stats.ci[1] * k)
    return PhaseStatistics(stats, p_h, stats.mean * k, lag_ci, n_points)
