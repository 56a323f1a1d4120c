"""The FastAPI application of one ingress replica: routers, middleware, error handler.

`create_api` is called by the ingress replica after its constructor (Serve's
late-bound ``__serve_build_asgi_app__``), so everything a replica is configured with
(API key hashes, CORS origins, the body limit, the `Service` the routes call) is
given to the app it builds: nothing is kept in module-level state.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

import pycwt_mod

from .body_limit import BodyLimit
from .errors import install_error_handler
from .routes import analysis, backends, jobs, partial, plots, service
from .security import KeyRing
from .service import Service
from .web import install_web

__all__ = ["DESCRIPTION", "DOCS_STATIC", "create_api", "swagger_ui_dir"]

log = logging.getLogger(__name__)

#: Where the Swagger UI assets of /docs are served from (by this service, not a CDN).
DOCS_STATIC = "/docs-static"

DESCRIPTION = (
    "Continuous wavelet transform, cross wavelet transform, wavelet coherence and "
    "Monte Carlo coherence significance (as asynchronous jobs). Arrays are JSON "
    "lists (NaN as null; complex arrays as separate `real` and `imag`), or an .npz "
    "file with `Accept: application/x-npz`. Request bodies may also be an .npz file "
    "(`Content-Type: application/x-npz`) holding the JSON body's fields: arrays as "
    "members, scalars as 0-d arrays, a complex array for a `{real, imag}` field."
)


def swagger_ui_dir() -> Path | None:
    """The Swagger UI assets of the ``swagger-ui-py`` package (the ``serve`` extra).

    Found without importing the package (it is only a carrier of the files); None
    when it is not installed.
    """
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "static"
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _install_docs(app: FastAPI) -> None:
    """``/docs`` with Swagger UI's JavaScript and CSS served by the service itself, so the
    page works without internet access (FastAPI's "self-hosting JavaScript and CSS for
    docs"). Without ``swagger-ui-py`` installed, FastAPI's default page (a CDN) stays."""
    assets = swagger_ui_dir()
    if assets is None:
        log.warning("swagger-ui-py is not installed: /docs loads Swagger UI from a CDN")
    else:
        app.mount(DOCS_STATIC, StaticFiles(directory=assets), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        urls = {}
        if assets is not None:
            urls = {
                "swagger_js_url": f"{root}{DOCS_STATIC}/swagger-ui-bundle.js",
                "swagger_css_url": f"{root}{DOCS_STATIC}/swagger-ui.css",
                "swagger_favicon_url": f"{root}{DOCS_STATIC}/favicon-32x32.png",
            }
        return get_swagger_ui_html(
            openapi_url=root + app.openapi_url, title=f"{app.title} - Swagger UI", **urls
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
    app = FastAPI(
        title="pycwt-mod",
        version=pycwt_mod.__version__,
        description=DESCRIPTION,
        docs_url=None,  # _install_docs: served without a CDN
        redoc_url=None,  # ReDoc would need a CDN
    )
    _install_docs(app)
    app.state.service = svc
    app.state.keyring = KeyRing(config.api_key_hashes)
    app.state.npz_bounds = config.npz_bounds
    for module in (service, backends, analysis, partial, plots, jobs):
        app.include_router(module.router)
    install_web(app)  # the workbench page at /
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
