"""Time- and scale-averaged wavelet spectra with their significance.

The global wavelet spectrum and the scale-averaged power of [1]_, Sec. 5a-5b, and
the global (time-averaged) coherence. Plain NumPy functions on the outputs of
`cwt` and `wct`; the labelled API (`pycwt_mod.labelled`) adds them to its Datasets.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlinear
   Processes in Geophysics, 11, 561-566.
.. [3] Liu, Y., Liang, X. S. and Weisberg, R. H. (2007). Rectification of the bias in
   the wavelet power spectrum. J. Atmos. Oceanic Technol., 24, 2093-2102.
.. [4] Veleda, D., Montagne, R. and Araujo, M. (2012). Cross-wavelet bias corrected
   by normalizing scales. J. Atmos. Oceanic Technol., 29, 1401-1408.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive
from .mothers import get_wavelet
from .significance import significance

__all__ = ["global_coherence", "global_wavelet_spectrum", "rectified", "scale_averaged_power"]


def rectified(values, scales) -> np.ndarray:
    """Wavelet power, cross power or a per-scale level divided by the scale ([3]_, [4]_).

    Parameters
    ----------
    values : (n_scales,) or (n_scales, n) array_like
        ``|W|**2``, ``W_a conj(W_b)`` (complex: its phase is kept), a global
        spectrum or a significance level, one row per scale.
    scales : (n_scales,) array_like
        The transform's scales, in the unit of ``dt``.

    Returns
    -------
    (n_scales,) or (n_scales, n) ndarray
        ``values / s`` (in the squared unit of the series per unit of time).

    Notes
    -----
    With the energy normalisation of [1]_ the power of a sine of amplitude ``A``
    at its scale is ``A**2 s |psi_0_hat(s omega)|**2 / dt`` and so grows with the
    period; ``|W|**2 / s`` makes sines of one amplitude give one peak ([3]_, eq.
    4-5; for the cross spectrum [4]_). A level divided likewise keeps which points
    are significant.
    """
    values = np.asarray(values)
    scales = _scales(scales)
    if values.ndim not in (1, 2) or values.shape[0] != scales.size:
        raise ValueError(
            f"`values` must have one row per scale ({scales.size}) (got shape {values.shape})"
        )
    return values / (scales if values.ndim == 1 else scales[:, np.newaxis])


def _power_and_mask(power, n_scales: int, mask) -> tuple[np.ndarray, np.ndarray]:
    power = np.asarray(power, dtype=np.float64)
    if power.ndim != 2 or power.shape[0] != n_scales:
        raise ValueError(
            f"`power` must be 2-D, (n_scales, n_times) with n_scales = {n_scales} "
            f"(got shape {power.shape})"
        )
    if mask is None:
        return power, np.zeros(power.shape, dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != power.shape:
        raise ValueError(f"`mask` must have the shape of `power` {power.shape} (got {mask.shape})")
    return power, mask


def _in_band(period: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Periods in ``[lo, hi]``, with the edges widened by 1e-9 (relative) so that a
    band given as two of the transform's own periods keeps them despite rounding."""
    return (period >= lo * (1 - 1e-9)) & (period <= hi * (1 + 1e-9))


def _scales(scales) -> np.ndarray:
    scales = np.asarray(scales, dtype=np.float64)
    if scales.ndim != 1 or scales.size < 2 or not np.all(scales > 0):
        raise ValueError(
            f"`scales` must be a 1-D array of at least two positive scales (got {scales!r})"
        )
    return scales


