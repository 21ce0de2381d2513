"""HS code normalisation, control lists matched by prefix, and the packaged CHPL."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.goods.hs import (
    CODE_LENGTHS,
    ControlEntry,
    ControlList,
    ControlListError,
    HSCodeError,
    format_hs,
    load_chpl,
    load_control_list,
    match_lists,
    normalise_hs,
    normalise_prefix,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8542.31", "854231"),
        ("854231", "854231"),
        ("8542.31.0000", "8542310000"),
        ("8542.31.00.00", "8542310000"),
        ("8542 31", "854231"),
        ("8542 31 00", "85423100"),
        ("8542-31-00", "85423100"),
        ("  8542.31  ", "854231"),
        ("8542", "8542"),
        ("85423100", "85423100"),
        ("8542\u00a031", "854231"),  # non-breaking space, as spreadsheets write it
        ("8542\u201331", "854231"),  # en dash
        ("８５４２．３１", "854231"),  # full-width digits and dot
        ("0101.21", "010121"),  # leading zero kept: codes are text, not numbers
    ],
)
def test_normalise_hs_accepts_the_usual_forms(text: str, expected: str) -> None:
    assert normalise_hs(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("..-", "has no digits"),
        ("AB12", "contains letters 'A', 'B'"),
        ("HS 8542.31", "contains letters"),
        ("8542.3l", "contains letters 'l'"),
        ("854", "has 3 digits, too few"),
        ("12", "has 2 digits, too few"),
        ("85423", "dropped a leading zero"),
        ("8542310", "has 7 digits"),
        ("85423100001", "has 11 digits, too many"),
        ("8542,31", "contains characters ','"),
        ("8542/31", "contains characters '/'"),
    ],
)
def test_normalise_hs_refuses_malformed_codes(text: str, message: str) -> None:
    with pytest.raises(HSCodeError) as info:
        normalise_hs(text)
    assert message in str(info.value)
    assert repr(text) in str(info.value) or not text.strip()


def test_normalise_hs_refuses_non_text() -> None:
    with pytest.raises(HSCodeError, match="must be text, not int"):
        normalise_hs(854231)  # type: ignore[arg-type]


def test_hs_code_error_is_a_value_error() -> None:
    assert issubclass(HSCodeError, ValueError)


@given(st.text())
def test_normalise_hs_never_crashes(text: str) -> None:
    try:
        result = normalise_hs(text)
    except HSCodeError:
        return
    assert result.isascii() and result.isdigit()
    assert len(result) in CODE_LENGTHS


@given(
    st.sampled_from(CODE_LENGTHS).flatmap(
        lambda n: st.text(alphabet=string.digits, min_size=n, max_size=n)
    ),
    st.lists(st.sampled_from([".", " ", "-", "\t", "\u2013"]), max_size=12),
    st.randoms(use_true_random=False),
)
def test_separators_anywhere_give_the_same_digits(
    digits: str, separators: list[str], rnd: random.Random
) -> None:
    chars = list(digits)
    for sep in separators:
        chars.insert(rnd.randint(0, len(chars)), sep)
    assert normalise_hs("".join(chars)) == digits


def test_normalise_prefix_also_takes_chapters() -> None:
    assert normalise_prefix("88") == "88"
    assert normalise_prefix("8542.31.00") == "85423100"
    with pytest.raises(HSCodeError, match="HS prefix '8' has 1 digit, too few"):
        normalise_prefix("8")


def test_format_hs() -> None:
    assert format_hs("88") == "88"
    assert format_hs("8542") == "8542"
    assert format_hs("854231") == "8542.31"
    assert format_hs("85423100") == "8542.31.00"
    assert format_hs("8542310000") == "8542.31.0000"


# --------------------------------------------------------------------------- CHPL


def test_chpl_is_the_list_of_23_february_2024() -> None:
    chpl = load_chpl()
    assert chpl.name == "CHPL"
    assert chpl.date == dt.date(2024, 2, 23)
    assert len(chpl) == 50
    assert chpl.tier_counts() == {"1": 4, "2": 5, "3.A": 16, "3.B": 9, "4.A": 11, "4.B": 5}
    assert all(len(prefix) == 6 for prefix in chpl.entries)
    assert chpl.source is not None and "Bureau of Industry and Security" in chpl.source
    assert chpl.entries["854231"].description is not None
    assert chpl.entries["854231"].description.startswith("Electronic integrated circuits")


def test_packaged_chpl_is_what_the_build_script_makes(shared_data: Path, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_chpl", PROJECT_ROOT / "scripts" / "build_chpl.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = shared_data / "chpl" / "chpl.csv"
    assert module.main(["--source", str(source), "--out-dir", str(tmp_path)]) == 0
    packaged = PROJECT_ROOT / "src" / "redline" / "goods" / "data"
    for name in ("chpl.csv", "chpl.meta.yml"):
        assert (tmp_path / name).read_bytes() == (packaged / name).read_bytes(), name


@pytest.mark.parametrize(
    ("code", "prefix", "tier"),
    [
        ("8542.31", "854231", "1"),
        ("8542.31.0000", "854231", "1"),  # a US HTS 10-digit line
        ("85423190", "854231", "1"),  # an EU CN 8-digit line
        ("8471.50.0150", "847150", "3.A"),
        ("8534.00.0020", "853400", "4.A"),
        ("8807.30", "880730", "3.B"),
        ("9030.82.0000", "903082", "4.A"),
    ],
)
def test_national_codes_hit_the_six_digit_chpl_entry(code: str, prefix: str, tier: str) -> None:
    hits = load_chpl().match(code)
    assert [(h.list_name, h.matched_prefix, h.tier) for h in hits] == [("CHPL", prefix, tier)]
    assert hits[0].hs_code == normalise_hs(code)


def test_codes_not_on_the_chpl_do_not_hit() -> None:
    chpl = load_chpl()
    assert chpl.match("8542.90") == []  # parts of integrated circuits: not listed
    assert chpl.match("0101.21") == []
    assert chpl.match("8471.30.0100") == []  # laptops


def test_a_heading_may_fall_under_listed_subheadings() -> None:
    chpl = load_chpl()
    hits = chpl.match("8542")
    assert [h.matched_prefix for h in hits] == ["854231", "854232", "854233", "854239"]
    assert all(h.hs_code == "8542" and h.tier == "1" for h in hits)
    assert chpl.match("8542", broader=False) == []


def test_matching_a_malformed_code_raises() -> None:
    with pytest.raises(HSCodeError):
        load_chpl().match("85A2.31")


# --------------------------------------------------------------------------- user lists


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_user_list_of_headings_chapters_and_national_codes(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mine.csv",
        "# Our own list, reviewed 2025-01\n"
        "hs_code,description,tier\n"
        "8542,All integrated circuits,high\n"
        "\n"
        "8471.50.01,One national line,\n"
        "88,Aircraft and parts,high\n"
        "854231,Processors,top\n",
    )
    mine = load_control_list(path, "mine", date=dt.date(2025, 1, 31))
    assert mine.name == "mine" and mine.date == dt.date(2025, 1, 31)
    assert len(mine) == 4
    # Most specific first: the 6-digit entry, then the heading.
    hits = mine.match("8542.31.0000")
    assert [(h.matched_prefix, h.tier) for h in hits] == [("854231", "top"), ("8542", "high")]
    assert [h.matched_prefix for h in mine.match("8542.39.0001")] == ["8542"]
    assert [h.matched_prefix for h in mine.match("8471.50.0150")] == ["84715001"]
    assert mine.match("8471.50.0200") == []
    hit = mine.match("8807.30")[0]
    assert (hit.list_name, hit.matched_prefix, hit.tier, hit.description) == (
        "mine",
        "88",
        "high",
        "Aircraft and parts",
    )
    assert mine.entries["84715001"].tier is None


def test_user_list_with_prefix_column_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", "Prefix\n8457\n8458.11\n")
    listed = load_control_list(path, "machine-tools")
    assert set(listed.entries) == {"8457", "845811"}
    assert listed.entries["8457"] == ControlEntry("8457", None, None)
    assert listed.source == str(path)


def test_match_lists_reports_each_list(tmp_path: Path) -> None:
    mine = load_control_list(_write(tmp_path / "m.csv", "hs_code\n8542\n"), "mine")
    hits = match_lists("8542.31.0000", [load_chpl(), mine])
    assert [(h.list_name, h.matched_prefix) for h in hits] == [("CHPL", "854231"), ("mine", "8542")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "code,tier\n8542,1\n",
            "line 1: no 'hs_code' or 'prefix' column (the header has 'code', 'tier')",
        ),
        ("hs_code,prefix\n8542,8542\n", "line 1: both 'hs_code' and 'prefix' columns"),
        ("hs_code\n8542\n85A2\n", "line 3: HS prefix '85A2' is malformed: it contains letters 'A'"),
        ("hs_code\n8542\n854\n", "line 3: HS prefix '854' has 3 digits"),
        ("hs_code,tier\n8542,1\n,2\n", "line 3: the HS code is empty"),
        ("hs_code\n8542.31\n# comment\n854231\n", "line 4: 8542.31 is already listed on line 2"),
        ("", "empty file"),
        ("hs_code,description\n", "a header but no entries"),
        ('hs_code\n"8542\n', "unexpected end of data"),
    ],
)
def test_user_list_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(ControlListError) as info:
        load_control_list(path, "bad")
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_user_list_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("hs_code,description\n8542,Circuits int\xe9gr\xe9s\n".encode("latin-1"))
    with pytest.raises(ControlListError, match="not UTF-8"):
        load_control_list(path, "latin")


def test_missing_user_list(tmp_path: Path) -> None:
    with pytest.raises(ControlListError, match="cannot read"):
        load_control_list(tmp_path / "nope.csv", "nope")


def test_from_entries_refuses_duplicates() -> None:
    with pytest.raises(ValueError, match="854231 is listed twice"):
        ControlList.from_entries("x", [ControlEntry("8542.31"), ControlEntry("854231")])
    made = ControlList.from_entries("x", [ControlEntry("8542.31", "1", "ICs")])
    assert made.entries["854231"] == ControlEntry("854231", "1", "ICs")


def test_long_input_is_cut_short_in_the_message() -> None:
    with pytest.raises(HSCodeError) as info:
        normalise_hs("X" * 5000)
    assert len(str(info.value)) < 200
