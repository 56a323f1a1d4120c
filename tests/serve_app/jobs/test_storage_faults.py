"""Storage faults (issue 22, point 3) on real file systems and real SQLite files.

A full file system is a tiny tmpfs mounted for the test (as root; elsewhere SQLite's
own page limit, ``PRAGMA max_page_count``, makes the same SQLITE_FULL), a read-only
one is that tmpfs remounted read-only (elsewhere a file without write permission), a
corrupt database is garbage written into a real SQLite file. A failed write fails
the request (507 full, 503 otherwise) with what to do; a running job whose chunk
cannot be kept ends ``failed`` with the reason (kept in memory until the database
takes writes again, never ``running`` without a runner); a corrupt database is
refused at start-up.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import ray
from starlette.requests import Request

from serve_app.http.errors import error_response
from serve_app.jobs.faults import StorageError
from serve_app.jobs.job import JobParams
from serve_app.jobs.registry import JobRegistry, get_registry
from serve_app.jobs.store import JobStore, utcnow

from ..procs import env, pids_with

ROOT = Path(__file__).resolve().parents[3]


class SmallDisk:
    """A folder on a tiny file system of its own (tmpfs, 192 KiB), to fill and to
    remount read-only. Mounting needs root (CAP_SYS_ADMIN): elsewhere the test is
    skipped, saying so."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir()
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", str(folder)],
                             capture_output=True, text=True)  # fmt: skip
        if run.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {run.stderr.strip()}")
        self.db = str(folder / "jobs.sqlite3")

    def fill(self) -> None:
        """No byte left on the file system."""
        fd = os.open(self.folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: full
            pass
        finally:
            os.close(fd)

    def free(self) -> None:
        (self.folder / "filler").unlink(missing_ok=True)

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)

    def close(self) -> None:
        subprocess.run(["umount", "-l", str(self.folder)], check=False)


@pytest.fixture
def disk(tmp_path):
    d = SmallDisk(tmp_path / "small")
    yield d
    d.close()


def _job(job_id: str, status: str = "running") -> dict:
    return {"job_id": job_id, "status": status, "progress": 0.0, "created_at": utcnow(),
            "backend": "ray", "mc_count": 8, "runner_name": f"pycwt-job-{job_id}",
            "params": {"a1": 0.5, "a2": 0.3}}  # fmt: skip


def _answer(exc: Exception) -> tuple[int, str]:
    request = Request({"type": "http", "method": "POST", "path": "/api/v1/x", "headers": []})
    response = error_response(request, exc)
    return response.status_code, response.body.decode()


def test_a_full_disk_fails_the_write_with_507_and_what_to_do(disk):
    store = JobStore(disk.db)
    disk.fill()
    with pytest.raises(StorageError) as info:
        store.insert(_job("one-more"), os.urandom(64 * 1024))
    exc = info.value
    assert exc.kind == "full" and exc.http_status == 507
    assert disk.db in str(exc) and "free space" in str(exc)
    assert _answer(exc)[0] == 507 and "is full" in _answer(exc)[1]
    assert store.get("one-more") is None  # nothing half-written
    store.close()


def test_a_read_only_file_system_fails_the_write_with_503(disk):
    store = JobStore(disk.db)
    store.insert(_job("before"))
    store.close()
    disk.read_only()
    with pytest.raises(StorageError) as info:
        JobStore(disk.db).insert(_job("after"))
    exc = info.value
    assert exc.kind == "read-only" and exc.http_status == 503, exc
    assert "writable" in str(exc)
    assert _answer(exc)[0] == 503


def _corrupt(path: str) -> None:
    """Garbage over the second page (the jobs table's) of a real SQLite file."""
    store = JobStore(path)
    for i in range(20):
        store.insert(_job(f"j{i}", "completed"), os.urandom(2000))
    store.close()
    with open(path, "r+b") as f:
        f.seek(4096 + 8)
        f.write(os.urandom(3000))


def test_a_corrupt_database_is_refused_with_what_to_do(tmp_path):
    path = str(tmp_path / "jobs.sqlite3")
    _corrupt(path)
    with pytest.raises(StorageError) as info:
        JobStore(path)
    assert info.value.kind == "corrupt" and f"mv {path} {path}.corrupt" in str(info.value)
    Path(path).write_bytes(b"not a database at all" * 100)
    with pytest.raises(StorageError, match=r"is corrupt .*file is not a database"):
        JobStore(path)


def test_the_launcher_refuses_a_corrupt_database_before_ray_starts(tmp_path):
    path = str(tmp_path / "jobs.sqlite3")
    _corrupt(path)
    temp = tempfile.mkdtemp(prefix="pcwc-", dir="/tmp")
    out = subprocess.run([sys.executable, "-m", "serve_app", "--db-path", path, "--port", "1",
                          "--temp-dir", temp], env=env(), capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    assert "not started" in out.stderr and "is corrupt" in out.stderr and "mv " in out.stderr
    assert "Traceback" not in out.stderr
    assert pids_with(temp) == [] and os.listdir(temp) == []  # Ray never started
    os.rmdir(temp)


def test_a_running_job_whose_chunk_cannot_be_kept_fails_with_the_reason(disk, ray_cluster):
    """No runner here: the registry's own calls, as a runner makes them."""

    async def scenario():
        reg = JobRegistry(disk.db, "ns-storage-test", "reg-storage", 60)
        await reg.boot()  # before the job: booting would resume it (no runner here)
        reg._store.insert(_job("victim"))
        disk.fill()
        hist = np.random.default_rng(0).integers(0, 2**40, (3, 1000))  # 24 kB, incompressible
        stop = await reg.chunk_done("victim", "MonteCarloPlan-x", 0, 4, hist, "node")
        assert stop is True  # the runner is told to stop
        job = await reg.get("victim")
        assert job["status"] == "failed", job
        assert "could not be kept" in job["error"] and "is full" in job["error"]
        assert [j["job_id"] for j in await reg.list("failed")] == ["victim"]
        assert await reg.list("running") == []
        assert reg._store.get("victim")["status"] == "running"  # the file could not say it
        disk.free()
        await reg._flush_unrecorded()  # what the registry does every 2 s
        assert reg._unrecorded == {}
        reg._store.close()

    asyncio.run(scenario())
    row = JobStore(disk.db).get("victim")
    assert row["status"] == "failed" and "could not be kept" in row["error"]


def test_a_full_disk_answers_a_submission_through_ray_with_507(disk, ray_cluster):
    """The registry actor's `StorageError` reaches its caller (the ingress) through Ray
    with its kind, so the answer is the 507 with the message."""
    JobStore(disk.db).close()
    registry = get_registry("reg-storage-full", "ns-storage-test", disk.db, 60)
    try:
        ray.get(registry.ping.remote(), timeout=60)
        disk.fill()
        grid = {"dt": 1.0, "dj": 0.25, "s0": 2.0, "J": 8}
        mc = {"mc_count": 8, "backend": "ray"}
        params = JobParams.from_dict({"grid": grid, "monte_carlo": mc, "n": 256, "a1": 0.3})
        with pytest.raises(StorageError) as info:
            ray.get(registry.submit.remote(params), timeout=60)
        cause = info.value.cause  # RayTaskError(StorageError): the ingress maps the cause
        assert cause.kind == "full" and cause.http_status == 507
        status, body = _answer(info.value)  # what the ingress answers
        assert status == 507 and "is full" in body and disk.db in body
        assert ray.get(registry.list.remote(), timeout=60) == []
    finally:
        ray.kill(registry, no_restart=True)
