"""Monte Carlo significance of wavelet coherence: the engine above the kernel.

`wct_significance` validates the request, looks the thresholds up in the cache,
chooses a backend, runs the chunks with progress and cancellation, and stores the
thresholds. The plans and numerics live in `pycwt_mod.montecarlo.plan` and
`pycwt_mod.montecarlo.kernel` (leaves), the places where chunks run in
`pycwt_mod.montecarlo.backends` (which import only plans, kernel and chunks); this
module imports them all, never the reverse.

References
----------
.. [1] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the
   cross wavelet transform and wavelet coherence to geophysical time series.
   Nonlinear Processes in Geophysics, 11, 561-566.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import time
import warnings

import numpy as np
from tqdm.auto import tqdm

from .._validation import check_significance_level
from . import kernel, plan
from .backends import get_backend
from .cache import ThresholdCache
from .chunks import Checkpoint, Plan, resume_chunks
from .kernel import *  # noqa: F403 - the kernel's public names are the engine's too
from .kernel import thresholds
from .multivariate_plan import MultivariatePlan
from .observed import resolve_seed
from .plan import *  # noqa: F403 - and so are the plans'
from .plan import CancelCheck, MonteCarloPlan, ProgressCallback, make_plan

__all__ = [
    *plan.__all__,
    *kernel.__all__,
    "Checkpoint",
    "checkpoint_key",
    "run_plan",
    "wct_significance",
]


def _progress_bar(enabled: bool, total: int, desc: str = "WCT significance"):
    if not enabled:
        return None
    return tqdm(total=total, desc=desc, unit="pair")


def checkpoint_key(plan: Plan) -> str:
    """The name of a plan's chunks in a `Checkpoint`: its type and a digest of its inputs.

    The digest covers what the threshold cache keys the plan by (grid, wavelet,
    family and data, AR(1) coefficients unrounded, count, seed, bins, estimator,
    the field plans' thresholds, the kernel's version), so two passes of one
    analysis never share chunks, nor do two versions of the kernel.

    Examples
    --------
    >>> checkpoint_key(make_plan(0.5, 0.3, 1.0, 0.25, 2.0, 4, mc_count=4, seed=1))[:15]
    'MonteCarloPlan-'
    """
    if isinstance(plan, MonteCarloPlan):
        key = ThresholdCache.key(plan, 0.0)
        del key["level"]
        key["al1"], key["al2"] = float(plan.al1), float(plan.al2)
    elif isinstance(plan, MultivariatePlan):
        key = ThresholdCache.multivariate_key(plan, 0.0)
        del key["level"]
        key["al"] = [float(a) for a in plan.al]
    else:
        key = ThresholdCache.field_key(plan, type(plan).__name__)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    return f"{type(plan).__name__}-{digest}"


def run_plan(
    plan: Plan,
    backend=None,
    chunk_size: int | None = None,
    *,
    progress: bool = False,
    desc: str = "Monte Carlo",
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    checkpoint: Checkpoint | None = None,
):
    """Run every surrogate of a plan on a backend, in chunks.

    Parameters
    ----------
    plan : MonteCarloPlan or a field plan (`pycwt_mod.areawise.kernel`)
    backend : str or MonteCarloBackend, optional
        As in `wct_significance`.
    chunk_size : int, optional
        Surrogates per chunk; default chosen by the backend.
    progress : bool, optional
        Show a tqdm progress bar labelled ``desc``.
    progress_callback, cancel
        As in `wct_significance`.
    checkpoint : Checkpoint, optional
        Where chunks are kept (under `checkpoint_key` of the plan): the chunks
        kept before are added to the result and only the pairs they do not cover
        run (`pycwt_mod.montecarlo.chunks.resume_chunks`); each chunk that finishes
        is kept, with where it ran. Progress starts from the kept pairs.

    Returns
    -------
    result : (n_scales, nbins) int64 ndarray or the plan's joined chunk results
        The same bits for the same plan whatever the CPU backend, the chunk size
        and the chunks kept before.
    info : dict
        ``backend``, ``chunk_size`` and ``kept`` (pairs taken from the checkpoint).
    """
    runner = get_backend(backend) if backend is None or isinstance(backend, str) else backend
    size = chunk_size if chunk_size is not None else runner.default_chunk_size(plan)
    bar = _progress_bar(progress, plan.mc_count, desc)

    def on_progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)
        if progress_callback is not None:
            progress_callback(done, total)

    key = None if checkpoint is None else checkpoint_key(plan)
    kept = None if checkpoint is None else checkpoint.kept(key)
    done, todo = resume_chunks(plan.mc_count, int(size), kept)

    def on_chunk(chunk, part, where) -> None:
        checkpoint.keep(key, chunk, part, where)

    try:
        out = runner.run(
            plan, todo, on_progress, cancel, done=done,
            on_chunk=None if checkpoint is None else on_chunk,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.close()
    info = {"backend": runner.name, "chunk_size": int(size)}
    info["kept"] = sum(b - a for a, b in done)
    return out, info


def wct_significance(
    al1: float,
    al2: float,
    dt: float,
    dj: float,
    s0: float,
    J: int,
    significance_level: float = 0.95,
    wavelet="morlet",
    mc_count: int = 300,
    progress: bool = True,
    cache: bool = True,
    *,
    backend=None,
    seed: int | None = None,
    rng=None,
    chunk_size: int | None = None,
    nbins: int = 1000,
    estimator: str = "multirate",
    precision: str = "float32",
    cache_dir=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    return_info: bool = False,
    surrogate: str = "ar1",
    data=None,
    checkpoint: Checkpoint | None = None,
):
    """Monte Carlo significance of wavelet coherence against red noise or surrogates.

    Parameters
    ----------
    al1, al2 : float
        Lag-1 autocorrelations of the two series (see `ar1`), each in (-1, 1).
    dt, dj : float
        Sample spacing and scale spacing.
    s0 : float
        Smallest scale; -1 gives ``2 dt / flambda`` as in `cwt`.
    J : int
        Number of scales less one. -1 (pycwt's default elsewhere) is rejected with a
        ``ValueError`` here, because it depends on the series length; `wct` passes
        the resolved value.
    significance_level : float or sequence of float, optional
        Default 0.95. A sequence gives the thresholds at each level, from one
        histogram (each level cached on its own).
    wavelet : str or Mother, optional
        Default ``"morlet"``; needs a tabulated ``deltaj0``.
    mc_count : int, optional
        Surrogate pairs, default 300.
    progress : bool, optional
        Show a tqdm progress bar (default True, as pycwt).
    cache : bool, optional
        Read and write the threshold cache (default True); see `pycwt_mod.montecarlo.cache`.
    backend : str or MonteCarloBackend, optional
        ``"sequential"``, ``"joblib"``, ``"ray"``, ``"gpu"`` or ``"auto"``/None (the
        best available). A named backend that is unavailable raises
        ``BackendUnavailableError`` with the reason.
    seed : int, optional
        Root seed. The same seed gives the same thresholds for any backend and
        chunk size. None draws fresh entropy; ``return_info=True`` reports it.
    rng : int or numpy.random.Generator, optional
        Instead of ``seed`` (SPEC 7; giving both is a ``ValueError``): an int is the
        root seed; a Generator draws it, so the same Generator state gives the same
        thresholds (``return_info=True`` reports the seed drawn).
    chunk_size : int, optional
        Surrogate pairs per chunk (unit of parallel work and of progress); default
        chosen by the backend.
    nbins : int, optional
        Coherence histogram bins, default 1000.
    estimator : {"multirate", "full"}, optional
        ``"multirate"`` (default) cuts the scales into groups and gives each group
        surrogates twelve times its own largest scale long (at most the full length);
        ``"full"`` uses six times
        the largest scale of the grid for every scale (pycwt's choice, several
        times the work). Both have the same Monte Carlo error at their worst scale
        and agree within it (see `pycwt_mod.montecarlo.plan.surrogate_groups`).
    precision : {"float32", "float64"}, optional
        Precision of the kernel's work arrays (default float32; the thresholds move
        by far less than their Monte Carlo error).
    cache_dir : str or Path, optional
        Cache directory; default `cache.default_cache_dir` (``$PYCWT_MOD_CACHE_DIR``,
        else the user cache directory: ``~/.cache/pycwt_mod`` on Linux).
    progress_callback : callable, optional
        ``progress_callback(done_pairs, total_pairs)``, called as chunks finish.
    cancel : callable, optional
        Polled between chunks; when it returns True, `Cancelled` is raised.
    return_info : bool, optional
        Also return a dict with ``seed``, ``backend``, ``mc_count``, ``chunk_size``,
        ``cache_hit``, ``elapsed_s`` and ``n_scales``.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis (`pycwt_mod.montecarlo.surrogates`): ``"ar1"`` (default) pairs of red
        noise with ``al1``, ``al2``; ``"phase"`` (each series' power spectrum) and
        ``"iaaft"`` (spectrum and amplitude distribution) resample ``data``.
    data : (y1, y2), optional
        The observed series, required by ``"phase"`` and ``"iaaft"`` (``al1`` and
        ``al2`` are then unused, and the cache key includes the data's SHA-256).
    checkpoint : Checkpoint, optional
        Keep the finished chunks there and resume from those kept before
        (`run_plan`); unused on a cache hit.

    Returns
    -------
    sig : (J + 1,) ndarray, or (L, J + 1) for L levels
        Coherence threshold per scale (NaN where a scale has no point outside the
        cone of influence).
    info : dict
        Only if ``return_info``.

    Raises
    ------
    ValueError
        For invalid parameters (including ``J=-1``), or both ``seed`` and ``rng``.
    BackendUnavailableError
        For a named backend that cannot run here.
    Cancelled
        If ``cancel()`` returned True.

    Notes
    -----
    Differences from pycwt 0.5: the surrogates are true AR(1) noise (pycwt's
    generator returns white noise), the scale just below the largest one reached
    outside the cone of influence is not left NaN (pycwt's off-by-one), each pair
    has its own seeded stream, the cache key covers every parameter, and the
    histogram is built with ``bincount`` over batches instead of a Python loop. By
    default each group of scales gets surrogates twelve times its own largest scale
    long (``estimator="multirate"``) in single precision; ``estimator="full",
    precision="float64"`` is pycwt's estimator.

    Thresholds are bit-identical across the CPU backends (sequential, joblib, ray)
    and chunk sizes for the same seed. The gpu backend draws the same noise but
    runs cuFFT, whose rounding differs from scipy.fft: its thresholds agree with
    the CPU's within Monte Carlo error, not bit for bit.
    """
    started = time.perf_counter()
    several = not isinstance(significance_level, numbers.Real)
    levels = [check_significance_level(v) for v in np.atleast_1d(significance_level)]
    if not levels:
        raise ValueError("`significance_level` must be a number or a non-empty sequence")
    seed = resolve_seed(seed, rng)
    plan = make_plan(
        al1, al2, dt, dj, s0, J, wavelet=wavelet, mc_count=mc_count, seed=seed, nbins=nbins,
        estimator=estimator, precision=precision, surrogate=surrogate, data=data,
    )  # fmt: skip
    keys = [ThresholdCache.key(plan, lv, seeded=seed is not None) for lv in levels]
    return plan_thresholds(
        plan, levels, keys, started=started, several=several, backend=backend, cache=cache,
        cache_dir=cache_dir, chunk_size=chunk_size, progress=progress, desc="WCT significance",
        progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
        return_info=return_info,
    )  # fmt: skip


def plan_thresholds(
    plan: Plan,
    levels: list[float],
    keys: list[dict],
    *,
    started: float,
    several: bool,
    backend,
    cache: bool,
    cache_dir,
    chunk_size: int | None,
    progress: bool,
    desc: str,
    progress_callback: ProgressCallback | None,
    cancel: CancelCheck | None,
    checkpoint: Checkpoint | None,
    return_info: bool,
):
    """The thresholds of a histogram plan at ``levels``: from the cache, else run.

    The shared body of `wct_significance` and
    `pycwt_mod.montecarlo.multivariate.multivariate_significance`: ``keys`` are the
    plan's cache keys, one per level; ``started`` the caller's
    ``time.perf_counter()``; ``several`` whether the caller asked for a sequence of
    levels. Other parameters and the return value as in `wct_significance`.
    """
    runner = get_backend(backend) if backend is None or isinstance(backend, str) else backend
    store = ThresholdCache(cache_dir) if cache else None
    info = {
        "seed": plan.seed,
        "backend": runner.name,
        "mc_count": plan.mc_count,
        "chunk_size": 0,
        "cache_hit": False,
        "n_scales": plan.n_scales,
    }
    hits = [store.load(k, plan.n_scales) for k in keys] if store else [None]
    if all(h is not None for h in hits):
        sig = np.stack([h[0] for h in hits])
        info["seed"] = hits[0][1]
        info["cache_hit"] = True
        if progress_callback is not None:
            progress_callback(plan.mc_count, plan.mc_count)
    else:  # one histogram gives every level
        hist, ran = run_plan(
            plan, runner, chunk_size, progress=progress, desc=desc,
            progress_callback=progress_callback, cancel=cancel, checkpoint=checkpoint,
        )  # fmt: skip
        info["chunk_size"] = ran["chunk_size"]
        sig = np.stack([thresholds(plan, hist, lv) for lv in levels])
        if store:
            try:
                for k, row in zip(keys, sig, strict=True):
                    store.save(k, row, plan.seed)
            except OSError as exc:  # a read-only cache must not lose the result
                warnings.warn(f"could not write the threshold cache: {exc}", stacklevel=3)
    info["elapsed_s"] = time.perf_counter() - started
    sig = sig if several else sig[0]
    return (sig, info) if return_info else sig