def global_wavelet_spectrum(
    power,
    scales,
    dt: float,
    variance: float,
    alpha: float,
    *,
    mask=None,
    significance_level: float = 0.95,
    wavelet="morlet",
    rectify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Global wavelet spectrum (time-averaged power) and its red-noise significance.

    Parameters
    ----------
    power : (n_scales, n) array_like
        Wavelet power ``|W|**2`` from `cwt` (in the squared unit of the series).
    scales : (n_scales,) array_like
        Scales from `cwt`.
    dt : float
        Sample spacing.
    variance : float
        Variance of the series that was transformed (the background's level).
    alpha : float
        Lag-1 autocorrelation of the red-noise background (e.g. `ar1`).
    mask : (n_scales, n) array_like of bool, optional
        True at points left out of the average (e.g. a gap mask, or the cone of
        influence); default: average every point, as [1]_ does.
    significance_level : float, optional
        Default 0.95.
    wavelet : str or Mother, optional
        Default ``"morlet"``.
    rectify : bool, optional
        Divide the spectrum and its level by the scale (`rectified`, [3]_); pass
        the unrectified ``|W|**2`` as ``power``.

    Returns
    -------
    glbl : (n_scales,) ndarray
        ``mean_t |W|**2`` over the points kept ([1]_, eq. 22), over ``s`` with
        ``rectify``; NaN at a scale with none.
    signif : (n_scales,) ndarray
        Time-averaged power significant at ``significance_level``: chi-square with
        ``nu = dofmin sqrt(1 + (n_a dt / (gamma s))**2)`` degrees of freedom, ``n_a``
        the number of points averaged ([1]_, eq. 23, via `significance` with
        ``sigma_test=1``).
    n_a : (n_scales,) ndarray of int
        Number of points averaged at each scale.

    Raises
    ------
    ValueError
        For shapes that do not match, non-positive ``dt`` or ``variance``, or a bad
        significance level.

    Notes
    -----
    ``n_a`` is the number of points averaged, as in eq. 23. T&C's published
    program ``wavetest.m`` uses ``n - scale`` instead to discount the edges; pass
    the cone of influence as ``mask`` for a stricter test.
    """
    scales = _scales(scales)
    power, mask = _power_and_mask(power, scales.size, mask)
    dt = check_positive(dt, "dt")
    variance = check_positive(variance, "variance")
    keep = ~mask
    n_a = keep.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        glbl = np.where(keep, power, 0.0).sum(axis=1) / n_a
    signif, _ = significance(
        variance, dt, scales, 1, alpha, significance_level, dof=np.maximum(n_a, 1),
        wavelet=wavelet,
    )  # fmt: skip
    signif = np.where(n_a > 0, signif, np.nan)
    if rectify:
        glbl, signif = rectified(glbl, scales), rectified(signif, scales)
    return glbl, signif, n_a


def scale_averaged_power(
    power,
    scales,
    dt: float,
    dj: float,
    variance: float,
    alpha: float,
    band: tuple[float, float],
    *,
    significance_level: float = 0.95,
    wavelet="morlet",
) -> tuple[np.ndarray, float]:
    """Power averaged over a band of periods, and its red-noise significance.

    Parameters
    ----------
    power : (n_scales, n) array_like
        Wavelet power ``|W|**2`` from `cwt`.
    scales : (n_scales,) array_like
        Scales from `cwt`.
    dt, dj : float
        Sample spacing and scale spacing used in `cwt`.
    variance : float
        Variance of the series that was transformed.
    alpha : float
        Lag-1 autocorrelation of the red-noise background.
    band : (float, float)
        Shortest and longest Fourier period of the band, in the unit of ``dt``
        (both inclusive); the scales whose period ``flambda * s`` lies in it are
        averaged.
    significance_level : float, optional
        Default 0.95.
    wavelet : str or Mother, optional
        Default ``"morlet"``; needs the tabulated ``cdelta`` and ``deltaj0``.

    Returns
    -------
    avg : (n,) ndarray
        ``(dj dt / C_delta) sum_j |W_j|**2 / s_j`` over the band ([1]_, eq. 24), in
        the squared unit of the series (a variance).
    signif : float
        Scale-averaged power significant at ``significance_level`` ([1]_, eq.
        25-28, via `significance` with ``sigma_test=2``).

    Raises
    ------
    ValueError
        For a ``band`` that is not two increasing positive periods, a band holding
        no scale (the message gives the periods available), or a wavelet without
        tabulated factors.
    Notes
    -----
    Eq. 24 sums ``|W|**2 / s``, the rectified power of [3]_: the scale average is
    the same whether or not the power is rectified, so it takes no ``rectify``.
    """
    mother = get_wavelet(wavelet)
    mother.check_tabulated("scale-averaged power")
    scales = _scales(scales)
    power, _ = _power_and_mask(power, scales.size, None)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    variance = check_positive(variance, "variance")
    try:
        lo, hi = (float(v) for v in band)
    except (TypeError, ValueError):
        raise ValueError(f"`band` must be two periods (lo, hi) (got {band!r})") from None
    if not 0 < lo < hi:
        raise ValueError(f"`band` must be two periods with 0 < lo < hi (got {band!r})")
    period = mother.flambda() * scales
    sel = np.flatnonzero(_in_band(period, lo, hi))
    if sel.size == 0:
        raise ValueError(
            f"`band` {band!r} holds no period of the transform (periods run from "
            f"{period[0]:.4g} to {period[-1]:.4g}); widen it or use a smaller `dj`"
        )
    avg = dj * dt / mother.cdelta * (power[sel] / scales[sel, np.newaxis]).sum(axis=0)
    signif, _ = significance(
        variance, dt, scales, 2, alpha, significance_level,
        dof=[scales[sel[0]], scales[sel[-1]]], wavelet=mother,
    )  # fmt: skip
    return avg, float(signif)


def global_coherence(WCT, coi, period, *, mask=None) -> np.ndarray:
    """Time-averaged wavelet coherence outside the cone of influence.

    Parameters
    ----------
    WCT : (n_scales, n) array_like
        Squared coherence from `wct`.
    coi : (n,) array_like
        Cone of influence (periods) from `wct`.
    period : (n_scales,) array_like
        Fourier periods (``1 / freq``).
    mask : (n_scales, n) array_like of bool, optional
        More points to leave out (e.g. a gap mask).

    Returns
    -------
    glbl : (n_scales,) ndarray
        Mean of ``WCT`` over the points with ``period <= coi`` and not masked; NaN at
        a period with none (periods longer than the cone allows anywhere).

    Notes
    -----
    The average of squared coherence, as plotted beside coherence maps after
    [2]_; it has no significance of its own here (the Monte Carlo thresholds of
    `wct_significance` are for local coherence).
    """
    WCT = np.asarray(WCT, dtype=np.float64)
    period = np.asarray(period, dtype=np.float64)
    coi = np.asarray(coi, dtype=np.float64)
    if WCT.ndim != 2 or WCT.shape != (period.size, coi.size):
        raise ValueError(
            f"`WCT` must have shape (len(period), len(coi)) = ({period.size}, {coi.size}) "
            f"(got {WCT.shape})"
        )
    outside = period[:, np.newaxis] <= coi[np.newaxis, :]
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != WCT.shape:
            raise ValueError(f"`mask` must have the shape of `WCT` {WCT.shape} (got {mask.shape})")
        outside &= ~mask
    n = outside.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(outside, WCT, 0.0).sum(axis=1) / n
