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

By default (``estimator="multirate"``, see `surrogate_groups`) the scales are cut
into a few groups and each group uses surrogates about twelve times its own largest
scale long (the first samples of each pair's stream) instead of six times the
largest scale of the grid for every scale; work arrays are float32. The boxcar in
scale is built from sequential cumulative sums, whose rounding does not depend on
the number of threads, so the CPU backends agree bit for bit.

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

from .._validation import check_count, check_positive, check_significance_level, resolve_s0
from ..grid import cone_of_influence
from ..mothers import Mother, get_wavelet
from ..smoothing import (
    boxcar_window,
    fft_module,
    filter_bands,
    next_pow2,
    time_filter,
)
from .surrogates import SURROGATES, ObservedSeries, ar1_draws, multi_surrogates

__all__ = [
    "ESTIMATORS",
    "PRECISIONS",
    "CancelCheck",
    "Cancelled",
    "MonteCarloPlan",
    "ProgressCallback",
    "estimate_work",
    "histogram_quantiles",
    "make_plan",
    "pair_noise",
    "run_chunk",
    "split_chunks",
    "surrogate_groups",
    "thresholds",
]

#: Bytes of complex work arrays a sub-batch may use in `run_chunk` (CPU); small
#: batches stay in cache better than the 256 MiB of the float64 kernel did.
BATCH_BYTES = 64 * 2**20

#: Surrogate estimators: ``"multirate"`` (surrogate length per group of scales) or
#: ``"full"`` (one length, six times the largest scale, for every scale, as pycwt).
ESTIMATORS = ("multirate", "full")
#: Work-array precisions of the kernel.
PRECISIONS = ("float32", "float64")
#: Surrogate length in units of the largest scale it serves (pycwt's factor).
LENGTH_FACTOR = 6
#: Multirate groups below the top: surrogates this many times their largest scale
#: long (capped at the full length), so that scale has about twice the samples
#: outside the cone of influence of the full estimator's largest scale.
GROUP_FACTOR = 12
#: Relative weights below which a daughter or filter term is dropped, per precision.
_RTOL = {"float32": 1e-12, "float64": 1e-18}
#: Multirate groups are at least this many samples long (capped at the full length).
MIN_LENGTH = 1024
#: Cost of one extra group of scales, in sample-scales (Python and call overhead).
_GROUP_OVERHEAD = 4096

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
        Length of the longest surrogate series, ``ceil(6 * s_max / dt)`` as in pycwt,
        so the largest scale has points outside the cone of influence.
    estimator : {"multirate", "full"}
        ``"full"``: every scale from surrogates of length ``n`` (pycwt's choice).
        ``"multirate"`` (default): scales are cut into contiguous groups and each
        group uses surrogates about ``12 * s_top / dt`` long (at most ``n``),
        ``s_top`` its largest scale (see `surrogate_groups`).
    precision : {"float32", "float64"}
        Precision of the work arrays (the histogram is integer either way).
    surrogate : {"ar1", "phase", "iaaft"}
        Null hypothesis (`pycwt_mod.montecarlo.surrogates`): ``"ar1"`` pairs of red noise with
        ``al1``, ``al2``; ``"phase"`` and ``"iaaft"`` resample ``data``.
    data : ObservedSeries or None
        The observed pair (data-driven families only; then ``n`` is its length and
        ``al1 = al2 = 0``, unused).
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
    estimator: str = "multirate"
    precision: str = "float32"
    surrogate: str = "ar1"
    data: ObservedSeries | None = None

    @property
    def n_scales(self) -> int:
        return self.J + 1

    @property
    def scales(self) -> np.ndarray:
        return self.s0 * 2 ** (np.arange(0, self.J + 1) * self.dj)


def _surrogate_length(dt: float, dj: float, s0: float, J: int, factor=LENGTH_FACTOR) -> int:
    # From s0 / dt rounded as in the cache key, so that a grid scaled with dt (same
    # s0 / dt) gets the same length: (3 * 0.1) / 0.1 * 2**3 * 6 is 144.00000000000003.
    ms = float(np.round(s0 / dt, 12)) * (2 ** (J * dj))
    return int(np.ceil(ms * factor))


def _check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))} (got {value!r})")
    return value


