"""What every workspace page shares: its state on the app, the logged-in user, CSRF
checks, role checks and HTML rendering with the security headers.

Pages are server-rendered with Jinja2 and autoescaping on, so every value coming
from users or lists is escaped; the only scripts are static files of this package
(the Content-Security-Policy forbids inline scripts and handlers).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from redline.service.alerts import DbAlertSink
from redline.service.context import services_of
from redline.service.principal import Principal, Role
from redline.service.security import AccountError, Accounts
from redline.service.web.session import COOKIE, CSRF_FIELD, Session, SessionCodec

if TYPE_CHECKING:
    from redline.service.web.batches import BatchManager

PREFIX = "/web"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """No valid session: the handler answers with a redirect to the login page."""


class WebError(Exception):
    """An error page with a status and a message meant for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginThrottle:
    """At most ``limit`` failed logins per key (address, user name) in ``window`` seconds.

    Only failures count, so people logging in and out are never held up; in memory,
    per process (with several workers each keeps its own count).
    """

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        now = self.clock()
        with self._lock:
            return any(len(self._recent(key, now)) >= self.limit for key in keys)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times and len(self._failures) > 100_000:
            self._failures.clear()  # bound the memory an attacker can make us use
            times = self._failures.setdefault(key, deque())
        return times


@dataclass
class WebState:
    """The workspace's collaborators, kept on ``app.state.web``."""

    codec: SessionCodec
    templates: jinja2.Environment
    secure_cookies: bool
    accounts: Accounts | None
    batches: BatchManager | None
    #: Failed logins per client address and per user name (guessing is slowed).
    logins: LoginThrottle


def environment() -> jinja2.Environment:
    """Templates with autoescaping on for everything (not only ``.html``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda value: f"{float(value) * 100:.1f}"
    return env


def web_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def session_of(request: Request) -> Session:
    """The request's session; a new anonymous one (cookie set on the answer) if none."""
    cached: Session | None = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    web = web_of(request)
    session = web.codec.decode(request.cookies.get(COOKIE))
    if session is None:
        session = Session.anonymous(web.codec.lifetime)
        request.state.web_session_new = True
    request.state.web_session = session
    return session


def set_session(request: Request, session: Session) -> None:
    """Replace the session (login, logout): the new cookie goes out with the answer."""
    request.state.web_session = session
    request.state.web_session_new = True


def principal_of(request: Request) -> Principal | None:
    """The logged-in user, with the role the accounts hold *now* (a disabled or
    demoted user loses access at the next request, not at the cookie's expiry)."""
    cached: Principal | None = getattr(request.state, "web_principal", None)
    if cached is not None:
        return cached
    session = session_of(request)
    if session.user is None or session.role is None:
        return None
    role_name = session.role
    accounts = web_of(request).accounts
    if accounts is not None:
        try:
            info = accounts.get_user(session.user)
        except AccountError:
            return None
        if info.disabled:
            return None
        role_name = info.role.name
    try:
        role = Role[role_name]
    except KeyError:
        return None
    principal = Principal(id=f"user:{session.user}", name=session.user, role=role, kind="user")
    request.state.web_principal = principal
    return principal


def login_required(request: Request) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise LoginRequired
    return principal


#: A route parameter holding the logged-in user (the login page for anyone else).
User = Annotated[Principal, Depends(login_required)]


def require_role(principal: Principal, role: Role, what: str) -> None:
    if not principal.allows(role):
        raise WebError(
            403,
            f"{what} needs the {role.name} role; you are {principal.name} ({principal.role.name}).",
        )


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after the CSRF check (403 without the session's token)."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not session_of(request).csrf_ok(token):
        raise WebError(403, "The form's security token is missing or stale: reload the page.")
    return form


def field(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


def finish(request: Request, response: Response) -> Response:
    """Security headers, and the session cookie when it was created or replaced."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if getattr(request.state, "web_session_new", False):
        web = web_of(request)
        session = session_of(request)
        response.set_cookie(
            COOKIE,
            web.codec.encode(session),
            max_age=int(web.codec.lifetime),
            path="/",
            httponly=True,
            samesite="strict",
            secure=web.secure_cookies or request.url.scheme == "https",
        )
    return response


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    web = web_of(request)
    principal = principal_of(request)
    page = web.templates.get_template(template).render(
        {
            "user": principal,
            "csrf_field": CSRF_FIELD,
            "csrf_token": session_of(request).csrf,
            "prefix": PREFIX,
            "queue_available": queue_or_none(request) is not None,
            **(context or {}),
        }
    )
    return finish(request, HTMLResponse(page, status_code=status))


def redirect(request: Request, url: str) -> Response:
    return finish(request, RedirectResponse(url, status_code=303))


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return redirect(request, f"{PREFIX}/login?next={quote(target, safe='')}")


def queue_or_none(request: Request) -> DbAlertSink | None:
    alerts = services_of(request).alerts
    return alerts if isinstance(alerts, DbAlertSink) else None


def queue_of(request: Request) -> DbAlertSink:
    """The database alerts queue (in-memory test sinks have no review workflow)."""
    queue = queue_or_none(request)
    if queue is None:
        raise WebError(501, "This deployment has no alerts queue (no records database).")
    return queue


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path of this workspace (no open redirect)."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and not any(bad in target for bad in ("\\", "://", ".."))
    ):
        return target
    return PREFIX + "/"
