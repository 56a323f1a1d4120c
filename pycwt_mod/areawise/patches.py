"""Patches of pointwise significance in the (scale, time) plane, and their size.

The geometry under the areawise tests (`pycwt_mod.areawise`): the points outside
the cone of influence, per-scale pointwise thresholds from null fields, the
4-connected patches of a pointwise mask and two measures of their size, the
critical size from null patches, and the areawise mask. A leaf module (numpy and
scipy only), so the Monte Carlo kernels can measure patches where they run.

References
----------
.. [1] Maraun, D., Kurths, J. and Holschneider, M. (2007). Nonstationary Gaussian
   processes in wavelet domain: synthesis, estimation, and significance testing.
   Physical Review E, 75, 016707.
.. [2] Schulte, J. A., Duffy, C. and Najjar, R. G. (2015). Geometric and
   topological approaches to significance testing in wavelet analysis. Nonlinear
   Processes in Geophysics, 22, 139-156.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .._validation import check_positive

__all__ = [
    "AREA_MEASURES",
    "areawise_mask",
    "check_level",
    "check_measure",
    "critical_area",
    "critical_size",
    "outside_coi",
    "patch_sizes",
    "pointwise_thresholds",
]

#: Patch size measures: Maraun et al. (2007) and Schulte et al. (2015).
AREA_MEASURES = ("maraun", "schulte")

_CROSS = ndimage.generate_binary_structure(2, 1)


def check_measure(measure) -> str:
    if measure not in AREA_MEASURES:
        names = ", ".join(map(repr, AREA_MEASURES))
        raise ValueError(f"`measure` must be one of {names} (got {measure!r})")
    return measure


def check_level(value, name: str) -> float:
    try:
        level = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a number in (0, 1) (got {value!r})") from None
    if not 0 < level < 1:
        raise ValueError(f"`{name}` must be in (0, 1) (got {value!r})")
    return level


def _scales(scales) -> np.ndarray:
    s = np.asarray(scales, dtype=np.float64)
    if s.ndim != 1 or s.size < 1 or not np.all(np.isfinite(s) & (s > 0)):
        raise ValueError(
            f"`scales` must be a 1-D array of positive, finite scales (got shape {s.shape})"
        )
    return s


def outside_coi(freqs, coi) -> np.ndarray:
    """Points outside the cone of influence: ``period <= coi``.

    Parameters
    ----------
    freqs : (n_scales,) array_like
        Fourier frequencies (from `cwt` or `wct`).
    coi : (n,) array_like
        Cone of influence, in Fourier periods.

    Returns
    -------
    valid : (n_scales, n) bool ndarray
    """
    period = 1.0 / np.asarray(freqs, dtype=np.float64)
    return period[:, None] <= np.asarray(coi, dtype=np.float64)[None, :]


def pointwise_thresholds(null_fields, valid, level: float = 0.95) -> np.ndarray:
    """Per-scale ``level`` quantiles of surrogate fields, pooled over time and surrogates.

    Parameters
    ----------
    null_fields : (mc_count, n_scales, n) array_like
        Power or coherence of the surrogates.
    valid : (n_scales, n) array_like of bool
        Points to pool (outside the cone of influence, `outside_coi`).
    level : float, optional
        Quantile in (0, 1), default 0.95 (linear interpolation, as
        ``numpy.quantile``).

    Returns
    -------
    threshold : (n_scales,) ndarray
        NaN for a scale with no valid point.

    Raises
    ------
    ValueError
        For mismatched shapes or a level outside (0, 1).
    """
    level = check_level(level, "level")
    F = np.asarray(null_fields, dtype=np.float64)
    valid = np.asarray(valid, dtype=bool)
    if F.ndim != 3 or F.shape[1:] != valid.shape:
        raise ValueError(
            f"`null_fields` must have shape (mc_count, *valid.shape) = (m, {valid.shape[0]}, "
            f"{valid.shape[1]}) (got {F.shape})"
        )
    rows = np.where(valid[None], F, np.inf).transpose(1, 0, 2).reshape(F.shape[1], -1)
    rows.sort(axis=1)
    count = valid.sum(axis=1) * F.shape[0]
    pos = level * np.maximum(count - 1, 0)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    idx = np.arange(rows.shape[0])
    frac = pos - lo
    with np.errstate(invalid="ignore"):  # a scale with no valid point is all inf
        thr = rows[idx, lo] * (1 - frac) + rows[idx, hi] * frac
    return np.where(count > 0, thr, np.nan)


def _label(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Label 4-connected patches of each (n_scales, n) slice of ``mask`` separately."""
    if mask.ndim == 2:
        return ndimage.label(mask, structure=_CROSS)
    structure = np.zeros((3,) * mask.ndim, dtype=bool)
    structure[(1,) * (mask.ndim - 2)] = _CROSS
    return ndimage.label(mask, structure=structure)


def _cell_weights(scales: np.ndarray, dt: float, dj: float, n: int) -> np.ndarray:
    return np.broadcast_to((dt * dj / scales)[:, None], (scales.size, n))


