"""Monte Carlo kernel for wavelet-coherence significance: batched coherence histograms.

A leaf module: it imports numpy (or takes cupy as ``xp``), the plans
(`pycwt_mod.montecarlo.plan`) and the numerics of the library, never a backend or
the engine (`pycwt_mod.montecarlo.engine`) above it.

`run_chunk` computes a chunk of surrogate pairs of a `MonteCarloPlan` with batched
FFTs over ``(pairs, scales, time)`` arrays and returns an integer histogram of shape
``(n_scales, nbins)``; chunks are summed and `thresholds` turns the sum into
per-scale levels (the quantiles of Grinsted et al. 2004 [1]_). The kernel takes an
array module (numpy or cupy), so the GPU backend runs this same code. Work arrays
are float32 by default. The boxcar in scale is built from sequential cumulative
sums, whose rounding does not depend on the number of threads, so the CPU backends
agree bit for bit.

References
----------
.. [1] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the
   cross wavelet transform and wavelet coherence to geophysical time series.
   Nonlinear Processes in Geophysics, 11, 561-566.
.. [2] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .._validation import check_significance_level
from ..grid import cone_of_influence
from ..smoothing import (
    boxcar_window,
    fft_module,
    filter_bands,
    next_pow2,
    time_filter,
)
from .plan import MonteCarloPlan, pair_noise, surrogate_groups

__all__ = ["histogram_quantiles", "run_chunk", "thresholds"]

#: Bytes of complex work arrays a sub-batch may use in `run_chunk` (CPU); small
#: batches stay in cache better than the 256 MiB of the float64 kernel did.
BATCH_BYTES = 64 * 2**20
#: Relative weights below which a daughter or filter term is dropped, per precision.
_RTOL = {"float32": 1e-12, "float64": 1e-18}


@dataclass(frozen=True)
class _Group:
    """Arrays a kernel reuses for every pair of one group of scales (built once)."""

    lo: int  # first computed scale (global index)
    n: int  # surrogate length
    npad: int  # FFT length, next_pow2(n)
    daughter: object  # (rows, npad): conj of the daughter wavelets, divided by sqrt(s)
    f_real: object  # (rows, npad // 2 + 1) Gaussian time filter, rfft layout
    f_complex: object  # (rows, npad) Gaussian time filter, fft layout
    bands: tuple  # per row: slices of the spectrum where the daughter matters
    flat_index: object  # (M,) global scale index * nbins of each counted point
    # Boxcar in scale ("same" mode, zeros past the grid): kept row i (computed row
    # keep + i) averages computed rows first..last with weights end, mid, ..., mid, end.
    # Per kept row with points outside the COI: (first, last, t0, t1, at): the window
    # (computed rows, unclipped), the time range t0..t1-1 outside the COI and where
    # it starts in the packed (M,) layout (row-major, as flat_index).
    windows: tuple
    mid: float  # interior weight of the boxcar
    end: float  # end weight of the boxcar
    # The same boxcar as gathers, for array modules other than numpy (a GPU would
    # otherwise launch a few small kernels per row): flat indices into C (rows + 1,
    # n) and T (rows, n), and the end weights (0 where the end is off the grid).
    gather: tuple | None  # (top, bottom, end1, end2, w1, w2), (M,) each


def _group_operators(plan: MonteCarloPlan, group, xp) -> _Group:
    keep_lo, keep_hi, lo, hi, n = group
    mother, real = plan.wavelet, np.dtype(plan.precision)
    sj = plan.scales[lo:hi]
    npad = next_pow2(n)
    omega = 2 * np.pi * np.fft.fftfreq(npad, plan.dt)
    # |W|^2 / s and W1 W2* / s are what is smoothed [Grinsted et al. 2004, eq. 5-6]:
    # dividing the daughter by sqrt(s) folds the 1 / s into the transform.
    norm = (omega[1] * npad) ** 0.5 * np.ones((sj.size, 1))
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        daughter = norm * np.conj(mother.psi_ft(sj[:, np.newaxis] * omega))
    daughter = np.nan_to_num(np.asarray(daughter, dtype=np.complex128), nan=0.0)
    # Terms below the working precision relative to a row's largest weight cannot
    # change a sum; dropping them also keeps float32 free of subnormal numbers,
    # which slow every FFT and product that touches them several-fold.
    rtol = _RTOL[plan.precision]
    bands = filter_bands(daughter, rtol)
    daughter[np.abs(daughter) <= rtol * np.abs(daughter).max(axis=-1, keepdims=True)] = 0
    if not daughter.imag.any():  # Morlet, Paul: a real daughter halves the product's work
        daughter = daughter.real
    f_real, f_complex = (time_filter(sj, plan.dt, n, real=r) for r in (True, False))
    f_real[f_real < rtol] = 0
    f_complex[f_complex < rtol] = 0
    coi = cone_of_influence(n, plan.dt, mother)  # of the surrogate (TC98, Sec. 3g)
    period = mother.flambda() * plan.scales[keep_lo:keep_hi]
    rows, cols = np.nonzero(period[:, np.newaxis] <= coi[np.newaxis, :])
    # Boxcar [0.5, 1, ..., 1, 0.5] / (k - 1) in scale, as `smoothing.ScaleSmoother`:
    # row r averages rows r + off - k + 1 .. r + off (zero past the grid).
    win = boxcar_window(mother.deltaj0, plan.dj)
    k, off = win.size, (win.size - 1) // 2
    windows, at = [], 0
    for i in range(keep_hi - keep_lo):
        t = cols[rows == i]  # a contiguous range: the COI is a tent
        if t.size:
            r = i + keep_lo - lo
            windows.append((r + off - k + 1, r + off, int(t[0]), int(t[-1]) + 1, at))
            at += t.size
    mid, end = (float(win[1]) if k > 2 else float(win[0])), float(win[0])
    gather = None
    if xp is not np:
        first, last = rows + keep_lo - lo + off - k + 1, rows + keep_lo - lo + off
        n_rows = hi - lo
        ok1, ok2 = first >= 0, (last < n_rows) & (last != first)
        gather = tuple(
            xp.asarray(a)
            for a in (
                (np.minimum(last, n_rows - 1) + 1) * n + cols,
                np.maximum(first, 0) * n + cols,
                np.clip(first, 0, n_rows - 1) * n + cols,
                np.clip(last, 0, n_rows - 1) * n + cols,
                np.where(ok1, end - mid, 0.0).astype(real),
                np.where(ok2, end - mid, 0.0).astype(real),
            )
        )
    asarray = xp.asarray
    return _Group(
        lo=lo,
        n=n,
        npad=npad,
        daughter=asarray(daughter.astype(_cast(daughter, real))),
        f_real=asarray(f_real.astype(real)),
        f_complex=asarray(f_complex.astype(real)),
        bands=bands,
        flat_index=asarray(((rows + keep_lo) * plan.nbins).astype(np.int64)),
        windows=tuple(windows),
        mid=mid,
        end=end,
        gather=gather,
    )


def _cast(a: np.ndarray, real) -> np.dtype:
    """The dtype of ``a`` (real or complex) at precision ``real``."""
    return np.result_type(real, np.complex64) if np.iscomplexobj(a) else np.dtype(real)


@functools.lru_cache(maxsize=8)
def _operators(plan: MonteCarloPlan, xp) -> tuple[_Group, ...]:
    return tuple(_group_operators(plan, g, xp) for g in surrogate_groups(plan))


def _group_bins(noise, plan: MonteCarloPlan, g: _Group, xp, workers) -> object:
    """Flat histogram indices of the coherence of one group (``xp`` int64 array).

    Works on contiguous rows of the padded length throughout: the region past the
    series (``n..npad``) is zeroed before the time smoothing instead of slicing and
    re-padding, which saves several copies of the largest arrays.
    """
    fft = fft_module(xp)
    kw = {"workers": workers} if xp is np else {}
    real = np.dtype(plan.precision).type
    b, n, npad, rows = noise.shape[0], g.n, g.npad, g.daughter.shape[0]
    # Wavelet transforms of both series of every pair, (b, 2, rows, npad) [TC98 eq. 4].
    X = fft.fft(noise[..., :n].astype(real), n=npad, axis=-1, **kw)
    prod = xp.zeros((b, 2, rows, npad), dtype=X.dtype)
    for j, band in enumerate(g.bands):  # only where daughter j is non-zero
        for sl in band:
            xp.multiply(X[:, :, sl], g.daughter[j, sl], out=prod[:, :, j, sl])
    W = fft.ifft(prod, axis=-1, overwrite_x=True, **kw)
    del prod, X
    Wn = W[..., :n]
    power = xp.empty((b, 2, rows, npad), dtype=real)  # |W|^2 / s, zero past the series
    power[..., n:] = 0
    p = power[..., :n]
    xp.multiply(Wn.real, Wn.real, out=p)
    p += Wn.imag * Wn.imag
    cross = xp.empty((b, rows, npad), dtype=W.dtype)  # W1 W2* / s
    cross[..., n:] = 0
    xp.multiply(Wn[:, 0], Wn[:, 1].conj(), out=cross[..., :n])
    del W, Wn, p
    # Grinsted et al. (2004), eq. 5-6: Gaussian in time, boxcar in scale.
    spec = fft.rfft(power, axis=-1, **kw)
    spec *= g.f_real
    power = fft.irfft(spec, n=npad, axis=-1, overwrite_x=True, **kw)
    spec = fft.fft(cross, axis=-1, overwrite_x=True, **kw)
    spec *= g.f_complex
    cross = fft.ifft(spec, axis=-1, overwrite_x=True, **kw)
    del spec
    # Boxcar in scale at the points outside the cone of influence only, from
    # cumulative sums over the rows of the series (not the padded tail). Sequential
    # sums round the same way whatever the thread count (a BLAS product does not),
    # so every CPU backend gets the same bits.
    S1 = _scale_boxcar(power[:, 0, :, :n], g, xp)
    S2 = _scale_boxcar(power[:, 1, :, :n], g, xp)
    S12 = _scale_boxcar(cross[..., :n], g, xp)
    del power, cross
    # Bin index floor(R2 * nbins) clipped to [0, nbins - 1], in place: fmax sends a
    # NaN (0 / 0) to bin 0, fmin an infinity to the last bin, and the cast truncates.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        num = xp.multiply(S12.real, S12.real)
        num += S12.imag * S12.imag
        S1 *= S2
        num /= S1
        num *= plan.nbins
    xp.fmax(num, 0, out=num)
    xp.fmin(num, plan.nbins - 1, out=num)
    bins = num.astype(xp.int64)
    bins += g.flat_index
    return bins.ravel()


def _scale_boxcar(T, g: _Group, xp):
    """Boxcar in scale of ``T`` (b, rows, n) at the group's counted points (b, M)."""
    b, rows, n = T.shape
    C = xp.empty((b, rows + 1, n), dtype=T.dtype)  # C[:, r] = sum of rows < r
    C[:, 0] = 0
    if g.gather is not None:  # same sums in the same order, as whole-array operations
        xp.cumsum(T, axis=1, out=C[:, 1:])
        top, bottom, end1, end2, w1, w2 = g.gather
        C, T = C.reshape(b, -1), xp.ascontiguousarray(T).reshape(b, -1)
        out = C[:, top]
        out -= C[:, bottom]
        out *= g.mid
        out += w1 * T[:, end1]
        out += w2 * T[:, end2]
        return out
    for r in range(rows):
        xp.add(C[:, r], T[:, r], out=C[:, r + 1])
    out = xp.empty((b, g.flat_index.size), dtype=T.dtype)
    edge = g.end - g.mid
    for first, last, t0, t1, at in g.windows:
        row = out[:, at : at + t1 - t0]
        xp.subtract(C[:, min(last, rows - 1) + 1, t0:t1], C[:, max(first, 0), t0:t1], out=row)
        row *= g.mid
        if edge and first >= 0:
            row += edge * T[:, first, t0:t1]
        if edge and last < rows and last != first:
            row += edge * T[:, last, t0:t1]
    return out


