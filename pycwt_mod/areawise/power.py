"""Pointwise and areawise Monte Carlo significance of wavelet power and coherence.

A pointwise test at 95% flags about 5% of the (scale, time) plane of pure noise,
and since neighbouring wavelet coefficients are correlated those points come in
patches that look like features. The areawise test of Maraun, Kurths and
Holschneider (2007) [1]_ keeps only the pointwise-significant patches that are
larger than the null hypothesis produces by chance.

Procedure (`areawise_power`, `areawise_coherence`):

1. ``mc_count`` surrogates of the data are drawn from a family of
   `pycwt_mod.montecarlo.surrogates` (AR(1), phase, IAAFT), with the engine's per-pair seeding.
   Both passes below run on the Monte Carlo engine (`pycwt_mod.montecarlo.run_plan`:
   any backend, any chunking, the same bits) and their results are cached.
2. *Pointwise*: the threshold of each scale is the ``level`` quantile of the
   surrogates' power (normalised by the variance, from a fine log-power histogram,
   `pycwt_mod.areawise.kernel.PowerPlan`) or coherence (the coherence engine,
   `pycwt_mod.wct_significance` with the same family; or per-scale thresholds
   ``sig95`` given by the caller) at that scale, pooled over time outside the cone
   of influence. A point outside the cone of influence is pointwise significant
   when it exceeds its scale's threshold.
3. *Patches* are the connected components of the pointwise mask in the
   (scale, time) plane (4-connectivity, `scipy.ndimage.label`). Their size is
   measured so that the wavelet's reproducing kernel, which is ``~s`` wide in time
   and of constant width in ``log s``, has the same size at every scale:

   - ``measure="maraun"``: ``sum(dt / s_j * dj)`` over the patch's points, i.e. the
     area in the plane (time / scale, log2 scale) [1]_;
   - ``measure="schulte"``: the patch's area in the (time, scale) plane divided by
     the square of the scale of its centroid, the normalised area of Schulte,
     Duffy and Najjar (2015) [2]_.

4. *Critical area*: the same surrogates' pointwise masks, on the data's grid and
   length (`pycwt_mod.areawise.kernel.PatchPlan`), give the null population of
   patches. The critical area is the smallest size such that, under the null,
   at most a fraction ``1 - area_level`` of the pointwise-significant area lies in
   patches larger than it (area-weighted, the fraction of false-positive *area*
   that survives). A pointwise patch larger than the critical area is areawise
   significant.

References
----------
.. [1] Maraun, D., Kurths, J. and Holschneider, M. (2007). Nonstationary Gaussian
   processes in wavelet domain: synthesis, estimation, and significance testing.
   Physical Review E, 75, 016707.
.. [2] Schulte, J. A., Duffy, C. and Najjar, R. G. (2015). Geometric and
   topological approaches to significance testing in wavelet analysis. Nonlinear
   Processes in Geophysics, 22, 139-156; Schulte, J. A. (2016). Cumulative areawise
   testing in wavelet analysis and its application to geophysical time series.
   Nonlinear Processes in Geophysics, 23, 45-57.
.. [3] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .._validation import as_series, check_count, check_positive, resolve_J, resolve_s0
from ..montecarlo.cache import ThresholdCache
from ..montecarlo.engine import run_plan, wct_significance
from ..montecarlo.observed import ObservedSeries
from ..montecarlo.plan import CancelCheck, ProgressCallback
from ..montecarlo.surrogates import get_surrogate
from ..mothers import get_wavelet
from ..significance import ar1
from .cumulative import critical_areas, cumulative_mask, cumulative_statistic
from .kernel import PatchPlan, PowerPlan, field_of, power_thresholds
from .patches import (
    AREA_MEASURES,
    areawise_mask,
    check_level,
    check_measure,
    critical_area,
    critical_size,
    outside_coi,
    patch_sizes,
    pointwise_thresholds,
)
from .pathways import DEFAULT_LEVELS, geometric_pathways, level_masks

__all__ = [
    "AREAWISE_TESTS",
    "AREA_MEASURES",
    "AreawiseResult",
    "areawise_coherence",
    "areawise_mask",
    "areawise_power",
    "critical_area",
    "critical_size",
    "outside_coi",
    "patch_sizes",
    "pointwise_thresholds",
    "power_significance",
    "threshold_levels",
]


#: Areawise tests: Maraun et al. (2007) with the chosen patch measure, and the
#: cumulative areawise test of Schulte (2016).
AREAWISE_TESTS = ("areawise", "cumulative")


@dataclass(frozen=True)
class AreawiseResult:
    """Pointwise and areawise significance of one wavelet power or coherence field.

    Attributes
    ----------
    pointwise : (n_scales, n) bool ndarray
        Points outside the cone of influence above their scale's threshold.
    areawise : (n_scales, n) bool ndarray
        ``test="areawise"``: points of pointwise patches larger than
        ``critical_area`` (a subset of ``pointwise``). ``test="cumulative"``:
        points that pass the geometric test at half or more of the cumulative
        levels (not necessarily inside ``pointwise``: the lowest levels reach
        further).
    threshold : (n_scales,) ndarray
        Pointwise threshold per scale (power in the units of ``|W|^2``, or squared
        coherence); NaN where the whole scale is inside the cone of influence.
    critical_area : float
        Critical patch size, in the units of ``measure``.
    level : float
        Pointwise significance level (e.g. 0.95).
    area_level : float
        Areawise significance level (e.g. 0.95).
    surrogate : str
        Family of the surrogates (`pycwt_mod.montecarlo.surrogates.SURROGATES`).
    mc_count : int
        Number of surrogates (or surrogate pairs).
    seed : int
        Root seed of the surrogates.
    measure : str
        Patch size measure (`AREA_MEASURES`).
    test : str
        The areawise test (`AREAWISE_TESTS`).
    cumulative_levels : tuple of float
        ``test="cumulative"``: the pointwise levels of the geometric pathways
        (`pycwt_mod.areawise.cumulative.DEFAULT_LEVELS`); empty otherwise.
    cumulative_critical_areas : tuple of float
        ``test="cumulative"``: the critical normalised area at each of those levels.
    """

    pointwise: np.ndarray
    areawise: np.ndarray
    threshold: np.ndarray
    critical_area: float
    level: float
    area_level: float
    surrogate: str
    mc_count: int
    seed: int
    measure: str = "maraun"
    test: str = "areawise"
    cumulative_levels: tuple[float, ...] = ()
    cumulative_critical_areas: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Run:
    """The validated choices of one areawise computation."""

    surrogate: str
    level: float
    area_level: float
    mc_count: int
    seed: int
    measure: str
    test: str

    @property
    def levels(self) -> tuple[float, ...]:
        return threshold_levels(self.test, self.level)


def threshold_levels(test: str, level: float) -> tuple[float, ...]:
    """The pointwise levels at which a test needs thresholds, in their order.

    ``(level,)`` for ``"areawise"``; ``(level, *DEFAULT_LEVELS)`` for ``"cumulative"``
    (row 0 is the pointwise mask, the others the pathways' levels). A caller that has
    the coherence histogram (a significance job) computes these rows and passes them
    as ``sig95`` to `areawise_coherence`, which then runs only the null patches.
    """
    return (level, *DEFAULT_LEVELS) if test == "cumulative" else (level,)


def _run(surrogate, level, area_level, mc_count, seed, measure, test, level_name="level") -> _Run:
    get_surrogate(surrogate)
    if test not in AREAWISE_TESTS:
        names = ", ".join(map(repr, AREAWISE_TESTS))
        raise ValueError(f"`test` must be one of {names} (got {test!r})")
    return _Run(
        surrogate,
        check_level(level, level_name),
        check_level(area_level, "area_level"),
        check_count(mc_count, "mc_count", 2),
        check_count(seed, "seed", 0),
        check_measure(measure),
        test,
    )


@dataclass(frozen=True)
class _Engine:
    """Where and how the Monte Carlo passes run (the options of `run_plan`)."""

    backend: object
    chunk_size: int | None
    store: ThresholdCache | None
    progress_callback: object
    cancel: object

    def run(self, plan, offset: int, total: int):
        """Run ``plan``, reporting progress as ``offset + done`` of ``total``."""
        report = self.progress_callback
        callback = None if report is None else (lambda done, _: report(offset + done, total))
        out, _ = run_plan(
            plan, self.backend, self.chunk_size, progress_callback=callback, cancel=self.cancel
        )  # fmt: skip
        return out

    def cached(self, key: dict, size: int, compute, seed: int = 0) -> np.ndarray:
        """``compute()`` (a float64 array of ``size``), read from and written to the cache."""
        hit = self.store.load(key, size) if self.store else None
        if hit is not None:
            return hit[0]
        value = np.asarray(compute(), dtype=np.float64)
        if self.store:
            try:
                self.store.save(key, value, seed)
            except OSError as exc:  # a read-only cache must not lose the result
                warnings.warn(f"could not write the threshold cache: {exc}", stacklevel=3)
        return value


def _engine(backend, chunk_size, cache, cache_dir, progress_callback, cancel) -> _Engine:
    store = ThresholdCache(cache_dir) if cache else None
    return _Engine(backend, chunk_size, store, progress_callback, cancel)


def _grid(n: int, dt, dj, s0, J, mother) -> tuple[float, float, float, int]:
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    s0 = resolve_s0(s0, dt, mother.flambda())
    return dt, dj, s0, resolve_J(J, n, dt, s0, dj)


def _null_patches(plan: PatchPlan, run: _Run, eng: _Engine, offset: int, total: int) -> np.ndarray:
    """Critical sizes from the plan's null patches (cached by every input).

    Returns ``[critical size at row 0, *critical areas of the cumulative levels]``.
    """
    key = {
        **ThresholdCache.field_key(plan, "critical_area"),
        "area_level": run.area_level,
    }

    n_path = len(plan.thresholds) - 1 if run.test == "cumulative" else 0

    def compute():
        null = eng.run(plan, offset, total)
        first = critical_size(null.sizes, null.areas, run.area_level)
        if not n_path:
            return [first]
        path = critical_areas(null.path_areas, null.path_levels, n_path, run.area_level)
        return [first, *path]

    return eng.cached(key, 1 + n_path, compute)


def _result(field, valid, thr, sj, dt, dj, crit, run: _Run, scale=1.0) -> AreawiseResult:
    masks = level_masks(field, thr, valid)  # row 0 at `level`, then the pathways'
    pointwise = masks[0]
    if run.test == "cumulative":
        paths = geometric_pathways(masks[1:], sj, dt, dj)
        significant = cumulative_mask(cumulative_statistic(paths.areas, crit[1:]))
    else:
        significant = areawise_mask(pointwise, sj, dt, dj, float(crit[0]), run.measure)
    return AreawiseResult(
        pointwise=pointwise,
        areawise=significant,
        threshold=thr[0] * scale,
        critical_area=float(crit[0]),
        level=run.level,
        area_level=run.area_level,
        surrogate=run.surrogate,
        mc_count=run.mc_count,
        seed=run.seed,
        measure=run.measure,
        test=run.test,
        cumulative_levels=run.levels[1:],
        cumulative_critical_areas=tuple(float(c) for c in crit[1:]),
    )


def areawise_power(
    x,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    *,
    surrogate: str = "ar1",
    level: float = 0.95,
    area_level: float = 0.95,
    mc_count: int = 200,
    seed: int = 0,
    measure: str = "maraun",
    test: str = "areawise",
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
        lag-1 autocorrelation and variance of ``x``).
    level : float, optional
        Pointwise level, default 0.95.
    area_level : float, optional
        Areawise level, default 0.95.
    mc_count : int, optional
        Surrogates, >= 2 (default 200).
    seed : int, optional
        Root seed (default 0); surrogate ``k`` uses
        ``SeedSequence(seed, spawn_key=(k,))``.
    measure : {"maraun", "schulte"}, optional
        Patch size measure (see `patch_sizes`).
    test : {"areawise", "cumulative"}, optional
        ``"areawise"`` (default): Maraun et al. (2007), patches at ``level``
        larger than the critical size in ``measure``. ``"cumulative"``: the
        cumulative areawise test of Schulte (2016) (`pycwt_mod.areawise.cumulative`): the
        geometric test (Schulte normalised area, per-patch critical areas at
        ``area_level``) at the pointwise levels `~pycwt_mod.areawise.cumulative.DEFAULT_LEVELS`,
        significant where at least half of them pass; ``measure`` then only sets
        ``critical_area`` (the areawise test's at ``level``, for reference).
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
    run = _run(surrogate, level, area_level, mc_count, seed, measure, test)
    eng = _engine(backend, chunk_size, cache, cache_dir, progress_callback, cancel)
    p = _power_pass(x, dt, dj, s0, J, wavelet, run, eng, 2 * run.mc_count)
    patches = PatchPlan(*p.grid, "power", p.plan.data, run.surrogate, p.plan.al, run.mc_count,
                        run.seed, tuple(map(tuple, p.thr.tolist())), run.measure,
                        run.test)  # fmt: skip
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


def _power_pass(x, dt, dj, s0, J, wavelet, run: _Run, eng: _Engine, total: int) -> _PowerPass:
    mother = get_wavelet(wavelet)
    x = as_series(x, "x", min_length=3).astype(np.float64)
    data = ObservedSeries.of(x, names=("x",))
    grid = (*_grid(x.size, dt, dj, s0, J, mother), mother)
    al = (float(ar1(data.values[0])[0]),) if run.surrogate == "ar1" else (0.0,)
    plan = PowerPlan(*grid, data, run.surrogate, al, run.mc_count, run.seed)
    power, valid = field_of(plan, data.values)
    n = plan.n_scales

    def compute():
        hist = eng.run(plan, 0, total)
        return np.concatenate([power_thresholds(plan, hist, lv) for lv in run.levels])

    key = {**ThresholdCache.field_key(plan, "power_thresholds"), "levels": list(run.levels)}
    thr = eng.cached(key, n * len(run.levels), compute).reshape(-1, n)
    return _PowerPass(plan, grid, power, valid, thr, float(x.var()))


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
    seed: int = 0,
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
    mc_count, seed, backend, chunk_size, cache, cache_dir, progress_callback, cancel
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
        surrogate, significance_level, 0.95, mc_count, seed, "maraun", "areawise",
        level_name="significance_level",
    )  # fmt: skip
    eng = _engine(backend, chunk_size, cache, cache_dir, progress_callback, cancel)
    p = _power_pass(x, dt, dj, s0, J, wavelet, run, eng, run.mc_count)
    return p.thr[0] * p.variance


def areawise_coherence(
    y1,
    y2,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    *,
    surrogate: str = "ar1",
    sig95=None,
    level: float = 0.95,
    area_level: float = 0.95,
    mc_count: int = 200,
    seed: int = 0,
    measure: str = "maraun",
    test: str = "areawise",
    al1: float | None = None,
    al2: float | None = None,
    backend=None,
    chunk_size: int | None = None,
    cache: bool = True,
    cache_dir=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> AreawiseResult:
    """Pointwise and areawise significance of the wavelet coherence of ``y1``, ``y2``.

    The pointwise thresholds are the coherence engine's
    (`pycwt_mod.wct_significance` with the same family, count and seed, sharing its
    cache) unless ``sig95`` is given; the null patches are measured on the data's
    grid from the same surrogate pairs (`~pycwt_mod.areawise.kernel.PatchPlan`), on
    the engine, and their critical size is cached.

    Parameters
    ----------
    y1, y2 : (n,) array_like
        Series of equal length.
    dt, dj, s0, J, wavelet
        The grid, as in `pycwt_mod.wct`; masks align with
        ``wct(y1, y2, dt, dj, s0, J, wavelet=wavelet)[0]``.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis for each series (`pycwt_mod.montecarlo.surrogates.multi_surrogates`),
        default ``"ar1"`` (the engine's red-noise pairs).
    sig95 : (n_scales,) or (L, n_scales) array_like, optional
        Pointwise thresholds per scale at ``level`` (e.g. a significance job's), or
        at each of `threshold_levels` ``(test, level)`` (``L`` rows; required shape
        for ``test="cumulative"``). Default: the coherence engine's, from one
        histogram for all the levels.
    level, area_level, mc_count, seed, measure, test
        As in `areawise_power`.
    al1, al2 : float, optional
        AR(1) coefficients of the two series for ``"ar1"`` (default: `ar1` of each).
    backend, chunk_size, cache, cache_dir, progress_callback, cancel
        As in `areawise_power` (progress counts both passes, ``2 * mc_count``).

    Returns
    -------
    result : AreawiseResult
        ``threshold`` is squared coherence.

    Raises
    ------
    ValueError
        For unequal lengths, bad parameters, an unknown family, or ``sig95`` of the
        wrong shape.
    Cancelled
        If ``cancel()`` returned True.
    """
    run = _run(surrogate, level, area_level, mc_count, seed, measure, test)
    eng = _engine(backend, chunk_size, cache, cache_dir, progress_callback, cancel)
    mother = get_wavelet(wavelet)
    data = ObservedSeries.of(y1, y2)
    dt, dj, s0, J = _grid(data.n, dt, dj, s0, J, mother)
    if run.surrogate == "ar1":
        al = tuple(
            float(ar1(row)[0]) if given is None else float(given)
            for row, given in zip(data.values, (al1, al2), strict=True)
        )
    else:
        al = (0.0, 0.0)
    n = J + 1
    if sig95 is not None:
        thr = np.asarray(sig95, dtype=np.float64)
        rows = len(run.levels)
        if thr.shape == (n,) and rows == 1:
            thr = thr[None]
        elif thr.shape != (rows, n):
            want = f"(n_scales,) = ({n},) or " if rows == 1 else ""
            raise ValueError(
                f"`sig95` must have shape {want}(len(threshold_levels(test, level)), n_scales)"
                f" = ({rows}, {n}) (got {thr.shape}); the {run.test!r} test needs thresholds"
                f" at the levels {run.levels}"
            )
    else:  # the coherence engine, every level from one histogram (and its cache)
        total, report = 2 * run.mc_count, progress_callback
        thr = wct_significance(
            *al, dt, dj, s0, J, significance_level=run.levels, wavelet=mother,
            mc_count=run.mc_count, progress=False, cache=cache, backend=backend,
            seed=run.seed, chunk_size=chunk_size, cache_dir=cache_dir,
            progress_callback=None if report is None else (lambda d, _: report(d, total)),
            cancel=cancel, surrogate=run.surrogate, data=data,
        )  # fmt: skip
    patches = PatchPlan(dt, dj, s0, J, mother, "coherence", data, run.surrogate, al,
                        run.mc_count, run.seed, tuple(map(tuple, thr.tolist())), run.measure,
                        run.test)  # fmt: skip
    WCT, valid = field_of(patches, data.values)
    crit = _null_patches(patches, run, eng, run.mc_count, 2 * run.mc_count)
    return _result(WCT, valid, thr, patches.scales, dt, dj, crit, run)
