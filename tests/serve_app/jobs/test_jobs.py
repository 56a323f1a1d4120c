"""Significance jobs end to end: real registry actor, runners, Ray tasks and SQLite."""

from __future__ import annotations

import json

import numpy as np
import pytest
import ray
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod import montecarlo
from serve_app.jobs.store import JobStore, utcnow

from ..utils import default_grid, nan_array, series, wait_for

TERMINAL = {"completed", "failed", "cancelled"}


def _body(n=256, mc_count=16, seed=7, **kw) -> dict:
    x, y = series(n, abs(seed)), series(n, abs(seed) + 100, period=24)
    return {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "mc_count": mc_count, "seed": seed, **kw}  # fmt: skip


def _submit(client, body) -> dict:
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code == 200, r.text
    job = r.json()
    assert r.headers["location"] == f"/api/v1/jobs/{job['job_id']}"
    return job


def _wait_terminal(client, job_id, timeout=120.0) -> dict:
    def done():
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        return job if job["status"] in TERMINAL else None

    return wait_for(done, timeout)


def _expected(body) -> np.ndarray:
    x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
    s0, J, _ = default_grid(x.size, body["dt"], body["dj"])
    return montecarlo.wct_significance(
        pycwt_mod.ar1(x)[0], pycwt_mod.ar1(y)[0], body["dt"], body["dj"], s0, J,
        mc_count=body["mc_count"], seed=body["seed"], backend="sequential",
        progress=False, cache=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def completed_job(client) -> tuple[dict, dict]:
    """``(body, job)`` of one small job without a seed, completed: the tests that need
    a finished job (its drawn seed, the job list, DELETE, a registry restart) share it."""
    body = _body(mc_count=8)
    body.pop("seed")
    job = _submit(client, body)
    assert _wait_terminal(client, job["job_id"])["status"] == "completed"
    return body, job


class TestSignificanceJob:
    def test_full_job_progress_and_bit_identical_result(self, client, service):
        body = _body(n=512, mc_count=40, seed=99, backend="ray")
        job = _submit(client, body)
        assert job["status"] in ("queued", "running")
        assert job["progress"] == 0.0
        seen = []

        def done():
            j = client.get(f"/api/v1/jobs/{job['job_id']}").json()
            seen.append(j["progress"])
            return j if j["status"] in TERMINAL else None

        final = wait_for(done, timeout=120, interval=0.02)
        assert final["status"] == "completed", final
        assert final["progress"] == 1.0
        assert final["backend"] == "ray"
        assert final["error"] is None
        assert final["created_at"] <= final["started_at"] <= final["completed_at"]
        # where and how often it ran (issue 22, operations)
        assert (final["attempts"], final["resumptions"]) == (1, 0)
        assert isinstance(final["runner_pid"], int) and final["runner_pid"] > 0
        assert final["runner_node"] in final["chunk_nodes"]
        assert seen == sorted(seen), "progress went backwards"
        assert any(0 < p < 1 for p in seen), f"no intermediate progress seen: {seen}"

        r = client.get(f"/api/v1/jobs/{job['job_id']}/result")
        assert r.status_code == 200
        res = r.json()["result"]
        assert res["seed"] == 99
        assert res["mc_count"] == 40
        assert res["backend_used"] == "ray"
        assert_array_equal(nan_array(res["sig95"]), _expected(body))
        _, _, scales = default_grid(512, 1.0, 0.25)
        assert_allclose(res["scales"], scales, rtol=1e-12)
        assert_allclose(np.asarray(res["period"]) * np.asarray(res["freqs"]), 1.0, rtol=1e-12)

        # the runner is a detached actor: it must be gone once the job is done
        def runner_gone():
            try:
                ray.get_actor(f"pycwt-job-{job['job_id']}", namespace=service.namespace)
            except ValueError:
                return True
            return False

        wait_for(runner_gone, timeout=30)

    def test_a_retry_with_the_idempotency_key_returns_the_same_job(self, client, service):
        body = _body(mc_count=8, seed=5)
        url = "/api/v1/analysis/significance"
        key = {"Idempotency-Key": f"retry-{utcnow()}"}
        first = client.post(url, json=body, headers=key)
        again = client.post(url, json=body, headers=key)
        other = client.post(
            url, json=body, headers={"Idempotency-Key": key["Idempotency-Key"] + "b"}
        )
        assert first.status_code == again.status_code == other.status_code == 200, first.text
        assert again.json()["job_id"] == first.json()["job_id"] != other.json()["job_id"]
        rows = JobStore(str(service.db_path)).list()
        assert sum(r["idempotency_key"] == key["Idempotency-Key"] for r in rows) == 1
        for job in (first.json(), other.json()):
            assert _wait_terminal(client, job["job_id"])["status"] == "completed"

    def test_seed_drawn_when_not_given_is_reported(self, client, completed_job):
        body, job = completed_job
        res = client.get(f"/api/v1/jobs/{job['job_id']}/result").json()["result"]
        assert_array_equal(nan_array(res["sig95"]), _expected({**body, "seed": res["seed"]}))

    def test_cancel_running_job(self, client, service):
        job = _submit(client, _body(n=512, mc_count=400, seed=5))  # 100 chunks
        job_id = job["job_id"]
        wait_for(lambda: client.get(f"/api/v1/jobs/{job_id}").json()["progress"] > 0, timeout=60)
        assert client.get(f"/api/v1/jobs/{job_id}/result").status_code == 409
        r = client.delete(f"/api/v1/jobs/{job_id}")
        assert r.status_code == 200
        assert r.json()["cancel_requested"] is True
        final = _wait_terminal(client, job_id, timeout=30)
        assert final["status"] == "cancelled"
        assert final["progress"] < 1
        r = client.get(f"/api/v1/jobs/{job_id}/result")
        assert r.status_code == 409
        assert "cancelled" in r.json()["detail"]
        # cancelling again is harmless
        assert client.delete(f"/api/v1/jobs/{job_id}").json()["status"] == "cancelled"
        # and the cluster is free again: a new small job completes
        small = _submit(client, _body(mc_count=8, seed=6))
        assert _wait_terminal(client, small["job_id"], timeout=60)["status"] == "completed"

    def test_list_and_filter(self, client, completed_job):
        _, done = completed_job
        all_jobs = client.get("/api/v1/jobs").json()
        assert all_jobs["count"] == len(all_jobs["jobs"]) >= 1
        assert done["job_id"] in {j["job_id"] for j in all_jobs["jobs"]}
        completed = client.get("/api/v1/jobs", params={"status": "completed"}).json()["jobs"]
        assert done["job_id"] in {j["job_id"] for j in completed}
        assert all(j["status"] == "completed" for j in completed)
        running = client.get("/api/v1/jobs", params={"status": "running"}).json()["jobs"]
        assert done["job_id"] not in {j["job_id"] for j in running}
        r = client.get("/api/v1/jobs", params={"status": "bogus"})
        assert r.status_code == 400
        assert "queued" in r.json()["detail"]

    def test_events_stream_until_terminal(self, client):
        job = _submit(client, _body(mc_count=16, seed=13))
        events = []
        with client.stream(
            "GET", f"/api/v1/jobs/{job['job_id']}/events", params={"interval": 0.1}
        ) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
        assert events[-1]["status"] == "completed"
        assert events[-1]["progress"] == 1.0
        progress = [e["progress"] for e in events]
        assert progress == sorted(progress)
        assert all(e["job_id"] == job["job_id"] for e in events)
        assert client.get("/api/v1/jobs/nope/events").status_code == 404

    def test_delete_completed_is_409(self, client, completed_job):
        _, job = completed_job
        assert client.delete(f"/api/v1/jobs/{job['job_id']}").status_code == 409
        assert client.get(f"/api/v1/jobs/{job['job_id']}").json()["status"] == "completed"


class TestJobErrors:
    @pytest.mark.parametrize("suffix", ["", "/result"])
    def test_unknown_job_is_404(self, client, suffix):
        r = client.get(f"/api/v1/jobs/nope{suffix}")
        assert r.status_code == 404
        assert "nope" in r.json()["detail"]

    def test_cancel_unknown_is_404(self, client):
        assert client.delete("/api/v1/jobs/nope").status_code == 404

    def test_gpu_on_cpu_cluster_is_503_at_submit(self, client):
        if ray.cluster_resources().get("GPU", 0) >= 1:
            pytest.skip("this cluster has a GPU")
        r = client.post("/api/v1/analysis/significance", json=_body(backend="gpu"))
        assert r.status_code == 503
        assert "GPU" in r.json()["detail"]

    def test_bad_data_is_400(self, client):
        body = _body()
        body["data2"] = body["data2"][:-5]
        r = client.post("/api/v1/analysis/significance", json=body)
        assert r.status_code == 400
        assert "length" in r.json()["detail"]

    def test_over_mc_limit_is_413(self, client):
        r = client.post("/api/v1/analysis/significance", json=_body(mc_count=5001))
        assert r.status_code == 413

    @pytest.mark.parametrize("patch", [{"mc_count": 0}, {"significance_level": 1.5}, {"seed": -1}])
    def test_bad_fields_are_422(self, client, patch):
        r = client.post("/api/v1/analysis/significance", json=_body(**patch))
        assert r.status_code == 422


class TestRegistryReload:
    def test_jobs_survive_registry_restart(self, client, service, completed_job):
        _, job = completed_job
        before = client.get(f"/api/v1/jobs/{job['job_id']}/result").json()

        # a job left "running" by a runner that no longer exists (e.g. a node died)
        store = JobStore(str(service.db_path))
        store.insert({
            "job_id": "orphan", "status": "running", "progress": 0.5, "created_at": utcnow(),
            "started_at": utcnow(), "backend": "ray", "mc_count": 10,
            "runner_name": "pycwt-job-gone", "params": {},
        })  # fmt: skip
        store.close()

        registry = ray.get_actor(service.registry_name, namespace=service.namespace)
        ray.kill(registry, no_restart=False)

        def reloaded():
            r = client.get("/api/v1/jobs/orphan")
            return r.json() if r.status_code == 200 and r.json()["status"] != "running" else None

        orphan = wait_for(reloaded, timeout=60, interval=0.2)
        assert orphan["status"] == "failed"
        assert "runner was lost" in orphan["error"]
        listed = {j["job_id"] for j in client.get("/api/v1/jobs").json()["jobs"]}
        assert {job["job_id"], "orphan"} <= listed
        after = client.get(f"/api/v1/jobs/{job['job_id']}/result").json()
        assert after == before
        # the restarted registry runs new jobs too
        again = _submit(client, _body(mc_count=4, seed=22))
        assert _wait_terminal(client, again["job_id"])["status"] == "completed"
