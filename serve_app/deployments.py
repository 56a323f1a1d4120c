"""Compute deployments: numpy arrays in, small dataclasses of numpy arrays out.

They are usable from any Ray program through handles, without HTTP or JSON:
``CWTDeployment`` (cwt, icwt) and ``WCTDeployment`` (xwt, wct, prepare_significance).
"""

from __future__ import annotations

import numpy as np
from ray import serve

from pycwt_mod import montecarlo

from .analysis import (
    RequestLimits,
    check_size,
    compute_cwt,
    compute_icwt,
    compute_wct,
    compute_xwt,
    power_significance,
    prepare_pair,
    resolve_grid,
)
from .figures import check_periods, render_cwt_png, render_wct_png
from .jobs.job import JobParams
from .jobs.prepare import JobDefaults, prepare_job
from .records import CWTResult, ICWTResult, WCTResult, XWTResult

__all__ = ["CWTDeployment", "WCTDeployment", "WorkBudgetExceededError"]

#: Monte Carlo backend of synchronous coherence requests that name none.
SYNC_DEFAULT_BACKEND = "sequential"

#: Named in the 400 of a synchronous test over the budget (the client looks for it).
BUDGET_SETTING = "PYCWT_SYNC_WORK_BUDGET"


class WorkBudgetExceededError(ValueError):
    """A synchronous significance request is over the work budget (HTTP 400)."""


def _span(scales: np.ndarray) -> str:
    return f"{scales[0]:.6g} to {scales[-1]:.6g}" if scales.size else "none"


def _n(data) -> int:
    try:
        return len(data)
    except TypeError:
        return 0


