"""Preprocessing of a series before a wavelet transform: trend, scale and gaps.

Plain NumPy functions, used by the labelled API (`pycwt_mod.labelled`) and usable on
their own. Every function is NaN-aware where it matters: a series with gaps can be
detrended and standardised on its valid samples, then filled for the transform
while `gap_mask` marks where the fill influences the result.

Gaps
----
A missing sample (NaN) cannot be transformed. `fill_gaps` fills it, by default
with the series mean (``"mean"``: zero anomalies, the same as the zero padding
that [1]_ applies beyond the ends of the series), or by linear interpolation
between the neighbouring valid samples (``"linear"``; the ends are held at the
nearest valid value). Filling with the mean adds no spurious variance, it only
removes some near the gap; this is the "gapped wavelet transform" without the
renormalisation of [2]_. Either way the wavelet power near a gap is biased, and
`gap_mask` marks every (period, time) point within the e-folding time of the
wavelet's autocorrelation at that scale of a missing sample ([1]_, Sec. 3g: for the
Morlet wavelet ``sqrt(2) s``): the cone of influence, drawn around each gap as it is
around the ends of the series. Points inside it should not be interpreted.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Frick, P., Grossmann, A. and Tchamitchian, P. (1998). Wavelet analysis of
   signals with gaps. Journal of Mathematical Physics, 39, 4091-4107.
"""

from __future__ import annotations

import numpy as np

from .mothers import get_wavelet
from .options import DETREND_METHODS, GAP_FILLS, GAP_POLICIES

__all__ = [
    "DETREND_METHODS",
    "GAP_FILLS",
    "GAP_POLICIES",
    "anomalies",
    "check_gaps",
    "detrend",
    "fill_gaps",
    "gap_cone",
    "gap_mask",
    "standardize",
]


def _choice(value, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))} (got {value!r})")
    return value


