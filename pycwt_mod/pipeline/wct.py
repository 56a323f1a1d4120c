"""Wavelet coherence and its Monte Carlo tests (Grinsted et al. 2004, sec. 4).

The references cited by name are listed in `pycwt_mod.pipeline`.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

from ..areawise import AreawiseResult, areawise_coherence, threshold_levels
from ..coherence import wct
from ..montecarlo import Checkpoint, wct_significance
from ..options import Areawise, MonteCarlo, Preprocessing, ResolvedGrid, ScaleGrid
from .prepare import (
    CancelCheck,
    PreparedSeries,
    ProgressCallback,
    _gap_mask,
    prepare_pair,
    red_noise,
)

__all__ = ["Thresholds", "WCTAnalysis", "analyze_wct", "coherence_thresholds"]

# ---------------------------------------------------------------------- WCT


@dataclass(frozen=True)
class Thresholds:
    """Monte Carlo coherence thresholds (`coherence_thresholds`).

    Attributes
    ----------
    rows : (L, n_scales) ndarray
        One row per level of ``levels``; row 0 is ``sig95``.
    levels : tuple of float
    seed : int
        The root seed used.
    backend : str
    ar1 : tuple of float, or None
        The red-noise coefficients, one per series (two for a pair; None for
        data-driven families).
    warnings : tuple of str
    info : dict
        What `pycwt_mod.wct_significance` reported.
    """

    rows: np.ndarray
    levels: tuple[float, ...]
    seed: int
    backend: str
    ar1: tuple[float, ...] | None
    warnings: tuple[str, ...]
    info: dict = field(default_factory=dict, compare=False)

    @property
    def sig95(self) -> np.ndarray:
        """The thresholds at the test's level, (n_scales,)."""
        return self.rows[0]


def coherence_thresholds(
    y1: np.ndarray,
    y2: np.ndarray,
    grid: ResolvedGrid,
    mc: MonteCarlo,
    areawise: Areawise | None = None,
    *,
    ar1: tuple[float, float] | None = None,
    warnings: tuple[str, ...] = (),
    names: tuple[str, str] = ("data1", "data2"),
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    backend=None,
    checkpoint: Checkpoint | None = None,
) -> Thresholds:
    """The Monte Carlo coherence thresholds of a prepared pair (Grinsted et al. 2004, sec. 4).

    Red noise of each series' AR(1) coefficient (``ar1`` when the caller has them,
    else ``mc.al1``/``mc.al2``, else `fit_ar1`), or surrogates of the series
    themselves for a data-driven ``mc.surrogate``. With ``areawise``, every level
    its test needs comes from the one histogram.

    Parameters
    ----------
    backend : str or MonteCarloBackend, optional
        Overrides ``mc.backend`` (a job passes its configured backend object).
    checkpoint : pycwt_mod.montecarlo.Checkpoint, optional
        Keep the finished chunks there and resume from those kept before (a job
        passes its registry's).

    Returns
    -------
    Thresholds
    """
    family = mc.surrogate
    if family.fits_red_noise:
        if ar1 is None:
            ar1, warnings = red_noise((y1, y2), (mc.al1, mc.al2), names)
        a1, a2 = ar1
    else:  # the surrogates are drawn from the series: no red-noise model
        a1 = a2 = 0.0
        ar1, warnings = None, ()
    levels = (
        threshold_levels(areawise.area_test, mc.significance_level)
        if areawise is not None
        else (mc.significance_level,)
    )
    rows, info = wct_significance(
        a1, a2, grid.dt, grid.dj, grid.s0, grid.J, levels, grid.mother, mc.mc_count,
        progress=progress, cache=mc.cache,
        backend=mc.backend if backend is None else backend, seed=mc.seed,
        chunk_size=mc.chunk_size, return_info=True, surrogate=family.name,
        data=(y1, y2) if family.needs_data else None,
        progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
    )  # fmt: skip
    return Thresholds(
        np.atleast_2d(rows), tuple(levels), int(info["seed"]), str(info["backend"]),
        None if ar1 is None else (float(a1), float(a2)), tuple(warnings), info,
    )  # fmt: skip


