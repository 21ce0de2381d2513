"""The project's example shipments file, end to end, on every real list.

``examples/shipments.csv`` (made by ``scripts/make_example_shipments.py``) holds
about 300 orders of designed kinds: listed parties under varied spellings, Entity
List and MEU entries, clean companies, CHPL goods to Russia, diversion countries
and safe ones, end users elsewhere, routes through embargoed countries, rows with
problems, unlisted names at listed addresses.  ``examples/shipments.expected.csv``
says what each row must get (risk and fired rule ids) from its design, and
``examples/shipments.expected_errors.csv`` which rows must go to the error file.

``redline batch`` runs once for the module, as ``make run`` does, over a store
holding every real list; the tests read what it wrote.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.goods.shipment import ROLES
from redline.match import Query, Screener
from redline.settings import Settings
from redline.store import Store
from tests.cli_home import cli_home

# The session fixture holding every real list (see tests/match/conftest.py).

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHIPMENTS = EXAMPLES / "shipments.csv"
EXPECTED = EXAMPLES / "shipments.expected.csv"
EXPECTED_ERRORS = EXAMPLES / "shipments.expected_errors.csv"


@dataclass(frozen=True)
class Expected:
    row_id: str
    risk: str
    rules: frozenset[str]
    design: str


@dataclass(frozen=True)
class Run:
    """What one ``redline batch`` run printed and wrote."""

    output: str
    rows: dict[str, dict[str, str]]
    errors: dict[str, dict[str, str]]
    report: Path
    settings: Settings


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_rows() -> dict[str, Expected]:
    return {
        row["row_id"]: Expected(
            row["row_id"],
            row["risk"],
            frozenset(filter(None, row["rules"].split(";"))),
            row["design"],
        )
        for row in read_csv(EXPECTED)
    }


@pytest.fixture(scope="module")
def run(
    loaded_store: Store,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Run]:
    """``redline batch examples/shipments.csv`` with a home of its own over the session store."""
    home = tmp_path_factory.mktemp("example_home")
    out = home / "out"
    with cli_home(home, loaded_store.url):
        result = CliRunner().invoke(
            app,
            [
                "batch",
                str(SHIPMENTS),
                "--output",
                str(out / "shipments.csv"),
                "--report",
                str(out / "report.html"),
                "--workers",
                "2",
            ],
        )
    assert result.exit_code == 0, result.output
    errors_file = out / "shipments.errors.csv"
    yield Run(
        output=result.output,
        rows={r["row_id"]: r for r in read_csv(out / "shipments.csv")},
        errors={r["row_id"]: r for r in read_csv(errors_file)} if errors_file.exists() else {},
        report=out / "report.html",
        settings=Settings(home=home, database_url=loaded_store.url),
    )


# --------------------------------------------------------------------------- messages


def describe(expected: Expected, row: dict[str, str], screener: Screener | None = None) -> str:
    """A disagreement: the row, its design, expected against actual, and why redline decided.

    With a ``screener``, a row that was designed to hit a listed party but got no
    party hit also shows the nearest listed names below the alert threshold."""
    actual = sorted(filter(None, row["rules"].split(";")))
    lines = [
        f"{expected.row_id}: {expected.design}",
        f"  expected {expected.risk:<6} {', '.join(sorted(expected.rules)) or '(no rule)'}",
        f"  actual   {row['risk']:<6} {', '.join(actual) or '(no rule)'}",
    ]
    if row["problems"]:
        lines.append(f"  problems: {row['problems']}")
    hits: list[dict[str, Any]] = json.loads(row["hits"] or "[]")
    if not hits:
        lines.append("  hits: none")
    for hit in hits:
        lines.append("  " + describe_hit(hit))
    designed_hit = {"party-listed", "party-russia-military-suppliers"} & expected.rules
    if screener is not None and designed_hit and not any(h["kind"] == "party" for h in hits):
        lines.extend(nearest(screener, row))
    return "\n".join(lines)


def nearest(screener: Screener, row: dict[str, str]) -> list[str]:
    """The best-scoring listed names for each party of ``row``, down to score 0.5."""
    lines: list[str] = []
    for role in ROLES:
        name = row.get(f"{role}_name", "")
        if not name:
            continue
        country = row.get(f"{role}_country") or None
        matches = screener.screen(Query.of(name, country=country), threshold=0.5, limit=2)
        for match in matches:
            lines.append(
                f"  below the threshold: {role} {name!r} ~ {match.caption!r}"
                f" ({match.entity_id}): {match.decision}, score {match.score:.4f}"
                f"\n      explanation: {explain(match.explanation)}"
            )
        if not matches:
            lines.append(f"  below the threshold: {role} {name!r}: no listed name scores 0.5")
    return lines


def describe_hit(hit: dict[str, Any]) -> str:
    if hit["kind"] == "goods":
        return (
            f"goods hit: HS {hit['hs_code']} on {hit['list']}"
            f" ({hit['matched']}, tier {hit['tier']})"
        )
    text = (
        f"party hit: {hit['role']} {hit['party']!r} ~ {hit['caption']!r}"
        f" ({hit['source']}, {hit['entity_id']}): {hit['decision']}, score {hit['score']}"
    )
    if "address_score" in hit:
        text += f", address score {hit['address_score']}"
    return text + "\n      explanation: " + explain(hit.get("explanation") or {})


def explain(explanation: dict[str, Any]) -> str:
    """The match explanation in one line: the listed name, name pairs, features."""
    parts: list[str] = []
    if explanation.get("matched_name"):
        parts.append(
            f"on {explanation.get('matched_property', 'name')} {explanation['matched_name']!r}"
        )
    name = explanation.get("name") or {}
    pairs = [
        f"{p['query']}~{p['listed']} {p['similarity']} ({p['how']})"
        for p in name.get("pairs", [])
        if isinstance(p, dict)
    ]
    if pairs:
        parts.append("words " + "; ".join(pairs))
    for side in ("unmatched_query", "unmatched_listed"):
        if name.get(side):
            parts.append(f"{side.replace('_', ' ')} {name[side]}")
    if explanation.get("transformations"):
        parts.append("after " + ", ".join(map(str, explanation["transformations"])))
    for key, feature in (explanation.get("features") or {}).items():
        if isinstance(feature, dict):
            parts.append(f"{key}: {feature.get('detail')} ({feature.get('contribution')})")
        else:
            parts.append(f"{key} score {feature}")
    if "address" in explanation:
        address = explanation["address"]
        parts.append(f"address {address.get('listed')!r} similarity {address.get('similarity')}")
    return " | ".join(parts) or json.dumps(explanation, ensure_ascii=False)


# --------------------------------------------------------------------------- tests


def test_expected_files_cover_every_row_once() -> None:
    """Guards the example itself: each input row is expected once, screened or in error."""
    ids = [row["row_id"] for row in read_csv(SHIPMENTS)]
    screened = [row["row_id"] for row in read_csv(EXPECTED)]
    errors = [row["row_id"] for row in read_csv(EXPECTED_ERRORS)]
    assert len(ids) == len(set(ids)) >= 250
    assert sorted(screened + errors) == sorted(ids)
    expected = expected_rows().values()
    assert {e.risk for e in expected} == {"block", "review", "clear"}
    kinds = {e.design[0] for e in expected}
    assert kinds == set("abcdefgh"), kinds


def test_every_row_gets_its_designed_verdict(run: Run) -> None:
    expected = expected_rows()
    assert set(run.rows) == set(expected), (
        f"rows missing from the output: {sorted(set(expected) - set(run.rows))}; "
        f"rows not expected: {sorted(set(run.rows) - set(expected))}"
    )
    wrong = [
        row_id
        for row_id, want in expected.items()
        if run.rows[row_id]["risk"] != want.risk
        or frozenset(filter(None, run.rows[row_id]["rules"].split(";"))) != want.rules
    ]
    # The index the command built and saved in the home; loaded only to explain failures.
    screener = Screener.open(run.settings) if wrong else None
    failures = [describe(expected[row_id], run.rows[row_id], screener) for row_id in wrong]
    assert not failures, (
        f"{len(failures)} of {len(expected)} rows differ from their design:\n\n"
        + "\n\n".join(failures)
    )


def test_rows_without_a_party_go_to_the_error_file(run: Run) -> None:
    wanted = {row["row_id"]: row["reason"] for row in read_csv(EXPECTED_ERRORS)}
    assert set(run.errors) == set(wanted), (
        f"error file rows {sorted(run.errors)}, expected {sorted(wanted)}"
    )
    for row_id, fragment in wanted.items():
        reason = run.errors[row_id]["reason"]
        assert fragment in reason, f"{row_id}: error reason {reason!r} lacks {fragment!r}"
    assert not set(run.errors) & set(run.rows), "a row is both screened and in the error file"


def test_counts_reconcile(run: Run) -> None:
    rows_in = len(read_csv(SHIPMENTS))
    assert rows_in == len(run.rows) + len(run.errors)
    summary = (
        f"rows in: {rows_in} = rows out: {len(run.rows)} + rows in error file: {len(run.errors)}"
    )
    assert summary in run.output, run.output


def test_report_is_written(run: Run) -> None:
    html = run.report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "shipments.csv" in html
    rows_in = len(run.rows) + len(run.errors)
    assert f"rows in: {rows_in} = rows out: {len(run.rows)}" in html
    shown = set(re.findall(r"SH-\d{4}", html))
    assert set(run.rows) | set(run.errors) <= shown
