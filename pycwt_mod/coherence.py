"""Wavelet coherence, pycwt-compatible, with its Monte Carlo significance.

`wct` follows pycwt 0.5's name, parameters, defaults and return tuple, and
Grinsted et al. (2004) for the method. With ``sig=True`` it calls the Monte Carlo
engine (`pycwt_mod.montecarlo.wct_significance`); the transforms
(`pycwt_mod.transform`, which lists the references) stay a leaf that imports no
engine.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive, check_significance_level, resolve_J, resolve_s0
from .montecarlo.engine import wct_significance
from .mothers import get_wavelet
from .significance import ar1
from .smoothing import smooth as _smooth
from .transform import DEFAULT_WORKERS, _pair, cwt

__all__ = ["wct"]


def wct(
    y1,
    y2,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    sig: bool = True,
    significance_level: float = 0.95,
    wavelet="morlet",
    normalize: bool = True,
    **kwargs,
):
    """Wavelet coherence of two series (Grinsted et al. 2004, eq. 5-6).

    Parameters
    ----------
    y1, y2 : (n,) array_like
        Series of equal length.
    dt, dj, s0, J, wavelet
        As in `cwt`. The wavelet needs a tabulated ``deltaj0`` for smoothing (see
        `Mother.smooth`).
    sig : bool, optional
        Compute the Monte Carlo significance (default True, as in pycwt).
    significance_level : float, optional
        Default 0.95.
    normalize : bool, optional
        Standardise both series first (default True).
    **kwargs
        Passed to `wct_significance` (``mc_count``, ``backend``, ``seed``,
        ``surrogate``, ...). With ``surrogate="phase"`` or ``"iaaft"`` the
        surrogates resample ``y1`` and ``y2`` themselves (no AR(1) fit).

    Returns
    -------
    WCT : (n_scales, n) ndarray
        Squared coherence ``R^2`` in [0, 1].
    aWCT : (n_scales, n) ndarray
        Phase angle of the (unsmoothed) cross wavelet transform, radians, as in
        pycwt.
    coi : (n,) ndarray
        Cone of influence.
    freq : (n_scales,) ndarray
        Fourier frequencies.
    sig : (n_scales,) ndarray
        Coherence significant at ``significance_level`` per scale when ``sig`` is
        True, otherwise ``array([0])``.

    Raises
    ------
    ValueError
        For unequal lengths, bad parameters or a wavelet without ``deltaj0``.
    """
    mother = get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    significance_level = check_significance_level(significance_level)
    mother.require_deltaj0("wavelet coherence")
    y1, y2, y1n, y2n, _, _ = _pair(y1, y2, normalize)
    s0 = resolve_s0(s0, dt, mother.flambda())
    J = resolve_J(J, y1.size, dt, s0, dj)

    kw = dict(dj=dj, s0=s0, J=J, wavelet=mother)
    W1, sj, freq, coi, _, _ = cwt(y1n, dt, **kw)
    W2, _, _, _, _, _ = cwt(y2n, dt, **kw)
    inv_s = 1.0 / sj[:, np.newaxis]
    W12 = W1 * W2.conj()
    S1 = _smooth(np.abs(W1) ** 2 * inv_s, dt, dj, sj, mother.deltaj0, workers=DEFAULT_WORKERS)
    S2 = _smooth(np.abs(W2) ** 2 * inv_s, dt, dj, sj, mother.deltaj0, workers=DEFAULT_WORKERS)
    S12 = _smooth(W12 * inv_s, dt, dj, sj, mother.deltaj0, workers=DEFAULT_WORKERS)
    WCT = np.abs(S12) ** 2 / (S1 * S2)
    aWCT = np.angle(W12)

    if sig:
        # red noise of each series' AR(1), or surrogates drawn from the series
        red = kwargs.get("surrogate", "ar1") == "ar1"
        a1 = ar1(y1)[0] if red else 0.0
        a2 = ar1(y2)[0] if red else 0.0
        sig = wct_significance(
            a1, a2, dt=dt, dj=dj, s0=s0, J=J, significance_level=significance_level,
            wavelet=mother, **{"data": (y1, y2), **kwargs},
        )  # fmt: skip
    else:
        sig = np.asarray([0])
    return WCT, aWCT, coi, freq, sig
