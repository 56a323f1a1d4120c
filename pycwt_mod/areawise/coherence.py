"""Pointwise and areawise Monte Carlo significance of wavelet coherence.

`areawise_coherence`: the pointwise and areawise masks of a pair; the procedure and
references are in `pycwt_mod.areawise.common`.
"""

from __future__ import annotations

import numpy as np

from ..montecarlo.chunks import Checkpoint
from ..montecarlo.engine import wct_significance
from ..montecarlo.observed import ObservedSeries
from ..montecarlo.plan import CancelCheck, ProgressCallback
from ..mothers import get_wavelet
from ..options import renamed_keywords
from .common import (
    RENAMED,
    AreawiseResult,
    _engine,
    _grid,
    _null_patches,
    _red_noise,
    _result,
    _run,
)
from .kernel import PatchPlan, field_of

__all__ = ["areawise_coherence"]


@renamed_keywords(**RENAMED)
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
    significance_level: float = 0.95,
    area_level: float = 0.95,
    mc_count: int = 300,
    seed: int | None = None,
    rng=None,
    area_measure: str = "maraun",
    area_test: str = "areawise",
    al1: float | None = None,
    al2: float | None = None,
    backend=None,
    chunk_size: int | None = None,
    cache: bool = True,
    cache_dir=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    checkpoint: Checkpoint | None = None,
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
        Pointwise thresholds per scale at ``significance_level`` (e.g. a
        significance job's), or at each of `threshold_levels` ``(area_test,
        significance_level)`` (``L`` rows; required shape for
        ``area_test="cumulative"``). Default: the coherence engine's, from one
        histogram for all the levels.
    significance_level, area_level, mc_count, seed, rng, area_measure, area_test
        As in `areawise_power` (default ``mc_count`` 300; the old names ``level``,
        ``measure`` and ``test`` are accepted with a DeprecationWarning for one
        release).
    al1, al2 : float, optional
        AR(1) coefficients of the two series for ``"ar1"`` (default: each one's
        `pycwt_mod.significance.fit_ar1`).
    backend, chunk_size, cache, cache_dir, progress_callback, cancel
        As in `areawise_power` (progress counts both passes, ``2 * mc_count``).
    checkpoint : pycwt_mod.montecarlo.Checkpoint, optional
        Keep the chunks of both passes there (apart, by plan) and resume from those
        kept before (`pycwt_mod.montecarlo.run_plan`): a significance job's areawise
        pass resumes like its thresholds.

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

    Warns
    -----
    AR1FallbackWarning
        When a series has no unbiased AR(1) estimate and the Yule-Walker one is used.
    """
    run = _run(
        surrogate=surrogate, level=significance_level, area_level=area_level,
        mc_count=mc_count, seed=seed, rng=rng, measure=area_measure, test=area_test,
    )  # fmt: skip
    eng = _engine(
        backend=backend, chunk_size=chunk_size, cache=cache, cache_dir=cache_dir,
        progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
    )  # fmt: skip
    mother = get_wavelet(wavelet)
    data = ObservedSeries.of(y1, y2)
    dt, dj, s0, J = _grid(data.n, dt, dj, s0, J, mother)
    if run.surrogate == "ar1":
        al = tuple(
            _red_noise(row, name) if given is None else float(given)
            for row, given, name in zip(data.values, (al1, al2), ("y1", "y2"), strict=True)
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
                f"`sig95` must have shape {want}(len(threshold_levels(area_test, "
                f"significance_level)), n_scales)"
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
            cancel=cancel, surrogate=run.surrogate, data=data, checkpoint=checkpoint,
        )  # fmt: skip
    patches = PatchPlan(
        dt, dj, s0, J, mother, field="coherence", data=data, surrogate=run.surrogate, al=al,
        mc_count=run.mc_count, seed=run.seed, thresholds=tuple(map(tuple, thr.tolist())),
        measure=run.measure, test=run.test,
    )  # fmt: skip
    WCT, valid = field_of(patches, data.values)
    crit = _null_patches(patches, run, eng, run.mc_count, 2 * run.mc_count)
    return _result(WCT, valid, thr, patches.scales, dt, dj, crit, run)
