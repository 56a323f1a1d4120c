"""Pointwise and areawise Monte Carlo significance of wavelet power.

`areawise_power` (the pointwise and areawise masks of one series) and
`power_significance` (the Monte Carlo pointwise thresholds of its power); the
procedure and references are in `pycwt_mod.areawise.common`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_series
from ..montecarlo.cache import ThresholdCache
from ..montecarlo.observed import ObservedSeries
from ..montecarlo.plan import CancelCheck, ProgressCallback
from ..mothers import get_wavelet
from ..options import renamed_keywords
from .common import (
    RENAMED,
    AreawiseResult,
    _Engine,
    _engine,
    _grid,
    _null_patches,
    _red_noise,
    _result,
    _Run,
    _run,
)
from .kernel import PatchPlan, PowerPlan, field_of, power_thresholds

__all__ = ["areawise_power", "power_significance"]


@renamed_keywords(**RENAMED)
def areawise_power(
    x,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    *,
    surrogate: str = "ar1",
    significance_level: float = 0.95,
    area_level: float = 0.95,
    mc_count: int = 300,
    seed: int | None = None,
    rng=None,
    area_measure: str = "maraun",
    area_test: str = "areawise",
    backend=None,
    chunk_size: int | None = None,
    cache: bool = True,
    cache_dir=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> AreawiseResult:
    """Monte Carlo pointwise and areawise significance of the wavelet power of ``x``.

    Two passes over the same surrogates run on the Monte Carlo engine
    (`pycwt_mod.montecarlo.run_plan`): the pointwise thresholds (quantiles of the
    surrogates' normalised power per scale, `pycwt_mod.areawise.kernel.PowerPlan`),
    then the null patches at those thresholds (`~pycwt_mod.areawise.kernel.PatchPlan`),
    whose critical size is cached like coherence thresholds.

    Parameters
    ----------
    x : (n,) array_like
        Series (detrend it first if it has a trend). It is standardised: the power
        compared is ``|W|^2`` of ``(x - mean) / std``.
    dt, dj, s0, J, wavelet
        The grid, as in `pycwt_mod.cwt`; the masks are aligned with
        ``cwt(x, dt, dj, s0, J, wavelet)``.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis (`pycwt_mod.montecarlo.surrogates`), default ``"ar1"`` (AR(1) with the
        lag-1 autocorrelation and variance of ``x``, `pycwt_mod.significance.fit_ar1`).
    significance_level : float, optional
        Pointwise level, default 0.95 (was ``level``, still accepted with a
        DeprecationWarning for one release).
    area_level : float, optional
        Areawise level, default 0.95.
    mc_count : int, optional
        Surrogates, >= 2 (default 300).
    seed : int, optional
        Root seed (default 0); surrogate ``k`` uses
        ``SeedSequence(seed, spawn_key=(k,))``.
    rng : int or numpy.random.Generator, optional
        Instead of ``seed`` (SPEC 7; giving both is a ``ValueError``): an int is the
        root seed; a Generator draws it, so the same Generator state gives the same
        masks.
    area_measure : {"maraun", "schulte"}, optional
        Patch size measure (see `patch_sizes`; was ``measure``).
    area_test : {"areawise", "cumulative"}, optional
        ``"areawise"`` (default): Maraun et al. (2007), patches at
        ``significance_level`` larger than the critical size in ``area_measure``.
        ``"cumulative"``: the cumulative areawise test of Schulte (2016)
        (`pycwt_mod.areawise.cumulative`): the geometric test (Schulte normalised
        area, per-patch critical areas at ``area_level``) at the pointwise levels
        `~pycwt_mod.areawise.cumulative.DEFAULT_LEVELS`, significant where at least
        half of them pass; ``area_measure`` then only sets ``critical_area`` (the
        areawise test's at ``significance_level``, for reference). Was ``test``.
    backend, chunk_size, cache, cache_dir, progress_callback, cancel
        As in `pycwt_mod.wct_significance`; the same seed gives the same masks on
        every CPU backend and chunk size. Progress counts both passes
        (``2 * mc_count``).

    Returns
    -------
    result : AreawiseResult
        Masks of shape ``(n_scales, n)``; ``threshold`` in units of ``|W|^2`` of
        ``x - mean(x)``.

    Raises
    ------
    ValueError
        For bad parameters or an unknown surrogate family (the message lists them).
    Cancelled
        If ``cancel()`` returned True.

    Warns
    -----
    AR1FallbackWarning
        When ``x`` has no unbiased AR(1) estimate and the Yule-Walker one is used.

    Notes
    -----
    Cost: two transforms per surrogate (see bench/README.md).

    Examples
    --------
    >>> import numpy as np
    >>> import pycwt_mod as wavelet
    >>> x = wavelet.rednoise(256, 0.5, rng=1)
    >>> res = wavelet.areawise_power(x, 1.0, dj=0.25, mc_count=50, seed=1, cache=False)
    >>> res.pointwise.shape == res.areawise.shape
    True
    >>> bool((res.areawise <= res.pointwise).all())
    True
    """
    run = _run(
        surrogate=surrogate, level=significance_level, area_level=area_level,
        mc_count=mc_count, seed=seed, rng=rng, measure=area_measure, test=area_test,
    )  # fmt: skip
    eng = _engine(
        backend=backend, chunk_size=chunk_size, cache=cache, cache_dir=cache_dir,
        progress_callback=progress_callback, cancel=cancel,
    )  # fmt: skip
    p = _power_pass(x, dt, dj, s0, J, wavelet, run=run, eng=eng, total=2 * run.mc_count)
    patches = PatchPlan(
        *p.grid, field="power", data=p.plan.data, surrogate=run.surrogate, al=p.plan.al,
        mc_count=run.mc_count, seed=run.seed, thresholds=tuple(map(tuple, p.thr.tolist())),
        measure=run.measure, test=run.test,
    )  # fmt: skip
    crit = _null_patches(patches, run, eng, run.mc_count, 2 * run.mc_count)
    dt, dj = p.grid[:2]
    return _result(p.power, p.valid, p.thr, p.plan.scales, dt, dj, crit, run, p.variance)


@dataclass(frozen=True)
class _PowerPass:
    """The power field of the data and its pointwise thresholds (one row per level)."""

    plan: PowerPlan
    grid: tuple
    power: np.ndarray
    valid: np.ndarray
    thr: np.ndarray
    variance: float


def _power_pass(x, dt, dj, s0, J, wavelet, *, run: _Run, eng: _Engine, total: int) -> _PowerPass:
    mother = get_wavelet(wavelet)
    x = as_series(x, "x", min_length=3).astype(np.float64)
    data = ObservedSeries.of(x, names=("x",))
    grid = (*_grid(x.size, dt, dj, s0, J, mother), mother)
    al = (_red_noise(data.values[0], "x"),) if run.surrogate == "ar1" else (0.0,)
    plan = PowerPlan(
        *grid, data=data, surrogate=run.surrogate, al=al, mc_count=run.mc_count, seed=run.seed
    )
    power, valid = field_of(plan, data.values)
    n = plan.n_scales

    def compute():
        hist = eng.run(plan, 0, total)
        return np.concatenate([power_thresholds(plan, hist, lv) for lv in run.levels])

    key = {**ThresholdCache.field_key(plan, "power_thresholds"), "levels": list(run.levels)}
    thr = eng.cached(key, n * len(run.levels), compute).reshape(-1, n)
    return _PowerPass(plan, grid, power, valid, thr, float(x.var()))


@renamed_keywords(**RENAMED)
def power_significance(
    x,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    *,
    significance_level: float = 0.95,
    surrogate: str = "ar1",
    mc_count: int = 300,
    seed: int | None = None,
    rng=None,
    backend=None,
    chunk_size: int | None = None,
    cache: bool = True,
    cache_dir=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> np.ndarray:
    """Monte Carlo pointwise significance of wavelet power against a surrogate family.

    The Monte Carlo counterpart of `pycwt_mod.significance` (which is analytical and
    AR(1) only): the threshold of each scale is the ``significance_level`` quantile
    of the surrogates' power at that scale, pooled over time outside the cone of
    influence, read from a fine histogram (`pycwt_mod.areawise.kernel.PowerPlan`,
    0.46% bins) that the engine fills chunk by chunk on any backend.

    Parameters
    ----------
    x : (n,) array_like
        Series; its mean is removed.
    dt, dj, s0, J, wavelet
        The grid, as in `pycwt_mod.cwt`.
    significance_level : float, optional
        Default 0.95.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis (`pycwt_mod.montecarlo.surrogates`), default ``"ar1"``.
    mc_count, seed, rng, backend, chunk_size, cache, cache_dir, progress_callback, cancel
        As in `areawise_power` (progress counts ``mc_count``).

    Returns
    -------
    threshold : (n_scales,) ndarray
        Power threshold per scale in units of ``|W|^2`` of ``x - mean(x)`` (compare
        with ``abs(cwt(x - x.mean(), ...)[0]) ** 2``); NaN where the whole scale is
        inside the cone of influence.

    Raises
    ------
    ValueError
        For bad parameters (the message names the parameter).
    Cancelled
        If ``cancel()`` returned True.
    """
    run = _run(
        surrogate=surrogate, level=significance_level, area_level=0.95, mc_count=mc_count,
        seed=seed, rng=rng, measure="maraun", test="areawise",
    )  # fmt: skip
    eng = _engine(
        backend=backend, chunk_size=chunk_size, cache=cache, cache_dir=cache_dir,
        progress_callback=progress_callback, cancel=cancel,
    )  # fmt: skip
    p = _power_pass(x, dt, dj, s0, J, wavelet, run=run, eng=eng, total=run.mc_count)
    return p.thr[0] * p.variance
