"""Login, logout, the dashboard, screening a name and the listed entity page."""

from __future__ import annotations

import unicodedata
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from followthemoney import registry

from redline.service.context import services_of, snapshot_of
from redline.service.screening import parse_example, screen_and_record
from redline.service.web.core import (
    PREFIX,
    User,
    checked_form,
    field,
    principal_of,
    queue_or_none,
    redirect,
    render,
    safe_next,
    set_session,
    web_of,
)
from redline.service.web.session import Session
from redline.store import StoredEntity

router = APIRouter(prefix=PREFIX, include_in_schema=False)

#: Schemas offered on the screening form (all screenable by redline).
SCHEMAS = ("Thing", "Person", "LegalEntity", "Organization", "Company", "Vessel", "Airplane")
#: Results shown on the page (every hit above the cutoff is alerted regardless).
PAGE_LIMIT = 20
#: Longest value kept from a form field (longer names are no names).
MAX_FIELD = 500


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if principal_of(request) is not None:
        return redirect(request, safe_next(next))
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    username, password = field(form, "username"), str(form.get("password") or "")
    target = safe_next(field(form, "next"))
    services = services_of(request)
    throttle = web_of(request).logins
    address = request.client.host if request.client else "?"
    keys = (f"addr:{address}", f"user:{username.lower()}")
    if throttle.blocked(*keys):
        services.audit.record("login", None, {"username": username[:200], "outcome": "throttled"})
        context = {"next": target, "error": "Too many attempts: wait a minute and try again."}
        return render(request, "login.html", context, status=429)
    principal = services.authenticator.authenticate_password(username, password)
    if principal is None:
        throttle.failed(*keys)
        # The name tried is recorded, never the password.
        services.audit.record("login", None, {"username": username[:200], "outcome": "failed"})
        return render(
            request,
            "login.html",
            {"next": target, "error": "Unknown user or wrong password.", "username": username},
            status=401,
        )
    web = web_of(request)
    set_session(
        request,
        Session.for_user(principal.name, principal.role.name, web.codec.lifetime),
    )
    request.state.web_principal = principal
    services.audit.record("login", principal, {"username": principal.name, "outcome": "ok"})
    return redirect(request, target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    principal = principal_of(request)
    if principal is not None:
        services_of(request).audit.record("logout", principal, {"username": principal.name})
    set_session(request, Session.anonymous(web_of(request).codec.lifetime))
    request.state.web_principal = None
    return redirect(request, f"{PREFIX}/login")


@router.get("/")
def home(request: Request, user: User) -> Response:
    queue = queue_or_none(request)
    counts = queue.count_by_status() if queue is not None else {}
    snapshot = services_of(request).holder.current() if services_of(request).holder.ready else None
    versions = sorted(snapshot.versions.values(), key=lambda v: v.source) if snapshot else []
    return render(request, "home.html", {"counts": counts, "versions": versions})


@router.get("/screen")
def screen_form(request: Request, user: User) -> Response:
    return render(request, "screen.html", _screen_context({}, None, None))


@router.post("/screen")
async def screen(request: Request, user: User) -> Response:
    form = await checked_form(request)
    values = {k: field(form, k)[:MAX_FIELD] for k in ("name", "schema", "birth_date", "country")}
    schema = values["schema"] if values["schema"] in SCHEMAS else "Thing"
    if values["birth_date"] and schema == "Thing":
        schema = "Person"  # only people have birth dates: do not drop the one given
    properties: dict[str, Any] = {"name": values["name"]}
    if values["birth_date"] and schema == "Person":
        properties["birthDate"] = values["birth_date"]
    if values["country"]:
        properties["country"] = values["country"]
    services = services_of(request)
    try:
        parsed = parse_example(schema, properties, where="form")
    except HTTPException as exc:
        return render(request, "screen.html", _screen_context(values, None, str(exc.detail)), 400)
    snapshot = snapshot_of(request)
    config = snapshot.screener.config
    screened = screen_and_record(
        services,
        snapshot,
        user,
        parsed,
        endpoint="web:screen",
        dataset="default",
        sources=None,
        limit=PAGE_LIMIT,
        cutoff=config.possible_threshold,
        threshold=config.match_threshold,
        origin="workspace",
    )
    return render(
        request, "screen.html", _screen_context(values, screened.results, None, screened.total)
    )


def _screen_context(
    values: dict[str, str], results: list[dict[str, Any]] | None, error: str | None, total: int = 0
) -> dict[str, Any]:
    return {
        "values": values,
        "schemas": SCHEMAS,
        "results": results,
        "total": total,
        "error": error,
    }


@router.get("/entities/{entity_id}")
def entity_page(request: Request, entity_id: str, user: User) -> Response:
    store = services_of(request).holder.store
    history = store.entity_history(entity_id)
    current = store.get_entity(entity_id)
    shown = current or (history[-1][1] if history else None)
    if shown is None:
        return render(request, "error.html", {"message": "No listed entity with this id."}, 404)
    versions = {v.id: v for v in store.versions(shown.source)}
    version = versions.get(shown.version_id)
    rows = []
    previous: dict[str, Any] | None = None
    for info, stored in history:
        change = (
            "appeared"
            if previous is None
            else ("changed" if stored.data != previous else "unchanged")
        )
        rows.append({"version": info, "change": change, "caption": stored.caption})
        previous = stored.data
    latest_seq = max((v.seq for v in versions.values() if v.active), default=None)
    return render(
        request,
        "entity.html",
        {
            "entity": shown,
            "active": current is not None,
            "version": version,
            "names": entity_names(shown),
            "identifiers": _typed_values(shown, registry.identifier),
            "programs": _values(shown, "programId") + _values(shown, "program"),
            "topics": _values(shown, "topics"),
            "countries": _typed_values(shown, registry.country),
            "history": rows,
            "latest_seq": latest_seq,
        },
    )


def entity_names(stored: StoredEntity) -> list[dict[str, str]]:
    """Every name value with its property (name, alias, weakAlias...) and script."""
    proxy = stored.proxy
    found = []
    for prop in proxy.schema.properties.values():
        if prop.type != registry.name:
            continue
        for value in proxy.get(prop, quiet=True):
            found.append({"property": prop.label, "value": value, "script": script_of(value)})
    return found


def _typed_values(stored: StoredEntity, kind: Any) -> list[dict[str, str]]:
    proxy = stored.proxy
    return [
        {"property": prop.label, "value": value}
        for prop in proxy.schema.properties.values()
        if prop.type == kind
        for value in proxy.get(prop, quiet=True)
    ]


def _values(stored: StoredEntity, name: str) -> list[str]:
    return list(stored.proxy.get(name, quiet=True))


def script_of(text: str) -> str:
    """The writing system of a name, from its letters' Unicode names (``Latin``,
    ``Cyrillic``, ``Arabic``, ``CJK``...), or ``Mixed``."""
    scripts = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        scripts.add(name.split(" ")[0].title() if name else "Unknown")
    if not scripts:
        return "-"
    if len(scripts) > 1:
        return "Mixed (" + ", ".join(sorted(scripts)) + ")"
    script = scripts.pop()
    return "CJK" if script == "Cjk" else script