@functools.lru_cache(maxsize=64)
def _groups(
    dt: float,
    dj: float,
    s0: float,
    J: int,
    halo_below: int,
    halo_above: int,
    estimator: str,
    n_max: int,
) -> tuple[tuple[int, int, int, int, int], ...]:
    n_scales = J + 1
    lengths = [
        min(n_max, max(MIN_LENGTH, _surrogate_length(dt, dj, s0, j, GROUP_FACTOR)))
        for j in range(n_scales)
    ]
    if estimator == "full":
        return ((0, n_scales, 0, n_scales, n_max),)

    def cost(a: int, b: int) -> int:  # group keeping scales [a, b)
        rows = min(n_scales, b + halo_above) - max(0, a - halo_below)
        return rows * next_pow2(lengths[b - 1]) + _GROUP_OVERHEAD

    # Cheapest cut of the scales into contiguous groups (dynamic programming). Only
    # cuts where the padded length changes need trying: moving a cut up to the end
    # of its length class gives the lower group rows at its own, smaller length.
    pads = [next_pow2(m) for m in lengths]
    ends = [j for j in range(1, n_scales) if pads[j] != pads[j - 1]] + [n_scales]
    best, cut = {0: 0}, {}
    for b in ends:
        best[b], cut[b] = min((best[a] + cost(a, b), a) for a in [0, *ends] if a < b)
    out, b = [], n_scales
    while b > 0:
        a = cut[b]
        lo, hi = max(0, a - halo_below), min(n_scales, b + halo_above)
        out.append((a, b, lo, hi, lengths[b - 1]))
        b = a
    return tuple(reversed(out))