def _as_float_1d(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D (got an array of shape {arr.shape})")
    if np.isinf(arr).any():
        first = int(np.flatnonzero(np.isinf(arr))[0])
        raise ValueError(
            f"`{name}` holds an infinite value at index {first}; replace it with NaN "
            "(a gap) or a finite value"
        )
    return arr


def _valid(x: np.ndarray, name: str, need: int) -> np.ndarray:
    ok = np.isfinite(x)
    if ok.sum() < need:
        raise ValueError(f"`{name}` needs at least {need} valid samples (got {int(ok.sum())})")
    return ok


def detrend(x, method: str = "linear", time=None) -> np.ndarray:
    """Remove a trend fitted to the valid (non-NaN) samples of a series.

    Parameters
    ----------
    x : (n,) array_like
        Series; NaN marks a gap and stays NaN.
    method : {"none", "linear"}, optional
        ``"linear"`` (default) subtracts the least-squares line ``a + b t``;
        ``"none"`` returns a float copy of ``x``. The choices are `DETREND_METHODS`.
    time : (n,) array_like, optional
        Sample times for the fit (any monotonic numbers); default ``arange(n)``,
        which gives the same line for evenly spaced samples.

    Returns
    -------
    y : (n,) ndarray
        Detrended series, float64, NaN where ``x`` is NaN.

    Raises
    ------
    ValueError
        For an unknown ``method``, a series that is not 1-D, holds infinities, or
        has fewer than 2 valid samples, or a ``time`` of another length.

    Examples
    --------
    >>> detrend([1.0, 2.0, 3.5, 4.0]).round(3)
    array([-0.05, -0.1 ,  0.35, -0.2 ])
    """
    method = _choice(method, "method", DETREND_METHODS)
    y = _as_float_1d(x, "x").copy()
    if method == "none":
        return y
    ok = _valid(y, "x", 2)
    t = np.arange(y.size, dtype=np.float64) if time is None else np.asarray(time, np.float64)
    if t.shape != y.shape:
        raise ValueError(f"`time` must have the shape of `x` {y.shape} (got {t.shape})")
    t0 = t[ok].mean()  # centre the abscissa for a well-conditioned fit
    slope, intercept = np.polyfit(t[ok] - t0, y[ok], 1)
    return y - (intercept + slope * (t - t0))


def anomalies(x, period: int) -> np.ndarray:
    """Remove the mean seasonal cycle (the climatology) of a periodic series.

    Sample ``t`` belongs to phase ``t % period`` of the cycle (e.g. its calendar
    month for monthly data starting in any month, with ``period=12``); the mean of
    each phase over the valid samples is subtracted from that phase.

    Parameters
    ----------
    x : (n,) array_like
        Series; NaN marks a gap and stays NaN.
    period : int
        Samples per cycle, >= 2 (12 for monthly data, 4 for quarterly).

    Returns
    -------
    a : (n,) ndarray
        The anomalies, float64; every phase has zero mean over its valid samples.

    Raises
    ------
    ValueError
        If ``period`` is not a whole number >= 2, the series holds fewer than two
        full cycles, or a phase has no valid sample.

    Examples
    --------
    >>> anomalies([1.0, 5.0, 3.0, 7.0], 2)
    array([-1., -1.,  1.,  1.])
    """
    y = _as_float_1d(x, "x")
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 2:
        raise ValueError(
            f"`anomalies` must be the samples per seasonal cycle, a whole number >= 2 "
            f"(got {period!r})"
        )
    period = int(period)
    if y.size < 2 * period:
        raise ValueError(
            f"`anomalies={period}` needs at least two full cycles ({2 * period} samples; "
            f"got {y.size})"
        )
    cycles = -(-y.size // period)  # padded with NaN to whole cycles
    phases = np.full(cycles * period, np.nan)
    phases[: y.size] = y
    phases = phases.reshape(cycles, period)
    counts = np.count_nonzero(np.isfinite(phases), axis=0)
    if (counts == 0).any():
        phase = int(np.flatnonzero(counts == 0)[0])
        raise ValueError(
            f"phase {phase} of the {period}-sample cycle (samples {phase}, {phase + period}, "
            "...) has no valid sample, so its mean cannot be removed"
        )
    climatology = np.nansum(phases, axis=0) / counts
    return y - np.resize(climatology, y.size)


def standardize(x) -> np.ndarray:
    """Subtract the mean and divide by the standard deviation of the valid samples.

    Parameters
    ----------
    x : (n,) array_like
        Series; NaN marks a gap and stays NaN.

    Returns
    -------
    z : (n,) ndarray
        ``(x - mean) / std`` (population std, ``ddof=0``, as `cwt` users do by
        hand), float64.

    Raises
    ------
    ValueError
        If fewer than 2 samples are valid or the valid samples are constant.

    Examples
    --------
    >>> standardize([1.0, 2.0, np.nan, 3.0]).round(4)
    array([-1.2247,  0.    ,     nan,  1.2247])
    """
    y = _as_float_1d(x, "x")
    _valid(y, "x", 2)
    std = np.nanstd(y)
    if not std > 0:
        raise ValueError("cannot standardize a constant series (its standard deviation is 0)")
    return (y - np.nanmean(y)) / std


def check_gaps(x, name: str = "signal", labels=None) -> None:
    """Raise ``ValueError`` naming the first gap (NaN) of ``x``, if there is one.

    Parameters
    ----------
    x : (n,) array_like
        Series.
    name : str, optional
        Parameter name for the message.
    labels : (n,) array_like, optional
        Time label of each sample (dates or numbers), quoted in the message.

    Raises
    ------
    ValueError
        If ``x`` holds NaN: the message gives how many, the index (and label) of the
        first one, and the two ways to proceed.
    """
    missing = np.flatnonzero(~np.isfinite(np.asarray(x, dtype=np.float64)))
    if missing.size == 0:
        return
    first = int(missing[0])
    where = f"index {first}"
    if labels is not None:
        label = np.asarray(labels)[first]
        if np.issubdtype(np.asarray(label).dtype, np.datetime64):
            label = np.datetime_as_string(label, unit="auto")
        where += f" ({label})"
    raise ValueError(
        f"`{name}` has {missing.size} missing value(s) (NaN); the first is at {where}. "
        "Pass gaps='mask' to fill them and mask the wavelet results they influence, "
        "or fill them yourself."
    )


def fill_gaps(x, fill: str = "mean") -> np.ndarray:
    """Fill the NaN samples of a series so that it can be transformed.

    Parameters
    ----------
    x : (n,) array_like
        Series with NaN gaps (at least 2 valid samples).
    fill : {"mean", "linear"}, optional
        ``"mean"`` (default) puts the mean of the valid samples in each gap (zero
        anomalies, like the zero padding beyond the series ends in [1]_);
        ``"linear"`` interpolates linearly between the valid neighbours and holds
        the end values constant. The choices are `GAP_FILLS`.

    Returns
    -------
    y : (n,) ndarray
        Finite float64 series, equal to ``x`` where ``x`` is valid.

    Raises
    ------
    ValueError
        For an unknown ``fill`` or fewer than 2 valid samples.

    Examples
    --------
    >>> fill_gaps([1.0, np.nan, 5.0, 2.0], fill="linear")
    array([1., 3., 5., 2.])
    """
    fill = _choice(fill, "fill", GAP_FILLS)
    y = _as_float_1d(x, "x").copy()
    ok = _valid(y, "x", 2)
    if ok.all():
        return y
    if fill == "mean":
        y[~ok] = y[ok].mean()
    else:
        idx = np.arange(y.size)
        y[~ok] = np.interp(idx[~ok], idx[ok], y[ok])
    return y


def gap_cone(missing, dt: float = 1.0, wavelet="morlet") -> np.ndarray:
    """Cone of influence of the gaps, in Fourier periods, one value per sample.

    Parameters
    ----------
    missing : (n,) array_like of bool
        True where a sample is missing.
    dt : float, optional
        Sample spacing (the periods come out in its unit).
    wavelet : str or Mother, optional
        Default ``"morlet"``.

    Returns
    -------
    cone : (n,) ndarray
        ``flambda * coi * dt * d`` with ``d`` the distance, in samples, from a
        sample to the edge of the nearest missing sample (``|i - k| - 1/2``; 0 at a
        missing sample, ``inf`` when nothing is missing). Periods longer than
        ``cone[i]`` are influenced by a gap at sample ``i``. This is the formula of
        `cone_of_influence` ([1]_, Sec. 3g) with each gap in place of the ends.
    """
    mother = get_wavelet(wavelet)
    missing = np.asarray(missing, dtype=bool)
    if missing.ndim != 1:
        raise ValueError(f"`missing` must be 1-D (got an array of shape {missing.shape})")
    n = missing.size
    where = np.flatnonzero(missing)
    if where.size == 0:
        return np.full(n, np.inf)
    idx = np.arange(n)
    pos = np.searchsorted(where, idx)
    left = np.where(pos > 0, idx - where[np.maximum(pos - 1, 0)], np.inf)
    right = np.where(pos < where.size, where[np.minimum(pos, where.size - 1)] - idx, np.inf)
    d = np.maximum(np.minimum(left, right) - 0.5, 0.0)
    return mother.flambda() * mother.coi() * dt * d


def gap_mask(missing, period, dt: float = 1.0, wavelet="morlet") -> np.ndarray:
    """Boolean mask of the (period, time) points influenced by gaps.

    Parameters
    ----------
    missing : (n,) array_like of bool
        True where a sample is missing (e.g. ``np.isnan(x)`` before `fill_gaps`).
    period : (n_scales,) array_like
        Fourier periods of the transform (``1 / freqs`` from `cwt`).
    dt : float, optional
        Sample spacing, in the unit of ``period``.
    wavelet : str or Mother, optional
        Default ``"morlet"``.

    Returns
    -------
    mask : (n_scales, n) ndarray of bool
        True where ``period > gap_cone(missing, dt, wavelet)``: within the wavelet's
        e-folding time of a missing sample ([1]_, Sec. 3g). All False without gaps.

    Examples
    --------
    >>> m = gap_mask([False] * 4 + [True] + [False] * 4, [1.0, 2.0], 1.0)
    >>> m.astype(int)
    array([[0, 0, 0, 1, 1, 1, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 1, 1, 0]])
    """
    period = np.asarray(period, dtype=np.float64)
    if period.ndim != 1:
        raise ValueError(f"`period` must be 1-D (got an array of shape {period.shape})")
    cone = gap_cone(missing, dt, wavelet)
    return period[:, np.newaxis] > cone[np.newaxis, :]
