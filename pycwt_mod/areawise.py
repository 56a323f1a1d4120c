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

from ._validation import as_series
from .mothers import get_wavelet
from .patches import (
    AREA_MEASURES,
    areawise_mask,
    check_level,
    check_measure,
    critical_area,
    outside_coi,
    patch_sizes,
    pointwise_thresholds,
)
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


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"`{name}` must be a whole number >= {minimum} (got {value!r})")
    return int(value)


def _common(surrogate, level, area_level, mc_count, seed, measure):
    get_surrogate(surrogate)
    level = check_level(level, "level")
    area_level = check_level(area_level, "area_level")
    mc_count = _check_count(mc_count, "mc_count", 2)
    seed = _check_count(seed, "seed", 0)
    return level, area_level, mc_count, seed, check_measure(measure)


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
