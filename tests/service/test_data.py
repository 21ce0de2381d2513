"""``/search``, ``/entities``, ``/catalog`` and ``/algorithms`` over the real lists."""

from __future__ import annotations

from fastapi.testclient import TestClient

from redline.store import Store
from tests.service.conftest import AUTH, Service
from tests.service.test_match import ENTITY_KEYS, assert_entity_shape


def test_search_finds_a_listed_name(service: Service):
    before = len(service.audit.events)
    resp = service.client.get("/search/default", params={"q": "Vladimir Putin"}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert set(data) >= {"results", "total", "limit", "offset", "facets"}
    assert data["limit"] == 10 and data["offset"] == 0
    assert data["total"]["relation"] == "eq" and data["total"]["value"] >= len(data["results"])
    assert data["results"]
    for result in data["results"]:
        assert_entity_shape(result)
        assert "score" not in result  # yente's search results carry no scores
    assert any("Putin" in r["caption"].title() for r in data["results"])
    datasets = {v["name"]: v["count"] for v in data["facets"]["datasets"]["values"]}
    assert sum(datasets.values()) == len(data["results"])
    event, _actor, payload = service.audit.events[before]
    assert event == "screening" and payload["endpoint"] == "search"


def test_search_offset_pages(client: TestClient):
    first = client.get("/search/default", params={"q": "Putin", "limit": 2}, headers=AUTH).json()
    second = client.get(
        "/search/default", params={"q": "Putin", "limit": 2, "offset": 2}, headers=AUTH
    ).json()
    assert first["total"] == second["total"] and first["total"]["value"] > 2
    assert len(first["results"]) == 2 and second["results"]
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


def test_search_errors(client: TestClient):
    assert client.get("/search/default", params={"q": ""}, headers=AUTH).status_code == 400
    resp = client.get("/search/default", params={"q": "x", "schema": "Banana"}, headers=AUTH)
    assert resp.status_code == 400 and "schema" in resp.json()["detail"]
    assert client.get("/search/nowhere", params={"q": "Putin"}, headers=AUTH).status_code == 404


def test_entity_in_ftm_shape(client: TestClient, loaded_store: Store):
    info = loaded_store.active_versions()["un_sc"]
    stored = next(loaded_store.iter_entities(info.id, targets_only=True))
    resp = client.get(f"/entities/{stored.entity_id}", headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert set(data) == ENTITY_KEYS
    assert_entity_shape(data)
    assert data["id"] == stored.entity_id and data["schema"] == stored.schema
    assert data["properties"] == stored.data["properties"]
    assert data["datasets"] == ["un_sc"] and data["target"] is True


def test_unknown_entity_is_404(client: TestClient):
    resp = client.get("/entities/no-such-entity-id", headers=AUTH)
    assert resp.status_code == 404 and resp.json() == {"detail": "No such entity!"}


def test_catalog_counts_equal_the_store(service: Service, loaded_store: Store):
    resp = service.client.get("/catalog", headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    active = loaded_store.active_versions()
    by_name = {d["name"]: d for d in data["datasets"]}
    assert set(by_name) == set(active) == set(data["current"])
    for name, info in active.items():
        entry = by_name[name]
        assert entry["version"] == info.seq
        assert entry["entity_count"] == info.entity_count
        assert entry["target_count"] == info.target_count
        assert entry["counts"] == info.counts
        assert entry["published"] == info.published
        assert entry["title"]
    assert data["collections"] == {"us": ["us_ofac_sdn", "us_ofac_cons", "us_bis_dpl"]}
    assert data["index_stale"] is False
    assert data["index_version"] == loaded_store.state_token()


def test_algorithms_listed(client: TestClient):
    data = client.get("/algorithms", headers=AUTH).json()
    assert data["best"] == "redline" and "logic-v2" in {a["name"] for a in data["algorithms"]}
