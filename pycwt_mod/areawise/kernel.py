"""Monte Carlo kernel over whole surrogate fields: power histograms and null patches.

The areawise tests' counterpart of `pycwt_mod.montecarlo.kernel` (it imports the
library's numerics and `pycwt_mod.coherence`, never a backend). Where the coherence
kernel histograms coherence from surrogates as short as each scale allows, the
areawise tests need every surrogate's whole (scale, time) field at the data's
length, since a patch spans scales and time and is cut by the data's cone of
influence. Two plans:

- `PowerPlan`: the histogram of the normalised wavelet power ``|W|^2 / sigma^2`` of
  surrogates of one series, per scale, outside the cone of influence, over
  ``log10`` bins (`LOG_POWER_RANGE`); `power_thresholds` reads per-scale quantiles
  from it (the Monte Carlo power test).
- `PatchPlan`: the null patches of surrogate power or coherence fields at given
  pointwise thresholds, measured with `pycwt_mod.areawise.patches` (the areawise test's
  null population).

Surrogate ``k`` comes from its own stream, ``SeedSequence(seed, spawn_key=(k,))``,
as everywhere in the library; a chunk returns an integer histogram (summed) or the
null samples of its surrogates in order (concatenated in chunk order), so the same
seed gives the same bits whatever the chunking and whichever CPU backend runs it.
Each field is computed with the library's own float64 `cwt` / `wct`, exactly as
for the data it is compared with.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Maraun, D., Kurths, J. and Holschneider, M. (2007). Nonstationary Gaussian
   processes in wavelet domain: synthesis, estimation, and significance testing.
   Physical Review E, 75, 016707.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..coherence import wct
from ..montecarlo.kernel import histogram_quantiles
from ..montecarlo.observed import ObservedSeries
from ..montecarlo.surrogates import multi_surrogates
from ..mothers import Mother
from ..transform import cwt
from .patches import outside_coi, patch_sizes
from .pathways import level_masks, null_sample

__all__ = [
    "LOG_POWER_RANGE",
    "POWER_NBINS",
    "NullPatches",
    "PatchPlan",
    "PowerPlan",
    "field_of",
    "power_thresholds",
    "run_field_chunk",
]

#: Range of the power histogram, ``log10(|W|^2 / sigma^2)``; values outside fall in
#: the end bins (a 95% quantile of a standardised series is far inside).
LOG_POWER_RANGE = (-8.0, 4.0)
#: Bins of the power histogram: 0.002 decades (0.46% in power) each, about a tenth
#: of the Monte Carlo error of a 95% quantile from 200 surrogates.
POWER_NBINS = 6000


@dataclass(frozen=True)
class _Grid:
    """The scale grid and wavelet shared by the field plans (as in `cwt`)."""

    dt: float
    dj: float
    s0: float
    J: int
    wavelet: Mother

    @property
    def n_scales(self) -> int:
        return self.J + 1

    @property
    def scales(self) -> np.ndarray:
        return self.s0 * 2 ** (np.arange(self.J + 1) * self.dj)


@dataclass(frozen=True)
class PowerPlan(_Grid):
    """Everything that determines the surrogate power histogram of one series.

    Attributes
    ----------
    dt, dj, s0, J, wavelet
        The grid, resolved (``s0 > 0``, ``J >= 0``).
    data : ObservedSeries
        The standardised series (one row).
    surrogate : {"ar1", "phase", "iaaft"}
    al : tuple of float
        AR(1) coefficient of the series, used by ``"ar1"``.
    mc_count : int
    seed : int
    nbins : int
        Bins over `LOG_POWER_RANGE`.
    """

    data: ObservedSeries
    surrogate: str
    al: tuple[float, ...]
    mc_count: int
    seed: int
    nbins: int = POWER_NBINS

    def run_chunk(self, start: int, stop: int) -> np.ndarray:
        """`run_field_chunk` of this plan (the backends' entry point)."""
        return run_field_chunk(self, start, stop)


@dataclass(frozen=True)
class PatchPlan(_Grid):
    """Everything that determines the null patches of surrogate fields.

    Attributes
    ----------
    dt, dj, s0, J, wavelet
        The grid, resolved.
    field : {"power", "coherence"}
    data : ObservedSeries
        The standardised series: one row (power) or two (coherence).
    surrogate : {"ar1", "phase", "iaaft"}
    al : tuple of float
        AR(1) coefficient of each row, used by ``"ar1"``.
    mc_count, seed : int
    thresholds : tuple of tuple of float
        ``(L, n_scales)``: per pointwise level, the per-scale thresholds of the
        field (normalised power ``|W|^2 / sigma^2``, or squared coherence). Row 0
        is the pointwise level of the areawise test; rows ``1..`` are the levels
        of the cumulative test's pathways (``test="cumulative"``).
    measure : {"maraun", "schulte"}
        Patch size measure (`pycwt_mod.areawise.patches.patch_sizes`).
    test : {"areawise", "cumulative"}
        ``"cumulative"`` also samples the geometric pathways of rows ``1..``
        (`pycwt_mod.areawise.cumulative.null_sample`).
    """

    field: str
    data: ObservedSeries
    surrogate: str
    al: tuple[float, ...]
    mc_count: int
    seed: int
    thresholds: tuple[tuple[float, ...], ...]
    measure: str = "maraun"
    test: str = "areawise"

    def run_chunk(self, start: int, stop: int) -> NullPatches:
        """`run_field_chunk` of this plan (the backends' entry point)."""
        return run_field_chunk(self, start, stop)


@dataclass(frozen=True)
class NullPatches:
    """Null patches of a run of surrogates, in surrogate order.

    Attributes
    ----------
    sizes : (m,) float64 ndarray
        Size (``measure``) of each pointwise patch at the first level.
    areas : (m,) float64 ndarray
        Their normalised (Maraun) areas, the weights of `critical_area`.
    path_areas, path_levels : (k,) ndarray
        The cumulative test's null sample (normalised area and pathway level of
        every patch at the levels ``1..``); empty for ``test="areawise"``.
    """

    sizes: np.ndarray
    areas: np.ndarray
    path_areas: np.ndarray
    path_levels: np.ndarray

    @classmethod
    def concat(cls, parts: list[NullPatches]) -> NullPatches:
        """Join the parts of consecutive chunks, in the order given."""
        return cls(
            np.concatenate([p.sizes for p in parts]),
            np.concatenate([p.areas for p in parts]),
            np.concatenate([p.path_areas for p in parts]),
            np.concatenate([p.path_levels for p in parts]),
        )


def field_of(plan: PowerPlan | PatchPlan, series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The field a plan measures for one series (or pair), and its valid points.

    Parameters
    ----------
    series : (rows, n) ndarray
        One row (power: ``|W|^2`` of the row, in units of its variance when the row
        is standardised) or two (squared coherence, `pycwt_mod.wct`).

    Returns
    -------
    field : (n_scales, n) float64 ndarray
    valid : (n_scales, n) bool ndarray
        Outside the cone of influence.
    """
    kw = dict(dj=plan.dj, s0=plan.s0, J=plan.J)
    if getattr(plan, "field", "power") == "power":
        W, _, freqs, coi, _, _ = cwt(series[0], plan.dt, wavelet=plan.wavelet, **kw)
        field = W.real**2 + W.imag**2
    else:
        field, _, coi, freqs, _ = wct(
            series[0], series[1], plan.dt, sig=False, wavelet=plan.wavelet, **kw
        )  # fmt: skip
    return field, outside_coi(freqs, coi)


def _surrogates(plan: PowerPlan | PatchPlan, start: int, stop: int) -> np.ndarray:
    """Surrogates ``start..stop-1`` of the plan's data, (count, rows, n)."""
    xs = plan.data.values
    if plan.surrogate != "ar1":
        return multi_surrogates(xs, plan.surrogate, stop - start, plan.seed, start=start)
    y = multi_surrogates(xs, "ar1", stop - start, plan.seed, start=start, g=plan.al)
    return y * np.sqrt(1 - np.asarray(plan.al) ** 2)[None, :, None]  # unit variance


def _power_bins(plan: PowerPlan, power: np.ndarray, valid: np.ndarray) -> np.ndarray:
    lo, hi = LOG_POWER_RANGE
    rows = np.nonzero(valid)[0]
    with np.errstate(divide="ignore"):
        v = (np.log10(power[valid]) - lo) * (plan.nbins / (hi - lo))
    np.clip(v, 0, plan.nbins - 1, out=v)  # -inf (zero power) to the first bin
    return rows * plan.nbins + v.astype(np.int64)


def run_field_chunk(plan: PowerPlan | PatchPlan, start: int, stop: int):
    """Run surrogates ``start..stop-1`` of a field plan.

    Returns
    -------
    hist : (n_scales, nbins) int64 ndarray
        For a `PowerPlan`: counts of ``log10`` normalised power per scale and bin,
        outside the cone of influence.
    patches : NullPatches
        For a `PatchPlan`.
    """
    if not 0 <= start < stop <= plan.mc_count:
        raise ValueError(f"chunk [{start}, {stop}) is outside [0, {plan.mc_count})")
    sur = _surrogates(plan, start, stop)
    if isinstance(plan, PowerPlan):
        hist = np.zeros(plan.n_scales * plan.nbins, dtype=np.int64)
        for series in sur:
            power, valid = field_of(plan, series)
            hist += np.bincount(_power_bins(plan, power, valid), minlength=hist.size)
        return hist.reshape(plan.n_scales, plan.nbins)
    thr = np.asarray(plan.thresholds, dtype=np.float64)
    parts = []
    for series in sur:
        field, valid = field_of(plan, series)
        masks = level_masks(field, thr, valid)
        _, sizes, areas = patch_sizes(masks[0], plan.scales, plan.dt, plan.dj, plan.measure)
        if plan.test == "cumulative":
            path = null_sample(masks[1:], plan.scales, plan.dt, plan.dj)
        else:
            path = (np.empty(0), np.empty(0, dtype=np.intp))
        parts.append(NullPatches(sizes, areas, *path))
    return NullPatches.concat(parts)


def power_thresholds(plan: PowerPlan, hist: np.ndarray, level: float) -> np.ndarray:
    """Per-scale ``level`` quantile of normalised surrogate power, from `run_field_chunk`.

    Returns
    -------
    thr : (n_scales,) ndarray
        In units of the series' variance; NaN for a scale with no point outside the
        cone of influence.
    """
    lo, hi = LOG_POWER_RANGE
    centres = lo + (np.arange(plan.nbins) + 0.5) * (hi - lo) / plan.nbins
    return 10.0 ** histogram_quantiles(np.asarray(hist), centres, level)