@dataclass
class WCTAnalysis:
    """Result of `analyze_wct`.

    Attributes
    ----------
    WCT : (n_scales, n) ndarray
        Squared coherence ``R^2`` in [0, 1] (Grinsted et al. 2004, eq. 5-6).
    aWCT : (n_scales, n) ndarray
        Phase of ``W1 conj(W2)``, radians (positive: the first series leads).
    coi : (n,) ndarray
    freqs, scales : (n_scales,) ndarray
    grid : ResolvedGrid
    series : (PreparedSeries, PreparedSeries)
    gap_mask : (n_scales, n) bool ndarray
    thresholds : Thresholds or None
        With a Monte Carlo test.
    monte_carlo : MonteCarlo or None
        The test's options, with the seed used.
    areawise : AreawiseResult or None
    elapsed_s : float
    """

    WCT: np.ndarray
    aWCT: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    grid: ResolvedGrid
    series: tuple[PreparedSeries, PreparedSeries]
    gap_mask: np.ndarray
    thresholds: Thresholds | None = None
    monte_carlo: MonteCarlo | None = None
    areawise: AreawiseResult | None = None
    elapsed_s: float = 0.0

    @property
    def sig95(self) -> np.ndarray | None:
        """Coherence threshold per scale at the test's level, or None."""
        return None if self.thresholds is None else self.thresholds.sig95


def analyze_wct(
    data1,
    data2,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    monte_carlo: MonteCarlo | None = None,
    areawise: Areawise | None = None,
    names: tuple[str, str] = ("data1", "data2"),
    unit: str = "",
    labels=None,
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    checkpoint: Checkpoint | None = None,
) -> WCTAnalysis:
    """Wavelet coherence of two series, with its Monte Carlo tests (Grinsted et al. 2004).

    Parameters
    ----------
    data1, data2 : (n,) array_like
        Series of one time axis (NaN marks a gap).
    grid : ScaleGrid
    pre : Preprocessing
        ``normalize`` standardises the pair in the transform (pycwt's ``normalize``).
    monte_carlo : MonteCarlo, optional
        Compute the thresholds (`coherence_thresholds`).
    areawise : Areawise, optional
        Also the pointwise and areawise masks (`pycwt_mod.areawise_coherence`),
        from the same surrogates, count, seed, backend and cache (needs
        ``monte_carlo``; progress counts both passes).
    names, unit, labels
        As in `prepare_series`.
    progress, progress_callback, cancel
        As in `pycwt_mod.wct_significance`.
    checkpoint : pycwt_mod.montecarlo.Checkpoint, optional
        Keep the chunks of both Monte Carlo passes there (apart, by plan) and resume
        from those kept before.

    Returns
    -------
    WCTAnalysis

    Raises
    ------
    ValueError
        Bad data or options, naming the field.
    """
    pre = Preprocessing() if pre is None else pre
    t0 = _time.perf_counter()
    if areawise is not None and monte_carlo is None:
        raise ValueError("the areawise test needs a Monte Carlo test (monte_carlo=MonteCarlo())")
    if areawise is not None and monte_carlo.mc_count < 2:
        raise ValueError(f"an areawise test needs mc_count >= 2 (got {monte_carlo.mc_count})")
    p1, p2 = prepare_pair(data1, data2, pre, names, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(p1.values.size)
    y1, y2 = p1.values, p2.values
    WCT, aWCT, coi, freqs, _ = wct(
        y1, y2, rg.dt, rg.dj, rg.s0, rg.J, sig=False, wavelet=rg.mother, normalize=pre.normalize
    )
    out = WCTAnalysis(
        WCT,
        aWCT,
        coi,
        freqs,
        rg.scales,
        rg,
        (p1, p2),
        _gap_mask(p1.missing | p2.missing, freqs, rg),
    )
    if monte_carlo is not None:
        passes = 2 if areawise is not None else 1
        total = monte_carlo.mc_count * passes

        def pass_progress(k: int) -> ProgressCallback | None:
            if progress_callback is None:
                return None
            return lambda done, _n: progress_callback(k * monte_carlo.mc_count + done, total)

        thr = coherence_thresholds(
            y1, y2, rg, monte_carlo, areawise, names=names, progress=progress,
            progress_callback=pass_progress(0), cancel=cancel, checkpoint=checkpoint,
        )  # fmt: skip
        out.thresholds = thr
        out.monte_carlo = monte_carlo.with_seed(thr.seed)
        if areawise is not None:
            a1, a2 = thr.ar1 if thr.ar1 is not None else (None, None)
            out.areawise = areawise_coherence(
                y1, y2, rg.dt, rg.dj, rg.s0, rg.J, rg.mother, sig95=thr.rows,
                surrogate=monte_carlo.surrogate.name,
                significance_level=monte_carlo.significance_level,
                area_level=areawise.area_level, mc_count=monte_carlo.mc_count, seed=thr.seed,
                area_measure=areawise.area_measure, area_test=areawise.area_test, al1=a1, al2=a2,
                backend=monte_carlo.backend, chunk_size=monte_carlo.chunk_size,
                cache=monte_carlo.cache, progress_callback=pass_progress(1), cancel=cancel,
                checkpoint=checkpoint,
            )  # fmt: skip
    out.elapsed_s = _time.perf_counter() - t0
    return out
