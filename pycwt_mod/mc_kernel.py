"""Monte Carlo kernel for wavelet-coherence significance: plan, surrogates, histograms.

A leaf module: it imports numpy (or takes cupy as ``xp``) and the numerics of the
library, never a backend or the engine (`pycwt_mod.montecarlo`) above it.

The significance level of wavelet coherence against two AR(1) ("red noise")
backgrounds is estimated from surrogates, as in Grinsted et al. (2004) [1]_:
coherence of many pairs of independent red-noise series is accumulated, per
scale, into a histogram (only points outside the cone of influence), and the
threshold of each scale is the requested quantile of that histogram.

The work is cut into *chunks* of surrogate pairs. `run_chunk` computes a chunk with
batched FFTs over ``(pairs, scales, time)`` arrays and returns an integer
histogram of shape ``(n_scales, nbins)``; chunks are summed and `thresholds` turns
the sum into per-scale levels. Surrogate pair ``k`` draws its noise from its own
stream, ``SeedSequence(seed, spawn_key=(k,))`` (the ``k``-th child of
``SeedSequence(seed)``), generated with numpy on the host, so the same seed gives
the same histogram whatever the chunking and whichever backend runs the chunks.
The kernel takes an array module (numpy or cupy), so the GPU backend runs this
same code.

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
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import check_positive, check_significance_level, resolve_s0
from .grid import cone_of_influence
from .mothers import Mother, get_wavelet
from .significance import ar1_filter
from .smoothing import (
    ScaleSmoother,
    boxcar_window,
    fft_module,
    filter_bands,
    next_pow2,
    time_filter,
)

__all__ = [
    "CancelCheck",
    "Cancelled",
    "MonteCarloPlan",
    "ProgressCallback",
    "estimate_work",
    "make_plan",
    "pair_noise",
    "run_chunk",
    "split_chunks",
    "thresholds",
]

#: Bytes of complex work arrays a sub-batch may use in `run_chunk` (CPU).
BATCH_BYTES = 256 * 2**20

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class Cancelled(Exception):
    """Raised when the caller's cancel check returns True between chunks."""


@dataclass(frozen=True)
class MonteCarloPlan:
    """Everything that determines the surrogate histogram (picklable, hashable).

    Attributes
    ----------
    al1, al2 : float
        Lag-1 autocorrelations of the two red-noise backgrounds.
    dt, dj, s0 : float
        Sample spacing, scale spacing and smallest scale.
    J : int
        Number of scales less one.
    wavelet : Mother
        Mother wavelet (with a tabulated ``deltaj0``).
    mc_count : int
        Number of surrogate pairs.
    seed : int
        Root seed; pair ``k`` uses ``SeedSequence(seed, spawn_key=(k,))``.
    nbins : int
        Histogram bins over coherence in [0, 1].
    n : int
        Length of each surrogate series, ``ceil(6 * s_max / dt)`` as in pycwt, so the
        largest scale has points outside the cone of influence.
    """

    al1: float
    al2: float
    dt: float
    dj: float
    s0: float
    J: int
    wavelet: Mother
    mc_count: int
    seed: int
    nbins: int
    n: int

    @property
    def n_scales(self) -> int:
        return self.J + 1

    @property
    def scales(self) -> np.ndarray:
        return self.s0 * 2 ** (np.arange(0, self.J + 1) * self.dj)


def _surrogate_length(dt: float, dj: float, s0: float, J: int) -> int:
    # From s0 / dt rounded as in the cache key, so that a grid scaled with dt (same
    # s0 / dt) gets the same length: (3 * 0.1) / 0.1 * 2**3 * 6 is 144.00000000000003.
    ms = float(np.round(s0 / dt, 12)) * (2 ** (J * dj))
    return int(np.ceil(ms * 6))


def _check_count(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"`{name}` must be a whole number >= {minimum} (got {value!r})")
    return int(value)


