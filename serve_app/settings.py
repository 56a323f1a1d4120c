"""Service configuration: one `Settings`, from ``PYCWT_*`` variables and builder args.

`build_app` (``serve_app.app``) validates its ``args`` (a Serve config's ``args:``)
as `Settings`, so a field set there wins over the environment, and an unknown field
is an error. It reads the settings once and passes plain values to the deployments
and the job registry; replicas never read the environment themselves.

List settings take a JSON list or a comma-separated string
(``PYCWT_API_KEYS=key1,key2``).

Examples
--------
``PYCWT_MAX_SAMPLES=200000 PYCWT_JOB_TIMEOUT_S=600 python -m serve_app``
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .analysis import RequestLimits
from .jobs.job import GpuPolicy

__all__ = ["MIN_KEY_LENGTH", "Settings", "get_settings", "parse_keys"]

#: Shortest API key accepted (shorter ones are too easy to guess).
MIN_KEY_LENGTH = 16


def parse_keys(*values: str | Iterable[str] | None) -> list[str]:
    """Keys from comma-separated strings and/or lists, stripped, empty ones dropped.

    Raises
    ------
    ValueError
        For a key shorter than `MIN_KEY_LENGTH` characters.
    """
    keys: list[str] = []
    for value in values:
        if value is None:
            continue
        items = value.split(",") if isinstance(value, str) else list(value)
        for item in items:
            item = str(item).strip()
            if not item:
                continue
            if len(item) < MIN_KEY_LENGTH:
                raise ValueError(
                    f"API keys must have at least {MIN_KEY_LENGTH} characters (got one of "
                    f"{len(item)}); generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
            if item not in keys:
                keys.append(item)
    return keys


def _string_list(value: Any) -> Any:
    """A JSON list or a comma-separated string as a list of strings."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return json.loads(text)
    return [item.strip() for item in text.split(",") if item.strip()]


StringList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """All tunables of the service; every field can be set as ``PYCWT_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="PYCWT_", env_ignore_empty=True, extra="forbid", frozen=True
    )

    # HTTP and the embedded Ray of ``python -m serve_app`` (Serve configs set their own).
    host: str = Field("127.0.0.1", description="Address the HTTP proxy binds to.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP port.")
    num_cpus: int | None = Field(
        None, ge=1, description="CPUs of the embedded local Ray (default: all cores)."
    )
    ray_loopback: bool = Field(
        True,
        description=(
            "Every Ray port of the embedded cluster on 127.0.0.1 only (serve_app.cluster); "
            "false: on the machine's address."
        ),
    )
    ray_token_auth: bool = Field(
        True,
        description=(
            "Ray's token authentication on the embedded cluster (RAY_AUTH_MODE=token; the "
            "token from RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token, generated "
            "there when missing); false: RAY_AUTH_MODE=disabled."
        ),
    )

    # Request limits.
    max_samples: int = Field(
        131_072,
        ge=16,
        description="Most samples in one series (a century of daily values is 36,525).",
    )
    max_scales_x_samples: int = Field(
        16_777_216,
        ge=1_000,
        description=(
            "Most (scales x samples) in one transform: 2**24, a CWT of 256 MiB (complex128); "
            "36,525 samples at the default dj=1/12 have 171 scales (6.2e6)."
        ),
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
    use_gpu: GpuPolicy = Field(
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

    # Access.
    api_key: str | None = Field(
        None, description="One API key (kept for compatibility; joins PYCWT_API_KEYS)."
    )
    api_keys: StringList = Field(
        default_factory=list,
        description=(
            f"API keys ({MIN_KEY_LENGTH}+ characters each); when any is set, every "
            "/api/v1 request needs 'Authorization: Bearer <key>' or 'X-API-Key: <key>'. "
            "Hashed before they reach the replicas."
        ),
    )
    cors_origins: StringList | None = Field(
        None,
        description="Origins allowed by CORS; default '*' without API keys and none with keys.",
    )

    # Compute deployments (CWTDeployment, WCTDeployment).
    compute_num_cpus: float = Field(
        0.0, ge=0, description="CPUs reserved by each CWT/WCT replica (0 on small machines)."
    )
    compute_max_ongoing_requests: int | None = Field(
        None, ge=1, description="Requests one CWT/WCT replica runs at once (Serve default: 4/8)."
    )
    compute_max_queued_requests: int | None = Field(
        None, ge=1, description="Requests queued per CWT/WCT deployment before 503s."
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        return _string_list(value)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.max_scales_x_samples < self.max_samples:
            raise ValueError(
                "PYCWT_MAX_SCALES_X_SAMPLES must be >= PYCWT_MAX_SAMPLES "
                f"(got {self.max_scales_x_samples} < {self.max_samples})"
            )
        self.keys()  # raises on keys too short
        return self

    def keys(self) -> list[str]:
        """The configured API keys (PYCWT_API_KEYS plus PYCWT_API_KEY), deduplicated."""
        return parse_keys(self.api_keys, self.api_key)

    def request_limits(self) -> RequestLimits:
        """The limits every request is checked against."""
        return RequestLimits(
            max_samples=self.max_samples,
            max_scales_x_samples=self.max_scales_x_samples,
            max_mc_count=self.max_mc_count,
        )

    def resolved_db_path(self) -> str:
        """Absolute SQLite path (relative paths are taken from the current directory)."""
        return os.path.abspath(os.fspath(self.db_path))


def get_settings(**overrides: Any) -> Settings:
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
