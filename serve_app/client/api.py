"""Python client of the pycwt-mod HTTP service: numpy arrays in, numpy arrays out.

Arrays travel as ``.npz`` both ways (``Content-Type`` and ``Accept:
application/x-npz``), results come back as the typed records of `serve_app.records`,
significance jobs show a tqdm progress bar fed by the job's server-sent events, 503
answers are retried with exponential backoff, and 4xx answers raise a `ClientError`
subclass carrying the service's message (`serve_app.client.errors`).

The methods take the library's option objects (`pycwt_mod.options`: ``grid``,
``preprocessing``, ``monte_carlo``, ``areawise``) or the same fields as flat keywords;
a keyword that is no option of the method raises ``TypeError``
(`serve_app.client.fields`). `partial_wct` and `multiple_wct` (partial and multiple
coherence of several series) are in `serve_app.client.multivariate`.

Examples
--------
>>> from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid, Spectrum
>>> from serve_app.client import Client  # doctest: +SKIP
>>> c = Client("http://127.0.0.1:8000")  # doctest: +SKIP
>>> res = c.cwt(x, dt=1.0, dj=0.25)  # doctest: +SKIP
>>> res.wave.shape  # doctest: +SKIP
(33, 512)
>>> res = c.cwt(x, grid=ScaleGrid(dt=1 / 12, dj=0.25),
...             preprocessing=Preprocessing(anomalies=12))  # doctest: +SKIP
>>> sig = c.significance(x, y, dt=1.0, dj=0.25, mc_count=300, seed=1)  # doctest: +SKIP
>>> res = c.wct(x, y, 1.0, monte_carlo=MonteCarlo(surrogate="phase", mc_count=100),
...             areawise=Areawise(area_measure="schulte"))  # doctest: +SKIP
>>> res.areawise_mask.shape  # doctest: +SKIP
(109, 512)
"""

from __future__ import annotations

import numpy as np

from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid, Spectrum

from ..records import CWTResult, ICWTResult, WCTResult, XWTResult
from . import errors
from .errors import *  # noqa: F403 - the exception classes are the client's names too
from .errors import BadRequest, ErrorCode
from .errors import error_of as _error  # noqa: F401 - its old place
from .fields import JOB_FIELDS, PLOT_OPTIONS, TEST_FIELDS, areawise_switch, request_fields, select
from .jobs import Jobs
from .labels import LabelledSeries, read_series
from .multivariate import Multivariate
from .transport import INSTALL_HINT, httpx  # noqa: F401 - httpx: the CLI asks whether it is here

#: ``Client``, ``INSTALL_HINT`` and the exception classes of `serve_app.client.errors`.
__all__ = ["INSTALL_HINT", "Client", *(name for name in errors.__all__ if name != "error_of")]

#: The request fields of each route that are no option-type fields.
_CWT_EXTRAS = ("output", "dtype")
_XWT_EXTRAS = ("significance_level",)
_WCT_EXTRAS = ("significance_test",)
_CWT_PLOT_EXTRAS = ("significance_test", "significance_level", "ar1", *PLOT_OPTIONS)
_WCT_PLOT_EXTRAS = ("significance_test", "job_id", *PLOT_OPTIONS)
_ONE = ("grid", "preprocessing")
#: The transforms whose power the service answers: also how it is expressed.
_POWER = ("grid", "preprocessing", "spectrum")
_ALL = ("grid", "preprocessing", "monte_carlo", "areawise")


def _labelled(result, series: LabelledSeries):
    """``result`` with the series' time labels (``result.time``)."""
    result.time = series.time
    return result


