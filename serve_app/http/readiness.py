"""Readiness of the service: the job registry, its database and the backends.

``GET /health`` is liveness only (the replica answers); ``GET /health/ready`` runs
`readiness`, which a load balancer polls to stop sending traffic to a service that
cannot keep jobs: 200 when every check passes, 503 (code ``not_ready``) otherwise,
with each check's result. The messages say what to do and carry no path or
traceback (the service log has those).

=============  ==========================================================
check          passes when
=============  ==========================================================
``registry``   the job registry actor answers its ``ping`` (it has loaded the
               jobs) within `TIMEOUT_S`
``database``   the SQLite file opens read-write, is a database, its write lock
               can be taken, and its folder takes a 4 KiB file (disk not full);
               ``ok`` is None where the file is on another node than this replica
``backends``   the default Monte Carlo backend is available here
=============  ==========================================================
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pycwt_mod.montecarlo.backends import describe_backends

if TYPE_CHECKING:
    from .service import Service

__all__ = ["TIMEOUT_S", "Check", "Readiness", "check_backends", "check_database", "readiness"]

log = logging.getLogger(__name__)

#: Seconds each check may take before it counts as failed.
TIMEOUT_S = 5.0
#: Bytes written (and removed) next to the database to find a full disk.
_PROBE_BYTES = 4096
_DB = "the jobs database (PYCWT_DB_PATH)"


@dataclass(frozen=True)
class Check:
    """One readiness check: ``ok`` (None: not checkable from here) and what it found."""

    ok: bool | None
    detail: str


@dataclass(frozen=True)
class Readiness:
    """Every check, by name; ready when none failed."""

    checks: dict[str, Check]

    @property
    def ready(self) -> bool:
        return all(c.ok is not False for c in self.checks.values())


def check_database(path: str) -> Check:
    """Whether the SQLite file at ``path`` can be written (module table)."""
    if not os.path.exists(path):  # the registry made it: on the registry's node
        return Check(None, f"{_DB} is not on this node (the registry's node keeps it)")
    try:
        with sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=TIMEOUT_S) as db:
            db.execute("PRAGMA schema_version").fetchone()  # reads the header
            db.execute("BEGIN IMMEDIATE")  # the write lock
            db.execute("ROLLBACK")
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            return Check(
                False, f"{_DB} is not a readable SQLite database ({exc}): restore it from a "
                "backup, or move it away to start with no jobs",
            )  # fmt: skip
        return Check(False, f"{_DB} cannot be written ({exc}): check its permissions")
    try:
        with tempfile.TemporaryFile(dir=os.path.dirname(path) or ".") as f:
            f.write(bytes(_PROBE_BYTES))
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        return Check(False, f"the folder of {_DB} takes no new data ({exc.strerror}): free space")
    return Check(True, "writable")


def check_backends(default_backend: str) -> Check:
    """Whether the default Monte Carlo backend is available here."""
    described = {d["name"]: d for d in describe_backends()}
    available = [n for n, d in described.items() if d.get("available")]
    found = described.get(default_backend)
    if found is None or not found.get("available"):
        reason = "unknown" if found is None else found.get("reason")
        return Check(
            False,
            f"the default backend {default_backend!r} (PYCWT_DEFAULT_BACKEND) is not "
            f"available: {reason}; available: {', '.join(available)}",
        )
    return Check(True, f"available: {', '.join(available)}")


async def _registry(service: Service) -> Check:
    try:
        pong = await asyncio.wait_for(service.ping_registry(), TIMEOUT_S)
    except asyncio.TimeoutError:
        return Check(False, f"the job registry did not answer within {TIMEOUT_S:g} s (starting?)")
    except Exception as exc:  # a dead actor's message is its traceback: the log has it
        log.warning("readiness: the job registry fails: %r", exc)
        return Check(
            False, f"the job registry cannot start ({type(exc).__name__}); the service log "
            "has its error (often the jobs database: see the database check)",
        )  # fmt: skip
    if not pong.get("ok", True):  # it runs, but refused its database (see that check)
        return Check(False, f"the job registry cannot use its database: {pong.get('error')}")
    counts = pong.get("counts", {})
    return Check(True, f"{sum(counts.values())} jobs")


async def readiness(service: Service) -> Readiness:
    """The readiness checks of ``service`` (module table), run concurrently."""
    config = service.config
    registry, database, backends = await asyncio.gather(
        _registry(service),
        asyncio.to_thread(check_database, config.db_path),
        asyncio.to_thread(check_backends, config.default_backend),
    )
    return Readiness({"registry": registry, "database": database, "backends": backends})
