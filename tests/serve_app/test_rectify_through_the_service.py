"""Bias-rectified power (``rectify``, a field of `pycwt_mod.options.Spectrum`) through the
service's doors: HTTP CWT and XWT, the Client and the CLI (local and ``--url``), each
bit-identical to `pycwt_mod.pipeline` with ``Spectrum(rectify=True)``; no door lists the
field by hand (it comes with the option type)."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from pycwt_mod.options import Preprocessing, ScaleGrid, Spectrum
from pycwt_mod.pipeline import analyze_cwt, analyze_xwt
from serve_app.client import Client
from serve_app.http import schemas

from .client.test_cli import run
from .utils import nan_array, series

X, Y = series(256, 61, period=8), series(256, 62, period=64)
GRID = ScaleGrid(1.0, 0.25)
RECTIFIED = Spectrum(rectify=True)


def test_the_requests_with_power_take_the_field_jobs_do_not():
    for model in (schemas.CWTRequest, schemas.XWTRequest):
        assert "rectify" in model.model_fields
    assert "rectify" not in schemas.SignificanceRequest.model_fields  # thresholds: no power


def test_http_cwt_power_and_xwt_are_the_pipelines(client):
    body = {"data": X.tolist(), "dt": 1.0, "dj": 0.25, "output": "power", "rectify": True}
    r = client.post("/api/v1/analysis/cwt", json=body)
    assert r.status_code == 200, r.text[:300]
    lib = analyze_cwt(X, GRID, Preprocessing(), spectrum=RECTIFIED)
    assert_array_equal(nan_array(r.json()["power"]), lib.power)
    plain = analyze_cwt(X, GRID, Preprocessing())
    assert not np.allclose(lib.power, plain.power)  # the field did something
    body = {"data1": X.tolist(), "data2": Y.tolist(), "dt": 1.0, "dj": 0.25, "rectify": True}
    r = client.post("/api/v1/analysis/xwt", json=body)
    assert r.status_code == 200, r.text[:300]
    xw = analyze_xwt(X, Y, GRID, Preprocessing(), spectrum=RECTIFIED)
    assert_array_equal(nan_array(r.json()["signif"]), xw.signif)
    r = client.post("/api/v1/analysis/cwt", json={**body, "data": X.tolist(), "rectify": 2})
    assert r.status_code == 422 and "rectify" in r.text


def test_client_and_cli_are_the_pipelines(service, tmp_path):
    lib = analyze_cwt(X, GRID, Preprocessing(), significance_level=0.95, spectrum=RECTIFIED)
    with Client(service.url) as c:
        res = c.cwt(X, 1.0, dj=0.25, output="power", rectify=True)
        objs = c.cwt(X, grid=GRID, spectrum=RECTIFIED, output="power")
    assert_array_equal(res.power, lib.power)
    assert_array_equal(objs.power, lib.power)
    np.save(tmp_path / "x.npy", X)
    local, remote = tmp_path / "local.npz", tmp_path / "remote.npz"
    assert run("cwt", tmp_path / "x.npy", "--dj", 0.25, "--rectify", "-o", local).returncode == 0
    r = run("cwt", tmp_path / "x.npy", "--dj", 0.25, "--rectify", "--url", service.url)
    assert r.returncode == 0, r.stderr
    assert "power rectified" in r.stdout
    assert run("cwt", tmp_path / "x.npy", "--dj", 0.25, "--rectify", "--url", service.url,
               "-o", remote).returncode == 0  # fmt: skip
    with np.load(local) as a, np.load(remote) as b:
        assert_array_equal(a["power"], lib.power)
        np.testing.assert_allclose(b["power"], lib.power, rtol=1e-12)
        assert_array_equal(a["signif"], lib.sig95)  # the level divided by the scale too
        np.testing.assert_allclose(b["signif"], lib.sig95, rtol=1e-12)
