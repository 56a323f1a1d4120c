"""Faults survived with nothing lost: real kills with Ray's own APIs (and one SIGKILL of
a Monte Carlo worker process of this test cluster) while a significance job runs.

Each job either completes with the result of a fault-free run with the same seed, or
ends ``failed`` with a reason; none stays active. The same body and seed are used
throughout, so the expected thresholds are computed once.
"""

from __future__ import annotations

import os
import signal
import time

import httpx
import numpy as np
import psutil
import pytest
import ray
from numpy.testing import assert_array_equal
from ray import serve

import pycwt_mod
from pycwt_mod import montecarlo

from ..conftest import NAMESPACE, REGISTRY
from ..utils import default_grid, nan_array, series, wait_for

pytestmark = pytest.mark.slow


TERMINAL = {"completed", "failed", "cancelled"}
MC_COUNT = 240


@pytest.fixture(scope="module")
def body() -> dict:
    x, y = series(256, 70), series(256, 71, period=20)
    return {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "mc_count": MC_COUNT, "seed": 777, "backend": "ray"}  # fmt: skip


@pytest.fixture(scope="module")
def expected(body) -> np.ndarray:
    x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
    s0, J, _ = default_grid(x.size, 1.0, 0.25)
    return montecarlo.wct_significance(
        pycwt_mod.ar1(x)[0], pycwt_mod.ar1(y)[0], 1.0, 0.25, s0, J, mc_count=MC_COUNT,
        seed=777, backend="sequential", progress=False, cache=False,
    )  # fmt: skip


def _get(url, path, **kw):
    """GET that tolerates the seconds a killed component needs to come back."""
    try:
        r = httpx.get(url + path, timeout=30, **kw)
    except httpx.HTTPError:
        return None
    return r if r.status_code < 500 else None


def _submit(client, body) -> str:
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code == 200, r.text
    return r.json()["job_id"]


def _wait_progress(url, job_id, at_least=0.0) -> dict:
    def running():
        r = _get(url, f"/api/v1/jobs/{job_id}")
        j = r.json() if r is not None else None
        return j if j and j["status"] == "running" and j["progress"] > at_least else None

    return wait_for(running, 90, 0.05)


def _wait_terminal(url, job_id, timeout=180) -> dict:
    def done():
        r = _get(url, f"/api/v1/jobs/{job_id}")
        return r.json() if r is not None and r.json()["status"] in TERMINAL else None

    return wait_for(done, timeout, 0.2)


def _assert_identical(url, job_id, expected):
    r = _get(url, f"/api/v1/jobs/{job_id}/result")
    assert r is not None and r.status_code == 200
    assert_array_equal(nan_array(r.json()["result"]["sig95"]), expected)


def _runner(job_id: str, attempt: int = 1):
    name = f"pycwt-job-{job_id}" + ("" if attempt == 1 else f"-{attempt}")
    return wait_for(lambda: _try_actor(name, NAMESPACE), 60)


def _try_actor(name, namespace):
    try:
        return ray.get_actor(name, namespace=namespace)
    except ValueError:
        return None


def _serve_replicas(app: str, deployment: str) -> list[dict]:
    prefix = f"SERVE_REPLICA::{app}#{deployment}#"
    return [
        a for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(prefix)
    ]


def test_ingress_replica_killed_while_job_runs(client, service, body, expected):
    job_id = _submit(client, body)
    _wait_progress(service.url, job_id)
    (replica,) = _serve_replicas("pycwt_mod", "APIIngress")
    ray.kill(ray.get_actor(replica["name"], namespace=replica["namespace"]), no_restart=True)
    # Serve starts a new replica; the job, owned by its runner, goes on
    wait_for(lambda: _serve_replicas("pycwt_mod", "APIIngress") not in ([], [replica]), 60, 0.2)
    final = _wait_terminal(service.url, job_id)
    assert final["status"] == "completed", final
    _assert_identical(service.url, job_id, expected)


