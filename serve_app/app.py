"""Application builder: binds the ingress, the compute deployments and the job registry.

``serve run serve_app.app:app`` or a Serve config with
``import_path: serve_app.app:build_app`` and ``args:`` (fields of `AppArgs`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from ray.serve import Application

from .analysis import Limits
from .deployments import CWTDeployment, WCTDeployment
from .ingress import APIIngress
from .security import hash_key
from .settings import Settings, get_settings

__all__ = ["APP_NAME", "AppArgs", "app", "build_app"]

#: Name of the Serve application (``serve.get_app_handle(APP_NAME)``).
APP_NAME = "pycwt_mod"


class AppArgs(BaseModel):
    """Builder arguments; unset fields come from the environment (`Settings`)."""

    model_config = ConfigDict(extra="forbid")

    db_path: str | None = Field(None, description="SQLite file of the jobs.")
    job_timeout_s: float | None = Field(None, gt=0)
    max_samples: int | None = Field(None, ge=16)
    max_scales_x_samples: int | None = Field(None, ge=1000)
    max_mc_count: int | None = Field(None, ge=1)
    sync_work_budget: int | None = Field(None, ge=0)
    default_backend: str | None = None
    use_gpu: str | None = Field(None, pattern="^(auto|never|always)$")
    chunk_size: int | None = Field(None, ge=1)
    ray_namespace: str | None = None
    registry_name: str | None = None
    api_key: str | None = None
    api_keys: str | list[str] | None = Field(
        None, description="API keys (list or comma-separated); hashed before reaching replicas."
    )
    cors_origins: str | list[str] | None = None
    max_body_bytes: int | None = Field(None, ge=1024)
    compute_max_ongoing_requests: int | None = Field(
        None, ge=1, description="Requests one CWT/WCT replica runs at once (Serve default: 4/8)."
    )
    compute_max_queued_requests: int | None = Field(
        None, ge=1, description="Requests queued per CWT/WCT deployment before 503s."
    )
    compute_num_cpus: float = Field(
        0.0, ge=0, description="CPUs reserved by each CWT/WCT replica (0 on small machines)."
    )


def build_app(args: AppArgs | dict[str, Any] | None = None) -> Application:
    """Build the ``pycwt_mod`` Serve application.

    Parameters
    ----------
    args : AppArgs or dict, optional
        Overrides of the `Settings` read from the environment (``PYCWT_*``).

    Returns
    -------
    ray.serve.Application
        Ingress bound to a `CWTDeployment`, a `WCTDeployment` and the registry config.
    """
    if not isinstance(args, AppArgs):
        args = AppArgs.model_validate(args or {})
    overrides = args.model_dump(
        exclude={
            "compute_num_cpus",
            "compute_max_ongoing_requests",
            "compute_max_queued_requests",
        }
    )
    for name in ("api_keys", "cors_origins"):  # lists -> the comma-separated form
        if isinstance(overrides[name], list):
            overrides[name] = ",".join(overrides[name])
    settings: Settings = get_settings(**overrides)
    limits = asdict(
        Limits(
            max_samples=settings.max_samples,
            max_scales_x_samples=settings.max_scales_x_samples,
            max_mc_count=settings.max_mc_count,
            sync_work_budget=settings.sync_work_budget,
        )
    )
    job_defaults = {
        "default_backend": settings.default_backend,
        "use_gpu": settings.use_gpu,
        "chunk_size": settings.chunk_size,
    }
    compute: dict[str, Any] = {"ray_actor_options": {"num_cpus": args.compute_num_cpus}}
    if args.compute_max_ongoing_requests is not None:
        compute["max_ongoing_requests"] = args.compute_max_ongoing_requests
    if args.compute_max_queued_requests is not None:
        compute["max_queued_requests"] = args.compute_max_queued_requests
    cwt = CWTDeployment.options(**compute).bind(limits)
    wct = WCTDeployment.options(**compute).bind(limits, job_defaults)
    config = {
        "registry_name": settings.registry_name,
        "namespace": settings.ray_namespace,
        "db_path": settings.resolved_db_path(),
        "job_timeout_s": settings.job_timeout_s,
        "default_backend": settings.default_backend,
        # replicas get hashes only, never the keys (serve_app.security)
        "api_key_hashes": [hash_key(k) for k in settings.keys()],
        "cors_origins": settings.cors_origin_list(),
        "max_body_bytes": settings.max_body_bytes,
    }
    return APIIngress.bind(cwt, wct, config)


#: The application with settings from the environment (``serve run serve_app.app:app``).
app = build_app()
