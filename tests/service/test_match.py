"""``POST /match/{dataset}``: yente's request and response shapes, over the real lists."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from followthemoney import model

from redline.store import Store, StoredEntity
from tests.service.conftest import AUTH, Service
from tests.service.fakes import VIEWER

ENTITY_KEYS = {
    "id",
    "caption",
    "schema",
    "properties",
    "datasets",
    "referents",
    "target",
    "first_seen",
    "last_seen",
    "last_change",
}
SCORED_KEYS = ENTITY_KEYS | {"score", "match", "features", "explanations", "explanation"}


@pytest.fixture(scope="module")
def sdn_person(loaded_store: Store) -> StoredEntity:
    """A person on the real OFAC SDN list, with a birth date and a Latin-script name."""
    info = loaded_store.active_versions()["us_ofac_sdn"]
    for item in loaded_store.iter_entities(info.id, targets_only=True):
        props = item.data.get("properties", {})
        if item.schema == "Person" and props.get("birthDate") and item.caption.isascii():
            return item
    raise AssertionError("no person with a birth date on the SDN list")


def match(client: TestClient, queries: dict[str, Any], dataset: str = "default", **params: Any):
    return client.post(f"/match/{dataset}", json={"queries": queries}, params=params, headers=AUTH)


def person(name: str, **props: Any) -> dict[str, Any]:
    return {"schema": "Person", "properties": {"name": [name], **props}}


def assert_entity_shape(data: dict[str, Any], keys: set[str] = ENTITY_KEYS) -> None:
    assert keys <= data.keys(), sorted(keys - data.keys())
    assert isinstance(data["id"], str) and data["id"]
    assert isinstance(data["caption"], str) and data["caption"]
    assert model.get(data["schema"]) is not None
    for prop, values in data["properties"].items():
        assert model.get(data["schema"]).get(prop) is not None, prop
        assert all(isinstance(v, str) for v in values), (prop, values)
    assert isinstance(data["datasets"], list) and data["datasets"]
    assert isinstance(data["target"], bool)
    for key in ("first_seen", "last_seen"):
        value = data[key]
        assert value is None or (len(value) == 19 and value[10] == "T"), value


def test_listed_person_found_with_match_true(client: TestClient, sdn_person: StoredEntity):
    props = sdn_person.data["properties"]
    query = person(sdn_person.caption, birthDate=props["birthDate"][:1])
    resp = match(client, {"q1": query})
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert set(data) >= {"responses", "matcher", "limit", "versions"}
    answer = data["responses"]["q1"]
    assert answer["status"] == 200
    assert answer["total"] == {"value": answer["total"]["value"], "relation": "eq"}
    assert answer["total"]["value"] >= len(answer["results"]) >= 1
    top = {r["id"]: r for r in answer["results"]}[sdn_person.entity_id]
    assert_entity_shape(top, SCORED_KEYS)
    assert top["match"] is True and top["score"] >= data["matcher"]["match_threshold"]
    assert top["datasets"] == ["us_ofac_sdn"]
    assert top["properties"]["name"] == props["name"]
    assert top["first_seen"] is not None
    assert "name" in top["features"] and top["explanations"]["name"]["score"] > 0
    assert answer["query"]["schema"] == "Person"
    assert answer["query"]["properties"]["name"] == [sdn_person.caption]
    assert data["versions"]["us_ofac_sdn"] >= 1
    assert data["matcher"]["name"] == "redline"
    assert data["limit"] == 5


def test_several_queries_answered_by_key_and_audited(service: Service):
    before_audit, before_alerts = len(service.audit.events), len(service.alerts.calls)
    queries = {
        "putin": person("Vladimir Putin"),
        "nobody": person("Zzyzx Qwertyuiop Blorft"),
        "org": {"schema": "Organization", "properties": {"name": "Hamas"}},
    }
    resp = match(service.client, queries)
    assert resp.status_code == 200, resp.text
    responses = resp.json()["responses"]
    assert set(responses) == set(queries)
    assert resp.headers["x-batch-size"] == "3"
    assert responses["putin"]["results"], "Putin is listed"
    assert responses["nobody"]["results"] == []
    assert responses["nobody"]["total"]["value"] == 0
    assert responses["org"]["query"]["properties"]["name"] == ["Hamas"]
    events = service.audit.events[before_audit:]
    assert [e[0] for e in events] == ["screening"] * 3
    assert all(actor == VIEWER for _e, actor, _p in events)
    by_key = {p["query_key"]: p for _e, _a, p in events}
    putin = by_key["putin"]
    assert putin["versions"] == resp.json()["versions"]
    assert [r["id"] for r in putin["results"]][:1] == [responses["putin"]["results"][0]["id"]]
    calls = service.alerts.calls[before_alerts:]
    assert len(calls) == 3 and {c.origin for c in calls} == {"api"}
    assert all(c.actor == VIEWER for c in calls)


def test_suppressed_false_positive_left_out(service: Service):
    first = match(service.client, {"q": person("Vladimir Putin")}).json()
    top = first["responses"]["q"]["results"][0]["id"]
    service.alerts.suppressed.add(top)
    try:
        again = match(service.client, {"q": person("Vladimir Putin")}).json()
    finally:
        service.alerts.suppressed.discard(top)
    assert top not in {r["id"] for r in again["responses"]["q"]["results"]}
    payload = service.audit.events[-1][2]
    assert top in payload["suppressed"] and top not in payload["returned"]


def test_country_cleaned_and_id_passed_through(client: TestClient):
    query = person("Vladimir Putin", country="Russia", birthDate=[1952])
    query["id"] = "my-ref-7"
    resp = match(client, {"q": query})
    assert resp.status_code == 200, resp.text
    echo = resp.json()["responses"]["q"]["query"]
    assert echo["id"] == "my-ref-7"
    assert echo["properties"]["country"] == ["ru"]
    assert echo["properties"]["birthDate"] == ["1952"]


def test_unknown_schema_is_400_naming_the_query(client: TestClient):
    resp = match(client, {"ok": person("John Doe"), "bad": {"schema": "xxx", "properties": {}}})
    assert resp.status_code == 400
    assert "queries.bad" in resp.json()["detail"] and "xxx" in resp.json()["detail"]


def test_non_screenable_schema_is_400(client: TestClient):
    resp = match(client, {"a": {"schema": "Address", "properties": {"full": ["Main St 1"]}}})
    assert resp.status_code == 400
    assert "Non-matchable" in resp.json()["detail"]


def test_missing_schema_is_422_like_yente(client: TestClient):
    resp = match(client, {"fail": {"properties": {"name": "Banana"}}})
    assert resp.status_code == 422
    assert "queries.fail.schema" in resp.json()["detail"]


def test_empty_names_refused(client: TestClient):
    for properties in ({}, {"name": []}, {"name": ["   "]}, {"birthDate": ["1970"]}):
        resp = match(client, {"q": {"schema": "Person", "properties": properties}})
        assert resp.status_code == 400, (properties, resp.text)
        assert "properties.name" in resp.json()["detail"]


def test_name_parts_and_identifier_only_queries_accepted(client: TestClient):
    parts = {"schema": "Person", "properties": {"firstName": ["Vladimir"], "lastName": ["Putin"]}}
    resp = match(client, {"q": parts})
    assert resp.status_code == 200, resp.text
    assert resp.json()["responses"]["q"]["results"]
    ident = {"schema": "Company", "properties": {"registrationNumber": ["123456789"]}}
    assert match(client, {"q": ident}).status_code == 200


def test_no_queries_is_400(client: TestClient):
    resp = match(client, {})
    assert resp.status_code == 400 and resp.json()["detail"] == "No queries provided."


def test_unknown_dataset_is_404(client: TestClient):
    resp = match(client, {"q": person("Vladimir Putin")}, dataset="no_such_list")
    assert resp.status_code == 404
    assert "no_such_list" in resp.json()["detail"]


def test_dataset_source_and_collection_restrict_results(client: TestClient):
    only_uk = match(client, {"q": person("Vladimir Putin")}, dataset="gb_hmt", cutoff=0.5)
    assert only_uk.status_code == 200
    results = only_uk.json()["responses"]["q"]["results"]
    assert results and {r["datasets"][0] for r in results} == {"gb_hmt"}
    us = match(client, {"q": person("Vladimir Putin")}, dataset="us", cutoff=0.5)
    us_sources = {r["datasets"][0] for r in us.json()["responses"]["q"]["results"]}
    assert us_sources and us_sources <= {"us_ofac_sdn", "us_ofac_cons", "us_bis_dpl"}


def test_threshold_and_limit_honoured(client: TestClient):
    q = {"q": person("Vladimir Putn")}
    loose = match(client, q, threshold=0.5, limit=20).json()["responses"]["q"]
    assert loose["results"] and all(r["score"] >= 0.5 for r in loose["results"])
    assert all(r["match"] for r in loose["results"])
    strict = match(client, q, threshold=0.95, cutoff=0.5, limit=20).json()["responses"]["q"]
    assert [r["id"] for r in strict["results"]] == [r["id"] for r in loose["results"]]
    assert all(r["match"] == (r["score"] >= 0.95) for r in strict["results"])
    assert any(not r["match"] for r in strict["results"]), [r["score"] for r in strict["results"]]
    one = match(client, q, threshold=0.5, limit=1).json()
    assert one["limit"] == 1 and len(one["responses"]["q"]["results"]) == 1
    assert one["responses"]["q"]["total"]["value"] == loose["total"]["value"] > 1
    scores = [r["score"] for r in loose["results"]]
    assert scores == sorted(scores, reverse=True)


def test_bad_parameters_are_4xx(client: TestClient):
    q = {"q": person("Vladimir Putin")}
    assert match(client, q, limit=0).status_code == 422
    assert match(client, q, threshold=1.5).status_code == 422
    assert match(client, q, threshold="abc").status_code == 422


def test_yente_algorithm_names_accepted_and_reported(client: TestClient):
    q = {"q": person("Vladimir Putin")}
    for name in ("best", "logic-v2", "name-based", "regression-v1"):
        resp = match(client, q, algorithm=name)
        assert resp.status_code == 200, name
        assert resp.json()["matcher"]["requested"] == name
        assert resp.json()["matcher"]["name"] == "redline"
    resp = match(client, q, algorithm="neural-net")
    assert resp.status_code == 400 and "neural-net" in resp.json()["detail"]


def test_algorithm_config_refused(client: TestClient):
    body = {"queries": {"q": person("Vladimir Putin")}, "config": {"nm_number_mismatch": 0.4}}
    resp = client.post("/match/default", json=body, headers=AUTH)
    assert resp.status_code == 400 and "nm_number_mismatch" in resp.json()["detail"]


def test_too_many_queries_refused(make_service):
    small = make_service(max_batch=2)
    queries = {f"q{i}": person("John Doe") for i in range(3)}
    resp = match(small.client, queries)
    assert resp.status_code == 400 and "limit: 2" in resp.json()["detail"]


def test_yente_scope_filters(client: TestClient):
    q = {"q": person("Vladimir Putin")}
    everywhere = match(client, q, cutoff=0.5, limit=50).json()["responses"]["q"]["results"]
    sources = {r["datasets"][0] for r in everywhere}
    assert len(sources) >= 2
    one = sorted(sources)[0]
    only = match(client, q, cutoff=0.5, limit=50, include_dataset=[one]).json()
    assert {r["datasets"][0] for r in only["responses"]["q"]["results"]} == {one}
    without = match(client, q, cutoff=0.5, limit=50, exclude_dataset=[one]).json()
    rest = {r["datasets"][0] for r in without["responses"]["q"]["results"]}
    assert rest == sources - {one}
    no_people = match(client, q, cutoff=0.5, limit=50, exclude_schema=["Person"]).json()
    assert all(r["schema"] != "Person" for r in no_people["responses"]["q"]["results"])
    nothing = match(client, q, cutoff=0.5, topics=["no.such.topic"]).json()
    assert nothing["responses"]["q"]["results"] == []


def test_too_many_values_refused(client: TestClient):
    names = [f"Name Number {i}" for i in range(51)]
    resp = match(client, {"q": {"schema": "Person", "properties": {"name": names}}})
    assert resp.status_code == 400 and "queries.q.properties.name" in resp.json()["detail"]
