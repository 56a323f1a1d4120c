"""Start an embedded local Ray and serve the API until Ctrl-C: the one way to run it.

``python -m serve_app`` (which ``python3 dev.py serve`` and ``pycwt-mod serve`` run)
calls `main`. Options override the ``PYCWT_*`` settings::

    python -m serve_app --port 8000 --num-cpus 4

The embedded cluster is closed (`serve_app.cluster`): its Ray ports listen on
127.0.0.1 only and it uses Ray's token authentication, unless ``PYCWT_RAY_LOOPBACK``
/ ``PYCWT_RAY_TOKEN_AUTH`` are false.
Ray's worker processes leave this process's process group (they are started by the
raylet): Ctrl-C/SIGTERM here stops them all; after a ``kill -9`` of this process, stop
the processes whose command line names the printed Ray session directory.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

import ray
from ray import serve

from .app import APP_NAME, build_app
from .client.common_flags import add_serve_flags
from .cluster import close_cluster
from .jobs.registry import service_log_path
from .jobs.store import JobStore, StorageError
from .settings import Settings, get_settings

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m serve_app", description=__doc__.split("\n")[0])
    add_serve_flags(p)  # shared with `pycwt-mod serve`
    return p.parse_args(argv)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _session_dir() -> str:
    try:  # no public API gives it
        return ray._private.worker._global_node.get_session_dir_path()
    except Exception:
        return "(unknown)"


def main(argv: list[str] | None = None) -> int:
    """Start Ray and Serve, print the URL, block until interrupted; returns the exit code."""
    args = _parse(argv)
    settings = get_settings(
        host=args.host, port=args.port, num_cpus=args.num_cpus, db_path=args.db_path
    )
    try:  # a corrupt or unwritable database is refused before Ray starts
        JobStore(settings.resolved_db_path()).close()
    except StorageError as exc:
        print(f"pycwt-mod: not started: {exc}", file=sys.stderr, flush=True)
        return 2
    close_cluster(loopback=settings.ray_loopback, token_auth=settings.ray_token_auth)
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    ray.init(
        address="local",
        num_cpus=settings.num_cpus or os.cpu_count(),
        include_dashboard=False,
        runtime_env={"env_vars": {"PYTHONPATH": pythonpath}},
        log_to_driver=False,
        _metrics_export_port=args.metrics_port,
        _temp_dir=args.temp_dir,
    )
    serve.start(http_options={"host": settings.host, "port": settings.port})
    serve.run(
        build_app({"db_path": settings.resolved_db_path()}),
        name=APP_NAME,
        route_prefix="/",
        # per-request access logs cost CPU in every replica; errors are still logged
        logging_config={"enable_access_log": False, "log_level": "WARNING"},
    )
    url = f"http://{settings.host}:{settings.port}"
    print(f"pycwt-mod service ready at {url}  (API docs: {url}/docs; Ctrl-C stops it)")
    print(f"jobs database: {settings.resolved_db_path()}")
    print(f"service log: {service_log_path(settings.resolved_db_path())}")
    print(f"ray session: {_session_dir()}  (its processes leave this process group)")
    node = ray.nodes()[0]
    print(
        f"metrics (Prometheus): http://{node['NodeManagerAddress']}:{node['MetricsExportPort']}/metrics",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping...", flush=True)
    finally:
        _suspend_jobs(settings)
        serve.shutdown()
        ray.shutdown()
    return 0


def _suspend_jobs(settings: Settings) -> None:
    """Mark the active jobs as stopped by this graceful stop, so that resuming them at
    the next start does not spend one of their resumptions."""
    try:
        registry = ray.get_actor(settings.registry_name, namespace=settings.ray_namespace)
        n = ray.get(registry.suspend_all.remote(), timeout=10)
    except Exception as exc:  # no registry (no job yet) or a database fault
        print(f"active jobs not marked ({type(exc).__name__}: {exc})", flush=True)
        return
    print(f"{n} active job(s) resume at the next start", flush=True)


if __name__ == "__main__":
    sys.exit(main())
