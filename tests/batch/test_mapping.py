"""Column mappings: default convention, YAML files, options, and the checks against a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.batch.mapping import Mapping, MappingError


def test_default_convention_is_recognised_case_insensitively() -> None:
    columns = [
        "Row_ID",
        "BUYER_NAME",
        "Buyer Country",
        "buyer_address",
        "End-User Name",
        "end_user_country",
        "freight_forwarder_name",
        "HS_Code",
        "Description",
        "quantity",
        "VALUE",
        "currency",
        "origin_country",
        "Transit_Countries",
        "destination_country",
        "our_internal_note",
    ]
    mapping = Mapping.default_for(columns)
    assert mapping.column("row_id") == "Row_ID"
    assert mapping.party("buyer").name == "BUYER_NAME"
    assert mapping.party("buyer").country == "Buyer Country"
    assert mapping.party("buyer").address == "buyer_address"
    assert mapping.party("end_user").name == "End-User Name"
    assert mapping.party("forwarder").name == "freight_forwarder_name"
    assert mapping.column("hs_code") == "HS_Code"
    assert mapping.column("value") == "VALUE"
    assert mapping.column("transit_countries") == "Transit_Countries"
    assert [p.role for p in mapping.parties] == ["buyer", "end_user", "forwarder"]
    assert "our_internal_note" not in mapping.columns.values()
    # A default mapping fits the columns it was made from.
    assert mapping.resolve(columns) == mapping


def test_default_convention_without_any_party_name_stops() -> None:
    with pytest.raises(MappingError) as caught:
        Mapping.default_for(["id", "customer", "hs_code"])
    message = str(caught.value)
    assert "no party name column" in message
    assert "columns found (3): 'id', 'customer', 'hs_code'" in message


def test_default_convention_misspelt_column_stops_with_suggestion() -> None:
    columns = ["row_id", "buyer_name", "consignee_nmae", "consignee_country", "hscode"]
    with pytest.raises(MappingError) as caught:
        Mapping.default_for(columns)
    message = str(caught.value)
    assert "'consignee_nmae' looks like a misspelling of 'consignee_name'" in message
    assert "'hscode' looks like a misspelling of 'hs_code'" in message
    assert "'consignee_country' found but no consignee_name column" in message
    for column in columns:
        assert repr(column) in message.split("columns found")[1]


def test_default_convention_two_headers_for_one_field_stop() -> None:
    with pytest.raises(MappingError, match="'Buyer Name' and 'buyer_name' both mean buyer_name"):
        Mapping.default_for(["Buyer Name", "buyer_name"])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_mapping_nested_and_flat(tmp_path: Path) -> None:
    path = write(
        tmp_path / "map.yml",
        """
row_id: Order No
sheet: Orders
transit_separator: "|"
parties:
  buyer: {name: Käufer, country: Käufer Land, address: Käufer Adresse}
  End User: {name: Endverwender}
  freight forwarder: Spedition       # shorthand: the name column
  bank:
goods:
  hs_code: Zolltarifnummer
  description: Ware
route:
  origin: Ursprung
  transit: Über
  destination: Ziel