def _coherence_histogram(noise, plan: MonteCarloPlan, ops, xp, workers) -> object:
    """Histogram of coherence outside the COI for a batch of pairs (``xp`` arrays)."""
    bins = xp.concatenate([_group_bins(noise, plan, g, xp, workers) for g in ops])
    hist = xp.bincount(bins, minlength=plan.n_scales * plan.nbins)
    return hist.reshape(plan.n_scales, plan.nbins)


def run_chunk(
    plan: MonteCarloPlan,
    start: int,
    stop: int,
    xp=np,
    workers: int | None = 1,
    batch_bytes: int = BATCH_BYTES,
) -> np.ndarray:
    """Coherence histogram of surrogate pairs ``start..stop-1``.

    Parameters
    ----------
    plan : MonteCarloPlan
    start, stop : int
        Pair indices, ``0 <= start < stop <= plan.mc_count``.
    xp : module, optional
        numpy (default) or cupy; the noise is always drawn with numpy on the host.
    workers : int, optional
        scipy.fft threads (numpy only), default 1 (backends parallelise chunks).
    batch_bytes : int, optional
        Memory bound of one batched step; the chunk is processed in batches of as
        many pairs as fit.

    Returns
    -------
    hist : (n_scales, nbins) int64 ndarray (numpy, on the host)
        Counts of coherence values per scale and bin, outside the cone of influence.
    """
    if not 0 <= start < stop <= plan.mc_count:
        raise ValueError(f"chunk [{start}, {stop}) is outside [0, {plan.mc_count})")
    ops = _operators(plan, xp)
    item = 8 if plan.precision == "float32" else 16
    pair_bytes = 2 * max((g.daughter.shape[0] * g.npad) for g in ops) * item
    batch = max(1, min(stop - start, batch_bytes // (4 * pair_bytes)))
    hist = xp.zeros((plan.n_scales, plan.nbins), dtype=xp.int64)
    for a in range(start, stop, batch):
        b = min(a + batch, stop)
        noise = xp.asarray(pair_noise(plan, a, b))
        hist += _coherence_histogram(noise, plan, ops, xp, workers)
    if xp is not np:
        hist = xp.asnumpy(hist)
    return np.asarray(hist, dtype=np.int64)


def thresholds(plan: MonteCarloPlan, hist: np.ndarray, significance_level: float) -> np.ndarray:
    """Per-scale coherence level not exceeded with probability ``significance_level``.

    Parameters
    ----------
    plan : MonteCarloPlan
    hist : (n_scales, nbins) int ndarray
        Summed histogram of all chunks.
    significance_level : float
        In (0, 1).

    Returns
    -------
    sig : (n_scales,) ndarray
        Interpolated quantile of each scale's empirical distribution (bin centres,
        ``P = (cumsum - 0.5) / total`` as in pycwt); NaN for a scale with no point
        outside the cone of influence.
    """
    level = check_significance_level(significance_level)
    hist = np.asarray(hist)
    if hist.shape != (plan.n_scales, plan.nbins):
        raise ValueError(
            f"histogram shape {hist.shape} does not match the plan ({plan.n_scales}, {plan.nbins})"
        )
    centres = (np.arange(plan.nbins) + 0.5) / plan.nbins
    return histogram_quantiles(hist, centres, level)


def histogram_quantiles(hist: np.ndarray, centres: np.ndarray, level: float) -> np.ndarray:
    """Per-row ``level`` quantile of histograms, interpolated between bin centres.

    Parameters
    ----------
    hist : (rows, nbins) int ndarray
    centres : (nbins,) ndarray
        Value at the centre of each bin.
    level : float
        In (0, 1).

    Returns
    -------
    q : (rows,) ndarray
        ``P = (cumsum - 0.5) / total`` interpolated at ``level`` (pycwt's rule); NaN
        for an empty row.
    """
    q = np.full(hist.shape[0], np.nan)
    for s in range(hist.shape[0]):
        sel = hist[s] > 0
        if not sel.any():
            continue
        P = hist[s, sel].cumsum().astype(np.float64)
        P = (P - 0.5) / P[-1]
        q[s] = np.interp(level, P, centres[sel])
    return q
