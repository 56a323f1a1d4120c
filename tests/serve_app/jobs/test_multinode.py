"""A real two-node Ray cluster on this machine (issue 14, items 2 and 5).

``ray start --head`` and ``ray start --address`` (1 CPU each, no dashboard, each node
with its own temp dir; the second node also reports one logical GPU), the app deployed
by a driver process (``ray.init(address=...)`` + ``serve.run(build_app(...))``), and
jobs observed over HTTP and in the SQLite file. Everything runs in other processes: the
in-process Ray of the session cluster (conftest.py) is never touched.

- GPU placement without a GPU: a ``gpu`` job's chunk tasks (``num_gpus=1``) land on the
  node with the logical GPU, get GPU id 0 there, and the job fails at once with an
  error naming that node and why the kernel cannot run (cupy is absent); once that node
  is gone, a ``gpu`` job is refused at submission (503).
- Node lost mid-job: chunks of two jobs run on both nodes (``chunk_nodes``), the second
  node (holding one job's runner: runners are spread) is SIGKILLed with all its
  processes, and both jobs complete with thresholds bit-identical to
  `pycwt_mod.montecarlo.wct_significance` with the same seed.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

import httpx
import numpy as np
import pytest

from pycwt_mod import montecarlo
from pycwt_mod.montecarlo.backends.gpu import gpu_unavailable_reason
from serve_app.records import TERMINAL

from ..conftest import free_port
from ..procs import env, kill_group, kill_marked, remove_cluster, wait_http
from ..utils import series, wait_for

CHUNK = 4
MC_COUNT = 160

#: Fast detection of a dead node (Ray's default is about 15-30 s).
HEALTH = {"RAY_health_check_period_ms": "1000", "RAY_health_check_failure_threshold": "5"}

DRIVER = r"""
import json, sys, time
import ray
from ray import serve
from serve_app.app import APP_NAME, build_app
ray.init(address=sys.argv[1], namespace="serve", log_to_driver=False)
serve.start(proxy_location="HeadOnly", http_options={"host": "127.0.0.1", "port": int(sys.argv[2])})
serve.run(build_app(json.loads(sys.argv[3])), name=APP_NAME, route_prefix="/")
nodes = [{"id": n["NodeID"], "port": n["NodeManagerPort"], "resources": n["Resources"]}
         for n in ray.nodes() if n["Alive"]]
print("NODES " + json.dumps(nodes), flush=True)
while True:
    time.sleep(3600)
