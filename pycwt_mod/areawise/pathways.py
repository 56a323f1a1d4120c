"""Geometric pathways of the cumulative areawise test (steps 1 and 2 of `cumulative`).

At each pointwise level of a nested set the pointwise mask is cut into patches
(4-connected components); the *geometric pathway* of a point is the sequence of the
normalised areas of the patches that contain it, one per level (Schulte, Duffy and
Najjar 2015 [1]_; Schulte 2016 [2]_). `null_sample` is a pure function of one
surrogate field's masks, so a chunked Monte Carlo engine can concatenate the
samples of its surrogates in surrogate order. `pycwt_mod.areawise.cumulative`
turns pathways and null samples into the test.

References
----------
.. [1] Schulte, J. A., Duffy, C. and Najjar, R. G. (2015). Geometric and
   topological approaches to significance testing in wavelet analysis. Nonlinear
   Processes in Geophysics, 22, 139-156.
.. [2] Schulte, J. A. (2016). Cumulative areawise testing in wavelet analysis and
   its application to geophysical time series. Nonlinear Processes in Geophysics,
   23, 45-57.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .._validation import check_positive
from .patches import patch_sizes, pointwise_thresholds

__all__ = [
    "DEFAULT_LEVELS",
    "Pathways",
    "check_levels",
    "geometric_pathways",
    "level_masks",
    "level_thresholds",
    "null_sample",
]


#: Pointwise levels of the cumulative test: 0.82, 0.86, 0.90, 0.94, 0.98 (the
#: defaults of the author's R implementation of the simplified test, Schulte 2019).
DEFAULT_LEVELS: tuple[float, ...] = (0.82, 0.86, 0.90, 0.94, 0.98)


@dataclass(frozen=True)
class Pathways:
    """Geometric pathways of one field, and its null sample.

    Attributes
    ----------
    areas : (L, n_scales, n) float ndarray
        ``areas[l]`` holds, at each point, the normalised area of the patch of
        the level-``l`` mask containing it; 0 where the point is in no patch.
    null_areas : (K,) float ndarray
        Normalised area of every patch of the field, level 0 first, then level 1,
        and so on (within a level, in `scipy.ndimage.label` order).
    null_levels : (K,) intp ndarray
        Level index (0-based) of each entry of ``null_areas``.
    """

    areas: np.ndarray
    null_areas: np.ndarray
    null_levels: np.ndarray


def check_levels(levels) -> tuple[float, ...]:
    """Validate a set of pointwise levels: strictly increasing numbers in (0, 1).

    Raises
    ------
    ValueError
        Naming ``levels``.
    """
    try:
        values = [float(v) for v in np.atleast_1d(np.asarray(levels, dtype=object))]
    except (TypeError, ValueError):
        raise ValueError(f"`levels` must be numbers in (0, 1) (got {levels!r})") from None
    if not values or np.ndim(levels) > 1:
        raise ValueError(f"`levels` must be a non-empty 1-D sequence (got {levels!r})")
    if not all(0 < v < 1 for v in values):
        raise ValueError(f"`levels` must lie in (0, 1) (got {levels!r})")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"`levels` must be strictly increasing (got {levels!r})")
    return tuple(values)


def level_thresholds(null_fields, valid, levels=DEFAULT_LEVELS) -> np.ndarray:
    """Per-scale pointwise thresholds at each level, from null fields.

    Parameters
    ----------
    null_fields : (mc_count, n_scales, n) array_like
        Power or coherence of the surrogates.
    valid : (n_scales, n) array_like of bool
        Points outside the cone of influence (`pycwt_mod.areawise.patches.outside_coi`).
    levels : sequence of float, optional
        Pointwise levels, default `DEFAULT_LEVELS`.

    Returns
    -------
    thresholds : (L, n_scales) ndarray
        ``thresholds[l]`` is `pycwt_mod.areawise.patches.pointwise_thresholds` at
        ``levels[l]`` (non-decreasing in ``l``).
    """
    levels = check_levels(levels)
    return np.stack([pointwise_thresholds(null_fields, valid, p) for p in levels])


def level_masks(field, thresholds, valid) -> np.ndarray:
    """Pointwise masks of one field at each level.

    Parameters
    ----------
    field : (n_scales, n) array_like
        Power or coherence.
    thresholds : (L, n_scales) array_like
        From `level_thresholds`.
    valid : (n_scales, n) array_like of bool
        Points outside the cone of influence.

    Returns
    -------
    masks : (L, n_scales, n) bool ndarray
        ``valid & (field > thresholds[l][:, None])``; NaN thresholds give False.
    """
    field = np.asarray(field, dtype=np.float64)
    valid = np.asarray(valid, dtype=bool)
    thr = np.asarray(thresholds, dtype=np.float64)
    if field.ndim != 2 or valid.shape != field.shape:
        raise ValueError(
            f"`field` and `valid` must have the same 2-D shape (got {field.shape}, {valid.shape})"
        )
    if thr.ndim != 2 or thr.shape[1] != field.shape[0]:
        raise ValueError(
            f"`thresholds` must have shape (L, n_scales={field.shape[0]}) (got {thr.shape})"
        )
    with np.errstate(invalid="ignore"):
        return valid[None] & (field[None] > thr[:, :, None])


def _check_masks(masks, scales, dt, dj):
    masks = np.asarray(masks, dtype=bool)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    s = np.asarray(scales, dtype=np.float64)
    if masks.ndim != 3 or masks.shape[0] < 1 or s.ndim != 1 or masks.shape[1] != s.size:
        raise ValueError(
            f"`masks` must have shape (L, n_scales={s.size}, n) with L >= 1 (got {masks.shape})"
        )
    return masks, s, dt, dj


def _pathways(masks, s, dt, dj, keep_areas: bool):
    areas = np.zeros(masks.shape, dtype=np.float64) if keep_areas else None
    sizes_per_level = []
    for level, mask in enumerate(masks):
        labels, sizes, _ = patch_sizes(mask, s, dt, dj, measure="schulte")
        if keep_areas:
            areas[level] = np.concatenate([[0.0], sizes])[labels]
        sizes_per_level.append(sizes)
    counts = [a.size for a in sizes_per_level]
    null_areas = np.concatenate(sizes_per_level).astype(np.float64)
    null_levels = np.repeat(np.arange(masks.shape[0], dtype=np.intp), counts)
    return areas, null_areas, null_levels


def geometric_pathways(masks, scales, dt: float, dj: float) -> Pathways:
    """Normalised areas of the patches containing each point, level by level.

    The per-field step of the test: a pure function of one field's masks, run on
    the data (and, through `null_sample`, on every surrogate).

    Parameters
    ----------
    masks : (L, n_scales, n) array_like of bool
        Pointwise masks at the levels (from `level_masks`, restricted to outside
        the cone of influence). Levels are never connected to each other.
    scales : (n_scales,) array_like
        Wavelet scales (time units).
    dt, dj : float
        Sample spacing and scale spacing in octaves.

    Returns
    -------
    pathways : Pathways
        ``areas`` of shape ``(L, n_scales, n)`` and the field's 1-D null sample
        (``null_areas``, ``null_levels``, as `null_sample` returns them).

    Raises
    ------
    ValueError
        For a mask that is not ``(L, len(scales), n)`` or a bad ``dt``/``dj``.

    Notes
    -----
    The normalised area is `pycwt_mod.areawise.patches.patch_sizes` with
    ``measure="schulte"``: ``sum(dt * s_j * ln2 * dj)`` over the patch divided by
    the square of the (area-weighted) scale of its centroid. Holes inside a patch
    are not filled (Schulte's contour-based code includes them; under red noise
    they are rare).
    """
    areas, null_areas, null_levels = _pathways(*_check_masks(masks, scales, dt, dj), True)
    return Pathways(areas=areas, null_areas=null_areas, null_levels=null_levels)


def null_sample(masks, scales, dt: float, dj: float) -> tuple[np.ndarray, np.ndarray]:
    """The 1-D null sample of one surrogate field: every patch's normalised area and level.

    What the Monte Carlo engine computes per surrogate (inside its chunks) and
    concatenates, in surrogate order, over all surrogates before calling
    `critical_areas`. Same values as ``geometric_pathways(...).null_areas`` /
    ``.null_levels`` without building the ``(L, n_scales, n)`` areas.

    Parameters
    ----------
    masks, scales, dt, dj
        As in `geometric_pathways`.

    Returns
    -------
    null_areas : (K,) float ndarray
        Normalised area of each patch, level 0 first, then level 1, ...
    null_levels : (K,) intp ndarray
        Level index (0-based) of each patch.
    """
    _, null_areas, null_levels = _pathways(*_check_masks(masks, scales, dt, dj), False)
    return null_areas, null_levels
