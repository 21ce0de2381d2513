"""The review workspace: server-rendered pages over the service (``/web``).

:func:`mount` adds its routes, static files and error handlers to an app built by
:func:`redline.service.app.create_app`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from redline.service.principal import AlertSink, AuditLog
from redline.service.security import Accounts
from redline.service.state import ScreenerHolder
from redline.service.web import alerts, batch_pages, pages
from redline.service.web.batches import BatchManager
from redline.service.web.core import (
    PREFIX,
    STATIC,
    LoginRequired,
    LoginThrottle,
    WebError,
    WebState,
    environment,
    login_redirect,
    render,
)
from redline.service.web.session import SessionCodec, session_secret
from redline.settings import Settings

__all__ = ["PREFIX", "ROUTERS", "mount"]

#: Failed logins allowed per minute from one address, and against one user name.
FAILED_LOGINS_PER_MINUTE = 10

#: Every router of the workspace (the session test walks each of their routes).
ROUTERS = (pages.router, alerts.router, batch_pages.router)


def mount(
    app: FastAPI,
    settings: Settings,
    *,
    holder: ScreenerHolder,
    alerts_sink: AlertSink,
    audit: AuditLog,
    accounts: Accounts | None,
) -> WebState:
    """Add the workspace to ``app``; returns its state (also on ``app.state.web``)."""
    codec = SessionCodec(session_secret(settings), settings.service.session_hours * 3600)
    batches = BatchManager(settings.home / "batches", holder, alerts_sink, audit)
    batches.recover()  # batches a killed server left "running" now read "interrupted"
    state = WebState(
        codec=codec,
        templates=environment(),
        secure_cookies=settings.service.secure_cookies,
        accounts=accounts,
        batches=batches,
        logins=LoginThrottle(FAILED_LOGINS_PER_MINUTE),
    )
    app.state.web = state
    for router in ROUTERS:
        app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="web-static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(WebError, _web_error)

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    return state


async def _login_required(request: Request, _exc: Exception) -> Response:
    return login_redirect(request)


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return render(request, "error.html", {"message": exc.message}, exc.status)
