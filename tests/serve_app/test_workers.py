"""Ray workers, Serve replicas and the registry import this checkout's code."""

from __future__ import annotations

import ray

import pycwt_mod
import serve_app


@ray.remote(num_cpus=0)
def _where() -> tuple[str, str]:
    import pycwt_mod as p
    import serve_app as s

    return p.__file__, s.__file__


def test_tasks_import_the_checkout(ray_cluster):
    assert ray.get(_where.remote(), timeout=60) == (pycwt_mod.__file__, serve_app.__file__)


def test_registry_imports_the_checkout(service):
    registry = ray.get_actor(service.registry_name, namespace=service.namespace)
    info = ray.get(registry.ping.remote(), timeout=60)
    import serve_app.jobs.registry

    assert info["module"] == serve_app.jobs.registry.__file__
    assert info["db_path"] == str(service.db_path)
