"""The FastAPI application of one ingress replica: routers, middleware, error handler.

`create_api` is called by the ingress replica after its constructor (Serve's
late-bound ``__serve_build_asgi_app__``), so everything a replica is configured with
(API key hashes, CORS origins, the body limit, the `Service` the routes call) is
given to the app it builds: nothing is kept in module-level state.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

import pycwt_mod

from .body_limit import BodyLimit
from .errors import install_error_handler
from .routes import analysis, backends, jobs, plots, service
from .security import KeyRing
from .service import Service

__all__ = ["DESCRIPTION", "create_api"]

DESCRIPTION = (
    "Continuous wavelet transform, cross wavelet transform, wavelet coherence and "
    "Monte Carlo coherence significance (as asynchronous jobs). Arrays are JSON "
    "lists (NaN as null; complex arrays as separate `real` and `imag`), or an .npz "
    "file with `Accept: application/x-npz`. Request bodies may also be an .npz file "
    "(`Content-Type: application/x-npz`) holding the JSON body's fields: arrays as "
    "members, scalars as 0-d arrays, a complex array for a `{real, imag}` field."
)


def create_api(svc: Service) -> FastAPI:
    """The FastAPI app serving ``svc`` with its configuration (``svc.config``).

    Parameters
    ----------
    svc : Service
        What the routes call (the ingress replica itself).

    Returns
    -------
    FastAPI
    """
    config = svc.config
    app = FastAPI(title="pycwt-mod", version=pycwt_mod.__version__, description=DESCRIPTION)
    app.state.service = svc
    app.state.keyring = KeyRing(config.api_key_hashes)
    for module in (service, backends, analysis, plots, jobs):
        app.include_router(module.router)
    install_error_handler(app)
    origins = config.cors_origins
    if origins is None:  # open API: any origin; with keys: none unless configured
        origins = () if app.state.keyring else ("*",)
    # Outermost last: CORS answers pre-flights, then the body size limit.
    app.add_middleware(BodyLimit, max_body_bytes=config.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept"],
        allow_credentials=False,
    )
    return app
