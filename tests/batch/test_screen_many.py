"""``screen_many``: every row answered in order, each distinct query screened once."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from redline.batch import parallel
from redline.batch.parallel import screen_many, screen_many_encoded
from redline.match import Match, Query, Screener
from redline.settings import Settings
from redline.store import Store

pytestmark = pytest.mark.slow

NAMES = [
    ("Vladimir Putin", "Person"),
    ("Владимир Путин", None),
    ("Qwzx Plorvent Nimbardo", "Company"),
    ("Rosoboronexport", "Company"),
    ("HK Electronics Trading Limited", None),
]


@pytest.fixture(scope="module")
def settings(
    loaded_store: Store, screener: Screener, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    home = tmp_path_factory.mktemp("many_home")
    assert screener.index_dir is not None
    shutil.copytree(screener.index_dir, home / "index")
    return Settings(home=home, database_url=loaded_store.url)


def rows() -> list[Query | None]:
    """Each name four times under different row ids, and rows without a name."""
    queries: list[Query | None] = []
    for round_ in range(4):
        for number, (name, schema) in enumerate(NAMES):
            queries.append(Query.of(name, schema=schema, id=f"{round_}-{number}"))
        queries.append(None)
    return queries


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("block_rows", [1024, 4])
def test_results_in_order_as_screen_gives_them(
    settings: Settings,
    screener: Screener,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    block_rows: int,
) -> None:
    monkeypatch.setattr(parallel, "BLOCK_ROWS", block_rows)
    monkeypatch.setattr(parallel, "KEPT_RESULTS", 2)  # forget early: results must still come
    queries = rows()
    results = list(screen_many(settings, queries, workers=workers))
    assert len(results) == len(queries)
    for query, (matches, error) in zip(queries, results, strict=True):
        if query is None:
            assert matches is None and error == "no name"
            continue
        assert error is None
        expected = screener.screen(query)
        assert [(m.entity_id, m.score) for m in matches or []] == [
            (m.entity_id, m.score) for m in expected
        ]
    assert results[0][0], "Putin is listed"


def test_each_distinct_query_is_screened_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    screened: list[Query] = []
    real = parallel._screen_one

    def counting(args: tuple[Query, int, float | None]) -> parallel.ScreenResult:
        screened.append(args[0])
        return real(args)

    monkeypatch.setattr(parallel, "_screen_one", counting)
    monkeypatch.setattr(parallel, "BLOCK_ROWS", 3)
    progress: list[int] = []
    queries = rows()
    results = list(screen_many(settings, queries, workers=1, on_result=lambda: progress.append(1)))
    assert len(results) == len(progress) == len(queries)
    assert len(screened) == len(NAMES)  # the row ids differ, the queries do not
    assert parallel.query_key(screened[0]) == parallel.query_key(queries[6])  # type: ignore[arg-type]


class BrokenOnRosoboronexport:
    """A screener that fails on one name (the compiled Screener's methods cannot be
    patched, so it is wrapped)."""

    def __init__(self, screener: Screener) -> None:
        self.screener = screener

    @classmethod
    def open(cls, settings: Settings, config: object = None) -> BrokenOnRosoboronexport:
        return cls(Screener.open(settings))

    def screen(self, query: Query, **kwargs: Any) -> list[Match]:
        if query.names == ("Rosoboronexport",):
            raise ValueError("broken row")
        return self.screener.screen(query, **kwargs)


def test_a_failing_query_is_reported_on_its_row(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "Screener", BrokenOnRosoboronexport)
    queries = rows()
    results = list(screen_many(settings, queries, workers=1))
    for query, (matches, error) in zip(queries, results, strict=True):
        if query is not None and query.names == ("Rosoboronexport",):
            assert matches is None and error == "ValueError: broken row"
        elif query is not None:
            assert error is None and matches is not None


def test_encoded_results_are_the_matches_as_json(settings: Settings) -> None:
    queries = rows()
    plain = list(screen_many(settings, queries, workers=2))
    encoded = list(screen_many_encoded(settings, queries, workers=2))
    assert len(encoded) == len(plain)
    for (matches, error), (payload, encoded_error) in zip(plain, encoded, strict=True):
        assert encoded_error == error
        if matches is None:
            assert payload is None
            continue
        assert payload is not None
        assert json.loads(payload) == json.loads(json.dumps([m.to_dict() for m in matches]))