def patch_sizes(mask, scales, dt: float, dj: float, measure: str = "maraun"):
    """Label the pointwise patches and measure them.

    Parameters
    ----------
    mask : (..., n_scales, n) array_like of bool
        Pointwise-significant points; leading axes (e.g. surrogates) are separate
        planes, never connected to each other.
    scales : (n_scales,) array_like
        Wavelet scales (time units).
    dt, dj : float
        Sample spacing and scale spacing in octaves (the grid of `cwt`).
    measure : {"maraun", "schulte"}, optional
        ``"maraun"`` (default): ``sum(dt / s_j * dj)`` over the patch;
        ``"schulte"``: area in the (time, scale) plane, ``sum(dt * s_j ln2 dj)``,
        over the square of the patch centroid's scale.

    Returns
    -------
    labels : (..., n_scales, n) int ndarray
        0 outside patches, ``1..n_patches`` inside.
    sizes : (n_patches,) ndarray
        Size of patch ``i + 1``.
    areas : (n_patches,) ndarray
        Normalised area (``"maraun"`` measure) of each patch, used to weight the
        critical-area calibration.

    Raises
    ------
    ValueError
        For a mask whose last two axes do not match ``(len(scales), n)`` or a bad
        ``dt``, ``dj`` or ``measure``.
    """
    measure = check_measure(measure)
    scales = _scales(scales)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim < 2 or mask.shape[-2] != scales.size:
        raise ValueError(
            f"`mask` must have shape (..., n_scales={scales.size}, n) (got {mask.shape})"
        )
    labels, count = _label(mask)
    flat = labels.ravel()
    w = np.broadcast_to(_cell_weights(scales, dt, dj, mask.shape[-1]), mask.shape).ravel()
    areas = np.bincount(flat, weights=w, minlength=count + 1)[1:]
    if measure == "maraun":
        return labels, areas, areas
    s = np.broadcast_to(scales[:, None], mask.shape).ravel()
    cell = dt * s * np.log(2) * dj  # area of a grid cell in the (time, scale) plane
    area_ts = np.bincount(flat, weights=cell, minlength=count + 1)[1:]
    centroid = np.bincount(flat, weights=cell * s, minlength=count + 1)[1:] / area_ts
    return labels, area_ts / centroid**2, areas


def critical_area(
    null_masks, scales, dt: float, dj: float, area_level: float = 0.95, measure: str = "maraun"
) -> float:
    """Critical patch size from the pointwise masks of null surrogates.

    The smallest size ``A`` such that, pooled over the surrogates, at most a
    fraction ``1 - area_level`` of the pointwise-significant (normalised) area lies
    in patches of size ``> A``.

    Parameters
    ----------
    null_masks : (mc_count, n_scales, n) array_like of bool
        Pointwise masks of the surrogates.
    scales, dt, dj, measure
        As in `patch_sizes`.
    area_level : float, optional
        Areawise level in (0, 1), default 0.95.

    Returns
    -------
    critical_area : float
        0.0 when the surrogates have no pointwise patch at all.

    Raises
    ------
    ValueError
        As `patch_sizes`, or for ``area_level`` outside (0, 1).
    """
    _, sizes, areas = patch_sizes(null_masks, scales, dt, dj, measure)
    return critical_size(sizes, areas, area_level)


def critical_size(sizes, areas, area_level: float = 0.95, tol: float = 0.0) -> float:
    """Critical patch size from the sizes and areas of null patches.

    The smallest size ``A`` such that at most a fraction ``1 - area_level`` of the
    total ``areas`` lies in patches of size ``> A`` (ties move together).

    Parameters
    ----------
    sizes, areas : (m,) array_like
        Size (in the test's measure) and normalised area of each null patch, e.g.
        from `patch_sizes` of surrogate masks.
    area_level : float, optional
        Areawise level in (0, 1), default 0.95.
    tol : float, optional
        Slack on the allowed area, ``(1 - area_level) * total + tol`` (default 0;
        with unit weights, 1e-9 makes ``1 - 0.8`` of 10 patches allow 2).

    Returns
    -------
    critical_area : float
        0.0 when there is no null patch.
    """
    area_level = check_level(area_level, "area_level")
    sizes = np.asarray(sizes, dtype=np.float64)
    areas = np.asarray(areas, dtype=np.float64)
    if sizes.shape != areas.shape or sizes.ndim != 1:
        raise ValueError(
            f"`sizes` and `areas` must be 1-D of one length ({sizes.shape}, {areas.shape})"
        )
    if sizes.size == 0:
        return 0.0
    order = np.argsort(sizes, kind="stable")[::-1]
    s_desc = sizes[order]
    # Area held by patches strictly larger than each candidate (ties move together).
    cum = np.cumsum(areas[order])
    first_of_value = np.searchsorted(-s_desc, -s_desc, side="left")
    above = np.where(first_of_value > 0, cum[np.maximum(first_of_value - 1, 0)], 0.0)
    ok = above <= (1 - area_level) * cum[-1] + tol  # True for the largest sizes, then False
    return float(s_desc[np.count_nonzero(ok) - 1])


def areawise_mask(
    pointwise, scales, dt: float, dj: float, critical_area: float, measure: str = "maraun"
) -> np.ndarray:
    """Points of the pointwise patches whose size exceeds ``critical_area``.

    Parameters
    ----------
    pointwise : (..., n_scales, n) array_like of bool
    scales, dt, dj, measure
        As in `patch_sizes`.
    critical_area : float
        From `critical_area`, >= 0.

    Returns
    -------
    areawise : (..., n_scales, n) bool ndarray
    """
    if not np.isfinite(critical_area) or critical_area < 0:
        raise ValueError(f"`critical_area` must be a finite number >= 0 (got {critical_area!r})")
    labels, sizes, _ = patch_sizes(pointwise, scales, dt, dj, measure)
    keep = np.concatenate([[False], sizes > critical_area])
    return keep[labels]
