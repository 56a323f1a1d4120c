"""Benchmark: series per second through ``serve_app.batch`` (Ray Data) on 1 and 2 nodes.

Writes ``--count`` series files (``.npy``, ``--n`` samples, white noise), starts a
private Ray head on loopback (``ray start --head --block --num-cpus 1``, no
dashboard, its own temp dir and free ports) and runs ``python -m serve_app.batch
--address ...`` as a separate driver process against it; then adds a second node
(``ray start --address ... --block --num-cpus 1``) and runs it again. The clusters
are stopped by killing the process groups this script started (never ``ray stop``,
which would take down every Ray on the machine). Each run's series per second is
files / the driver's wall time (Ray start-up excluded, driver start and Ray Data
planning included) and files / the manifest's ``seconds`` (the Dataset alone).

    .venv/bin/python bench/batch.py [--count 2000] [--n 512] [--dj 0.25] [--nodes 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "PATH": f"{BIN}:{os.environ['PATH']}"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("RAY_ADDRESS", None)
    return env


def _node_ports() -> list[str]:
    names = ("--node-manager-port", "--object-manager-port", "--metrics-export-port",
             "--runtime-env-agent-port", "--dashboard-agent-grpc-port",
             "--dashboard-agent-listen-port")  # fmt: skip
    return [f"{name}={free_port()}" for name in names]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "ray"), "start", "--block", "--num-cpus=1", *args, *_node_ports()],
        env=_env(), stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    """Kill the process group of one `ray start --block` we started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def _wait_nodes(address: str, count: int, timeout: float = 120) -> None:
    code = (
        "import ray, sys, time\n"
        f"ray.init(address={address!r}, log_to_driver=False)\n"
        f"deadline = time.monotonic() + {timeout}\n"
        f"while len([n for n in ray.nodes() if n['Alive']]) < {count}:\n"
        "    assert time.monotonic() < deadline, 'nodes did not join'\n"
        "    time.sleep(0.5)\n"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(), check=True, timeout=timeout + 60)


def _run_batch(address: str, inp: Path, out: Path, opts: argparse.Namespace) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "serve_app.batch", "--address", address, "--input", str(inp),
           "--output", str(out), "--dj", str(opts.dj), "--batch-size", str(opts.batch_size),
           "--format", opts.format]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-2000:])
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall": wall, "dataset": manifest["seconds"], "ok": manifest["ok"],
            "nodes": manifest["ray_nodes"]}  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=2000, help="series files (default 2000)")
    p.add_argument("--n", type=int, default=512, help="samples per series (default 512)")
    p.add_argument("--dj", type=float, default=0.25, help="scale spacing (default 0.25)")
    p.add_argument("--batch-size", type=int, default=16, help="files per batch (default 16)")
    p.add_argument("--format", choices=("npz", "netcdf"), default="npz")
    p.add_argument("--nodes", type=int, nargs="+", default=[1, 2], choices=(1, 2))
    opts = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pycwt_bench_batch_"))
    inp = work / "in"
    inp.mkdir()
    rng = np.random.default_rng(0)
    for i in range(opts.count):
        np.save(inp / f"s{i:05d}.npy", rng.standard_normal(opts.n))
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{opts.count} series of {opts.n} samples, dj={opts.dj}, batch {opts.batch_size}, "
          f"{opts.format}")  # fmt: skip
    port = free_port()
    address = f"127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    try:
        head = ["--head", f"--port={port}", "--include-dashboard=false",
                f"--ray-client-server-port={free_port()}",
                f"--temp-dir={work / 'ray'}"]  # fmt: skip
        procs.append(_start(head, work / "head.log"))
        _wait_nodes(address, 1)
        for nodes in sorted(opts.nodes):
            if nodes == 2 and len(procs) == 1:
                worker = [f"--address={address}"]
                procs.append(_start(worker, work / "worker.log"))
                _wait_nodes(address, 2)
            _run_batch(address, inp, work / "warm", opts)  # warm-up: worker processes, imports
            r = _run_batch(address, inp, work / "out", opts)
            line = (
                f"{r['nodes']} node(s) x 1 CPU: {r['ok']} series in {r['wall']:.1f} s "
                f"(driver wall) = {r['ok'] / r['wall']:.0f} series/s; Dataset "
                f"{r['dataset']:.1f} s = {r['ok'] / r['dataset']:.0f} series/s"
            )
            print(line, flush=True)
    finally:
        for proc in reversed(procs):
            _stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
