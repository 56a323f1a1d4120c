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
2. *Pointwise*: the threshold of each scale is the ``significance_level`` quantile of the
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

   - ``area_measure="maraun"``: ``sum(dt / s_j * dj)`` over the patch's points, i.e. the
     area in the plane (time / scale, log2 scale) [1]_;
   - ``area_measure="schulte"``: the patch's area in the (time, scale) plane divided by
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

from .._validation import check_choice, check_count, check_positive, resolve_J, resolve_s0
from ..montecarlo.cache import ThresholdCache
from ..montecarlo.engine import run_plan
from ..montecarlo.observed import resolve_seed
from ..montecarlo.surrogates import get_surrogate
from ..options import AREA_TESTS
from ..significance import AR1FallbackWarning, fit_ar1
from .cumulative import critical_areas, cumulative_mask, cumulative_statistic
from .kernel import PatchPlan
from .patches import AREA_MEASURES, areawise_mask, check_level, critical_size
from .pathways import DEFAULT_LEVELS, geometric_pathways, level_masks

__all__ = ["AREAWISE_TESTS", "AreawiseResult", "threshold_levels"]


#: Areawise tests: Maraun et al. (2007) with the chosen patch measure, and the
#: cumulative areawise test of Schulte (2016) (`pycwt_mod.options.AREA_TESTS`).
AREAWISE_TESTS = AREA_TESTS


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
    significance_level, area_measure, area_test
        ``level``, ``measure`` and ``test`` under the names of `pycwt_mod.options`
        (properties).
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

    @property
    def significance_level(self) -> float:
        """The pointwise level, ``level`` under the name every door uses."""
        return self.level

    @property
    def area_measure(self) -> str:
        """The patch size measure, ``measure`` under the name every door uses."""
        return self.measure

    @property
    def area_test(self) -> str:
        """The areawise test, ``test`` under the name every door uses."""
        return self.test


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


def _run(*, surrogate, level, area_level, mc_count, seed, rng=None, measure, test) -> _Run:
    """The options checked, each named as the public functions spell it; the root seed
    from ``seed`` or ``rng`` (`resolve_seed`: default 0)."""
    get_surrogate(surrogate)
    return _Run(
        surrogate=surrogate,
        level=check_level(level, "significance_level"),
        area_level=check_level(area_level, "area_level"),
        mc_count=check_count(mc_count, "mc_count", 2),
        seed=check_count(resolve_seed(seed, rng, default=0), "seed", 0),
        measure=check_choice(measure, "area_measure", AREA_MEASURES),
        test=check_choice(test, "area_test", AREAWISE_TESTS),
    )


#: The keywords of `areawise_power`, `areawise_coherence` and `power_significance`
#: that were renamed to the names of `pycwt_mod.options` (old names accepted, with a
#: DeprecationWarning, for one release).
RENAMED = dict(level="significance_level", measure="area_measure", test="area_test")


def _red_noise(x, name: str) -> float:
    """The lag-1 coefficient of ``x`` under the library's one policy (`fit_ar1`).

    The Yule-Walker fallback is announced with an `AR1FallbackWarning`.
    """
    g, warning = fit_ar1(x, name)
    if warning:
        warnings.warn(warning, AR1FallbackWarning, stacklevel=3)
    return g


@dataclass(frozen=True)
class _Engine:
    """Where and how the Monte Carlo passes run (the options of `run_plan`)."""

    backend: object
    chunk_size: int | None
    store: ThresholdCache | None
    progress_callback: object
    cancel: object
    checkpoint: object = None

    def run(self, plan, offset: int, total: int):
        """Run ``plan``, reporting progress as ``offset + done`` of ``total``."""
        report = self.progress_callback
        callback = None if report is None else (lambda done, _: report(offset + done, total))
        out, _ = run_plan(
            plan, self.backend, self.chunk_size, progress_callback=callback, cancel=self.cancel,
            checkpoint=self.checkpoint,
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


def _engine(
    *, backend, chunk_size, cache, cache_dir, progress_callback, cancel, checkpoint=None
) -> _Engine:
    store = ThresholdCache(cache_dir) if cache else None
    return _Engine(
        backend=backend, chunk_size=chunk_size, store=store,
        progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
    )  # fmt: skip


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
