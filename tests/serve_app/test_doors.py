"""One pair of series, one set of options, one seed: the same bits through every door.

The library (`pycwt_mod.pipeline.analyze_wct`), the labelled API, the CLI locally and
with ``--url``, the HTTP client, HTTP synchronous, an HTTP significance job, a Serve
handle and the batch job on Ray Data all assemble the analysis in the library's one
pipeline, so for the same series, options and seed they give bit-identical coherence
and thresholds. The options include the seasonal ``anomalies`` step and a detrend, so
preprocessing is covered too; every door runs on the CPU (the backends are
bit-identical there, whichever each door picks).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pycwt_mod import labelled
from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.pipeline import analyze_wct
from serve_app.batch import main as batch_main
from serve_app.client import Client
from serve_app.client.cli import main as cli_main
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz

from .utils import series, wait_for

N, CYCLE, SEED, MC_COUNT = 240, 12, 20261202, 16
GRID = ScaleGrid(dt=1.0, dj=0.25)
PRE = Preprocessing(anomalies=CYCLE, detrend="linear")
MC = MonteCarlo(mc_count=MC_COUNT, seed=SEED, cache=False)
#: The same options as the flat fields of an HTTP body.
FIELDS = {"dt": 1.0, "dj": 0.25, "anomalies": CYCLE, "detrend": "linear"}
MC_FIELDS = {"mc_count": MC_COUNT, "seed": SEED}
#: And as CLI flags.
FLAGS = ["--dt", "1", "--dj", "0.25", "--anomalies", str(CYCLE), "--detrend", "linear"]
MC_FLAGS = ["--significance", "--mc-count", str(MC_COUNT), "--seed", str(SEED)]


@pytest.fixture(scope="module")
def pair() -> tuple[np.ndarray, np.ndarray]:
    """Two series with a strong seasonal cycle, a trend and a shared period-16 signal."""
    t = np.arange(N)
    season = 3.0 * np.sin(2 * np.pi * t / CYCLE)
    x = series(N, 1) + season + 0.01 * t
    y = np.roll(series(N, 1), 3) + 0.5 * series(N, 2, period=40) + season
    return x, y


@pytest.fixture(scope="module")
def reference(pair):
    """The library's answer: coherence and thresholds."""
    a = analyze_wct(*pair, GRID, PRE, monte_carlo=MC)
    assert a.thresholds.seed == SEED
    # the anomalies step matters: without it the annual cycle dominates the coherence
    plain = analyze_wct(*pair, GRID, Preprocessing(detrend="linear"))
    assert not np.array_equal(plain.WCT, a.WCT)
    return a.WCT, a.sig95


def _same(got_wct, got_sig, reference) -> None:
    wct, sig = reference
    if got_wct is not None:
        assert_array_equal(np.asarray(got_wct), wct)
    assert_array_equal(np.asarray(got_sig, dtype=float), sig)


def test_labelled_api(pair, reference):
    ds = labelled.wct(*pair, grid=GRID, preprocessing=PRE, monte_carlo=MC)
    _same(ds.coherence.values, ds.sig95.values, reference)
    assert ds.attrs["seed"] == str(SEED)


def test_cli_local_and_url(pair, reference, service, tmp_path):
    for name, s in zip(("x.npy", "y.npy"), pair, strict=True):
        np.save(tmp_path / name, s)
    files = [str(tmp_path / "x.npy"), str(tmp_path / "y.npy")]
    for where, extra in (("local", []), ("url", ["--url", service.url])):
        out = tmp_path / f"{where}.npz"
        code = cli_main(["wct", *files, *FLAGS, *MC_FLAGS, "--quiet", *extra, "-o", str(out)])
        assert code == 0
        z = np.load(out)
        _same(z["WCT"], z["sig95"], reference)
        assert int(z["seed"]) == SEED


def test_http_client(pair, reference, service):
    with Client(service.url) as c:
        res = c.wct(*pair, grid=GRID, preprocessing=PRE, monte_carlo=MC, significance_test=True)
    _same(res.WCT, res.sig95, reference)


def test_http_synchronous(pair, reference, client):
    body = {"data1": pair[0].tolist(), "data2": pair[1].tolist(), **FIELDS, **MC_FIELDS}
    r = client.post(
        "/api/v1/analysis/wct",
        json={**body, "significance_test": True},
        headers={"accept": NPZ_MEDIA_TYPE},
    )
    assert r.status_code == 200, r.text
    z = from_npz(r.content)
    _same(z["WCT"], z["sig95"], reference)


def test_http_job(pair, reference, client):
    body = {"data1": pair[0].tolist(), "data2": pair[1].tolist(), **FIELDS, **MC_FIELDS}
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code in (200, 202), r.text
    job = r.json()["job_id"]
    wait_for(lambda: client.get(f"/api/v1/jobs/{job}").json()["status"] == "completed", 120)
    res = client.get(f"/api/v1/jobs/{job}/result", headers={"accept": NPZ_MEDIA_TYPE})
    assert res.status_code == 200, res.text
    _same(None, from_npz(res.content)["sig95"], reference)


def test_serve_handle(pair, reference, app_handle):
    res = app_handle.wct.remote(
        *pair, grid=GRID, preprocessing=PRE, monte_carlo=MC, significance_test=True
    ).result()
    _same(res.WCT, res.sig95, reference)


def test_batch_on_ray_data(pair, reference, service, tmp_path):
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    np.save(src / "pair.npy", np.vstack(pair))
    assert batch_main(["--input", str(src), "--output", str(dst), *FLAGS, *MC_FLAGS]) == 0
    z = np.load(io.BytesIO((dst / "pair.npz").read_bytes()))
    _same(z["WCT"], z["sig95"], reference)


def test_a_door_that_drops_an_option_fails_here(pair, reference, client):
    """The check can fail: the same request without ``anomalies`` is not the reference."""
    body = {"data1": pair[0].tolist(), "data2": pair[1].tolist(), **FIELDS, **MC_FIELDS}
    del body["anomalies"]
    r = client.post(
        "/api/v1/analysis/wct",
        json={**body, "significance_test": True},
        headers={"accept": NPZ_MEDIA_TYPE},
    )
    assert r.status_code == 200, r.text
    with pytest.raises(AssertionError):
        _same(from_npz(r.content)["WCT"], from_npz(r.content)["sig95"], reference)
