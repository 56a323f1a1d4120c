"""Pointwise and areawise Monte Carlo significance of wavelet power and coherence.

A pointwise test at 95% flags about 5% of the (scale, time) plane of pure noise,
and since neighbouring wavelet coefficients are correlated those points come in
patches that look like features. The areawise test of Maraun, Kurths and
Holschneider (2007) [1]_ keeps only the pointwise-significant patches that are
larger than the null hypothesis produces by chance.

Procedure (`areawise_power`, `areawise_coherence`):

1. ``mc_count`` surrogates of the data are drawn from a family of
   `pycwt_mod.surrogates` (AR(1), phase, IAAFT), with the engine's per-pair seeding.
2. *Pointwise*: the threshold of each scale is the ``level`` quantile of the
   surrogates' power (or coherence) at that scale, pooled over time outside the
   cone of influence (for coherence, per-scale thresholds ``sig95`` from
   `pycwt_mod.wct_significance` may be given instead). A point outside the cone of
   influence is pointwise significant when it exceeds its scale's threshold.
3. *Patches* are the connected components of the pointwise mask in the
   (scale, time) plane (4-connectivity, `scipy.ndimage.label`). Their size is
   measured so that the wavelet's reproducing kernel, which is ``~s`` wide in time
   and of constant width in ``log s``, has the same size at every scale:

   - ``measure="maraun"``: ``sum(dt / s_j * dj)`` over the patch's points, i.e. the
     area in the plane (time / scale, log2 scale) [1]_;
   - ``measure="schulte"``: the patch's area in the (time, scale) plane divided by
     the square of the scale of its centroid, the normalised area of Schulte,
     Duffy and Najjar (2015) [2]_.

4. *Critical area*: the same surrogates' pointwise masks give the null population
   of patches. The critical area is the smallest size such that, under the null,
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

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ._validation import as_series, check_positive
from .mothers import get_wavelet
from .surrogates import get_surrogate, pair_surrogates, surrogates
from .transform import cwt, wct

__all__ = [
    "AREA_MEASURES",
    "AreawiseResult",
    "areawise_coherence",
    "areawise_mask",
    "areawise_power",
    "critical_area",
    "outside_coi",
    "patch_sizes",
    "pointwise_thresholds",
]

#: Patch size measures: Maraun et al. (2007) and Schulte et al. (2015).
AREA_MEASURES = ("maraun", "schulte")

_CROSS = ndimage.generate_binary_structure(2, 1)


@dataclass(frozen=True)
class AreawiseResult:
    """Pointwise and areawise significance of one wavelet power or coherence field.

    Attributes
    ----------
    pointwise : (n_scales, n) bool ndarray
        Points outside the cone of influence above their scale's threshold.
    areawise : (n_scales, n) bool ndarray
        Points of pointwise patches larger than ``critical_area`` (a subset of
        ``pointwise``).
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
        Family of the surrogates (`pycwt_mod.surrogates.SURROGATES`).
    mc_count : int
        Number of surrogates (or surrogate pairs).
    seed : int
        Root seed of the surrogates.
    measure : str
        Patch size measure (`AREA_MEASURES`).
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


def _check_measure(measure) -> str:
    if measure not in AREA_MEASURES:
        names = ", ".join(map(repr, AREA_MEASURES))
        raise ValueError(f"`measure` must be one of {names} (got {measure!r})")
    return measure


def _check_level(value, name: str) -> float:
    try:
        level = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a number in (0, 1) (got {value!r})") from None
    if not 0 < level < 1:
        raise ValueError(f"`{name}` must be in (0, 1) (got {value!r})")
    return level


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"`{name}` must be a whole number >= {minimum} (got {value!r})")
    return int(value)


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
    level = _check_level(level, "level")
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
    measure = _check_measure(measure)
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
    area_level = _check_level(area_level, "area_level")
    _, sizes, areas = patch_sizes(null_masks, scales, dt, dj, measure)
    if sizes.size == 0:
        return 0.0
    order = np.argsort(sizes, kind="stable")[::-1]
    s_desc = sizes[order]
    # Area held by patches strictly larger than each candidate (ties move together).
    cum = np.cumsum(areas[order])
    first_of_value = np.searchsorted(-s_desc, -s_desc, side="left")
    above = np.where(first_of_value > 0, cum[np.maximum(first_of_value - 1, 0)], 0.0)
    ok = above <= (1 - area_level) * cum[-1]  # True for the largest sizes, then False
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


def _finish(field, null, valid, thr, sj, dt, dj, *run) -> AreawiseResult:
    level, area_level, family, mc_count, seed, measure = run
    with np.errstate(invalid="ignore"):
        pointwise = valid & (field > thr[:, None])
        null_masks = valid[None] & (null > thr[None, :, None])
    a_crit = critical_area(null_masks, sj, dt, dj, area_level, measure)
    return AreawiseResult(
        pointwise=pointwise,
        areawise=areawise_mask(pointwise, sj, dt, dj, a_crit, measure),
        threshold=thr,
        critical_area=a_crit,
        level=level,
        area_level=area_level,
        surrogate=family,
        mc_count=mc_count,
        seed=seed,
        measure=measure,
    )


