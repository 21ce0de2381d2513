"""The Spark engine gives exactly the local engine's verdicts, row for row, on the real lists.

One small shipments file (listed parties taken from the store, clean parties, CHPL
goods to Russia, Hong Kong and Germany, unknown countries, malformed HS codes) goes
through :func:`run_local` with two worker processes and through :func:`run_spark`
on ``local[2]``; then the ``redline batch`` command does the same with
``--engine local`` and ``--engine spark``.  One Spark session serves the module.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from typer.testing import CliRunner

from redline.batch.engine import ShipmentScreener, run_local
from redline.batch.reader import open_shipments
from redline.batch.spark import run_spark, spark_session
from redline.cli import app, state
from redline.goods.shipment import Verdict
from redline.match import Screener
from redline.match.index import IndexedEntity
from redline.settings import Settings
from redline.store import Store

from .conftest import write_csv

pytestmark = pytest.mark.slow

COLUMNS = (
    "row_id",
    "buyer_name",
    "buyer_country",
    "buyer_address",
    "consignee_name",
    "consignee_country",
    "end_user_name",
    "end_user_country",
    "end_user_address",
    "hs_code",
    "description",
    "origin_country",
    "transit_countries",
    "destination_country",
)
#: Real, unlisted companies (from bench/negatives.py).
CLEAN = (
    ("Arrow Electronics, Inc.", "US"),
    ("Rutronik Elektronische Bauelemente GmbH", "DE"),
    ("Würth Elektronik GmbH & Co. KG", "DE"),
    ("Macnica, Inc.", "JP"),
    ("WPG Holdings Limited", "TW"),
    ("Excelpoint Technology Ltd", "SG"),
    ("Mouser Electronics, Inc.", "US"),
    ("Ingram Micro Inc.", "US"),
)
CHPL = ("8542.31", "8542.32", "8517.62", "8471.50")
PLAIN_GOODS = ("9403.60", "6109.10", "0901.21")
MASTER = "local[2]"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def settings(loaded_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home of its own holding a copy of the session store (the index is built there)."""
    home = tmp_path_factory.mktemp("spark_home")
    source = sqlite3.connect(loaded_store.url.removeprefix("sqlite:///"))
    target = sqlite3.connect(home / "redline.sqlite3")
    try:
        source.backup(target)  # consistent even with the store's WAL
    finally:
        target.close()
        source.close()
    return Settings(home=home)


@pytest.fixture(scope="module")
def screener(settings: Settings) -> ShipmentScreener:
    """Builds and saves the name index in the home once; Spark's workers open it."""
    return ShipmentScreener(Screener.open(settings))


def _listed(screener: ShipmentScreener) -> dict[str, list[IndexedEntity]]:
    """Listed entities the file uses, picked the same way on every run."""
    entities = sorted(screener.screener.index.entities, key=lambda e: e.entity_id)
    hk = [
        e
        for e in entities
        if e.source == "us_ofac_sdn"
        and e.schema != "Person"
        and "hk" in e.countries
        and any("Hong Kong" in a for a in e.addresses)
    ]
    programs = [e for e in entities if {"EL", "MEU"} & set(e.programs)]
    return {"hk": hk[:15], "el_meu": programs}


