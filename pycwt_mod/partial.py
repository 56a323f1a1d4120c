"""Partial and multiple wavelet coherence, with their Monte Carlo significance.

`partial_wct` and `multiple_wct` follow `pycwt_mod.wct`'s parameters, defaults and
return tuple for several series; the numerics (the smoothed cross-spectral matrix
and its conditional spectra, with the equations) are in `pycwt_mod.conditional`.
With ``sig=True`` they call the Monte Carlo engine
(`pycwt_mod.montecarlo.multivariate_significance`).

References
----------
.. [1] Mihanovic, H., Orlic, M. and Pasaric, Z. (2009). Diurnal thermocline
   oscillations driven by tidal flow around an island in the Middle Adriatic.
   Journal of Marine Systems, 78, S157-S168.
.. [2] Ng, E. K. W. and Chan, J. C. L. (2012). Geophysical applications of partial
   wavelet coherence and multiple wavelet coherence. Journal of Atmospheric and
   Oceanic Technology, 29, 1845-1853.
.. [3] Hu, W. and Si, B. C. (2016). Technical note: Multiple wavelet coherence for
   untangling scale-specific and localized multivariate relationships in
   geosciences. Hydrology and Earth System Sciences, 20, 3183-3191.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import check_significance_level
from .conditional import cross_spectral_matrix, multiple_coherence, partial_coherence
from .montecarlo.multivariate import multivariate_significance
from .significance import ar1

__all__ = ["multiple_wct", "partial_wct"]


def _others(z, name: str) -> list:
    """``z`` as a list of series: one 1-D series, a sequence of them, or a (m, n) array."""
    if isinstance(z, np.ndarray) and z.ndim == 1:
        return [z]
    if isinstance(z, np.ndarray) and z.ndim == 2:
        return list(z)
    z = list(z)
    if z and np.ndim(z[0]) == 0:  # a plain list of numbers is one series
        return [np.asarray(z, dtype=float)]
    if not z:
        raise ValueError(f"`{name}` must hold at least one series")
    return z


def _significance(kind, series, dt, dj, s0, J, level, mother, kwargs):
    red = kwargs.get("surrogate", "ar1") == "ar1"
    al = [ar1(x)[0] for x in series] if red else None
    return multivariate_significance(
        kind, al, dt=dt, dj=dj, s0=s0, J=J, significance_level=level, wavelet=mother,
        **{"data": series, **kwargs},
    )  # fmt: skip


def partial_wct(
    y,
    x,
    z,
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
    """Partial wavelet coherence of ``y`` and ``x`` with the influence of ``z`` removed.

    ``R^2_{yx|z} = |S_{yx|z}|^2 / (S_{yy|z} S_{xx|z})`` from the conditional spectra
    ``S_{ab|z} = S_ab - S_az S_zz^-1 S_zb`` of the smoothed cross-spectral matrix
    (Mihanovic et al. 2009 [1]_, Ng & Chan 2012 [2]_; `pycwt_mod.conditional`). With
    one removed series this is Mihanovic's
    ``|R_yx - R_yz R_zx|^2 / ((1 - R^2_yz)(1 - R^2_xz))``.

    Parameters
    ----------
    y, x : (n,) array_like
        Response and predictor, of equal length.
    z : (n,) array_like, sequence of them, or (m, n) array_like
        The series whose influence is removed (one or more).
    dt, dj, s0, J, wavelet, normalize
        As in `pycwt_mod.wct`.
    sig : bool, optional
        Compute the Monte Carlo significance (default True).
    significance_level : float, optional
        Default 0.95.
    **kwargs
        Passed to `pycwt_mod.montecarlo.multivariate_significance` (``mc_count``,
        ``backend``, ``seed``, ``surrogate``, ...). The null hypothesis is that all
        ``2 + m`` series are mutually independent, each red noise of its own lag-1
        coefficient (default), or with ``surrogate="phase"``/``"iaaft"`` surrogates
        of each series.

    Returns
    -------
    PWCT : (n_scales, n) ndarray
        Squared partial coherence in [0, 1].
    aPWCT : (n_scales, n) ndarray
        Partial phase ``arg S_{yx|z}``, radians (positive: ``y`` leads, as `wct`).
    coi : (n,) ndarray
    freq : (n_scales,) ndarray
    sig : (n_scales,) ndarray
        Per-scale threshold at ``significance_level`` when ``sig`` is True,
        otherwise ``array([0])``.

    Raises
    ------
    ValueError
        For unequal lengths, a bad or constant series, no ``z``, bad parameters or
        a wavelet without ``deltaj0``.

    Notes
    -----
    A removed series independent of ``y`` and ``x`` leaves the partial coherence
    close to the ordinary one (it still costs the estimate degrees of freedom, so
    the null thresholds are higher); a series driving both makes it drop. Where
    the smoothing window spans fewer independent samples than there are series
    (the largest scales, inside the cone of influence) the matrix is near singular
    and the values mean little.

    Examples
    --------
    >>> import numpy as np
    >>> import pycwt_mod as wavelet
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(256)
    >>> y, x = z + 0.3 * rng.standard_normal(256), z + 0.3 * rng.standard_normal(256)
    >>> P, aP, coi, freq, _ = wavelet.partial_wct(y, x, z, 1.0, dj=0.25, sig=False)
    >>> R2, *_ = wavelet.wct(y, x, 1.0, dj=0.25, sig=False)
    >>> bool(P.mean() < R2.mean() - 0.3)
    True
    """
    others = _others(z, "z")
    names = ["y", "x"] + (["z"] if len(others) == 1 else [f"z[{i}]" for i in range(len(others))])
    significance_level = check_significance_level(significance_level)
    M = cross_spectral_matrix(
        [y, x, *others], dt, dj, s0, J, wavelet, normalize, names=names
    )  # fmt: skip
    P, phase = partial_coherence(M)
    if sig:
        series = [np.asarray(v, dtype=np.float64) for v in (y, x, *others)]
        sig = _significance(
            "partial", series, dt, dj, M.scales[0], M.scales.size - 1, significance_level,
            wavelet, kwargs,
        )  # fmt: skip
    else:
        sig = np.asarray([0])
    return P, phase, M.coi, M.freqs, sig


def multiple_wct(
    y,
    xs: Sequence,
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
    """Multiple wavelet coherence of ``y`` with the predictors ``xs`` together.

    ``R^2_{y|X} = S_yX S_XX^-1 S_Xy / S_yy = 1 - det(S) / (S_yy det(S_XX))`` of the
    smoothed cross-spectral matrix (Ng & Chan 2012 [2]_, Hu & Si 2016 [3]_;
    `pycwt_mod.conditional`): the share of the response's smoothed power that the
    predictors explain together, at each scale and time. With one predictor it is
    `pycwt_mod.wct`'s coherence.

    Parameters
    ----------
    y : (n,) array_like
        The response.
    xs : sequence of (n,) array_like, or (m, n) array_like
        One or more predictors.
    dt, dj, s0, J, sig, significance_level, wavelet, normalize, **kwargs
        As in `partial_wct` (the null: the ``1 + m`` series mutually independent).

    Returns
    -------
    MWCT : (n_scales, n) ndarray
        Squared multiple coherence in [0, 1].
    coi : (n,) ndarray
    freq : (n_scales,) ndarray
    sig : (n_scales,) ndarray
        Per-scale threshold, or ``array([0])`` when ``sig`` is False.

    Raises
    ------
    ValueError
        As `partial_wct`.

    Notes
    -----
    Each extra predictor raises the multiple coherence of unrelated series (fewer
    degrees of freedom left), and so its thresholds: compare with the Monte Carlo
    thresholds, not with those of the ordinary coherence.
    """
    preds = _others(xs, "xs")
    names = ["y"] + (["xs"] if len(preds) == 1 else [f"xs[{i}]" for i in range(len(preds))])
    significance_level = check_significance_level(significance_level)
    M = cross_spectral_matrix([y, *preds], dt, dj, s0, J, wavelet, normalize, names=names)
    R2 = multiple_coherence(M)
    if sig:
        series = [np.asarray(v, dtype=np.float64) for v in (y, *preds)]
        sig = _significance(
            "multiple", series, dt, dj, M.scales[0], M.scales.size - 1, significance_level,
            wavelet, kwargs,
        )  # fmt: skip
    else:
        sig = np.asarray([0])
    return R2, M.coi, M.freqs, sig
