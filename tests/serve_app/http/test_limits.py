"""Bad input and limits over real HTTP: every one is a clear 4xx, and neither the
service nor another client's job is hurt by them. Also overload: a burst answers 503
quickly through Ray Serve's own backpressure."""

from __future__ import annotations

import concurrent.futures as cf
import time

import httpx
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod.options import ScaleGrid

from ..utils import nan_array, series, wait_for

CWT = "/api/v1/analysis/cwt"
JSON = {"content-type": "application/json"}
GOOD = {"data": [0.0, 1.0, 0.0, -1.0, 0.5, 0.2], "dt": 1.0}

#: (name, method, path, body (dict, or bytes sent raw), expected status, text in the answer)
BAD = [
    ("null in data", "post", CWT, {"data": [1.0, None, 2.0], "dt": 1}, 400,
     "`data` has 1 missing value(s) (non-finite: NaN or null); the first is at index 1"),
    ("NaN in data2", "post", "/api/v1/analysis/wct",
     b'{"data1": [1.0, 2.0, 3.0, 4.0], "data2": [1.0, 2.0, 3.0, NaN], "dt": 1}', 400,
     "`data2` has 1 missing value(s) (non-finite: NaN or null); the first is at index 3"),
    ("null in a job's data1", "post", "/api/v1/analysis/significance",
     {"data1": [1.0, 2.0, None, 4.0] * 8, "data2": [1.0] * 32, "dt": 1}, 400,
     "`data1` has 8 missing value(s) (non-finite: NaN or null); the first is at index 2"),
    ("NaN token", "post", CWT, b'{"data": [1.0, 2.0, NaN, 3.0], "dt": 1}', 400, "index 2"),
    ("Infinity token", "post", CWT, b'{"data": [1.0, Infinity, 3.0], "dt": 1}', 400,
     "index 1 (value inf)"),
    ("-Infinity", "post", CWT, b'{"data": [1.0, 2.0, -Infinity], "dt": 1}', 400, "index 2"),
    ("1e999 overflows", "post", CWT, b'{"data": [1e999, 2.0, 3.0], "dt": 1}', 400, "index 0"),
    ("empty series", "post", CWT, {"data": [], "dt": 1}, 400, "at least 2 samples"),
    ("one sample", "post", CWT, {"data": [1.0], "dt": 1}, 400, "at least 2 samples"),
    ("dt = 0", "post", CWT, {**GOOD, "dt": 0}, 422, "greater than 0"),
    ("dt < 0", "post", CWT, {**GOOD, "dt": -1}, 422, "greater than 0"),
    ("dj = 0", "post", CWT, {**GOOD, "dj": 0}, 422, "greater than 0"),
    ("dj > 4", "post", CWT, {**GOOD, "dj": 50}, 422, "less than or equal to 4"),
    ("J far too large", "post", CWT, {**GOOD, "J": 10**12}, 413, "lower J"),
    ("J past int64 (fuzz)", "post", CWT, {**GOOD, "J": 2**97}, 413, "lower J"),
    ("J overflow", "post", CWT, {**GOOD, "J": 5000, "dj": 4}, 400, "overflows"),
    ("s0 too large", "post", CWT, {**GOOD, "s0": 1e6}, 400, "lower s0"),
    ("unknown wavelet", "post", CWT, {**GOOD, "wavelet": "haar"}, 422, "mexicanhat"),
    ("wrong type", "post", CWT, {"data": "abc", "dt": 1}, 422, "valid list"),
    ("wrong type dt", "post", CWT, {**GOOD, "dt": "soon"}, 422, "valid number"),
    ("extra field", "post", CWT, {**GOOD, "colour": "red"}, 422, "colour"),
    ("malformed JSON", "post", CWT, b'{"data": [1, 2,', 422, "JSON"),
    ("not an object", "post", CWT, b"[1, 2, 3]", 422, "dictionary"),
    ("over max samples", "post", CWT, {"data": [0.0, 1.0] * 10_001, "dt": 1}, 413,
     "limit of 20000 (setting PYCWT_MAX_SAMPLES"),
    ("scales x samples", "post", CWT, {"data": [0.0, 1.0] * 9_000, "dt": 1, "dj": 0.01}, 413,
     "(setting PYCWT_MAX_SCALES_X_SAMPLES"),
    ("unequal xwt", "post", "/api/v1/analysis/xwt",
     {"data1": [1.0, 2, 3, 4], "data2": [1.0, 2, 3], "dt": 1}, 400,
     "`data1` and `data2` must have the same length (got 4 and 3)"),
    ("unequal wct", "post", "/api/v1/analysis/wct",
     {"data1": [1.0, 2, 3, 4], "data2": [1.0, 2, 3], "dt": 1}, 400,
     "`data1` and `data2` must have the same length (got 4 and 3)"),
    ("unequal job", "post", "/api/v1/analysis/significance",
     {"data1": [1.0, 2, 3, 4], "data2": [1.0, 2, 3], "dt": 1}, 400,
     "`data1` and `data2` must have the same length (got 4 and 3)"),
    ("unknown backend", "post", "/api/v1/analysis/wct",
     {"data1": [1.0, 2], "data2": [1.0, 2], "dt": 1, "backend": "quantum"}, 422, "sequential"),
    ("over max mc_count", "post", "/api/v1/analysis/significance",
     {"data1": series(64).tolist(), "data2": series(64, 1).tolist(), "dt": 1,
      "mc_count": 5001}, 413, "PYCWT_MAX_MC_COUNT"),
    ("denormal dt in a figure (fuzz)", "post", "/api/v1/plots/cwt",
     {"data": [None, -4576127865418776.0, None, 0.0], "dt": 5e-324, "gaps": "mask",
      "normalize": False, "wavelet": "dog", "significance_test": True}, 400,
     "overflow or vanish"),
    ("bad job status", "get", "/api/v1/jobs?status=done", None, 400, "completed"),
    ("unknown job", "get", "/api/v1/jobs/nope", None, 404, "nope"),
]  # fmt: skip


