"""POST /api/v1/plots/{cwt,wct}: PNGs rendered in the compute deployments."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread

import pycwt_mod
from pycwt_mod.options import Preprocessing, ScaleGrid
from pycwt_mod.pipeline import analyze_cwt
from serve_app.npz import NPZ_MEDIA_TYPE

from ..utils import series, wait_for


def png_shape(content: bytes) -> tuple:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(io.BytesIO(content), format="png").shape


class TestPlotCWT:
    def test_png_size_and_content(self, client):
        body = {"data": series(256).tolist(), "dt": 0.25, "dj": 0.25, "t0": 1950.0,
                "title": "test", "width": 6, "height": 3, "dpi": 50}  # fmt: skip
        r = client.post("/api/v1/plots/cwt", json=body)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "image/png"
        assert png_shape(r.content) == (150, 300, 4)
        img = imread(io.BytesIO(r.content), format="png")
        assert img[..., :3].std() > 0.05  # not a blank image

    def test_default_size_and_npz_body(self, client):
        buf = io.BytesIO()
        np.savez(buf, data=series(128), dt=np.array(1.0))
        r = client.post(
            "/api/v1/plots/cwt", content=buf.getvalue(), headers={"Content-Type": NPZ_MEDIA_TYPE}
        )
        assert r.status_code == 200, r.text
        assert png_shape(r.content) == (450, 900, 4)

    def test_red_noise_significance_contour(self, client):
        body = {"data": series(256, seed=4).tolist(), "dt": 1.0, "dj": 0.25, "dpi": 40}
        plain = client.post("/api/v1/plots/cwt", json=body)
        sig = client.post("/api/v1/plots/cwt", json={**body, "significance_test": True})
        assert plain.status_code == sig.status_code == 200, sig.text[:300]
        assert png_shape(sig.content) == png_shape(plain.content)
        assert sig.content != plain.content  # the contour (and T&C levels) drawn
        given = client.post("/api/v1/plots/cwt", json={**body, "significance_test": True,
                                                        "ar1": 0.3, "gaps": "mask"})  # fmt: skip
        assert given.status_code == 200, given.text[:300]
        assert given.content != sig.content  # the given AR(1) draws another contour

    def test_power_significance_is_the_libraries(self):
        x = series(300, seed=12)
        _, scales, *_ = pycwt_mod.cwt((x - x.mean()) / x.std(), 1.0, 0.25)
        a = analyze_cwt(x, ScaleGrid(1.0, 0.25), Preprocessing(), significance_level=0.9, ar1=0.4)
        assert np.array_equal(a.scales, scales)
        sig, var = a.sig95, a.variance
        ref, _ = pycwt_mod.significance(1.0, 1.0, scales, 0, 0.4, 0.9)
        np.testing.assert_allclose(sig, ref, rtol=1e-12)
        assert abs(var - 1.0) < 1e-12

    def test_errors(self, client):
        r = client.post("/api/v1/plots/cwt", json={"data": [1.0, 2.0, None], "dt": 1})
        assert r.status_code == 400  # a missing sample, as a NaN
        assert "index 2" in r.json()["detail"]
        r = client.post("/api/v1/plots/cwt", json={"data": [1.0] * 64, "dt": 1, "dpi": 5000})
        assert r.status_code == 422
        r = client.post("/api/v1/plots/cwt", json={"data": [1.0] * 64, "dt": 1})
        assert r.status_code == 400  # constant series cannot be normalised
        assert "constant" in r.json()["detail"]
        one_scale = {"data": [0.0, 1.0, 0.5, -1.0], "dt": 1, "J": 0}  # found by the fuzz test
        r = client.post("/api/v1/plots/cwt", json=one_scale)
        assert r.status_code == 400 and "at least 2 scales" in r.json()["detail"]


class TestPlotWCT:
    def test_with_significance(self, client):
        x, y = series(200, seed=1), series(200, seed=2)
        body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1, "dj": 0.5,
                "significance_test": True, "mc_count": 10, "seed": 1, "dpi": 40}  # fmt: skip
        r = client.post("/api/v1/plots/wct", json=body)
        assert r.status_code == 200, r.text
        assert png_shape(r.content) == (180, 360, 4)

    def test_thresholds_of_a_completed_job(self, client):
        """A full mc_count=300 test drawn from its job: no Monte Carlo in the plot call."""
        x, y = series(64, seed=1), series(64, seed=2)
        grid = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1, "dj": 0.5}
        r = client.post("/api/v1/analysis/significance",
                        json={**grid, "mc_count": 300, "seed": 3})  # fmt: skip
        assert r.status_code == 200, r.text
        job_id = r.json()["job_id"]

        def done():
            j = client.get(f"/api/v1/jobs/{job_id}").json()
            return j if j["status"] in ("completed", "failed", "cancelled") else None

        plot = {**grid, "dpi": 40}
        early = client.post("/api/v1/plots/wct", json={**plot, "job_id": job_id})
        assert wait_for(done, 120)["status"] == "completed"
        if early.status_code != 200:  # the job was still running
            assert early.status_code == 409 and "wait for it" in early.json()["detail"]
        r = client.post("/api/v1/plots/wct", json={**plot, "job_id": job_id})
        assert r.status_code == 200, r.text
        assert png_shape(r.content) == (180, 360, 4)
        plain = client.post("/api/v1/plots/wct", json=plot)
        assert plain.status_code == 200 and plain.content != r.content  # contour drawn

        other = client.post("/api/v1/plots/wct", json={**plot, "dj": 0.25, "job_id": job_id})
        assert other.status_code == 400 and "send the job's dt, dj" in other.json()["detail"]
        unknown = client.post("/api/v1/plots/wct", json={**plot, "job_id": "nope"})
        assert unknown.status_code == 404
        both = {**plot, "job_id": job_id, "significance_test": True}
        assert client.post("/api/v1/plots/wct", json=both).status_code == 422

    def test_unequal_lengths_is_400(self, client):
        body = {"data1": series(100).tolist(), "data2": series(90).tolist(), "dt": 1}
        r = client.post("/api/v1/plots/wct", json=body)
        assert r.status_code == 400

    def test_documented(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        for p in ("/api/v1/plots/cwt", "/api/v1/plots/wct"):
            assert "image/png" in paths[p]["post"]["responses"]["200"]["content"]
