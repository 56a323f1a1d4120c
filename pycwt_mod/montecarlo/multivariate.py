"""Monte Carlo significance of partial and multiple wavelet coherence: the engine's entry.

`multivariate_significance` is `pycwt_mod.montecarlo.wct_significance` for ``k``
series: the same validation, threshold cache, backends, chunks, progress,
cancellation and checkpoints (`pycwt_mod.montecarlo.engine.plan_thresholds`), on a
`pycwt_mod.montecarlo.multivariate_plan.MultivariatePlan` whose chunks the
multivariate kernel computes.

References
----------
.. [1] Ng, E. K. W. and Chan, J. C. L. (2012). Geophysical applications of partial
   wavelet coherence and multiple wavelet coherence. Journal of Atmospheric and
   Oceanic Technology, 29, 1845-1853.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Nonlinear Processes in
   Geophysics, 11, 561-566.
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from .._validation import check_significance_level
from .cache import ThresholdCache
from .chunks import Checkpoint
from .engine import plan_thresholds
from .multivariate_plan import (
    MultivariatePlan,
    estimate_multivariate_work,
    make_multivariate_plan,
    multivariate_noise,
)
from .observed import resolve_seed
from .plan import CancelCheck, ProgressCallback

__all__ = [
    "MultivariatePlan",
    "estimate_multivariate_work",
    "make_multivariate_plan",
    "multivariate_noise",
    "multivariate_significance",
]


def multivariate_significance(
    kind: str,
    al,
    dt: float,
    dj: float,
    s0: float,
    J: int,
    significance_level: float = 0.95,
    wavelet="morlet",
    mc_count: int = 300,
    progress: bool = True,
    cache: bool = True,
    *,
    backend=None,
    seed: int | None = None,
    rng=None,
    chunk_size: int | None = None,
    nbins: int = 1000,
    estimator: str = "multirate",
    precision: str = "float32",
    cache_dir=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    return_info: bool = False,
    surrogate: str = "ar1",
    data=None,
    checkpoint: Checkpoint | None = None,
):
    """Monte Carlo thresholds of a partial or multiple wavelet coherence.

    Under the null hypothesis the series are mutually independent, each with its
    own background: red noise of its own lag-1 coefficient (``surrogate="ar1"``,
    as Ng & Chan 2012 [1]_), or surrogates of the observed series (``"phase"``,
    ``"iaaft"``). The per-scale quantiles of the coherence of the surrogate sets,
    outside the cone of influence, are the thresholds (Grinsted et al. 2004 [2]_).

    Parameters
    ----------
    kind : {"partial", "multiple"}
        ``"partial"``: series 0 and 1 with the others removed (``k >= 3``);
        ``"multiple"``: series 0 against the others together (``k >= 2``; with
        ``k = 2`` the pair's ordinary coherence, the same histogram as
        `wct_significance` with the same seed).
    al : sequence of float
        Lag-1 coefficient of each series (``"ar1"``); unused (may be None) for the
        data-driven families, whose ``k`` is that of ``data``.
    dt, dj, s0, J, significance_level, wavelet, mc_count, progress, cache
        As in `pycwt_mod.montecarlo.wct_significance` (``mc_count``: surrogate sets).
    backend, seed, rng, chunk_size, nbins, estimator, precision, cache_dir
        As in `wct_significance`: the same seed gives the same bits on every CPU
        backend and chunk size; the gpu backend agrees within Monte Carlo error.
        ``rng`` (an int or a `numpy.random.Generator`, SPEC 7) stands for ``seed``.
    progress_callback, cancel, return_info, checkpoint
        As in `wct_significance`.
    surrogate : {"ar1", "phase", "iaaft"}, optional
    data : sequence of (n,) array_like, optional
        The observed series, in the order of ``al`` (required by ``"phase"`` and
        ``"iaaft"``; the cache key then includes their SHA-256).

    Returns
    -------
    sig : (J + 1,) ndarray, or (L, J + 1) for L levels
        Threshold of the squared partial (multiple) coherence per scale (NaN where
        a scale has no point outside the cone of influence).
    info : dict
        Only if ``return_info``: as `wct_significance`'s.

    Raises
    ------
    ValueError
        For invalid parameters (naming them), including too few or too many series.
    BackendUnavailableError
        For a named backend that cannot run here.
    Cancelled
        If ``cancel()`` returned True.
    """
    started = time.perf_counter()
    several = not isinstance(significance_level, numbers.Real)
    levels = [check_significance_level(v) for v in np.atleast_1d(significance_level)]
    if not levels:
        raise ValueError("`significance_level` must be a number or a non-empty sequence")
    seed = resolve_seed(seed, rng)
    plan = make_multivariate_plan(
        kind, al, dt, dj, s0, J, wavelet, mc_count, seed, nbins, estimator, precision,
        surrogate, data,
    )  # fmt: skip
    keys = [ThresholdCache.multivariate_key(plan, lv, seeded=seed is not None) for lv in levels]
    return plan_thresholds(
        plan, levels, keys, started=started, several=several, backend=backend, cache=cache,
        cache_dir=cache_dir, chunk_size=chunk_size, progress=progress,
        desc=f"{kind} coherence significance", progress_callback=progress_callback,
        cancel=cancel, checkpoint=checkpoint, return_info=return_info,
    )  # fmt: skip
