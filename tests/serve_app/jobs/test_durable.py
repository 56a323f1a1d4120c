"""Jobs survive a crash of the whole service (issue 14, item 1), with real processes.

The service runs as ``python -m serve_app`` in its own session with its own Ray temp
dir; the crash is SIGKILL of that session and of every process of its Ray cluster (they
leave the session: found by the temp dir on their command line). The restart is a new
``python -m serve_app`` on the same SQLite file: the interrupted job resumes from the
chunks kept before the crash and its thresholds are bit-identical to
`pycwt_mod.montecarlo.wct_significance` with the same seed; an earlier result is
byte-identical.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import httpx
import numpy as np
import pytest
import ray

from pycwt_mod import montecarlo, pipeline
from pycwt_mod.areawise.kernel import NullPatches
from pycwt_mod.options import Areawise, MonteCarlo, ScaleGrid
from serve_app.jobs.registry import MAX_RESUMPTIONS, JobRegistry, service_log_path
from serve_app.jobs.store import LEGACY_KEY, JobStore, utcnow
from serve_app.records import TERMINAL

from ..conftest import free_port
from ..procs import (
    beyond_loopback,
    env,
    kill_group,
    kill_marked,
    listening,
    pids_with,
    remove_cluster,
    wait_http,
    with_descendants,
)
from ..utils import series, wait_for

CHUNK = 4
MC_COUNT = 120  # 30 chunks: the crash at 10% leaves most of them to the restart


def _start(db, tmp_dir):
    port = free_port()
    cmd = [sys.executable, "-m", "serve_app", "--port", str(port), "--num-cpus", "2",
           "--db-path", str(db), "--temp-dir", tmp_dir]  # fmt: skip
    # Output to a file: an unread pipe fills up and blocks a chatty service.
    with open(Path(tmp_dir) / f"service-{port}.log", "w") as log:
        proc = subprocess.Popen(
            cmd,
            env=env(PYCWT_CHUNK_SIZE=str(CHUNK), PYCWT_JOB_TIMEOUT_S="600"),
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/health", proc, timeout=180)
    return proc, url


def _crash(proc, tmp_dir):
    """SIGKILL the launcher's session and every process of its Ray cluster at once."""
    victims = with_descendants([*pids_with(tmp_dir), proc.pid])
    assert len(victims) > 5  # launcher, GCS, raylet, registry, runner, chunk workers...
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    kill_group(proc)
    kill_marked(tmp_dir)  # anything started meanwhile
    assert pids_with(tmp_dir) == [] and with_descendants([proc.pid]) == []


