"""Gaps in significance jobs: ``gaps="mask"`` is a field of the job request as of every
other request with preprocessing, and the job's thresholds are the library's for the
gap-filled pair (the pipeline fills the gaps first, then fits the red noise)."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.pipeline import analyze_wct
from serve_app.client import Client

from .utils import nan_array, series, wait_for

X = series(256, 31)
Y = series(256, 32, period=24)
X[40:46] = np.nan  # a six-sample gap in the first series
Y[200] = np.nan
MC = dict(mc_count=8, seed=17, backend="sequential")


def _library(fill: str = "mean"):
    mc = MonteCarlo(**MC, cache=False)
    pre = Preprocessing(gaps="mask", fill=fill)
    return analyze_wct(X, Y, ScaleGrid(1.0, 0.25), pre, monte_carlo=mc)


def _body(**extra):
    nulls = [[None if np.isnan(v) else float(v) for v in s] for s in (X, Y)]
    return {"data1": nulls[0], "data2": nulls[1], "dt": 1.0, "dj": 0.25, **MC, **extra}


def test_a_job_with_gaps_masked_has_the_librarys_thresholds(client):
    r = client.post("/api/v1/analysis/significance", json=_body(gaps="mask", fill="linear"))
    assert r.status_code == 200, r.text[:300]
    job_id = r.json()["job_id"]
    job = wait_for(lambda: (j := client.get(f"/api/v1/jobs/{job_id}").json())["status"]
                   in ("completed", "failed", "cancelled") and j, 120, 0.1)  # fmt: skip
    assert job["status"] == "completed", job
    res = client.get(f"/api/v1/jobs/{job_id}/result").json()["result"]
    lib = _library("linear")
    assert_array_equal(nan_array(res["sig95"]), lib.sig95)
    assert res["ar1"] == list(lib.thresholds.ar1)
    assert not np.array_equal(lib.sig95, _library("mean").sig95)  # the fill mattered


def test_a_gap_without_the_mask_is_a_400_that_says_how(client):
    r = client.post("/api/v1/analysis/significance", json=_body())
    assert r.status_code == 400, r.text[:300]
    assert "gaps" in r.text and "mask" in r.text


def test_the_client_runs_a_gapped_test_as_a_job(service):
    with Client(service.url) as c:
        res = c.wct(X, Y, 1.0, dj=0.25, gaps="mask", significance_test=True, job=True, **MC)
    assert_array_equal(res.sig95, _library().sig95)
