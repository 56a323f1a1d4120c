"""Monte Carlo plans for wavelet-coherence significance: what fixes the histogram.

A leaf module: it imports numpy and the numerics of the library, never a backend,
the kernel or the engine (`pycwt_mod.montecarlo.engine`) above it.

The significance level of wavelet coherence against two AR(1) ("red noise")
backgrounds is estimated from surrogates, as in Grinsted et al. (2004) [1]_:
coherence of many pairs of independent red-noise series is accumulated, per
scale, into a histogram (only points outside the cone of influence), and the
threshold of each scale is the requested quantile of that histogram.

A `MonteCarloPlan` (`make_plan`) holds everything that determines that histogram.
The work is cut into chunks of surrogate pairs (`split_chunks`) that the kernel
(`pycwt_mod.montecarlo.kernel`) computes. Surrogate pair ``k`` draws its noise
(`pair_noise`) from its own stream, ``SeedSequence(seed, spawn_key=(k,))`` (the
``k``-th child of ``SeedSequence(seed)``), generated with numpy on the host, so the
same seed gives the same histogram whatever the chunking and whichever backend runs
the chunks.

By default (``estimator="multirate"``, see `surrogate_groups`) the scales are cut
into a few groups and each group uses surrogates about twelve times its own largest
scale long (the first samples of each pair's stream) instead of six times the
largest scale of the grid for every scale.

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

from .._validation import check_count, check_positive, resolve_s0
from ..mothers import Mother, get_wavelet
from ..smoothing import boxcar_window, next_pow2
from .observed import ObservedSeries
from .surrogates import SURROGATES, ar1_draws, multi_surrogates

__all__ = [
    "ESTIMATORS",
    "PRECISIONS",
    "CancelCheck",
    "Cancelled",
    "MonteCarloPlan",
    "ProgressCallback",
    "estimate_work",
    "make_plan",
    "pair_noise",
    "split_chunks",
    "surrogate_groups",
]

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
    seed = _resolve_seed(seed)
    n = _surrogate_length(dt, dj, s0, J) if data is None else data.n
    return MonteCarloPlan(
        al1, al2, dt, dj, s0, J, mother, mc_count, seed, nbins, n, estimator, precision,
        surrogate, data,
    )  # fmt: skip


def _resolve_seed(seed) -> int:
    """A root seed: ``seed`` checked, or 53 bits of fresh entropy for None."""
    if seed is None:
        # 53 bits of fresh entropy: exact in JSON numbers, SQLite and JavaScript.
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(11))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a whole number >= 0 or None (got {seed!r})")
    return int(seed)


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
