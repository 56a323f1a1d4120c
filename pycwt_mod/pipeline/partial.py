"""Partial and multiple wavelet coherence of several series, with their Monte Carlo test.

Ng & Chan (2012), Mihanovic et al. (2009), Hu & Si (2016); the numerics are
`pycwt_mod.conditional`'s, the test `pycwt_mod.montecarlo.multivariate_significance`
(the references are listed in `pycwt_mod.partial`).
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..conditional import cross_spectral_matrix, multiple_coherence, partial_coherence
from ..montecarlo import Checkpoint, multivariate_significance
from ..options import MonteCarlo, Preprocessing, ResolvedGrid, ScaleGrid
from .prepare import (
    CancelCheck,
    PreparedSeries,
    ProgressCallback,
    _gap_mask,
    prepare_series,
    red_noise,
)
from .wct import Thresholds

__all__ = [
    "MultipleWCTAnalysis",
    "PartialWCTAnalysis",
    "analyze_multiple_wct",
    "analyze_partial_wct",
    "multivariate_thresholds",
]


def _names(k: int, names: Sequence[str] | None) -> tuple[str, ...]:
    names = tuple(names) if names is not None else tuple(f"data{i + 1}" for i in range(k))
    if len(names) != k:
        raise ValueError(f"`names` must name each of the {k} series (got {len(names)})")
    return names


def _prepare(datas, pre: Preprocessing, names, **kwargs) -> tuple[PreparedSeries, ...]:
    """`prepare_series` of every series of one time axis (standardised in the transform)."""
    out = tuple(
        prepare_series(d, pre, name, standardize_now=False, **kwargs)
        for d, name in zip(datas, names, strict=True)
    )
    sizes = [p.values.size for p in out]
    if len(set(sizes)) > 1:
        got = ", ".join(f"`{name}` {size}" for name, size in zip(names, sizes, strict=True))
        raise ValueError(
            f"the series must have the same length (got {got}); resample or trim them onto "
            "a common time axis first"
        )
    return out


def multivariate_thresholds(
    kind: str,
    series: Sequence[np.ndarray],
    grid: ResolvedGrid,
    mc: MonteCarlo,
    *,
    ar1: tuple[float, ...] | None = None,
    warnings: tuple[str, ...] = (),
    names: Sequence[str] | None = None,
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    backend=None,
    checkpoint: Checkpoint | None = None,
) -> Thresholds:
    """The Monte Carlo thresholds of a partial or multiple coherence of prepared series.

    Red noise of each series' AR(1) coefficient (``ar1`` when the caller has them;
    else ``mc.al1`` for the first series and ``mc.al2`` for the second, the others
    and any not given fitted by `red_noise`), or surrogates of the series
    themselves for a data-driven ``mc.surrogate``. The Monte Carlo stage of
    `analyze_partial_wct` / `analyze_multiple_wct` alone (for jobs).

    Parameters
    ----------
    kind : {"partial", "multiple"}
    series : sequence of (n,) ndarray
        In the analysis' order: response, predictor(s), removed series.
    backend, checkpoint
        As in `pycwt_mod.pipeline.coherence_thresholds`.

    Returns
    -------
    Thresholds
        ``ar1`` holds one coefficient per series (None for data-driven families).
    """
    names = _names(len(series), names)
    family = mc.surrogate
    if family.fits_red_noise:
        if ar1 is None:
            given = (mc.al1, mc.al2, *([None] * (len(series) - 2)))
            ar1, warnings = red_noise(tuple(series), given, names)
        al = tuple(float(a) for a in ar1)
    else:
        al, ar1, warnings = None, None, ()
    rows, info = multivariate_significance(
        kind, al, grid.dt, grid.dj, grid.s0, grid.J, (mc.significance_level,), grid.mother,
        mc.mc_count, progress=progress, cache=mc.cache,
        backend=mc.backend if backend is None else backend, seed=mc.seed,
        chunk_size=mc.chunk_size, return_info=True, surrogate=family.name,
        data=tuple(series) if family.needs_data else None,
        progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
    )  # fmt: skip
    return Thresholds(
        np.atleast_2d(rows), (mc.significance_level,), int(info["seed"]), str(info["backend"]),
        None if ar1 is None else tuple(float(a) for a in ar1), tuple(warnings), info,
    )  # fmt: skip


@dataclass
class PartialWCTAnalysis:
    """Result of `analyze_partial_wct`.

    Attributes
    ----------
    PWCT : (n_scales, n) ndarray
        Squared partial coherence of the response and the predictor, the removed
        series' influence taken out, in [0, 1].
    aPWCT : (n_scales, n) ndarray
        Partial phase, radians (positive: the response leads).
    WCT : (n_scales, n) ndarray
        The ordinary squared coherence of the response and the predictor, from the
        same spectra (to compare with).
    coi : (n,) ndarray
    freqs, scales : (n_scales,) ndarray
    grid : ResolvedGrid
    series : tuple of PreparedSeries
        Response, predictor, then the removed series.
    gap_mask : (n_scales, n) bool ndarray
        Gaps of any series.
    thresholds : Thresholds or None
    monte_carlo : MonteCarlo or None
        The test's options, with the seed used.
    elapsed_s : float
    """

    PWCT: np.ndarray
    aPWCT: np.ndarray
    WCT: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    grid: ResolvedGrid
    series: tuple[PreparedSeries, ...]
    gap_mask: np.ndarray
    thresholds: Thresholds | None = None
    monte_carlo: MonteCarlo | None = None
    elapsed_s: float = 0.0

    @property
    def sig95(self) -> np.ndarray | None:
        """Partial coherence threshold per scale at the test's level, or None."""
        return None if self.thresholds is None else self.thresholds.sig95


