"""The HTTP ingress deployment: a `Service` that also serves its FastAPI app.

Routes live in `serve_app.http.routes` (one `APIRouter` per resource) and reach this
replica through ``request.app.state.service``; Python callers of
``serve.get_app_handle`` call the same methods (`Service`) with numpy arrays.
Serve 2.60 builds the app per replica after the constructor
(``__serve_build_asgi_app__``), so the app is made with this replica's configuration.
"""

from __future__ import annotations

from fastapi import FastAPI
from ray import serve
from ray.serve.handle import DeploymentHandle

from .api import create_api
from .service import IngressConfig, Service

__all__ = ["APIIngress"]


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

    def __serve_build_asgi_app__(self) -> FastAPI:
        """This replica's FastAPI app (called by Serve after the constructor)."""
        return create_api(self)
