"""Deprecated alias of `pycwt_mod.montecarlo` (the plan and kernel names); import from there.

`pycwt_mod.mc_kernel` was split into `pycwt_mod.montecarlo.plan` and
`pycwt_mod.montecarlo.kernel`; this module re-exports their public names and will
be removed in a later release.
"""

from .montecarlo import (
    ESTIMATORS,
    PRECISIONS,
    CancelCheck,
    Cancelled,
    MonteCarloPlan,
    ProgressCallback,
    estimate_work,
    histogram_quantiles,
    make_plan,
    pair_noise,
    run_chunk,
    split_chunks,
    surrogate_groups,
    thresholds,
)

__all__ = [
    "ESTIMATORS",
    "PRECISIONS",
    "CancelCheck",
    "Cancelled",
    "MonteCarloPlan",
    "ProgressCallback",
    "estimate_work",
    "histogram_quantiles",
    "make_plan",
    "pair_noise",
    "run_chunk",
    "split_chunks",
    "surrogate_groups",
    "thresholds",
]