def _rows(screener: ShipmentScreener) -> list[list[str]]:
    listed = _listed(screener)
    hk, el_meu = listed["hk"], listed["el_meu"]
    assert len(hk) >= 15, "expected OFAC SDN entries with Hong Kong addresses"
    assert el_meu, "expected EL or MEU entries in us_trade_csl"
    rows: list[list[str]] = []

    def add(**values: str) -> None:
        row_id = f"S{len(rows) + 1:03d}"
        rows.append([row_id if c == "row_id" else values.get(c, "") for c in COLUMNS])

    def hk_address(entity: IndexedEntity) -> str:
        return next(a for a in entity.addresses if "Hong Kong" in a)

    # Listed buyers in Hong Kong, with their listed address, buying CHPL and other goods.
    for i, entity in enumerate(hk[:10]):
        add(
            buyer_name=entity.caption,
            buyer_country="HK",
            buyer_address=hk_address(entity),
            consignee_name=CLEAN[i % len(CLEAN)][0],
            consignee_country="HK",
            hs_code=(CHPL + PLAIN_GOODS)[i % 7],
            description="goods",
            origin_country="CN",
            destination_country=("HK", "RU", "DE")[i % 3],
        )
    # Other such names as consignees, spelt differently (lower case, no punctuation).
    for i, entity in enumerate(hk[10:15]):
        add(
            buyer_name=CLEAN[i % len(CLEAN)][0],
            buyer_country=CLEAN[i % len(CLEAN)][1],
            consignee_name=entity.caption.lower().replace(",", "").replace(".", ""),
            consignee_country="Hong Kong",
            hs_code=CHPL[i % len(CHPL)],
            origin_country="DE",
            transit_countries="AE;TR",
            destination_country="KZ",
        )
    # The same names with a typo (two letters swapped) as end users in Russia.
    for entity in hk[:4]:
        name = entity.caption
        cut = len(name) // 2
        add(
            buyer_name="Kolibri Components Limited",
            buyer_country="AE",
            end_user_name=name[: cut - 1] + name[cut] + name[cut - 1] + name[cut + 1 :],
            end_user_country="RU",
            hs_code=CHPL[0],
            origin_country="CN",
            transit_countries="AE",
            destination_country="AE",
        )
    # Unlisted names at a listed address.
    for i, entity in enumerate(hk[:4]):
        add(
            buyer_name=f"Bright Harbour Trading {i + 1} Limited",
            buyer_country="HK",
            buyer_address=hk_address(entity),
            hs_code="8542.31",
            origin_country="TW",
            destination_country="HK",
        )
    # Entity List and Military End User entries as end users.
    for entity in el_meu:
        country = sorted(entity.countries)[0].upper() if entity.countries else "CN"
        for destination in ("CN", "HK"):
            add(
                buyer_name="Kolibri Components Limited",
                buyer_country="HK",
                end_user_name=entity.caption,
                end_user_country=country,
                hs_code="8542.31",
                origin_country="US",
                transit_countries="SG",
                destination_country=destination,
            )
    # Clean parties: CHPL goods to Russia (directly and via Kazakhstan), Hong Kong, Germany.
    for i, (name, country) in enumerate(CLEAN):
        for j, destination in enumerate(("RU", "HK", "DE")):
            add(
                buyer_name=name,
                buyer_country=country,
                consignee_name=CLEAN[(i + 1) % len(CLEAN)][0],
                consignee_country=destination,
                end_user_name=CLEAN[(i + 2) % len(CLEAN)][0] if j == 2 else "",
                end_user_country="FR" if j == 2 else "",
                hs_code=CHPL[(i + j) % len(CHPL)] if i % 2 == 0 else PLAIN_GOODS[j],
                origin_country=country,
                transit_countries="KZ" if destination == "RU" and i % 3 == 0 else "",
                destination_country=destination,
            )
    # Unknown countries and malformed HS codes: screened on what could be read.
    for hs_code, buyer_country, transit, destination in (
        ("85A2.31", "DE", "", "HK"),
        ("12", "Narnia", "", "DE"),
        ("9999.99.99.99.99", "US", "Atlantis;BY", "KZ"),
        ("8542.31", "XX", "", "Mordor"),
        ("", "HK", "", "RU"),
        ("8542.31", "HK", "", ""),
    ):
        add(
            buyer_name=hk[0].caption if buyer_country == "HK" else CLEAN[len(rows) % 8][0],
            buyer_country=buyer_country,
            hs_code=hs_code,
            origin_country="CN",
            transit_countries=transit,
            destination_country=destination,
        )
    # A row with no party at all goes to the error file, whatever the engine.
    add(hs_code="8542.31", destination_country="RU")
    return rows


