"""Application builder: binds the ingress, the compute deployments and the job registry.

Serve calls `build_app` when it deploys: a Serve config's
``import_path: serve_app.app:build_app`` with ``args:`` (fields of `Settings`), or
``serve run serve_app.app:build_app [field=value ...]``; Python callers
``serve.run(build_app({...}))``. Importing this module builds nothing (no settings are
read, no deployment is bound).
"""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from .deployments import CWTDeployment, WCTDeployment
from .http.ingress import APIIngress
from .http.security import hash_key
from .http.service import IngressConfig
from .jobs.prepare import JobDefaults
from .npz import NpzBounds
from .settings import Settings

__all__ = ["APP_NAME", "build_app", "ingress_config"]

#: Name of the Serve application (``serve.get_app_handle(APP_NAME)``).
APP_NAME = "pycwt_mod"


def ingress_config(settings: Settings) -> IngressConfig:
    """The plain values the ingress replicas get from ``settings`` (key hashes, never
    the keys)."""
    return IngressConfig(
        registry_name=settings.registry_name,
        namespace=settings.ray_namespace,
        db_path=settings.resolved_db_path(),
        job_timeout_s=settings.job_timeout_s,
        default_backend=settings.default_backend,
        # replicas get hashes only, never the keys (serve_app.http.security)
        api_key_hashes=tuple(hash_key(k) for k in settings.keys()),
        cors_origins=None if settings.cors_origins is None else tuple(settings.cors_origins),
        max_body_bytes=settings.max_body_bytes,
        npz_bounds=NpzBounds.from_limits(settings.max_samples, settings.max_scales_x_samples),
    )


def build_app(args: Settings | dict[str, Any] | None = None) -> Application:
    """Build the ``pycwt_mod`` Serve application.

    Parameters
    ----------
    args : Settings or dict, optional
        `Settings` fields; those not given come from the environment (``PYCWT_*``).

    Returns
    -------
    ray.serve.Application
        Ingress bound to a `CWTDeployment`, a `WCTDeployment` and the registry config.

    Raises
    ------
    pydantic.ValidationError
        For an unknown field or an invalid value.
    """
    settings = args if isinstance(args, Settings) else Settings(**(args or {}))
    limits = settings.request_limits()
    job_defaults = JobDefaults(
        default_backend=settings.default_backend,
        use_gpu=settings.use_gpu,
        chunk_size=settings.chunk_size,
    )
    compute: dict[str, Any] = {"ray_actor_options": {"num_cpus": settings.compute_num_cpus}}
    if settings.compute_max_ongoing_requests is not None:
        compute["max_ongoing_requests"] = settings.compute_max_ongoing_requests
    if settings.compute_max_queued_requests is not None:
        compute["max_queued_requests"] = settings.compute_max_queued_requests
    cwt = CWTDeployment.options(**compute).bind(limits)
    wct = WCTDeployment.options(**compute).bind(limits, settings.sync_work_budget, job_defaults)
    return APIIngress.bind(cwt, wct, ingress_config(settings))
