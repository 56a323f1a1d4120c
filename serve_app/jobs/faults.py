"""Failures of the jobs database, classified so that callers answer them clearly.

Every SQLite error of `serve_app.jobs.store.JobStore` becomes a `StorageError` with
a ``kind`` (``full``, ``read-only``, ``corrupt``, ``unavailable``), an HTTP status
(507 for a full disk, 503 otherwise: the service cannot keep jobs now) and a message
naming the file and what to do. The registry retries a failed write a few times
(`WRITE_RETRIES`) before it gives up on it.
"""

from __future__ import annotations

import os

__all__ = ["WRITE_RETRIES", "StorageError", "storage_error"]

#: Attempts of one write before it fails (the registry waits 0.1, 0.3, 0.9 s between).
WRITE_RETRIES = 4

_KINDS = {
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
    "SQLITE_CANTOPEN": "unavailable",
    "SQLITE_IOERR": "unavailable",
    "SQLITE_BUSY": "unavailable",
    "SQLITE_LOCKED": "unavailable",
    "SQLITE_PERM": "read-only",
}

_ADVICE = {
    "full": "free space on its file system (or move the file to a larger one)",
    "read-only": "make the file and its folder writable by the service's user (or remount "
    "the file system read-write)",
    "corrupt": "stop the service, move the file aside (mv {path} {path}.corrupt) to start "
    "with an empty database, or restore a backup; `sqlite3 {path}.corrupt .recover` may "
    "save its jobs",
    "unavailable": "check the disk and the file's permissions",
}


class StorageError(Exception):
    """The jobs database failed a read or a write.

    ``StorageError(message, kind)``; ``str()`` is the message.
    """

    @property
    def kind(self) -> str:
        """``full``, ``read-only``, ``corrupt`` or ``unavailable``."""
        return self.args[1] if len(self.args) > 1 else "unavailable"

    @property
    def http_status(self) -> int:
        """507 (Insufficient Storage) for a full disk, else 503."""
        return 507 if self.kind == "full" else 503

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "jobs database error"


def _kind(exc: BaseException) -> str:
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, kind in _KINDS.items():
        if name.startswith(prefix):
            return kind
    text = str(exc).lower()
    if "full" in text:
        return "full"
    if "readonly" in text or "read-only" in text:
        return "read-only"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "corrupt"
    return "unavailable"


def _read_only_folder(path: str) -> bool:
    folder = os.path.dirname(os.path.abspath(path))
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def storage_error(exc: BaseException, path: str, doing: str) -> StorageError:
    """The `StorageError` of SQLite's ``exc`` while ``doing`` something with ``path``."""
    if isinstance(exc, StorageError):
        return exc
    kind = _kind(exc)
    if kind == "unavailable" and _read_only_folder(path):
        kind = "read-only"  # SQLite says "unable to open": it cannot make its -wal/-shm
    advice = _ADVICE[kind].format(path=path)
    label = {"full": "is full", "read-only": "is read-only", "corrupt": "is corrupt"}.get(
        kind, "cannot be used"
    )
    return StorageError(f"the jobs database {path} {label} ({doing}: {exc}); {advice}", kind)