@pytest.fixture(scope="module")
def shipments_file(screener: ShipmentScreener, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shipments") / "shipments.csv"
    return write_csv(path, [list(COLUMNS), *_rows(screener)])


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One quiet local Spark session for the whole module (``run_spark`` reuses it)."""
    session, started = spark_session(MASTER)
    assert started, "a Spark session was already running"
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def local_verdicts(screener: ShipmentScreener, shipments_file: Path) -> list[Verdict]:
    with open_shipments(shipments_file) as reader:
        return list(run_local(screener, reader, workers=2))


@pytest.fixture(scope="module")
def spark_verdicts(settings: Settings, shipments_file: Path, spark: Any) -> list[Verdict]:
    with open_shipments(shipments_file) as reader:
        # More partitions than cores: the order must survive several of them.
        return list(run_spark(settings, reader, master=MASTER, partitions=3))


# --------------------------------------------------------------------------- helpers


def summary(verdict: Verdict) -> dict[str, Any]:
    """What a reviewer reads of a verdict, field by field."""
    return {
        "row_id": verdict.shipment.row_id,
        "line": verdict.shipment.line,
        "risk": verdict.risk,
        "rules": [(r.rule_id, r.severity, r.detail) for r in verdict.rules],
        "party_hits": [
            (h.role, h.party_name, h.entity_id, h.score, h.decision, h.address_score)
            for h in verdict.party_hits
        ],
        "goods_hits": [
            (g.list_name, g.hs_code, g.matched_prefix, g.tier) for g in verdict.goods_hits
        ],
        "problems": verdict.shipment.problems,
    }


# --------------------------------------------------------------------------- tests


def test_file_exercises_every_kind_of_row(local_verdicts: list[Verdict]) -> None:
    """Guards the comparison below: the file must raise every kind of outcome."""
    assert len(local_verdicts) >= 55
    fired = {r.rule_id for v in local_verdicts for r in v.rules}
    assert {
        "party-listed",
        "party-russia-military-suppliers",
        "party-address-listed",
        "chpl-to-embargoed",
        "chpl-to-high-diversion-risk",
        "route-via-embargoed",
        "end-user-country-mismatch",
        "row-problems",
    } <= fired
    risks = {v.risk for v in local_verdicts}
    assert risks == {"block", "review", "clear"}
    assert any(h.decision == "match" for v in local_verdicts for h in v.party_hits)
    assert any(v.goods_hits for v in local_verdicts)


def test_spark_gives_the_local_verdicts_row_for_row(
    local_verdicts: list[Verdict], spark_verdicts: list[Verdict]
) -> None:
    assert [v.shipment.row_id for v in spark_verdicts] == [
        v.shipment.row_id for v in local_verdicts
    ]
    for local, remote in zip(local_verdicts, spark_verdicts, strict=True):
        assert summary(remote) == summary(local)
        assert remote == local  # explanations, topics, programmes, columns too


def test_cli_spark_writes_the_local_csv(
    settings: Settings,
    shipments_file: Path,
    spark: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDLINE_HOME", str(settings.home))
    for name in ("REDLINE_CONFIG", "REDLINE_DATABASE_URL", "REDLINE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    state.settings = None
    runner = CliRunner()
    outputs: dict[str, Path] = {}
    for engine, extra in (
        ("local", ["--workers", "2"]),
        ("spark", ["--spark-master", MASTER]),
    ):
        out = tmp_path / engine / "out.csv"
        result = runner.invoke(
            app,
            ["batch", str(shipments_file), "--output", str(out), "--engine", engine, *extra],
        )
        assert result.exit_code == 0, result.output
        outputs[engine] = out
    state.settings = None
    local = outputs["local"].read_text(encoding="utf-8")
    assert outputs["spark"].read_text(encoding="utf-8") == local
    with outputs["local"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(_rows_with_parties(shipments_file))
    assert {r["risk"] for r in rows} == {"block", "review", "clear"}
    errors = {
        e: p.with_name("out.errors.csv").read_text(encoding="utf-8") for e, p in outputs.items()
    }
    assert errors["spark"] == errors["local"]
    # The command used the module's session and left it running.
    assert SparkSession.getActiveSession() is not None


def _rows_with_parties(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            r
            for r in csv.DictReader(handle)
            if any(r[f"{role}_name"] for role in ("buyer", "consignee", "end_user"))
        ]
