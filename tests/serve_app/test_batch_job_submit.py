"""The batch entry point: file loading, and a real `ray job submit` to `ray start --head`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod.options import MonteCarlo, ScaleGrid
from serve_app.batch import BatchOptions, analyse
from serve_app.client.series import series_of_file as load_series

from .conftest import ROOT, free_port
from .procs import kill_marked
from .utils import series

OPTIONS = BatchOptions(
    ScaleGrid(1.0, 0.25, wavelet="morlet"),
    monte_carlo=MonteCarlo(mc_count=12, seed=3, backend="sequential", cache=False),
)


def _write_inputs(folder: Path) -> dict[str, np.ndarray]:
    folder.mkdir()
    a, b, c = series(256, 40), series(300, 41), series(256, 42, period=20)
    np.savetxt(folder / "single.csv", a, delimiter=",", header="value", comments="")
    np.save(folder / "single_npy.npy", b)
    np.savetxt(folder / "pair.csv", np.column_stack([a, c]), delimiter=",", header="x,y")
    return {"single": a, "single_npy": b, "pair_x": a, "pair_y": c}


class TestLoadAndAnalyse:
    def test_load_shapes(self, tmp_path):
        data = _write_inputs(tmp_path / "in")
        assert_allclose(load_series(tmp_path / "in/single.csv")[0], data["single"], rtol=1e-15)
        assert load_series(tmp_path / "in/single_npy.npy").shape == (1, 300)
        pair = load_series(tmp_path / "in/pair.csv")
        assert pair.shape == (2, 256)
        np.save(tmp_path / "three.npy", np.zeros((3, 50)))
        with pytest.raises(ValueError, match="one or two series"):
            load_series(tmp_path / "three.npy")

    def test_pair_matches_library(self):
        x, y = series(256, 43), series(256, 44, period=12)
        out = analyse(np.vstack([x, y]), OPTIONS)
        lib = pycwt_mod.wct(x, y, 1.0, 0.25, mc_count=12, seed=3, cache=False, progress=False)
        assert_allclose(out["WCT"], lib[0], rtol=1e-10)
        assert_array_equal(out["sig95"], lib[4])

    def test_bad_series_raises_value_error(self):
        with pytest.raises(ValueError, match="non-finite"):
            analyse(np.array([[1.0, np.nan, 2.0, 3.0]]), OPTIONS)


@pytest.mark.slow
def test_ray_job_submit_batch(tmp_path):
    data = _write_inputs(tmp_path / "in")
    out = tmp_path / "out"
    bindir = Path(sys.executable).parent
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "PATH": f"{bindir}:{os.environ['PATH']}"}
    env.pop("RAY_ADDRESS", None)
    dash = free_port()
    ports = {
        "--port": free_port(), "--dashboard-port": dash, "--ray-client-server-port": free_port(),
        "--dashboard-agent-listen-port": free_port(), "--dashboard-agent-grpc-port": free_port(),
        "--runtime-env-agent-port": free_port(), "--metrics-export-port": free_port(),
        "--node-manager-port": free_port(), "--object-manager-port": free_port(),
    }  # fmt: skip
    # Its own temp dir (short: Ray's socket paths): its session files and the
    # ray_current_cluster file `ray start` writes go there, and its processes (which
    # leave our process group) are found by it and killed (SIGKILL: SIGTERM to
    # `ray start --block` takes 10-30 s to stop the cluster gracefully) and removed.
    tmp_dir = tempfile.mkdtemp(prefix="pcwb-", dir="/tmp")
    cmd = [str(bindir / "ray"), "start", "--head", "--block", "--num-cpus=2",
           "--include-dashboard=true", "--dashboard-host=127.0.0.1", f"--temp-dir={tmp_dir}",
           *[f"{k}={v}" for k, v in ports.items()]]  # fmt: skip
    log = open(tmp_path / "ray_start.log", "w")  # closed in finally
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    address = f"http://127.0.0.1:{dash}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{address}/api/version", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (tmp_path / "ray_start.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "ray start --head did not come up in 120 s"
            time.sleep(1)
        submit = [str(bindir / "ray"), "job", "submit", "--address", address,
                  "--working-dir", str(ROOT), "--",
                  "python", "-m", "serve_app.batch", "--input", str(tmp_path / "in"),
                  "--output", str(out), "--dj", "0.25", "--significance",
                  "--mc-count", "12", "--seed", "3"]  # fmt: skip
        # The dashboard answers before its job agent registers; Ray then refuses the
        # submission with "No available agent ... please try again later".
        deadline = time.monotonic() + 120
        while True:
            run = subprocess.run(submit, env=env, capture_output=True, text=True, timeout=300)
            agent_not_ready = "No available agent" in run.stdout + run.stderr
            if run.returncode == 0 or not agent_not_ready or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "3 ok, 0 failed" in run.stdout
    finally:
        kill_marked(tmp_dir, roots=(proc.pid,))
        proc.wait(timeout=30)
        log.close()
        shutil.rmtree(tmp_dir, ignore_errors=True)

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ok"] == 3 and manifest["failed"] == 0
    single = np.load(out / "single.npz")
    x = data["single"]
    W = pycwt_mod.cwt((x - x.mean()) / x.std(), 1.0, 0.25)[0]
    assert_allclose(single["wave"], W, rtol=1e-10)
    assert np.load(out / "single_npy.npz")["wave"].shape[1] == 300
    pair = np.load(out / "pair.npz")
    lib = pycwt_mod.wct(data["pair_x"], data["pair_y"], 1.0, 0.25, mc_count=12, seed=3,
                        cache=False, progress=False)  # fmt: skip
    assert_allclose(pair["WCT"], lib[0], rtol=1e-10)
    assert_array_equal(pair["sig95"], lib[4])
