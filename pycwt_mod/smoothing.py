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
import scipy.fft

__all__ = [
    "ScaleSmoother",
    "boxcar_window",
    "filter_bands",
    "next_pow2",
    "scale_matrix",
    "smooth",
    "smooth_scale",
    "smooth_time",
    "time_filter",
]


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
    fft = fft_module(xp)
    kw = {"workers": workers} if xp is np else {}
    real = not xp.iscomplexobj(W)
    spec = fft.rfft(W, n=npad, axis=-1, **kw) if real else fft.fft(W, n=npad, axis=-1, **kw)
    spec *= F
    if real:
        T = fft.irfft(spec, n=npad, axis=-1, overwrite_x=True, **kw)
    else:
        T = fft.ifft(spec, axis=-1, overwrite_x=True, **kw)
    return T[..., :n]


def filter_bands(F: np.ndarray, rtol: float = 1e-18) -> tuple[tuple[slice, ...], ...]:
    """Per row of ``F``, the index ranges where ``|F| > rtol * max|F|``.

    Terms below float64 resolution relative to the row's largest weight cannot
    change a sum, so a product may skip them.
    """
    F = np.abs(np.asarray(F))
    keep = F > rtol * F.max(axis=-1, keepdims=True)
    out = []
    for row in keep:
        edges = np.flatnonzero(np.diff(np.r_[0, row.astype(np.int8), 0]))
        runs = zip(edges[::2], edges[1::2], strict=True)
        out.append(tuple(slice(int(a), int(b)) for a, b in runs))
    return tuple(out)


def scale_matrix(win: np.ndarray, n_scales: int) -> np.ndarray:
    """Banded matrix ``M`` with ``M @ T`` equal to `smooth_scale` of ``T``.

    Row ``i`` holds ``win[j]`` at column ``i + (k - 1) // 2 - j``, as in
    ``scipy.signal.convolve2d(T, win[:, None], "same")``.

    Returns
    -------
    M : (n_scales, n_scales) ndarray
    """
    k = win.size
    off = (k - 1) // 2
    M = np.zeros((n_scales, n_scales))
    rows = np.arange(n_scales)
    for j, weight in enumerate(win):
        cols = rows + off - j
        ok = (cols >= 0) & (cols < n_scales)
        M[rows[ok], cols[ok]] += weight
    return M


class ScaleSmoother:
    """Convolution along the scale axis with a short window, "same" mode.

    Equivalent to ``scipy.signal.convolve2d(T, win[:, None], "same")`` for a 2-D
    ``T``, on batches ``(..., n_scales, n)``, real or complex, numpy or cupy. The
    banded matrix of `scale_matrix` is applied block by block (``block`` output
    scales at a time, each against only the input scales it touches), so BLAS
    skips the zeros of the band.

    Parameters
    ----------
    win : (k,) ndarray
        Window, e.g. from `boxcar_window`.
    n_scales : int
        Number of scales of the arrays it will smooth.
    xp : module
        numpy or cupy.
    block : int
        Output scales per matrix product.
    """

    def __init__(self, win: np.ndarray, n_scales: int, xp=np, block: int = 8):
        M = scale_matrix(np.asarray(win, dtype=np.float64), n_scales)
        self.xp = xp
        self.blocks = []
        for r0 in range(0, n_scales, block):
            r1 = min(n_scales, r0 + block)
            cols = np.flatnonzero(M[r0:r1].any(axis=0))
            c0, c1 = int(cols[0]), int(cols[-1]) + 1
            self.blocks.append((r0, r1, c0, c1, xp.asarray(np.ascontiguousarray(M[r0:r1, c0:c1]))))

    def __call__(self, T):
        xp = self.xp
        T = xp.ascontiguousarray(T)  # BLAS is several times slower on strided operands
        # A real matrix acts on real and imaginary parts alike: view complex data as
        # interleaved floats and do real products.
        V = T.view(T.real.dtype) if xp.iscomplexobj(T) else T
        out = xp.empty_like(V)
        for r0, r1, c0, c1, Mb in self.blocks:
            xp.matmul(Mb, V[..., c0:c1, :], out=out[..., r0:r1, :])
        return out.view(T.dtype)


def smooth_scale(T, win: np.ndarray, xp=np):
    """Convolve ``T`` (..., n_scales, n) along the scale axis with ``win`` ("same").

    See `ScaleSmoother`, which this builds for one call.
    """
    return ScaleSmoother(win, T.shape[-2], xp)(T)


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


def fft_module(xp):
    """The FFT module for array module ``xp``: scipy.fft for numpy, else ``xp.fft``."""
    return scipy.fft if xp is np else xp.fft
