"""Issue 11, section 2 and issue 12 (HTTP side): real records within the default limits,
answers as large as asked for (``output``, ``dtype``), and gaps, trends and
standardisation as request options backed by `pycwt_mod.preprocess`."""

from __future__ import annotations

import io
import time

import httpx
import numpy as np
import orjson
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from ray import serve

import pycwt_mod
from pycwt_mod.options import ScaleGrid
from pycwt_mod.preprocess import detrend, fill_gaps, gap_mask, standardize
from serve_app.analysis import check_size
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz, to_npz
from serve_app.settings import Settings

from .conftest import NAMESPACE
from .utils import complex_array, nan_array, series

CWT = "/api/v1/analysis/cwt"
NPZ = {"Content-Type": NPZ_MEDIA_TYPE, "Accept": NPZ_MEDIA_TYPE}
#: A century of daily values.
DAILY_CENTURY = 36_525
DEFAULTS_APP = "pycwt_mod_defaults"


def test_default_limits_admit_a_century_of_daily_values():
    limits = Settings().request_limits()  # the defaults (no PYCWT_* variables in tests)
    scales = ScaleGrid(1.0, 1 / 12).resolve(DAILY_CENTURY).scales
    assert scales.size == 171
    check_size(DAILY_CENTURY, scales.size, limits)  # raises when over


@pytest.fixture(scope="module")
def defaults_url(service, tmp_path_factory):
    """An app with the default settings (only its storage and names set), beside the
    test app in the same cluster; deleted after this module."""
    from serve_app.app import build_app

    db = tmp_path_factory.mktemp("defaults") / "jobs.sqlite3"
    args = {"db_path": str(db), "ray_namespace": NAMESPACE,
            "registry_name": "pycwt_mod_test_registry_defaults"}  # fmt: skip
    serve.run(build_app(args), name=DEFAULTS_APP, route_prefix="/defaults")
    url = service.url + "/defaults"
    deadline = time.monotonic() + 60
    while httpx.get(url + "/health", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the defaults app did not start"
        time.sleep(0.25)
    yield url
    serve.delete(DEFAULTS_APP)


def test_a_century_of_daily_values_with_the_default_settings(defaults_url):
    """The CWT over npz and the power over JSON, at the default dj, answered 200."""
    x = series(DAILY_CENTURY, seed=11, period=365.25)
    with httpx.Client(base_url=defaults_url, timeout=300) as http:
        r = http.post(CWT, content=to_npz({"data": x, "dt": 1.0}), headers=NPZ)
        assert r.status_code == 200, r.text[:500]
        wave = from_npz(r.content)["wave"]
        assert wave.shape == (171, DAILY_CENTURY) and wave.dtype == np.complex128
        r = http.post(CWT, json={"data": x.tolist(), "dt": 1.0, "output": "power"})
        assert r.status_code == 200, r.text[:500]
        body = orjson.loads(r.content)
        assert "wave" not in body or body["wave"] is None
        power = np.asarray(body["power"], dtype=float)
        assert_allclose(power, np.abs(wave) ** 2, rtol=1e-12)


class TestOutput:
    def test_power_float32_equals_wave_and_is_smaller(self, client):
        x = series(1024, seed=5)
        full = client.post(CWT, json={"data": x.tolist(), "dt": 1.0})
        small = client.post(
            CWT, json={"data": x.tolist(), "dt": 1.0, "output": "power", "dtype": "float32"}
        )
        assert full.status_code == small.status_code == 200, small.text[:300]
        wave = complex_array(full.json()["wave"])
        power = nan_array(small.json()["power"])
        assert_allclose(power, np.abs(wave) ** 2, rtol=1e-6)
        assert small.json()["fft"] is None
        assert len(small.content) * 3 < len(full.content)  # 4.5 MB -> 1.25 MB

    def test_float32_npz(self, client):
        x = series(512, seed=6)
        blob = to_npz({"data": x, "dt": 1.0, "dtype": "float32"})
        r = client.post(CWT, content=blob, headers=NPZ)
        assert r.status_code == 200, r.text[:300]
        got = from_npz(r.content)
        assert got["wave"].dtype == np.complex64 and got["scales"].dtype == np.float32
        ref = pycwt_mod.cwt(standardize(x), 1.0, 1 / 12)[0]
        assert_allclose(got["wave"], ref, rtol=1e-4, atol=1e-5 * np.abs(ref).max())

    def test_bad_output_is_422(self, client):
        r = client.post(CWT, json={"data": [1.0, 2.0, 3.0], "dt": 1, "output": "phase"})
        assert r.status_code == 422 and "power" in r.text


class TestPreprocessing:
    def test_gaps_mask_returns_the_gap_mask(self, client):
        x = series(256, seed=7)
        data = x.tolist()
        data[100:104] = [None] * 4
        r = client.post(CWT, json={"data": data, "dt": 1.0, "dj": 0.25, "gaps": "mask"})
        assert r.status_code == 200, r.text[:300]
        res = r.json()
        missing = np.isnan(nan_array(data))
        expected = gap_mask(missing, 1 / nan_array(res["freqs"]), 1.0)
        assert_array_equal(np.asarray(res["gap_mask"], dtype=bool), expected)
        assert expected[:, 100:104].all() and not expected[0, :90].any()
        ref = pycwt_mod.cwt(fill_gaps(standardize(nan_array(data))), 1.0, 0.25)[0]
        assert_allclose(complex_array(res["wave"]), ref, rtol=1e-9, atol=1e-12)

    def test_gaps_mask_in_coherence(self, client):
        x, y = series(128, seed=8), series(128, seed=9)
        d1 = x.tolist()
        d1[60] = None
        body = {"data1": d1, "data2": y.tolist(), "dt": 1.0, "dj": 0.5, "gaps": "mask"}
        r = client.post("/api/v1/analysis/wct", json=body)
        assert r.status_code == 200, r.text[:300]
        mask = np.asarray(r.json()["gap_mask"], dtype=bool)
        assert mask.shape == np.asarray(r.json()["WCT"]).shape and mask[:, 60].all()

    def test_detrend_linear(self, client):
        t = np.arange(256.0)
        x = series(256, seed=10) + 0.05 * t
        r = client.post(CWT, json={"data": x.tolist(), "dt": 1.0, "dj": 0.25,
                                   "detrend": "linear"})  # fmt: skip
        assert r.status_code == 200, r.text[:300]
        ref = pycwt_mod.cwt(standardize(detrend(x, "linear")), 1.0, 0.25)[0]
        assert_allclose(complex_array(r.json()["wave"]), ref, rtol=1e-9, atol=1e-12)


def test_npz_null_free_series_with_nan_is_the_same_400(client):
    x = series(64)
    x[5] = np.nan
    buf = io.BytesIO()
    np.savez(buf, data=x, dt=np.array(1.0))
    r = client.post(CWT, content=buf.getvalue(), headers={"Content-Type": NPZ_MEDIA_TYPE})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert (
        "`data` has 1 missing value(s) (non-finite: NaN or null); the first is at index 5" in detail
    )
