"""The client side of the service, numpy + httpx only (httpx-sse for job events): it
never imports Ray, FastAPI, pydantic, orjson, pandas or xarray, and the CLI's local
commands work without httpx.

==============  ==================================================================
`api`           `Client`: one method per route, taking the option objects of
                `pycwt_mod.options` or their fields as keywords
`fields`        the request fields of a call, derived from ``option_fields``
`jobs`          significance jobs: submit, follow (progress bar), fetch, cancel
`transport`     retries and ``.npz`` bodies; `errors`: one exception per status
`cli`           ``pycwt-mod``: the parser and ``main``; `commands`: ``cwt``, ``wct``
`flags`         CLI flags generated from the option types
`output`        .npz / .csv / .png output; `series`: reading series files
==============  ==================================================================

The names of `serve_app.client.api` (``Client`` and one exception class per HTTP
status) are importable from here.
"""

from . import api
from .api import *  # noqa: F403 - re-export the client's public names

__all__ = api.__all__
