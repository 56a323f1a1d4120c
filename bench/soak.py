"""Soak test: mixed traffic from many clients for a fixed time, then a report.

Loopback only and bounded: it starts the service on a free 127.0.0.1 port (embedded
2-CPU local Ray, temporary SQLite file) unless ``--url`` is given, runs ``--clients``
threads for ``--seconds``, and stops by itself. Traffic per client, in a loop: CWT,
WCT (coherence), a bad request (NaN, unknown wavelet, unequal lengths, malformed JSON),
/health, and every 10th round a small significance job that it polls to the end.

It reports requests, answers by status code, latency percentiles, finished jobs and
the RSS of the Ray processes of the cluster it started (at start and at the end) and
exits 1 when an unexpected answer (5xx, or a code a request must not get) was seen, or
when RSS grew more than ``--max-growth`` (default 30 %).

    PYTHONPATH=. python bench/soak.py --seconds 180 --clients 16
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter

import httpx
import numpy as np

#: (method, path, body (dict or raw bytes), acceptable codes)
BAD = [
    ("/api/v1/analysis/cwt", b'{"data": [1.0, NaN, 2.0], "dt": 1}', {400}),
    ("/api/v1/analysis/cwt", {"data": [1.0, 2.0, 3.0], "dt": 1, "wavelet": "haar"}, {422}),
    ("/api/v1/analysis/xwt", {"data1": [1.0, 2, 3], "data2": [1.0, 2], "dt": 1}, {400}),
    ("/api/v1/analysis/cwt", b'{"data": [1, 2', {422}),
]


def _series(rng, n):
    t = np.arange(n)
    return (np.sin(2 * np.pi * t / 16) + 0.5 * rng.standard_normal(n)).tolist()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.codes: Counter = Counter()
        self.latency: list[float] = []
        self.unexpected: list[str] = []
        self.jobs = Counter()

    def record(self, what, code, took, ok):
        with self.lock:
            self.codes[code] += 1
            self.latency.append(took)
            if not ok:
                self.unexpected.append(f"{what}: {code}")


def _call(http, stats, what, method, path, body=None, ok=frozenset({200})):
    t0 = time.perf_counter()
    try:
        if isinstance(body, bytes):
            r = http.request(
                method, path, content=body, headers={"content-type": "application/json"}
            )
        elif body is None:
            r = http.request(method, path)
        else:
            r = http.request(method, path, json=body)
        code = r.status_code
    except httpx.HTTPError as exc:
        r, code = None, f"error:{type(exc).__name__}"
    took = time.perf_counter() - t0
    # 503 is the documented overload answer (Ray Serve backpressure): not a failure
    stats.record(what, code, took, code in ok or code == 503)
    return r


def client_loop(url, seed, stop_at, stats):
    rng = np.random.default_rng(seed)
    with httpx.Client(base_url=url, timeout=120) as http:
        i = 0
        while time.monotonic() < stop_at:
            n = int(rng.choice([128, 512, 2048]))
            x, y = _series(rng, n), _series(rng, n)
            _call(http, stats, "cwt", "POST", "/api/v1/analysis/cwt",
                  {"data": x, "dt": 1.0, "dj": 0.25})  # fmt: skip
            _call(http, stats, "wct", "POST", "/api/v1/analysis/wct",
                  {"data1": x, "data2": y, "dt": 1.0, "dj": 0.25})  # fmt: skip
            path, body, ok = BAD[i % len(BAD)]
            _call(http, stats, "bad", "POST", path, body, ok)
            _call(http, stats, "health", "GET", "/health")
            if i % 10 == seed % 10:
                r = _call(http, stats, "submit", "POST", "/api/v1/analysis/significance",
                          {"data1": x[:256], "data2": y[:256], "dt": 1.0, "dj": 0.5,
                           "mc_count": 16, "seed": int(rng.integers(1 << 30))}, {200})  # fmt: skip
                if r is not None and r.status_code == 200:
                    job_id = r.json()["job_id"]
                    while time.monotonic() < stop_at + 60:
                        j = _call(http, stats, "poll", "GET", f"/api/v1/jobs/{job_id}")
                        status = (
                            j.json()["status"] if j is not None and j.status_code == 200 else ""
                        )
                        if status in ("completed", "failed", "cancelled"):
                            with stats.lock:
                                stats.jobs[status] += 1
                            break
                        time.sleep(0.5)
            i += 1


def ray_rss() -> int:
    """Total RSS (bytes) of this driver's Ray cluster processes (raylet, GCS, workers)."""
    import psutil
    import ray

    node = ray._private.worker._global_node
    roots = [p.process.pid for procs in node.all_processes.values() for p in procs]
    seen, total = set(), 0
    for pid in roots:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                if p.pid not in seen:
                    seen.add(p.pid)
                    total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def start_service(num_cpus: int) -> tuple[str, str]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import socket

    import ray
    from ray import serve

    from serve_app.app import build_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), root) if p)
    ray.init(address="local", num_cpus=num_cpus, include_dashboard=False,
             runtime_env={"env_vars": {"PYTHONPATH": path, "RAY_AUTH_MODE": "disabled"}},
             log_to_driver=False)  # fmt: skip
    db = os.path.join(tempfile.mkdtemp(prefix="pycwt-soak-"), "jobs.sqlite3")
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    serve.run(build_app({"db_path": db, "chunk_size": 8, "job_timeout_s": 300}),
              name="pycwt_mod", route_prefix="/")  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return url, db
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("service did not come up")
        time.sleep(0.25)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="soak a running service (no RSS figures)")
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--num-cpus", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=10, help="seconds before the first RSS")
    ap.add_argument("--max-growth", type=float, default=0.30)
    ap.add_argument("--json", help="write the report here too")
    args = ap.parse_args(argv)

    own = args.url is None
    url = args.url or start_service(args.num_cpus)[0]
    # warm-up traffic so replicas and workers exist before the first RSS figure
    warm = Stats()
    warm_end = time.monotonic() + args.warmup
    ths = [threading.Thread(target=client_loop, args=(url, 1000 + k, warm_end, warm))
           for k in range(args.clients)]  # fmt: skip
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    rss0 = ray_rss() if own else None
    stats = Stats()
    t0 = time.monotonic()
    stop_at = t0 + args.seconds
    ths = [threading.Thread(target=client_loop, args=(url, k, stop_at, stats))
           for k in range(args.clients)]  # fmt: skip
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    elapsed = time.monotonic() - t0
    rss1 = ray_rss() if own else None
    lat = sorted(stats.latency)
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0.0] * 99
    report = {
        "url": url,
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "requests": len(lat),
        "requests_per_s": round(len(lat) / elapsed, 1),
        "codes": {str(k): v for k, v in sorted(stats.codes.items(), key=str)},
        "unexpected": stats.unexpected[:20],
        "jobs": dict(stats.jobs),
        "latency_s": {"p50": round(q[49], 4), "p99": round(q[98], 4), "max": round(lat[-1], 4)},
        "ray_rss_mib": None
        if rss0 is None
        else {
            "start": round(rss0 / 2**20),
            "end": round(rss1 / 2**20),
            "growth": round(rss1 / rss0 - 1, 3),
        },
    }
    print(json.dumps(report, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    ok = not stats.unexpected and not stats.jobs.get("failed")
    if rss0 is not None and rss1 > rss0 * (1 + args.max_growth):
        print(f"RSS grew {rss1 / rss0 - 1:.1%}, over the bound of {args.max_growth:.0%}")
        ok = False
    if own:
        import ray
        from ray import serve

        serve.shutdown()
        ray.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
