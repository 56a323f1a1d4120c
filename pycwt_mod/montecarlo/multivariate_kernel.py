"""Batched partial and multiple coherence histograms of surrogate sets.

A leaf module, as `pycwt_mod.montecarlo.kernel` (whose groups of scales, wavelet
operators and boxcar in scale it reuses): numpy, or cupy as ``xp``; no backend, no
engine. Each surrogate set (one series of each of the ``k`` backgrounds) is
transformed in one batched FFT over ``(sets, k, scales, time)``; the ``k`` auto- and
``k (k - 1) / 2`` cross-spectra are smoothed as in the pair kernel (Gaussian in
time, boxcar in scale, at the points outside the cone of influence only), and the
coherence of the plan's kind comes from `pycwt_mod.conditional`'s elementwise sweep.
Every operation is elementwise or a fixed-size FFT of one row, so a set's values do
not depend on the batch it is computed in: the CPU backends and chunkings give the
same bits.
"""

from __future__ import annotations

import functools

import numpy as np

from ..conditional import multiple_from_spectra, partial_from_spectra
from ..smoothing import fft_module
from .kernel import BATCH_BYTES, _group_operators, _scale_boxcar
from .multivariate_plan import MultivariatePlan, multivariate_noise
from .plan import surrogate_groups

__all__ = ["run_multivariate_chunk"]


@functools.lru_cache(maxsize=8)
def _operators(plan: MultivariatePlan, xp) -> tuple:
    return tuple(_group_operators(plan, g, xp) for g in surrogate_groups(plan))


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(k) for j in range(i + 1, k)]


def _group_bins(noise, plan: MultivariatePlan, g, xp, workers) -> object:
    """Flat histogram indices of the coherence of one group (``xp`` int64 array)."""
    fft = fft_module(xp)
    kw = {"workers": workers} if xp is np else {}
    real = np.dtype(plan.precision).type
    b, k = noise.shape[:2]
    n, npad, rows = g.n, g.npad, g.daughter.shape[0]
    # Wavelet transforms of every series of every set, (b, k, rows, npad) [TC98 eq. 4].
    X = fft.fft(noise[..., :n].astype(real), n=npad, axis=-1, **kw)
    prod = xp.zeros((b, k, rows, npad), dtype=X.dtype)
    for j, band in enumerate(g.bands):
        for sl in band:
            xp.multiply(X[:, :, sl], g.daughter[j, sl], out=prod[:, :, j, sl])
    W = fft.ifft(prod, axis=-1, overwrite_x=True, **kw)
    del prod, X
    Wn = W[..., :n]
    power = xp.empty((b, k, rows, npad), dtype=real)  # |W_i|^2 / s, zero past the series
    power[..., n:] = 0
    p = power[..., :n]
    xp.multiply(Wn.real, Wn.real, out=p)
    p += Wn.imag * Wn.imag
    pairs = _pairs(k)
    cross = xp.empty((b, len(pairs), rows, npad), dtype=W.dtype)  # W_i W_j* / s
    cross[..., n:] = 0
    for c, (i, j) in enumerate(pairs):
        xp.multiply(Wn[:, i], Wn[:, j].conj(), out=cross[:, c, :, :n])
    del W, Wn, p
    # Grinsted et al. (2004), eq. 5-6: Gaussian in time, boxcar in scale.
    spec = fft.rfft(power, axis=-1, **kw)
    spec *= g.f_real
    power = fft.irfft(spec, n=npad, axis=-1, overwrite_x=True, **kw)
    spec = fft.fft(cross, axis=-1, overwrite_x=True, **kw)
    spec *= g.f_complex
    cross = fft.ifft(spec, axis=-1, overwrite_x=True, **kw)
    del spec
    auto = [_scale_boxcar(power[:, i, :, :n], g, xp) for i in range(k)]
    cr = {pair: _scale_boxcar(cross[:, c, :, :n], g, xp) for c, pair in enumerate(pairs)}
    del power, cross
    if plan.kind == "partial":
        r2, _ = partial_from_spectra(auto, cr, xp)
    else:
        r2 = multiple_from_spectra(auto, cr, xp)
    # Bin floor(R2 * nbins) in [0, nbins - 1]; a NaN (0 / 0) goes to bin 0 as in the
    # pair kernel (the sweep clipped R2 to [0, 1]).
    r2 *= plan.nbins
    xp.fmax(r2, 0, out=r2)
    xp.fmin(r2, plan.nbins - 1, out=r2)
    bins = r2.astype(xp.int64)
    bins += g.flat_index
    return bins.ravel()


def run_multivariate_chunk(
    plan: MultivariatePlan,
    start: int,
    stop: int,
    xp=np,
    workers: int | None = 1,
    batch_bytes: int = BATCH_BYTES,
) -> np.ndarray:
    """Coherence histogram of surrogate sets ``start..stop-1`` of a multivariate plan.

    Parameters
    ----------
    plan : MultivariatePlan
    start, stop : int
        Set indices, ``0 <= start < stop <= plan.mc_count``.
    xp : module, optional
        numpy (default) or cupy; the noise is always drawn with numpy on the host.
    workers : int, optional
        scipy.fft threads (numpy only), default 1.
    batch_bytes : int, optional
        Memory bound of one batched step.

    Returns
    -------
    hist : (n_scales, nbins) int64 ndarray (numpy, on the host)
        Counts of the partial (or multiple) coherence per scale and bin, outside
        the cone of influence.
    """
    if not 0 <= start < stop <= plan.mc_count:
        raise ValueError(f"chunk [{start}, {stop}) is outside [0, {plan.mc_count})")
    ops = _operators(plan, xp)
    item = 8 if plan.precision == "float32" else 16
    k = plan.k
    set_bytes = (k + len(_pairs(k))) * max(g.daughter.shape[0] * g.npad for g in ops) * item
    batch = max(1, min(stop - start, batch_bytes // (3 * set_bytes)))
    hist = xp.zeros((plan.n_scales, plan.nbins), dtype=xp.int64)
    for a in range(start, stop, batch):
        b = min(a + batch, stop)
        noise = xp.asarray(multivariate_noise(plan, a, b))
        bins = xp.concatenate([_group_bins(noise, plan, g, xp, workers) for g in ops])
        hist += xp.bincount(bins, minlength=plan.n_scales * plan.nbins).reshape(hist.shape)
    if xp is not np:
        hist = xp.asnumpy(hist)
    return np.asarray(hist, dtype=np.int64)
