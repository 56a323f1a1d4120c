"""One real Serve app for all the service tests, on the run's one Ray cluster.

The cluster is ``ray_cluster`` of tests/conftest.py (shared with the library's Ray
tests); the app is started on first use and shut down after the last test of this
folder, so the library tests that follow do not share the CPUs with idle replicas.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from ray import serve

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "pycwt_mod_tests"
REGISTRY = "pycwt_mod_test_registry"


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    url: str
    db_path: Path
    namespace: str
    registry_name: str
    chunk_size: int


@pytest.fixture(scope="package")
def service(ray_cluster, tmp_path_factory):
    """The pycwt_mod app served on a free loopback port, with a temporary SQLite file;
    Serve (this app and any other a test started) is shut down after the last test of
    tests/serve."""
    from serve_app.app import APP_NAME, build_app

    port = free_port()
    db = tmp_path_factory.mktemp("jobs") / "jobs.sqlite3"
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    args = {
        "db_path": str(db),
        "job_timeout_s": 120,
        "max_samples": 20_000,
        "max_mc_count": 5_000,
        "sync_work_budget": 3_000_000,
        "chunk_size": 4,
        "ray_namespace": NAMESPACE,
        "registry_name": REGISTRY,
    }
    serve.run(build_app(args), name=APP_NAME, route_prefix="/")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # wait for the proxy to answer
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the Serve app did not answer /health within 60 s")
        time.sleep(0.25)
    yield Service(url, db, NAMESPACE, REGISTRY, chunk_size=4)
    serve.shutdown()


@pytest.fixture(scope="package")
def client(service):
    with httpx.Client(base_url=service.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="package")
def app_handle(service):
    from serve_app.app import APP_NAME

    return serve.get_app_handle(APP_NAME)


#: API keys of the second app (``keyed_service``); 16+ characters each.
KEYS = ("alice-key-0123456789abcdef", "bob-key-0123456789abcdef00")
KEYED_APP = "pycwt_mod_keys"
KEYED_PREFIX = "/keyed"


@dataclass
class KeyedService:
    url: str  # includes the route prefix
    db_path: Path
    registry_name: str
    keys: tuple[str, ...]
    cors_origin: str
    max_body_bytes: int
    app_name: str  # as deployed: test_faults restarts it with these
    route_prefix: str
    args: dict


@pytest.fixture(scope="package")
def keyed_service(service, tmp_path_factory) -> KeyedService:
    """A second app in the same cluster: API keys, a small body limit, CORS for one
    origin, and compute deployments that take 1 request at a time with 1 queued (so a
    burst overloads them); its own registry and SQLite file."""
    from serve_app.app import build_app

    db = tmp_path_factory.mktemp("keyed") / "jobs.sqlite3"
    registry = REGISTRY + "_keyed"
    origin = "https://lab.example.org"
    args = {
        "db_path": str(db),
        "job_timeout_s": 120,
        "max_samples": 20_000,
        "max_body_bytes": 256 * 1024,
        "sync_work_budget": 20_000_000,
        "chunk_size": 4,
        "ray_namespace": NAMESPACE,
        "registry_name": registry,
        "api_keys": list(KEYS),
        "cors_origins": [origin],
        "compute_max_ongoing_requests": 1,
        "compute_max_queued_requests": 1,
    }
    serve.run(build_app(args), name=KEYED_APP, route_prefix=KEYED_PREFIX)
    url = service.url + KEYED_PREFIX
    deadline = time.monotonic() + 60
    while httpx.get(url + "/health", timeout=5).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the keyed app did not answer /health within 60 s")
        time.sleep(0.25)
    return KeyedService(url, db, registry, KEYS, origin, 256 * 1024, KEYED_APP, KEYED_PREFIX, args)
