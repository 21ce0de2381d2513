"""OpenRefine reconciliation, checked against the W3C 0.2 JSON schemas (``schemas/``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from redline.store import Store, StoredEntity
from tests.service.conftest import AUTH, Service

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft7Validator]:
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=_draft7()))
        for doc in docs.values()
    )
    return {name: Draft7Validator(doc, registry=registry) for name, doc in docs.items()}


def _draft7() -> Any:
    from referencing.jsonschema import DRAFT7

    return DRAFT7


def valid(validators: dict[str, Draft7Validator], schema: str, data: Any) -> None:
    errors = [e.message for e in validators[schema].iter_errors(data)]
    assert not errors, errors


def test_schemas_reject_invalid_examples(validators: dict[str, Draft7Validator]):
    """The validators bite: a result batch without ids fails, a manifest without version too."""
    assert list(validators["reconciliation-result-batch"].iter_errors({"q0": {"result": [{}]}}))
    assert list(validators["manifest"].iter_errors({"versions": ["0.1"], "name": "x"}))


def test_manifest_valid(client: TestClient, validators: dict[str, Draft7Validator]):
    resp = client.get("/reconcile/default", headers=AUTH)
    assert resp.status_code == 200, resp.text
    manifest = resp.json()
    valid(validators, "manifest", manifest)
    for key in ("identifierSpace", "schemaSpace", "view", "preview", "suggest", "defaultTypes"):
        assert key in manifest
    assert {"Person", "Company", "Vessel"} <= {t["id"] for t in manifest["defaultTypes"]}
    assert manifest["suggest"]["entity"]["service_url"].endswith("/reconcile/default")
    assert client.get("/reconcile/nowhere", headers=AUTH).status_code == 404


def _queries(sdn: StoredEntity) -> dict[str, Any]:
    return {
        "q0": {"query": sdn.caption, "type": "Person", "limit": 3},
        "q1": {
            "query": "Vladimir Putin",
            "type": "Person",
            "properties": [
                {"pid": "birthDate", "v": "1952-10-07"},
                {"pid": "Person:nationality", "v": ["Russia"]},
                {"pid": "unknownProp", "v": "ignored"},
            ],
        },
        "q2": {"query": "Zzyzx Qwertyuiop Blorft"},
    }


@pytest.fixture(scope="module")
def sdn_entity(loaded_store: Store) -> StoredEntity:
    info = loaded_store.active_versions()["us_ofac_sdn"]
    for item in loaded_store.iter_entities(info.id, targets_only=True):
        if item.schema == "Person" and item.caption.isascii():
            return item
    raise AssertionError("no SDN person")


def test_openrefine_form_encoded_queries(
    service: Service, validators: dict[str, Draft7Validator], sdn_entity: StoredEntity
):
    queries = _queries(sdn_entity)
    valid(validators, "reconciliation-query-batch", queries)
    before = len(service.audit.events)
    resp = service.client.post(
        "/reconcile/default", data={"queries": json.dumps(queries)}, headers=AUTH
    )
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    valid(validators, "reconciliation-result-batch", answer)
    assert set(answer) == {"q0", "q1", "q2"}
    assert len(answer["q0"]["result"]) <= 3
    top = answer["q0"]["result"][0]
    assert top["id"] == sdn_entity.entity_id and top["match"] is True
    assert top["type"][0]["id"] == "Person"
    assert answer["q1"]["result"] and answer["q2"]["result"] == []
    payloads = [p for _e, _a, p in service.audit.events[before:]]
    assert [p["endpoint"] for p in payloads] == ["reconcile"] * 3
    q1 = next(p for p in payloads if p["query_key"] == "q1")
    assert q1["query"]["countries"] == ["ru"] and q1["query"]["birth_dates"] == ["1952-10-07"]


def test_json_body_and_get_queries(
    client: TestClient, validators: dict[str, Draft7Validator], sdn_entity: StoredEntity
):
    queries = _queries(sdn_entity)
    as_object = client.post("/reconcile/default", json={"queries": queries}, headers=AUTH)
    as_text = client.post("/reconcile/default", json={"queries": json.dumps(queries)}, headers=AUTH)
    by_get = client.get("/reconcile/default", params={"queries": json.dumps(queries)}, headers=AUTH)
    for resp in (as_object, as_text, by_get):
        assert resp.status_code == 200, resp.text
        valid(validators, "reconciliation-result-batch", resp.json())
    assert as_object.json() == as_text.json() == by_get.json()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"queries": "{not json"}, "queries"),
        ({"queries": "[]"}, "queries"),
        ({"queries": json.dumps({"q0": {"query": "x", "limit": "many"}})}, "queries.q0.limit"),
        ({"queries": json.dumps({"q0": {"query": "x", "type": "Banana"}})}, "queries.q0"),
        ({"queries": json.dumps({"q0": {"type": "Person"}})}, "properties.name"),
        ({}, "queries"),
    ],
)
def test_bad_queries_are_400_naming_the_field(client: TestClient, data: Any, field: str):
    resp = client.post("/reconcile/default", data=data, headers=AUTH)
    assert resp.status_code == 400, resp.text
    assert field in resp.json()["detail"]


def test_suggest_services_valid(
    client: TestClient, validators: dict[str, Draft7Validator], sdn_entity: StoredEntity
):
    prefix = sdn_entity.caption[:6]
    entity = client.get(
        "/reconcile/default/suggest/entity", params={"prefix": prefix}, headers=AUTH
    )
    assert entity.status_code == 200
    valid(validators, "suggest-entities-response", entity.json())
    names = [r["name"] for r in entity.json()["result"]]
    assert names and all(n.lower().startswith(prefix.lower()) for n in names)
    wildcard = client.get(
        "/reconcile/default/suggest/entity", params={"prefix": "%_"}, headers=AUTH
    )
    assert wildcard.json()["result"] == []  # LIKE wildcards are matched literally
    types = client.get("/reconcile/default/suggest/type", params={"prefix": "pers"}, headers=AUTH)
    valid(validators, "suggest-types-response", types.json())
    assert [t["id"] for t in types.json()["result"]] == ["Person"]
    props = client.get(
        "/reconcile/default/suggest/property", params={"prefix": "birth"}, headers=AUTH
    )
    valid(validators, "suggest-properties-response", props.json())
    assert "birthDate" in {p["id"] for p in props.json()["result"]}


def test_preview_escapes_listed_data(client: TestClient, sdn_entity: StoredEntity):
    resp = client.get(
        "/reconcile/default/preview", params={"id": sdn_entity.entity_id}, headers=AUTH
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert sdn_entity.caption.replace("&", "&amp;").replace("'", "&#x27;") in resp.text
    missing = client.get(
        "/reconcile/default/preview", params={"id": "<script>alert(1)</script>"}, headers=AUTH
    )
    assert missing.status_code == 404
    assert "<script>" not in missing.text and "&lt;script&gt;" in missing.text


def test_data_extension(
    client: TestClient, validators: dict[str, Draft7Validator], sdn_entity: StoredEntity
):
    manifest = client.get("/reconcile/default", headers=AUTH).json()
    path = manifest["extend"]["propose_properties"]["service_path"]
    proposed = client.get(f"/reconcile/default{path}", params={"type": "Person"}, headers=AUTH)
    assert proposed.status_code == 200
    valid(validators, "data-extension-property-proposal", proposed.json())
    ids = {p["id"] for p in proposed.json()["properties"]}
    assert {"name", "birthDate", "nationality"} <= ids
    request = {
        "ids": [sdn_entity.entity_id, "no-such-id"],
        "properties": [{"id": "name"}, {"id": "country", "settings": {"limit": 1}}],
    }
    valid(validators, "data-extension-query", request)
    resp = client.post("/reconcile/default", data={"extend": json.dumps(request)}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    valid(validators, "data-extension-response", data)
    assert [m["id"] for m in data["meta"]] == ["name", "country"]
    row = data["rows"][sdn_entity.entity_id]
    assert [v["str"] for v in row["name"]] == sdn_entity.data["properties"]["name"]
    assert len(row["country"]) <= 1
    assert data["rows"]["no-such-id"] == {"name": [], "country": []}
    by_get = client.get("/reconcile/default", params={"extend": json.dumps(request)}, headers=AUTH)
    assert by_get.json() == data
    bad = {"ids": ["x"], "properties": [{"id": "password"}]}
    refused = client.post("/reconcile/default", json={"extend": bad}, headers=AUTH)
    assert refused.status_code == 400 and "password" in refused.json()["detail"]