#: The code of each status in BAD (``bad job status`` and the unknown job have their own).
CODES = {400: "bad_request", 404: "job_not_found", 413: "too_large", 422: "validation_error"}


def _send(client, method, path, body):
    if isinstance(body, bytes):
        return client.request(method, path, content=body, headers=JSON)
    if body is None:
        return client.request(method, path)
    return client.request(method, path, json=body)


@pytest.mark.parametrize(("name", "method", "path", "body", "status", "text"), BAD)
def test_bad_input_is_a_clear_4xx(client, name, method, path, body, status, text):
    r = _send(client, method, path, body)
    assert r.status_code == status, (name, r.text[:500])
    answer = r.json()["detail"] if status in (400, 413) else r.text
    assert text in answer, (name, r.text[:500])
    code = "invalid_status" if name == "bad job status" else CODES[status]
    assert r.json()["code"] == code, (name, r.text[:500])
    # messages name the HTTP fields and show values, not library names or numpy reprs
    assert "np.float64" not in r.text and "`y1`" not in r.text and "`y2`" not in r.text, name


@pytest.mark.parametrize("name", ["over max samples", "scales x samples"])
def test_413_advice_is_right_for_a_wavelet_transform(client, name):
    _, method, path, body, _, _ = next(b for b in BAD if b[0] == name)
    detail = _send(client, method, path, body).json()["detail"]
    assert "do not split the series" in detail and "cone of influence" in detail
    assert "split it" not in detail
    assert "operator can raise" in detail


def test_unavailable_backend_is_503_with_the_reason(client):
    from pycwt_mod.montecarlo.backends import describe_backends

    gpu = next(d for d in describe_backends() if d["name"] == "gpu")
    if gpu["available"]:
        pytest.skip("a GPU is available here")  # the 503 path needs a GPU-less machine
    x = series(128)
    body = {"data1": x.tolist(), "data2": x[::-1].tolist(), "dt": 1, "dj": 0.5,
            "significance_test": True, "mc_count": 4, "backend": "gpu"}  # fmt: skip
    r = client.post("/api/v1/analysis/wct", json=body)
    assert r.status_code == 503
    assert "backend unavailable" in r.json()["detail"] and "cupy" in r.json()["detail"]


