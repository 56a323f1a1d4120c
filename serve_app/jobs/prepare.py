"""Turn a significance request into the job's typed parameters (and its placement).

An AR(1) job only needs the AR(1) coefficients of the two series and their resolved
scale grid, so the series themselves are not stored; a ``phase``/``iaaft`` job or an
areawise job keeps them (after ``detrend``), since its plan is built from them. The
GPU policy (`GpuPolicy`) decides whether the chunks go to GPUs; a GPU asked of a
cluster without one is refused here, at submission, instead of leaving Ray tasks
pending forever.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import ray

from pycwt_mod._validation import as_series, check_same_length
from pycwt_mod.montecarlo.backends import BackendUnavailableError, get_backend
from pycwt_mod.preprocess import detrend as detrend_series

from ..analysis import (
    RequestLimits,
    check_area_options,
    check_size,
    check_surrogate,
    red_noise,
    resolve_grid,
)
from .job import GpuPolicy, JobParams

__all__ = ["RAY_PATHS", "JobDefaults", "prepare_job"]

#: Job backends whose chunks run as Ray tasks from the runner; other names run in it.
RAY_PATHS = ("ray", "gpu", "auto")


def _cluster_gpus() -> float:
    return float(ray.cluster_resources().get("GPU", 0)) if ray.is_initialized() else 0.0


def _wants_gpu(name: str, policy: GpuPolicy, gpus: float) -> bool:
    if name == "gpu" or (name in RAY_PATHS and policy == "always"):
        return True
    # "auto" takes the GPUs when the cluster has some; "ray" stays on CPUs
    return name == "auto" and policy == "auto" and gpus >= 1


@dataclass(frozen=True)
class JobDefaults:
    """Service-wide job settings a request does not choose (plain values).

    Attributes
    ----------
    default_backend : str
        Backend of a request that names none.
    use_gpu : GpuPolicy
    chunk_size : int or None
        Surrogate pairs per Ray task (None: the backend's default).
    """

    default_backend: str
    use_gpu: GpuPolicy
    chunk_size: int | None


def prepare_job(
    data1,
    data2,
    dt: float,
    dj: float = 1 / 12,
    s0=None,
    J=None,
    wavelet: str = "morlet",
    significance_level: float = 0.95,
    mc_count: int = 300,
    backend: str | None = None,
    seed: int | None = None,
    al1: float | None = None,
    al2: float | None = None,
    detrend: str = "none",
    surrogate: str = "ar1",
    areawise: bool = False,
    area_level: float = 0.95,
    area_measure: str = "maraun",
    areawise_test: str = "areawise",
    *,
    limits: RequestLimits,
    defaults: JobDefaults,
) -> JobParams:
    """Validate a significance request and reduce it to the job's parameters.

    Returns
    -------
    JobParams
        With the lag-1 coefficients of `serve_app.analysis.red_noise` (``al1``/``al2``
        when given, else estimated after ``detrend``; its warnings kept with them;
        0 for the ``phase``/``iaaft`` families, which do not use them) and the seed
        drawn (53 bits, exact in JSON) when ``seed`` is None. The series (after
        ``detrend``) are kept when the family or the areawise test needs them.

    Raises
    ------
    ValueError
        Bad data or parameters (the library's message), or a request over ``limits``.
    pycwt_mod.montecarlo.backends.BackendUnavailableError
        A GPU asked of a cluster without one, or an unavailable backend.
    """
    check_surrogate(surrogate)
    if areawise:
        check_area_options(area_level, area_measure, areawise_test, mc_count)
    y1 = as_series(data1, "data1")
    y2 = as_series(data2, "data2")
    check_same_length(y1, y2)
    s0r, Jr, scales = resolve_grid(y1.size, dt, dj, s0, J, wavelet)
    check_size(y1.size, scales.size, limits, mc_count)
    y1, y2 = (detrend_series(y, detrend) for y in (y1, y2))  # once, for all below
    if surrogate == "ar1":
        a1, a2, warnings = red_noise(y1, y2, al1, al2)
    else:  # surrogates of the series themselves: no red-noise model to fit
        a1, a2, warnings = 0.0, 0.0, []
    kept = None
    if surrogate != "ar1" or areawise:
        kept = [tuple(float(v) for v in y) for y in (y1, y2)]
    name = backend or defaults.default_backend
    gpus = _cluster_gpus()
    gpu = _wants_gpu(name, defaults.use_gpu, gpus)
    if gpu:
        if defaults.use_gpu == "never":
            raise BackendUnavailableError(
                "GPU jobs are disabled on this service (PYCWT_USE_GPU=never)"
            )
        if gpus < 1:
            raise BackendUnavailableError(
                f"backend {name!r} needs a GPU, but this Ray cluster has none "
                f"(resources: {ray.cluster_resources() if ray.is_initialized() else {}}); "
                "use backend 'ray' or start the cluster with GPU workers"
            )
    elif name not in RAY_PATHS:
        get_backend(name)  # raises BackendUnavailableError with the reason
    return JobParams(
        a1=float(a1),
        a2=float(a2),
        n=int(y1.size),
        dt=float(dt),
        dj=float(dj),
        s0=float(s0r),
        J=int(Jr),
        wavelet=wavelet,
        significance_level=float(significance_level),
        mc_count=int(mc_count),
        seed=int(secrets.randbits(53) if seed is None else seed),
        backend="gpu" if gpu else ("ray" if name == "auto" else name),
        chunk_size=defaults.chunk_size,
        warnings=tuple(warnings),
        surrogate=surrogate,
        areawise=bool(areawise),
        area_level=float(area_level),
        area_measure=area_measure,
        areawise_test=areawise_test,
        data1=None if kept is None else kept[0],
        data2=None if kept is None else kept[1],
    )
