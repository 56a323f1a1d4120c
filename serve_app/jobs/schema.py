"""The tables of the jobs database and their versions (SQLite's ``user_version``).

A file records the version of its schema in ``PRAGMA user_version``; `migrate` brings
it to `SCHEMA_VERSION` one step at a time, each step and its new version in one
transaction (a crash mid-step leaves the previous version). Version 0 is a new file or
a file of a release before versions were recorded: step 1 creates what is missing and
adds the columns and the chunks table those releases lacked, so every old file opens.
A file of a newer version than this code is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["SCHEMA_VERSION", "NewerSchemaError", "migrate"]

_JOBS = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    error TEXT,
    backend TEXT NOT NULL,
    mc_count INTEGER NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    runner_name TEXT,
    params TEXT NOT NULL,
    result BLOB
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
"""

#: Columns added to ``jobs`` by releases before versions were recorded.
_UNVERSIONED_COLUMNS = {
    "owner": "TEXT",
    "attempts": "INTEGER NOT NULL DEFAULT 1",
    "resumptions": "INTEGER NOT NULL DEFAULT 0",
    "runner_node": "TEXT",
    "chunk_nodes": "TEXT",
    "series": "BLOB",
}

#: The chunks table: a key per pass and parts of any kind (``store.PART_TYPES``).
_CHUNKS = """
CREATE TABLE IF NOT EXISTS chunks (
    job_id TEXT NOT NULL,
    plan_key TEXT NOT NULL,
    start INTEGER NOT NULL,
    stop INTEGER NOT NULL,
    node_id TEXT,
    kind TEXT NOT NULL,
    shape TEXT NOT NULL,
    part BLOB NOT NULL,
    PRIMARY KEY (job_id, plan_key, start, stop)
);
"""

#: The histograms of a first-release chunks table (one pass per job, the thresholds'),
#: moved with an empty key (read as the thresholds' pass).
_CHUNKS_FROM_FIRST = """
INSERT INTO chunks (job_id, plan_key, start, stop, node_id, kind, shape, part)
SELECT job_id, '', start, stop, node_id, 'hist', shape, hist FROM chunks_v1
"""


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _step_1(db: sqlite3.Connection) -> None:
    """Today's tables, from nothing or from any unversioned release."""
    for statement in _JOBS.strip().split(";\n"):
        db.execute(statement)
    have = _columns(db, "jobs")
    for column, decl in _UNVERSIONED_COLUMNS.items():
        if column not in have:
            db.execute(f"ALTER TABLE jobs ADD COLUMN {column} {decl}")
    chunks = _columns(db, "chunks")
    if chunks and "plan_key" not in chunks:
        db.execute("ALTER TABLE chunks RENAME TO chunks_v1")
        db.execute(_CHUNKS)
        db.execute(_CHUNKS_FROM_FIRST)
        db.execute("DROP TABLE chunks_v1")
    else:
        db.execute(_CHUNKS)


def _step_2(db: sqlite3.Connection) -> None:
    """Idempotency keys of submissions (one job per owner and key), the runner's
    process id, and the mark of a job stopped by a graceful stop of the service."""
    db.execute("ALTER TABLE jobs ADD COLUMN idempotency_key TEXT")
    db.execute("ALTER TABLE jobs ADD COLUMN runner_pid INTEGER")
    db.execute("ALTER TABLE jobs ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "CREATE UNIQUE INDEX jobs_idempotency ON jobs (COALESCE(owner, ''), idempotency_key) "
        "WHERE idempotency_key IS NOT NULL"
    )


#: Step ``i`` brings a file from version ``i`` to ``i + 1``.
_STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (_step_1, _step_2)
#: Version of the schema this code writes.
SCHEMA_VERSION = len(_STEPS)


class NewerSchemaError(sqlite3.DatabaseError):
    """The file was written by a newer version of the service."""


def migrate(db: sqlite3.Connection) -> int:
    """Bring the database to `SCHEMA_VERSION`; returns the version it had.

    ``db`` is in autocommit mode (``isolation_level=None``).

    Raises
    ------
    NewerSchemaError
        For a file of a newer schema version.
    """
    (found,) = db.execute("PRAGMA user_version").fetchone()
    while True:
        db.execute("BEGIN IMMEDIATE")  # another process may be migrating: read again
        try:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise NewerSchemaError(
                    f"schema version {version} is newer than this service's "
                    f"({SCHEMA_VERSION}): run the version that wrote it, or restore a copy "
                    "of the older file"
                )
            if version == SCHEMA_VERSION:
                db.execute("COMMIT")
                return found
            _STEPS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back already
                db.execute("ROLLBACK")
            raise