class Client(Multivariate, Jobs):
    """Client of one pycwt-mod service.

    Parameters
    ----------
    url : str
        Base URL, e.g. ``"http://127.0.0.1:8000"``.
    api_key : str, optional
        Sent as ``X-API-Key`` (needed when the service sets ``PYCWT_API_KEY``).
    timeout : float, optional
        Seconds per request (default 120).
    retries : int, optional
        Retries of a request answered 502/503/504 (`transport.RetryPolicy`: after the
        ``Retry-After`` header, else ``backoff * 2**k`` seconds, at most 60 s) and of
        one that could not connect (httpx's transport retries), default 3.
    backoff : float, optional
        First retry delay in seconds of an answer without ``Retry-After`` (default 0.5).

    Raises
    ------
    ClientError
        Subclass per status (`BadRequest`, `Unauthorized`, `NotFound`, `Conflict`,
        `PayloadTooLarge`, `UnprocessableEntity`, `ServiceUnavailable`, `ServerError`)
        with the service's message, from every method.
    """

    # -- service ----------------------------------------------------------------------

    def health(self) -> dict:
        """``GET /health``: status, version and the backends available."""
        return self._request("GET", "/health").json()

    def backends(self) -> list[dict]:
        """Every Monte Carlo backend with its availability (``GET /api/v1/backends``)."""
        return self._request("GET", "/api/v1/backends").json()["backends"]

    # -- analysis -------------------------------------------------------------------------

    def _pair_fields(self, method, dt, options, significance_test, kwargs, extras) -> dict:
        """The fields of a coherence request: its options, the test and areawise switches."""
        on, area = areawise_switch(options["areawise"])
        fields = request_fields(
            method, _ALL, extras, {**options, "areawise": area}, kwargs, dt, stacklevel=5
        )
        if significance_test is None and options["monte_carlo"] is not None:
            significance_test = True  # the test's options ask for the test
        if significance_test is not None:
            fields["significance_test"] = bool(significance_test)
        if on:
            fields["areawise"] = True
        return fields

    @staticmethod
    def _within_budget(send, fields: dict, job: bool = False):
        """``send()``'s answer, or None when the coherence request runs as a job instead.

        A job runs for an areawise test, for a test with ``job``, and for a test the
        service refused as over its synchronous work budget (400, code
        ``over_sync_budget``); any other error is raised.
        """
        test = fields.get("significance_test", False)
        if fields.get("areawise") or (job and test):
            return None
        try:
            return send()
        except BadRequest as exc:
            if not test or exc.code != ErrorCode.OVER_SYNC_BUDGET.value:
                raise
        return None

    def cwt(
        self,
        data,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        spectrum: Spectrum | None = None,
        **kwargs,
    ) -> CWTResult:
        """Continuous wavelet transform.

        ``grid``, ``preprocessing`` and ``spectrum`` (or their fields as keywords: ``dj,
        s0, J, wavelet``; ``anomalies, detrend, normalize, gaps, fill``: with
        ``gaps="mask"`` NaN samples are filled and ``gap_mask`` returned; ``rectify``:
        ``power`` divided by the scale), ``output`` (``"wave"`` | ``"power"``: only
        ``|wave|**2`` comes back, in ``power``) and ``dtype`` (``"float64"`` |
        ``"float32"``).
        """
        s = read_series((data,), dt)
        options = {"grid": grid, "preprocessing": preprocessing, "spectrum": spectrum}
        fields = request_fields("cwt", _POWER, _CWT_EXTRAS, options, kwargs, s.dt)
        fields = {"data": s.values[0], **fields}
        return _labelled(self._analysis("/api/v1/analysis/cwt", CWTResult, fields), s)

    def icwt(self, wave, scales, dt: float, **kwargs) -> ICWTResult:
        """Inverse CWT of ``wave`` (complex, ``(n_scales, n)``) at ``scales`` (``dj, wavelet``)."""
        fields = request_fields("icwt", (), ("dj", "wavelet"), {}, kwargs, dt)
        fields = {"wave": np.asarray(wave), "scales": np.asarray(scales), **fields}
        return self._analysis("/api/v1/analysis/icwt", ICWTResult, fields)

    def xwt(
        self,
        data1,
        data2,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        spectrum: Spectrum | None = None,
        **kwargs,
    ) -> XWTResult:
        """Cross wavelet transform of two equal-length series (``significance_level``
        of its red-noise cross power, and the fields of ``grid``, ``preprocessing`` and
        ``spectrum``: ``rectify`` divides the cross power and its level by the scale)."""
        s = read_series((data1, data2), dt)
        options = {"grid": grid, "preprocessing": preprocessing, "spectrum": spectrum}
        fields = request_fields("xwt", _POWER, _XWT_EXTRAS, options, kwargs, s.dt)
        fields = {"data1": s.values[0], "data2": s.values[1], **fields}
        return _labelled(self._analysis("/api/v1/analysis/xwt", XWTResult, fields), s)

    def wct(
        self,
        data1,
        data2,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        monte_carlo: MonteCarlo | None = None,
        areawise: Areawise | bool | None = None,
        significance_test: bool | None = None,
        job: bool = False,
        progress: bool = True,
        **kwargs,
    ) -> WCTResult:
        """Wavelet coherence, with Monte Carlo thresholds when ``significance_test=True``.

        A test within the service's synchronous work budget is answered at once; a
        larger one (e.g. the default ``mc_count=300`` on a long series), or any with
        ``job=True``, runs as a significance job (`significance`, with a progress bar
        unless ``progress`` is False) and its thresholds, seed, ``ar1`` and warnings
        are put in the result.

        Parameters
        ----------
        data1, data2 : (n,) array_like
            Series of one time axis.
        dt : float, optional
            Sample spacing (else ``grid.dt``).
        grid : ScaleGrid, optional
        preprocessing : Preprocessing, optional
        monte_carlo : MonteCarlo, optional
            The test: ``surrogate`` (``"ar1"``, ``"phase"``, ``"iaaft"``) is its null.
            Given, it implies ``significance_test=True``.
        areawise : Areawise or bool, optional
            Also the areawise test (True: its defaults). It always runs a job, and the
            result gains its ``pointwise_mask``, ``areawise_mask`` and ``critical_area``.
        significance_test : bool, optional
        job : bool, optional
            Run the test as a significance job even within the synchronous budget.
        progress : bool, optional
        **kwargs
            The fields of the options as flat keywords (``dj=0.25``, ``mc_count=100``,
            ``area_test="cumulative"``; ``areawise_test`` is the deprecated name of
            ``area_test``).

        Raises
        ------
        TypeError
            For a keyword that is no option of a coherence request.
        """
        s = read_series((data1, data2), dt)
        options = {"grid": grid, "preprocessing": preprocessing, "monte_carlo": monte_carlo,
                   "areawise": areawise}  # fmt: skip
        fields = self._pair_fields("wct", s.dt, options, significance_test, kwargs, _WCT_EXTRAS)
        arrays = {"data1": s.values[0], "data2": s.values[1]}
        res = self._within_budget(
            lambda: self._analysis("/api/v1/analysis/wct", WCTResult, {**arrays, **fields}),
            fields,
            job,
        )
        if res is not None:
            return _labelled(res, s)
        _, sig = self._job(arrays, fields, progress)
        plain = {**arrays, **select(fields, TEST_FIELDS, keep=False)}
        res = self._analysis("/api/v1/analysis/wct", WCTResult, plain)
        res.sig95, res.seed, res.ar1 = sig.sig95, sig.seed, sig.ar1
        res.warnings, res.backend_used = list(sig.warnings), sig.backend_used
        res.surrogate = sig.surrogate
        res.pointwise_mask, res.areawise_mask = sig.pointwise_mask, sig.areawise_mask
        res.critical_area = sig.critical_area
        res.computation_time += sig.computation_time
        return _labelled(res, s)

    def _job(self, arrays: dict, fields: dict, progress: bool):
        """Run the significance job of a coherence request's ``fields`` to completion;
        returns its id and `SignificanceResult`."""
        job = self.submit_significance(
            arrays["data1"], arrays["data2"], **select(fields, JOB_FIELDS)
        )
        self.wait(job["job_id"], progress=progress)
        return job["job_id"], self.result(job["job_id"])

    def plot_cwt(
        self,
        data,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        **kwargs,
    ) -> bytes:
        """PNG bytes of the scalogram (``POST /api/v1/plots/cwt``; plot options too).

        ``significance_test=True`` draws the red-noise (chi-square) significance
        contour at ``significance_level`` (against ``ar1``, else the fitted one).
        """
        s = read_series((data,), dt)
        options = {"grid": grid, "preprocessing": preprocessing}
        fields = request_fields("plot_cwt", _ONE, _CWT_PLOT_EXTRAS, options, kwargs, s.dt)
        fields = {"data": s.values[0], **fields}
        return self._post_npz("/api/v1/plots/cwt", fields, accept="image/png").content

    def plot_wct(
        self,
        data1,
        data2,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        monte_carlo: MonteCarlo | None = None,
        areawise: Areawise | bool | None = None,
        significance_test: bool | None = None,
        progress: bool = True,
        **kwargs,
    ) -> bytes:
        """PNG bytes of the coherence map (``POST /api/v1/plots/wct``).

        ``job_id`` draws the thresholds of a completed significance job (and an
        areawise job's patches in bold); a test (``significance_test=True`` or
        ``monte_carlo``) over the synchronous budget, or ``areawise``, runs one first
        (as `wct`). The options and plot options as in `wct` and `plot_cwt`.
        """
        options = {"grid": grid, "preprocessing": preprocessing, "monte_carlo": monte_carlo,
                   "areawise": areawise}  # fmt: skip
        s = read_series((data1, data2), dt)
        fields = self._pair_fields(
            "plot_wct", s.dt, options, significance_test, kwargs, _WCT_PLOT_EXTRAS
        )
        arrays = {"data1": s.values[0], "data2": s.values[1]}
        png = self._within_budget(
            lambda: self._post_npz("/api/v1/plots/wct", {**arrays, **fields}, "image/png"), fields
        )
        if png is not None:
            return png.content
        job_id, _ = self._job(arrays, fields, progress)
        fields = {**arrays, **select(fields, TEST_FIELDS, keep=False), "job_id": job_id}
        return self._post_npz("/api/v1/plots/wct", fields, "image/png").content
