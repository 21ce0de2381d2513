"""Who may call the API: API keys from the request, role checks, per-key rate limits.

Keys travel in ``Authorization: Bearer <key>``, ``Authorization: ApiKey <key>`` or
``X-API-Key: <key>``.  Never in the URL: query strings end up in access logs.
The key itself is never logged or echoed back; errors name only what was missing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from redline.service.context import services_of
from redline.service.principal import Principal, Role

_bearer = HTTPBearer(auto_error=False, description="API key as `Bearer <key>`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")
_SCHEMES = ("bearer", "apikey")


def presented_key(request: Request) -> str | None:
    """The API key the request carries, or ``None``."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() in _SCHEMES and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def authenticated(
    request: Request,
    _bearer_doc: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _header_doc: Annotated[str | None, Depends(_header)],
) -> Principal:
    """The caller, from its API key; 401 without a valid one, 429 over its rate.

    The two unused parameters only put the security schemes into the OpenAPI
    document; the key is read by :func:`presented_key` for every accepted form.
    """
    key = presented_key(request)
    unauthorised = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="An API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'.",
        headers={"WWW-Authenticate": 'Bearer realm="redline"'},
    )
    if key is None:
        raise unauthorised
    services = services_of(request)
    principal = services.authenticator.authenticate_key(key)
    if principal is None:
        unauthorised.detail = "The API key is not valid."
        raise unauthorised
    wait = services.limiter.acquire(principal.id)
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Rate limit exceeded for this API key; retry later.",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    request.state.principal = principal
    return principal


def require(role: Role) -> Callable[[Principal], Principal]:
    """A dependency admitting callers with ``role`` or a stronger one (403 otherwise)."""

    def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if not principal.allows(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"This needs the {role.name} role; the key has {principal.role.name}.",
            )
        return principal

    check.__name__ = f"require_{role.name}"
    return check


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """An in-memory token bucket per key: ``per_minute`` requests, refilled evenly.

    Per process: with several workers each enforces its own bucket.  ``per_minute``
    of 0 turns the limit off.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else seconds until one is free."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
            bucket.tokens = min(
                float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate
            )
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate


#: Dependencies for route signatures.
Viewer = Annotated[Principal, Depends(require(Role.viewer))]
Analyst = Annotated[Principal, Depends(require(Role.analyst))]
