"""The ray backend never waits on a dead cluster (issue 22, point 5).

A stale ``ray_current_cluster`` file (left by a ``ray start`` whose cluster was
killed) made ``wct_significance(backend="ray")`` hang in ``ray.init()``; now the
backend joins only an explicit address, checks that its head answers within a bound,
and otherwise starts a fresh local cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pycwt_mod.montecarlo.backends import BackendUnavailableError
from pycwt_mod.montecarlo.backends.ray_address import connect, current_cluster_file, resolve

ROOT = Path(__file__).resolve().parents[3]


def _dead_address() -> str:
    """A loopback address nothing listens on (a head that was killed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def stale_tmpdir(monkeypatch, tmp_path):
    """``RAY_TMPDIR`` whose current-cluster file names a dead head; no RAY_ADDRESS."""
    dead = _dead_address()
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "ray_current_cluster").write_text(dead)
    monkeypatch.setenv("RAY_TMPDIR", str(tmp_path))
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    return dead


def test_resolve_never_reads_the_file_without_auto(stale_tmpdir, monkeypatch):
    assert current_cluster_file().endswith("/ray/ray_current_cluster")
    assert resolve(None).address == "local"  # the stale file is ignored
    assert resolve("local").address == "local"
    assert resolve("auto").address == stale_tmpdir  # only on request
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.9:6379")
    assert resolve(None).address == "10.0.0.9:6379"
    assert resolve("1.2.3.4:1").address == "1.2.3.4:1"  # the option wins


def test_auto_without_a_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("RAY_TMPDIR", str(tmp_path))
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    with pytest.raises(BackendUnavailableError, match="names no cluster"):
        resolve("auto")


def test_a_dead_head_is_an_error_naming_it_and_how_to_clear_it(stale_tmpdir):
    t0 = time.monotonic()
    with pytest.raises(BackendUnavailableError) as info:
        connect("auto", timeout_s=2.0)  # refused at once; never reaches ray.init
    assert time.monotonic() - t0 < 5
    message = str(info.value)
    assert stale_tmpdir in message and "ray_current_cluster" in message
    assert "delete" in message


SCRIPT = r"""
import json, sys, time
import numpy as np
from pycwt_mod.montecarlo import wct_significance
from pycwt_mod.montecarlo.backends import BackendUnavailableError, get_backend
kw = dict(al1=0.3, al2=0.4, dt=1.0, dj=0.5, s0=2.0, J=6, mc_count=4, progress=False,
          cache=False, seed=1, chunk_size=2)
t = time.monotonic()
try:
    wct_significance(**kw, backend=get_backend("ray", address="auto", connect_timeout_s=3))
    auto = "joined"
except BackendUnavailableError as exc:
    auto = str(exc)
t_auto = time.monotonic() - t
import ray
sig = wct_significance(**kw, backend="ray")  # no address: a fresh local cluster
gcs = ray.get_runtime_context().gcs_address
ref = wct_significance(**kw, backend="sequential")
ray.shutdown()
print("RESULT " + json.dumps({"auto": auto, "t_auto": t_auto, "gcs": gcs,
                              "same": bool(np.array_equal(sig, ref, equal_nan=True))}))
"""


def test_wct_significance_with_a_stale_cluster_file_does_not_hang(tmp_path):
    """In a fresh process: ``address="auto"`` fails at once naming the dead head; the
    default starts a fresh local cluster and gives the sequential backend's bits."""
    from tests.serve_app.procs import kill_marked

    root = tempfile.mkdtemp(prefix="pcws-", dir="/tmp")  # short: Ray's socket paths
    dead = _dead_address()
    os.makedirs(os.path.join(root, "ray"))
    Path(root, "ray", "ray_current_cluster").write_text(dead)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "RAY_TMPDIR": root, "PYTHONPATH": path, "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    try:
        out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                             text=True, timeout=150)  # fmt: skip
    finally:
        kill_marked(root)
        shutil.rmtree(root, ignore_errors=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, out.stdout[-2000:] + out.stderr[-3000:]
    result = json.loads(line.split(" ", 1)[1])
    assert dead in result["auto"] and "ray_current_cluster" in result["auto"], result
    assert result["t_auto"] < 10
    assert result["gcs"] != dead and result["same"], result
