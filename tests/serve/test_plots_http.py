"""POST /api/v1/plots/{cwt,wct}: PNGs rendered in the compute deployments."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread

from serve_app.npz import NPZ_MEDIA_TYPE

from .utils import series


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

    def test_errors(self, client):
        r = client.post("/api/v1/plots/cwt", json={"data": [1.0, 2.0, None], "dt": 1})
        assert r.status_code == 400  # a missing sample, as a NaN
        assert "index 2" in r.json()["detail"]
        r = client.post("/api/v1/plots/cwt", json={"data": [1.0] * 64, "dt": 1, "dpi": 5000})
        assert r.status_code == 422
        r = client.post("/api/v1/plots/cwt", json={"data": [1.0] * 64, "dt": 1})
        assert r.status_code == 400  # constant series cannot be normalised
        assert "constant" in r.json()["detail"]


class TestPlotWCT:
    def test_with_significance(self, client):
        x, y = series(200, seed=1), series(200, seed=2)
        body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1, "dj": 0.5,
                "significance_test": True, "mc_count": 10, "seed": 1, "dpi": 40}  # fmt: skip
        r = client.post("/api/v1/plots/wct", json=body)
        assert r.status_code == 200, r.text
        assert png_shape(r.content) == (180, 360, 4)

    def test_unequal_lengths_is_400(self, client):
        body = {"data1": series(100).tolist(), "data2": series(90).tolist(), "dt": 1}
        r = client.post("/api/v1/plots/wct", json=body)
        assert r.status_code == 400

    def test_documented(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        for p in ("/api/v1/plots/cwt", "/api/v1/plots/wct"):
            assert "image/png" in paths[p]["post"]["responses"]["200"]["content"]
