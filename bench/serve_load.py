"""Load test of the HTTP service: concurrent CWT requests on loopback.

    python bench/serve_load.py                 # starts `python -m serve_app` itself
    python bench/serve_load.py --url http://127.0.0.1:8000 --seconds 30

For each series length (default 1024 and 8192 samples, library defaults for the scale
grid) and response format (JSON, the default, and NPZ via ``Accept:
application/x-npz``), ``--clients`` threads post the same CWT request back to back for
``--seconds``; prints requests/s, p50/p99 latency, errors, and the in-process time of
``pycwt_mod.cwt`` on the same series, so the serving overhead shows as a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

import pycwt_mod

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {"json": "application/json", "npz": "application/x-npz"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(num_cpus: int | None) -> tuple[subprocess.Popen, str]:
    """Start ``python -m serve_app`` on a free port; returns the process and its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.setdefault("RAY_AUTH_MODE", "disabled")
    env.setdefault("PYCWT_DB_PATH", str(ROOT / "var" / "bench_jobs.sqlite3"))
    cmd = [sys.executable, "-m", "serve_app", "--port", str(port)]
    if num_cpus:
        cmd += ["--num-cpus", str(num_cpus)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the service exited during start-up")
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    stop_service(proc)
    raise RuntimeError("the service did not answer /health within 180 s")


def stop_service(proc: subprocess.Popen) -> None:
    """Stop the service started by `start_service` (SIGTERM to its process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def in_process_time(x: np.ndarray, repeats: int = 20) -> float:
    """Median seconds of ``pycwt_mod.cwt`` on the standardised series."""
    xn = (x - x.mean()) / x.std()
    pycwt_mod.cwt(xn, 1.0)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        pycwt_mod.cwt(xn, 1.0)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def load(url: str, body: bytes, clients: int, seconds: float, accept: str) -> dict:
    """``clients`` threads posting ``body`` for ``seconds``; latency statistics."""
    headers = {"content-type": "application/json", "accept": accept}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                try:
                    r = c.post("/api/v1/analysis/cwt", content=body, headers=headers)
                    ok = r.status_code == 200 and len(r.content) > 0
                    err = None if ok else f"HTTP {r.status_code}: {r.text[:200]}"
                except httpx.HTTPError as exc:
                    err = f"{type(exc).__name__}: {exc}"
                dt = time.perf_counter() - t0
                with lock:
                    if err:
                        errors.append(err)
                    else:
                        latencies.append(dt)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = np.array(latencies) if latencies else np.array([np.nan])
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": wall,
        "rps": len(latencies) / wall,
        "p50_s": float(np.percentile(lat, 50)),
        "p99_s": float(np.percentile(lat, 99)),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", help="a running service (default: start one here)")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--sizes", type=int, nargs="+", default=[1024, 8192])
    p.add_argument("--formats", nargs="+", choices=sorted(FORMATS), default=["json", "npz"])
    p.add_argument("--num-cpus", type=int, help="CPUs of the self-started service")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)

    proc = None
    url = args.url
    if url is None:
        proc, url = start_service(args.num_cpus)
    results = []
    try:
        rng = np.random.default_rng(0)
        for n in args.sizes:
            x = np.cumsum(rng.standard_normal(n)) * 0.1 + np.sin(np.arange(n) / 10)
            body = json.dumps({"data": x.tolist(), "dt": 1.0}).encode()
            compute = in_process_time(x)
            for fmt in args.formats:
                accept = FORMATS[fmt]
                warm = httpx.post(url + "/api/v1/analysis/cwt", content=body, timeout=120,
                                  headers={"content-type": "application/json",
                                           "accept": accept})  # fmt: skip
                warm.raise_for_status()
                n_scales = len(pycwt_mod.scale_grid(n, 1.0, 1 / 12))
                res = load(url, body, args.clients, args.seconds, accept)
                res.update(n=n, format=fmt, n_scales=n_scales,
                           response_mb=len(warm.content) / 1e6, compute_s=compute,
                           overhead_ratio=res["p50_s"] / compute)  # fmt: skip
                results.append(res)
                print(
                    f"N={n:5d} {fmt:4s} ({n_scales} scales, {res['response_mb']:5.1f} MB): "
                    f"{res['rps']:6.1f} req/s  p50 {res['p50_s'] * 1e3:7.1f} ms  "
                    f"p99 {res['p99_s'] * 1e3:7.1f} ms  errors {res['errors']}  "
                    f"in-process cwt {compute * 1e3:5.2f} ms  "
                    f"p50/compute {res['overhead_ratio']:.0f}x",
                    flush=True,
                )
                if res["first_error"]:
                    print("  first error:", res["first_error"])
    finally:
        if proc is not None:
            stop_service(proc)
    info = {"clients": args.clients, "seconds": args.seconds, "cpus": os.cpu_count(),
            "url": url, "self_started": proc is not None, "results": results}  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(info, indent=2))
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
