"""The workbench page at ``/``: plain HTML, CSS and JavaScript served by the service.

The files are in ``serve_app/web/`` (package data; no CDN, no build step). The page
builds its option forms from this service's own OpenAPI schema (``openapi.json``:
the request models generated from `pycwt_mod.options.option_fields`), so a new
option appears on the page without a line here or in the page's scripts. Every
address the page calls is relative to ``<base href>``, which is this app's root
path: the page works under a Serve route prefix too.
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["WEB_DIR", "WEB_STATIC", "install_web"]

#: The page's files (package data of ``serve_app``).
WEB_DIR = Path(__file__).resolve().parents[1] / "web"
#: Where the page's scripts and style sheet are served from.
WEB_STATIC = "/web"
_BASE = "<!--BASE-->"


def install_web(app: FastAPI) -> None:
    """Serve the workbench: ``GET /`` (the page) and ``/web/*`` (its assets)."""
    app.mount(WEB_STATIC, StaticFiles(directory=WEB_DIR), name="web")
    template = (WEB_DIR / "index.html").read_text(encoding="utf-8")

    @app.get("/", include_in_schema=False)
    async def workbench(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        base = f'<base href="{html.escape(root, quote=True)}/">'
        return HTMLResponse(template.replace(_BASE, base), headers={"Cache-Control": "no-cache"})
