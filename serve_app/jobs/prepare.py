"""Turn a significance request into the job's typed parameters (and its placement).

The series go through the library's preprocessing (`pycwt_mod.pipeline.prepare_pair`)
and red-noise policy (`pycwt_mod.pipeline.red_noise`), the grid is resolved against
their length (`pycwt_mod.options.ScaleGrid.resolve`) and the seed drawn when the
request gave none (`pycwt_mod.pipeline.draw_seed`), so a job computes what
`pycwt_mod.pipeline.analyze_wct` computes, bit for bit. An AR(1) job only needs the
AR(1) coefficients of the two series and their resolved scale grid, so the series
themselves are not stored; a ``phase``/``iaaft`` job or an areawise job keeps them
(preprocessed), since its plans are built from them. The GPU policy (`GpuPolicy`)
decides whether the chunks go to GPUs; a GPU asked of a cluster without one is
refused here, at submission, instead of leaving Ray tasks pending forever.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import ray

from pycwt_mod.montecarlo.backends import BackendUnavailableError, get_backend
from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.pipeline import draw_seed, prepare_pair, red_noise

from ..analysis import RequestLimits, check_size
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
        Surrogate pairs per chunk (None: the backend's default).
    """

    default_backend: str
    use_gpu: GpuPolicy
    chunk_size: int | None


def _backend_label(name: str, defaults: JobDefaults) -> str:
    """The job's backend label (``ray``, ``gpu`` or an in-runner backend's name).

    Raises
    ------
    BackendUnavailableError
        GPU jobs disabled, a GPU asked of a cluster without one, or a backend that
        cannot run here.
    """
    gpus = _cluster_gpus()
    if _wants_gpu(name, defaults.use_gpu, gpus):
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
        return "gpu"
    if name not in RAY_PATHS:
        get_backend(name)  # raises BackendUnavailableError with the reason
    return "ray" if name == "auto" else name


def prepare_job(
    data1,
    data2,
    grid: ScaleGrid,
    pre: Preprocessing,
    mc: MonteCarlo,
    areawise: Areawise | None,
    *,
    limits: RequestLimits,
    defaults: JobDefaults,
) -> JobParams:
    """Validate a significance request and reduce it to the job's parameters.

    Parameters
    ----------
    data1, data2 : (n,) array_like
        The series, as the request sent them.
    grid : ScaleGrid
        With its ``dt``.
    pre : Preprocessing
    mc : MonteCarlo
        ``backend`` None takes ``defaults.default_backend``; ``seed`` None draws one.
    areawise : Areawise or None
        Run the areawise test after the thresholds.
    limits : RequestLimits
    defaults : JobDefaults

    Returns
    -------
    JobParams
        The grid resolved (``s0``, ``J`` fixed); the Monte Carlo test with its seed,
        backend label, the service's chunk size and the cache off; the lag-1
        coefficients of `pycwt_mod.pipeline.red_noise` (``mc.al1``/``mc.al2`` when
        given, else fitted to the preprocessed series, its warnings kept; 0 for the
        ``phase``/``iaaft`` families, which do not use them). The preprocessed
        series are kept when the family or the areawise test needs them.

    Raises
    ------
    ValueError
        Bad data or options (the library's message), or a request over ``limits``.
    pycwt_mod.montecarlo.backends.BackendUnavailableError
        A GPU asked of a cluster without one, or an unavailable backend.
    """
    if areawise is not None and mc.mc_count < 2:
        raise ValueError(f"an areawise test needs mc_count >= 2 (got {mc.mc_count})")
    p1, p2 = prepare_pair(data1, data2, pre, dt=grid.dt)
    y1, y2 = p1.values, p2.values
    rg = grid.resolve(y1.size)
    check_size(y1.size, rg.n_scales, limits, mc.mc_count)
    if mc.surrogate.fits_red_noise:
        (a1, a2), warnings = red_noise((y1, y2), (mc.al1, mc.al2))
    else:  # surrogates of the series themselves: no red-noise model to fit
        (a1, a2), warnings = (0.0, 0.0), ()
    kept = None
    if mc.surrogate.needs_data or areawise is not None:
        kept = [tuple(float(v) for v in y) for y in (y1, y2)]
    label = _backend_label(mc.backend or defaults.default_backend, defaults)
    return JobParams(
        grid=ScaleGrid(dt=rg.dt, dj=rg.dj, s0=rg.s0, J=rg.J, wavelet=grid.wavelet),
        monte_carlo=dataclasses.replace(
            mc,
            seed=draw_seed() if mc.seed is None else mc.seed,
            backend=label,
            chunk_size=defaults.chunk_size,
            cache=False,
        ),
        n=int(y1.size),
        a1=float(a1),
        a2=float(a2),
        areawise=areawise,
        preprocessing=pre,
        warnings=tuple(warnings),
        data1=None if kept is None else kept[0],
        data2=None if kept is None else kept[1],
    )