def _expected_sig(body) -> np.ndarray:
    x, y = np.asarray(body["data1"]), np.asarray(body["data2"])
    rg = ScaleGrid(body["dt"], body["dj"]).resolve(x.size)
    s0, J = rg.s0, rg.J
    return montecarlo.wct_significance(
        pycwt_mod.ar1(x)[0], pycwt_mod.ar1(y)[0], body["dt"], body["dj"], s0, J,
        mc_count=body["mc_count"], seed=body["seed"], backend="sequential",
        progress=False, cache=False,
    )  # fmt: skip


def test_bad_requests_hurt_neither_the_service_nor_other_jobs(client):
    x, y = series(256, 40), series(256, 41, period=20)
    body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "mc_count": 60, "seed": 4040, "backend": "ray"}  # fmt: skip
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code == 200
    job_id = r.json()["job_id"]
    for _name, method, path, bad, status, _ in BAD:
        assert _send(client, method, path, bad).status_code == status
        assert client.get("/health").status_code == 200
    assert client.post(CWT, json=GOOD).status_code == 200

    def done():
        j = client.get(f"/api/v1/jobs/{job_id}").json()
        return j if j["status"] in ("completed", "failed", "cancelled") else None

    assert wait_for(done, 120)["status"] == "completed"
    res = client.get(f"/api/v1/jobs/{job_id}/result").json()["result"]
    assert_array_equal(nan_array(res["sig95"]), _expected_sig(body))


class TestBodyLimit:
    """The keyed app has a 256 KiB body limit (PYCWT_MAX_BODY_BYTES)."""

    @pytest.fixture(scope="class")
    @classmethod
    def http(cls, keyed_service):
        headers = {"X-API-Key": keyed_service.keys[0]}
        with httpx.Client(base_url=keyed_service.url, timeout=60, headers=headers) as c:
            yield c

    def _big(self, keyed_service) -> bytes:
        return b'{"data": [' + b"1.0, " * (keyed_service.max_body_bytes // 5) + b'1.0], "dt": 1}'

    def test_content_length_over_limit_is_413(self, http, keyed_service):
        r = http.post(CWT, content=self._big(keyed_service), headers=JSON)
        assert r.status_code == 413
        assert str(keyed_service.max_body_bytes) in r.json()["detail"]
        assert r.json()["code"] == "too_large"
        assert "PYCWT_MAX_BODY_BYTES" in r.json()["detail"]

    def test_chunked_body_over_limit_is_413(self, http, keyed_service):
        big = self._big(keyed_service)

        def chunks():  # no Content-Length: Transfer-Encoding chunked
            for i in range(0, len(big), 16384):
                yield big[i : i + 16384]

        r = http.post(CWT, content=chunks(), headers=JSON)
        assert r.status_code == 413
        assert "chunked" in r.json()["detail"]
        assert r.json()["code"] == "too_large"

    def test_chunked_body_within_limit_is_served(self, http):
        raw = b'{"data": [0.0, 1.0, 0.0, -1.0, 0.5, 0.2], "dt": 1}'
        r = http.post(CWT, content=iter([raw[:10], raw[10:]]), headers=JSON)
        assert r.status_code == 200, r.text
        assert http.get("/health").status_code == 200


def test_overload_answers_503_quickly(keyed_service):
    """A burst of slow synchronous requests at a deployment that takes 1 at a time with
    1 queued: the surplus gets 503 at once (Ray Serve backpressure), the rest succeed."""
    x, y = series(512, 60), series(512, 61, period=20)
    body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "significance_test": True, "mc_count": 40, "seed": 1}  # fmt: skip
    headers = {"X-API-Key": keyed_service.keys[1]}
    url = keyed_service.url + "/api/v1/analysis/wct"

    def one(_):
        t0 = time.monotonic()
        r = httpx.post(url, json=body, headers=headers, timeout=120)
        return r.status_code, time.monotonic() - t0, r

    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    codes = sorted(c for c, _, _ in results)
    assert set(codes) <= {200, 503}, codes
    assert codes.count(200) >= 1 and codes.count(503) >= 1, codes
    slowest_ok = max(t for c, t, _ in results if c == 200)
    for code, took, r in results:
        if code == 503:
            assert "overloaded" in r.json()["detail"]
            assert r.headers.get("retry-after") == "2"
            assert took < slowest_ok, "a 503 must come before the work it refused"
    # and it recovers
    r = httpx.post(url, json=body, headers=headers, timeout=120)
    assert r.status_code == 200
