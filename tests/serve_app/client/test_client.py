"""serve_app.client.Client: against the real session service, and the fields each call
sends (through a mock transport, no service)."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod.options import MonteCarlo, ScaleGrid, Spectrum, option_fields
from serve_app.client import (
    BadRequest,
    Client,
    ClientError,
    Conflict,
    ErrorCode,
    JobFailed,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    UnprocessableEntity,
)
from serve_app.client.api import _error
from serve_app.client.fields import FIELDS, OPTION_TYPES, PLOT_OPTIONS
from serve_app.http.schemas import PLOT_FIELDS
from serve_app.npz import from_npz
from serve_app.records import CWTResult, SignificanceResult, WCTResult

from ..conftest import free_port
from ..utils import default_grid, series


@pytest.fixture(scope="module")
def api(service):
    with Client(service.url, retries=2, backoff=0.01) as c:
        yield c


class TestAnalysis:
    def test_cwt_matches_library(self, api):
        x = series(300, seed=1)
        res = api.cwt(x, 0.5, dj=0.25, wavelet="paul")
        assert isinstance(res, CWTResult)
        xn = (x - x.mean()) / x.std()
        W, scales, *_ = pycwt_mod.cwt(xn, 0.5, 0.25, wavelet="paul")
        assert_allclose(res.wave, W, rtol=1e-10, atol=1e-12)
        assert_allclose(res.scales, scales)
        assert isinstance(res.computation_time, float) and res.backend_used == "numpy"

    def test_icwt_round_trip(self, api):
        x = series(256, seed=2)
        res = api.cwt(x, 1.0, dj=0.125)
        back = api.icwt(res.wave, res.scales, 1.0, dj=0.125)
        assert back.signal.shape == (256,)
        xn = (x - x.mean()) / x.std()
        assert np.corrcoef(back.signal, xn)[0, 1] > 0.95

    def test_xwt_wct(self, api):
        x, y = series(200, seed=3), series(200, seed=4)
        xw = api.xwt(x, y, 1.0, dj=0.5)
        W12, *_ = pycwt_mod.xwt(x, y, 1.0, 0.5)
        assert_allclose(xw.xwt, W12, rtol=1e-10, atol=1e-12)
        coh = api.wct(x, y, 1.0, dj=0.5, significance_test=True, mc_count=8, seed=5)
        assert isinstance(coh, WCTResult)
        assert coh.seed == 5 and coh.sig95.shape == coh.scales.shape
        WCT, *_ = pycwt_mod.wct(x, y, 1.0, 0.5, sig=False)
        assert_allclose(coh.WCT, WCT, rtol=1e-10)


class TestSignificance:
    def test_progress_bar_and_result(self, api, capsys):
        x, y = series(128, seed=5), series(128, seed=6)
        res = api.significance(x, y, 1.0, dj=0.5, mc_count=16, seed=9, progress=True)
        assert isinstance(res, SignificanceResult)
        sync = api.wct(x, y, 1.0, dj=0.5, significance_test=True, mc_count=16, seed=9)
        assert_array_equal(res.sig95, sync.sig95)
        assert res.seed == 9 and res.mc_count == 16
        err = capsys.readouterr().err
        assert "16/16" in err and "pair" in err  # the tqdm bar reached the end

    def test_wct_over_the_sync_budget_runs_a_job(self, api, capsys):
        """significance_test=True on work over PYCWT_SYNC_WORK_BUDGET (3e6 in the test
        app): the client runs a job with a progress bar instead of failing."""
        x, y = series(128, seed=13), series(128, seed=14, period=20)
        with pytest.raises(BadRequest, match="PYCWT_SYNC_WORK_BUDGET"):  # the raw route
            api._analysis(
                "/api/v1/analysis/wct",
                WCTResult,
                {"data1": x, "data2": y, "dt": 1.0, "dj": 0.25, "significance_test": True},
            )
        res = api.wct(x, y, 1.0, dj=0.25, significance_test=True, mc_count=300, seed=21)
        assert "300/300" in capsys.readouterr().err  # the job's progress bar
        assert res.seed == 21 and res.sig95.shape == res.scales.shape
        s0, J, _ = default_grid(128, 1.0, 0.25)
        expected = montecarlo.wct_significance(
            res.ar1[0], res.ar1[1], 1.0, 0.25, s0, J, mc_count=300, seed=21,
            backend="sequential", progress=False, cache=False,
        )  # fmt: skip
        assert_array_equal(res.sig95, expected)
        WCT, *_ = pycwt_mod.wct(x, y, 1.0, 0.25, sig=False)
        assert_allclose(res.WCT, WCT, rtol=1e-10)

    def test_no_wait_then_events(self, api):
        x, y = series(128, seed=7), series(128, seed=8)
        job = api.significance(x, y, 1.0, dj=0.5, mc_count=8, seed=2, wait=False)
        assert job["status"] in ("queued", "running")
        states = list(api.events(job["job_id"], interval=0.1))
        assert states[-1]["status"] == "completed"
        assert api.wait(job["job_id"], progress=False)["progress"] == 1.0
        assert job["job_id"] in {j["job_id"] for j in api.jobs("completed")}

    def test_cancelled_job_raises(self, api):
        x, y = series(128, seed=9), series(128, seed=10)
        job = api.significance(x, y, 1.0, mc_count=4000, seed=1, wait=False)
        api.cancel(job["job_id"])
        with pytest.raises(JobFailed, match="cancelled"):
            api.wait(job["job_id"], progress=False, timeout=60)
        with pytest.raises(Conflict, match="not completed"):
            api.result(job["job_id"])


class TestErrors:
    def test_bad_request(self, api):
        x = series(64)
        x[5] = np.nan
        with pytest.raises(BadRequest, match="index 5") as e:
            api.cwt(x, 1.0)
        assert e.value.status == 400
        assert e.value.code == "bad_request"

    def test_unprocessable(self, api):
        with pytest.raises(UnprocessableEntity, match="wavelet"):
            api.cwt(series(64), 1.0, wavelet="haar")

    def test_not_found(self, api):
        with pytest.raises(NotFound, match="not found") as e:
            api.job("nope")
        assert e.value.code == ErrorCode.JOB_NOT_FOUND.value

    def test_503_is_retried_then_raised(self, api):
        x, y = series(128, seed=11), series(128, seed=12)
        with pytest.raises(ServiceUnavailable, match="GPU") as e:
            api.significance(x, y, 1.0, backend="gpu", mc_count=4)
        assert e.value.status == 503
        assert e.value.code == "backend_unavailable"
        assert api.last_attempts == 3  # 1 + retries=2

    def test_connect_error_after_the_transport_retries(self):
        # httpx's transport retried the connection (tests/serve_app/client/test_transport.py)
        with Client(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01) as c:
            with pytest.raises(httpx.ConnectError):
                c.health()
            assert c.last_attempts == 1  # no answer came back

    def test_status_mapping(self):
        def resp(code, body):
            return httpx.Response(code, json=body)

        assert isinstance(_error(resp(401, {"detail": "key"})), Unauthorized)
        e = _error(resp(422, {"detail": [{"loc": ["body", "dt"], "msg": "Field required"}]}))
        assert isinstance(e, UnprocessableEntity) and e.message == "body.dt: Field required"
        e = _error(resp(418, {"detail": "teapot"}))
        assert type(e) is ClientError and e.status == 418
        assert e.code is None and e.request_id is None
        e = _error(resp(500, {"detail": "internal error", "code": "internal_error",
                              "request_id": "abc"}))  # fmt: skip
        assert e.code == ErrorCode.INTERNAL_ERROR.value and e.request_id == "abc"
        e = _error(httpx.Response(502, text="<html>bad gateway</html>"))  # a proxy's
        assert e.code is None and "bad gateway" in e.message


# -- the fields a call sends (a mock transport: no service) ----------------------------

#: A valid value other than the default for every option field: a field the option
#: types gain must be added here (test_every_field_has_a_value says so), and is then
#: checked to reach the wire of every request that takes its type.
OTHER = {
    "dt": 0.5, "dj": 0.25, "s0": 2.0, "J": 7, "wavelet": "paul",
    "anomalies": 12, "detrend": "linear", "normalize": False, "gaps": "mask", "fill": "linear",
    "significance_level": 0.9, "mc_count": 17, "seed": 3, "surrogate": "phase", "al1": 0.3,
    "al2": -0.2, "backend": "sequential",
    "area_level": 0.9, "area_measure": "schulte", "area_test": "cumulative",
}  # fmt: skip


class Captured:
    """A client whose requests are kept (path, decoded .npz fields) and answered 400;
    a synchronous coherence test is answered with the work-budget 400 (its code)."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []

        def handler(request):
            fields = {k: v.item() for k, v in from_npz(request.content).items() if v.ndim == 0}
            self.requests.append((request.url.path, fields))
            if fields.get("significance_test"):  # the service's budget 400: its code
                body = {"detail": "over the budget", "code": "over_sync_budget"}
            else:
                body = {"detail": "kept", "code": "bad_request"}
            return httpx.Response(400, json=body)

        self.client = Client("http://client.test", retries=0)
        self.client._http = httpx.Client(
            transport=httpx.MockTransport(handler), base_url="http://client.test"
        )

    def send(self, method: str, *args, **kwargs) -> list[tuple[str, dict]]:
        self.requests.clear()
        with pytest.raises(BadRequest):
            getattr(self.client, method)(*args, **kwargs)
        return self.requests


