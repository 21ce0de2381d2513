"""Reading shipment files: formats, normalisation, bad rows kept or errored, bad files stopped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from redline.batch.mapping import Mapping, MappingError
from redline.batch.reader import (
    InputError,
    RowError,
    ShipmentReader,
    open_shipments,
    read_shipments,
    read_table,
)
from redline.goods.shipment import Party, Shipment

from .conftest import write_csv

HEADER = [
    "row_id",
    "buyer_name",
    "buyer_country",
    "buyer_address",
    "consignee_name",
    "consignee_country",
    "hs_code",
    "description",
    "quantity",
    "value",
    "currency",
    "origin_country",
    "transit_countries",
    "destination_country",
]
GOOD_ROW = [
    "A1",
    "Acme Trading LLC",
    "Germany",
    "1 Main St, Berlin",
    "Kolibri Logistics",
    "KG",
    "8542.31.00",
    "processors",
    "100",
    "2500.00",
    "EUR",
    "de",
    "Turkey; Kazakhstan",
    "Russian Federation",
]


def read_all(path: Path, mapping: Mapping | None = None) -> tuple[list[Shipment], ShipmentReader]:
    reader = open_shipments(path, mapping)
    with reader:
        shipments = list(reader)
    assert reader.counts.reconciled, reader.counts.summary()
    return shipments, reader


def test_csv_row_is_read_and_normalised(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_ROW])
    [shipment], reader = read_all(path)
    assert shipment.row_id == "A1"
    assert shipment.line == 2
    assert shipment.parties == (
        Party("buyer", "Acme Trading LLC", "de", "1 Main St, Berlin"),
        Party("consignee", "Kolibri Logistics", "kg", None),
    )
    assert shipment.goods.hs_code == "85423100"
    assert shipment.goods.description == "processors"
    assert shipment.goods.value == "2500.00"
    assert shipment.goods.currency == "EUR"
    assert shipment.route.origin == "de"
    assert shipment.route.transit == ("tr", "kz")
    assert shipment.route.destination == "ru"
    assert shipment.problems == ()
    # Every input value is kept as written.
    assert shipment.columns == dict(zip(HEADER, GOOD_ROW, strict=True))
    assert reader.columns == HEADER
    assert reader.errors == []
    assert (reader.counts.rows_in, reader.counts.rows_out, reader.counts.errors) == (1, 1, 0)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_is_sniffed_and_bom_dropped(tmp_path: Path, delimiter: str) -> None:
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_ROW], delimiter=delimiter)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    columns, rows = read_table(path)
    assert columns == HEADER  # no BOM glued to "row_id"
    [row] = list(rows)
    assert row.values["transit_countries"] == "Turkey; Kazakhstan"
    assert row.error is None


def test_bad_values_are_kept_with_their_reason(tmp_path: Path) -> None:
    rows = [
        HEADER,
        # unknown country, malformed HS code
        ["B1", "Acme", "Narnia", "", "", "", "85A2", "", "", "", "", "", "", "CN"],
        # consignee country without a name; unknown transit country; empty HS code
        [
            "B2",
            "Acme",
            "de",
            "",
            "",
            "Kyrgyzstan",
            "",
            "",
            "",
            "",
            "",
            "xx",
            "Turkey;Atlantis",
            "KG",
        ],
        # duplicate row id, empty destination
        ["B1", "Other", "", "", "", "", "8542", "", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    shipments, reader = read_all(path)
    assert reader.errors == []
    assert [s.row_id for s in shipments] == ["B1", "B2", "B1"]
    b1, b2, b1_again = shipments

    assert b1.parties == (Party("buyer", "Acme", None, None),)
    assert b1.goods.hs_code is None
    assert b1.route.destination == "cn"
    assert b1.problems[0] == "buyer_country: unknown country 'Narnia'"
    assert b1.problems[1].startswith("hs_code: HS code '85A2' is malformed")
    assert len(b1.problems) == 2

    assert b2.parties == (Party("buyer", "Acme", "de", None),)
    assert b2.route.transit == ("tr",)
    assert b2.route.origin is None
    assert set(b2.problems) == {
        "consignee_name: empty, but the consignee country is given",
        "hs_code: empty, goods not checked against control lists",
        "origin_country: unknown country 'xx'",
        "transit_countries: unknown country 'Atlantis'",
    }

    assert set(b1_again.problems) == {
        "row_id: 'B1' also used on line 2",
        "destination_country: empty",
    }


def test_unusable_rows_go_to_the_error_stream(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        "row_id,buyer_name,buyer_country,hs_code,destination_country\n"
        "1,Good One,DE,8542,CN\n"
        "2,,DE,8542,CN\n"  # no party name
        "3,Too,many,fields,here,extra\n"  # more fields than the header
        "\n"  # blank: skipped, not a row
        "4,Short\n"  # fewer fields than the header
        '5,"Bad"quote,DE,8542,CN\n'  # bad quoting
        '6,"Multi\nline name",US,8542.31,HK\n'  # fine: a quoted newline
        "7,Trailing,DE,8542,CN,,\n"  # fine: extra fields are empty
        '8,"Unterminated,DE,8542,CN\n'
        "9,Swallowed,DE,8542,CN\n",
        encoding="utf-8",
    )
    errors: list[RowError] = []
    shipments = list(read_shipments(path, errors=errors))
    assert [(s.row_id, s.line) for s in shipments] == [("1", 2), ("6", 8), ("7", 10)]
    assert shipments[1].parties[0].name == "Multi\nline name"
    by_id = {e.row_id: e for e in errors}
    assert list(by_id) == ["2", "3", "4", "5", "8"]
    assert by_id["2"].reason == "no party name in any role: column 'buyer_name' is empty"
    assert by_id["2"].line == 3
    assert by_id["2"].columns["buyer_country"] == "DE"
    assert by_id["3"].reason.startswith("broken CSV line 4: 6 fields where the header has 5")
    assert by_id["3"].raw == "3,Too,many,fields,here,extra"
    assert by_id["4"].reason.startswith("broken CSV line 6: 2 fields where the header has 5")
    assert by_id["5"].reason.startswith("broken CSV line 7:")
    assert by_id["5"].raw == '5,"Bad"quote,DE,8542,CN'
    assert by_id["8"].reason == "broken CSV lines 11-12: unexpected end of data"
    assert "9,Swallowed" in (by_id["8"].raw or "")


def test_counts_reconcile_and_blank_rows_are_counted_apart(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "buyer_name,hs_code\nA,8542\n,8542\n\n,,\nB,85A2\n\n",
        encoding="utf-8",
    )
    _, reader = read_all(path)
    counts = reader.counts
    assert (counts.rows_in, counts.rows_out, counts.errors, counts.blank) == (3, 2, 1, 3)
    assert counts.summary() == (
        "rows in: 3 = rows out: 2 + rows in error file: 1 (blank rows skipped: 3)"
    )


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_csv_stops(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty: no header row"):
        open_shipments(path)


def test_header_only_csv_has_no_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "header.csv", [HEADER])
    shipments, reader = read_all(path)
    assert shipments == []
    assert reader.counts.rows_in == 0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothere\.csv: no such file"):
        open_shipments(tmp_path / "nothere.csv")


def test_misspelt_mapped_column_stops_before_any_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [["Order", "Customer", "Tariff"], ["1", "A", "8542"]])
    mapping = Mapping.from_options({"buyer_name": "Custmer", "hs_code": "Tariff"})
    with pytest.raises(MappingError) as caught:
        open_shipments(path, mapping)
    message = str(caught.value)
    assert message.startswith(f"{path}: the mapping does not fit the file")
    assert "buyer_name: column 'Custmer' not found (did you mean 'Customer'?)" in message
    assert "columns found (3): 'Order', 'Customer', 'Tariff'" in message


def test_default_convention_miss_stops_before_any_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [["id", "customer"], ["1", "A"]])
    with pytest.raises(MappingError, match="no party name column") as caught:
        open_shipments(path)
    assert "columns found (2): 'id', 'customer'" in str(caught.value)


def test_custom_mapping_and_transit_separator(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            ["Nr", "Kunde", "Land", "Via", "Nach", "HS"],
            ["7", "Acme", "Ruritania", "Armenia|ge", "IR", "85 42 31"],
        ],
    )
    mapping = Mapping.from_dict(
        {
            "row_id": "Nr",
            "transit_separator": "|",
            "parties": {"buyer": {"name": "Kunde", "country": "Land"}},
            "route": {"transit": "Via", "destination": "Nach"},
            "goods": {"hs_code": "HS"},
        }
    )
    [shipment], _ = read_all(path, mapping)
    assert shipment.row_id == "7"
    # Reported with the field and the file's own column name.
    assert shipment.problems == ("buyer_country (Land): unknown country 'Ruritania'",)
    assert shipment.route.transit == ("am", "ge")
    assert shipment.route.destination == "ir"
    assert shipment.goods.hs_code == "854231"


def test_duplicate_header_names_stop(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dup.csv", [["buyer_name", "note", "note"], ["A", "x", "y"]])
    with pytest.raises(InputError, match=r"duplicate column name\(s\) 'note'; columns found"):
        open_shipments(path)


def test_not_utf8_stops_unless_the_encoding_is_given(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("buyer_name,buyer_country\nMüller GmbH,Österreich\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"latin\.csv: line 2: not readable as utf-8-sig text"):
        open_shipments(path)
    mapping = Mapping.from_options({"buyer_name": "buyer_name"}, encoding="cp1252")
    [shipment], _ = read_all(path, mapping)
    assert shipment.parties[0].name == "Müller GmbH"


# -- XLSX -----------------------------------------------------------------------


def make_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_round_trip_with_numbers_dates_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(
        [
            "row_id",
            "buyer_name",
            "buyer_country",
            "hs_code",
            "value",
            "shipped",
            "destination_country",
        ]
    )
    sheet.append([101, "Acme", "Germany", 854231, 2500.5, dt.datetime(2024, 3, 1), "CN"])
    sheet.cell(row=5, column=1, value=102)  # rows 3 and 4 are missing
    sheet.cell(row=5, column=2, value="Beta")
    sheet.cell(row=5, column=4, value=8542.0)
    book.save(path)

    shipments, reader = read_all(path)
    first, second = shipments
    assert reader.table.sheet == "Orders"
    assert (first.row_id, first.line) == ("101", 2)
    assert first.columns["hs_code"] == "854231"
    assert first.columns["value"] == "2500.5"
    assert first.columns["shipped"] == "2024-03-01"
    assert first.goods.hs_code == "854231"
    assert first.parties == (Party("buyer", "Acme", "de", None),)
    assert (second.row_id, second.line) == ("102", 5)
    assert second.goods.hs_code == "8542"
    assert reader.counts.blank == 2


def test_xlsx_with_several_sheets_stops_listing_them(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "multi.xlsx",
        {
            "Q1": [["buyer_name"], ["A"]],
            "Q2": [["buyer_name"], ["B"]],
            "Notes": [],
        },
    )
    with pytest.raises(InputError) as caught:
        open_shipments(path)
    message = str(caught.value)
    assert "the workbook has 2 sheets with data" in message
    assert "Sheets: 'Q1', 'Q2', 'Notes' (empty)" in message

    [shipment], reader = read_all(
        path, Mapping.from_options({"buyer_name": "buyer_name"}, sheet="q2")
    )
    assert shipment.parties[0].name == "B"
    assert reader.table.sheet == "Q2"

    with pytest.raises(InputError, match="no sheet named 'Q3'; sheets: 'Q1', 'Q2', 'Notes'"):
        open_shipments(path, Mapping.from_options({"buyer_name": "buyer_name"}, sheet="Q3"))


def test_xlsx_with_one_data_sheet_among_empty_ones_reads_it(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "one.xlsx", {"Sheet1": [], "Data": [["buyer_name"], ["A"]], "Sheet3": []}
    )
    [shipment], reader = read_all(path)
    assert reader.table.sheet == "Data"
    assert shipment.parties[0].name == "A"


def test_xlsx_values_right_of_the_header_are_an_error_row(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "wide.xlsx",
        {"S": [["buyer_name", "hs_code"], ["A", "8542", "stray"], ["B", "8542"]]},
    )
    shipments, reader = read_all(path)
    assert [s.parties[0].name for s in shipments] == ["B"]
    [error] = reader.errors
    assert error.line == 2
    assert error.reason == "values in column(s) C, right of the last header column"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", r"bad\.xlsx: the file is empty \(0 bytes\): not an XLSX workbook"),
        (b"this is not a zip file", r"bad\.xlsx: not a readable XLSX workbook"),
    ],
)
def test_broken_xlsx_stops(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        open_shipments(path)


def test_xlsx_empty_sheet_stops(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "blank.xlsx", {"Only": []})
    with pytest.raises(InputError, match="sheet 'Only' is empty: no header row"):
        open_shipments(path)


# -- Parquet --------------------------------------------------------------------


def test_parquet_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    table = pa.table(
        {
            "row_id": pa.array([1, 2, 3], pa.int64()),
            "buyer_name": ["Acme", None, "Gamma"],
            "buyer_country": ["DE", "FR", "Narnia"],
            "hs_code": ["8542.31", "8542", "854231"],
            "value": pa.array([1.5, None, 3.0]),
            "destination_country": ["China", "CN", "HK"],
        }
    )
    pq.write_table(table, path)
    shipments, reader = read_all(path)
    assert reader.columns == [
        "row_id",
        "buyer_name",
        "buyer_country",
        "hs_code",
        "value",
        "destination_country",
    ]
    assert [(s.row_id, s.line) for s in shipments] == [("1", 1), ("3", 3)]
    assert shipments[0].route.destination == "cn"
    assert shipments[0].columns["value"] == "1.5"
    assert shipments[1].columns["value"] == "3"
    assert shipments[1].problems == ("buyer_country: unknown country 'Narnia'",)
    [error] = reader.errors
    assert (error.row_id, error.line) == ("2", 2)
    assert error.reason.startswith("no party name in any role")


def test_zero_byte_parquet_stops_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    path.write_bytes(b"")
    with pytest.raises(
        InputError, match=r"empty\.parquet: the file is empty \(0 bytes\): not a Parquet file"
    ):
        open_shipments(path)


def test_corrupt_parquet_stops_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.parquet"
    path.write_bytes(b"PAR1 definitely not parquet")
    with pytest.raises(InputError, match=r"corrupt\.parquet: not a readable Parquet file"):
        open_shipments(path)


def test_format_is_sniffed_when_the_suffix_says_nothing(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    pq.write_table(pa.table({"buyer_name": ["Acme"]}), path)
    [shipment], reader = read_all(path)
    assert reader.table.format == "parquet"
    assert shipment.parties[0].name == "Acme"


def test_sheet_option_without_a_mapping(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "multi.xlsx", {"A": [["buyer_name"], ["x"]], "B": [["buyer_name"], ["y"]]}
    )
    with open_shipments(path, sheet="B") as reader:
        assert [s.parties[0].name for s in reader] == ["y"]


def test_bad_encoding_deep_in_the_file_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    good = "".join(f"{i},Company number {i}\n" for i in range(5000))
    path.write_bytes(b"row_id,buyer_name\n" + good.encode() + "9999,Müller\n".encode("cp1252"))
    reader = open_shipments(path)  # the first 64 KiB are fine
    with pytest.raises(InputError, match=r"late\.csv: line 5002: not readable as utf-8-sig text"):
        list(reader)
