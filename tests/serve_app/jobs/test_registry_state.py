"""The JobRegistry state machine, driven in-process on a real SQLite file.

The registry class is plain Python (Ray makes it an actor in the service), so its
transitions are checked here directly; the end-to-end behaviour through Ray is in
test_jobs.py.
"""

from __future__ import annotations

import asyncio

import numpy as np
from numpy.testing import assert_array_equal

import pycwt_mod
from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid
from serve_app.jobs.prepare import JobDefaults, prepare_job
from serve_app.jobs.registry import JobRegistry
from serve_app.jobs.store import JobStore, utcnow
from serve_app.npz import from_npz, to_npz
from serve_app.settings import Settings

from ..utils import series


def _insert(path, job_id, status="queued", runner="pycwt-job-none"):
    store = JobStore(path)
    store.insert({"job_id": job_id, "status": status, "progress": 0.0, "created_at": utcnow(),
                  "backend": "ray", "mc_count": 8, "runner_name": runner,
                  "params": {"mc_count": 8}})  # fmt: skip
    store.close()


def _run(coro):
    return asyncio.run(coro)


def test_life_cycle_to_completed(tmp_path, ray_cluster):
    path = str(tmp_path / "j.sqlite3")

    async def scenario():
        reg = JobRegistry(path, "ns-state-test", "reg", 60)
        await reg.ping()  # boot (reload) before the job exists
        _insert(path, "a")
        assert (await reg.start("a")) == {"mc_count": 8}
        assert (await reg.get("a"))["status"] == "running"
        assert (await reg.report_progress("a", 4, 8)) is False
        assert (await reg.get("a"))["progress"] == 0.5
        await reg.complete("a", to_npz({"sig": np.ones(3)}), "ray")
        job = await reg.get("a")
        assert job["status"] == "completed" and job["progress"] == 1.0
        assert from_npz(await reg.result("a"))["sig"].tolist() == [1, 1, 1]
        # terminal states are final
        await reg.fail("a", "late error")
        assert (await reg.get("a"))["status"] == "completed"
        assert (await reg.start("a")) is None
        assert [j["job_id"] for j in await reg.list("completed")] == ["a"]
        assert "runner_name" not in job and "params" not in job

    _run(scenario())


def test_cancel_before_start_and_while_running(tmp_path, ray_cluster):
    path = str(tmp_path / "j.sqlite3")

    async def scenario():
        reg = JobRegistry(path, "ns-state-test", "reg", 60)
        await reg.ping()
        _insert(path, "q")
        _insert(path, "r")
        assert (await reg.cancel("q"))["cancel_requested"] is True
        assert (await reg.start("q")) is None  # the runner sees the cancel at start
        assert (await reg.get("q"))["status"] == "cancelled"
        await reg.start("r")
        await reg.cancel("r")
        assert (await reg.cancel_requested("r")) is True
        assert (await reg.report_progress("r", 1, 8)) is True
        await reg.mark_cancelled("r")
        assert (await reg.get("r"))["status"] == "cancelled"
        assert (await reg.cancel("missing")) is None
        assert (await reg.get("missing")) is None

    _run(scenario())


def test_reload_fails_jobs_whose_runner_is_gone(tmp_path, ray_cluster):
    path = str(tmp_path / "j.sqlite3")
    _insert(path, "lost", status="running", runner="pycwt-job-does-not-exist")
    _insert(path, "lost_queued", status="queued", runner="pycwt-job-does-not-exist-either")
    _insert(path, "done", status="completed")

    async def scenario():
        reg = JobRegistry(path, "ns-state-test", "reg", 60)
        info = await reg.ping()  # first call reloads
        assert info["counts"] == {"failed": 2, "completed": 1}
        lost = await reg.get("lost")
        assert lost["status"] == "failed"
        assert "runner was lost" in lost["error"]

    _run(scenario())


def test_prepare_job_reduces_to_ar1_and_grid():
    x, y = series(256, 50), series(256, 51, period=20)
    kw = {"limits": Settings().request_limits(), "defaults": JobDefaults("ray", "auto", 6)}
    grid, pre = ScaleGrid(dt=1.0, dj=0.25), Preprocessing()
    mc = MonteCarlo(mc_count=10, seed=4, backend="sequential")
    params = prepare_job(x, y, grid, pre, mc, None, **kw)
    assert params.backend == "sequential"
    assert params.monte_carlo.seed == 4 and params.n == 256
    assert (params.a1, params.a2) == (pycwt_mod.ar1(x)[0], pycwt_mod.ar1(y)[0])
    rg = grid.resolve(256)
    assert (params.grid.s0, params.grid.J) == (rg.s0, rg.J) and rg.J > 0
    assert_array_equal(params.resolved_grid().scales, rg.scales)
    assert params.monte_carlo.chunk_size == 6 and params.monte_carlo.cache is False
    drawn = prepare_job(x, y, grid, pre, MonteCarlo(mc_count=10), None, **kw)
    assert drawn.backend == "ray" and isinstance(drawn.monte_carlo.seed, int)
    assert 0 <= drawn.monte_carlo.seed < 2**53  # exact in JSON
