"""API keys, job ownership and CORS for the HTTP ingress.

Keys are configured as plain strings (``PYCWT_API_KEYS``, comma-separated, and the
older single ``PYCWT_API_KEY``), hashed with SHA-256 by the application builder and
handed to the replicas as hashes only; a presented key is hashed and compared with
every configured hash using `hmac.compare_digest` (constant time). The *owner* of a
request is a short fingerprint of the key's hash: it is stored with each job so that a
key only sees its own jobs. The key itself is never stored.

When no key is configured the API is open and every job is visible to every caller
(owner ``None``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.cors import CORSMiddleware

__all__ = [
    "AUTH_HEADERS",
    "ConfiguredCORS",
    "KeyRing",
    "configure",
    "hash_key",
    "parse_keys",
    "require_key",
]

#: Headers a client may send its key in.
AUTH_HEADERS = ("Authorization: Bearer <key>", "X-API-Key: <key>")
#: Hex digits of the key hash kept as the owner fingerprint of a job.
FINGERPRINT_LEN = 16

_STATE: dict[str, Any] = {"keys": None, "cors_origins": []}


def hash_key(key: str) -> str:
    """SHA-256 hex digest of an API key (what the replicas receive and compare)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_keys(*values: str | Iterable[str] | None) -> list[str]:
    """Keys from comma-separated strings and/or lists, stripped, empty ones dropped.

    Raises
    ------
    ValueError
        For a key shorter than 16 characters (too easy to guess).
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
            if len(item) < 16:
                raise ValueError(
                    f"API keys must have at least 16 characters (got one of {len(item)}); "
                    "generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
            if item not in keys:
                keys.append(item)
    return keys


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


def configure(key_hashes: Iterable[str] | None, cors_origins: Iterable[str] | None) -> None:
    """Set this replica's keys and CORS origins (called by the ingress constructor).

    ``cors_origins=None`` means: every origin (``*``) when no key is configured, none
    when keys are configured.
    """
    ring = KeyRing(key_hashes or ())
    _STATE["keys"] = ring if ring else None
    if cors_origins is None:
        cors_origins = [] if ring else ["*"]
    _STATE["cors_origins"] = list(cors_origins)


_BEARER = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="The API key.")


def require_key(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
    x_api_key: Annotated[str | None, Depends(_HEADER)] = None,
) -> str | None:
    """FastAPI dependency: the caller's owner fingerprint (None when keys are off).

    Also stored as ``request.state.owner`` for the route.

    Raises
    ------
    HTTPException
        401 with ``WWW-Authenticate: Bearer`` when keys are configured and the request
        has no valid key.
    """
    ring: KeyRing | None = _STATE["keys"]
    if ring is None:
        request.state.owner = None
        return None
    key = (bearer.credentials.strip() if bearer else None) or x_api_key or None
    owner = ring.owner(key)
    if owner is None:
        what = "missing" if key is None else "invalid"
        raise HTTPException(
            401,
            f"{what} API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            headers={"WWW-Authenticate": 'Bearer realm="pycwt-mod"'},
        )
    request.state.owner = owner
    return owner


def owner_of(request: Request) -> str | None:
    """The owner fingerprint `require_key` attached to ``request`` (None: open API)."""
    return getattr(request.state, "owner", None)


class ConfiguredCORS(CORSMiddleware):
    """CORS with the origins `configure` set (built at the replica's first request)."""

    def __init__(self, app):
        origins = list(_STATE["cors_origins"])
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept"],
            allow_credentials=False,
        )
