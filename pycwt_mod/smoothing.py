"""Time and scale smoothing of wavelet spectra, for wavelet coherence.

The smoothing operator ``S`` of Grinsted et al. (2004), eq. (5)-(6), applied to
arrays whose last two axes are ``(scales, time)``; any leading axes (a batch of
Monte Carlo surrogates, say) are carried along. The functions take an array
module ``xp`` (numpy or cupy), so the same code runs on the CPU and the GPU.

References
----------
.. [1] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the
   cross wavelet transform and wavelet coherence to geophysical time series.
   Nonlinear Processes in Geophysics, 11, 561-566.
.. [2] Torrence, C. and Webster, P. J. (1999). Interdecadal changes in the
   ENSO-monsoon system. Journal of Climate, 12, 2679-2690.
.. [3] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet
   analysis. Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

import numpy as np

__all__ = ["boxcar_window", "next_pow2", "smooth", "smooth_scale", "smooth_time", "time_filter"]


def next_pow2(n: int) -> int:
    """Smallest power of two >= ``n`` (the FFT length pycwt pads to)."""
    return int(2 ** np.ceil(np.log2(n)))


def boxcar_window(deltaj0: float, dj: float) -> np.ndarray:
    """Normalised boxcar ``[0.5, 1, ..., 1, 0.5]`` spanning ``2 deltaj0`` in scale.

    Parameters
    ----------
    deltaj0 : float
        Scale decorrelation length of the mother wavelet ([3]_, Table 2).
    dj : float
        Spacing between scales, in octaves.

    Returns
    -------
    win : (k,) ndarray
        Weights summing to one, ``k = max(1, round(2 deltaj0 / dj))``.
    """
    size = max(1, int(np.round(deltaj0 / dj * 2)))
    win = np.ones(size)
    win[0] = win[-1] = 0.5
    return win / win.sum()


def time_filter(scales: np.ndarray, dt: float, n: int, real: bool = False) -> np.ndarray:
    """Fourier-domain Gaussian of width ``scale`` for every scale.

    Parameters
    ----------
    scales : (n_scales,) ndarray
        Wavelet scales.
    dt : float
        Sample spacing.
    n : int
        Number of samples; the filter is built for the padded length ``next_pow2(n)``.
    real : bool
        If True, return only the non-negative frequencies (for ``rfft`` input).

    Returns
    -------
    F : (n_scales, m) ndarray
        ``exp(-0.5 (s/dt)^2 k^2)`` with ``k`` the angular frequency in radians per
        sample; ``m`` is ``next_pow2(n)``, or ``next_pow2(n) // 2 + 1`` if ``real``.
    """
    npad = next_pow2(n)
    freqs = np.fft.rfftfreq(npad) if real else np.fft.fftfreq(npad)
    k2 = (2 * np.pi * freqs) ** 2
    snorm = np.asarray(scales, dtype=float) / dt
    return np.exp(-0.5 * (snorm[:, np.newaxis] ** 2) * k2)


def smooth_time(W, F, xp=np, workers: int | None = None):
    """Convolve every scale of ``W`` in time with its Gaussian window.

    Parameters
    ----------
    W : (..., n_scales, n) ndarray
        Real or complex spectrum.
    F : (n_scales, m) ndarray
        Output of `time_filter` for the same scales, with ``real=True`` if ``W`` is
        real and ``real=False`` if it is complex (``xp`` array).
    xp : module
        numpy or cupy.
    workers : int, optional
        Threads for scipy.fft (ignored by cupy).

    Returns
    -------
    T : (..., n_scales, n) ndarray
        Smoothed spectrum, real if ``W`` is real.
    """
    n = W.shape[-1]
    npad = next_pow2(n)
    fft = _fft_module(xp)
    kw = {"workers": workers} if xp is np else {}
    if xp.iscomplexobj(W):
        T = fft.ifft(F * fft.fft(W, n=npad, axis=-1, **kw), axis=-1, **kw)
    else:
        T = fft.irfft(F * fft.rfft(W, n=npad, axis=-1, **kw), n=npad, axis=-1, **kw)
    return T[..., :n]


def smooth_scale(T, win: np.ndarray, xp=np):
    """Convolve along the scale axis with ``win``, keeping the shape ("same" mode).

    Equivalent to ``scipy.signal.convolve2d(T, win[:, None], "same")`` for a 2-D
    ``T``, written as a sum of shifted slices so it works on batches and on cupy.
    """
    k = win.size
    if k == 1:
        return T * float(win[0])
    m = T.shape[-2]
    off = (k - 1) // 2
    out = xp.zeros_like(T)
    for j, weight in enumerate(win.tolist()):
        # out[i] += weight * T[i + off - j] for 0 <= i + off - j < m
        shift = off - j
        lo, hi = max(0, -shift), min(m, m - shift)
        if lo < hi:
            out[..., lo:hi, :] += weight * T[..., lo + shift : hi + shift, :]
    return out


def smooth(W, dt: float, dj: float, scales: np.ndarray, deltaj0: float, xp=np, workers=None):
    """Smooth a wavelet spectrum in time then in scale ([1]_, eq. 5-6; [2]_).

    Parameters
    ----------
    W : (..., n_scales, n) ndarray
        Spectrum divided by scale, e.g. ``|W|**2 / s``.
    dt, dj : float
        Sample spacing and scale spacing.
    scales : (n_scales,) ndarray
        Wavelet scales.
    deltaj0 : float
        Scale decorrelation length of the mother wavelet.
    xp : module
        numpy or cupy.
    workers : int, optional
        Threads for scipy.fft.

    Returns
    -------
    S : (..., n_scales, n) ndarray
        Smoothed spectrum, same dtype kind as ``W``.
    """
    F = time_filter(scales, dt, W.shape[-1], real=not xp.iscomplexobj(W))
    if xp is not np:
        F = xp.asarray(F)
    T = smooth_time(W, F, xp=xp, workers=workers)
    return smooth_scale(T, boxcar_window(deltaj0, dj), xp=xp)


def _fft_module(xp):
    if xp is np:
        import scipy.fft

        return scipy.fft
    return xp.fft