consignee_name: Empfänger
""",
    )
    mapping = Mapping.from_yaml(path)
    assert mapping.sheet == "Orders"
    assert mapping.transit_separator == "|"
    assert mapping.column("row_id") == "Order No"
    assert mapping.party("buyer").country == "Käufer Land"
    assert mapping.party("end_user").name == "Endverwender"
    assert mapping.party("forwarder").name == "Spedition"
    assert mapping.party("consignee").name == "Empfänger"
    assert mapping.party("bank").name is None
    assert mapping.column("hs_code") == "Zolltarifnummer"
    assert mapping.column("transit_countries") == "Über"
    assert mapping.column("destination_country") == "Ziel"

    header = [
        "Order No", "Käufer", "käufer land", "Käufer Adresse", "Endverwender", "Spedition",
        "Zolltarifnummer", "Ware", "Ursprung", "Über", "Ziel", "Empfänger", "Bemerkung",
    ]  # fmt: skip
    resolved = mapping.resolve(header)
    # Case differences are forgiven, and the file's own spelling is kept.
    assert resolved.party("buyer").country == "käufer land"
    assert resolved.sheet == "Orders"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "parties:\n  buyer: {nmae: Buyer}\n",
            r"map\.yml: parties\.buyer\.nmae: unknown field \(did you mean 'name'\?\)",
        ),
        (
            "parties:\n  byuer: {name: Buyer}\n",
            r"map\.yml: parties\.byuer: unknown role \(did you mean 'buyer'\?\)",
        ),
        ("goods:\n  hs: HS\n", r"map\.yml: goods\.hs: unknown field"),
        (
            "route:\n  destiny: To\n",
            r"map\.yml: route\.destiny: unknown field \(did you mean 'destination'\?\)",
        ),
        ("buyer_nam: Buyer\n", r"map\.yml: buyer_nam: unknown key \(did you mean 'buyer_name'"),
        (
            "parties:\n  buyer: {name: [a, b]}\n",
            r"map\.yml: parties\.buyer\.name: expected a column name \(text\), got a list",
        ),
        ("parties: [buyer]\n", r"map\.yml: parties: expected a mapping"),
        (
            "buyer_name: A\nparties:\n  buyer: {name: B}\n",
            r"map\.yml: parties\.buyer\.name: field buyer_name is mapped twice",
        ),
        ("parties:\n  buyer: {name: Buyer\n", r"map\.yml: not valid YAML at line 3, column 1"),
        ("", r"map\.yml: the mapping is empty"),
        ("- a\n- b\n", r"map\.yml: expected a mapping of keys to values"),
        ("transit_separator: ''\nbuyer_name: B\n", r"map\.yml: transit_separator: empty value"),
    ],
)
def test_yaml_errors_name_the_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "map.yml", text)
    with pytest.raises(MappingError, match=expected):
        Mapping.from_yaml(path)


def test_yaml_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"nope\.yml: cannot read the mapping file"):
        Mapping.from_yaml(tmp_path / "nope.yml")


def test_options_and_override() -> None:
    mapping = Mapping.from_options(
        ["buyer_name=Customer", "Destination Country = Ship To Country", "hs_code=HS"],
        sheet="Q3",
    )
    assert mapping.party("buyer").name == "Customer"
    assert mapping.column("destination_country") == "Ship To Country"
    assert mapping.sheet == "Q3"
    changed = mapping.override(columns={"hs_code": "Tariff"}, transit_separator="/")
    assert changed.column("hs_code") == "Tariff"
    assert changed.transit_separator == "/"
    assert changed.party("buyer").name == "Customer"
    assert mapping.column("hs_code") == "HS"  # the original is unchanged

    with pytest.raises(MappingError, match=r"unknown field \(did you mean 'buyer_name'\?\)"):
        Mapping.from_options(["buyername=Customer"])
    with pytest.raises(MappingError, match="expected FIELD=COLUMN"):
        Mapping.from_options(["buyer_name"])


def test_resolve_lists_missing_columns_suggestions_and_every_column_found() -> None:
    mapping = Mapping.from_options(
        {"buyer_name": "Customer Name", "buyer_country": "Custmer Country", "hs_code": "Tarif"}
    )
    found = ["Order", "Customer Name", "Customer Country", "Tariff Code", "Value"]
    with pytest.raises(MappingError) as caught:
        mapping.resolve(found)
    error = caught.value
    message = str(error)
    assert (
        "buyer_country: column 'Custmer Country' not found (did you mean 'Customer Country'?)"
        in message
    )
    assert "hs_code: column 'Tarif' not found" in message
    assert (
        "columns found (5): 'Order', 'Customer Name', 'Customer Country', 'Tariff Code', 'Value'"
        in message
    )
    assert error.missing == ["Custmer Country", "Tarif"]
    assert error.found == found


def test_resolve_needs_a_party_name_and_no_orphan_country() -> None:
    with pytest.raises(MappingError, match="no party name column is mapped"):
        Mapping.from_options({"hs_code": "HS"}).resolve(["HS"])
    with pytest.raises(MappingError, match="consignee_country mapped but consignee_name is not"):
        Mapping.from_options({"buyer_name": "B", "consignee_country": "C"}).resolve(["B", "C"])


def test_resolve_ambiguous_loose_match() -> None:
    mapping = Mapping.from_options({"buyer_name": "buyer name"})
    with pytest.raises(MappingError, match="is ambiguous: 'Buyer Name', 'BUYER-NAME'"):
        mapping.resolve(["Buyer Name", "BUYER-NAME"])


def test_to_dict_round_trips() -> None:
    mapping = Mapping.from_options({"buyer_name": "B", "hs_code": "HS"}, sheet="S")
    assert Mapping.from_dict(mapping.to_dict()) == mapping