def _objects(kinds=("grid", "preprocessing", "monte_carlo", "areawise")) -> dict:
    return {k: OPTION_TYPES[k](**{n: OTHER[n] for n in FIELDS[k]}) for k in kinds}


class TestRequestFields:
    x = np.arange(64.0)

    def test_every_field_has_a_value(self):
        # a coherence (and its job) takes every option type but `Spectrum` (how power is
        # expressed: the transforms' own, tested below)
        assert {n for k, names in FIELDS.items() if k != "spectrum" for n in names} == set(OTHER)
        assert FIELDS["spectrum"] == ("rectify",)

    def test_the_transforms_send_how_power_is_expressed(self):
        c = Captured()
        ((path, fields),) = c.send("cwt", self.x, 0.5, rectify=True)
        assert path == "/api/v1/analysis/cwt" and fields["rectify"] is True
        ((path, fields),) = c.send("xwt", self.x, self.x, 0.5, spectrum=Spectrum(rectify=True))
        assert path == "/api/v1/analysis/xwt" and fields["rectify"] is True
        with pytest.raises(TypeError, match="rectify"):
            c.send("wct", self.x, self.x, 0.5, rectify=True)  # no field of a coherence

    @pytest.mark.parametrize("flat", [False, True], ids=["objects", "keywords"])
    def test_a_significance_job_gets_every_option(self, flat):
        """The areawise job of `wct`: every field of every option type reaches the job
        request, as option objects or flat keywords (the old hand-kept job fields lacked
        normalize, gaps and fill, and dropped them silently)."""
        c = Captured()
        options = {n: v for n, v in OTHER.items() if n != "dt"} if flat else _objects()
        if flat:
            options["areawise"] = True
        ((path, fields),) = c.send("wct", self.x, self.x, 0.5, **options)
        assert path == "/api/v1/analysis/significance"
        assert fields == {**OTHER, "areawise": True}

    def test_sync_coherence_and_its_job(self):
        """Over the work budget: the job gets the test, the coherence request after it
        would not (here the job's 400 stops the call first)."""
        c = Captured()
        objects = _objects()
        sent = c.send("wct", self.x, self.x, grid=objects["grid"],
                      preprocessing=objects["preprocessing"],
                      monte_carlo=objects["monte_carlo"])  # fmt: skip
        (sync_path, sync), (job_path, job) = sent
        assert sync_path == "/api/v1/analysis/wct" and sync["significance_test"] is True
        assert sync == {**{n: v for n, v in OTHER.items() if not n.startswith("area")},
                        "significance_test": True}  # fmt: skip
        assert job_path == "/api/v1/analysis/significance"
        assert job == {n: v for n, v in OTHER.items() if not n.startswith("area")}

    def test_one_series_requests(self):
        c = Captured()
        objects = _objects(("grid", "preprocessing"))
        expected = {n: OTHER[n] for n in ("dt", "dj", "s0", "J", "wavelet", "anomalies",
                                          "detrend", "normalize", "gaps", "fill")}  # fmt: skip
        for method in ("cwt", "plot_cwt"):
            ((_, fields),) = c.send(method, self.x, **objects)
            assert fields == expected
        ((_, fields),) = c.send("xwt", self.x, self.x, **objects, significance_level=0.9)
        assert fields == {**expected, "significance_level": 0.9}
        ((_, fields),) = c.send("cwt", self.x, 1.0, dj=0.25, s0=None, output="power")
        assert fields == {"dt": 1.0, "dj": 0.25, "output": "power"}  # None is left out
        ((_, fields),) = c.send("cwt", self.x, grid=ScaleGrid(dt=2.0))
        assert fields == {"dt": 2.0}  # defaults are the service's: not sent

    def test_local_fields_stay_local(self):
        """``chunk_size`` and ``cache`` say how this process would run a test; the
        service decides them: not sent from an object, refused as keywords."""
        assert {f.name for f in option_fields(MonteCarlo) if f.local} == {"chunk_size", "cache"}
        c = Captured()
        mc = MonteCarlo(mc_count=17, chunk_size=4, cache=False)
        ((_, fields),) = c.send("submit_significance", self.x, self.x, 0.5, monte_carlo=mc)
        assert fields == {"dt": 0.5, "mc_count": 17}
        with pytest.raises(TypeError, match="'chunk_size'"):
            c.client.submit_significance(self.x, self.x, 0.5, chunk_size=4)

    def test_unknown_keywords_are_named(self):
        c = Captured().client
        with pytest.raises(TypeError, match="'mc_cuont'"):
            c.wct(self.x, self.x, 1.0, areawise=True, mc_cuont=20)
        with pytest.raises(TypeError, match="'mc_count'"):  # no Monte Carlo in a cwt
            c.cwt(self.x, 1.0, mc_count=20)
        with pytest.raises(TypeError, match="'titel'"):
            c.plot_wct(self.x, self.x, 1.0, titel="x")
        with pytest.raises(TypeError, match="'normalise'"):
            c.significance(self.x, self.x, 1.0, normalise=False)

    def test_misuse(self):
        c = Captured().client
        with pytest.raises(TypeError, match="'dj' in `grid` or as a keyword"):
            c.cwt(self.x, grid=ScaleGrid(dt=1.0, dj=0.5), dj=0.25)
        with pytest.raises(TypeError, match="needs `dt`"):
            c.cwt(self.x)
        with pytest.raises(TypeError, match=r"grid\.dt"):
            c.cwt(self.x, 1.0, grid=ScaleGrid(dt=2.0))
        with pytest.raises(TypeError, match="`monte_carlo` must be a MonteCarlo"):
            c.wct(self.x, self.x, 1.0, monte_carlo={"mc_count": 3})
        with pytest.raises(TypeError, match="`areawise` must be True, False or an Areawise"):
            c.wct(self.x, self.x, 1.0, areawise="yes")
        with pytest.raises(TypeError, match="not both"):
            c.wct(self.x, self.x, 1.0, monte_carlo=MonteCarlo(), seed=2)

    def test_areawise_test_is_a_deprecated_alias(self):
        c = Captured()
        with pytest.warns(DeprecationWarning, match="`areawise_test` is deprecated"):
            ((_, fields),) = c.send(
                "significance", self.x, self.x, 1.0, areawise=True, areawise_test="cumulative"
            )
        assert fields == {"dt": 1.0, "areawise": True, "area_test": "cumulative"}

    def test_plot_options_are_the_services(self):
        assert set(PLOT_OPTIONS) == PLOT_FIELDS
