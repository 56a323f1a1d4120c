"""Partial and multiple coherence in the service: what ``WCTDeployment`` runs.

`serve_app.deployments.WCTDeployment.partial_wct` / ``multiple_wct`` hold a request to
the size limits and to the synchronous work budget (`over_budget`:
`pycwt_mod.montecarlo.estimate_multivariate_work` against the pair's budget), then
call `run_partial` / `run_multiple` here: `pycwt_mod.pipeline.analyze_partial_wct` /
``analyze_multiple_wct`` with the request fields as the series' names (so an error
names ``removed[1]`` as sent), shaped as the typed results of `serve_app.records`.
Only synchronous requests: these analyses have no significance job yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pycwt_mod.montecarlo import estimate_multivariate_work
from pycwt_mod.options import MonteCarlo, Preprocessing, ResolvedGrid, ScaleGrid
from pycwt_mod.pipeline import (
    MultipleWCTAnalysis,
    PartialWCTAnalysis,
    analyze_multiple_wct,
    analyze_partial_wct,
)

from .records import NUMPY, MultipleWCTResult, PartialWCTResult

__all__ = [
    "multiple_names",
    "multiple_record",
    "over_budget",
    "partial_names",
    "partial_record",
    "run_multiple",
    "run_partial",
]


def partial_names(m: int) -> tuple[str, ...]:
    """The request fields of a partial coherence's series, as errors quote them."""
    return ("response", "predictor", *(f"removed[{i}]" for i in range(m)))


def multiple_names(m: int) -> tuple[str, ...]:
    """The request fields of a multiple coherence's series, as errors quote them."""
    return ("response", *(f"predictors[{i}]" for i in range(m)))


def over_budget(k: int, rg: ResolvedGrid, mc: MonteCarlo, budget: int, setting: str) -> str | None:
    """Why a synchronous test of ``k`` series is over ``budget`` (named by ``setting``),
    or None when it is within."""
    work = estimate_multivariate_work(k, rg.dt, rg.dj, rg.s0, rg.J, mc.mc_count, rg.mother)
    if work <= budget:
        return None
    return (
        f"a significance test of {k} series with mc_count={mc.mc_count} on {rg.n_scales} "
        f"scales is {work} units of work, over the synchronous budget of {budget} "
        f"({setting}); lower mc_count or ask for fewer scales (a larger dj), or run it "
        "with the library or the CLI without --url (pycwt-mod partial-wct / multiple-wct): "
        "these analyses have no significance job yet"
    )


def _common(a, masked: bool, backend: str | None) -> dict:
    thr = a.thresholds
    return {
        "coi": a.coi,
        "freqs": a.freqs,
        "scales": a.scales,
        "sig95": None if thr is None else thr.sig95,
        "seed": None if thr is None else thr.seed,
        "computation_time": a.elapsed_s,
        "backend_used": (backend or NUMPY) if thr is None else thr.backend,
        "ar1": None if thr is None or thr.ar1 is None else np.asarray(thr.ar1),
        "warnings": [] if thr is None else list(thr.warnings),
        "gap_mask": a.gap_mask if masked else None,
        "surrogate": None if thr is None else a.monte_carlo.surrogate.name,
    }


def partial_record(a: PartialWCTAnalysis, masked: bool, backend: str | None = None):
    """`PartialWCTResult` of `analyze_partial_wct` (``masked``: keep ``gap_mask``)."""
    return PartialWCTResult(PWCT=a.PWCT, aPWCT=a.aPWCT, WCT=a.WCT, **_common(a, masked, backend))


def multiple_record(a: MultipleWCTAnalysis, masked: bool, backend: str | None = None):
    """`MultipleWCTResult` of `analyze_multiple_wct` (``masked``: keep ``gap_mask``)."""
    return MultipleWCTResult(MWCT=a.MWCT, **_common(a, masked, backend))


def run_partial(
    response, predictor, removed: Sequence, grid: ScaleGrid, pre: Preprocessing,
    mc: MonteCarlo | None, masked: bool, backend: str | None = None,
) -> PartialWCTResult:  # fmt: skip
    """`analyze_partial_wct` of a request (``mc``: the test, None for none) as its record.

    Raises
    ------
    ValueError
        Bad data, naming the request field (``response``, ``removed[0]``, ...).
    """
    removed = list(removed)
    a = analyze_partial_wct(
        response, predictor, removed, grid, pre, monte_carlo=mc,
        names=partial_names(len(removed)),
    )  # fmt: skip
    return partial_record(a, masked, backend)


def run_multiple(
    response, predictors: Sequence, grid: ScaleGrid, pre: Preprocessing,
    mc: MonteCarlo | None, masked: bool, backend: str | None = None,
) -> MultipleWCTResult:  # fmt: skip
    """`analyze_multiple_wct` of a request as its record (as `run_partial`)."""
    predictors = list(predictors)
    a = analyze_multiple_wct(
        response, predictors, grid, pre, monte_carlo=mc, names=multiple_names(len(predictors))
    )
    return multiple_record(a, masked, backend)
