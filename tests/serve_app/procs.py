"""Start and kill whole Ray clusters and services of one test, by what names them.

Ray's processes leave the process group of whoever started them (the raylet starts the
workers), so a cluster is found by a string only its daemons have on their command
line (its own ``--temp-dir``): the GCS, the raylet, the log monitor... Workers rename
themselves (``ray::JobRunner``, ``ray::IDLE``), so they are found as descendants of
those, before anything is killed (a dead parent's children are re-parented). Never
``ray stop``: it stops every Ray cluster of this machine, other users' included.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil

from serve_app.cluster import cluster_env

ROOT = Path(__file__).resolve().parents[2]


def env(**extra: str) -> dict[str, str]:
    """The environment of a cluster process: this checkout importable, no token auth,
    nodes on the machine's address (``ray start`` of a second node refuses Ray's
    single-machine mode). ``python -m serve_app`` closes its own cluster again."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **cluster_env(loopback=False, token_auth=False),
            **extra}  # fmt: skip


#: Addresses of the loopback interface, as ``psutil`` reports listening sockets.
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def refuses_without_token(port: int) -> bool:
    """Whether the gRPC server on loopback ``port`` answers a call without Ray's token
    with UNAUTHENTICATED (a Serve replica's inter-deployment server)."""
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary("/ray.serve.ASGIService/HandleRequest")
        try:
            call(b"", timeout=10)
        except grpc.RpcError as exc:
            return exc.code() is grpc.StatusCode.UNAUTHENTICATED
    return False


def beyond_loopback(sockets) -> list[tuple[int, str, str, int]]:
    """The `listening` sockets that a machine other than this one could reach, but
    the Serve replicas' inter-deployment gRPC servers when they refuse a call without
    the token (Ray Serve 2.60 binds those to all interfaces itself, ``[::]:0``)."""
    return [
        s
        for s in sockets
        if s[2] not in LOOPBACK
        and not (s[1].startswith("ray::ServeReplica") and refuses_without_token(s[3]))
    ]


def listening(pids) -> list[tuple[int, str, str, int]]:
    """``(pid, name, ip, port)`` of every TCP socket the processes ``pids`` listen on."""
    found = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            name = proc.name()
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    found.append((pid, name, conn.laddr.ip, conn.laddr.port))
        except psutil.Error:
            continue
    return found


def pids_with(marker: str) -> list[int]:
    """Processes (not this one) whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(int(entry.name))
    return found


def with_descendants(pids: list[int]) -> list[int]:
    """``pids`` and all their live descendants."""
    found = set()
    for pid in pids:
        if not _alive(pid):
            continue
        found.add(pid)
        try:
            found.update(c.pid for c in psutil.Process(pid).children(recursive=True))
        except psutil.Error:
            pass
    found.discard(os.getpid())
    return sorted(found)


def kill_marked(marker: str, timeout: float = 30.0, roots: tuple[int, ...] = ()) -> list[int]:
    """SIGKILL every process whose command line contains ``marker``, the processes
    ``roots``, and all their descendants; wait until none is left."""
    killed = []
    deadline = time.monotonic() + timeout
    while True:
        pids = with_descendants(pids_with(marker) + [p for p in roots if psutil.pid_exists(p)])
        pids = [p for p in pids if _alive(p)]
        if not pids:
            return killed
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes marked {marker!r} survive SIGKILL: {pids}")
        time.sleep(0.2)


def remove_cluster(temp_dir: str, roots: tuple[int, ...] = ()) -> list[int]:
    """Kill a cluster started with ``--temp-dir=temp_dir`` (`kill_marked`), remove
    Ray's current-cluster file wherever it names that cluster (its own temp dir, this
    run's ``$RAY_TMPDIR/ray`` and ``/tmp/ray``: left behind, it makes a later
    ``ray.init()`` wait for a dead head), then the temp dir itself."""
    killed = kill_marked(temp_dir, roots=roots)
    own = Path(temp_dir) / "ray_current_cluster"
    try:
        address = own.read_text().strip()
    except OSError:
        address = ""
    candidates = [Path(os.environ.get("RAY_TMPDIR") or "/tmp") / "ray", Path("/tmp/ray")]
    for folder in candidates:
        path = folder / "ray_current_cluster"
        try:
            if address and path.read_text().strip() == address:
                path.unlink()
        except OSError:
            pass
    shutil.rmtree(temp_dir, ignore_errors=True)
    assert not os.path.exists(temp_dir) and pids_with(temp_dir) == []
    return killed


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group (session) ``proc`` leads, and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 120.0) -> None:
    """Until ``url`` answers 200 (fails early when ``proc`` exits)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout} s")
        time.sleep(0.25)
