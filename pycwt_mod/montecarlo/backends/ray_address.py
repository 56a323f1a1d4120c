"""Which Ray cluster the ray backend joins, without ever waiting on a dead one.

``ray.init()`` without an address joins the cluster named in Ray's current-cluster
file (``ray_current_cluster`` in Ray's temp directory, ``$RAY_TMPDIR/ray`` or
``/tmp/ray``), which ``ray start`` writes and a killed cluster leaves behind; Ray then
waits for that head without a bound. `connect` instead joins only an address the
caller gave (the backend's ``address`` option or ``RAY_ADDRESS``; ``"auto"`` reads
that file on purpose) and starts a fresh local cluster otherwise; an address that does
not answer within the connection timeout is an error naming it and how to clear it.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from .base import BackendUnavailableError

__all__ = ["CONNECT_TIMEOUT_S", "RayTarget", "connect", "current_cluster_file", "resolve"]

#: Seconds the head of an explicit address gets to accept a TCP connection.
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RayTarget:
    """Where to connect: ``address`` (``"local"``: a fresh local cluster) and where
    that address came from (for the error message)."""

    address: str
    source: str
    clear: str  # how to stop using this address


def current_cluster_file() -> str:
    """Path of Ray's current-cluster file (``$RAY_TMPDIR/ray`` or ``/tmp/ray``)."""
    root = os.environ.get("RAY_TMPDIR") or os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(root, "ray", "ray_current_cluster")


def resolve(address: str | None) -> RayTarget:
    """The cluster to join for the backend's ``address`` option.

    Parameters
    ----------
    address : str or None
        None: ``RAY_ADDRESS`` if set, else a fresh local cluster (Ray's current-cluster
        file is not read); ``"local"``: a fresh local cluster; ``"auto"``: the cluster
        of Ray's current-cluster file; else a ``host:port`` or ``ray://host:port``.

    Raises
    ------
    BackendUnavailableError
        For ``"auto"`` without a current-cluster file.
    """
    env = os.environ.get("RAY_ADDRESS") or None
    if address is None and env is not None:
        return RayTarget(env, "RAY_ADDRESS", "unset RAY_ADDRESS")
    if address in (None, "local"):
        return RayTarget("local", "a fresh local cluster", "")
    if address == "auto":
        path = current_cluster_file()
        try:
            with open(path) as f:
                found = f.read().strip()
        except OSError:
            found = ""
        if not found:
            raise BackendUnavailableError(
                f"address='auto' but Ray's current-cluster file {path} names no cluster: "
                "start one with `ray start --head`, or pass address=None for a fresh "
                "local cluster"
            )
        return RayTarget(
            found,
            f"Ray's current-cluster file {path} (written by `ray start`)",
            f"delete {path} (a cluster that was killed leaves it behind) or pass "
            "address=None for a fresh local cluster",
        )
    return RayTarget(address, "the backend's address option", "pass another address")


def _host_port(address: str) -> tuple[str, int] | None:
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]") or "127.0.0.1", int(port)


def connect(address: str | None, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """``ray.init`` on the cluster `resolve` chooses (call it when Ray is not
    initialised yet).

    Raises
    ------
    BackendUnavailableError
        When the head at an explicit address accepts no TCP connection within
        ``timeout_s`` (the message names the address, where it came from and how to
        clear it).
    """
    import ray

    target = resolve(address)
    hp = None if target.address == "local" else _host_port(target.address)
    if hp is not None:
        try:
            socket.create_connection(hp, timeout=timeout_s).close()
        except OSError as exc:
            raise BackendUnavailableError(
                f"no Ray cluster answers at {target.address} (from {target.source}) "
                f"within {timeout_s:g} s ({exc}); start that cluster, or {target.clear}"
            ) from None
    ray.init(address=target.address)
