"""What the HTTP routes and Python handle callers call: the compute deployments and
the job registry behind one typed object.

The ingress deployment (`serve_app.http.ingress.APIIngress`) is a `Service`; its
methods take and return numpy arrays and typed results (`serve_app.records`), so
``serve.get_app_handle("pycwt_mod").cwt.remote(x, 1.0)`` needs no JSON. The routes
reach the same object through ``request.app.state.service``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import ray
from ray.serve.handle import DeploymentHandle

from ..jobs.registry import get_registry
from ..npz import NpzBounds, from_npz
from ..records import (
    CWTResult,
    ICWTResult,
    MultipleWCTResult,
    PartialWCTResult,
    SignificanceResult,
    WCTResult,
    XWTResult,
)

__all__ = ["IngressConfig", "Service"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngressConfig:
    """Plain values the ingress needs (read from `Settings` once, by the builder).

    Attributes
    ----------
    registry_name, namespace : str
        Name and namespace of the job registry actor.
    db_path : str
        Absolute SQLite path of the jobs.
    job_timeout_s : float
        Deadline of one job.
    default_backend : str
        Monte Carlo backend of a job that names none.
    api_key_hashes : tuple of str
        SHA-256 hashes of the accepted API keys (empty: open API).
    cors_origins : tuple of str or None
        Allowed origins; None: ``*`` without keys, none with keys.
    max_body_bytes : int
        Largest request body.
    npz_bounds : NpzBounds
        What an ``.npz`` body may declare (from the sample limits).
    """

    registry_name: str
    namespace: str
    db_path: str
    job_timeout_s: float
    default_backend: str
    api_key_hashes: tuple[str, ...]
    cors_origins: tuple[str, ...] | None
    max_body_bytes: int
    npz_bounds: NpzBounds


class Service:
    """The compute deployments and the job registry, with numpy in and out.

    Parameters
    ----------
    cwt, wct : DeploymentHandle
        Handles of `serve_app.deployments.CWTDeployment` and ``WCTDeployment``.
    config : IngressConfig
    """

    def __init__(self, cwt: DeploymentHandle, wct: DeploymentHandle, config: IngressConfig):
        self._cwt = cwt
        self._wct = wct
        self.config = config
        self._registry = self._connect_registry()

    def _connect_registry(self):
        c = self.config
        return get_registry(c.registry_name, c.namespace, c.db_path, c.job_timeout_s)

    async def _registry_call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call the registry; when it died for good, create it again and retry once."""
        try:
            return await getattr(self._registry, method).remote(*args, **kwargs)
        except ray.exceptions.ActorDiedError:
            log.warning("job registry died; creating it again from %s", self.config.db_path)
            self._registry = self._connect_registry()
            return await getattr(self._registry, method).remote(*args, **kwargs)

    async def ping_registry(self) -> dict[str, Any]:
        """The registry's ``ping`` (SQLite path, job counts), once it has loaded the jobs."""
        return await self._registry_call("ping")

    # -- analysis -----------------------------------------------------------------------

    # Options travel as the library's option objects (``grid=ScaleGrid(...)``,
    # ``preprocessing=Preprocessing(...)``, ``monte_carlo=MonteCarlo(...)``) or as their flat
    # fields (``dj=0.25``); see `serve_app.deployments.options_from_keywords`.

    async def cwt(self, data, dt: float | None = None, **kwargs: Any) -> CWTResult:
        """CWT of ``data`` (`serve_app.deployments.CWTDeployment.cwt`)."""
        return await self._cwt.cwt.remote(data, dt, **kwargs)

    async def icwt(self, wave, scales, dt: float | None = None, **kwargs: Any) -> ICWTResult:
        """Inverse CWT (`serve_app.deployments.CWTDeployment.icwt`)."""
        return await self._cwt.icwt.remote(wave, scales, dt, **kwargs)

    async def xwt(self, data1, data2, dt: float | None = None, **kwargs: Any) -> XWTResult:
        """Cross wavelet transform (`serve_app.deployments.WCTDeployment.xwt`)."""
        return await self._wct.xwt.remote(data1, data2, dt, **kwargs)

    async def wct(self, data1, data2, dt: float | None = None, **kwargs: Any) -> WCTResult:
        """Wavelet coherence (`serve_app.deployments.WCTDeployment.wct`)."""
        return await self._wct.wct.remote(data1, data2, dt, **kwargs)

    async def partial_wct(
        self, response, predictor, removed, dt: float | None = None, **kwargs: Any
    ) -> PartialWCTResult:
        """Partial coherence (`serve_app.deployments.WCTDeployment.partial_wct`)."""
        return await self._wct.partial_wct.remote(response, predictor, removed, dt, **kwargs)

    async def multiple_wct(
        self, response, predictors, dt: float | None = None, **kwargs: Any
    ) -> MultipleWCTResult:
        """Multiple coherence (`serve_app.deployments.WCTDeployment.multiple_wct`)."""
        return await self._wct.multiple_wct.remote(response, predictors, dt, **kwargs)

    async def cwt_png(
        self, data, dt: float | None = None, plot: dict[str, Any] | None = None, **kwargs: Any
    ) -> bytes:
        """PNG scalogram (rendered by the CWT deployment)."""
        return await self._cwt.cwt_png.remote(data, dt, plot, **kwargs)

    async def wct_png(
        self, data1, data2, dt: float | None = None, plot: dict[str, Any] | None = None, **kwargs
    ) -> bytes:
        """PNG coherence map (rendered by the WCT deployment)."""
        return await self._wct.wct_png.remote(data1, data2, dt, plot, **kwargs)

    # -- jobs ---------------------------------------------------------------------------
    # ``owner`` (an API key fingerprint) limits the job methods to that key's jobs;
    # None (handle callers, or HTTP without keys) sees every job.

    async def submit_significance(
        self,
        data1,
        data2,
        dt: float | None = None,
        *,
        owner: str | None = None,
        idempotency_key: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Submit a Monte Carlo significance job; returns the job (``job_id``, ``status``);
        the job of an earlier submission of ``owner`` with ``idempotency_key``, if any."""
        params = await self._wct.prepare_significance.remote(data1, data2, dt, **kwargs)
        return await self._registry_call("submit", params, owner, idempotency_key)

    async def job(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """The job's state, or None when unknown."""
        return await self._registry_call("get", job_id, owner)

    async def jobs(self, status: str | None = None, owner: str | None = None) -> list[dict]:
        """All jobs, newest first (or those in ``status``)."""
        return await self._registry_call("list", status, owner)

    async def cancel_job(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """Ask a job to stop; returns its state (None when unknown)."""
        return await self._registry_call("cancel", job_id, owner)

    async def job_result(self, job_id: str, owner: str | None = None) -> SignificanceResult | None:
        """The result of a completed job, or None."""
        blob = await self._registry_call("result", job_id, owner)
        return None if blob is None else SignificanceResult.from_arrays(from_npz(blob))