"""


def _ray_start(*args, extra_env=None):
    cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", *args,
           "--disable-usage-stats"]  # fmt: skip
    out = subprocess.run(cmd, env=env(**(extra_env or {})), capture_output=True, text=True,
                         timeout=180)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


class Cluster:
    def __init__(self, tmp_path):
        self.head_dir = tempfile.mkdtemp(prefix="pcwh-", dir="/tmp")
        self.node_dir = tempfile.mkdtemp(prefix="pcwn-", dir="/tmp")
        self.gcs = f"127.0.0.1:{free_port()}"
        self.db = tmp_path / "jobs.sqlite3"
        self.url = ""
        self.driver = None
        self.nodes = {}

    def start(self):
        _ray_start("--head", f"--port={self.gcs.split(':')[1]}", "--num-cpus=1",
                   "--include-dashboard=false", f"--temp-dir={self.head_dir}",
                   extra_env=HEALTH)  # fmt: skip
        _ray_start(f"--address={self.gcs}", "--num-cpus=1", "--num-gpus=1",
                   f"--temp-dir={self.node_dir}", extra_env=HEALTH)  # fmt: skip
        port = free_port()
        args = {"db_path": str(self.db), "chunk_size": CHUNK, "job_timeout_s": 600,
                "compute_num_cpus": 0, "default_backend": "ray"}  # fmt: skip
        self.driver = subprocess.Popen(
            [sys.executable, "-c", DRIVER, self.gcs, str(port), json.dumps(args)],
            env=env(),
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = ""
        while not line.startswith("NODES "):
            line = self.driver.stdout.readline()
            if not line and self.driver.poll() is not None:
                raise RuntimeError("the driver exited before deploying the app")
        nodes = json.loads(line.split(" ", 1)[1])
        assert len(nodes) == 2, nodes
        self.head = next(n["id"] for n in nodes if "GPU" not in n["resources"])
        self.second = next(n["id"] for n in nodes if n["resources"].get("GPU") == 1)
        self.url = f"http://127.0.0.1:{port}"
        wait_http(self.url + "/health", self.driver)

    def kill_second_node(self) -> list[int]:
        return kill_marked(self.node_dir)

    def stop(self):
        if self.driver is not None:
            kill_group(self.driver)
        remove_cluster(self.node_dir)  # with the current-cluster files naming them
        remove_cluster(self.head_dir)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("multinode"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


def _submit(url, mc_count, seed, backend="ray"):
    x, y = series(256, seed), series(256, seed + 100, period=24)
    body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "mc_count": mc_count, "seed": seed, "backend": backend}  # fmt: skip
    return httpx.post(url + "/api/v1/analysis/significance", json=body, timeout=60)


def _job(url, job_id):
    try:
        r = httpx.get(f"{url}/api/v1/jobs/{job_id}", timeout=10)
    except httpx.HTTPError:
        return None
    return r.json() if r.status_code == 200 else None


def _terminal(url, job_id, timeout=300):
    return wait_for(lambda: (j := _job(url, job_id)) and j["status"] in TERMINAL and j,
                    timeout, 0.2)  # fmt: skip


def _row(db, job_id, *cols):
    con = sqlite3.connect(db)
    try:
        sql = f"SELECT {', '.join(cols)} FROM jobs WHERE job_id = ?"
        return con.execute(sql, (job_id,)).fetchone()
    finally:
        con.close()


def _expected(db, job_id):
    p = json.loads(_row(db, job_id, "params")[0])
    g, mc = p["grid"], p["monte_carlo"]
    return montecarlo.wct_significance(
        p["a1"], p["a2"], g["dt"], g["dj"], g["s0"], g["J"], mc_count=mc["mc_count"],
        seed=mc["seed"], chunk_size=CHUNK, backend="sequential", progress=False, cache=False,
    )  # fmt: skip


def _sig95(url, job_id):
    r = httpx.get(f"{url}/api/v1/jobs/{job_id}/result",
                  headers={"accept": "application/x-npz"}, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text
    with np.load(io.BytesIO(r.content)) as z:
        return z["sig95"]


def test_gpu_job_chunks_are_placed_on_the_gpu_node(cluster):
    if gpu_unavailable_reason() is None:
        pytest.skip("a usable GPU is here: the chunk would run, not report where it failed")
    r = _submit(cluster.url, 8, seed=5, backend="gpu")
    assert r.status_code == 200, r.text
    job = _terminal(cluster.url, r.json()["job_id"], timeout=120)
    assert job["status"] == "failed"
    # the chunk task ran with num_gpus=1 on the node with the logical GPU, and says so
    assert f"placed on Ray node {cluster.second} (GPU ids [0])" in job["error"], job
    assert "cupy" in job["error"]


#: Rounds of three jobs tried until one round has a runner on the second node while
#: chunks have run on both (Ray's SPREAD strategy is best effort, not a guarantee).
PLACEMENT_ROUNDS = 5


def _check_completed(url, db, job_id) -> dict:
    job = _terminal(url, job_id)
    assert job["status"] == "completed", job
    np.testing.assert_array_equal(_sig95(url, job_id), _expected(db, job_id))
    assert sum(job["chunk_nodes"].values()) == MC_COUNT
    return job


def test_second_node_killed_mid_job_jobs_complete_bit_identically(cluster):
    both = {cluster.head, cluster.second}
    seen: dict = {}
    views = None
    for attempt in range(PLACEMENT_ROUNDS):
        jobs = []
        for seed in (21, 22, 23):  # runners are spread, so one usually lands on node 2
            r = _submit(cluster.url, MC_COUNT, seed=seed + 10 * attempt)
            assert r.status_code == 200, r.text
            jobs.append(r.json()["job_id"])

        def placed(jobs=jobs):  # a runner mid-job on node 2, chunks done on both nodes
            current = seen["views"] = [_job(cluster.url, j) for j in jobs]
            if not all(current):
                return None
            chunk_nodes = set().union(*(v["chunk_nodes"] for v in current))
            runners = {
                v["runner_node"]
                for v in current
                if v["status"] == "running" and v["progress"] < 0.5  # far from its end
            }
            if cluster.second in runners and chunk_nodes >= both:
                return current
            if all(v["status"] in TERMINAL for v in current):
                return "finished"  # this round ended before it was placed so: next
            return None

        try:
            found = wait_for(placed, 240, 0.1)
        except TimeoutError:
            pytest.fail(f"jobs neither placed on both nodes nor finished: {seen}")
        if found != "finished":
            views = found
            break
        for job_id in jobs:  # an unplaced round still completes bit-identically
            _check_completed(cluster.url, cluster.db, job_id)
    if views is None:
        pytest.fail(f"no round of {PLACEMENT_ROUNDS} placed a runner on node 2: {seen}")
    on_second = [
        v["job_id"]
        for v in views
        if v["runner_node"] == cluster.second and v["status"] == "running"
    ]
    assert on_second, views
    killed_at = datetime.now(timezone.utc).isoformat()
    assert cluster.kill_second_node()
    resumed = []
    for job_id in jobs:
        job = _check_completed(cluster.url, cluster.db, job_id)
        attempts, runner_node = _row(cluster.db, job_id, "attempts", "runner_node")
        if job_id in on_second and job["completed_at"] > killed_at:
            # its runner died with the node: started again on the head, resumed
            assert attempts == 2 and runner_node == cluster.head, job
            resumed.append(job_id)
    # a runner killed below half its work cannot have finished before the kill
    assert resumed, (views, killed_at)
    assert any(cluster.second in _job(cluster.url, j)["chunk_nodes"] for j in jobs)


def test_gpu_job_refused_when_no_node_has_a_gpu(cluster):
    cluster.kill_second_node()  # (already dead after the test above)
    wait_for(lambda: _submit(cluster.url, 8, 5, backend="gpu").status_code == 503, 120, 1.0)
    r = _submit(cluster.url, 8, seed=5, backend="gpu")
    assert r.status_code == 503 and "GPU" in r.json()["detail"], r.text