def surrogate_groups(plan: MonteCarloPlan) -> tuple[tuple[int, int, int, int, int], ...]:
    """How the scales of a plan are cut into groups, each with its surrogate length.

    A group keeps (histograms) scales ``keep_lo..keep_hi-1`` and computes scales
    ``lo..hi-1``: the kept ones plus the neighbours the boxcar smoothing in scale
    reaches, so a kept scale is smoothed exactly as on the full grid. Its surrogates
    are ``n = min(plan.n, max(MIN_LENGTH, ceil(GROUP_FACTOR * s_top / dt)))`` samples
    long (`GROUP_FACTOR` = 12), ``s_top`` the largest kept scale: the first ``n``
    samples of each pair's series. Every scale ``s`` thus has surrogates at least
    ``min(plan.n, 12 s / dt)`` samples long: about twice the
    samples outside the cone of influence (per scale width) that the full-length
    estimator gives its largest scale, whose accuracy bounds the answer anyway.
    The cut minimises ``sum(rows * next_pow2(n))`` plus a per-group overhead; with
    ``plan.estimator == "full"`` there is one group of length ``plan.n``.

    Returns
    -------
    groups : tuple of (keep_lo, keep_hi, lo, hi, n)
        Contiguous, covering ``range(plan.n_scales)`` in order.
    """
    k = boxcar_window(plan.wavelet.deltaj0, plan.dj).size
    return _groups(
        plan.dt, plan.dj, plan.s0, plan.J, k // 2, (k - 1) // 2, plan.estimator, plan.n
    )  # fmt: skip


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
    J = check_count(J, "J", minimum=0)
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
    estimator: str = "multirate",
    precision: str = "float32",
    surrogate: str = "ar1",
    data=None,
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
    estimator : {"multirate", "full"}, optional
        Surrogate length per group of scales (default) or one length for all
        scales; see `MonteCarloPlan` and `surrogate_groups`.
    precision : {"float32", "float64"}, optional
        Work-array precision (default float32).
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis (default ``"ar1"``, red noise with ``al1``, ``al2``).
    data : (y1, y2) or ObservedSeries, optional
        The observed series, required by ``"phase"`` and ``"iaaft"`` (which then
        ignore ``al1``, ``al2``; surrogates are the data's length); unused by
        ``"ar1"``.

    Returns
    -------
    plan : MonteCarloPlan
    """
    mother = get_wavelet(wavelet)
    mother.require_deltaj0("coherence significance")
    surrogate = _check_choice(surrogate, "surrogate", SURROGATES)
    if surrogate == "ar1":
        al1 = _check_ar1(al1, "al1")
        al2 = _check_ar1(al2, "al2")
        data = None
    else:
        data = _observed_pair(data, surrogate)
        al1 = al2 = 0.0
    dt, dj, s0, J = _resolve_scales(dt, dj, s0, J, mother)
    mc_count = check_count(mc_count, "mc_count")
    nbins = check_count(nbins, "nbins", minimum=10)
    estimator = _check_choice(estimator, "estimator", ESTIMATORS)
    precision = _check_choice(precision, "precision", PRECISIONS)
    if seed is None:
        # 53 bits of fresh entropy: exact in JSON numbers, SQLite and JavaScript.
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(11))
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a whole number >= 0 or None (got {seed!r})")
    n = _surrogate_length(dt, dj, s0, J) if data is None else data.n
    return MonteCarloPlan(
        al1, al2, dt, dj, s0, J, mother, mc_count, int(seed), nbins, n, estimator, precision,
        surrogate, data,
    )  # fmt: skip


def _observed_pair(data, surrogate: str) -> ObservedSeries:
    if isinstance(data, ObservedSeries):
        if data.values.shape[0] != 2:
            raise ValueError(f"`data` must hold two series (got {data.values.shape[0]})")
        return data
    if data is None or isinstance(data, str | bytes) or len(data) != 2:
        raise ValueError(
            f"surrogate={surrogate!r} resamples the observed series: pass data=(y1, y2)"
        )
    return ObservedSeries.of(*data)


def estimate_work(
    dt: float,
    dj: float,
    s0: float,
    J: int,
    mc_count: int,
    wavelet="morlet",
    estimator: str | None = None,
) -> int:
    """Size of a significance computation, in sample-scales.

    With ``estimator=None`` (default) it is ``mc_count * n_scales * n``, the work of
    the full-length estimator and an upper bound of every estimator's (a service
    compares it with a budget to decide whether to answer synchronously). With an
    estimator name it is that estimator's work, ``mc_count * sum(rows * n)`` over
    `surrogate_groups`. Other parameters as in `make_plan`.
    """
    mother = get_wavelet(wavelet)
    dt, dj, s0, J = _resolve_scales(dt, dj, s0, J, mother)
    mc_count = check_count(mc_count, "mc_count")
    if estimator is None:
        return mc_count * (J + 1) * _surrogate_length(dt, dj, s0, J)
    _check_choice(estimator, "estimator", ESTIMATORS)
    mother.require_deltaj0("coherence significance")
    k = boxcar_window(mother.deltaj0, dj).size
    n = _surrogate_length(dt, dj, s0, J)
    groups = _groups(dt, dj, s0, J, k // 2, (k - 1) // 2, estimator, n)
    return mc_count * sum((hi - lo) * n for _, _, lo, hi, n in groups)


def split_chunks(mc_count: int, chunk_size: int) -> list[tuple[int, int]]:
    """Cut ``range(mc_count)`` into ``[start, stop)`` chunks of ``chunk_size`` pairs."""
    mc_count = check_count(mc_count, "mc_count")
    chunk_size = check_count(chunk_size, "chunk_size")
    return [(a, min(a + chunk_size, mc_count)) for a in range(0, mc_count, chunk_size)]


def pair_noise(plan: MonteCarloPlan, start: int, stop: int) -> np.ndarray:
    """Surrogate pairs ``start..stop-1``, generated on the host.

    Returns
    -------
    noise : (stop - start, 2, n) float64 ndarray
        For ``"ar1"``, ``noise[i, 0]`` has AR(1) coefficient ``al1`` and
        ``noise[i, 1]`` has ``al2``; otherwise surrogates of the observed pair
        (`pycwt_mod.montecarlo.surrogates.multi_surrogates`), pair ``k`` from the same stream.
    """
    if plan.data is not None:
        return multi_surrogates(
            plan.data.values, plan.surrogate, stop - start, plan.seed, start=start
        )
    return ar1_draws((plan.al1, plan.al2), plan.n, stop - start, plan.seed, start=start)


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