@dataclass
class MultipleWCTAnalysis:
    """Result of `analyze_multiple_wct`.

    Attributes
    ----------
    MWCT : (n_scales, n) ndarray
        Squared multiple coherence of the response with the predictors together.
    coi, freqs, scales, grid, gap_mask, thresholds, monte_carlo, elapsed_s
        As in `PartialWCTAnalysis`.
    series : tuple of PreparedSeries
        Response, then the predictors.
    """

    MWCT: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    grid: ResolvedGrid
    series: tuple[PreparedSeries, ...]
    gap_mask: np.ndarray
    thresholds: Thresholds | None = None
    monte_carlo: MonteCarlo | None = None
    elapsed_s: float = 0.0

    @property
    def sig95(self) -> np.ndarray | None:
        """Multiple coherence threshold per scale at the test's level, or None."""
        return None if self.thresholds is None else self.thresholds.sig95


def _spectra(datas, grid, pre, names, unit, labels):
    pre = Preprocessing() if pre is None else pre
    prepared = _prepare(datas, pre, names, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(prepared[0].values.size)
    values = [p.values for p in prepared]
    M = cross_spectral_matrix(
        values, rg.dt, rg.dj, rg.s0, rg.J, rg.mother, pre.normalize, names=names
    )  # fmt: skip
    missing = np.logical_or.reduce([p.missing for p in prepared])
    return prepared, rg, M, _gap_mask(missing, M.freqs, rg)


def _test(kind, out, prepared, rg, mc, names, progress, progress_callback, cancel, checkpoint):
    if mc is None:
        return
    thr = multivariate_thresholds(
        kind, [p.values for p in prepared], rg, mc, names=names, progress=progress,
        progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
    )  # fmt: skip
    out.thresholds = thr
    out.monte_carlo = mc.with_seed(thr.seed)


def analyze_partial_wct(
    response,
    predictor,
    removed: Sequence,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    monte_carlo: MonteCarlo | None = None,
    names: Sequence[str] | None = None,
    unit: str = "",
    labels=None,
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    checkpoint: Checkpoint | None = None,
) -> PartialWCTAnalysis:
    """Partial wavelet coherence of a response and a predictor, other series removed.

    Parameters
    ----------
    response, predictor : (n,) array_like
        Series of one time axis (NaN marks a gap).
    removed : sequence of (n,) array_like
        One or more series whose influence is taken out.
    grid : ScaleGrid
    pre : Preprocessing
        Applied to every series; ``normalize`` standardises them in the transform.
    monte_carlo : MonteCarlo, optional
        Compute the thresholds (`multivariate_thresholds`): ``al1``/``al2`` are the
        response's and the predictor's coefficients, the others are fitted.
    names : sequence of str, optional
        The fields as the user sent them, one per series (default ``data1``,
        ``data2``, ``data3``, ...), quoted in errors.
    unit, labels
        As in `prepare_series`.
    progress, progress_callback, cancel, checkpoint
        As in `pycwt_mod.pipeline.analyze_wct`.

    Returns
    -------
    PartialWCTAnalysis

    Raises
    ------
    ValueError
        Bad data or options, naming the field; no removed series.
    """
    t0 = _time.perf_counter()
    removed = list(removed)
    if not removed:
        raise ValueError("a partial coherence needs at least one removed series (`removed`)")
    datas = [response, predictor, *removed]
    names = _names(len(datas), names)
    prepared, rg, M, gaps = _spectra(datas, grid, pre, names, unit, labels)
    P, phase = partial_coherence(M)
    a, c = M.auto, M.cross[(0, 1)]
    R2 = (c.real**2 + c.imag**2) / (a[0] * a[1])  # the ordinary coherence, same spectra
    out = PartialWCTAnalysis(P, phase, R2, M.coi, M.freqs, rg.scales, rg, prepared, gaps)
    _test("partial", out, prepared, rg, monte_carlo, names, progress, progress_callback,
          cancel, checkpoint)  # fmt: skip
    out.elapsed_s = _time.perf_counter() - t0
    return out


def analyze_multiple_wct(
    response,
    predictors: Sequence,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    monte_carlo: MonteCarlo | None = None,
    names: Sequence[str] | None = None,
    unit: str = "",
    labels=None,
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    checkpoint: Checkpoint | None = None,
) -> MultipleWCTAnalysis:
    """Multiple wavelet coherence of a response with several predictors together.

    Parameters
    ----------
    response : (n,) array_like
    predictors : sequence of (n,) array_like
        One or more (with one, the ordinary coherence).
    grid, pre, monte_carlo, names, unit, labels, progress, progress_callback, cancel,
    checkpoint
        As in `analyze_partial_wct` (``al2`` is the first predictor's coefficient).

    Returns
    -------
    MultipleWCTAnalysis

    Raises
    ------
    ValueError
        Bad data or options, naming the field; no predictor.
    """
    t0 = _time.perf_counter()
    predictors = list(predictors)
    if not predictors:
        raise ValueError("a multiple coherence needs at least one predictor (`predictors`)")
    datas = [response, *predictors]
    names = _names(len(datas), names)
    prepared, rg, M, gaps = _spectra(datas, grid, pre, names, unit, labels)
    out = MultipleWCTAnalysis(multiple_coherence(M), M.coi, M.freqs, rg.scales, rg,
                              prepared, gaps)  # fmt: skip
    _test("multiple", out, prepared, rg, monte_carlo, names, progress, progress_callback,
          cancel, checkpoint)  # fmt: skip
    out.elapsed_s = _time.perf_counter() - t0
    return out
