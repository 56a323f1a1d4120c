"""Which wavelet coefficients a band of periods, a time window, the cone of influence
and a significance mask select (for `reconstruct` and `phase_statistics`).

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

import numpy as np

from .spectra import _in_band

__all__ = ["select_coefficients"]


def _band(band) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in band)
    except (TypeError, ValueError):
        raise ValueError(f"`band` must be two periods (lo, hi) (got {band!r})") from None
    if not 0 < lo <= hi:
        raise ValueError(f"`band` must be two periods with 0 < lo <= hi (got {band!r})")
    return lo, hi


def select_coefficients(
    period,
    n: int,
    *,
    band=None,
    window=None,
    time=None,
    coi=None,
    significant=None,
) -> np.ndarray:
    """The (period, time) points kept by every selection given.

    Parameters
    ----------
    period : (n_scales,) array_like
        Fourier periods of the scales (``1 / freqs`` of `cwt`).
    n : int
        Number of times.
    band : (float, float), optional
        Shortest and longest period kept, both inclusive (in the unit of ``dt``;
        the edges are widened by 1e-9, relative, so that a band given as two of
        the transform's own periods keeps them); default every period.
    window : (float, float), optional
        First and last time kept, both inclusive, on ``time``; default every time.
    time : (n,) array_like, optional
        The times of the samples, for ``window``; default ``0, 1, ..., n - 1``.
    coi : (n,) array_like, optional
        Cone of influence (periods, from `cwt`): when given, only the points with
        ``period <= coi`` (outside the cone, free of edge effects, [1]_ Sec. 3g).
    significant : (n_scales, n) array_like of bool, optional
        Only the points where it is True (e.g. ``power > sig95[:, None]``).

    Returns
    -------
    keep : (n_scales, n) ndarray of bool

    Raises
    ------
    ValueError
        For a band or window holding no period or time, or shapes that do not
        match.
    """
    period = np.asarray(period, dtype=np.float64)
    if period.ndim != 1 or period.size == 0:
        raise ValueError(f"`period` must be a 1-D array of periods (got shape {period.shape})")
    rows = np.ones(period.size, dtype=bool)
    if band is not None:
        lo, hi = _band(band)
        rows = _in_band(period, lo, hi)
        if not rows.any():
            raise ValueError(
                f"`band` {band!r} holds no period of the transform (periods run from "
                f"{period.min():.4g} to {period.max():.4g})"
            )
    cols = np.ones(n, dtype=bool)
    if window is not None:
        t = np.arange(n, dtype=np.float64) if time is None else np.asarray(time, dtype=float)
        if t.shape != (n,):
            raise ValueError(f"`time` must have one value per sample ({n}) (got {t.shape})")
        try:
            t0, t1 = (float(v) for v in window)
        except (TypeError, ValueError):
            raise ValueError(f"`window` must be two times (start, end) (got {window!r})") from None
        cols = (t >= t0) & (t <= t1)
        if not cols.any():
            raise ValueError(
                f"`window` {window!r} holds no sample (times run from {t.min():.6g} to "
                f"{t.max():.6g})"
            )
    keep = rows[:, np.newaxis] & cols[np.newaxis, :]
    if coi is not None:
        coi = np.asarray(coi, dtype=np.float64)
        if coi.shape != (n,):
            raise ValueError(f"`coi` must have one value per sample ({n}) (got {coi.shape})")
        keep &= period[:, np.newaxis] <= coi[np.newaxis, :]
    if significant is not None:
        significant = np.asarray(significant, dtype=bool)
        if significant.shape != keep.shape:
            raise ValueError(
                f"`significant` must have shape (n_scales, n) = {keep.shape} "
                f"(got {significant.shape})"
            )
        keep &= significant
    return keep
