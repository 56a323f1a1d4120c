"""The red-noise model of a significance test: the Yule-Walker fallback for series whose
unbiased AR(1) estimate does not exist (the plan's ramp), ``al1``/``al2`` given by the
request, and ``detrend``; each reported with the result (``ar1``, ``warnings``)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod.options import ScaleGrid
from pycwt_mod.preprocess import detrend
from pycwt_mod.significance import AR1EstimationError, fit_ar1
from serve_app.records import JobStatus

from .utils import nan_array, series, wait_for

RAMP = [float(i) for i in range(50)]


def _yule_walker(x) -> float:
    c = np.asarray(x, float) - np.mean(x)
    return float(np.sum(c[:-1] * c[1:]) / np.sum(c * c))


def _thresholds(a1, a2, body) -> np.ndarray:
    grid = ScaleGrid(body["dt"], body["dj"], body.get("s0"), body.get("J"))
    rg = grid.resolve(len(body["data1"]))
    s0, J = rg.s0, rg.J
    return montecarlo.wct_significance(
        a1, a2, body["dt"], body["dj"], s0, J, mc_count=body["mc_count"], seed=body["seed"],
        backend="sequential", progress=False, cache=False,
    )  # fmt: skip


def _job_result(client, body) -> dict:
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code == 200, r.text
    job_id = r.json()["job_id"]
    assert r.headers["location"] == f"/api/v1/jobs/{job_id}"
    job = wait_for(
        lambda: (
            (j := client.get(f"/api/v1/jobs/{job_id}").json())["status"]
            in ("completed", "failed", "cancelled")
            and j
        ),
        timeout=90,
        interval=0.2,
    )
    assert job["status"] == JobStatus.completed, job
    r = client.get(f"/api/v1/jobs/{job_id}/result")
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out) == {"job_id", "status", "result", "computation_time"}
    assert out["job_id"] == job_id and out["status"] == "completed"
    assert out["computation_time"] > 0
    assert "computation_time" not in out["result"]  # one name per thing
    return out["result"]


def test_ramp_has_no_unbiased_ar1_and_falls_back_to_yule_walker():
    with pytest.raises(AR1EstimationError):
        pycwt_mod.ar1(np.asarray(RAMP))
    g, warning = fit_ar1(np.asarray(RAMP), "data1")
    assert g == pytest.approx(_yule_walker(RAMP), rel=1e-12)
    assert 0.9 < g < 1
    assert "Yule-Walker" in warning and "data1" in warning and "detrend" in warning


def test_fit_ar1_is_the_unbiased_one_when_it_exists():
    x = series(256, 3)
    g, warning = fit_ar1(x, "data1")
    assert g == pycwt_mod.ar1(x)[0] and warning is None


def test_fit_ar1_refuses_a_constant_series():
    with pytest.raises(ValueError, match="constant"):
        fit_ar1(np.ones(20), "data2")


def test_linear_detrend_removes_a_line_exactly():
    t = np.arange(40.0)
    noise = series(40, 8)
    noise = noise - np.polyval(np.polyfit(t, noise, 1), t)  # no line left in it
    assert_allclose(detrend(3.0 + 0.5 * t + noise, "linear"), noise, atol=1e-10)
    assert_array_equal(detrend(noise, "none"), noise)


class TestJobs:
    BODY: ClassVar[dict] = {
        "data1": RAMP, "data2": RAMP, "dt": 1.0, "dj": 0.25, "s0": 2.0, "J": 3,
        "significance_test": True, "backend": "sequential", "mc_count": 30, "seed": 5,
    }  # fmt: skip

    def test_ramp_job_completes_with_the_fallback_reported(self, client):
        res = _job_result(client, self.BODY)
        g = _yule_walker(RAMP)
        assert_allclose(res["ar1"], [g, g], rtol=1e-12)
        assert len(res["warnings"]) == 2
        assert "data1" in res["warnings"][0] and "data2" in res["warnings"][1]
        assert res["backend_used"] == "sequential" and res["seed"] == 5
        assert_array_equal(nan_array(res["sig95"]), _thresholds(g, g, self.BODY))

    def test_request_gives_al1_al2(self, client):
        body = {**self.BODY, "al1": 0.3, "al2": -0.2}
        res = _job_result(client, body)
        assert res["ar1"] == [0.3, -0.2] and res["warnings"] == []
        assert_array_equal(nan_array(res["sig95"]), _thresholds(0.3, -0.2, body))

    def test_detrend_linear_estimates_from_the_residuals(self, client):
        t = np.arange(200.0)
        x, y = series(200, 11) + 0.05 * t, series(200, 12, period=20) - 0.03 * t
        body = {**self.BODY, "data1": x.tolist(), "data2": y.tolist(), "detrend": "linear"}
        res = _job_result(client, body)
        a1 = pycwt_mod.ar1(detrend(x, "linear"))[0]
        a2 = pycwt_mod.ar1(detrend(y, "linear"))[0]
        assert_allclose(res["ar1"], [a1, a2], rtol=1e-12)
        assert res["warnings"] == []
        assert_array_equal(nan_array(res["sig95"]), _thresholds(a1, a2, body))

    @pytest.mark.parametrize(
        "change",
        [{"significance_test": False}, {"detrend": "quadratic"}, {"al1": 1.0}, {"al2": -1.5}],
    )
    def test_bad_red_noise_fields_are_422(self, client, change):
        r = client.post("/api/v1/analysis/significance", json={**self.BODY, **change})
        assert r.status_code == 422, r.text
        (field,) = change
        assert field in r.text, r.text  # the message names the field as sent


def test_sync_wct_of_a_ramp_reports_the_fallback(client):
    body = {**TestJobs.BODY}
    r = client.post("/api/v1/analysis/wct", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    g = _yule_walker(RAMP)
    assert_allclose(out["ar1"], [g, g], rtol=1e-12)
    assert len(out["warnings"]) == 2 and out["backend_used"] == "sequential"
    assert_array_equal(nan_array(out["sig95"]), _thresholds(g, g, body))
    for old in ("wct", "awct", "sig"):
        assert old not in out
    assert {"WCT", "aWCT", "coi", "freqs", "sig95", "computation_time"} <= set(out)


def test_sync_wct_without_a_test_has_no_red_noise(client):
    x = series(128, 1)
    body = {"data1": x.tolist(), "data2": x[::-1].tolist(), "dt": 1.0, "dj": 0.25}
    out = client.post("/api/v1/analysis/wct", json=body).json()
    assert out["sig95"] is None and out["ar1"] is None and out["warnings"] == []
    assert out["backend_used"] == "numpy"
