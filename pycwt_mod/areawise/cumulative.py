"""The cumulative areawise test of Schulte (2016), in the form of Schulte (2019).

The geometric test of Schulte, Duffy and Najjar (2015) [1]_ keeps a pointwise
patch when its *normalised area* (its area in the (time, scale) plane over the
square of the scale of its centroid, `pycwt_mod.areawise.patches.patch_sizes` with
``measure="schulte"``) exceeds a critical area from null fields. Its answer
depends on the pointwise level chosen to draw the patches. The cumulative
areawise test [2]_ removes that choice: it runs the geometric test at a set of
pointwise levels and combines the answers point by point.

Definition implemented here (Schulte 2019 [3]_, Sect. on the simplified
cumulative areawise test, and the author's R implementation that accompanies
it, whose defaults we follow):

1. *Pointwise levels* ``p_1 < ... < p_L`` (default `DEFAULT_LEVELS`, 0.82 to
   0.98 in steps of 0.04). At each level the pointwise mask ``M_l`` holds the
   points above that level's per-scale threshold; the masks are nested
   (``M_1 ⊇ M_2 ⊇ ... ⊇ M_L``) because the thresholds grow with the level.
2. *Geometric pathway* of a point ``x``: the sequence of patches (4-connected
   components) of ``M_1, ..., M_L`` that contain ``x``, with their normalised
   areas ``A_1(x) >= A_2(x) >= ...`` (``A_l(x) = 0`` where ``x`` is in no patch
   of ``M_l``). `geometric_pathways` computes it for one field.
3. *Critical areas* by Monte Carlo: at each level, the ``area_level`` quantile
   ``c_l`` of the normalised areas of all patches of ``M_l`` in the null
   (surrogate) fields, pooled over the surrogates, one value per patch
   (`critical_areas`).
4. *Statistic per point*: the fraction of the pathway that passes the geometric
   test, ``T(x) = (1/L) #{l : A_l(x) > c_l}`` in [0, 1], i.e. the mean of the
   geometric test's 0/1 answers over the pointwise levels
   (`cumulative_statistic`).
5. *Decision*: ``x`` is cumulative-areawise significant when
   ``T(x) >= fraction`` (default 0.5, i.e. the point passes the geometric test
   at half or more of the levels; the author's R code draws the contour of the
   level-mean at this value) (`cumulative_mask`).

With a single level (``levels=(0.95,)``) the test is the geometric test itself.

Split for a chunked Monte Carlo engine: per surrogate field, `null_sample` is a
pure function of that field's masks and returns its 1-D null sample (the
normalised area and level of each patch); the engine concatenates the samples of
the surrogates in surrogate order; `critical_areas` of the concatenation is a pure
function of the multiset of patches, so it does not depend on how the surrogates
were chunked.

References
----------
.. [1] Schulte, J. A., Duffy, C. and Najjar, R. G. (2015). Geometric and
   topological approaches to significance testing in wavelet analysis. Nonlinear
   Processes in Geophysics, 22, 139-156.
.. [2] Schulte, J. A. (2016). Cumulative areawise testing in wavelet analysis and
   its application to geophysical time series. Nonlinear Processes in Geophysics,
   23, 45-57.
.. [3] Schulte, J. A. (2019). Statistical hypothesis testing in wavelet analysis:
   theoretical developments and applications to Indian rainfall. Nonlinear
   Processes in Geophysics, 26, 91-108.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .patches import check_level, critical_size
from .pathways import (
    DEFAULT_LEVELS,
    Pathways,
    check_levels,
    geometric_pathways,
    level_masks,
    level_thresholds,
    null_sample,
)

__all__ = [
    "DEFAULT_FRACTION",
    "DEFAULT_LEVELS",
    "CumulativeResult",
    "Pathways",
    "check_levels",
    "critical_areas",
    "cumulative_mask",
    "cumulative_statistic",
    "cumulative_test",
    "geometric_pathways",
    "level_masks",
    "level_thresholds",
    "null_sample",
]


#: Fraction of the pointwise levels at which a point must pass the geometric test.
DEFAULT_FRACTION: float = 0.5


@dataclass(frozen=True)
class CumulativeResult:
    """Cumulative areawise significance of one field.

    Attributes
    ----------
    significant : (n_scales, n) bool ndarray
        Cumulative-areawise-significant points (``statistic >= fraction``).
    statistic : (n_scales, n) float ndarray
        Fraction of the pointwise levels at which the point passes the geometric
        test, in [0, 1].
    pointwise : (L, n_scales, n) bool ndarray
        Pointwise masks at each level (outside the cone of influence only).
    thresholds : (L, n_scales) float ndarray
        Pointwise thresholds per level and scale (NaN for a scale with no valid
        point).
    critical_areas : (L,) float ndarray
        Critical normalised area per level.
    levels : tuple of float
        Pointwise levels.
    area_level : float
        Level of the geometric test at each pointwise level.
    fraction : float
        Decision fraction.
    """

    significant: np.ndarray
    statistic: np.ndarray
    pointwise: np.ndarray
    thresholds: np.ndarray
    critical_areas: np.ndarray
    levels: tuple[float, ...]
    area_level: float
    fraction: float


def _check_fraction(fraction) -> float:
    try:
        f = float(fraction)
    except (TypeError, ValueError):
        raise ValueError(f"`fraction` must be a number in (0, 1] (got {fraction!r})") from None
    if not 0 < f <= 1:
        raise ValueError(f"`fraction` must be in (0, 1] (got {fraction!r})")
    return f


def critical_areas(null_areas, null_levels, n_levels: int, area_level: float = 0.95) -> np.ndarray:
    """Critical normalised area per level from the pooled null patches.

    At level ``l``: the smallest normalised area ``c`` among that level's null
    patches such that at most a fraction ``1 - area_level`` of them are larger
    than ``c`` (an order statistic of the per-patch sample, ties moving
    together). Depends only on the multiset of (area, level) pairs, so the
    result does not depend on how the surrogates were chunked.

    Parameters
    ----------
    null_areas : (K,) array_like
        Concatenated ``Pathways.null_areas`` of the surrogates.
    null_levels : (K,) array_like of int
        Concatenated ``Pathways.null_levels`` (values in ``0..n_levels-1``).
    n_levels : int
        Number of pointwise levels ``L``.
    area_level : float, optional
        Level of the geometric test, in (0, 1), default 0.95.

    Returns
    -------
    critical : (L,) ndarray
        0.0 for a level with no null patch (every patch at that level then
        passes).

    Raises
    ------
    ValueError
        For mismatched lengths, a level index out of range, a negative or
        non-finite area, or ``area_level`` outside (0, 1).
    """
    area_level = check_level(area_level, "area_level")
    a = np.asarray(null_areas, dtype=np.float64).ravel()
    lev = np.asarray(null_levels).ravel()
    if isinstance(n_levels, bool) or int(n_levels) != n_levels or n_levels < 1:
        raise ValueError(f"`n_levels` must be a whole number >= 1 (got {n_levels!r})")
    n_levels = int(n_levels)
    if a.shape != lev.shape:
        raise ValueError(
            f"`null_areas` and `null_levels` must have the same length (got {a.size}, {lev.size})"
        )
    if lev.size and (
        not np.issubdtype(lev.dtype, np.integer) or lev.min() < 0 or lev.max() >= n_levels
    ):
        raise ValueError(f"`null_levels` must be integers in [0, {n_levels - 1}]")
    if not np.all(np.isfinite(a) & (a >= 0)):
        raise ValueError("`null_areas` must be finite and >= 0")
    # per level, the geometric test's critical size with one unit of weight per patch
    out = np.zeros(n_levels)
    for level in range(n_levels):
        sizes = a[lev == level]
        out[level] = critical_size(sizes, np.ones_like(sizes), area_level, tol=1e-9)
    return out


def cumulative_statistic(areas, critical) -> np.ndarray:
    """Fraction of the pointwise levels at which each point passes the geometric test.

    Parameters
    ----------
    areas : (L, n_scales, n) array_like
        ``Pathways.areas`` of the field under test.
    critical : (L,) array_like
        From `critical_areas`.

    Returns
    -------
    statistic : (n_scales, n) ndarray
        ``mean_l [areas[l] > critical[l]]``, in [0, 1]; 0 at points in no patch.
    """
    areas = np.asarray(areas, dtype=np.float64)
    crit = np.asarray(critical, dtype=np.float64)
    if areas.ndim != 3 or crit.shape != (areas.shape[0],):
        raise ValueError(
            f"`critical` must have shape (L,) = ({areas.shape[0] if areas.ndim else '?'},) "
            f"and `areas` (L, n_scales, n) (got {crit.shape}, {areas.shape})"
        )
    if not np.all(np.isfinite(crit) & (crit >= 0)):
        raise ValueError(f"`critical` must be finite and >= 0 (got {crit!r})")
    passed = (areas > crit[:, None, None]) & (areas > 0)
    return passed.mean(axis=0)


def cumulative_mask(statistic, fraction: float = DEFAULT_FRACTION) -> np.ndarray:
    """Cumulative-areawise-significant points: ``statistic >= fraction``.

    Parameters
    ----------
    statistic : (n_scales, n) array_like
        From `cumulative_statistic`.
    fraction : float, optional
        In (0, 1], default `DEFAULT_FRACTION` (0.5): the point must pass the
        geometric test at half or more of the pointwise levels. A point with
        statistic 0 is never significant.

    Returns
    -------
    significant : (n_scales, n) bool ndarray
    """
    fraction = _check_fraction(fraction)
    stat = np.asarray(statistic, dtype=np.float64)
    # a small tolerance: the statistic is k / L, compared with a decimal fraction
    return (stat > 0) & (stat >= fraction - 1e-12)


def cumulative_test(
    field,
    null_fields,
    valid,
    scales,
    dt: float,
    dj: float,
    levels=DEFAULT_LEVELS,
    area_level: float = 0.95,
    fraction: float = DEFAULT_FRACTION,
) -> CumulativeResult:
    """Run the whole cumulative areawise test in memory (reference implementation).

    Parameters
    ----------
    field : (n_scales, n) array_like
        Power or coherence of the data.
    null_fields : (mc_count, n_scales, n) array_like
        The same quantity for the surrogates; they give both the pointwise
        thresholds and the critical areas.
    valid : (n_scales, n) array_like of bool
        Points outside the cone of influence.
    scales : (n_scales,) array_like
        Wavelet scales.
    dt, dj : float
        The grid.
    levels : sequence of float, optional
        Pointwise levels, default `DEFAULT_LEVELS`.
    area_level : float, optional
        Level of the geometric test at each pointwise level, default 0.95.
    fraction : float, optional
        Decision fraction, default 0.5.

    Returns
    -------
    result : CumulativeResult

    Examples
    --------
    >>> import numpy as np
    >>> import pycwt_mod as wavelet
    >>> from pycwt_mod.areawise import cumulative as C
    >>> from pycwt_mod.areawise.patches import outside_coi
    >>> from pycwt_mod.montecarlo.surrogates import surrogates
    >>> x = wavelet.rednoise(256, 0.5, rng=1)
    >>> W, sj, freqs, coi, _, _ = wavelet.cwt(x, 1.0, dj=0.25)
    >>> sur = surrogates(x, "ar1", 40, 1)
    >>> null = np.stack([np.abs(wavelet.cwt(s, 1.0, freqs=freqs)[0]) ** 2 for s in sur])
    >>> res = C.cumulative_test(np.abs(W) ** 2, null, outside_coi(freqs, coi), sj, 1.0, 0.25)
    >>> res.significant.shape == W.shape
    True
    """
    levels = check_levels(levels)
    area_level = check_level(area_level, "area_level")
    fraction = _check_fraction(fraction)
    null = np.asarray(null_fields, dtype=np.float64)
    valid = np.asarray(valid, dtype=bool)
    thr = level_thresholds(null, valid, levels)
    samples = [null_sample(level_masks(f, thr, valid), scales, dt, dj) for f in null]
    crit = critical_areas(
        np.concatenate([a for a, _ in samples]),
        np.concatenate([lev for _, lev in samples]),
        len(levels),
        area_level,
    )
    masks = level_masks(field, thr, valid)
    stat = cumulative_statistic(geometric_pathways(masks, scales, dt, dj).areas, crit)
    return CumulativeResult(
        significant=cumulative_mask(stat, fraction),
        statistic=stat,
        pointwise=masks,
        thresholds=thr,
        critical_areas=crit,
        levels=levels,
        area_level=area_level,
        fraction=fraction,
    )
