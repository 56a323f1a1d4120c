"""API keys and job ownership for the HTTP routes.

Keys are configured as plain strings (`serve_app.settings.Settings.api_keys`, and the
older single ``api_key``), hashed with SHA-256 by the application builder and handed
to the replicas as hashes only; a presented key is hashed and compared with every
configured hash using `hmac.compare_digest` (constant time). The *owner* of a request
is a short fingerprint of the key's hash: it is stored with each job so that a key
only sees its own jobs. The key itself is never stored.

Each replica's `KeyRing` lives in its FastAPI app's state (``app.state.keyring``, set
by `serve_app.http.api.create_api`). An empty ring means the API is open and every
job is visible to every caller (owner ``None``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from ..error_codes import ErrorCode
from .errors import ApiError

__all__ = ["AUTH_HEADERS", "KeyRing", "Owner", "hash_key", "require_key"]

#: Headers a client may send its key in.
AUTH_HEADERS = ("Authorization: Bearer <key>", "X-API-Key: <key>")
#: Hex digits of the key hash kept as the owner fingerprint of a job.
FINGERPRINT_LEN = 16


def hash_key(key: str) -> str:
    """SHA-256 hex digest of an API key (what the replicas receive and compare)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """The configured key hashes; `owner` answers who a presented key belongs to.

    Parameters
    ----------
    hashes : iterable of str
        SHA-256 hex digests (`hash_key`) of the accepted keys.
    """

    def __init__(self, hashes: Iterable[str]):
        self._hashes = [h.lower() for h in hashes]

    def __bool__(self) -> bool:
        return bool(self._hashes)

    def owner(self, key: str | None) -> str | None:
        """Fingerprint of ``key`` when it is one of the configured keys, else None.

        Every configured hash is compared (no early exit), in constant time each.
        """
        if not key:
            return None
        digest = hash_key(key)
        found = None
        for h in self._hashes:
            if hmac.compare_digest(digest, h):
                found = h
        return None if found is None else found[:FINGERPRINT_LEN]


_BEARER = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="The API key.")


def require_key(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
    x_api_key: Annotated[str | None, Depends(_HEADER)] = None,
) -> str | None:
    """FastAPI dependency: the caller's owner fingerprint (None when keys are off).

    Raises
    ------
    ApiError
        401 (``unauthorized``) with ``WWW-Authenticate: Bearer`` when keys are
        configured and the request has no valid key.
    """
    ring: KeyRing = request.app.state.keyring
    if not ring:
        return None
    key = (bearer.credentials.strip() if bearer else None) or x_api_key or None
    owner = ring.owner(key)
    if owner is None:
        what = "missing" if key is None else "invalid"
        raise ApiError(
            401,
            ErrorCode.UNAUTHORIZED,
            f"{what} API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            headers={"WWW-Authenticate": 'Bearer realm="pycwt-mod"'},
        )
    return owner


#: The caller's owner fingerprint, for routes (FastAPI caches it per request, so a
#: router's ``dependencies=[Depends(require_key)]`` and this share one evaluation).
Owner = Annotated[str | None, Depends(require_key)]
