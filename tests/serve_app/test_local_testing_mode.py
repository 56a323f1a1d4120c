"""Deployments and ingress handle methods in Serve's local testing mode.

The app runs in this process (no replicas), while the job registry it talks to is
the real actor of the session's cluster; batch.main runs in-process on that cluster.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from ray import serve

import pycwt_mod
from serve_app.analysis import LimitExceededError
from serve_app.batch import main as batch_main
from serve_app.deployments import WorkBudgetExceededError

from .utils import series, wait_for


@pytest.fixture(scope="module")
def local_app(service):
    from serve_app.app import build_app

    args = {
        "db_path": str(service.db_path),
        "ray_namespace": service.namespace,
        "registry_name": service.registry_name,
        "max_samples": 4096,
        "sync_work_budget": 1_000_000,
        "chunk_size": 4,
    }
    return serve.run(
        build_app(args), name="pycwt_mod_local", route_prefix=None, _local_testing_mode=True
    )


def test_transforms(local_app):
    x, y = series(200, 60), series(200, 61, period=12)
    cw = local_app.cwt.remote(x, 1.0, dj=0.25).result()
    xn = (x - x.mean()) / x.std()
    assert_allclose(cw.wave, pycwt_mod.cwt(xn, 1.0, 0.25)[0], rtol=1e-10)
    inv = local_app.icwt.remote(cw.wave, cw.scales, 1.0, dj=0.25).result()
    assert_allclose(inv.signal, np.real(pycwt_mod.icwt(cw.wave, cw.scales, 1.0, 0.25)))
    xw = local_app.xwt.remote(x, y, 1.0, dj=0.25).result()
    assert_allclose(xw.xwt, pycwt_mod.xwt(x, y, 1.0, 0.25)[0], rtol=1e-10)
    co = local_app.wct.remote(x, y, 1.0, dj=0.25, significance_test=True, mc_count=8, seed=2)
    lib = pycwt_mod.wct(x, y, 1.0, 0.25, mc_count=8, seed=2, cache=False, progress=False)
    assert_array_equal(co.result().sig95, lib[4])


def test_limits(local_app):
    with pytest.raises(LimitExceededError, match="PYCWT_MAX_SAMPLES"):
        local_app.cwt.remote(np.zeros(5000), 1.0).result()
    x = series(1024, 62)
    with pytest.raises(WorkBudgetExceededError, match="/api/v1/analysis/significance"):
        local_app.wct.remote(x, x[::-1], 1.0, significance_test=True, mc_count=500).result()


def test_jobs_through_local_ingress(local_app):
    x, y = series(256, 63), series(256, 64, period=20)
    job = local_app.submit_significance.remote(x, y, 1.0, dj=0.5, mc_count=4, seed=8).result()

    def done():
        j = local_app.job.remote(job["job_id"]).result()
        return j if j["status"] in ("completed", "failed", "cancelled") else None

    assert wait_for(done, timeout=120)["status"] == "completed"
    res = local_app.job_result.remote(job["job_id"]).result()
    lib = pycwt_mod.wct(x, y, 1.0, 0.5, mc_count=4, seed=8, cache=False, progress=False)
    assert_array_equal(res.sig95, lib[4])
    listed = local_app.jobs.remote("completed").result()
    assert job["job_id"] in {j["job_id"] for j in listed}
    assert local_app.job_result.remote("nope").result() is None
    assert local_app.cancel_job.remote("nope").result() is None


def test_batch_main_in_process(tmp_path, ray_cluster):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    x = series(128, 65)
    np.save(inp / "good.npy", x)
    np.save(inp / "pair.npy", np.vstack([x, series(128, 66)]))
    np.savetxt(inp / "bad.csv", [1.0, np.nan, 2.0, 3.0], delimiter=",")
    np.save(inp / "three.npy", np.zeros((3, 10)))
    code = batch_main(["--input", str(inp), "--output", str(out), "--dj", "0.5"])
    assert code == 1  # two files failed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ok"] == 2 and manifest["failed"] == 2
    assert "non-finite" in manifest["files"]["bad.csv"]["error"]
    assert "one or two series" in manifest["files"]["three.npy"]["error"]
    assert set(np.load(out / "pair.npz").files) >= {"wave1", "wave2", "WCT", "aWCT"}
    assert batch_main(["--input", str(tmp_path / "empty"), "--output", str(out)]) == 2
