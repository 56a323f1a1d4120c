"""Continuous wavelet transform, its inverse and the cross wavelet transform.

All functions follow pycwt 0.5's names, parameters, defaults and return tuples, and
Torrence & Compo (1998) [1]_ and Grinsted et al. (2004) [2]_ for the method.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the
   cross wavelet transform and wavelet coherence to geophysical time series.
   Nonlinear Processes in Geophysics, 11, 561-566.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from scipy.stats import chi2

from ._validation import (
    as_series,
    check_positive,
    check_same_length,
    check_significance_level,
    resolve_J,
    resolve_s0,
)
from .grid import cone_of_influence, scale_grid
from .mothers import Mother, get_wavelet
from .significance import ar1 as _ar1
from .significance import ar1_spectrum
from .smoothing import next_pow2

__all__ = ["cone_of_influence", "cwt", "icwt", "scale_grid", "xwt"]

#: Threads used by scipy.fft when ``workers`` is not given (-1: all cores).
DEFAULT_WORKERS = -1

_DTYPES = {"float64": np.float64, "float32": np.float32}


def _real_dtype(dtype) -> type:
    if dtype is None:
        return np.float64
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in _DTYPES:
        raise ValueError(f"`dtype` must be one of {', '.join(_DTYPES)} (got {dtype!r})")
    return _DTYPES[name]


def _band_edges(lo: np.ndarray, hi: np.ndarray, omega: np.ndarray, npos: int) -> np.ndarray:
    """Per scale, index ranges of ``omega`` (fftfreq order) whose values lie in ``[lo, hi]``.

    Returns
    -------
    edges : (n_scales, 2, 2) int ndarray
        ``edges[j, p] = (start, stop)`` for the non-negative (p = 0) and negative
        (p = 1) frequencies; empty ranges have ``start >= stop``.
    """
    edges = np.empty((lo.size, 2, 2), dtype=np.int64)
    for p, (start, part) in enumerate(((0, omega[:npos]), (npos, omega[npos:]))):
        edges[:, p, 0] = start + np.searchsorted(part, lo, side="left")
        edges[:, p, 1] = start + np.searchsorted(part, hi, side="right")
    return edges


#: Python-loop overhead of one scale in the banded product, in element-operations.
_PER_SCALE_OVERHEAD = 8192


def _wavelet_product(
    signal_ft: np.ndarray, sj: np.ndarray, omega: np.ndarray, mother: Mother, out: np.ndarray
) -> None:
    """Fill ``out[j] = signal_ft * conj(daughter_j)``, skipping where the daughter is zero.

    Outside ``mother.ft_support()`` the daughter underflows to exactly 0.0 in
    float64, so the rows equal pycwt's full products. Large transforms loop over
    scales and evaluate each daughter only on its band (most of the ``exp`` work at
    large scales is skipped); small ones evaluate the whole grid at once, where the
    loop's overhead would dominate. Both give the same numbers.
    """
    N = omega.size
    npos = (N - 1) // 2 + 1
    norm = (sj * omega[1] * N) ** 0.5  # (2 pi s / dt)^(1/2), TC98 eq. 8
    lo, hi = mother.ft_support()
    real = out.real.dtype.type
    edges = _band_edges(lo / sj, hi / sj, omega, npos)
    covered = int(np.clip(edges[..., 1] - edges[..., 0], 0, None).sum())
    w = omega.astype(real, copy=False)
    if covered + sj.size * _PER_SCALE_OVERHEAD >= sj.size * N:
        arg = sj.astype(real)[:, np.newaxis] * w
        with np.errstate(over="ignore", invalid="ignore"):
            daughter = np.conj(mother.psi_ft(arg))
        if np.isfinite(lo) or np.isfinite(hi):  # zero outside the band (e.g. Paul's inf * 0)
            daughter[(arg < lo) | (arg > hi)] = 0
        np.multiply(signal_ft, norm.astype(real)[:, np.newaxis] * daughter, out=out)
        return
    for j, s in enumerate(sj):
        for a, b in edges[j]:
            if a < b:
                # Keep the working precision: a float64 scalar would upcast float32.
                sw = real(s) * w[a:b]
                out[j, a:b] = signal_ft[a:b] * (real(norm[j]) * np.conj(mother.psi_ft(sw)))


def cwt(
    signal,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    freqs=None,
    *,
    dtype=None,
    workers: int | None = None,
):
    """Continuous wavelet transform of a signal.

    Parameters
    ----------
    signal : (n,) array_like
        Real, finite series with at least 2 samples.
    dt : float
        Sample spacing, > 0.
    dj : float, optional
        Spacing between scales in octaves, default 1/12.
    s0 : float, optional
        Smallest scale; -1 (default) gives ``2 dt / flambda`` (a Fourier period of
        ``2 dt``).
    J : int, optional
        Number of scales less one; -1 (default) gives ``round(log2(n dt / s0) / dj)``.
    wavelet : str or Mother, optional
        ``"morlet"`` (default), ``"paul"``, ``"dog"``, ``"mexicanhat"`` or an object.
    freqs : (k,) array_like, optional
        Fourier frequencies to use instead of the ``s0``/``dj``/``J`` grid.
    dtype : {None, "float64", "float32"}, optional
        Working precision. None (default) is float64, whose output matches pycwt;
        float32 halves memory and time and returns complex64.
    workers : int, optional
        Threads for scipy.fft; default all cores.

    Returns
    -------
    W : (n_scales, n) complex ndarray
        Wavelet transform, ``n_scales = J + 1``.
    sj : (n_scales,) ndarray
        Scales ``s0 * 2**(j dj)``.
    freqs : (n_scales,) ndarray
        Fourier frequencies of the scales, in 1 / time units.
    coi : (n,) ndarray
        Cone of influence, in Fourier periods (time units).
    fft : (m,) complex ndarray
        Normalised FFT of the (zero-padded) signal, ``m = N // 2 - 1`` with ``N`` the
        padded length (next power of two).
    fftfreqs : (m,) ndarray
        Frequencies of ``fft``, in 1 / time units.

    Raises
    ------
    ValueError
        For a non-finite, non-1-D or too short signal, ``dt <= 0``, ``dj <= 0``,
        ``s0 <= 0``, a bad ``J``, ``freqs`` or ``dtype``, or an unknown wavelet.

    Notes
    -----
    Computed in Fourier space ([1]_, eq. 4): the signal is zero-padded to the next
    power of two, multiplied by each normalised daughter wavelet (eq. 6, 8) and
    transformed back; only the band where a daughter is non-zero is evaluated.

    Examples
    --------
    >>> import numpy as np
    >>> import pycwt_mod as wavelet
    >>> t = np.arange(512)
    >>> W, sj, freqs, coi, _, _ = wavelet.cwt(np.sin(2 * np.pi * t / 32), 1.0)
    >>> W.shape == (sj.size, 512)
    True
    """
    mother = get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    real = _real_dtype(dtype)
    complex_ = np.complex64 if real is np.float32 else np.complex128
    x = as_series(signal, "signal").astype(real, copy=False)
    workers = DEFAULT_WORKERS if workers is None else workers
    n0 = x.size

    if freqs is None:
        s0 = resolve_s0(s0, dt, mother.flambda())
        J = resolve_J(J, n0, dt, s0, dj)
        sj = s0 * 2 ** (np.arange(0, J + 1) * dj)
        freqs = 1 / (mother.flambda() * sj)
    else:
        freqs = np.asarray(freqs, dtype=np.float64)
        if freqs.ndim != 1 or freqs.size < 1 or not np.all(np.isfinite(freqs) & (freqs > 0)):
            raise ValueError("`freqs` must be a 1-D array of positive, finite frequencies")
        sj = 1 / (mother.flambda() * freqs)

    N = next_pow2(n0)
    signal_ft = scipy.fft.fft(x, n=N, workers=workers)
    omega = 2 * np.pi * scipy.fft.fftfreq(N, dt)
    prod = np.zeros((sj.size, N), dtype=complex_)
    _wavelet_product(signal_ft, sj, omega, mother, prod)
    W = scipy.fft.ifft(prod, axis=1, workers=workers, overwrite_x=True)

    # Drop scales whose transform is all NaN, as pycwt does.
    if np.isnan(W[:, 0]).any():
        sel = ~np.isnan(W).all(axis=1)
        if sel.any():
            sj, freqs, W = sj[sel], freqs[sel], W[sel, :]

    coi = cone_of_influence(n0, dt, mother)
    return (
        W[:, :n0],
        sj,
        freqs,
        coi,
        signal_ft[1 : N // 2] / N**0.5,
        omega[1 : N // 2] / (2 * np.pi),
    )


def icwt(W, sj, dt: float, dj: float = 1 / 12, wavelet="morlet") -> np.ndarray:
    """Inverse continuous wavelet transform ([1]_, eq. 11).

    Parameters
    ----------
    W : (n_scales, n) complex ndarray
        Wavelet transform from `cwt` (the transpose is accepted too).
    sj : (n_scales,) ndarray
        Scales from `cwt`.
    dt : float
        Sample spacing.
    dj : float, optional
        Scale spacing used in `cwt`, default 1/12.
    wavelet : str or Mother, optional
        Default ``"morlet"``; needs the reconstruction factor ``cdelta`` of Table 2.

    Returns
    -------
    iW : (n,) ndarray
        Reconstructed signal (real; pycwt returns the same values as complex).

    Raises
    ------
    ValueError
        If the shapes do not match or the wavelet has no tabulated ``cdelta``.
    """
    mother = get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    mother.check_tabulated("icwt")
    W = np.asarray(W)
    sj = np.asarray(sj, dtype=np.float64)
    if W.ndim != 2 or sj.ndim != 1:
        raise ValueError(f"`W` must be 2-D and `sj` 1-D (got {W.shape} and {sj.shape})")
    if W.shape[0] == sj.size:
        scale_axis = 0
    elif W.shape[1] == sj.size:
        scale_axis = 1
    else:
        raise ValueError(f"`W` of shape {W.shape} does not match {sj.size} scales")
    s = sj[:, np.newaxis] if scale_axis == 0 else sj[np.newaxis, :]
    psi0 = float(np.real(mother.psi(0)))
    return (
        dj * np.sqrt(dt) / (mother.cdelta * psi0) * (np.real(W) / np.sqrt(s)).sum(axis=scale_axis)
    )


def _pair(y1, y2, normalize: bool):
    y1 = as_series(y1, "y1").astype(np.float64, copy=False)
    y2 = as_series(y2, "y2").astype(np.float64, copy=False)
    check_same_length(y1, y2)
    std1, std2 = y1.std(), y2.std()
    if normalize:
        if std1 == 0 or std2 == 0:
            raise ValueError("cannot normalize a constant series (its standard deviation is 0)")
        return y1, y2, (y1 - y1.mean()) / std1, (y2 - y2.mean()) / std2, 1.0, 1.0
    return y1, y2, y1, y2, std1, std2


def xwt(
    y1,
    y2,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    significance_level: float = 0.95,
    wavelet="morlet",
    normalize: bool = True,
    *,
    ar1: tuple[float, float] | None = None,
):
    """Cross wavelet transform of two series ([2]_, Sec. 3).

    Parameters
    ----------
    y1, y2 : (n,) array_like
        Series of equal length.
    dt, dj, s0, J, wavelet
        As in `cwt`.
    significance_level : float, optional
        Default 0.95.
    normalize : bool, optional
        Standardise both series first (default True).
    ar1 : (float, float), optional
        Lag-1 coefficients of the two red-noise backgrounds (default: `ar1` of
        each series; `pycwt_mod.pipeline` passes its `fit_ar1` estimates).

    Returns
    -------
    W12 : (n_scales, n) complex ndarray
        ``W1 * conj(W2)``.
    coi : (n,) ndarray
        Cone of influence.
    freq : (n_scales,) ndarray
        Fourier frequencies.
    signif : (n_scales,) ndarray
        Cross-wavelet power significant at ``significance_level`` against two AR(1)
        backgrounds ([2]_, eq. 4).

    Notes
    -----
    The significance uses the chi-square PPF, ``Z_v(p) = chi2.ppf(p, v)``, rather
    than the tabulated ``Z_2(95%) = 3.999`` of [2]_.
    """
    mother = get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    significance_level = check_significance_level(significance_level)
    y1, y2, y1n, y2n, std1, std2 = _pair(y1, y2, normalize)
    kw = dict(dj=dj, s0=s0, J=J, wavelet=mother)
    W1, _, freq, coi, _, _ = cwt(y1n, dt, **kw)
    W2, _, _, _, _, _ = cwt(y2n, dt, **kw)
    W12 = W1 * W2.conj()
    a1, a2 = (_ar1(y1)[0], _ar1(y2)[0]) if ar1 is None else ar1
    Pk1 = ar1_spectrum(freq * dt, a1)
    Pk2 = ar1_spectrum(freq * dt, a2)
    dof = mother.dofmin
    PPF = chi2.ppf(significance_level, dof)
    signif = std1 * std2 * (Pk1 * Pk2) ** 0.5 * PPF / dof
    return W12, coi, freq, signif
