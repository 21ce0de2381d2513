"""Writing screened rows and the error file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from redline.batch.reader import RowError, open_shipments
from redline.batch.writers import (
    XLSX_CELL_LIMIT,
    OutputError,
    VerdictWriter,
    write_errors,
    write_verdicts,
)
from redline.goods.shipment import Verdict

from .conftest import goods_hit, party_hit, verdict, write_csv

COLUMNS = ["row_id", "buyer_name", "destination_country", "hs_code"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_every_row_with_all_input_columns_and_results(
    tmp_path: Path, verdicts: list[Verdict]
) -> None:
    out = tmp_path / "out.csv"
    assert write_verdicts(out, verdicts, COLUMNS) == 5
    with out.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [*COLUMNS, "risk", "rules", "hits", "problems"]
    rows = read_csv(out)
    assert [r["row_id"] for r in rows] == ["R1", "R2", "R3", "R4", "R5"]
    for row, v in zip(rows, verdicts, strict=True):
        for column in COLUMNS:
            assert row[column] == v.shipment.columns[column]
        assert row["risk"] == v.risk
    first = rows[0]
    assert first["rules"] == "party.sanctioned;goods.chpl"
    hits = json.loads(first["hits"])
    assert hits[0] == {
        "kind": "party",
        "role": "buyer",
        "party": "Acme Trading LLC",
        "entity_id": "ofac-12345",
        "source": "us_ofac_sdn",
        "schema": "Company",
        "caption": "ACME TRADING LLC",
        "score": 0.97,
        "decision": "match",
        "explanation": {"name": {"score": 0.97, "matched": "ACME TRADING LLC"}},
        "programs": ["RUSSIA-EO14024"],
    }
    assert hits[1]["kind"] == "goods"
    assert (hits[1]["list"], hits[1]["tier"]) == ("CHPL", "1")
    assert rows[1]["problems"] == "transit_countries: unknown country 'Narnia'"
    assert rows[2]["rules"] == "" and json.loads(rows[2]["hits"]) == []


def test_rule_ids_are_listed_once(tmp_path: Path) -> None:
    v = verdict(
        "X", risk="block", rules=(("party.sanctioned", "block"), ("party.sanctioned", "block"))
    )
    out = tmp_path / "out.csv"
    write_verdicts(out, [v], COLUMNS)
    assert read_csv(out)[0]["rules"] == "party.sanctioned"


def test_jsonl_keeps_lists_as_lists(tmp_path: Path, verdicts: list[Verdict]) -> None:
    out = tmp_path / "out.jsonl"
    write_verdicts(out, verdicts, COLUMNS)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5
    assert list(records[0]) == [*COLUMNS, "risk", "rules", "hits", "problems"]
    assert records[0]["rules"] == ["party.sanctioned", "goods.chpl"]
    assert records[0]["hits"][0]["entity_id"] == "ofac-12345"
    assert records[1]["problems"] == ["transit_countries: unknown country 'Narnia'"]
    assert records[3]["buyer_name"].startswith("<script>")


def test_xlsx_round_trip_is_text_only(tmp_path: Path) -> None:
    columns = ["row_id", "buyer_name", "note"]
    v1 = verdict(
        "1", columns={"row_id": "1", "buyer_name": '=HYPERLINK("http://x")', "note": "a\x01b"}
    )
    big = tuple(party_hit("buyer", "Harmless GmbH", caption="X" * 400) for _ in range(100))
    v2 = verdict(
        "2", risk="review", party_hits=big, columns={"row_id": "2", "buyer_name": "B", "note": ""}
    )
    out = tmp_path / "out.xlsx"
    write_verdicts(out, [v1, v2], columns)
    book = openpyxl.load_workbook(out)
    sheet = book.active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [*columns, "risk", "rules", "hits", "problems"]
    formula_cell = rows[1][1]
    assert formula_cell.value == '=HYPERLINK("http://x")'
    assert formula_cell.data_type == "s"  # text, never a formula
    assert rows[1][2].value == "a\ufffdb"  # control character replaced, file still valid
    hits = rows[2][5].value
    assert len(hits) == XLSX_CELL_LIMIT and hits.endswith("[truncated]")
    assert sheet.auto_filter.ref == "A1:G3"


def test_result_columns_do_not_overwrite_input_columns(tmp_path: Path) -> None:
    columns = ["row_id", "buyer_name", "risk"]
    v = verdict(
        "1", risk="block", columns={"row_id": "1", "buyer_name": "A", "risk": "low (our own)"}
    )
    out = tmp_path / "out.csv"
    write_verdicts(out, [v], columns)
    [row] = read_csv(out)
    assert row["risk"] == "low (our own)"
    assert row["redline_risk"] == "block"
    assert "rules" in row


def test_failed_write_leaves_nothing_behind(tmp_path: Path, verdicts: list[Verdict]) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous run\n", encoding="utf-8")

    def failing() -> Iterator[Verdict]:
        yield verdicts[0]
        raise RuntimeError("screening failed half-way")

    for fmt in ("csv", "jsonl", "xlsx"):
        with pytest.raises(RuntimeError, match="half-way"):
            write_verdicts(out, failing(), COLUMNS, fmt)
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_unknown_format_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"use \.csv, \.jsonl or \.xlsx"):
        VerdictWriter(tmp_path / "out.txt", COLUMNS)
    with pytest.raises(OutputError, match="does not exist"):
        VerdictWriter(tmp_path / "no" / "out.csv", COLUMNS)


def test_error_file(tmp_path: Path) -> None:
    columns = ["row_id", "line", "buyer_name"]
    errors = [
        RowError(
            3, "7", "no party name in any role", {"row_id": "7", "line": "x", "buyer_name": ""}
        ),
        RowError(9, "9", "broken CSV line 9: ...", {"row_id": "9"}, raw='9,"bad"q'),
    ]
    out = tmp_path / "errors.csv"
    assert write_errors(out, errors, columns) == 2
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "line",
        "row_id",
        "reason",
        "input_row_id",
        "input_line",
        "buyer_name",
        "raw_line",
    ]
    assert rows[1] == ["3", "7", "no party name in any role", "7", "x", "", ""]
    assert rows[2] == ["9", "9", "broken CSV line 9: ...", "9", "", "", '9,"bad"q']


def test_rows_in_equal_rows_out_plus_error_rows(tmp_path: Path) -> None:
    """Read a file with good, bad-value and unusable rows; write both files; count."""
    source = write_csv(
        tmp_path / "in.csv",
        [
            ["row_id", "buyer_name", "buyer_country", "hs_code", "extra"],
            ["1", "Acme", "DE", "8542", "a"],
            ["2", "", "DE", "8542", "b"],
            ["3", "Beta", "Narnia", "85A2", "c"],
            ["4", "Gamma", "FR", "8542", "d", "stray"],
            ["5", "Delta", "US", "8542.31", "e"],
        ],
    )
    reader = open_shipments(source)
    out, err = tmp_path / "out.csv", tmp_path / "errors.csv"
    with reader, VerdictWriter(out, reader.columns) as writer:
        for shipment in reader:
            hits = (goods_hit(),) if shipment.goods.hs_code else ()
            writer.write(
                Verdict(shipment=shipment, risk="clear", rules=(), party_hits=(), goods_hits=hits)
            )
    write_errors(err, reader.errors, reader.columns)
    rows_out = read_csv(out)
    rows_err = read_csv(err)
    assert reader.counts.rows_in == 5
    assert len(rows_out) + len(rows_err) == reader.counts.rows_in
    assert [r["row_id"] for r in rows_out] == ["1", "3", "5"]
    assert [r["row_id"] for r in rows_err] == ["2", "4"]
    assert [r["extra"] for r in rows_out] == ["a", "c", "e"]
    assert rows_out[1]["problems"].startswith("buyer_country: unknown country 'Narnia'; hs_code:")


def test_results_get_ordinary_file_permissions(tmp_path: Path) -> None:
    import os

    from redline.batch.writers import atomic_path

    target = tmp_path / "out.csv"
    with atomic_path(target) as temp:
        temp.write_text("x\n", encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