@serve.deployment(max_ongoing_requests=4, max_queued_requests=64)
class CWTDeployment:
    """Continuous wavelet transform and its inverse.

    Parameters
    ----------
    limits : RequestLimits
    """

    def __init__(self, limits: RequestLimits):
        self._limits = limits

    def cwt(
        self, data, dt: float, dj: float = 1 / 12, s0=None, J=None, wavelet="morlet",
        normalize: bool = True, detrend: str = "none", gaps: str = "raise",
        output: str = "wave", dtype: str = "float64",
    ) -> CWTResult:  # fmt: skip
        """`serve_app.analysis.compute_cwt` within the size limits."""
        _, _, scales = resolve_grid(max(_n(data), 2), dt, dj, s0, J, wavelet)
        check_size(_n(data), scales.size, self._limits)
        # one FFT thread per request: concurrency comes from requests and replicas
        return compute_cwt(
            data, dt, dj, s0, J, wavelet, normalize, workers=1, detrend=detrend, gaps=gaps,
            output=output, dtype=dtype,
        )  # fmt: skip

    def cwt_png(
        self, data, dt: float, plot: dict, significance_test: bool = False,
        significance_level: float = 0.95, ar1: float | None = None, **kwargs,
    ) -> bytes:  # fmt: skip
        """PNG scalogram of `cwt` (``plot``: `serve_app.http.schemas.PlotOptions` fields),
        with the red-noise significance contour when ``significance_test``."""
        result = self.cwt(data, dt, **kwargs)
        check_periods(result.freqs, dt)
        signif = variance = None
        if significance_test:
            keep = ("wavelet", "normalize", "detrend", "gaps")
            signif, variance = power_significance(
                data, dt, result.scales, significance_level, ar1,
                **{k: v for k, v in kwargs.items() if k in keep},
            )  # fmt: skip
        return render_cwt_png(result, dt, plot, signif, variance)

    def icwt(self, wave, scales, dt: float, dj: float = 1 / 12, wavelet="morlet") -> ICWTResult:
        """`serve_app.analysis.compute_icwt` within the size limits."""
        n_scales = _n(scales)
        n = _n(wave[0]) if _n(wave) else 0
        check_size(n, n_scales, self._limits)
        return compute_icwt(wave, scales, dt, dj, wavelet)


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

    def _check(self, data1, dt, dj, s0, J, wavelet, mc_count=None) -> tuple[float, int]:
        s0r, Jr, scales = resolve_grid(max(_n(data1), 2), dt, dj, s0, J, wavelet)
        check_size(_n(data1), scales.size, self._limits, mc_count)
        return s0r, Jr

    def xwt(
        self, data1, data2, dt: float, dj: float = 1 / 12, s0=None, J=None,
        significance_level: float = 0.95, wavelet="morlet", normalize: bool = True,
        detrend: str = "none", gaps: str = "raise",
    ) -> XWTResult:  # fmt: skip
        """`serve_app.analysis.compute_xwt` within the size limits."""
        self._check(data1, dt, dj, s0, J, wavelet)
        return compute_xwt(
            data1, data2, dt, dj, s0, J, significance_level, wavelet, normalize, detrend, gaps
        )

    def wct(
        self, data1, data2, dt: float, dj: float = 1 / 12, s0=None, J=None,
        significance_level: float = 0.95, wavelet="morlet", normalize: bool = True,
        significance_test: bool = False, backend: str | None = None, mc_count: int = 300,
        seed: int | None = None, al1: float | None = None, al2: float | None = None,
        detrend: str = "none", gaps: str = "raise", surrogate: str = "ar1",
    ) -> WCTResult:  # fmt: skip
        """`serve_app.analysis.compute_wct`; significance only within the work budget.

        Raises
        ------
        WorkBudgetExceededError
            When ``significance_test`` asks for more Monte Carlo work than the budget.
        """
        mc = mc_count if significance_test else None
        s0r, Jr = self._check(data1, dt, dj, s0, J, wavelet, mc)
        if significance_test:
            work = montecarlo.estimate_work(dt, dj, s0r, Jr, mc_count, wavelet)
            budget = self._sync_work_budget
            if work > budget:
                raise WorkBudgetExceededError(
                    f"a significance test with mc_count={mc_count} on {Jr + 1} scales is "
                    f"{work} units of work, over the synchronous budget of {budget} "
                    f"({BUDGET_SETTING}); submit it to POST /api/v1/analysis/significance "
                    "and poll GET /api/v1/jobs/{job_id} (a figure can then use the job's "
                    "thresholds: POST /api/v1/plots/wct with job_id), or lower mc_count"
                )
        return compute_wct(
            data1, data2, dt, dj, s0, J, significance_level, wavelet, normalize,
            significance_test, backend or (SYNC_DEFAULT_BACKEND if significance_test else None),
            mc_count, seed, al1, al2, detrend, gaps, surrogate,
        )  # fmt: skip

    def wct_png(
        self, data1, data2, dt: float, plot: dict, thresholds: dict | None = None, **kwargs
    ) -> bytes:
        """PNG coherence map of `wct` (``plot``: `serve_app.http.schemas.PlotOptions` fields).

        ``thresholds``: the ``sig95`` and ``scales`` of a completed significance job,
        drawn as the contour when its scale grid is this request's; its
        ``areawise_mask`` (an areawise job's), when there is one, outlines the
        areawise-significant patches in bold.
        """
        if thresholds is None:
            return render_wct_png(self.wct(data1, data2, dt, **kwargs), dt, plot)
        result = self.wct(data1, data2, dt, **kwargs)
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
        return render_wct_png(result, dt, plot, areawise=areawise)

    def prepare_significance(
        self, data1, data2, dt: float, dj: float = 1 / 12, s0=None, J=None,
        wavelet="morlet", significance_level: float = 0.95, mc_count: int = 300,
        backend: str | None = None, seed: int | None = None, al1: float | None = None,
        al2: float | None = None, detrend: str = "none", surrogate: str = "ar1",
        areawise: bool = False, area_level: float = 0.95, area_measure: str = "maraun",
        areawise_test: str = "areawise",
    ) -> JobParams:  # fmt: skip
        """Validate a significance job and return its parameters (`prepare_job`)."""
        prepare_pair(data1, data2)  # messages naming the fields and the first gap
        return prepare_job(
            data1, data2, dt, dj, s0, J, wavelet, significance_level, mc_count, backend, seed,
            al1, al2, detrend, surrogate, areawise, area_level, area_measure, areawise_test,
            limits=self._limits, defaults=self._job_defaults,
        )  # fmt: skip
