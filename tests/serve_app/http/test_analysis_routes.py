"""HTTP analysis endpoints against the real Serve app, checked against pycwt_mod."""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod.options import ScaleGrid

from ..utils import complex_array, nan_array, series

RTOL = 1e-10


class TestHealthAndDocs:
    def test_health(self, client):
        r = client.get("/health")
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "healthy"
        assert body["version"] == pycwt_mod.__version__
        assert "sequential" in body["backends_available"]
        assert "ray" in body["backends_available"]

    def test_openapi_docs(self, client):
        assert client.get("/docs").status_code == 200
        paths = client.get("/openapi.json").json()["paths"]
        for p in (
            "/health",
            "/api/v1/backends",
            "/api/v1/backends/{name}",
            "/api/v1/analysis/cwt",
            "/api/v1/analysis/icwt",
            "/api/v1/analysis/xwt",
            "/api/v1/analysis/wct",
            "/api/v1/analysis/significance",
            "/api/v1/jobs",
            "/api/v1/jobs/{job_id}",
            "/api/v1/jobs/{job_id}/result",
            "/api/v1/jobs/{job_id}/events",
        ):
            assert p in paths, p


class TestBackends:
    def test_list(self, client):
        body = client.get("/api/v1/backends").json()
        names = {b["name"]: b for b in body["backends"]}
        from pycwt_mod.montecarlo.backends import list_backends

        assert set(names) == set(list_backends())
        assert body["count"] == len(names)
        assert names["sequential"]["available"] is True
        for b in body["backends"]:
            assert b["available"] or b["reason"]

    def test_one(self, client):
        r = client.get("/api/v1/backends/sequential")
        assert r.status_code == 200
        assert r.json()["name"] == "sequential"

    def test_unknown_is_404(self, client):
        r = client.get("/api/v1/backends/nope")
        assert r.status_code == 404
        assert "sequential" in r.json()["detail"]


