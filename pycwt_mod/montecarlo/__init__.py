"""The Monte Carlo significance engine: plans, kernels, cache, surrogates, backends.

`wct_significance` is the coherence test and `multivariate_significance` the test
of the partial and multiple coherence of several series; `make_plan` (or
`make_multivariate_plan`) and `run_plan` build and run a plan on any backend
(`pycwt_mod.montecarlo.backends`). Inside the package the plans and kernels
(`plan`, `kernel`, `multivariate_plan`, `multivariate_kernel`, `chunks`) are a leaf
that imports no backend and no engine; the backends import only those; `engine`
and `multivariate` import all of them.
"""

from .engine import (
    ESTIMATORS,
    PRECISIONS,
    CancelCheck,
    Cancelled,
    Checkpoint,
    MonteCarloPlan,
    ProgressCallback,
    checkpoint_key,
    estimate_work,
    histogram_quantiles,
    make_plan,
    pair_noise,
    run_chunk,
    run_plan,
    split_chunks,
    surrogate_groups,
    thresholds,
    wct_significance,
)
from .multivariate import (
    MultivariatePlan,
    estimate_multivariate_work,
    make_multivariate_plan,
    multivariate_noise,
    multivariate_significance,
)

__all__ = [
    "ESTIMATORS",
    "PRECISIONS",
    "CancelCheck",
    "Cancelled",
    "Checkpoint",
    "MonteCarloPlan",
    "MultivariatePlan",
    "ProgressCallback",
    "checkpoint_key",
    "estimate_multivariate_work",
    "estimate_work",
    "histogram_quantiles",
    "make_multivariate_plan",
    "make_plan",
    "multivariate_noise",
    "multivariate_significance",
    "pair_noise",
    "run_chunk",
    "run_plan",
    "split_chunks",
    "surrogate_groups",
    "thresholds",
    "wct_significance",
]
