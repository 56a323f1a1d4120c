"""The HTTP ingress deployment: a `Service` that also serves its FastAPI app.

Routes live in `serve_app.http.routes` (one `APIRouter` per resource) and reach this
replica through ``request.app.state.service``; Python callers of
``serve.get_app_handle`` call the same methods (`Service`) with numpy arrays.
Serve 2.60 builds the app per replica after the constructor
(``__serve_build_asgi_app__``), so the app is made with this replica's configuration.
"""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from ray import serve
from ray.serve.handle import DeploymentHandle

from .api import create_api
from .readiness import readiness
from .service import IngressConfig, Service

__all__ = ["UNREADY_RESTART_S", "APIIngress"]

log = logging.getLogger(__name__)

#: Seconds of failing readiness after which Serve's health check restarts the replica.
UNREADY_RESTART_S = 120.0


@serve.deployment(
    max_ongoing_requests=200, max_queued_requests=400, ray_actor_options={"num_cpus": 0}
)
@serve.ingress()
class APIIngress(Service):
    """HTTP routes plus handle methods over the CWT/WCT deployments and job registry.

    Parameters
    ----------
    cwt, wct : DeploymentHandle
        Handles of `CWTDeployment` and `WCTDeployment`.
    config : IngressConfig
    """

    def __init__(self, cwt: DeploymentHandle, wct: DeploymentHandle, config: IngressConfig):
        super().__init__(cwt, wct, config)
        self._unready_since: float | None = None

    async def check_health(self) -> None:
        """Serve's periodic health check: the readiness checks (`readiness`).

        A failing check is logged at once; the replica is reported unhealthy (Serve
        replaces it, with a new handle on the registry) only after `UNREADY_RESTART_S`
        of failing, since a restart repairs neither a registry that is restarting nor
        a full disk. ``GET /health/ready`` answers 503 meanwhile.

        Raises
        ------
        RuntimeError
            Not ready for longer than `UNREADY_RESTART_S`, naming the failing checks.
        """
        found = await readiness(self)
        if found.ready:
            self._unready_since = None
            return
        failing = "; ".join(f"{k}: {c.detail}" for k, c in found.checks.items() if c.ok is False)
        log.warning("not ready: %s", failing)
        now = time.monotonic()
        if self._unready_since is None:
            self._unready_since = now
        elif now - self._unready_since > UNREADY_RESTART_S:
            raise RuntimeError(f"not ready for {now - self._unready_since:.0f} s: {failing}")

    def __serve_build_asgi_app__(self) -> FastAPI:
        """This replica's FastAPI app (called by Serve after the constructor)."""
        return create_api(self)
