"""A broken service: a short 5xx with a request id (never a traceback), and a
readiness check that answers 503 while the healthy app's answers 200.

The broken service is a second app in the run's cluster whose jobs database is a
corrupt file (garbage where SQLite expects its header): its job registry cannot
start, so every job route meets a real fault behind the ingress.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from ray import serve

from ..conftest import NAMESPACE, REGISTRY

BROKEN_APP = "pycwt_mod_broken"
BROKEN_PREFIX = "/broken"


@pytest.fixture(scope="module")
def broken(service, tmp_path_factory) -> str:
    """URL of an app whose SQLite file is corrupt (deleted after this module): one
    ingress replica on the main app's compute deployments (no replicas of its own)."""
    from serve_app.app import APP_NAME, ingress_config
    from serve_app.http.ingress import APIIngress
    from serve_app.settings import Settings

    db = tmp_path_factory.mktemp("broken") / "jobs.sqlite3"
    db.write_bytes(b"this is not a database, " * 200)
    settings = Settings(
        db_path=str(db), ray_namespace=NAMESPACE, registry_name=REGISTRY + "_broken"
    )
    cwt, wct = (
        serve.get_deployment_handle(d, APP_NAME) for d in ("CWTDeployment", "WCTDeployment")
    )
    ingress = APIIngress.options(name="BrokenIngress").bind(cwt, wct, ingress_config(settings))
    serve.run(ingress, name=BROKEN_APP, route_prefix=BROKEN_PREFIX)
    url = service.url + BROKEN_PREFIX
    deadline = time.monotonic() + 60
    while httpx.get(url + "/health", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the broken app did not answer /health"
        time.sleep(0.25)
    yield url
    serve.delete(BROKEN_APP)


def _ray_logs(temp_dir: str) -> list[Path]:
    """The log files of the run's Ray sessions (replica logs and worker output)."""
    return [p for p in Path(temp_dir).glob("*/session_*/logs/**/*") if p.is_file()]


class TestInternalError:
    def test_short_body_with_request_id(self, broken):
        r = httpx.get(broken + "/api/v1/jobs", timeout=60)
        assert r.status_code == 500, r.text
        body = r.json()
        assert set(body) == {"detail", "code", "request_id"}
        assert body["code"] == "internal_error"
        assert body["request_id"] == r.headers["x-request-id"]
        assert body["request_id"] in body["detail"]
        assert len(r.content) < 400
        for leak in ("Traceback", 'File "', "\x1b[", "pid=", ".py", "sqlite"):
            assert leak not in r.text, leak

    def test_traceback_in_the_log_under_the_id(self, broken, private_ray_temp_dir):
        r = httpx.get(broken + "/api/v1/jobs/some-job", timeout=60)
        assert r.status_code == 500, r.text
        rid = r.json()["request_id"]
        deadline = time.monotonic() + 20
        while True:  # the log is flushed a little later
            texts = [p.read_text(errors="replace") for p in _ray_logs(private_ray_temp_dir)]
            hits = [t for t in texts if rid in t]
            if any("Traceback" in t for t in hits):
                break
            assert time.monotonic() < deadline, f"request id {rid} not logged with a traceback"
            time.sleep(0.5)


class TestReadiness:
    def test_ready_app(self, client):
        r = client.get("/health/ready")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ready"
        assert set(body["checks"]) == {"registry", "database", "backends"}
        assert body["checks"]["registry"]["ok"] is True
        assert body["checks"]["database"] == {"ok": True, "detail": "writable"}
        assert body["checks"]["backends"]["ok"] is True

    def test_broken_app_is_503_and_live(self, broken):
        r = httpx.get(broken + "/health/ready", timeout=60)
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["code"] == "not_ready" and body["status"] == "not_ready"
        assert body["checks"]["registry"]["ok"] is False
        database = body["checks"]["database"]
        assert database["ok"] is False and "not a readable SQLite database" in database["detail"]
        assert "move it away" in body["detail"]  # says what to do
        assert body["checks"]["backends"]["ok"] is True
        assert "Traceback" not in r.text and "\x1b[" not in r.text
        assert httpx.get(broken + "/health", timeout=30).status_code == 200  # liveness
