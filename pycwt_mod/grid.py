"""The scale grid and the cone of influence of a transform (a leaf of the library).

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

import numpy as np

from ._validation import resolve_J, resolve_s0
from .mothers import get_wavelet

__all__ = ["cone_of_influence", "scale_grid"]


def scale_grid(n: int, dt: float, dj: float, s0=-1, J=-1, wavelet="morlet") -> np.ndarray:
    """Scales ``s0 * 2**(j dj)``, ``j = 0..J``, with pycwt's defaults for s0 and J.

    Parameters
    ----------
    n : int
        Number of samples of the series.
    dt, dj : float
        Sample spacing and scale spacing (octaves).
    s0 : float, optional
        Smallest scale; -1 (default) gives ``2 dt / flambda``.
    J : int, optional
        Number of scales less one; -1 (default) gives ``round(log2(n dt / s0) / dj)``.
    wavelet : str or Mother, optional
        Default ``"morlet"``.

    Returns
    -------
    sj : (J + 1,) ndarray
        The scales.
    """
    mother = get_wavelet(wavelet)
    s0 = resolve_s0(s0, dt, mother.flambda())
    J = resolve_J(J, n, dt, s0, dj)
    return s0 * 2 ** (np.arange(0, J + 1) * dj)


def cone_of_influence(n: int, dt: float, wavelet="morlet") -> np.ndarray:
    """Cone of influence in Fourier periods, one value per sample.

    Triangular (Bartlett) window with non-zero end points, times
    ``flambda * coi * dt`` ([1]_, Sec. 3g).

    Returns
    -------
    coi : (n,) ndarray
    """
    mother = get_wavelet(wavelet)
    coi = n / 2 - np.abs(np.arange(0, n) - (n - 1) / 2)
    return mother.flambda() * mother.coi() * dt * coi
