"""The application factory: the HTTP API over a screener holder and the service contracts.

``create_app`` takes everything it needs as arguments (tests pass in-memory
implementations of the protocols); :func:`service_app` is the zero-argument factory
for ``uvicorn --factory``, reading settings at start-up, never at import.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from redline import __version__
from redline.match import Screener
from redline.service import api, ops, reconcile, suggest, web
from redline.service.access import RateLimiter
from redline.service.config_audit import record_config
from redline.service.context import Services
from redline.service.limits import BodyLimitMiddleware
from redline.service.metrics import Metrics, MetricsMiddleware
from redline.service.principal import AlertSink, AuditLog, Authenticator
from redline.service.records import Records
from redline.service.security import Accounts
from redline.service.state import ScreenerHolder
from redline.settings import Settings
from redline.sources import all_sources
from redline.store import Store

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    holder: ScreenerHolder,
    authenticator: Authenticator,
    audit: AuditLog,
    alerts: AlertSink,
    accounts: Accounts | None = None,
) -> FastAPI:
    """The redline HTTP API and the review workspace (``/web``).

    ``holder`` supplies the screener (and swaps in a new one when lists change); the
    app starts its watcher on start-up and stops it on shutdown.  ``authenticator``
    turns API keys into principals, ``audit`` records every screening and ``alerts``
    receives every screening's hits and says which to leave out (false positives).
    ``accounts``, when given, lets the workspace re-read each user's role and
    disabled flag on every request (a session outlives no demotion).
    """
    _check_collections(settings)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        holder.start()
        try:
            yield
        finally:
            holder.stop()

    app = FastAPI(
        title="redline",
        version=__version__,
        description="Sanctions screening: yente-compatible matching and search, "
        "OpenRefine reconciliation. Every endpoint but /healthz and /readyz needs an API "
        "key (`Authorization: Bearer <key>` or `X-API-Key`).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = Services(
        settings=settings,
        holder=holder,
        authenticator=authenticator,
        audit=audit,
        alerts=alerts,
        limiter=RateLimiter(settings.service.rate_limit_per_minute),
        metrics=metrics,
    )
    app.include_router(api.router)
    app.include_router(reconcile.router)
    app.include_router(suggest.router)
    app.include_router(ops.router)
    web.mount(app, settings, holder=holder, alerts_sink=alerts, audit=audit, accounts=accounts)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.service.max_body_bytes,
        upload_paths=(f"{web.PREFIX}/batches",),
        max_upload_bytes=settings.service.max_upload_bytes,
    )
    if settings.service.cors_origins:
        # Keys travel in headers, never cookies: no credentials mode is needed.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.service.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 naming each field at fault, without echoing the submitted values back."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg"), "type": error.get("type")}
        for error in exc.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return JSONResponse({"detail": f"Invalid request: {fields}", "errors": errors}, 422)


def _check_collections(settings: Settings) -> None:
    known = set(all_sources())
    for name, members in settings.collections.items():
        unknown = sorted(set(members) - known)
        if unknown:
            raise ValueError(f"collection {name!r} names unknown sources: {', '.join(unknown)}")


def build_holder(settings: Settings) -> ScreenerHolder:
    """A holder over the configured store, building its index in the background."""
    index_dir = settings.home / "index"

    def factory(store: Store) -> Screener:
        return Screener(store, index_dir=index_dir)

    return ScreenerHolder(Store.open(settings), factory, poll_seconds=settings.service.poll_seconds)


def app_over_records(settings: Settings, holder: ScreenerHolder, records: Records) -> FastAPI:
    """The app with the database-backed authenticator, audit log, alerts and accounts
    of ``records`` (kept on ``app.state.records`` for administration)."""
    app = create_app(
        settings,
        holder=holder,
        authenticator=records.authenticator,
        audit=records.audit,
        alerts=records.alerts,
        accounts=records.accounts,
    )
    app.state.records = records
    return app


def service_app() -> FastAPI:
    """Factory for ``uvicorn redline.service.app:service_app --factory``.

    Reads the settings now (start-up), migrates the service's records in the store's
    database and wires the database-backed authenticator, audit log and alerts queue.
    """
    settings = Settings.load()
    holder = build_holder(settings)
    records = Records.open(settings, holder.store)
    record_config(records.audit.engine, records.audit, settings)
    return app_over_records(settings, holder, records)