def _check_ar1(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a number in (-1, 1) (got {value!r})")
    value = float(value)
    if not -1 < value < 1:
        raise ValueError(f"`{name}` must be in (-1, 1) for stationary red noise (got {value!r})")
    return value


def _resolve_scales(dt, dj, s0, J, mother: Mother) -> tuple[float, float, float, int]:
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    s0 = resolve_s0(s0, dt, mother.flambda())
    if J is None or (isinstance(J, numbers.Real) and not isinstance(J, bool) and J == -1):
        raise ValueError(
            "J=-1 cannot be resolved here: the default number of scales depends on the "
            "length of the series, which wct_significance does not see. Pass J "
            "explicitly (e.g. pycwt_mod.scale_grid(n, dt, dj, s0).size - 1) or call "
            "wct(y1, y2, dt, ..., sig=True), which resolves it from the data."
        )
    J = _check_count(J, "J", minimum=0)
    return dt, dj, s0, J


def make_plan(
    al1: float,
    al2: float,
    dt: float,
    dj: float,
    s0: float,
    J: int,
    wavelet="morlet",
    mc_count: int = 300,
    seed: int | None = None,
    nbins: int = 1000,
) -> MonteCarloPlan:
    """Validate the parameters and fix everything the histogram depends on.

    Parameters
    ----------
    al1, al2 : float
        Lag-1 autocorrelations, each in (-1, 1).
    dt, dj : float
        Sample spacing and scale spacing, > 0.
    s0 : float
        Smallest scale, or -1 for ``2 dt / flambda``.
    J : int
        Number of scales less one (>= 0; -1 is rejected, see `wct_significance`).
    wavelet : str or Mother, optional
        Needs a tabulated ``deltaj0``.
    mc_count : int, optional
        Surrogate pairs, >= 1.
    seed : int, optional
        Root seed; None draws 53 bits of fresh entropy (read it back from
        ``plan.seed``; it fits exactly in a JSON number).
    nbins : int, optional
        Histogram bins, >= 10.

    Returns
    -------
    plan : MonteCarloPlan
    """
    mother = get_wavelet(wavelet)
    mother.require_deltaj0("coherence significance")
    al1 = _check_ar1(al1, "al1")
    al2 = _check_ar1(al2, "al2")
    dt, dj, s0, J = _resolve_scales(dt, dj, s0, J, mother)
    mc_count = _check_count(mc_count, "mc_count")
    nbins = _check_count(nbins, "nbins", minimum=10)
    if seed is None:
        # 53 bits of fresh entropy: exact in JSON numbers, SQLite and JavaScript.
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(11))
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a whole number >= 0 or None (got {seed!r})")
    n = _surrogate_length(dt, dj, s0, J)
    return MonteCarloPlan(
        al1, al2, dt, dj, s0, J, mother, mc_count, int(seed), nbins, n
    )  # fmt: skip


def estimate_work(dt: float, dj: float, s0: float, J: int, mc_count: int, wavelet="morlet") -> int:
    """Size of a significance computation: ``mc_count * n_scales * surrogate length``.

    A service can compare this number with a budget to decide whether to answer
    synchronously. Parameters as in `make_plan`.
    """
    mother = get_wavelet(wavelet)
    dt, dj, s0, J = _resolve_scales(dt, dj, s0, J, mother)
    mc_count = _check_count(mc_count, "mc_count")
    return mc_count * (J + 1) * _surrogate_length(dt, dj, s0, J)


def split_chunks(mc_count: int, chunk_size: int) -> list[tuple[int, int]]:
    """Cut ``range(mc_count)`` into ``[start, stop)`` chunks of ``chunk_size`` pairs."""
    mc_count = _check_count(mc_count, "mc_count")
    chunk_size = _check_count(chunk_size, "chunk_size")
    return [(a, min(a + chunk_size, mc_count)) for a in range(0, mc_count, chunk_size)]


def pair_noise(plan: MonteCarloPlan, start: int, stop: int) -> np.ndarray:
    """Red-noise surrogate pairs ``start..stop-1``, generated on the host.

    Returns
    -------
    noise : (stop - start, 2, n) float64 ndarray
        ``noise[i, 0]`` has AR(1) coefficient ``al1``, ``noise[i, 1]`` has ``al2``.
    """
    e = np.empty((stop - start, 2, plan.n))
    for i, k in enumerate(range(start, stop)):
        rng = np.random.default_rng(np.random.SeedSequence(plan.seed, spawn_key=(k,)))
        e[i] = rng.standard_normal((2, plan.n))
    e[:, 0] = ar1_filter(e[:, 0], plan.al1)
    e[:, 1] = ar1_filter(e[:, 1], plan.al2)
    return e


@dataclass(frozen=True)
class _Operators:
    """Arrays a kernel reuses for every pair of a plan (built once per process)."""

    daughter: object  # (S, Npad) complex: conj of the normalised daughter wavelets
    inv_scales: object  # (S, 1) float
    f_real: object  # (S, Mpad // 2 + 1) Gaussian time filter, rfft layout
    f_complex: object  # (S, Mpad) Gaussian time filter, fft layout
    smooth_scale: ScaleSmoother  # boxcar in scale
    bands: tuple  # per scale: slices of the spectrum where the daughter matters
    flat_index: object  # (M,) scale_index * nbins for each point outside the COI
    flat_points: object  # (M,) scale_index * npad + time_index of those points
    npad: int


