"""serve_app.client.transport: retries against a real local HTTP server (no service).

A tiny ``http.server`` thread answers a scripted list of statuses; the client's
requests go over real sockets through httpx, so the retry policy for 503 with
``Retry-After`` and httpx's connection retries are what runs.
"""

from __future__ import annotations

import doctest
import http.server
import json
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from serve_app.client import (
    Client,
    transport,
)
from serve_app.client.errors import ServiceUnavailable
from serve_app.client.transport import RetryPolicy, retry_after


class Scripted(http.server.ThreadingHTTPServer):
    """Answers GET with the next (status, headers) of its script; the last one repeats."""

    daemon_threads = True

    def __init__(self, script, port: int = 0, bind: bool = True):
        self.script = list(script)
        self.times: list[float] = []

        class Handler(http.server.BaseHTTPRequestHandler):  # `self` is the server
            def do_GET(handler):
                self.times.append(time.monotonic())
                status, headers = self.script[min(len(self.times), len(self.script)) - 1]
                body = json.dumps({"status": "ok"} if status == 200 else {"detail": "busy"})
                handler.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    handler.send_header(k, v)
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body.encode())

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", port), Handler, bind_and_activate=bind)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def serve():
    servers = []

    def start(*script):
        server = Scripted(script)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_503_with_retry_after_then_200(serve):
    server = serve((503, {"Retry-After": "0.3"}), (200, {}))
    with Client(server.url, retries=2, backoff=5.0) as c:  # the header wins over backoff
        assert c.health() == {"status": "ok"}
        assert c.last_attempts == 2
    assert len(server.times) == 2
    assert 0.3 <= server.times[1] - server.times[0] < 2.0


def test_503_without_retry_after_backs_off(serve):
    server = serve((503, {}), (503, {}), (200, {}))
    with Client(server.url, retries=3, backoff=0.05) as c:
        assert c.health() == {"status": "ok"} and c.last_attempts == 3
    gaps = [b - a for a, b in zip(server.times, server.times[1:], strict=False)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1  # backoff * 2**k


def test_503_after_every_retry_raises(serve):
    server = serve((503, {"Retry-After": "0"}))
    with Client(server.url, retries=2) as c:
        with pytest.raises(ServiceUnavailable, match="busy") as info:
            c.health()
        assert info.value.status == 503 and c.last_attempts == 3
    assert len(server.times) == 3


def test_retry_after_is_bounded(serve):
    server = serve((503, {"Retry-After": "3600"}), (200, {}))
    client = Client(server.url, retries=1)
    client.policy = RetryPolicy(retries=1, max_delay=0.2)
    with client:
        started = time.monotonic()
        assert client.health() == {"status": "ok"}
    assert time.monotonic() - started < 5.0  # waited max_delay, not an hour


def test_a_4xx_is_not_retried(serve):
    server = serve((404, {"Retry-After": "0"}), (200, {}))
    with Client(server.url, retries=3) as c:
        with pytest.raises(Exception, match="busy"):
            c.health()
        assert c.last_attempts == 1
    assert len(server.times) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_errors_are_retried_by_the_transport():
    """Nothing listens at first; the server comes up while httpx's transport retries."""
    port = _free_port()
    with Client(f"http://127.0.0.1:{port}", retries=0) as c:
        with pytest.raises(httpx.ConnectError):
            c.health()
    server = Scripted([(200, {})], port=port, bind=False)

    def start_late():
        time.sleep(0.3)
        server.server_bind()
        server.server_activate()
        server.serve_forever()

    threading.Thread(target=start_late, daemon=True).start()
    try:
        with Client(f"http://127.0.0.1:{port}", retries=4) as c:  # after 0, 0.5, 1, 2 s
            assert c.health() == {"status": "ok"}
            assert c.last_attempts == 1  # one answer: the failed connects were below it
        assert len(server.times) == 1
    finally:
        server.shutdown()
        server.server_close()


class TestPolicy:
    def test_delays(self):
        p = RetryPolicy(retries=2, backoff=0.5, max_delay=10.0)
        assert p.delay(0, 503, None) == 0.5
        assert p.delay(1, 502, "junk") == 1.0
        assert p.delay(0, 503, "7") == 7.0
        assert p.delay(0, 503, "120") == 10.0  # bounded
        assert p.delay(2, 503, "1") is None  # retries spent
        assert p.delay(0, 500, "1") is None and p.delay(0, 429, None) is None
        with pytest.raises(ValueError, match=r"`retries` must be >= 0 \(got -1\)"):
            RetryPolicy(retries=-1)

    def test_retry_after_forms(self):
        now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
        later = format_datetime(now + timedelta(seconds=90), usegmt=True)
        earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
        assert retry_after(later, now) == 90.0
        assert retry_after(earlier, now) == 0.0
        assert retry_after(" 3 ") == 3.0 and retry_after("-4") == 0.0
        for bad in (None, "", "soon", "inf", "nan"):
            assert retry_after(bad) is None, bad

    def test_docstring_examples(self):
        result = doctest.testmod(transport)
        assert result.attempted >= 2 and result.failed == 0
