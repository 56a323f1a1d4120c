"""A series rebuilt from selected wavelet coefficients (Torrence & Compo 1998, eq. 29).

The inverse transform (`icwt`, [1]_ eq. 11) over a band of periods, optionally
only from the coefficients outside the cone of influence and significant against
a background, as WaveletComp's ``reconstruct`` ([2]_) does.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Roesch, A. and Schmidbauer, H. (2018). WaveletComp: Computational Wavelet
   Analysis. R package version 1.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .mothers import get_wavelet
from .selection import select_coefficients
from .transform import icwt

__all__ = ["Reconstruction", "reconstruct"]


@dataclass(frozen=True)
class Reconstruction:
    """Result of `reconstruct`.

    Attributes
    ----------
    series : (n,) ndarray
        The reconstructed series, in the unit of the transformed series (without
        its mean: no scale of the transform holds it).
    used : (n_scales, n) ndarray of bool
        The coefficients summed (the others count as zero).
    period_range : (float, float)
        Shortest and longest period of the scales summed (NaN, NaN if none).
    """

    series: np.ndarray = field(repr=False, compare=False)
    used: np.ndarray = field(repr=False, compare=False)
    period_range: tuple[float, float]

    @property
    def fraction_used(self) -> float:
        """Share of all coefficients that were summed."""
        return float(self.used.mean())


def reconstruct(
    W,
    scales,
    dt: float,
    dj: float,
    wavelet="morlet",
    *,
    band: tuple[float, float] | None = None,
    coi=None,
    significant=None,
) -> Reconstruction:
    """Inverse wavelet transform from a band of periods and, optionally, only the
    coefficients outside the cone of influence and significant.

    Parameters
    ----------
    W : (n_scales, n) complex array_like
        Wavelet transform from `cwt`.
    scales : (n_scales,) array_like
        Scales from `cwt`.
    dt, dj : float
        Sample spacing and scale spacing used in `cwt`.
    wavelet : str or Mother, optional
        Default ``"morlet"``; needs the tabulated ``cdelta`` ([1]_, Table 2).
    band : (float, float), optional
        Shortest and longest Fourier period summed, both inclusive (in the unit of
        ``dt``); default all.
    coi : (n,) array_like, optional
        Cone of influence from `cwt`: when given, only the coefficients with
        ``period <= coi`` are summed.
    significant : (n_scales, n) array_like of bool, optional
        When given, only the coefficients where it is True (e.g. ``power >
        sig95[:, None]`` of a chi-square test, or a Monte Carlo mask).

    Returns
    -------
    Reconstruction

    Raises
    ------
    ValueError
        For shapes that do not match, a band holding no period, or a wavelet
        without tabulated ``cdelta``.

    Notes
    -----
    ``x'_n = (dj dt^(1/2) / (C_delta psi_0(0))) sum_{j=j1}^{j2} Re(W_n(s_j)) /
    s_j^(1/2)`` over the coefficients kept ([1]_, eq. 29, the band-pass filter of
    Sec. 6a). The full band with no other selection is `icwt` exactly. A
    coefficient left out counts as zero: the result is no longer a band-pass
    filter of the series, but the part of it the selection retains
    (WaveletComp's ``reconstruct`` with ``only.sig`` and ``only.coi``; without
    its rescaling to the variance of the series).
    """
    mother = get_wavelet(wavelet)
    W = np.asarray(W)
    scales = np.asarray(scales, dtype=np.float64)
    if W.ndim != 2 or scales.ndim != 1 or W.shape[0] != scales.size:
        raise ValueError(
            f"`W` must be (n_scales, n) with n_scales = len(scales) = {scales.size} "
            f"(got shape {W.shape})"
        )
    period = mother.flambda() * scales
    used = select_coefficients(period, W.shape[1], band=band, coi=coi, significant=significant)
    rows = np.flatnonzero(used.any(axis=1))
    if band is None and coi is None and significant is None:
        series = icwt(W, scales, dt, dj, mother)
    elif rows.size == 0:
        icwt(W[:1], scales[:1], dt, dj, mother)  # the same checks of dt, dj, wavelet
        series = np.zeros(W.shape[1])
    else:
        series = icwt(np.where(used[rows], W[rows], 0), scales[rows], dt, dj, mother)
    span = (float(period[rows[0]]), float(period[rows[-1]])) if rows.size else (np.nan, np.nan)
    return Reconstruction(series, used, span)
