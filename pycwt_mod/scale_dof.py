"""Degrees of freedom of wavelet power averaged over a band of scales.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .mothers import get_wavelet

__all__ = ["ScaleAverageDof", "scale_average_dof"]


@dataclass(frozen=True)
class ScaleAverageDof:
    """The quantities of a scale average's chi-square test ([1]_, eq. 25 and 28).

    Attributes
    ----------
    index : (n_a,) ndarray of int
        Indices ``j1..j2`` of the scales averaged.
    n_a : int
        Number of scales averaged, ``j2 - j1 + 1``.
    s_avg : float
        ``1 / sum_j (1 / s_j)`` (eq. 25).
    s_mid : float
        ``s0 * 2**(0.5 (j1 + j2) dj)``: the middle of the scales averaged (eq. 28).
    dof : float
        ``nu = (2 n_a s_avg / s_mid) sqrt(1 + (n_a dj / dj0)**2)`` (eq. 28), the
        factor 2 being ``dofmin`` (1 for a real wavelet).
    """

    index: np.ndarray = field(repr=False, compare=False)
    n_a: int
    s_avg: float
    s_mid: float
    dof: float


def scale_average_dof(scales, s1: float, s2: float, wavelet="morlet") -> ScaleAverageDof:
    """Degrees of freedom of the power averaged over the scales in ``[s1, s2]``.

    Parameters
    ----------
    scales : (n_scales,) array_like
        The transform's scales ``s0 * 2**(j dj)``.
    s1, s2 : float
        Edges of the band, as scales (both inclusive).
    wavelet : str or Mother, optional
        Default ``"morlet"``; needs the tabulated ``deltaj0`` ([1]_, Table 2).

    Returns
    -------
    ScaleAverageDof

    Raises
    ------
    ValueError
        For no scale in ``[s1, s2]`` or a wavelet without tabulated factors.

    Notes
    -----
    ``s_mid`` is the middle of the scales actually averaged, as eq. 28 of [1]_ has
    it. pycwt 0.5 (after T&C's ``wave_signif``) takes the geometric mean of the
    edges ``s1``, ``s2`` instead, which differs whenever an edge is not one of the
    scales (e.g. a band given as 2-8 yr).

    Examples
    --------
    [1]_, Sec. 5b: Nino3 SST, dt = 0.25 yr, s0 = 2 dt, dj = 0.125, the 2-8 yr
    periods (the scales 2.0-7.34 yr) give n_a = 16, S_avg = 0.221 yr, S_mid = 3.83
    yr and nu = 6.44 (6.435 before rounding):

    >>> import numpy as np
    >>> d = scale_average_dof(0.5 * 2 ** (np.arange(57) / 8), 2 / 1.033, 8 / 1.033)
    >>> d.n_a, round(d.s_avg, 3), round(d.s_mid, 2), round(d.dof, 3)
    (16, 0.221, 3.83, 6.435)
    """
    mother = get_wavelet(wavelet)
    mother.check_tabulated("scale-averaged significance")
    scales = np.asarray(scales, dtype=np.float64)
    if scales.ndim != 1 or scales.size < 2 or not np.all(scales > 0):
        raise ValueError("`scales` must be a 1-D array of at least two positive scales")
    dj = np.log2(scales[1] / scales[0])
    sel = np.flatnonzero((scales >= s1) & (scales <= s2))
    if sel.size == 0:
        raise ValueError(f"No valid scales between {s1} and {s2}.")
    n_a = int(sel.size)
    s_avg = float(1 / np.sum(1.0 / scales[sel]))  # eq. 25
    s_mid = float(scales[0] * 2 ** (0.5 * (sel[0] + sel[-1]) * dj))  # eq. 28
    dof = mother.dofmin * n_a * s_avg / s_mid * np.sqrt(1 + (n_a * dj / mother.deltaj0) ** 2)
    return ScaleAverageDof(sel, n_a, s_avg, s_mid, float(dof))
