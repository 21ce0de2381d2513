"""The workspace's defences, over HTTP (no browser): sessions, CSRF, roles, escaping."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from redline.service.alerts import Alert
from redline.service.audit import verify
from redline.service.db import audit_log, engine_for
from redline.service.web import FAILED_LOGINS_PER_MINUTE
from redline.service.web.session import COOKIE
from tests.service.conftest import ADMIN
from tests.web.conftest import PASSWORD, MakeWorkspace, Workspace, csrf_of, login

ClientFor = Callable[[str], tuple[TestClient, str]]
#: Template, HTML and SQL injection in one value.
NASTY = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>{{7*7}}{% raw %}' OR '1'='1"


def listed_alert(client: TestClient, token: str, workspace: Workspace) -> Alert:
    """A fresh open alert, from screening a listed name through the workspace."""
    answer = client.post(
        "/web/screen", data={"csrf_token": token, "name": "Vladimir Putin", "schema": "Person"}
    )
    assert answer.status_code == 200
    return workspace.records.alerts.list_alerts(status="open", origin="workspace")[0]


def audit_events(workspace: Workspace, event: str) -> list[dict[str, object]]:
    with engine_for(workspace.records.url).connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.event == event)).all()
    return [{"actor": r.actor_name, **json.loads(r.payload)} for r in rows]


# --------------------------------------------------------------------------- sessions


def test_session_cookie_flags(workspace: Workspace) -> None:
    with TestClient(workspace.app) as client:
        cookie = client.get("/web/login").headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # plain HTTP, and no setting says otherwise
    with TestClient(workspace.app, base_url="https://testserver") as client:
        cookie = client.get("/web/login").headers["set-cookie"].lower()
    assert "; secure" in cookie


def test_secure_cookies_setting(make_workspace: MakeWorkspace) -> None:
    behind_proxy = make_workspace(secure_cookies=True)
    with TestClient(behind_proxy.app) as client:  # http, as a TLS proxy forwards it
        assert "; secure" in client.get("/web/login").headers["set-cookie"].lower()


def test_session_secret_is_generated_once_and_kept(workspace: Workspace) -> None:
    key = workspace.settings.home / "web-session.key"
    assert key.is_file()
    assert key.stat().st_mode & 0o077 == 0
    assert len(key.read_text().strip()) >= 64


def test_forged_or_tampered_cookie_is_anonymous(workspace: Workspace) -> None:
    with TestClient(workspace.app) as client:
        login(client, "root")
        raw = client.cookies[COOKIE]
        body, signature = raw.split(".")
        forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
        client.cookies.set(COOKIE, forged)
        answer = client.get("/web/alerts", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/web/login")


def test_login_and_logout_are_audited_without_the_password(workspace: Workspace) -> None:
    with TestClient(workspace.app) as client:
        token = csrf_of(client.get("/web/login").text)
        wrong = client.post(
            "/web/login",
            data={"csrf_token": token, "username": "ana", "password": "guess-" + PASSWORD},
        )
        assert wrong.status_code == 401
        assert "Unknown user or wrong password" in wrong.text
        token = login(client, "ana")
        out = client.post("/web/logout", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/web/alerts", follow_redirects=False).status_code == 303
    logins = audit_events(workspace, "login")
    assert {"actor": None, "username": "ana", "outcome": "failed"} in logins
    assert {"actor": "ana", "username": "ana", "outcome": "ok"} in logins
    assert any(e["actor"] == "ana" for e in audit_events(workspace, "logout"))
    everything = json.dumps(logins)
    assert PASSWORD not in everything and "guess-" not in everything
    assert verify(workspace.records.url).ok


def test_password_guessing_is_throttled(make_workspace: MakeWorkspace) -> None:
    workspace = make_workspace()
    with TestClient(workspace.app) as client:
        token = csrf_of(client.get("/web/login").text)
        guesses = [
            client.post(
                "/web/login",
                data={"csrf_token": token, "username": "root", "password": f"guess {i}"},
            ).status_code
            for i in range(FAILED_LOGINS_PER_MINUTE)
        ]
        assert set(guesses) == {401}
        right = client.post(
            "/web/login", data={"csrf_token": token, "username": "root", "password": PASSWORD}
        )
        assert right.status_code == 429
        assert "Too many attempts" in right.text
    outcomes = [e["outcome"] for e in audit_events(workspace, "login")]
    assert outcomes.count("failed") == FAILED_LOGINS_PER_MINUTE
    assert outcomes[-1] == "throttled"


def test_disabled_user_loses_the_session_at_once(
    make_workspace: MakeWorkspace,
) -> None:
    workspace = make_workspace()
    with TestClient(workspace.app) as client:
        login(client, "vic")
        assert client.get("/web/alerts").status_code == 200
        workspace.records.accounts.set_disabled("vic", True, ADMIN)
        assert client.get("/web/alerts", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/api", "/web\\x"])
def test_login_never_redirects_away(workspace: Workspace, target: str) -> None:
    with TestClient(workspace.app) as client:
        token = csrf_of(client.get("/web/login").text)
        answer = client.post(
            "/web/login",
            data={"csrf_token": token, "username": "vic", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/web/"


# --------------------------------------------------------------------------- CSRF


def test_post_without_csrf_token_is_refused(workspace: Workspace, client_for: ClientFor) -> None:
    with TestClient(workspace.app) as anonymous:
        anonymous.get("/web/login")
        refused = anonymous.post("/web/login", data={"username": "root", "password": PASSWORD})
        assert refused.status_code == 403
        assert COOKIE not in refused.headers.get("set-cookie", "") or "root" not in refused.text
    client, token = client_for("root")
    alert = listed_alert(client, token, workspace)
    for data in ({}, {"csrf_token": ""}, {"csrf_token": token[:-1] + "x"}):
        assert client.post("/web/screen", data={"name": "x", **data}).status_code == 403
        decided = client.post(
            f"/web/alerts/{alert.id}/decide",
            data={"decision": "true_match", "reason": "r", **data},
        )
        assert decided.status_code == 403
        assert "security token" in decided.text
    assert workspace.records.alerts.get(alert.id).status == "open"
    # Another session's token does not do either.
    _other, other_token = client_for("ana")
    assert (
        client.post("/web/screen", data={"name": "x", "csrf_token": other_token}).status_code == 403
    )


# --------------------------------------------------------------------------- roles


def test_viewer_reads_but_cannot_decide_or_run_batches(
    workspace: Workspace, client_for: ClientFor
) -> None:
    analyst, analyst_token = client_for("ana")
    alert = listed_alert(analyst, analyst_token, workspace)
    viewer, token = client_for("vic")
    page = viewer.get(f"/web/alerts/{alert.id}")
    assert page.status_code == 200
    assert 'id="decide-form"' not in page.text
    refused = viewer.post(
        f"/web/alerts/{alert.id}/decide",
        data={"csrf_token": token, "decision": "false_positive", "reason": "no"},
    )
    assert refused.status_code == 403
    assert "needs the analyst role" in refused.text
    assert workspace.records.alerts.get(alert.id).status == "open"
    upload = viewer.post(
        "/web/batches",
        data={"csrf_token": token},
        files={"file": ("s.csv", b"row_id,buyer_name\n1,x\n", "text/csv")},
    )
    assert upload.status_code == 403
    assert workspace.records.alerts.get(alert.id).version == alert.version


def test_analyst_cannot_approve(workspace: Workspace, client_for: ClientFor) -> None:
    analyst, token = client_for("ana")
    alert = listed_alert(analyst, token, workspace)
    decided = analyst.post(
        f"/web/alerts/{alert.id}/decide",
        data={"csrf_token": token, "decision": "true_match", "reason": "same person"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert 'id="approve-form"' not in analyst.get(f"/web/alerts/{alert.id}").text
    second, second_token = client_for("ana")
    refused = second.post(f"/web/alerts/{alert.id}/approve", data={"csrf_token": second_token})
    assert refused.status_code == 403
    assert "needs the approver role" in refused.text
    assert workspace.records.alerts.get(alert.id).status == "pending_approval"


def test_stale_form_is_a_conflict(workspace: Workspace, client_for: ClientFor) -> None:
    first, token = client_for("ana")
    alert = listed_alert(first, token, workspace)
    second, second_token = client_for("alice")
    form = {"decision": "true_match", "reason": "seen it", "version": str(alert.version)}
    ok = first.post(f"/web/alerts/{alert.id}/decide", data={"csrf_token": token, **form})
    assert ok.status_code == 200
    late = second.post(f"/web/alerts/{alert.id}/decide", data={"csrf_token": second_token, **form})
    assert late.status_code == 409
    assert "Someone decided first" in late.text


def test_every_workspace_route_needs_a_session(workspace: Workspace) -> None:
    routes = [
        r
        for r in iter_route_contexts(workspace.app.routes)
        if r.path and r.path.startswith("/web/") and r.methods
    ]
    assert len(routes) >= 12
    checked = 0
    with TestClient(workspace.app) as client:
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in sorted(route.methods):
                if route.path == "/web/login":
                    continue
                answer = client.request(method, path, follow_redirects=False)
                assert answer.status_code in (303, 401, 403), (method, route.path)
                if answer.status_code == 303:
                    assert answer.headers["location"].startswith("/web/login"), route.path
                checked += 1
        assert client.get("/web/login").status_code == 200
        assert client.get("/web/static/style.css").status_code == 200
        assert client.get("/", follow_redirects=False).headers["location"] == "/web/"
    assert checked >= 12


# --------------------------------------------------------------------------- escaping


def _inert(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{7*7}}" in html and ">49<" not in html


def test_injection_in_every_text_field_is_inert(
    workspace: Workspace, client_for: ClientFor
) -> None:
    client, token = client_for("ana")
    screened = client.post(
        "/web/screen",
        data={"csrf_token": token, "name": NASTY, "country": NASTY, "birth_date": NASTY},
    )
    assert screened.status_code == 200
    _inert(screened.text)
    with TestClient(workspace.app) as anonymous:
        login_token = csrf_of(anonymous.get("/web/login").text)
        failed = anonymous.post(
            "/web/login", data={"csrf_token": login_token, "username": NASTY, "password": NASTY}
        )
        assert failed.status_code == 401
        _inert(failed.text)
    total = len(workspace.records.alerts.list_alerts(limit=10_000))
    filtered = client.get("/web/alerts", params={"source": NASTY, "origin": NASTY, "status": NASTY})
    assert filtered.status_code == 200
    _inert(filtered.text)
    assert "No alert matches" in filtered.text  # the filter was a value, not SQL
    assert len(workspace.records.alerts.list_alerts(limit=10_000)) == total
    alert = listed_alert(client, token, workspace)
    decided = client.post(
        f"/web/alerts/{alert.id}/decide",
        data={"csrf_token": token, "decision": "true_match", "reason": NASTY},
    )
    assert decided.status_code == 200
    _inert(decided.text)  # the reason, in the pending decision and the history
    assert workspace.records.alerts.get(alert.id).pending_reason == NASTY
    uploaded = client.post(
        "/web/batches",
        data={"csrf_token": token},
        files={"file": (NASTY + ".csv", b"row_id,buyer_name\n1,ACME\n", "text/csv")},
    )
    assert uploaded.status_code == 200
    batches = client.get("/web/batches").text
    # The file's name is kept from its last "/" on: the image tag is what is left of it.
    assert "&lt;img src=x onerror=alert(2)&gt;" in batches
    assert "<img src=x" not in batches
    entity = client.get(
        "/web/entities/" + NASTY.replace("/", "%2F").replace("#", "%23").replace("?", "%3F")
    )
    assert entity.status_code == 404
    assert "<script>alert(1)" not in entity.text


def test_pages_carry_security_headers(workspace: Workspace, client_for: ClientFor) -> None:
    client, _token = client_for("vic")
    page = client.get("/web/alerts")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert re.search(r"<[^>]*\son[a-z]+\s*=", page.text) is None  # no inline handlers


def test_rejection_needs_a_reason_and_reopens(workspace: Workspace, client_for: ClientFor) -> None:
    analyst, token = client_for("ana")
    alert = listed_alert(analyst, token, workspace)
    analyst.post(
        f"/web/alerts/{alert.id}/decide",
        data={"csrf_token": token, "decision": "false_positive", "reason": "namesake"},
    )
    approver, approver_token = client_for("bert")
    bare = approver.post(f"/web/alerts/{alert.id}/reject", data={"csrf_token": approver_token})
    assert bare.status_code == 422
    assert "reason is required" in bare.text
    sent_back = approver.post(
        f"/web/alerts/{alert.id}/reject",
        data={"csrf_token": approver_token, "reason": "the birth date matches"},
    )
    assert sent_back.status_code == 200
    assert "open again" in sent_back.text
    assert workspace.records.alerts.get(alert.id).status == "open"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("orders.txt", b"row_id,buyer_name\n1,x\n", "Upload a CSV, XLSX or Parquet file"),
        ("orders.csv", b"", "The file is empty"),
        ("orders.csv", b"colour,size\nred,9\n", "cannot be screened"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(
    workspace: Workspace, client_for: ClientFor, name: str, body: bytes, message: str
) -> None:
    client, token = client_for("ana")
    before = len(list((workspace.settings.home / "batches").iterdir()))
    answer = client.post(
        "/web/batches", data={"csrf_token": token}, files={"file": (name, body, "text/csv")}
    )
    assert answer.status_code == 400
    assert message in answer.text
    assert len(list((workspace.settings.home / "batches").iterdir())) == before
