"""The API plan's own tests (``../shared/original-plan.md`` sections 4.1-4.3), verbatim
but for one check.

The ``client`` fixture differs from the plan: instead of FastAPI's TestClient it
is the session's ``httpx.Client`` on the real running Serve app (tests/serve_app/conftest.py),
whose ``get``/``post(...).json()`` API is the same. ``sample_data`` is the plan's.
``test_async_significance`` slept 2 s and then accepted a queued, running or completed
job alike; it now checks that the submission answers before the job has run and that
the job then completes.
"""

import time

import pytest

from ..utils import wait_for

# -- 4.1 fixtures ------------------------------------------------------------------------


@pytest.fixture
def sample_data():
    """Sample time series data for testing."""
    return [float(i) for i in range(100)]


# -- 4.2 test_api.py ---------------------------------------------------------------------
# fmt: off


def test_health_check(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"

def test_list_backends(client):
    response = client.get("/api/v1/backends")
    assert response.status_code == 200
    assert "backends" in response.json()
    assert len(response.json()["backends"]) > 0

def test_cwt_endpoint(client, sample_data):
    request_data = {
        "data": sample_data,
        "dt": 1.0,
        "dj": 0.25,
        "s0": 2.0,
        "J": 5,
        "wavelet": "morlet"
    }

    response = client.post("/api/v1/analysis/cwt", json=request_data)
    assert response.status_code == 200

    result = response.json()
    assert "wave" in result
    assert "scales" in result
    assert "freqs" in result
    assert "coi" in result
    assert result["computation_time"] > 0

def test_wct_with_backend(client, sample_data):
    request_data = {
        "data1": sample_data,
        "data2": sample_data,
        "dt": 1.0,
        "dj": 0.25,
        "s0": 2.0,
        "J": 5,
        "significance_test": False,
        "backend": "sequential"
    }

    response = client.post("/api/v1/analysis/wct", json=request_data)
    assert response.status_code == 200

    result = response.json()
    assert result["backend_used"] == "sequential"

def test_async_significance(client, sample_data):
    request_data = {
        "data1": sample_data[:50],
        "data2": sample_data[:50],
        "dt": 1.0,
        "dj": 0.25,
        "s0": 2.0,
        "J": 3,
        "significance_test": True,
        "backend": "sequential",
        "mc_count": 50
    }

    # Submit job: answered at once, before the job has run
    response = client.post("/api/v1/analysis/significance", json=request_data)
    assert response.status_code == 200
    submitted = response.json()
    job_id = submitted["job_id"]
    assert submitted["status"] in ["queued", "running"]
    assert submitted["progress"] == 0.0

    # Check status: the job is found by its id and runs to completion
    def finished():
        status_response = client.get(f"/api/v1/jobs/{job_id}")
        assert status_response.status_code == 200
        job = status_response.json()
        return job if job["status"] not in ["queued", "running"] else None

    job = wait_for(finished, timeout=60, interval=0.1)
    assert job["status"] == "completed", job
    assert job["progress"] == 1.0


# -- 4.3 test_integration.py -------------------------------------------------------------

def test_full_workflow(client, sample_data):
    """Test complete workflow: submit job → check status → get results."""

    # 1. Submit async significance job
    request_data = {
        "data1": sample_data[:50],
        "data2": sample_data[:50],
        "dt": 1.0,
        "dj": 0.25,
        "s0": 2.0,
        "J": 3,
        "significance_test": True,
        "backend": "sequential",
        "mc_count": 30
    }

    response = client.post("/api/v1/analysis/significance", json=request_data)
    assert response.status_code == 200
    job_id = response.json()["job_id"]

    # 2. Poll for completion
    max_wait = 60  # seconds
    start_time = time.time()

    while time.time() - start_time < max_wait:
        status_response = client.get(f"/api/v1/jobs/{job_id}")
        status = status_response.json()["status"]

        if status == "completed":
            break
        elif status == "failed":
            pytest.fail("Job failed")

        time.sleep(1)

    # 3. Get results
    result_response = client.get(f"/api/v1/jobs/{job_id}/result")
    assert result_response.status_code == 200

    result = result_response.json()["result"]
    assert "sig95" in result
    assert result["backend_used"] == "sequential"


# fmt: on
# -- 3.2 list_jobs: the plan's answer (``{"jobs": [...]}``), with ``count`` kept ----------


def test_list_jobs_is_the_plans(client, sample_data):
    from datetime import datetime

    body = {"data1": sample_data[:32], "data2": sample_data[:32][::-1], "dt": 1.0,
            "dj": 0.5, "J": 3, "backend": "sequential", "mc_count": 4}  # fmt: skip
    job_id = client.post("/api/v1/analysis/significance", json=body).json()["job_id"]
    listed = client.get("/api/v1/jobs").json()
    assert set(listed) == {"jobs", "count"}
    assert listed["count"] == len(listed["jobs"]) >= 1
    (job,) = [j for j in listed["jobs"] if j["job_id"] == job_id]
    assert {"job_id", "status", "progress", "created_at"} <= set(job)
    assert job["status"] in ("queued", "running", "completed")
    assert 0.0 <= job["progress"] <= 1.0
    datetime.fromisoformat(job["created_at"])  # ISO 8601, as the plan's isoformat()
    wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "completed", timeout=60
    )