class TestCWT:
    @pytest.mark.parametrize("wavelet", ["morlet", "paul", "dog", "mexicanhat"])
    def test_matches_library(self, client, wavelet):
        x = series(300, seed=1)
        r = client.post(
            "/api/v1/analysis/cwt",
            json={"data": x.tolist(), "dt": 0.5, "dj": 0.25, "wavelet": wavelet},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        xn = (x - x.mean()) / x.std()
        W, sj, freqs, coi, fft, fftfreqs = pycwt_mod.cwt(xn, 0.5, 0.25, -1, -1, wavelet)
        assert_allclose(complex_array(body["wave"]), W, rtol=RTOL, atol=1e-12)
        assert_allclose(nan_array(body["scales"]), sj, rtol=RTOL)
        assert_allclose(nan_array(body["freqs"]), freqs, rtol=RTOL)
        assert_allclose(nan_array(body["coi"]), coi, rtol=RTOL)
        assert_allclose(complex_array(body["fft"]), fft, rtol=RTOL, atol=1e-12)
        assert_allclose(nan_array(body["fftfreqs"]), fftfreqs, rtol=RTOL)
        assert body["computation_time"] > 0
        assert body["backend_used"] == "numpy"

    def test_explicit_grid_without_normalize(self, client):
        x = series(128, seed=2) * 3 + 1
        r = client.post(
            "/api/v1/analysis/cwt",
            json={"data": x.tolist(), "dt": 1, "s0": 2.0, "J": 10, "dj": 0.5, "normalize": False},
        )
        assert r.status_code == 200, r.text
        W, *_ = pycwt_mod.cwt(x, 1.0, 0.5, 2.0, 10)
        assert len(r.json()["scales"]) == 11
        assert_allclose(complex_array(r.json()["wave"]), W, rtol=RTOL, atol=1e-12)

    def test_npz_on_request(self, client):
        x = series(128)
        r = client.post(
            "/api/v1/analysis/cwt",
            json={"data": x.tolist(), "dt": 1},
            headers={"Accept": "application/x-npz"},
        )
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/x-npz"
        z = np.load(io.BytesIO(r.content))
        W, *_ = pycwt_mod.cwt((x - x.mean()) / x.std(), 1.0)
        assert_array_equal(z["wave"], W)

    def test_nan_is_400_with_library_message(self, client):
        r = client.post(
            "/api/v1/analysis/cwt",
            content=b'{"data": [1.0, NaN, 2.0, 3.0], "dt": 1}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400
        assert "non-finite" in r.json()["detail"]

    def test_too_short_is_400(self, client):
        r = client.post("/api/v1/analysis/cwt", json={"data": [1.0], "dt": 1})
        assert r.status_code == 400
        assert "at least 2 samples" in r.json()["detail"]

    def test_unknown_wavelet_is_422_listing_names(self, client):
        body = {"data": [1, 2, 3], "dt": 1, "wavelet": "haar"}
        r = client.post("/api/v1/analysis/cwt", json=body)
        assert r.status_code == 422
        text = r.text
        for name in ("morlet", "paul", "dog", "mexicanhat"):
            assert name in text

    @pytest.mark.parametrize(
        "patch",
        [{"dt": 0}, {"dt": -1}, {"dj": 0}, {"s0": -2}, {"J": -3}, {"data": "abc"}, {"extra": 1}],
    )
    def test_bad_fields_are_422(self, client, patch):
        body = {"data": [1.0, 2.0, 3.0], "dt": 1.0, **patch}
        assert client.post("/api/v1/analysis/cwt", json=body).status_code == 422

    def test_missing_field_is_422(self, client):
        r = client.post("/api/v1/analysis/cwt", json={"data": [1.0, 2.0]})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "dt"]

    def test_over_sample_limit_is_413(self, client):
        r = client.post("/api/v1/analysis/cwt", json={"data": [0.0, 1.0] * 10_001, "dt": 1})
        assert r.status_code == 413
        assert "PYCWT_MAX_SAMPLES" in r.json()["detail"]


class TestICWT:
    def test_round_trip_matches_library(self, client):
        x = series(256, seed=3)
        cw = client.post(
            "/api/v1/analysis/cwt", json={"data": x.tolist(), "dt": 1, "dj": 0.125}
        ).json()
        r = client.post(
            "/api/v1/analysis/icwt",
            json={"wave": cw["wave"], "scales": cw["scales"], "dt": 1, "dj": 0.125},
        )
        assert r.status_code == 200, r.text
        W = complex_array(cw["wave"])
        expected = pycwt_mod.icwt(W, nan_array(cw["scales"]), 1.0, 0.125)
        assert_allclose(nan_array(r.json()["signal"]), np.real(expected), rtol=RTOL)

    def test_shape_mismatch_is_400(self, client):
        r = client.post(
            "/api/v1/analysis/icwt",
            json={"wave": {"real": [[1.0, 2.0]]}, "scales": [1, 2, 3], "dt": 1},
        )
        assert r.status_code == 400
        assert "does not match" in r.json()["detail"]


class TestXWT:
    def test_matches_library(self, client):
        x, y = series(200, 4), series(200, 5, period=20)
        r = client.post(
            "/api/v1/analysis/xwt",
            json={"data1": x.tolist(), "data2": y.tolist(), "dt": 1, "dj": 0.25},
        )
        assert r.status_code == 200, r.text
        W12, coi, freq, signif = pycwt_mod.xwt(x, y, 1.0, 0.25)
        body = r.json()
        assert_allclose(complex_array(body["xwt"]), W12, rtol=RTOL, atol=1e-12)
        assert_allclose(nan_array(body["coi"]), coi, rtol=RTOL)
        assert_allclose(nan_array(body["freqs"]), freq, rtol=RTOL)
        assert_allclose(nan_array(body["signif"]), signif, rtol=RTOL)

    def test_unequal_lengths_is_400(self, client):
        r = client.post(
            "/api/v1/analysis/xwt", json={"data1": [1.0, 2, 3, 4], "data2": [1.0, 2, 3], "dt": 1}
        )
        assert r.status_code == 400
        assert "length" in r.json()["detail"]


class TestWCT:
    def test_coherence_matches_library(self, client):
        x, y = series(256, 6), series(256, 7, period=24)
        r = client.post(
            "/api/v1/analysis/wct",
            json={"data1": x.tolist(), "data2": y.tolist(), "dt": 1, "dj": 0.25},
        )
        assert r.status_code == 200, r.text
        WCT, aWCT, coi, freq, _ = pycwt_mod.wct(x, y, 1.0, 0.25, sig=False)
        body = r.json()
        assert_allclose(nan_array(body["WCT"]), WCT, rtol=RTOL)
        assert_allclose(nan_array(body["aWCT"]), aWCT, rtol=RTOL, atol=1e-13)
        assert_allclose(nan_array(body["coi"]), coi, rtol=RTOL)
        assert_allclose(nan_array(body["freqs"]), freq, rtol=RTOL)
        assert body["sig95"] is None
        assert body["backend_used"] == "numpy"

    def test_sync_significance_is_bit_identical_to_library(self, client):
        from pycwt_mod import montecarlo

        x, y = series(128, 8), series(128, 9, period=12)
        r = client.post(
            "/api/v1/analysis/wct",
            json={
                "data1": x.tolist(),
                "data2": y.tolist(),
                "dt": 1,
                "dj": 0.25,
                "significance_test": True,
                "mc_count": 20,
                "seed": 1234,
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        rg = ScaleGrid(1.0, 0.25).resolve(128)
        s0, J = rg.s0, rg.J
        expected = montecarlo.wct_significance(
            pycwt_mod.ar1(x)[0], pycwt_mod.ar1(y)[0], 1.0, 0.25, s0, J,
            mc_count=20, seed=1234, progress=False, cache=False, backend="sequential",
        )  # fmt: skip
        assert_array_equal(nan_array(body["sig95"]), expected)
        assert body["seed"] == 1234
        assert body["backend_used"] == "sequential"
        # the library's own wct(sig=True) agrees too
        lib = pycwt_mod.wct(x, y, 1.0, 0.25, mc_count=20, seed=1234, cache=False, progress=False)
        assert_array_equal(nan_array(body["sig95"]), lib[4])

    def test_over_budget_points_to_async_endpoint(self, client):
        x = series(1024, 10)
        r = client.post(
            "/api/v1/analysis/wct",
            json={
                "data1": x.tolist(),
                "data2": x[::-1].tolist(),
                "dt": 1,
                "significance_test": True,
                "mc_count": 1000,
            },
        )
        assert r.status_code == 400
        assert "/api/v1/analysis/significance" in r.json()["detail"]
        assert r.json()["code"] == "over_sync_budget"  # what clients branch on

    def test_unknown_backend_is_422(self, client):
        r = client.post(
            "/api/v1/analysis/wct",
            json={"data1": [1.0, 2.0], "data2": [1.0, 2.0], "dt": 1, "backend": "quantum"},
        )
        assert r.status_code == 422
        assert "sequential" in r.text

    def test_unavailable_backend_is_503(self, client):
        if get_backend_available("gpu"):
            pytest.skip("a GPU is available here")
        x = series(256, 11)
        r = client.post(
            "/api/v1/analysis/wct",
            json={
                "data1": x.tolist(),
                "data2": x[::-1].tolist(),
                "dt": 1,
                "dj": 0.5,
                "significance_test": True,
                "mc_count": 10,
                "backend": "gpu",
            },
        )
        assert r.status_code == 503, r.text
        assert "backend unavailable" in r.json()["detail"]

    def test_unequal_lengths_is_400(self, client):
        r = client.post(
            "/api/v1/analysis/wct", json={"data1": [1.0, 2, 3, 4], "data2": [1.0, 2, 3], "dt": 1}
        )
        assert r.status_code == 400


def get_backend_available(name: str) -> bool:
    from pycwt_mod.montecarlo.backends import describe_backends

    return any(d["name"] == name and d["available"] for d in describe_backends())
