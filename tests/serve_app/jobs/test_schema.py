"""Versions of the jobs database in SQLite's ``user_version`` (issue 23)."""

from __future__ import annotations

import sqlite3

import pytest

from serve_app.jobs.schema import SCHEMA_VERSION
from serve_app.jobs.store import JobStore, StorageError, utcnow

#: The jobs table of the first release (before owners, attempts, nodes, series).
_FIRST_JOBS = """
CREATE TABLE jobs (job_id TEXT PRIMARY KEY, status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0, created_at TEXT NOT NULL, started_at TEXT,
    completed_at TEXT, error TEXT, backend TEXT NOT NULL, mc_count INTEGER NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0, runner_name TEXT, params TEXT NOT NULL,
    result BLOB);
INSERT INTO jobs (job_id, status, created_at, backend, mc_count, params, result)
    VALUES ('old', 'completed', '2024-01-01T00:00:00+00:00', 'ray', 8, '{}', x'00');
"""


def _version(path: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def test_a_new_file_has_the_current_version(tmp_path):
    path = str(tmp_path / "new.sqlite3")
    JobStore(path).close()
    assert _version(path) == SCHEMA_VERSION == 2


def test_a_file_of_the_first_release_opens_and_keeps_its_jobs(tmp_path):
    path = str(tmp_path / "first.sqlite3")
    con = sqlite3.connect(path)
    con.executescript(_FIRST_JOBS)
    con.close()
    assert _version(path) == 0  # versions were not recorded then
    store = JobStore(path)
    job = store.get("old")
    assert job["status"] == "completed" and job["attempts"] == 1 and job["owner"] is None
    assert store.get_result("old") == b"\0"
    store.insert({"job_id": "new", "status": "queued", "progress": 0.0, "created_at": utcnow(),
                  "backend": "ray", "mc_count": 8, "runner_name": "r", "params": {}})  # fmt: skip
    store.close()
    assert _version(path) == SCHEMA_VERSION
    JobStore(path).close()  # opening again changes nothing
    assert _version(path) == SCHEMA_VERSION


def test_a_file_of_a_newer_version_is_refused(tmp_path):
    path = str(tmp_path / "newer.sqlite3")
    JobStore(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StorageError, match="newer than this service's"):
        JobStore(path)
