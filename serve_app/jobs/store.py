"""SQLite persistence of significance jobs, their finished chunks and their results.

One row per job; every state transition is written at once (autocommit), and the
result of a completed job is kept as an ``.npz`` blob, so jobs and results survive a
restart of the registry actor or of the whole service. While a job runs, the part
of each finished Monte Carlo chunk is kept in table ``chunks`` under the key of its
pass (`pycwt_mod.montecarlo.checkpoint_key`: the thresholds' histogram and the
areawise test's null patches keep their chunks apart), so a job interrupted by a
crash resumes every pass from the chunks already done; the rows go once the job is
terminal. A part is stored without pickle: a histogram (``n_scales x nbins``
integers) as its zlib-compressed bytes, a dataclass of arrays (e.g.
`pycwt_mod.areawise.kernel.NullPatches`) as an ``.npz`` of its fields, loaded back
with ``allow_pickle=False``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import numpy as np

from pycwt_mod.areawise.kernel import NullPatches

from .faults import StorageError, storage_error
from .job import Job
from .schema import NewerSchemaError, migrate

__all__ = [
    "JOB_FIELDS",
    "LEGACY_KEY",
    "PART_TYPES",
    "JobStore",
    "StorageError",
    "StoredChunk",
    "utcnow",
]

#: Columns returned by `JobStore.get` / `JobStore.list` (``params`` decoded from JSON):
#: the fields of the `Job` record.
JOB_FIELDS = tuple(f.name for f in dataclasses.fields(Job))

#: Key of the kept chunks of version-1 rows (the thresholds' pass of a job).
LEGACY_KEY = ""
#: Chunk parts that are not histograms, by type name: dataclasses of arrays.
PART_TYPES: dict[str, type] = {"NullPatches": NullPatches}

#: JSON-encoded columns of the jobs table.
_JSON_COLUMNS = ("params", "chunk_nodes")


@dataclasses.dataclass(frozen=True)
class StoredChunk:
    """A finished Monte Carlo chunk of a job: pairs ``[start, stop)`` of the pass
    ``plan_key``, its part (a histogram or a `PART_TYPES` value) and the Ray node it
    ran on."""

    start: int
    stop: int
    part: Any
    node_id: str | None
    plan_key: str = LEGACY_KEY


def encode_part(part) -> tuple[str, str, bytes]:
    """``(kind, shape, blob)`` of a chunk part, without pickle.

    Raises
    ------
    TypeError
        For a part that is neither an integer array nor a `PART_TYPES` dataclass.
    """
    if isinstance(part, np.ndarray):
        hist = np.ascontiguousarray(part, dtype=np.int64)
        return "hist", json.dumps(list(hist.shape)), zlib.compress(hist.tobytes(), 1)
    kind = type(part).__name__
    if PART_TYPES.get(kind) is not type(part):
        raise TypeError(f"cannot keep a chunk part of type {kind} (known: {sorted(PART_TYPES)})")
    buf = io.BytesIO()
    fields = {f.name: np.asarray(getattr(part, f.name)) for f in dataclasses.fields(part)}
    np.savez_compressed(buf, **fields)
    return kind, "[]", buf.getvalue()


def decode_part(kind: str, shape: str, blob: bytes):
    """Inverse of `encode_part`."""
    if kind == "hist":
        return np.frombuffer(zlib.decompress(blob), dtype=np.int64).reshape(json.loads(shape))
    cls = PART_TYPES[kind]
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        return cls(**{f.name: np.array(arrays[f.name]) for f in dataclasses.fields(cls)})


def utcnow() -> str:
    """Current UTC time, ISO 8601 with microseconds."""
    return datetime.now(timezone.utc).isoformat()


class JobStore:
    """Jobs table in one SQLite file (created with its folder when missing).

    Parameters
    ----------
    path : str
        SQLite file; ``":memory:"`` for a throw-away store.
    """

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        with self._guard("opening it"):
            if path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            problems = [r[0] for r in self._db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                self._db.close()
                raise sqlite3.DatabaseError(
                    "database disk image is malformed: " + "; ".join(problems[:3])
                )
            self._db.execute("PRAGMA journal_mode=WAL")
            try:
                migrate(self._db)
            except NewerSchemaError as exc:
                self._db.close()
                raise StorageError(f"the jobs database {path} has {exc}", "unavailable") from None

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Hold the lock; SQLite's errors become `StorageError` (what failed, how to fix)."""
        try:
            with self._lock:
                yield
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path, doing) from exc
        except OSError as exc:  # the folder could not be made
            raise storage_error(exc, self.path, doing) from exc

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def insert(self, job: dict[str, Any], series: bytes | None = None) -> str:
        """Add a new job (``params`` is stored as JSON, ``series`` as a blob apart);
        returns its id, or the id of the job of the same owner and ``idempotency_key``
        when there is one (then nothing is added).

        The series (an ``.npz``) are read only when a runner starts (`series`), never
        by the frequent `get`/`list` of progress, cancel and event polls.
        """
        row = {k: job.get(k) for k in JOB_FIELDS}
        row["series"] = series
        row["params"] = json.dumps(job.get("params") or {})
        row["chunk_nodes"] = json.dumps(job.get("chunk_nodes") or {})
        row["resumptions"] = int(row["resumptions"] or 0)
        row["cancel_requested"] = int(bool(row["cancel_requested"]))
        row["progress"] = float(row["progress"] or 0.0)
        row["attempts"] = int(row["attempts"] or 1)
        row["suspended"] = int(bool(row["suspended"]))
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        with self._guard("adding a job"):
            if row["idempotency_key"] is not None:
                found = self._db.execute(
                    "SELECT job_id FROM jobs WHERE COALESCE(owner, '') = ? AND idempotency_key = ?",
                    (row["owner"] or "", row["idempotency_key"]),
                ).fetchone()
                if found is not None:
                    return found[0]
            self._db.execute(f"INSERT INTO jobs ({cols}) VALUES ({marks})", row)
        return row["job_id"]

    def update(self, job_id: str, **fields: Any) -> bool:
        """Set ``fields`` of a job; returns False when the job does not exist."""
        bad = set(fields) - set(JOB_FIELDS) - {"result"}
        if bad:
            raise ValueError(f"unknown job fields: {sorted(bad)}")
        for flag in ("cancel_requested", "suspended"):
            if flag in fields:
                fields[flag] = int(bool(fields[flag]))
        for column in _JSON_COLUMNS:
            if column in fields:
                fields[column] = json.dumps(fields[column] or {})
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        with self._guard("updating a job"):
            cur = self._db.execute(
                f"UPDATE jobs SET {sets} WHERE job_id = :job_id", {**fields, "job_id": job_id}
            )
        return cur.rowcount > 0

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as a dict, or None."""
        cols = ", ".join(JOB_FIELDS)
        with self._guard("reading a job"):
            row = self._db.execute(
                f"SELECT {cols} FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
        return None if row is None else _decode(row)

    def series(self, job_id: str) -> bytes | None:
        """The ``.npz`` series blob kept with a job, or None."""
        with self._guard("reading a job's series"):
            row = self._db.execute("SELECT series FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else row[0]

    def list(self, status: str | None = None, owner: str | None = None) -> list[dict[str, Any]]:
        """All jobs (newest first), or those in ``status`` and/or of ``owner``."""
        cols = ", ".join(JOB_FIELDS)
        sql = f"SELECT {cols} FROM jobs"
        where, args = [], []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if owner is not None:
            where.append("owner = ?")
            args.append(owner)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._guard("listing jobs"):
            rows = self._db.execute(sql + " ORDER BY created_at DESC", args).fetchall()
        return [_decode(r) for r in rows]

    def set_result(self, job_id: str, blob: bytes) -> None:
        """Store the ``.npz`` result blob of a job."""
        with self._guard("storing a result"):
            self._db.execute(
                "UPDATE jobs SET result = ? WHERE job_id = ?", (sqlite3.Binary(blob), job_id)
            )

    def get_result(self, job_id: str) -> bytes | None:
        """The result blob, or None when there is none."""
        with self._guard("reading a result"):
            row = self._db.execute("SELECT result FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def add_chunk(
        self,
        job_id: str,
        start: int,
        stop: int,
        part,
        node_id: str | None,
        mc_count: int | None = None,
        plan_key: str = LEGACY_KEY,
    ) -> bool:
        """Keep a finished chunk of the pass ``plan_key`` and, in the same transaction,
        count it in the job's ``chunk_nodes`` and ``progress`` (the kept pairs of every
        pass, of ``mc_count`` pairs in all), so a crash never leaves a chunk kept but
        uncounted. False when it was already kept (chunks are deterministic, so a
        second copy is the same part)."""
        kind, shape, blob = encode_part(part)
        row = (job_id, plan_key, int(start), int(stop), node_id, kind, shape,
               sqlite3.Binary(blob))  # fmt: skip
        with self._guard("keeping a chunk"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                added = (
                    self._db.execute(
                        "INSERT OR IGNORE INTO chunks (job_id, plan_key, start, stop, node_id, "
                        "kind, shape, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    ).rowcount
                    > 0
                )
                job = self._db.execute(
                    "SELECT chunk_nodes FROM jobs WHERE job_id = ?", (job_id,)
                ).fetchone()
                if added and job is not None and mc_count is not None:
                    nodes = json.loads(job[0] or "{}")
                    key = node_id or "unknown"
                    nodes[key] = nodes.get(key, 0) + int(stop) - int(start)
                    (done,) = self._db.execute(
                        "SELECT COALESCE(SUM(stop - start), 0) FROM chunks WHERE job_id = ?",
                        (job_id,),
                    ).fetchone()
                    self._db.execute(
                        "UPDATE jobs SET chunk_nodes = ?, progress = ? WHERE job_id = ?",
                        (json.dumps(nodes), min(1.0, done / max(1, mc_count)), job_id),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLite may have rolled back already
                    self._db.execute("ROLLBACK")
                raise
        return added

    def chunks(self, job_id: str, plan_key: str | None = None) -> list[StoredChunk]:
        """The finished chunks of a job (of the pass ``plan_key`` only, when given), by
        pass and start."""
        sql = (
            "SELECT plan_key, start, stop, node_id, kind, shape, part FROM chunks WHERE job_id = ?"
        )
        args: tuple = (job_id,)
        if plan_key is not None:
            sql, args = sql + " AND plan_key = ?", (job_id, plan_key)
        with self._guard("reading kept chunks"):
            rows = self._db.execute(sql + " ORDER BY plan_key, start", args).fetchall()
        return [
            StoredChunk(
                int(r["start"]),
                int(r["stop"]),
                decode_part(r["kind"], r["shape"], r["part"]),
                r["node_id"],
                r["plan_key"],
            )
            for r in rows
        ]

    def done_pairs(self, job_id: str) -> int:
        """Surrogate pairs of the finished chunks of a job (every pass)."""
        with self._guard("counting kept chunks"):
            row = self._db.execute(
                "SELECT COALESCE(SUM(stop - start), 0) FROM chunks WHERE job_id = ?", (job_id,)
            ).fetchone()
        return int(row[0])

    def drop_chunks(self, job_id: str) -> None:
        """Forget the chunks of a job (once it is terminal)."""
        with self._guard("dropping kept chunks"):
            self._db.execute("DELETE FROM chunks WHERE job_id = ?", (job_id,))


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    job = dict(row)
    job["params"] = json.loads(job["params"] or "{}")
    job["chunk_nodes"] = json.loads(job.get("chunk_nodes") or "{}")
    job["cancel_requested"] = bool(job["cancel_requested"])
    return job