def _common(surrogate, level, area_level, mc_count, seed, measure):
    get_surrogate(surrogate)
    level = _check_level(level, "level")
    area_level = _check_level(area_level, "area_level")
    mc_count = _check_count(mc_count, "mc_count", 2)
    seed = _check_count(seed, "seed", 0)
    return level, area_level, mc_count, seed, _check_measure(measure)


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
) -> AreawiseResult:
    """Monte Carlo pointwise and areawise significance of the wavelet power of ``x``.

    Parameters
    ----------
    x : (n,) array_like
        Series (detrend it first if it has a trend; ``"ar1"`` needs an AR(1) fit).
    dt, dj, s0, J, wavelet
        The grid, as in `pycwt_mod.cwt`; the masks are aligned with
        ``cwt(x, dt, dj, s0, J, wavelet)``.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis (`pycwt_mod.surrogates`), default ``"ar1"`` (AR(1) with the
        lag-1 autocorrelation, mean and variance of ``x``).
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

    Returns
    -------
    result : AreawiseResult
        Masks of shape ``(n_scales, n)``; ``threshold`` in units of ``|W|^2``.

    Raises
    ------
    ValueError
        For bad parameters or an unknown surrogate family (the message lists them).

    Notes
    -----
    Cost: ``mc_count`` surrogates and transforms (see bench/README.md); memory
    ``8 * mc_count * n_scales * n`` bytes for the surrogate power.

    Examples
    --------
    >>> import numpy as np
    >>> import pycwt_mod as wavelet
    >>> x = wavelet.rednoise(256, 0.5, rng=1)
    >>> res = wavelet.areawise_power(x, 1.0, dj=0.25, mc_count=50, seed=1)
    >>> res.pointwise.shape == res.areawise.shape
    True
    >>> bool((res.areawise <= res.pointwise).all())
    True
    """
    level, area_level, mc_count, seed, measure = _common(
        surrogate, level, area_level, mc_count, seed, measure
    )
    mother = get_wavelet(wavelet)
    x = as_series(x, "x", min_length=3).astype(np.float64)
    W, sj, freqs, coi, _, _ = cwt(x, dt, dj, s0, J, mother)
    dt = float(dt)
    dj = float(dj)
    power = np.abs(W) ** 2
    sur = surrogates(x, surrogate, mc_count, seed)
    null = np.empty((mc_count, *power.shape))
    for i in range(mc_count):  # one transform per surrogate; nothing loops over points
        Wi = cwt(sur[i], dt, wavelet=mother, freqs=freqs)[0]
        np.abs(Wi, out=null[i])
        null[i] **= 2
    valid = outside_coi(freqs, coi)
    thr = pointwise_thresholds(null, valid, level)
    run = (level, area_level, surrogate, mc_count, seed, measure)
    return _finish(power, null, valid, thr, sj, dt, dj, *run)


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
) -> AreawiseResult:
    """Pointwise and areawise significance of the wavelet coherence of ``y1``, ``y2``.

    Parameters
    ----------
    y1, y2 : (n,) array_like
        Series of equal length.
    dt, dj, s0, J, wavelet
        The grid, as in `pycwt_mod.wct`; masks align with
        ``wct(y1, y2, dt, dj, s0, J, wavelet=wavelet)[0]``.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis for each series (`pycwt_mod.surrogates.pair_surrogates`),
        default ``"ar1"`` (the engine's red-noise pairs).
    sig95 : (n_scales,) array_like, optional
        Pointwise thresholds per scale, e.g. from `pycwt_mod.wct_significance` at
        ``level``. Default: the ``level`` quantile of the surrogates' coherence.
        Either way the critical area comes from the surrogate pairs here.
    level, area_level, mc_count, seed, measure
        As in `areawise_power`.

    Returns
    -------
    result : AreawiseResult
        ``threshold`` is squared coherence.

    Raises
    ------
    ValueError
        For unequal lengths, bad parameters, an unknown family, or ``sig95`` of the
        wrong shape.
    """
    level, area_level, mc_count, seed, measure = _common(
        surrogate, level, area_level, mc_count, seed, measure
    )
    mother = get_wavelet(wavelet)
    WCT, _, coi, freqs, _ = wct(y1, y2, dt, dj, s0, J, sig=False, wavelet=mother)
    dt = float(dt)
    dj = float(dj)
    sj = 1.0 / (mother.flambda() * freqs)
    pairs = pair_surrogates(y1, y2, surrogate, mc_count, seed)
    null = np.empty((mc_count, *WCT.shape))
    for i in range(mc_count):  # one coherence per pair; nothing loops over points
        null[i] = wct(pairs[i, 0], pairs[i, 1], dt, dj, s0, J, sig=False, wavelet=mother)[0]
    valid = outside_coi(freqs, coi)
    if sig95 is None:
        thr = pointwise_thresholds(null, valid, level)
    else:
        thr = np.asarray(sig95, dtype=np.float64)
        if thr.shape != (sj.size,):
            raise ValueError(
                f"`sig95` must have shape (n_scales,) = ({sj.size},) (got {thr.shape})"
            )
    run = (level, area_level, surrogate, mc_count, seed, measure)
    return _finish(WCT, null, valid, thr, sj, dt, dj, *run)
