"""API keys, job ownership and CORS: unit checks and the keyed app over real HTTP."""

from __future__ import annotations

import hashlib
import sqlite3

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from starlette.requests import Request

from serve_app.http import security
from serve_app.settings import get_settings, parse_keys

from ..utils import series, wait_for

TERMINAL = {"completed", "failed", "cancelled"}


def _request(ring: security.KeyRing) -> Request:
    app = FastAPI()
    app.state.keyring = ring
    return Request({"type": "http", "headers": [], "method": "GET", "path": "/", "app": app})


class TestKeyRing:
    def test_hashes_and_fingerprints(self):
        ring = security.KeyRing([security.hash_key("a" * 20), security.hash_key("b" * 20)])
        assert ring.owner("a" * 20) == hashlib.sha256(b"a" * 20).hexdigest()[:16]
        assert ring.owner("b" * 20) != ring.owner("a" * 20)
        assert ring.owner("c" * 20) is None
        assert ring.owner("") is None and ring.owner(None) is None
        assert not security.KeyRing([])

    def test_parse_keys(self):
        parsed = parse_keys("x" * 16 + ", " + "y" * 16 + ",", ["x" * 16])
        assert parsed == ["x" * 16, "y" * 16]
        with pytest.raises(ValueError, match="at least 16 characters"):
            parse_keys("short")

    def test_settings_merge_legacy_key(self, monkeypatch):
        monkeypatch.setenv("PYCWT_API_KEYS", "k" * 16 + "," + "m" * 16)
        monkeypatch.setenv("PYCWT_API_KEY", "z" * 16)
        assert get_settings().keys() == ["k" * 16, "m" * 16, "z" * 16]
        monkeypatch.setenv("PYCWT_API_KEY", "tiny")
        with pytest.raises(ValueError, match="16 characters"):
            get_settings()

    def test_require_key(self):
        keyed = _request(security.KeyRing([security.hash_key("s" * 16)]))
        with pytest.raises(HTTPException) as exc:
            security.require_key(keyed, None, "wrong" * 4)
        assert exc.value.status_code == 401
        assert exc.value.headers["WWW-Authenticate"].startswith("Bearer")
        with pytest.raises(HTTPException, match="missing"):
            security.require_key(keyed, None, None)
        # the owner is the short fingerprint of the key's hash, never the key
        owner = security.require_key(keyed, None, "s" * 16)
        assert owner == security.hash_key("s" * 16)[: security.FINGERPRINT_LEN]
        open_api = _request(security.KeyRing([]))
        assert security.require_key(open_api, None, None) is None  # open


def _auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def _job_body(seed: int, mc_count: int = 8) -> dict:
    x, y = series(128, seed), series(128, seed + 1, period=20)
    return {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.5,
            "mc_count": mc_count, "seed": seed, "backend": "ray"}  # fmt: skip


class TestKeyedApp:
    @pytest.fixture(scope="class")
    @classmethod
    def http(cls, keyed_service):
        with httpx.Client(base_url=keyed_service.url, timeout=60) as c:
            yield c

    def test_health_is_open(self, http):
        assert http.get("/health").status_code == 200

    @pytest.mark.parametrize(
        "path", ["/api/v1/backends", "/api/v1/jobs", "/api/v1/jobs/x", "/api/v1/backends/ray"]
    )
    def test_routes_need_a_key(self, http, path):
        r = http.get(path)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "X-API-Key" in r.json()["detail"]
        assert r.json()["code"] == "unauthorized"
        r = http.get(path, headers=_auth("not-a-configured-key-000"))
        assert r.status_code == 401
        assert "invalid" in r.json()["detail"]
        r = http.post("/api/v1/analysis/cwt", json={"data": [1.0, 2.0, 3.0], "dt": 1})
        assert r.status_code == 401

    def test_both_headers_and_every_key_work(self, http, keyed_service):
        for key in keyed_service.keys:
            assert http.get("/api/v1/backends", headers=_auth(key)).status_code == 200
            assert http.get("/api/v1/backends", headers={"X-API-Key": key}).status_code == 200
        body = {"data": series(64).tolist(), "dt": 1.0, "dj": 0.5}
        r = http.post("/api/v1/analysis/cwt", json=body, headers=_auth(keyed_service.keys[0]))
        assert r.status_code == 200, r.text

    def test_jobs_are_owned_by_their_key(self, http, keyed_service):
        alice, bob = (_auth(k) for k in keyed_service.keys)
        r = http.post("/api/v1/analysis/significance", json=_job_body(3), headers=alice)
        assert r.status_code == 200, r.text
        job_id = r.json()["job_id"]
        assert "owner" not in r.json()

        def done():
            j = http.get(f"/api/v1/jobs/{job_id}", headers=alice).json()
            return j if j["status"] in TERMINAL else None

        assert wait_for(done, 60)["status"] == "completed"
        assert http.get(f"/api/v1/jobs/{job_id}/result", headers=alice).status_code == 200
        for suffix in ("", "/result", "/events"):
            r = http.get(f"/api/v1/jobs/{job_id}{suffix}", headers=bob)
            assert r.status_code == 404, suffix
        assert http.delete(f"/api/v1/jobs/{job_id}", headers=bob).status_code == 404
        alices = http.get("/api/v1/jobs", headers=alice).json()
        assert job_id in {j["job_id"] for j in alices["jobs"]}
        bobs = http.get("/api/v1/jobs", headers=bob).json()
        assert job_id not in {j["job_id"] for j in bobs["jobs"]}

        # SQLite holds a fingerprint of the key, never the key
        raw = keyed_service.db_path.read_bytes()
        for key in keyed_service.keys:
            assert key.encode() not in raw
        with sqlite3.connect(keyed_service.db_path) as db:
            (owner,) = db.execute("SELECT owner FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        assert owner == security.hash_key(keyed_service.keys[0])[:16]

    def test_cors_only_for_the_configured_origin(self, http, keyed_service):
        pre = {"Access-Control-Request-Method": "POST"}
        ok = http.options("/api/v1/jobs", headers={"Origin": keyed_service.cors_origin, **pre})
        assert ok.headers.get("access-control-allow-origin") == keyed_service.cors_origin
        bad = http.options("/api/v1/jobs", headers={"Origin": "https://evil.example", **pre})
        assert "access-control-allow-origin" not in bad.headers


def test_open_app_allows_any_origin(client):
    r = client.get("/health", headers={"Origin": "https://anywhere.example"})
    assert r.headers.get("access-control-allow-origin") == "*"


def test_open_app_declares_security_schemes(client):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}