@functools.lru_cache(maxsize=8)
def _operators(plan: MonteCarloPlan, xp) -> _Operators:
    mother, n = plan.wavelet, plan.n
    sj = plan.scales
    npad = next_pow2(n)
    omega = 2 * np.pi * np.fft.fftfreq(npad, plan.dt)
    norm = (sj[:, np.newaxis] * omega[1] * npad) ** 0.5
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        daughter = norm * np.conj(mother.psi_ft(sj[:, np.newaxis] * omega))
    daughter = np.nan_to_num(np.asarray(daughter, dtype=np.complex128), nan=0.0)
    if not daughter.imag.any():  # Morlet, Paul: a real daughter halves the product's work
        daughter = np.ascontiguousarray(daughter.real)
    f_real = time_filter(sj, plan.dt, n, real=True)
    f_complex = time_filter(sj, plan.dt, n, real=False)
    coi = cone_of_influence(n, plan.dt, mother)  # of the surrogate (TC98, Sec. 3g)
    period = mother.flambda() * sj
    mask = period[:, np.newaxis] <= coi[np.newaxis, :]
    rows, cols = np.nonzero(mask)
    flat_index = (rows * plan.nbins).astype(np.int64)
    flat_points = (rows * npad + cols).astype(np.int64)
    asarray = xp.asarray
    return _Operators(
        daughter=asarray(daughter),
        inv_scales=asarray((1.0 / sj)[:, np.newaxis]),
        f_real=asarray(f_real),
        f_complex=asarray(f_complex),
        bands=filter_bands(daughter),
        smooth_scale=ScaleSmoother(boxcar_window(mother.deltaj0, plan.dj), sj.size, xp),
        flat_index=asarray(flat_index),
        flat_points=asarray(flat_points),
        npad=npad,
    )


def _coherence_histogram(noise, plan: MonteCarloPlan, ops: _Operators, xp, workers) -> object:
    """Histogram of coherence outside the COI for a batch of pairs (``xp`` arrays).

    Works on contiguous rows of the padded length throughout: the region past the
    series (``n..npad``) is zeroed before the time smoothing instead of slicing and
    re-padding, which saves several copies of the largest arrays.
    """
    fft = fft_module(xp)
    kw = {"workers": workers} if xp is np else {}
    b, n, npad = noise.shape[0], plan.n, ops.npad
    # Wavelet transforms of both series of every pair, (b, 2, S, npad) [TC98 eq. 4].
    X = fft.fft(noise, n=npad, axis=-1, **kw)
    prod = xp.zeros((b, 2, plan.n_scales, npad), dtype=X.dtype)
    for j, band in enumerate(ops.bands):  # only where daughter j is non-zero
        for sl in band:
            prod[:, :, j, sl] = X[:, :, sl] * ops.daughter[j, sl]
    W = fft.ifft(prod, axis=-1, overwrite_x=True, **kw)
    del prod, X
    Wn = W[..., :n]
    power = xp.empty((b, 2, plan.n_scales, npad))  # |W|^2 / s, zero past the series
    power[..., n:] = 0
    p = power[..., :n]
    xp.multiply(Wn.real, Wn.real, out=p)
    p += Wn.imag * Wn.imag
    p *= ops.inv_scales
    cross = xp.empty((b, plan.n_scales, npad), dtype=W.dtype)  # W1 W2* / s
    cross[..., n:] = 0
    c = cross[..., :n]
    xp.multiply(Wn[:, 0], Wn[:, 1].conj(), out=c)
    c *= ops.inv_scales
    del W, Wn, p, c
    # Grinsted et al. (2004), eq. 5-6: Gaussian in time, boxcar in scale.
    spec = fft.rfft(power, axis=-1, **kw)
    spec *= ops.f_real
    power = fft.irfft(spec, n=npad, axis=-1, overwrite_x=True, **kw)
    spec = fft.fft(cross, axis=-1, overwrite_x=True, **kw)
    spec *= ops.f_complex
    cross = fft.ifft(spec, axis=-1, overwrite_x=True, **kw)
    del spec
    power = ops.smooth_scale(power)
    cross = ops.smooth_scale(cross)
    # Coherence only at the points outside the cone of influence.
    idx = ops.flat_points
    S1 = power[:, 0].reshape(b, -1)[:, idx]
    S2 = power[:, 1].reshape(b, -1)[:, idx]
    S12 = cross.reshape(b, -1)[:, idx]
    del power, cross
    R2 = (S12.real**2 + S12.imag**2) / (S1 * S2)
    R2 = xp.nan_to_num(R2, nan=0.0)
    bins = xp.clip(xp.floor(R2 * plan.nbins), 0, plan.nbins - 1).astype(xp.int64)
    bins += ops.flat_index
    hist = xp.bincount(bins.ravel(), minlength=plan.n_scales * plan.nbins)
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
    pair_bytes = 2 * plan.n_scales * ops.npad * 16
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
    sig = np.full(plan.n_scales, np.nan)
    for s in range(plan.n_scales):
        sel = hist[s] > 0
        if not sel.any():
            continue
        P = hist[s, sel].cumsum().astype(np.float64)
        P = (P - 0.5) / P[-1]
        sig[s] = np.interp(level, P, centres[sel])
    return sig
