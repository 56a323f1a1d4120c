"""The client side of the service: HTTP client (`api`), CLI (`cli`), series files
(`series`). numpy + httpx only (httpx-sse for job events): it never imports Ray,
FastAPI, pydantic or orjson, and the CLI's local commands work without httpx.

The names of `serve_app.client.api` (``Client`` and one exception class per HTTP
status) are importable from here.
"""

from . import api
from .api import *  # noqa: F403 - re-export the client's public names

__all__ = api.__all__
