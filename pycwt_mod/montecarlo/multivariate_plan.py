"""Monte Carlo plans for partial and multiple wavelet coherence of several series.

A leaf module, as `pycwt_mod.montecarlo.plan` (whose grid, estimator and seeding it
shares): it imports numpy and the numerics of the library, never a backend, the
kernel or the engine.

The null hypothesis is that the ``k`` series are mutually independent, each with
its own background: red noise with its own lag-1 coefficient (``"ar1"``, as Ng &
Chan 2012 and Hu & Si 2016 test these coherences), or surrogates of the series
themselves (``"phase"``, ``"iaaft"``, `pycwt_mod.montecarlo.surrogates`).
Surrogate set ``k`` (one series of each) draws from its own stream,
``SeedSequence(seed, spawn_key=(k,))``: `multivariate_noise` is
`pycwt_mod.montecarlo.surrogates.ar1_draws` or ``multi_surrogates`` of the ``k``
rows, so with two series the sets are the coherence engine's pairs draw for draw.
The per-scale histogram of the coherence outside the cone of influence and its
quantiles follow Grinsted et al. (2004) as for the pair.

References
----------
.. [1] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Nonlinear Processes in
   Geophysics, 11, 561-566.
.. [2] Ng, E. K. W. and Chan, J. C. L. (2012). Geophysical applications of partial
   wavelet coherence and multiple wavelet coherence. Journal of Atmospheric and
   Oceanic Technology, 29, 1845-1853.
.. [3] Hu, W. and Si, B. C. (2016). Hydrology and Earth System Sciences, 20,
   3183-3191.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_count
from ..conditional import COHERENCE_KINDS
from ..mothers import Mother, get_wavelet
from .observed import ObservedSeries
from .plan import (
    ESTIMATORS,
    PRECISIONS,
    _check_ar1,
    _check_choice,
    _resolve_scales,
    _resolve_seed,
    _surrogate_length,
    estimate_work,
)
from .surrogates import SURROGATES, ar1_draws, multi_surrogates

__all__ = [
    "MultivariatePlan",
    "estimate_multivariate_work",
    "make_multivariate_plan",
    "multivariate_noise",
]

#: Most series a plan takes (the kernel's work grows with ``k^2``).
MAX_SERIES = 8


@dataclass(frozen=True)
class MultivariatePlan:
    """Everything that determines the surrogate histogram of a partial or multiple coherence.

    The grid, estimator and precision attributes mean what they mean in
    `pycwt_mod.montecarlo.MonteCarloPlan` (the kernel shares its groups of scales).

    Attributes
    ----------
    kind : {"partial", "multiple"}
        ``"partial"``: series 0 and 1 with ``2..k-1`` removed; ``"multiple"``:
        series 0 against ``1..k-1`` together (`pycwt_mod.conditional`).
    al : tuple of float
        Lag-1 coefficient of each series' red noise (``"ar1"``; zeros otherwise).
    dt, dj, s0, J, wavelet, mc_count, seed, nbins, n, estimator, precision
        As in `MonteCarloPlan` (``mc_count``: surrogate sets, one series each).
    surrogate : {"ar1", "phase", "iaaft"}
    data : ObservedSeries or None
        The ``k`` observed series (data-driven families only; ``n`` is then their
        length).
    """

    kind: str
    al: tuple[float, ...]
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
    def k(self) -> int:
        """Number of series."""
        return len(self.al)

    @property
    def n_scales(self) -> int:
        return self.J + 1

    @property
    def scales(self) -> np.ndarray:
        return self.s0 * 2 ** (np.arange(0, self.J + 1) * self.dj)


def _min_series(kind: str) -> int:
    return 3 if kind == "partial" else 2


def make_multivariate_plan(
    kind: str,
    al,
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
) -> MultivariatePlan:
    """Validate the parameters and fix everything the histogram depends on.

    Parameters
    ----------
    kind : {"partial", "multiple"}
    al : sequence of float
        Lag-1 coefficient of each series, each in (-1, 1): ``k >= 3`` for a
        partial coherence, ``k >= 2`` for a multiple one, at most `MAX_SERIES`.
        With a data-driven ``surrogate`` only its length counts (pass ``None`` to
        take ``k`` from ``data``).
    dt, dj, s0, J, wavelet, mc_count, seed, nbins, estimator, precision
        As in `pycwt_mod.montecarlo.make_plan`.
    surrogate : {"ar1", "phase", "iaaft"}, optional
    data : sequence of (n,) array_like or ObservedSeries, optional
        The observed series, required by ``"phase"`` and ``"iaaft"``.

    Returns
    -------
    plan : MultivariatePlan

    Raises
    ------
    ValueError
        Naming the bad parameter.
    """
    kind = _check_choice(kind, "kind", COHERENCE_KINDS)
    mother = get_wavelet(wavelet)
    mother.require_deltaj0("coherence significance")
    surrogate = _check_choice(surrogate, "surrogate", SURROGATES)
    if surrogate == "ar1":
        if al is None or isinstance(al, str | bytes):
            raise ValueError("`al` must be a sequence of lag-1 coefficients, one per series")
        al = tuple(_check_ar1(a, f"al[{i}]") for i, a in enumerate(al))
        data = None
    else:
        if data is None:
            raise ValueError(f"surrogate={surrogate!r} resamples the observed series: pass data")
        if not isinstance(data, ObservedSeries):
            data = ObservedSeries.of(*data, names=[f"data[{i}]" for i in range(len(data))])
        al = (0.0,) * data.values.shape[0]
    k = len(al)
    if not _min_series(kind) <= k <= MAX_SERIES:
        raise ValueError(
            f"a {kind} coherence needs {_min_series(kind)} to {MAX_SERIES} series (got {k})"
        )
    dt, dj, s0, J = _resolve_scales(dt, dj, s0, J, mother)
    mc_count = check_count(mc_count, "mc_count")
    nbins = check_count(nbins, "nbins", minimum=10)
    estimator = _check_choice(estimator, "estimator", ESTIMATORS)
    precision = _check_choice(precision, "precision", PRECISIONS)
    seed = _resolve_seed(seed)
    n = _surrogate_length(dt, dj, s0, J) if data is None else data.n
    return MultivariatePlan(
        kind, al, dt, dj, s0, J, mother, mc_count, seed, nbins, n, estimator, precision,
        surrogate, data,
    )  # fmt: skip


def multivariate_noise(plan: MultivariatePlan, start: int, stop: int) -> np.ndarray:
    """Surrogate sets ``start..stop-1``, generated on the host.

    Returns
    -------
    noise : (stop - start, k, n) float64 ndarray
        Set ``i`` is from the stream of index ``start + i``; for ``"ar1"`` row ``r``
        has AR(1) coefficient ``plan.al[r]`` (unit innovations), otherwise it is a
        surrogate of observed series ``r``.
    """
    if plan.data is not None:
        return multi_surrogates(
            plan.data.values, plan.surrogate, stop - start, plan.seed, start=start
        )
    return ar1_draws(plan.al, plan.n, stop - start, plan.seed, start=start)


def estimate_multivariate_work(
    k: int,
    dt: float,
    dj: float,
    s0: float,
    J: int,
    mc_count: int,
    wavelet="morlet",
    estimator: str | None = None,
) -> int:
    """Size of a partial or multiple coherence test of ``k`` series, in sample-scales.

    `pycwt_mod.montecarlo.estimate_work` of the grid, scaled by the spectra a set
    transforms and smooths, ``k + k (k - 1) / 2`` against the pair's 3, so a
    service compares it with the budget it uses for the pair. The kernel's time
    per set grows roughly so (``bench/partial_coherence.py`` prints both; the
    elementwise sweep adds a little for ``k >= 3``). Other parameters as in
    `estimate_work`.

    Raises
    ------
    ValueError
        For ``k < 2`` or more than `MAX_SERIES`, and as `estimate_work`.
    """
    k = check_count(k, "k", minimum=2)
    if k > MAX_SERIES:
        raise ValueError(f"`k` must be at most {MAX_SERIES} (got {k})")
    spectra = k + k * (k - 1) // 2
    return -(-estimate_work(dt, dj, s0, J, mc_count, wavelet, estimator) * spectra // 3)
