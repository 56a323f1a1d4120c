"""POST /api/v1/analysis/partial-wct and /multiple-wct over real HTTP: the pipeline's
numbers bit for bit (JSON and npz bodies), errors naming the field as sent, the budget."""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pycwt_mod.options import MonteCarlo, ScaleGrid
from pycwt_mod.pipeline import analyze_multiple_wct, analyze_partial_wct
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz, to_npz

from ..utils import nan_array, series

GRID = ScaleGrid(dt=1.0, dj=0.5)


@pytest.fixture(scope="module")
def trio():
    z = series(128, 3)
    return series(128, 1) + z, series(128, 2) + z, z


def test_partial_json_equals_the_pipeline(client, trio):
    y, x, z = trio
    body = {"response": y.tolist(), "predictor": x.tolist(), "removed": [z.tolist()],
            "dt": 1.0, "dj": 0.5, "significance_test": True, "mc_count": 8, "seed": 5}  # fmt: skip
    r = client.post("/api/v1/analysis/partial-wct", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    mc = MonteCarlo(mc_count=8, seed=5, backend="sequential", cache=False)
    a = analyze_partial_wct(y, x, [z], GRID, monte_carlo=mc)
    for name, want in [("PWCT", a.PWCT), ("aPWCT", a.aPWCT), ("WCT", a.WCT), ("coi", a.coi),
                       ("freqs", a.freqs), ("scales", a.scales), ("sig95", a.sig95)]:  # fmt: skip
        assert_array_equal(nan_array(got[name]), want, err_msg=name)
    assert got["ar1"] == list(a.thresholds.ar1) and got["seed"] == 5
    assert got["backend_used"] == "sequential" and got["surrogate"] == "ar1"


def test_multiple_npz_equals_the_pipeline(client, trio):
    y, x, z = trio
    fields = {"response": y, "predictors": np.stack([x, z]), "dt": 1.0, "dj": 0.5}
    r = client.post(
        "/api/v1/analysis/multiple-wct",
        content=to_npz(fields),
        headers={"Content-Type": NPZ_MEDIA_TYPE, "Accept": NPZ_MEDIA_TYPE},
    )
    assert r.status_code == 200, r.text
    got = from_npz(r.content)
    a = analyze_multiple_wct(y, [x, z], GRID)
    assert_array_equal(got["MWCT"], a.MWCT)
    assert_array_equal(got["coi"], a.coi)
    assert "sig95" not in got and str(got["backend_used"]) == "numpy"
    assert np.load(io.BytesIO(r.content))["MWCT"].shape == (a.freqs.size, 128)


def test_bad_input_names_the_field_as_sent(client, trio):
    y, x, z = (v.tolist() for v in trio)
    r = client.post(
        "/api/v1/analysis/partial-wct",
        json={"response": y, "predictor": x, "removed": [z, z[:-1]], "dt": 1.0},
    )
    assert r.status_code == 400 and "`removed[1]` 127" in r.json()["detail"], r.text
    r = client.post(
        "/api/v1/analysis/multiple-wct", json={"response": y, "predictors": [], "dt": 1.0}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "predictors"
    r = client.post(
        "/api/v1/analysis/multiple-wct",
        json={"response": y, "predictors": [x], "dt": 1.0, "areawise": True},
    )
    assert r.status_code == 422 and "not offered" in r.text
    gap = list(x)
    gap[7] = None
    r = client.post(
        "/api/v1/analysis/multiple-wct", json={"response": y, "predictors": [z, gap], "dt": 1.0}
    )
    assert r.status_code == 400 and "`predictors[1]`" in r.json()["detail"], r.text


def test_over_the_budget_is_the_coherence_400(client):
    x = series(1024, 10)
    body = {"response": x.tolist(), "predictor": x[::-1].tolist(), "removed": [x.tolist()],
            "dt": 1, "significance_test": True, "mc_count": 1000}  # fmt: skip
    r = client.post("/api/v1/analysis/partial-wct", json=body)
    assert r.status_code == 400
    assert "PYCWT_SYNC_WORK_BUDGET" in r.json()["detail"] and "3 series" in r.json()["detail"]
