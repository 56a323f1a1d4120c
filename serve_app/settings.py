"""Service configuration, read once from the environment (prefix ``PYCWT_``).

The application builder reads these settings once and passes plain values to the
deployments and the job registry; replicas never read the environment themselves.

Examples
--------
``PYCWT_MAX_SAMPLES=200000 PYCWT_JOB_TIMEOUT_S=600 python -m serve_app``
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["GPU_POLICIES", "Settings", "get_settings"]

#: How the job runners place Monte Carlo chunks on GPUs.
GPU_POLICIES = ("auto", "never", "always")


class Settings(BaseSettings):
    """All tunables of the service; every field can be set as ``PYCWT_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="PYCWT_", env_ignore_empty=True, extra="ignore", frozen=True
    )

    # HTTP (used by ``python -m serve_app``; Serve configs set their own).
    host: str = Field("127.0.0.1", description="Address the HTTP proxy binds to.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP port.")
    num_cpus: int | None = Field(
        None, ge=1, description="CPUs of the embedded local Ray (default: all cores)."
    )

    # Request limits.
    max_samples: int = Field(131_072, ge=16, description="Most samples in one series.")
    max_scales_x_samples: int = Field(
        4_000_000, ge=1_000, description="Most (scales x samples) in one transform."
    )
    max_mc_count: int = Field(10_000, ge=1, description="Most Monte Carlo surrogate pairs.")
    max_body_bytes: int = Field(
        128 * 2**20, ge=1024, description="Largest HTTP request body in bytes (413 above)."
    )
    sync_work_budget: int = Field(
        20_000_000,
        ge=0,
        description=(
            "Largest montecarlo.estimate_work() answered synchronously by /analysis/wct; "
            "larger requests must use /analysis/significance."
        ),
    )

    # Jobs.
    job_timeout_s: float = Field(3600.0, gt=0, description="Deadline of one significance job.")
    db_path: Path = Field(
        Path("var/pycwt_jobs.sqlite3"), description="SQLite file holding jobs and results."
    )
    default_backend: str = Field("ray", description="Monte Carlo backend when none is asked.")
    use_gpu: Literal["auto", "never", "always"] = Field(
        "auto",
        description=(
            "GPU placement of job chunks: 'auto' puts backend 'auto' on GPUs when the "
            "cluster has some ('gpu' always asks for one, 'ray' stays on CPUs); 'always' "
            "puts 'ray'/'auto' on GPUs too; 'never' refuses GPU jobs (503)."
        ),
    )
    chunk_size: int | None = Field(None, ge=1, description="Surrogate pairs per Ray task.")
    ray_namespace: str = Field("pycwt_mod", description="Namespace of the named actors.")
    registry_name: str = Field("pycwt_mod_job_registry", description="Job registry name.")
    api_key: str | None = Field(
        None, description="One API key (kept for compatibility; joins PYCWT_API_KEYS)."
    )
    api_keys: str | None = Field(
        None,
        description=(
            "Comma-separated API keys (16+ characters each); when any is set, every "
            "/api/v1 request needs 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."
        ),
    )
    cors_origins: str | None = Field(
        None,
        description=(
            "Comma-separated origins allowed by CORS; default '*' without API keys and "
            "none with keys."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.max_scales_x_samples < self.max_samples:
            raise ValueError(
                "PYCWT_MAX_SCALES_X_SAMPLES must be >= PYCWT_MAX_SAMPLES "
                f"(got {self.max_scales_x_samples} < {self.max_samples})"
            )
        from .security import parse_keys

        parse_keys(self.api_keys, self.api_key)  # raises on keys too short
        return self

    def keys(self) -> list[str]:
        """The configured API keys (PYCWT_API_KEYS plus PYCWT_API_KEY), deduplicated."""
        from .security import parse_keys

        return parse_keys(self.api_keys, self.api_key)

    def cors_origin_list(self) -> list[str] | None:
        """CORS origins, or None for the default (see ``cors_origins``)."""
        if self.cors_origins is None:
            return None
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    def resolved_db_path(self) -> str:
        """Absolute SQLite path (relative paths are taken from the current directory)."""
        return os.path.abspath(os.fspath(self.db_path))


def get_settings(**overrides) -> Settings:
    """Settings from the environment, with keyword ``overrides`` taking precedence.

    Parameters
    ----------
    **overrides
        Field values that replace the environment's (``None`` values are ignored).

    Returns
    -------
    Settings
    """
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
