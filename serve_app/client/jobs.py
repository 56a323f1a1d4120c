"""The significance jobs of `serve_app.client.Client`: submit, follow, fetch, cancel."""

from __future__ import annotations

import time

from tqdm.auto import tqdm

from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid

from ..npz import NPZ_MEDIA_TYPE, from_npz
from ..records import TERMINAL, SignificanceResult
from .errors import JobFailed, error_of
from .fields import areawise_switch, request_fields
from .labels import read_series
from .transport import Transport, httpx

try:  # the `client` extra
    from httpx_sse import connect_sse
except ImportError:
    connect_sse = None

__all__ = ["Jobs"]

#: The option keywords of a significance job.
_ALL = ("grid", "preprocessing", "monte_carlo", "areawise")


class Jobs(Transport):
    """The job methods of `Client`."""

    # -- jobs -------------------------------------------------------------------------------

    def submit_significance(
        self,
        data1,
        data2,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        monte_carlo: MonteCarlo | None = None,
        areawise: Areawise | bool | None = None,
        **kwargs,
    ) -> dict:
        """Submit a Monte Carlo significance job; returns the job (``job_id``, ``status``).

        The options as in `significance`.
        """
        on, area = areawise_switch(areawise)
        s = read_series((data1, data2), dt)
        options = {"grid": grid, "preprocessing": preprocessing, "monte_carlo": monte_carlo,
                   "areawise": area}  # fmt: skip
        fields = request_fields("submit_significance", _ALL, (), options, kwargs, s.dt)
        if on:
            fields["areawise"] = True
        arrays = {"data1": s.values[0], "data2": s.values[1]}
        r = self._post_npz("/api/v1/analysis/significance", {**arrays, **fields}, "*/*")
        return r.json()

    def significance(
        self,
        data1,
        data2,
        dt: float | None = None,
        *,
        wait: bool = True,
        progress: bool = True,
        timeout: float | None = None,
        **kwargs,
    ) -> SignificanceResult | dict:
        """Run a significance job: submit, follow it (progress bar), fetch the result.

        Parameters
        ----------
        data1, data2 : (n,) array_like
        dt : float, optional
            Sample spacing (else ``grid.dt``).
        wait : bool, optional
            False returns the submitted job (a dict) at once.
        progress : bool, optional
            Show a tqdm bar of finished surrogate pairs while waiting.
        timeout : float, optional
            Give up waiting after this many seconds (default: the service's deadline).
        **kwargs
            ``grid``, ``preprocessing``, ``monte_carlo`` (``surrogate``: ``"ar1"``
            default, ``"phase"``, ``"iaaft"``; for ``"ar1"`` the red-noise model:
            ``al1, al2`` or the coefficients fitted to the series after
            ``detrend``, reported in the result's ``ar1`` and ``warnings``) and
            ``areawise`` (an `Areawise`, or True) as in `wct`, or their fields as
            keywords (``dj=0.5, mc_count=300, seed=1, area_test="cumulative"``).

        Returns
        -------
        SignificanceResult or dict

        Raises
        ------
        JobFailed
            When the job ends ``failed`` or ``cancelled``.
        TypeError
            For a keyword that is no option of a significance job.
        """
        job = self.submit_significance(data1, data2, dt, **kwargs)
        if not wait:
            return job
        job = self.wait(job["job_id"], progress=progress, timeout=timeout)
        return self.result(job["job_id"])

    def events(self, job_id: str, interval: float = 0.25, reconnects: int = 3):
        """Yield the job's states from ``GET /api/v1/jobs/{id}/events`` until it ends.

        A stream cut before the job ended is reconnected (at most ``reconnects`` times
        in a row, after the server's ``retry:`` delay) with ``Last-Event-ID``, so the
        service resumes it: the state last seen is not sent again.
        """
        url = f"/api/v1/jobs/{job_id}/events"
        last_id, delay, cuts = None, 1.0, 0
        while True:
            headers = {"Last-Event-ID": last_id} if last_id else {}
            try:
                with connect_sse(
                    self._http, "GET", url, params={"interval": interval}, headers=headers,
                    timeout=httpx.Timeout(30, read=None),
                ) as source:  # fmt: skip
                    r = source.response
                    if r.status_code >= 400:
                        r.read()
                        raise error_of(r)
                    for event in source.iter_sse():
                        if event.retry:
                            delay = event.retry / 1000
                        if event.event != "message" or not event.data:
                            continue
                        last_id, cuts = event.id or last_id, 0
                        state = event.json()
                        yield state
                        if state["status"] in TERMINAL:
                            return
                return  # closed by the service (the job ended, or its deadline)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                cuts += 1
                if cuts > reconnects:
                    raise
                time.sleep(delay)

    def wait(self, job_id: str, progress: bool = True, timeout: float | None = None) -> dict:
        """Follow a job to a terminal state; returns it (raises `JobFailed` unless completed).

        The server-sent event stream feeds the progress bar; if the stream breaks the
        job is polled instead.
        """
        job = self.job(job_id)
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = tqdm(total=job["mc_count"], unit="pair", desc=f"job {job_id[:8]}",
                   disable=not progress, leave=True)  # fmt: skip

        def show(state: dict) -> None:
            bar.n = round(state["progress"] * state["mc_count"])
            bar.set_postfix_str(state["status"], refresh=False)
            bar.refresh()

        try:
            show(job)
            try:
                for job in self.events(job_id):
                    show(job)
                    if job["status"] in TERMINAL or (deadline and time.monotonic() > deadline):
                        break
            except httpx.HTTPError:  # stream cut: poll instead
                pass
            while job["status"] not in TERMINAL:
                if deadline and time.monotonic() > deadline:
                    raise TimeoutError(f"job {job_id} still {job['status']} after {timeout} s")
                time.sleep(0.5)
                job = self.job(job_id)
                show(job)
        finally:
            bar.close()
        if job["status"] != "completed":
            raise JobFailed(job)
        return job

    def job(self, job_id: str) -> dict:
        """State of one job (``GET /api/v1/jobs/{id}``)."""
        return self._request("GET", f"/api/v1/jobs/{job_id}").json()

    def jobs(self, status: str | None = None) -> list[dict]:
        """All jobs, newest first, or those in ``status``."""
        params = {"status": status} if status else None
        return self._request("GET", "/api/v1/jobs", params=params).json()["jobs"]

    def cancel(self, job_id: str) -> dict:
        """Ask a job to stop (``DELETE /api/v1/jobs/{id}``); returns its state."""
        return self._request("DELETE", f"/api/v1/jobs/{job_id}").json()

    def result(self, job_id: str) -> SignificanceResult:
        """Thresholds of a completed job (`Conflict` while it is not completed)."""
        r = self._request(
            "GET", f"/api/v1/jobs/{job_id}/result", headers={"Accept": NPZ_MEDIA_TYPE}
        )
        return SignificanceResult.from_arrays(from_npz(r.content))