def _submit(url, mc_count, seed):
    x, y = series(256, seed), series(256, seed + 100, period=24)
    body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
            "mc_count": mc_count, "seed": seed, "backend": "ray"}  # fmt: skip
    r = httpx.post(url + "/api/v1/analysis/significance", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["job_id"]


def _job(url, job_id):
    try:
        r = httpx.get(f"{url}/api/v1/jobs/{job_id}", timeout=10)
    except httpx.HTTPError:
        return None
    return r.json() if r.status_code == 200 else None


def _rows(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def _npz(url, job_id) -> bytes:
    r = httpx.get(f"{url}/api/v1/jobs/{job_id}/result",
                  headers={"accept": "application/x-npz"}, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text
    return r.content


def _expected(db, job_id):
    (params,) = _rows(db, "SELECT params FROM jobs WHERE job_id = ?", job_id)[0]
    p = json.loads(params)
    g, mc = p["grid"], p["monte_carlo"]
    return montecarlo.wct_significance(
        p["a1"], p["a2"], g["dt"], g["dj"], g["s0"], g["J"], mc_count=mc["mc_count"],
        seed=mc["seed"], chunk_size=CHUNK, backend="sequential", progress=False, cache=False,
    )  # fmt: skip


def test_job_resumes_after_the_whole_service_is_killed(tmp_path):
    db = tmp_path / "jobs.sqlite3"
    tmp_dir = tempfile.mkdtemp(prefix="pcwd-", dir="/tmp")  # short: Ray's socket paths
    proc, url = _start(db, tmp_dir)
    try:
        early = _submit(url, 16, seed=3)
        wait_for(lambda: (_job(url, early) or {}).get("status") == "completed", 120, 0.2)
        early_npz = _npz(url, early)
        # the launcher's cluster is closed (serve_app.cluster): Ray ports on loopback only
        sockets = listening(with_descendants([*pids_with(tmp_dir), proc.pid]))
        assert len(sockets) >= 6 and {"gcs_server", "raylet"} <= {s[1] for s in sockets}
        assert beyond_loopback(sockets) == [], sockets
        job_id = _submit(url, MC_COUNT, seed=11)
        wait_for(lambda: (_job(url, job_id) or {}).get("progress", 0) >= 0.1, 180, 0.05)
        _crash(proc, tmp_dir)
        # the crash left the job running with some chunks kept, not all
        ((status, resumptions),) = _rows(
            db, "SELECT status, resumptions FROM jobs WHERE job_id = ?", job_id
        )
        kept = _rows(db, "SELECT start, stop FROM chunks WHERE job_id = ?", job_id)
        assert status == "running" and resumptions == 0
        assert 0 < len(kept) < MC_COUNT // CHUNK
        assert all(b - a == CHUNK and a % CHUNK == 0 for a, b in kept)

        proc, url = _start(db, tmp_dir)  # same SQLite file
        job = wait_for(lambda: (j := _job(url, job_id)) and j["status"] in TERMINAL and j, 300, 0.2)
        assert job["status"] == "completed", job
        assert sum(job["chunk_nodes"].values()) == MC_COUNT  # kept + new, by node
        ((resumptions,),) = _rows(db, "SELECT resumptions FROM jobs WHERE job_id = ?", job_id)
        assert resumptions == 1
        with np.load(io.BytesIO(_npz(url, job_id))) as z:
            np.testing.assert_array_equal(z["sig95"], _expected(db, job_id))
            assert int(z["seed"]) == 11
        assert _npz(url, early) == early_npz  # byte-identical after the restart
        assert _rows(db, "SELECT COUNT(*) FROM chunks") == [(0,)]  # dropped once done
        log = Path(service_log_path(str(db))).read_text()  # the service's own log
        assert f"resuming job {job_id} (resumption 1)" in log, log[-2000:]
    finally:  # SIGKILL, not a graceful stop (seconds of serve.shutdown for nothing)
        kill_group(proc)
        remove_cluster(tmp_dir)


def _insert(store, job_id, **fields):
    row = {"job_id": job_id, "status": "running", "progress": 0.5, "created_at": utcnow(),
           "backend": "ray", "mc_count": 8, "runner_name": f"pycwt-job-gone-{job_id}",
           "params": {"a1": 0.5, "a2": 0.3, "mc_count": 8}, **fields}  # fmt: skip
    store.insert(row)


def test_resumptions_are_capped_and_cancelled_jobs_are_not_resumed(tmp_path, ray_cluster):
    path = str(tmp_path / "j.sqlite3")
    store = JobStore(path)
    _insert(store, "capped", resumptions=MAX_RESUMPTIONS)
    _insert(store, "cancelled", cancel_requested=True)
    store.add_chunk("capped", 0, 4, np.ones((3, 10), dtype=np.int64), "node-a")
    store.close()

    async def scenario():
        reg = JobRegistry(path, "ns-durable-test", "reg", 60)
        await reg.boot()
        capped = await reg.get("capped")
        assert capped["status"] == "failed"
        assert f"after {MAX_RESUMPTIONS} resumptions (at most {MAX_RESUMPTIONS})" in capped["error"]
        assert (await reg.get("cancelled"))["status"] == "cancelled"

    asyncio.run(scenario())
    store = JobStore(path)
    assert store.chunks("capped") == []  # a terminal job keeps no chunks
    store.close()


def test_a_graceful_stop_does_not_spend_a_resumption(tmp_path, ray_cluster):
    """The launcher marks the active jobs before a graceful stop (`suspend_all`): the
    next start resumes them without counting it, even at the cap."""
    path = str(tmp_path / "g.sqlite3")
    store = JobStore(path)
    _insert(store, "stopped", resumptions=MAX_RESUMPTIONS)
    store.close()

    async def scenario():
        first = JobRegistry(path, "ns-durable-test", "reg-graceful", 60)
        first._booted = True  # the runner of the running job is alive (not reloaded here)
        assert await first.suspend_all() == 1
        first._store.close()
        again = JobRegistry(path, "ns-durable-test", "reg-graceful", 60)
        job = await again.get("stopped")  # boots: the runner is gone, the job resumes
        assert job["status"] == "queued" and job["resumptions"] == MAX_RESUMPTIONS, job
        assert not (await again._get("stopped")).suspended  # the next stop counts again
        runner = (await again._get("stopped")).runner_name
        for task in list(again._watchers.values()):
            task.cancel()
        try:
            ray.kill(ray.get_actor(runner, namespace="ns-durable-test"), no_restart=True)
        except ValueError:
            pass

    asyncio.run(scenario())
    log = Path(service_log_path(path)).read_text()
    assert "graceful stop: 1 active job(s)" in log and "resuming job stopped" in log


def test_kept_chunks_round_trip(tmp_path):
    store = JobStore(str(tmp_path / "c.sqlite3"))
    hist = np.arange(30, dtype=np.int64).reshape(3, 10) * 1_000_003
    assert store.add_chunk("j", 4, 8, hist, "n1") is True
    assert store.add_chunk("j", 4, 8, hist, "n1") is False  # deterministic: one copy
    store.add_chunk("j", 0, 4, hist + 1, None)
    (c0, c1) = store.chunks("j")
    assert (c0.start, c0.stop, c0.node_id, c0.plan_key) == (0, 4, None, LEGACY_KEY)
    np.testing.assert_array_equal(c1.part, hist)
    assert c1.part.dtype == np.int64 and store.done_pairs("j") == 8
    store.drop_chunks("j")
    assert store.chunks("j") == [] and store.done_pairs("j") == 0


def test_null_patches_are_kept_apart_by_pass_and_without_pickle(tmp_path):
    store = JobStore(str(tmp_path / "p.sqlite3"))
    patches = NullPatches(np.array([0.5, 2.25]), np.array([0.1, 0.3]), np.array([1.5]),
                          np.array([2], dtype=np.intp))  # fmt: skip
    hist = np.ones((3, 10), dtype=np.int64)
    assert store.add_chunk("j", 0, 4, hist, "n1", plan_key="MonteCarloPlan-a")
    assert store.add_chunk("j", 0, 4, patches, "n2", plan_key="PatchPlan-b")  # same pairs
    assert not store.add_chunk("j", 0, 4, patches, "n2", plan_key="PatchPlan-b")
    (kept,) = store.chunks("j", "PatchPlan-b")
    assert type(kept.part) is NullPatches and kept.node_id == "n2"
    for name in ("sizes", "areas", "path_areas", "path_levels"):
        np.testing.assert_array_equal(getattr(kept.part, name), getattr(patches, name))
        assert getattr(kept.part, name).dtype == getattr(patches, name).dtype
    np.testing.assert_array_equal(store.chunks("j", "MonteCarloPlan-a")[0].part, hist)
    assert store.done_pairs("j") == 8  # both passes count
    (blob,) = _rows(store.path, "SELECT part FROM chunks WHERE kind = 'NullPatches'")[0]
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:  # a plain .npz of arrays
        assert sorted(z.files) == ["areas", "path_areas", "path_levels", "sizes"]
    with pytest.raises(TypeError, match="cannot keep a chunk part of type dict"):
        store.add_chunk("j", 4, 8, {"sizes": 1}, None, plan_key="PatchPlan-b")


#: The chunks table before passes had keys (kept histograms of the thresholds only).
_CHUNKS_V1 = """
CREATE TABLE chunks (job_id TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
    node_id TEXT, shape TEXT NOT NULL, hist BLOB NOT NULL, PRIMARY KEY (job_id, start, stop));
"""


def test_a_database_of_the_previous_version_is_migrated(tmp_path, ray_cluster):
    path = str(tmp_path / "v1.sqlite3")
    hist = np.arange(30, dtype=np.int64).reshape(3, 10)
    con = sqlite3.connect(path)
    con.executescript(_CHUNKS_V1)
    con.execute("INSERT INTO chunks VALUES ('old', 0, 4, 'n1', '[3, 10]', ?)",
                (zlib.compress(hist.tobytes()),))  # fmt: skip
    con.commit()
    con.close()
    store = JobStore(path)
    (chunk,) = store.chunks("old")
    assert (chunk.start, chunk.stop, chunk.node_id, chunk.plan_key) == (0, 4, "n1", LEGACY_KEY)
    np.testing.assert_array_equal(chunk.part, hist)
    assert _rows(path, "SELECT name FROM sqlite_master WHERE name = 'chunks_v1'") == []
    store.close()
    JobStore(path).close()  # opening again is a no-op

    async def scenario():  # the thresholds' pass of a resumed job reads them
        reg = JobRegistry(path, "ns-durable-test", "reg", 60)
        key = "MonteCarloPlan-0123"
        assert await reg.kept_chunks("old", key) == []
        ((a, b, part),) = await reg.kept_chunks("old", key, True)
        assert (a, b) == (0, 4)
        np.testing.assert_array_equal(part, hist)

    asyncio.run(scenario())


def test_a_kept_chunk_is_counted_in_the_same_transaction(tmp_path):
    """A kill between keeping a chunk and counting it lost 4 pairs of chunk_nodes once
    (236 of 240): keeping and counting are now one transaction."""
    store = JobStore(str(tmp_path / "t.sqlite3"))
    store.insert({"job_id": "t", "status": "running", "progress": 0.0, "created_at": utcnow(),
                  "backend": "ray", "mc_count": 16, "runner_name": "r", "params": {}})  # fmt: skip
    hist = np.ones((3, 10), dtype=np.int64)
    assert store.add_chunk("t", 0, 4, hist, "n1", mc_count=16)
    assert store.add_chunk("t", 4, 8, hist, "n2", mc_count=16)
    assert not store.add_chunk("t", 4, 8, hist, "n2", mc_count=16)  # counted once
    job = store.get("t")
    assert job["chunk_nodes"] == {"n1": 4, "n2": 4} and job["progress"] == 0.5
    assert sum(job["chunk_nodes"].values()) == store.done_pairs("t")


#: Logs every chunk the registry keeps (or tries to keep again) in the session's file.
_CHUNK_LOG = """
CREATE TABLE IF NOT EXISTS test_chunk_log (job_id TEXT, plan_key TEXT, start INTEGER,
    stop INTEGER);
CREATE TRIGGER IF NOT EXISTS test_log_chunks BEFORE INSERT ON chunks BEGIN
    INSERT INTO test_chunk_log VALUES (NEW.job_id, NEW.plan_key, NEW.start, NEW.stop);
END;
"""


def test_job_killed_mid_areawise_pass_resumes_from_its_kept_chunks(client, service):
    """The runner is killed once the null patches of the areawise pass are partly kept:
    the second attempt runs neither the thresholds nor those chunks again (every chunk is
    kept once, by a trigger's log of the real SQLite file) and the result has the
    library's bits (`pycwt_mod.pipeline.analyze_wct`)."""
    n, mc_count, seed = 1024, 160, 17
    db = str(service.db_path)
    JobStore(db).close()  # the tables exist before the trigger
    con = sqlite3.connect(db)
    con.executescript(_CHUNK_LOG)
    try:
        x, y = series(n, seed), series(n, seed + 1, period=24)
        body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.25,
                "mc_count": mc_count, "seed": seed, "backend": "ray", "areawise": True}  # fmt: skip
        r = client.post("/api/v1/analysis/significance", json=body)
        assert r.status_code == 200, r.text
        job_id = r.json()["job_id"]
        patches = "SELECT COUNT(*) FROM chunks WHERE job_id = ? AND plan_key LIKE 'PatchPlan-%'"

        def mid_areawise():
            ((status,),) = _rows(db, "SELECT status FROM jobs WHERE job_id = ?", job_id)
            assert status in ("queued", "running"), f"the job ended first: {status}"
            return _rows(db, patches, job_id)[0][0] > 0

        wait_for(mid_areawise, 120, 0.01)
        runner = ray.get_actor(f"pycwt-job-{job_id}", namespace=service.namespace)
        ray.kill(runner, no_restart=True)
        kept = _rows(db, patches, job_id)[0][0]
        assert 0 < kept < mc_count // CHUNK, kept
        job = wait_for(lambda: (j := _job(service.url, job_id)) and j["status"] in TERMINAL
                       and j, 180, 0.2)  # fmt: skip
        assert job["status"] == "completed", job
        assert _rows(db, "SELECT attempts FROM jobs WHERE job_id = ?", job_id) == [(2,)]
        log = _rows(db, "SELECT plan_key, start, stop FROM test_chunk_log WHERE job_id = ?",
                    job_id)  # fmt: skip
        assert len(log) == len(set(log)), "a kept chunk was computed again"
        for prefix in ("MonteCarloPlan-", "PatchPlan-"):  # each pass tiled once
            spans = sorted((a, b) for key, a, b in log if key.startswith(prefix))
            assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]], spans
            assert (spans[0][0], spans[-1][1]) == (0, mc_count)
        assert sum(job["chunk_nodes"].values()) == 2 * mc_count
        ref = pipeline.analyze_wct(
            x, y, ScaleGrid(dt=1.0, dj=0.25), areawise=Areawise(),
            monte_carlo=MonteCarlo(mc_count=mc_count, seed=seed, backend="sequential",
                                   cache=False),
        )  # fmt: skip
        with np.load(io.BytesIO(_npz(service.url, job_id))) as z:
            np.testing.assert_array_equal(z["sig95"], ref.sig95)
            np.testing.assert_array_equal(z["pointwise_mask"], ref.areawise.pointwise)
            np.testing.assert_array_equal(z["areawise_mask"], ref.areawise.areawise)
            assert float(z["critical_area"]) == ref.areawise.critical_area
    finally:
        con.executescript("DROP TRIGGER IF EXISTS test_log_chunks; DROP TABLE test_chunk_log;")
        con.close()
