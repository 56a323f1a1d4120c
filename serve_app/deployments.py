"""Compute deployments: numpy arrays and option objects in, typed results out.

They are usable from any Ray program through handles, without HTTP or JSON:
``CWTDeployment`` (cwt, icwt) and ``WCTDeployment`` (xwt, wct, partial_wct,
multiple_wct: `serve_app.multivariate`, prepare_significance).
Each method translates only: it holds the request to the size limits, runs the
analysis of `pycwt_mod.pipeline` and shapes its result (`serve_app.analysis`).

Options are the library's option objects (`pycwt_mod.options`)::

    handle.cwt.remote(x, grid=ScaleGrid(dt=0.5, dj=0.25), preprocessing=Preprocessing(anomalies=12))

or, as before, flat keywords named as the option fields (``dt`` second positional)::

    handle.cwt.remote(x, 0.5, dj=0.25, normalize=False)

(`options_from_keywords` builds the objects from such keywords, for every method).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
from ray import serve

import pycwt_mod
from pycwt_mod.montecarlo import estimate_work
from pycwt_mod.options import (
    Areawise,
    MonteCarlo,
    Preprocessing,
    ScaleGrid,
    Spectrum,
    option_fields,
)
from pycwt_mod.pipeline import analyze_cwt, analyze_wct, analyze_xwt, power_test

from .analysis import (
    RequestLimits,
    check_size,
    cwt_record,
    resolve_within,
    service_errors,
    wct_record,
    xwt_record,
)
from .error_codes import ErrorCode
from .figures import check_periods, render_cwt_png, render_wct_png
from .http.readiness import check_backends
from .jobs.job import JobParams
from .jobs.prepare import JobDefaults, prepare_job
from .multivariate import over_budget, run_multiple, run_partial
from .records import CWTResult, ICWTResult, WCTResult, XWTResult

__all__ = [
    "CWTDeployment",
    "Options",
    "WCTDeployment",
    "WorkBudgetExceededError",
    "options_from_keywords",
]

#: Monte Carlo backend of synchronous coherence requests that name none.
SYNC_DEFAULT_BACKEND = "sequential"

#: Named in the 400 of a synchronous test over the budget.
BUDGET_SETTING = "PYCWT_SYNC_WORK_BUDGET"

#: Deprecated keyword -> its option field (accepted for one release).
ALIASES = {"areawise_test": "area_test"}

_OPTION_TYPES = (ScaleGrid, Preprocessing, MonteCarlo, Areawise, Spectrum)
_FIELDS = {cls: frozenset(f.name for f in option_fields(cls)) for cls in _OPTION_TYPES}


class WorkBudgetExceededError(ValueError):
    """A synchronous significance request is over the work budget (HTTP 400, code
    ``over_sync_budget``: clients submit a job instead)."""

    code = ErrorCode.OVER_SYNC_BUDGET


@dataclass(frozen=True)
class Options:
    """The option objects of one handle call (`options_from_keywords`)."""

    grid: ScaleGrid
    preprocessing: Preprocessing
    monte_carlo: MonteCarlo
    areawise: Areawise | None
    spectrum: Spectrum = dataclasses.field(default_factory=Spectrum)

    @property
    def masked(self) -> bool:
        """Whether gaps are masked (results then carry ``gap_mask``)."""
        return self.preprocessing.gaps == "mask"


def options_from_keywords(
    dt: float | None = None,
    *,
    accepts: tuple[type, ...] = _OPTION_TYPES,
    grid: ScaleGrid | None = None,
    preprocessing: Preprocessing | None = None,
    monte_carlo: MonteCarlo | None = None,
    areawise: Areawise | bool | None = None,
    spectrum: Spectrum | None = None,
    **keywords,
) -> Options:
    """The option objects of a handle call, in one place for every method.

    Parameters
    ----------
    dt : float, optional
        Sample spacing (the second positional argument of today's calls).
    accepts : tuple of type
        The option types the method takes; a keyword of another is a ``TypeError``.
    grid, preprocessing, monte_carlo, spectrum : option objects, optional
        Given objects (defaults: the types' defaults).
    areawise : Areawise or bool, optional
        The areawise test: an object, or True for one built from the keywords.
    **keywords
        Fields of the option types (``dj=0.25``, ``normalize=False``, ``mc_count=10``
        ...); each replaces that field of the object given (or of the default).

    Raises
    ------
    TypeError
        A keyword that is no field of an accepted type.
    ValueError
        A bad value (the option type's message, naming the field).
    """
    for old, new in ALIASES.items():
        if old in keywords:
            if new in keywords:
                raise TypeError(f"give {new} or its deprecated alias {old}, not both")
            keywords[new] = keywords.pop(old)
    if dt is not None:
        keywords["dt"] = dt
    known = frozenset().union(*(_FIELDS[cls] for cls in accepts))
    unknown = sorted(set(keywords) - known)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")

    def build(cls, given):
        fields = {k: v for k, v in keywords.items() if k in _FIELDS[cls]}
        if given is None:
            return cls(**fields)
        return dataclasses.replace(given, **fields) if fields else given

    area = None
    if isinstance(areawise, Areawise) or areawise:
        area = build(Areawise, areawise if isinstance(areawise, Areawise) else None)
    return Options(
        build(ScaleGrid, grid),
        build(Preprocessing, preprocessing),
        build(MonteCarlo, monte_carlo),
        area,
        build(Spectrum, spectrum),
    )


def _span(scales: np.ndarray) -> str:
    return f"{scales[0]:.6g} to {scales[-1]:.6g}" if scales.size else "none"


def _n(data) -> int:
    try:
        return len(data)
    except TypeError:
        return 0


_GRID_PRE = (ScaleGrid, Preprocessing)
#: What a transform's power is (`Spectrum`: ``rectify``) with the grid and preprocessing.
_POWER = (ScaleGrid, Preprocessing, Spectrum)
_WCT_OPTIONS = (ScaleGrid, Preprocessing, MonteCarlo)


def _check_transform() -> None:
    """Raise unless a CWT of 64 samples is finite (the numerics of this replica work)."""
    wave = pycwt_mod.cwt(np.sin(np.arange(64) / 4.0), 1.0, 0.5)[0]
    if not np.all(np.isfinite(wave)):
        raise RuntimeError("a 64-sample CWT is not finite in this replica")


@serve.deployment(max_ongoing_requests=4, max_queued_requests=64)
class CWTDeployment:
    """Continuous wavelet transform and its inverse.

    Parameters
    ----------
    limits : RequestLimits
    """

    def __init__(self, limits: RequestLimits):
        self._limits = limits

    def check_health(self) -> None:
        """Serve's health check: a 64-sample transform of this replica is finite."""
        _check_transform()

    def _analyze(self, data, o: Options, **kwargs):
        with service_errors():
            resolve_within(o.grid, _n(data), self._limits)
            # one FFT thread per request: concurrency comes from requests and replicas
            return analyze_cwt(
                data, o.grid, o.preprocessing, workers=1, spectrum=o.spectrum, **kwargs
            )

    def cwt(
        self, data, dt: float | None = None, *, output: str = "wave", dtype: str = "float64",
        **options,
    ) -> CWTResult:  # fmt: skip
        """`pycwt_mod.pipeline.analyze_cwt` within the size limits.

        ``options``: ``grid``, ``preprocessing``, ``spectrum`` or their fields
        (`options_from_keywords`; ``rectify`` divides ``power`` by the scale);
        ``output``, ``dtype``: `serve_app.analysis.shape_output`.
        """
        o = options_from_keywords(dt, accepts=_POWER, **options)
        return cwt_record(self._analyze(data, o), o.masked, output, dtype)

    def cwt_png(
        self, data, dt: float | None = None, plot: dict | None = None, *,
        significance_test: bool = False, significance_level: float = 0.95,
        ar1: float | None = None, **options,
    ) -> bytes:  # fmt: skip
        """PNG scalogram of `cwt` (``plot``: `serve_app.http.schemas.PlotOptions` fields),
        with the red-noise (chi-square) significance contour when ``significance_test``."""
        o = options_from_keywords(dt, accepts=_GRID_PRE, **options)
        a = self._analyze(data, o)
        check_periods(a.freqs, a.grid.dt)  # before the test: its periods must be drawable
        if significance_test:  # the chi-square test of the same transform
            with service_errors():
                a.sig95, a.variance, a.ar1, a.warnings = power_test(
                    a.series, a.grid.dt, a.scales, significance_level, wavelet=a.grid.mother,
                    ar1=ar1,
                )  # fmt: skip
        return render_cwt_png(cwt_record(a, o.masked), a.grid.dt, plot or {}, a.sig95, a.variance)

    def icwt(self, wave, scales, dt: float | None = None, **options) -> ICWTResult:
        """Inverse CWT (`pycwt_mod.icwt`) of ``wave`` at ``scales``, within the size limits.

        ``options``: ``grid`` or its fields ``dj``, ``wavelet``.

        Raises
        ------
        ValueError
            For shapes that do not match, non-finite input or a wavelet without ``cdelta``.
        """
        grid = options_from_keywords(dt, accepts=(ScaleGrid,), **options).grid
        check_size(_n(wave[0]) if _n(wave) else 0, _n(scales), self._limits)
        t0 = time.perf_counter()
        wave = np.asarray(wave)
        if not np.all(np.isfinite(wave)):
            raise ValueError("`wave` holds NaN or infinite values")
        signal = pycwt_mod.icwt(
            wave, np.asarray(scales, dtype=float), grid.dt, grid.dj, grid.mother
        )
        return ICWTResult(np.real(signal), computation_time=time.perf_counter() - t0)


@serve.deployment(max_ongoing_requests=8, max_queued_requests=64)
class WCTDeployment:
    """Cross wavelet transform, coherence and preparation of significance jobs.

    Parameters
    ----------
    limits : RequestLimits
    sync_work_budget : int
        Largest `pycwt_mod.montecarlo.estimate_work` answered synchronously.
    job_defaults : JobDefaults
        Service-wide job settings for `prepare_job`.
    """

    def __init__(self, limits: RequestLimits, sync_work_budget: int, job_defaults: JobDefaults):
        self._limits = limits
        self._sync_work_budget = sync_work_budget
        self._job_defaults = job_defaults

    def check_health(self) -> None:
        """Serve's health check: a 64-sample transform is finite and the backend of the
        synchronous tests is available here."""
        _check_transform()
        check = check_backends(SYNC_DEFAULT_BACKEND)
        if not check.ok:
            raise RuntimeError(check.detail)

    def xwt(
        self, data1, data2, dt: float | None = None, *, significance_level: float = 0.95,
        **options,
    ) -> XWTResult:  # fmt: skip
        """`pycwt_mod.pipeline.analyze_xwt` within the size limits.

        ``options``: ``grid``, ``preprocessing``, ``spectrum`` or their fields
        (`options_from_keywords`; ``rectify`` divides the cross power and its level by
        the scale).
        """
        o = options_from_keywords(dt, accepts=_POWER, **options)
        with service_errors():
            resolve_within(o.grid, _n(data1), self._limits)
            a = analyze_xwt(
                data1, data2, o.grid, o.preprocessing, significance_level=significance_level,
                spectrum=o.spectrum,
            )  # fmt: skip
        return xwt_record(a, o.masked)

    def _sync_test(self, o: Options, n: int) -> MonteCarlo:
        """The test of a synchronous request, checked against the limits and the budget.

        Raises
        ------
        WorkBudgetExceededError
            When the test asks for more Monte Carlo work than the budget.
        """
        mc = o.monte_carlo
        rg = resolve_within(o.grid, n, self._limits, mc.mc_count)
        work = estimate_work(rg.dt, rg.dj, rg.s0, rg.J, mc.mc_count, rg.mother)
        budget = self._sync_work_budget
        if work > budget:
            raise WorkBudgetExceededError(
                f"a significance test with mc_count={mc.mc_count} on {rg.n_scales} scales is "
                f"{work} units of work, over the synchronous budget of {budget} "
                f"({BUDGET_SETTING}); submit it to POST /api/v1/analysis/significance "
                "and poll GET /api/v1/jobs/{job_id} (a figure can then use the job's "
                "thresholds: POST /api/v1/plots/wct with job_id), or lower mc_count"
            )
        # a synchronous test runs here, on the sequential backend unless named; no cache
        return dataclasses.replace(mc, backend=mc.backend or SYNC_DEFAULT_BACKEND, cache=False)

    def _wct(self, data1, data2, o: Options, significance_test: bool) -> WCTResult:
        with service_errors():
            if significance_test:
                mc = self._sync_test(o, _n(data1))
            else:
                mc = None
                resolve_within(o.grid, _n(data1), self._limits)
            a = analyze_wct(data1, data2, o.grid, o.preprocessing, monte_carlo=mc)
        return wct_record(a, o.masked, o.monte_carlo.backend)

    def wct(
        self, data1, data2, dt: float | None = None, *, significance_test: bool = False,
        **options,
    ) -> WCTResult:  # fmt: skip
        """`pycwt_mod.pipeline.analyze_wct`; a significance test only within the budget.

        ``options``: ``grid``, ``preprocessing``, ``monte_carlo`` or their fields
        (`options_from_keywords`); the test runs when ``significance_test``.

        Raises
        ------
        WorkBudgetExceededError
            When ``significance_test`` asks for more Monte Carlo work than the budget.
        """
        o = options_from_keywords(dt, accepts=_WCT_OPTIONS, **options)
        return self._wct(data1, data2, o, significance_test)

    def _multivariate(self, run, series: tuple, dt, significance_test: bool, options: dict):
        """``run`` (`serve_app.multivariate`) of ``series`` (the last one a list), the
        options and the test as `wct`'s; the budget is `over_budget`'s."""
        o = options_from_keywords(dt, accepts=_WCT_OPTIONS, **options)
        n, mc = _n(series[0]), None
        with service_errors():
            if significance_test:
                mc = o.monte_carlo
                rg = resolve_within(o.grid, n, self._limits, mc.mc_count)
                k = len(series) - 1 + len(series[-1])
                why = over_budget(k, rg, mc, self._sync_work_budget, BUDGET_SETTING)
                if why:
                    raise WorkBudgetExceededError(why)
                mc = dataclasses.replace(
                    mc, backend=mc.backend or SYNC_DEFAULT_BACKEND, cache=False
                )
            else:
                resolve_within(o.grid, n, self._limits)
            return run(*series, o.grid, o.preprocessing, mc, o.masked, o.monte_carlo.backend)

    def partial_wct(self, response, predictor, removed, dt=None, *, significance_test=False,
                    **options):  # fmt: skip
        """Partial coherence, ``removed`` one or more series (a `PartialWCTResult`)."""
        series = (response, predictor, list(removed))
        return self._multivariate(run_partial, series, dt, significance_test, options)

    def multiple_wct(self, response, predictors, dt=None, *, significance_test=False, **options):
        """Multiple coherence with one or more ``predictors`` (a `MultipleWCTResult`)."""
        series = (response, list(predictors))
        return self._multivariate(run_multiple, series, dt, significance_test, options)

    def wct_png(
        self, data1, data2, dt: float | None = None, plot: dict | None = None,
        thresholds: dict | None = None, *, significance_test: bool = False, **options,
    ) -> bytes:  # fmt: skip
        """PNG coherence map of `wct` (``plot``: `serve_app.http.schemas.PlotOptions` fields).

        ``thresholds``: the ``sig95`` and ``scales`` of a completed significance job,
        drawn as the contour when its scale grid is this request's; its
        ``areawise_mask`` (an areawise job's), when there is one, outlines the
        areawise-significant patches in bold.
        """
        o = options_from_keywords(dt, accepts=_WCT_OPTIONS, **options)
        result = self._wct(data1, data2, o, significance_test)
        plot = plot or {}
        if thresholds is None:
            return render_wct_png(result, o.grid.dt, plot)
        job_scales = np.asarray(thresholds["scales"], dtype=float)
        if job_scales.shape != result.scales.shape or not np.allclose(
            job_scales, result.scales, rtol=1e-9
        ):
            raise ValueError(
                f"job {thresholds['job_id']} has thresholds for {job_scales.size} scales "
                f"({_span(job_scales)}), this request has {result.scales.size} "
                f"({_span(result.scales)}); send the job's dt, dj, s0, J and wavelet"
            )
        result.sig95 = np.asarray(thresholds["sig95"], dtype=float)
        areawise = thresholds.get("areawise_mask")
        if areawise is not None:
            areawise = np.asarray(areawise, dtype=bool)
            if areawise.shape != result.WCT.shape:
                raise ValueError(
                    f"job {thresholds['job_id']} has areawise masks of shape "
                    f"{areawise.shape}, this request's coherence is {result.WCT.shape}; "
                    "send the job's series (same length) and grid"
                )
        return render_wct_png(result, o.grid.dt, plot, areawise=areawise)

    def prepare_significance(
        self, data1, data2, dt: float | None = None, *, areawise: Areawise | bool = False,
        **options,
    ) -> JobParams:  # fmt: skip
        """Validate a significance job and return its parameters (`prepare_job`).

        ``options``: ``grid``, ``preprocessing``, ``monte_carlo`` or their fields; ``areawise``
        an `Areawise` test, or True with its fields as keywords (`options_from_keywords`).
        """
        o = options_from_keywords(dt, areawise=areawise, **options)
        with service_errors():
            return prepare_job(
                data1, data2, o.grid, o.preprocessing, o.monte_carlo, o.areawise,
                limits=self._limits, defaults=self._job_defaults,
            )  # fmt: skip