def test_runner_killed_once_job_restarts_with_same_seed(client, service, body, expected):
    job_id = _submit(client, body)
    _wait_progress(service.url, job_id)
    ray.kill(_runner(job_id), no_restart=True)
    _runner(job_id, attempt=2)  # the registry started the job again
    final = _wait_terminal(service.url, job_id)
    assert final["status"] == "completed", final
    _assert_identical(service.url, job_id, expected)


def test_runner_killed_twice_job_fails_with_reason(client, service, body):
    job_id = _submit(client, body)
    _wait_progress(service.url, job_id)
    ray.kill(_runner(job_id), no_restart=True)
    second = _runner(job_id, attempt=2)
    _wait_progress(service.url, job_id)
    ray.kill(second, no_restart=True)
    final = _wait_terminal(service.url, job_id, timeout=60)
    assert final["status"] == "failed"
    assert final["error"].startswith("job runner died:")
    assert client.get(f"/api/v1/jobs/{job_id}/result").status_code == 409


@pytest.mark.parametrize("no_restart", [False, True], ids=["restarted", "killed-for-good"])
def test_registry_killed_while_job_runs(client, service, body, expected, no_restart):
    job_id = _submit(client, body)
    _wait_progress(service.url, job_id)
    ray.kill(ray.get_actor(REGISTRY, namespace=NAMESPACE), no_restart=no_restart)
    # restarted by Ray (max_restarts=-1), or created again from SQLite by the ingress
    # on its next call (the runner then finds the new one by name)
    final = _wait_terminal(service.url, job_id)
    assert final["status"] == "completed", final
    _assert_identical(service.url, job_id, expected)


def _cluster_chunk_workers() -> list[psutil.Process]:
    """Worker processes of THIS test cluster running a Monte Carlo chunk."""
    node = ray._private.worker._global_node
    raylet = node.all_processes["raylet"][0].process.pid
    out = []
    for p in psutil.Process(raylet).children(recursive=True):
        try:
            if "ray::_ray_chunk" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def test_chunk_worker_killed_task_is_retried(client, service, body, expected):
    job_id = _submit(client, body)
    _wait_progress(service.url, job_id)
    victims = wait_for(_cluster_chunk_workers, 30, 0.02)
    os.kill(victims[0].pid, signal.SIGKILL)  # as the OOM killer would
    final = _wait_terminal(service.url, job_id)
    assert final["status"] == "completed", final
    _assert_identical(service.url, job_id, expected)


def test_results_survive_a_full_restart_of_the_app(keyed_service):
    """The keyed app (its own registry and SQLite file, beside the main app) restarted
    in full: serve.delete + registry gone, serve.run again on the same file; the
    completed job and its result are still there, for the key that owns them. (The
    keyed app rather than one of its own: one deployment fewer; it runs again for the
    tests after this one.)"""
    from serve_app.app import build_app

    keyed = keyed_service
    url, registry, auth = keyed.url, keyed.registry_name, {"X-API-Key": keyed.keys[0]}
    x, y = series(128, 80), series(128, 81)
    small = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.5,
             "mc_count": 8, "seed": 5}  # fmt: skip
    r = httpx.post(url + "/api/v1/analysis/significance", json=small, headers=auth, timeout=60)
    assert r.status_code == 200, r.text
    job_id = r.json()["job_id"]

    def done():
        r = _get(url, f"/api/v1/jobs/{job_id}", headers=auth)
        return r.json() if r is not None and r.json()["status"] in TERMINAL else None

    assert wait_for(done, 180, 0.2)["status"] == "completed"
    before = _get(url, f"/api/v1/jobs/{job_id}/result", headers=auth).json()

    serve.delete(keyed.app_name)
    try:
        ray.kill(ray.get_actor(registry, namespace=NAMESPACE), no_restart=True)
        wait_for(lambda: _try_actor(registry, NAMESPACE) is None, 30, 0.1)
        time.sleep(0.5)
    finally:
        serve.run(build_app(keyed.args), name=keyed.app_name, route_prefix=keyed.route_prefix)

    job = wait_for(lambda: _get(url, f"/api/v1/jobs/{job_id}", headers=auth), 60, 0.2).json()
    assert job["status"] == "completed"
    assert _get(url, f"/api/v1/jobs/{job_id}/result", headers=auth).json() == before
