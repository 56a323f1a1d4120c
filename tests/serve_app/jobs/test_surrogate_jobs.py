"""Surrogate families and the areawise test through the service (issue 13).

Request checks run on the schemas and job parameters alone; the rest talks HTTP to
the session's Serve app (small jobs: n = 256, mc_count 20-40).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from matplotlib.image import imread
from numpy.testing import assert_array_equal
from pydantic import ValidationError

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid
from serve_app.analysis import RequestLimits
from serve_app.http.schemas import SignificanceRequest, WCTRequest
from serve_app.jobs.job import JobParams
from serve_app.jobs.prepare import JobDefaults, prepare_job
from serve_app.jobs.store import JobStore
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz

from ..utils import default_grid, nan_array, series, wait_for

TERMINAL = {"completed", "failed", "cancelled"}
SIG = "/api/v1/analysis/significance"


def _body(series_seed=5, mc_count=20, **kw) -> dict:
    # two noisy copies of the same 16-sample cycle: coherent, with large patches
    x, y = series(256, series_seed), series(256, series_seed + 1)
    return {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "mc_count": mc_count, "seed": 11, **kw}  # fmt: skip


def _run_job(client, body) -> dict:
    r = client.post(SIG, json=body)
    assert r.status_code == 200, r.text
    job_id = r.json()["job_id"]
    seen = []

    def done():
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        seen.append(job["progress"])
        return job if job["status"] in TERMINAL else None

    job = wait_for(done, 120, 0.1)
    assert job["status"] == "completed", job
    assert job["progress"] == 1.0
    assert seen == sorted(seen), f"progress went backwards: {seen}"
    r = client.get(f"/api/v1/jobs/{job_id}/result")
    assert r.status_code == 200, r.text
    return {**r.json(), "job_id": job_id}


def _detail(r) -> str:
    return json.dumps(r.json()["detail"])


class TestRequestChecks:
    def test_surrogate_choices(self):
        for name in pycwt_mod.SURROGATES:
            req = SignificanceRequest(data1=[1, 2], data2=[1, 2], dt=1, surrogate=name)
            assert req.surrogate == name
        with pytest.raises(ValidationError, match=r"unknown surrogate 'red'.*ar1, phase, iaaft"):
            SignificanceRequest(data1=[1, 2], data2=[1, 2], dt=1, surrogate="red")

    @pytest.mark.parametrize(
        "fields, match",
        [
            ({"areawise": True, "area_level": 1.0}, "less than 1"),
            ({"areawise": True, "area_level": 0}, "greater than 0"),
            ({"areawise": True, "area_measure": "box"}, "area_measure 'box'.*maraun, schulte"),
            ({"areawise": True, "areawise_test": "x"}, "unknown areawise_test 'x'"),
            ({"areawise": True, "mc_count": 1}, "mc_count >= 2"),
            ({"area_level": 0.9}, 'area_level applies only to the areawise test; add "areawise"'),
        ],
    )
    def test_area_options(self, fields, match):
        with pytest.raises(ValidationError, match=match):
            SignificanceRequest(data1=[1, 2], data2=[1, 2], dt=1, **fields)

    def test_area_choices_accepted(self):
        for measure in pycwt_mod.areawise.patches.AREA_MEASURES:
            for test in pycwt_mod.AREAWISE_TESTS:
                req = SignificanceRequest(
                    data1=[1, 2], data2=[1, 2], dt=1, areawise=True, area_measure=measure,
                    areawise_test=test,
                )  # fmt: skip
                assert (req.area_measure, req.areawise_test) == (measure, test)

    def test_sync_wct_refuses_areawise_pointing_to_jobs(self):
        with pytest.raises(ValidationError, match='analysis/significance with "areawise"'):
            WCTRequest(data1=[1, 2], data2=[1, 2], dt=1, areawise=True)

    def test_job_params_keep_series_only_when_needed(self):
        limits = RequestLimits(10_000, 10**8, 1000)
        defaults = JobDefaults("sequential", "auto", None)
        x, y = series(64, 1), series(64, 2)
        grid = ScaleGrid(dt=1.0, dj=0.25)
        ar1 = prepare_job(x, y, grid, Preprocessing(), MonteCarlo(), None, limits=limits,
                          defaults=defaults)  # fmt: skip
        assert ar1.data1 is None and ar1.monte_carlo.surrogate.name == "ar1"
        assert ar1.areawise is None
        p = prepare_job(x, y, grid, Preprocessing(detrend="linear"), MonteCarlo(surrogate="iaaft"),
                        Areawise(area_measure="schulte"), limits=limits,
                        defaults=defaults)  # fmt: skip
        back = JobParams.from_dict(json.loads(json.dumps(p.to_dict())))  # as stored
        assert back == p
        y1, _ = back.series()
        assert_array_equal(y1, pycwt_mod.preprocess.detrend(x, "linear"))
        assert (back.a1, back.a2, back.areawise.area_measure) == (0.0, 0.0, "schulte")
        with pytest.raises(ValueError, match="an areawise test needs mc_count >= 2"):
            prepare_job(x, y, grid, Preprocessing(), MonteCarlo(mc_count=1), Areawise(),
                        limits=limits, defaults=defaults)  # fmt: skip
        # the option types refuse bad values before a job is prepared
        with pytest.raises(ValueError, match="`area_level` must be in"):
            Areawise(area_level=2)
        with pytest.raises(ValueError, match="`surrogate` must be one of 'ar1'"):
            MonteCarlo(surrogate="white")


@pytest.fixture(scope="module")
def areawise_job(client) -> tuple[dict, dict]:
    """``(body, done)`` of one completed areawise job (ar1, Maraun's measure, mc 20),
    shared by the tests of its masks and of its plot."""
    body = _body(areawise=True, area_measure="maraun")
    return body, _run_job(client, body)


class TestSurrogateJobs:
    def test_phase_job_reproducible_and_the_libraries(self, client):
        body = _body(mc_count=40, surrogate="phase", backend="ray")
        first = _run_job(client, body)["result"]
        again = _run_job(client, {**body, "backend": "sequential"})["result"]
        assert first["surrogate"] == "phase" and first["ar1"] is None
        assert first["pointwise_mask"] is None and first["critical_area"] is None
        sig = nan_array(first["sig95"])
        assert_array_equal(sig, nan_array(again["sig95"]))  # chunked == in-runner
        x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
        s0, J, _ = default_grid(x.size, 1.0, 0.25)
        ref = montecarlo.wct_significance(
            0.0, 0.0, 1.0, 0.25, s0, J, mc_count=40, seed=11, backend="sequential",
            progress=False, cache=False, surrogate="phase", data=(x, y),
        )  # fmt: skip
        assert_array_equal(sig, ref)
        # the synchronous path takes the family too, with the same thresholds
        r = client.post("/api/v1/analysis/wct", json={**body, "significance_test": True})
        assert r.status_code == 200, r.text
        assert r.json()["surrogate"] == "phase"
        assert_array_equal(nan_array(r.json()["sig95"]), ref)

    def test_areawise_job_masks(self, client, areawise_job):
        body, done = areawise_job
        res, job_id = done["result"], done["job_id"]
        point = np.array(res["pointwise_mask"], dtype=bool)
        area = np.array(res["areawise_mask"], dtype=bool)
        assert point.shape == area.shape == (len(res["scales"]), 256)
        assert area.any() and not (area & ~point).any()  # areawise within pointwise
        assert res["critical_area"] > 0
        assert (res["surrogate"], res["area_level"], res["area_measure"]) == ("ar1", 0.95, "maraun")
        assert res["areawise_test"] == "areawise"
        # pointwise: coherence above the job's own thresholds, on the job's grid
        x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
        s0, J, _ = default_grid(256, 1.0, 0.25)
        WCT, _, coi, freqs, _ = pycwt_mod.wct(x, y, 1.0, 0.25, s0, J, sig=False)
        with np.errstate(invalid="ignore"):
            above = WCT > nan_array(res["sig95"])[:, None]
        assert_array_equal(point, above & pycwt_mod.areawise.patches.outside_coi(freqs, coi))
        npz = client.get(f"/api/v1/jobs/{job_id}/result", headers={"Accept": NPZ_MEDIA_TYPE})
        arrays = from_npz(npz.content)
        assert_array_equal(arrays["areawise_mask"], area)
        assert arrays["areawise_mask"].dtype == bool and str(arrays["surrogate"]) == "ar1"

    def test_cumulative_job_is_the_libraries(self, client):
        body = _body(surrogate="phase", areawise=True, areawise_test="cumulative")
        res = _run_job(client, body)["result"]
        x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
        ref = pycwt_mod.areawise_coherence(
            x, y, 1.0, 0.25, surrogate="phase", mc_count=20, seed=11, area_test="cumulative",
            backend="sequential", cache=False,
        )  # fmt: skip
        assert res["areawise_test"] == "cumulative" and res["surrogate"] == "phase"
        assert_array_equal(np.array(res["pointwise_mask"]), ref.pointwise)
        assert_array_equal(np.array(res["areawise_mask"]), ref.areawise)
        assert res["cumulative_levels"] == list(ref.cumulative_levels)
        assert res["cumulative_critical_areas"] == list(ref.cumulative_critical_areas)
        assert_array_equal(nan_array(res["sig95"]), ref.threshold)  # the same null

    def test_bad_surrogate_is_named(self, client):
        for path in (SIG, "/api/v1/analysis/wct"):
            r = client.post(path, json=_body(surrogate="pink"))
            assert r.status_code == 422, r.text
            assert "surrogate" in _detail(r) and "ar1, phase, iaaft" in _detail(r)
        r = client.post(SIG, json=_body(areawise=True, area_level=1.5))
        assert r.status_code == 422 and "area_level" in _detail(r)
        r = client.post("/api/v1/analysis/wct", json=_body(areawise=True))
        assert r.status_code == 422 and "analysis/significance" in _detail(r)

    def test_plot_of_areawise_job_outlines_patches(self, client, areawise_job):
        body, done = areawise_job
        job_id = done["job_id"]
        plain_id = _run_job(client, _body(mc_count=20))["job_id"]
        keep = ("data1", "data2", "dt", "dj")
        plot = {k: body[k] for k in keep} | {"dpi": 40}
        bold = client.post("/api/v1/plots/wct", json={**plot, "job_id": job_id})
        thin = client.post("/api/v1/plots/wct", json={**plot, "job_id": plain_id})
        assert bold.status_code == thin.status_code == 200, bold.text[:300]
        assert bold.headers["content-type"] == "image/png"
        a = imread(io.BytesIO(bold.content), format="png")
        b = imread(io.BytesIO(thin.content), format="png")
        assert a.shape == b.shape and not np.array_equal(a, b)  # the bold outline
        # same scale grid, shorter series: the masks do not fit
        _, J, _ = default_grid(256, 1.0, 0.25)
        short = {**plot, "data1": body["data1"][:200], "data2": body["data2"][:200], "J": J}
        r = client.post("/api/v1/plots/wct", json={**short, "job_id": job_id})
        assert r.status_code == 400 and "areawise masks of shape" in r.text, r.text


def test_client_wct_areawise_and_surrogate(service):
    from serve_app.client import Client

    body = _body(mc_count=20)
    x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
    with Client(service.url) as c:
        res = c.wct(x, y, 1.0, dj=0.25, mc_count=20, seed=11, areawise=True, progress=False)
        assert res.surrogate == "ar1" and res.areawise_mask.shape == res.WCT.shape
        assert not (res.areawise_mask & ~res.pointwise_mask).any() and res.critical_area > 0
        ref = pycwt_mod.areawise_coherence(
            x, y, 1.0, 0.25, sig95=res.sig95, al1=res.ar1[0], al2=res.ar1[1], mc_count=20,
            seed=11, backend="sequential", cache=False,
        )  # fmt: skip
        assert_array_equal(res.areawise_mask, ref.areawise)
        assert res.critical_area == ref.critical_area
        sync = c.wct(x, y, 1.0, dj=0.25, mc_count=20, seed=11, significance_test=True,
                     surrogate="iaaft")  # fmt: skip
        assert sync.surrogate == "iaaft" and sync.ar1 is None and sync.areawise_mask is None
        sig = c.significance(x, y, 1.0, dj=0.25, mc_count=20, seed=11, surrogate="iaaft",
                             progress=False)  # fmt: skip
        assert_array_equal(sig.sig95, sync.sig95)


@pytest.mark.slow
def test_iaaft_job_resumes_after_its_runner_dies(client, service):
    """The second attempt rebuilds the IAAFT plan from the stored parameters (series
    included) and adds the chunks kept by the first: the same bits as the library."""
    import ray

    from ..conftest import NAMESPACE

    mc = 120  # 30 chunks: the runner is killed after the first
    body = _body(mc_count=mc, surrogate="iaaft", backend="ray")
    job_id = client.post(SIG, json=body).json()["job_id"]

    def running():
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        return job if job["status"] == "running" and job["progress"] > 0 else None

    wait_for(running, 90, 0.05)
    ray.kill(ray.get_actor(f"pycwt-job-{job_id}", namespace=NAMESPACE), no_restart=True)
    kept = JobStore(str(service.db_path)).done_pairs(job_id)
    assert 0 < kept < mc
    seen = []

    def done():
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        seen.append(job["progress"])
        return job if job["status"] in TERMINAL else None

    final = wait_for(done, 180, 0.2)
    # the second attempt starts from the kept chunks, not from zero
    assert min(seen) >= kept / mc, (kept, seen)
    assert final["status"] == "completed", final
    store = JobStore(str(service.db_path))
    row = store.get(job_id)
    assert row["attempts"] == 2
    # the series live in a blob apart, which the frequent polls of the row never read
    assert row["params"]["data1"] is None and "series" not in row
    kept_series = from_npz(store.series(job_id))
    assert_array_equal(kept_series["data1"], body["data1"])
    res = client.get(f"/api/v1/jobs/{job_id}/result").json()["result"]
    x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
    s0, J, _ = default_grid(x.size, 1.0, 0.25)
    ref = montecarlo.wct_significance(
        0.0, 0.0, 1.0, 0.25, s0, J, mc_count=mc, seed=11, backend="sequential",
        progress=False, cache=False, surrogate="iaaft", data=(x, y),
    )  # fmt: skip
    assert_array_equal(nan_array(res["sig95"]), ref)
