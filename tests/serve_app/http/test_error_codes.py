"""Every error body carries a machine-readable ``code`` (serve_app.error_codes)."""

from __future__ import annotations

import pytest

from serve_app.error_codes import ErrorCode
from serve_app.npz import NPZ_MEDIA_TYPE

#: (request, status, code) beyond those of test_limits.py
CASES = [
    (("get", "/api/v1/nowhere"), 404, "not_found"),
    (("delete", "/health"), 405, "method_not_allowed"),
    (("get", "/api/v1/backends/quantum"), 404, "backend_not_found"),
    (("get", "/api/v1/jobs/nope/result"), 404, "job_not_found"),
    (("delete", "/api/v1/jobs/nope"), 404, "job_not_found"),
    (("get", "/api/v1/jobs/nope/events"), 404, "job_not_found"),
]


@pytest.mark.parametrize(("request_", "status", "code"), CASES, ids=[c[2] for c in CASES])
def test_code_of_each_error(client, request_, status, code):
    r = client.request(*request_)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert r.json()["detail"]


def test_one_wording_for_an_unknown_job(client):
    """The jobs routes and a figure of a job say the same for an unknown job."""
    by_route = client.get("/api/v1/jobs/nope").json()
    body = {"data1": [1.0, 2.0, 3.0, 4.0], "data2": [1.0, 3.0, 2.0, 4.0], "dt": 1}
    by_plot = client.post("/api/v1/plots/wct", json={**body, "job_id": "nope"}).json()
    assert by_route == by_plot == {"detail": "job 'nope' not found", "code": "job_not_found"}


def test_invalid_npz_code(client):
    r = client.post(
        "/api/v1/analysis/cwt", content=b"PK not a zip", headers={"Content-Type": NPZ_MEDIA_TYPE}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_npz"


def test_openapi_documents_the_codes(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["ErrorCode"]["enum"]) == {c.value for c in ErrorCode}
    cwt = spec["paths"]["/api/v1/analysis/cwt"]["post"]["responses"]
    assert cwt["413"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    ok = cwt["200"]["content"]
    assert ok["application/json"]["schema"]["$ref"].endswith("/CWTResponse")
    assert NPZ_MEDIA_TYPE in ok
