"""Signed session cookies and CSRF tokens for the review workspace.

The cookie holds who is logged in and the CSRF token of the session, as JSON signed
with HMAC-SHA256 (no server-side session table: any worker can check it).  It is
``HttpOnly`` (scripts cannot read it), ``SameSite=Strict`` (other sites cannot make
the browser send it) and ``Secure`` on HTTPS or when the settings say the service
sits behind a TLS proxy.  Anonymous visitors get a session too, without a user, so
that the login form carries a CSRF token like every other form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from redline.settings import Settings

COOKIE = "redline_session"
#: Name of the hidden form field carrying the CSRF token.
CSRF_FIELD = "csrf_token"
SECRET_FILE = "web-session.key"


@dataclass(frozen=True)
class Session:
    """One browser's session: the user (``None`` before login) and its CSRF token."""

    csrf: str
    expires: float
    user: str | None = None
    #: The role at login; refreshed from the accounts on each request when available.
    role: str | None = None

    @classmethod
    def anonymous(cls, lifetime: float) -> Session:
        return cls(csrf=secrets.token_urlsafe(32), expires=time.time() + lifetime)

    @classmethod
    def for_user(cls, user: str, role: str, lifetime: float) -> Session:
        """A fresh session for ``user``: a new CSRF token, so nothing seen before login
        (session fixation) carries over."""
        return replace(cls.anonymous(lifetime), user=user, role=role)

    def csrf_ok(self, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf, str(presented))


class SessionCodec:
    """Turns sessions into signed cookie values and back (``None`` if forged or expired)."""

    def __init__(self, secret: bytes, lifetime: float) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret must be at least 32 bytes")
        self._secret = secret
        self.lifetime = lifetime

    def encode(self, session: Session) -> str:
        body = _b64(json.dumps(asdict(session), separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def decode(self, raw: str | None) -> Session | None:
        if not raw or raw.count(".") != 1:
            return None
        body, signature = raw.split(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = Session(
                csrf=str(data["csrf"]),
                expires=float(data["expires"]),
                user=None if data.get("user") is None else str(data["user"]),
                role=None if data.get("role") is None else str(data["role"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > time.time() else None

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def session_secret(settings: Settings) -> bytes:
    """The configured secret, else the one kept in the home (created at first start).

    Created with ``O_EXCL`` and mode 0600: several workers starting together agree on
    one file, and other local users cannot read it.
    """
    configured = settings.service.session_secret
    if configured:
        return configured.encode()
    path: Path = settings.home / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _attempt in range(50):  # another worker may be writing it right now
            text = path.read_text(encoding="ascii").strip()
            if text:
                return text.encode()
            time.sleep(0.05)
        raise RuntimeError(f"{path} is empty: delete it to generate a new secret") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode()
