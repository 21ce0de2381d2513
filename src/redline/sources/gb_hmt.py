"""UK HM Treasury / OFSI Consolidated List of Financial Sanctions Targets.

OFSI publishes one row per *name variation*: every alias, spelling variant and
(sometimes) every alternative date of birth of a target is a separate row, and
the rows of one target share a ``Group ID``.  So the parser first reads all rows,
groups them, and only then builds one target entity (plus one ``Sanction``) per
group.  Two editions are understood, both mapped by header name:

* the XLSX "2022 format" (``ConList.xlsx``): 36 columns, non-Latin script names,
  ``Alias Quality`` and a tagged ``Other Information`` field such as
  ``(UK Sanctions List Ref):GHR0086. (UK Statement of Reasons):... (Gender):Male``;
* the older CSV (29 columns, Windows-1252, first line padded with commas).

In both, row 1 is metadata (``Last Updated``, date) and row 2 is the header.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import openpyxl
from followthemoney import EntityProxy, registry

from redline.sources.base import Download, Source, SourceError, SourceFiles
from redline.sources.util import clean, iso_date, make_sanction, make_target, plausible_year

NAME = "gb_hmt"
PUBLISHER = "HM Treasury, Office of Financial Sanctions Implementation"
ROLE = "conlist"

#: File names must contain one of these (case-insensitive) to be considered.
_NAME_HINTS = ("conlist", "ofsi")
_SUFFIXES = (".xlsx", ".csv")
_ZIP_MAGIC = b"PK\x03\x04"
_META_LABEL = "last updated"

#: Columns without which a row cannot be turned into a target.
REQUIRED_COLUMNS = ("Name 6", "Group Type", "Alias Type", "Regime", "Group ID")
_NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
_ADDRESS_COLUMNS = (
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
)
_NAME_FIELDS = ("Alias Type", "Alias Quality", "Name Non-Latin Script", *_NAME_COLUMNS)
_DETAIL_FIELDS = ("Title", "Position", "Nationality", *_ADDRESS_COLUMNS)
_BIRTH_FIELDS = ("DOB", "Town of Birth", "Country of Birth")
_DOCUMENT_FIELDS = (
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "NI Number",
)
_LISTING_FIELDS = ("Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated")
_SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

Cell = str | None


# --------------------------------------------------------------------------- reading rows


@dataclass(frozen=True)
class Row:
    """One name-variation row: its line (CSV) or sheet row (XLSX) and its non-empty cells."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str | None:
        return self.values.get(column)


@dataclass
class Group:
    """All rows of one ``Group ID``: one listed target."""

    group_id: str
    group_type: str
    rows: list[Row] = field(default_factory=list)

    @property
    def schema(self) -> str:
        return _SCHEMAS[self.group_type.lower()]

    def distinct(self, columns: tuple[str, ...]) -> list[Row]:
        """The first row of each distinct combination of ``columns``.

        Rows of a group repeat most cells (one target has up to 400 rows), so each
        part of the target is built once per distinct value rather than per row.
        """
        if len(self.rows) < 2:
            return self.rows
        seen: dict[tuple[str | None, ...], Row] = {}
        for row in self.rows:
            seen.setdefault(tuple(row.get(column) for column in columns), row)
        return list(seen.values())


@dataclass(frozen=True)
class Table:
    """The rows of one file and what its two top rows say."""

    path: Path
    updated: str | None
    header: tuple[str, ...]
    rows: Iterator[Row]


def _cell_text(value: Any) -> Cell:
    """Cell values as the text OFSI wrote; typed cells (numbers, dates) are rendered back."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_cells(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    """Every row of the first sheet with its sheet row number, via openpyxl read-only mode.

    ``reset_dimensions`` makes openpyxl ignore the sheet's declared size, which some
    writers get wrong (openpyxl would silently cut rows or columns off).  Sparse rows
    come back placed by cell reference, so column positions stay right.
    """
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(path, f"cannot open the XLSX workbook: {exc}") from exc
    try:
        if not workbook.worksheets:
            raise SourceError(path, "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise SourceError(
                    path,
                    f"unreadable sheet data after row {number}: {exc}",
                    line=number + 1,
                    element=f"sheet {sheet.title!r}",
                ) from exc
            number += 1
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8, else Windows-1252 (the old CSV's encoding)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            path, f"neither UTF-8 nor Windows-1252 text (byte {exc.start}: {exc.reason})", line=line
        ) from exc


def _csv_cells(path: Path, text: str) -> Iterator[tuple[int, list[Cell]]]:
    """CSV records with the physical line each starts on (fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(path, f"malformed CSV record: {exc}", line=start) from exc
        yield start, list(record)


_SPACES = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"\s\s|[^\S ]")


def _squash(value: Cell) -> str | None:
    """Collapse white space; ``None`` if empty.

    Unlike :func:`clean` this keeps null-marker look-alikes: ``Na`` is a real name
    part in this list, not "n/a".  (Most cells need no change; ``search`` is cheap.)
    """
    if value is None:
        return None
    text = value.strip()
    if _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    return text or None


def _blank(cells: list[Cell]) -> bool:
    return all(_squash(cell) is None for cell in cells)


def _check_meta(path: Path, cells: tuple[int, list[Cell]] | None) -> str | None:
    """Row 1 must read ``Last Updated``; this is what tells OFSI files from other lists."""
    if cells is None:
        raise SourceError(path, "empty file: no 'Last Updated' row and no header", line=1)
    line, values = cells
    first = _squash(values[0]) if values else None
    if first is None or first.lower() != _META_LABEL:
        raise SourceError(
            path,
            f"not an OFSI Consolidated List: row 1 starts with {first!r}, not 'Last Updated'",
            line=line,
        )
    return _squash(values[1]) if len(values) > 1 else None


def _check_header(path: Path, cells: tuple[int, list[Cell]] | None) -> tuple[str, ...]:
    if cells is None:
        raise SourceError(path, "the header row (row 2) is missing", line=2)
    line, values = cells
    header = tuple((_squash(value) or "") for value in values)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SourceError(
            path, f"header row lacks required column(s): {', '.join(missing)}", line=line
        )
    return header


def _rows(
    path: Path, header: tuple[str, ...], cells: Iterator[tuple[int, list[Cell]]], strict: bool
) -> Iterator[Row]:
    """Data rows mapped by header name; ``strict`` (CSV) demands exactly one field per column."""
    width = len(header)
    for line, values in cells:
        mapped = {
            column: text
            for column, value in zip(header, values, strict=False)
            if column and (text := _squash(value)) is not None
        }
        if not mapped and _blank(values):
            continue
        if strict and len(values) != width:
            raise SourceError(
                path, f"record has {len(values)} fields, the header has {width}", line=line
            )
        if len(values) > width and not _blank(values[width:]):
            raise SourceError(path, f"row has values beyond the {width} header columns", line=line)
        yield Row(line=line, values=mapped)


def read_table(path: Path) -> Table:
    """Open an OFSI file of either edition and check its two top rows."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise SourceError(path, "empty file", line=1)
    if magic == _ZIP_MAGIC:
        cells, strict = _xlsx_cells(path), False
    elif path.suffix.lower() == ".xlsx":
        raise SourceError(path, "not an XLSX workbook (no ZIP signature)", line=1)
    else:
        cells, strict = _csv_cells(path, _decode(path, path.read_bytes())), True
    updated = _check_meta(path, next(cells, None))
    header = _check_header(path, next(cells, None))
    return Table(path, updated, header, _rows(path, header, cells, strict))


def _group_rows(path: Path, rows: Iterator[Row]) -> list[Group]:
    """Rows grouped by Group ID, in order of first appearance; checks each row's keys."""
    groups: dict[str, Group] = {}
    for row in rows:
        group_id = row.get("Group ID")
        group_type = row.get("Group Type")
        if group_id is None:
            raise SourceError(path, "row has no Group ID", line=row.line)
        if group_type is None or group_type.lower() not in _SCHEMAS:
            raise SourceError(path, f"unknown Group Type {group_type!r}", line=row.line)
        if not any(row.get(column) for column in _NAME_COLUMNS):
            raise SourceError(path, f"row of Group ID {group_id} has no name", line=row.line)
        group = groups.setdefault(group_id, Group(group_id, group_type))
        if group.group_type.lower() != group_type.lower():
            raise SourceError(
                path,
                f"Group ID {group_id} is {group_type!r} here but {group.group_type!r} "
                f"on line {group.rows[0].line}",
                line=row.line,
            )
        group.rows.append(row)
    return list(groups.values())


@dataclass(frozen=True)
class Listing:
    """A whole OFSI file, read and grouped: one :class:`Group` per target."""

    path: Path
    updated: str | None
    #: The old CSV layout (free-text passport details, no separate number column).
    legacy: bool
    groups: list[Group]


def read_listing(path: Path) -> Listing:
    """Read and group every row of an OFSI file of either edition."""
    table = read_table(path)
    legacy = "Passport Number" not in table.header
    return Listing(path, table.updated, legacy, _group_rows(path, table.rows))


# --------------------------------------------------------------------------- cheap sniffing


def _xlsx_member_text(element: ElementTree.Element) -> str:
    """Text of an inline or shared string, skipping phonetic runs (``rPh``)."""
    parts = [*element.iterfind("{*}t"), *element.iterfind("{*}r/{*}t")]
    return "".join(part.text or "" for part in parts)


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet, following ``workbook.xml.rels``."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = workbook.findall("{*}sheets/{*}sheet")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    if sheets:
        rel_id = next((v for k, v in sheets[0].attrib.items() if k.endswith("}id")), None)
        for rel in rels:
            if rel.get("Id") == rel_id:
                target = str(rel.get("Target", ""))
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return "xl/worksheets/sheet1.xml"


def _first_row_cells(handle: IO[bytes]) -> list[tuple[str, str, str]]:
    """(column letters, type, raw text) of every cell of sheet row 1, stopping right after it."""
    for _, row in ElementTree.iterparse(handle, events=("end",)):
        if not row.tag.endswith("}row"):
            continue
        if row.get("r") not in (None, "1"):
            return []
        cells = []
        for cell in row.iterfind("{*}c"):
            column = re.sub(r"\d", "", cell.get("r", ""))
            kind = cell.get("t", "n")
            value = cell.find("{*}v")
            if kind == "inlineStr":
                text = "".join(_xlsx_member_text(item) for item in cell.iterfind("{*}is"))
            else:
                text = value.text or "" if value is not None else ""
            cells.append((column, kind, text))
        return cells
    return []


def _shared_strings(archive: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """Only the shared strings at ``wanted`` indexes, stopping once the last is read."""
    found: dict[int, str] = {}
    if not wanted or "xl/sharedStrings.xml" not in archive.namelist():
        return found
    with archive.open("xl/sharedStrings.xml") as handle:
        items = (el for _, el in ElementTree.iterparse(handle) if el.tag.endswith("}si"))
        for index, item in enumerate(items):
            if index in wanted:
                found[index] = _xlsx_member_text(item)
            item.clear()
            if index >= max(wanted):
                break
    return found


def _xlsx_first_row(path: Path) -> list[str]:
    """Cells A1, B1 … of the first sheet, read from the zip without loading the workbook."""
    with zipfile.ZipFile(path) as archive:
        with archive.open(_first_sheet_path(archive)) as handle:
            cells = _first_row_cells(handle)
        strings = _shared_strings(archive, {int(t) for _, k, t in cells if k == "s" and t})
    by_column = {
        column: strings.get(int(text), "") if kind == "s" and text else text
        for column, kind, text in cells
    }
    return [by_column.get("A", ""), by_column.get("B", "")]


def _csv_first_row(path: Path) -> list[str]:
    """Fields A and B of line 1 (always two, empty if absent)."""
    with path.open("rb") as handle:
        head = handle.readline(4096)
    text = head.decode("utf-8-sig") if head.startswith(b"\xef\xbb\xbf") else head.decode("cp1252")
    fields = next(csv.reader([text.rstrip("\r\n")]), [])
    return [*fields[:2], "", ""][:2]


#: What reading row 1 of a damaged or foreign file can raise.
_UNREADABLE = (
    OSError,
    zipfile.BadZipFile,
    KeyError,
    ElementTree.ParseError,
    UnicodeDecodeError,
    csv.Error,
)


def _first_row(path: Path) -> list[str]:
    """Row 1 of an OFSI file of either edition (raises on unreadable files)."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_first_row(path)
    return _csv_first_row(path)


def _is_meta_row(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower() == _META_LABEL


def _updated_date(text: str | None) -> date | None:
    """``DD/MM/YYYY`` (or an Excel serial day number, should the cell be typed as a date)."""
    value = clean(text)
    if value is None:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", value):
        return date(1899, 12, 30) + timedelta(days=int(float(value)))
    parsed = iso_date(value[:10], _DATE_FORMATS)
    return date.fromisoformat(parsed) if parsed else None


# --------------------------------------------------------------------------- values


#: Item markers of inline lists: ``(1)``, ``2)``, ``(1-3)``, ``a)``, ``(b)``.
_NUMBERED = re.compile(r"\(?\b(?:\d{1,2}(?:-\d{1,2})?|[a-h])\)\s*")
_NUMBERED_START = re.compile(r"\s*\(?(?:1(?:-\d{1,2})?|a)\)")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
#: OFSI country spellings FtM does not know (and that stripping the brackets would get wrong).
_COUNTRY_NAMES = {
    "congo (democratic republic)": "cd",
    "congo (republic)": "cg",
    "occupied palestinian territories": "ps",
}
_COUNTRY_TYPE = registry.country


def _items(value: str | None) -> list[str]:
    """Split OFSI's inline numbering ``(1) A (2) B`` / ``1) A 2) B``; other text stays whole."""
    if value is None:
        return []
    if not _NUMBERED_START.match(value):
        return [value.strip()]
    items = []
    for part in _NUMBERED.split(value):
        text = clean(part.strip().rstrip(".;,"))
        if text is not None:
            items.append(text)
    return items


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """The code of an OFSI country name, also when it carries a remark (``Iraq (previous)``).

    The name is tried whole first, as brackets can be part of it (``Korea (North)``).
    """
    known = _COUNTRY_NAMES.get(name.lower())
    if known is not None:
        return known
    code = _COUNTRY_TYPE.clean(name)
    if code is None and (stripped := clean(_PARENTHESES.sub("", name))) is not None:
        code = _COUNTRY_TYPE.clean(stripped)
    return str(code) if code is not None else None


def _put_countries(proxy: EntityProxy, prop: str, value: str | None, label: str) -> None:
    """Each listed country as a code; names that cannot be coded are kept in notes."""
    if not proxy.schema.get(prop):
        _note(proxy, label, value)
        return
    for item in _items(value):
        code = country_code(item)
        if code is not None:
            proxy.add(prop, code, cleaned=True)
        else:
            _note(proxy, label, item)


def birth_date(value: str | None) -> str | None:
    """``DD/MM/YYYY`` with ``00`` for unknown parts (also ``MM/YYYY``, ``YYYY``) as ISO prefix."""
    text = clean(value)
    if text is None:
        return None
    parts = text.split("/")
    if len(parts) > 3 or not all(part.isdigit() for part in parts) or len(parts[-1]) != 4:
        return None
    year = int(parts[-1])
    if not plausible_year(year):
        return None
    month = int(parts[-2]) if len(parts) > 1 else 0
    day = int(parts[-3]) if len(parts) > 2 else 0
    if not 1 <= month <= 12:
        return f"{year:04d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


_ID_TOKEN = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_DATE_TOKEN = re.compile(r"\d{1,2}-\d{1,2}-\d{2,4}")


def _id_tokens(text: str) -> list[str]:
    """Document numbers inside the old CSV's free text (``Passport No: 592667 (...)``).

    A token counts when it has at least five characters, four digits, no lower-case
    letter and is not a date.  The full text is kept in ``notes`` as well.
    """
    found = []
    for token in _ID_TOKEN.findall(text):
        digits = sum(char.isdigit() for char in token)
        if len(token) >= 5 and digits >= 4 and not _DATE_TOKEN.fullmatch(token):
            found.append(token)
    return found


def _note(proxy: EntityProxy, label: str, value: str | None) -> None:
    if value:
        proxy.add("notes", f"{label}: {value}")


def _put(proxy: EntityProxy, prop: str, value: str | None, label: str) -> None:
    """Add ``value`` to ``prop`` if the schema has it and FtM accepts it; else keep it as a note.

    FtM silently drops values it cannot clean (a phone number without a country
    code, a country it does not know); a note keeps them visible.
    """
    if not value:
        return
    spec = proxy.schema.get(prop)
    cleaned = spec.type.clean(value, proxy=proxy) if spec is not None else None
    if cleaned is not None:
        proxy.add(prop, cleaned, cleaned=True)
    else:
        _note(proxy, label, value)


# --------------------------------------------------------------------------- Other Information

#: Tags of the 2022-format ``Other Information`` field.  Only these split the text:
#: other parenthesised words followed by a colon (``resolution 2662 (2022):``) do not.
_TAGS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Tel",
    "Fax",
    "Email address",
    "Website",
    "Type of entity",
    "Business Reg No",
    "Parent company",
    "Subsidiaries",
    "IMO number",
    "Current owners",
    "Flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
)
_TAG_SPLIT = re.compile(r"\((" + "|".join(re.escape(tag) for tag in _TAGS) + r")\)\s*:")
_REF = r"[A-Za-z]{2,4}\.? ?\d{3,4}"
_LEADING_REFS = re.compile(rf"^\s*({_REF}(?:\s*(?:,|and|&)\s*{_REF})*)\s*\.?\s*(.*)$", re.S)

#: Tag -> target property; numbered values (``(1) … (2) …``) are added item by item.
_TAG_PROPS = {
    "Gender": "gender",
    "Phone number": "phone",
    "Tel": "phone",
    "Email address": "email",
    "Website": "website",
    "Type of entity": "legalForm",
    "Business Reg No": "registrationNumber",
    "IMO number": "imoNumber",
    "Type of ship": "type",
    "Tonnage of ship": "tonnage",
    "Year built": "buildDate",
}


_COUNTRY_TAGS = {"Flag of ship": "flag", "Previous flags": "pastFlags"}


def split_other_information(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The untagged lead text and the ``(tag, value)`` pairs that follow it."""
    parts = _TAG_SPLIT.split(text)
    pairs = [(tag, value.strip()) for tag, value in zip(parts[1::2], parts[2::2], strict=True)]
    return parts[0].strip(), pairs


def _leading_refs(value: str) -> tuple[list[str], str]:
    """Reference codes at the start of a value (``GHR0046 and MYA0018. Listed …``) and the rest."""
    match = _LEADING_REFS.match(value)
    if match is None:
        return [], value
    codes = re.findall(_REF, match.group(1))
    return [code.replace(" ", "") for code in codes], match.group(2).strip()


def _short(value: str) -> str:
    return value.strip().rstrip(".").strip()


def _apply_tag(target: EntityProxy, sanction: EntityProxy, tag: str, value: str) -> None:
    if not value:
        return
    if tag in ("UK Sanctions List Ref", "UN Ref"):
        codes, rest = _leading_refs(value)
        prop = "authorityId" if tag == "UK Sanctions List Ref" else "unscId"
        sanction.add(prop, codes)
        target.add("notes", rest or None)
    elif tag == "UK Statement of Reasons":
        sanction.add("reason", value)
    elif tag in _COUNTRY_TAGS:
        _put_countries(target, _COUNTRY_TAGS[tag], _short(value), tag)
    elif tag in _TAG_PROPS:
        for item in _items(value):
            _put(target, _TAG_PROPS[tag], _short(item), tag)
    else:
        _note(target, tag, value)


def _apply_other_information(target: EntityProxy, sanction: EntityProxy, text: str) -> None:
    lead, pairs = split_other_information(text)
    target.add("notes", lead or None)
    for tag, value in pairs:
        _apply_tag(target, sanction, tag, value)


# --------------------------------------------------------------------------- building entities


def _full_name(row: Row) -> str | None:
    """Name 1 … Name 5 then Name 6 (surname or whole entity name), space-joined."""
    return clean(" ".join(row.get(column) or "" for column in _NAME_COLUMNS))


def _name_prop(alias_type: str | None, quality: str | None) -> str:
    kind = (alias_type or "").lower()
    if kind in ("primary name", "prime alias"):
        return "name"
    if kind == "fka":
        return "previousName"
    if quality is not None and quality.lower().startswith("low"):
        return "weakAlias"
    return "alias"


def _add_names(target: EntityProxy, row: Row) -> None:
    prop = _name_prop(row.get("Alias Type"), row.get("Alias Quality"))
    target.add(prop, _full_name(row))
    target.add("alias", row.get("Name Non-Latin Script"))
    if prop == "name" and target.schema.is_a("Person"):
        target.add("firstName", row.get("Name 1"))
        target.add("middleName", [row.get(c) for c in ("Name 2", "Name 3", "Name 4", "Name 5")])
        target.add("lastName", row.get("Name 6"))


def _ensure_name(target: EntityProxy) -> None:
    """A few groups have no ``Primary name`` row: promote their first other name."""
    if target.has("name"):
        return
    for prop in ("alias", "previousName", "weakAlias"):
        names = target.get(prop)
        if names:
            target.add("name", names[0])
            return


def _add_birth(target: EntityProxy, row: Row) -> None:
    dob = row.get("DOB")
    iso = birth_date(dob)
    if iso is not None:
        target.add("birthDate", iso, cleaned=True)
    else:
        _note(target, "Date of birth", dob)
    towns, countries = _items(row.get("Town of Birth")), _items(row.get("Country of Birth"))
    if len(towns) == len(countries):
        places = [f"{town}, {country}" for town, country in zip(towns, countries, strict=True)]
    else:
        places = towns + countries
    for place in places:
        _put(target, "birthPlace", place, "Place of birth")
    _put_countries(target, "birthCountry", row.get("Country of Birth"), "Country of birth")


#: (property, label, number column, details column) of the 2022 format.
_DOCUMENTS = (
    ("passportNumber", "Passport", "Passport Number", "Passport Details"),
    (
        "idNumber",
        "National ID",
        "National Identification Number",
        "National Identification Details",
    ),
)
#: (property, label, free-text column) of the old CSV.
_LEGACY_DOCUMENTS = (
    ("passportNumber", "Passport", "Passport Details"),
    ("idNumber", "National ID", "NI Number"),
)


def _add_documents(target: EntityProxy, row: Row, legacy: bool) -> None:
    """Passport and national ID numbers; descriptive text (issue, expiry) goes to notes.

    The 2022 format has separate number columns.  The old CSV only has free text
    (``Passport No: 592667 (Qatari passport ...)``), from which the numbers are picked
    out while the whole text is kept as a note.
    """
    if legacy:
        for prop, label, column in _LEGACY_DOCUMENTS:
            text = row.get(column)
            _note(target, label, text)
            for token in _id_tokens(text or ""):
                _put(target, prop, token, label)
        return
    for prop, label, number_column, details_column in _DOCUMENTS:
        numbers, details = row.get(number_column), row.get(details_column)
        for number in _items(numbers):
            _put(target, prop, number, label)
        _note(target, f"{label} {numbers}" if numbers else label, details)


def _add_details(target: EntityProxy, row: Row) -> None:
    for title in _items(row.get("Title")):
        _put(target, "title", title, "Title")
    for position in _items(row.get("Position")):
        _put(target, "position", position, "Position")
    _put_countries(target, "nationality", row.get("Nationality"), "Nationality")
    _put_countries(target, "country", row.get("Country"), "Country")
    address = ", ".join(row.get(column) or "" for column in _ADDRESS_COLUMNS if row.get(column))
    target.add("address", address or None)


@lru_cache(maxsize=8192)
def _listing_date(value: str) -> str | None:
    """ISO form of a ``DD/MM/YYYY`` listing date (the same few thousand dates recur)."""
    return iso_date(value, _DATE_FORMATS)


def _add_listing(target: EntityProxy, sanction: EntityProxy, row: Row) -> None:
    """Regime and dates; a group listed under two regimes gets both on its one Sanction."""
    regime = row.get("Regime")
    target.add("program", regime)
    sanction.add("program", regime)
    dates = (
        ("listingDate", "Listed On"),
        ("startDate", "UK Sanctions List Date Designated"),
        ("modifiedAt", "Last Updated"),
    )
    for prop, column in dates:
        raw = row.get(column)
        parsed = _listing_date(raw) if raw is not None else None
        if parsed is not None:
            sanction.add(prop, parsed, cleaned=True)
        else:
            _note(target, column, raw)


def build_entities(group: Group, legacy: bool = False) -> list[EntityProxy]:
    """The target and its ``Sanction`` for one Group ID."""
    target = make_target(group.schema, NAME, group.group_id)
    target.add("topics", "sanction")
    sanction = make_sanction(target, NAME, group.group_id, authority=PUBLISHER)
    # FtM's entity-id check rejects the "_" in "gb_hmt-…", so make_sanction's link is
    # dropped; the id is ours and valid for the store, so add it as already clean.
    sanction.add("entity", target.id, cleaned=True)
    sanction.add("country", "gb")
    for row in group.distinct(_NAME_FIELDS):
        _add_names(target, row)
    for row in group.distinct(_DETAIL_FIELDS):
        _add_details(target, row)
    for row in group.distinct(_BIRTH_FIELDS):
        _add_birth(target, row)
    for row in group.distinct(_DOCUMENT_FIELDS):
        _add_documents(target, row, legacy)
    for row in group.distinct(_LISTING_FIELDS):
        _add_listing(target, sanction, row)
    for row in group.distinct(("Other Information",)):
        info = row.get("Other Information")
        if info is not None:
            _apply_other_information(target, sanction, info)
    _ensure_name(target)
    return [target, sanction]


def parse_file(path: Path) -> Iterator[EntityProxy]:
    """Every entity of one OFSI file (either edition)."""
    listing = read_listing(path)
    for group in listing.groups:
        yield from build_entities(group, listing.legacy)


def _candidates(directory: Path) -> Iterator[Path]:
    """Files directly in ``directory`` named like an OFSI list (``*conlist*.xlsx`` …)."""
    for path in sorted(directory.iterdir()):
        name = path.name.lower()
        wanted = path.suffix.lower() in _SUFFIXES and any(hint in name for hint in _NAME_HINTS)
        if wanted and path.is_file():
            yield path


class GbHmtSource(Source):
    """The OFSI Consolidated List, XLSX (2022 format) or the older CSV."""

    name = NAME
    title = "UK HM Treasury OFSI Consolidated List of Financial Sanctions Targets"
    publisher = PUBLISHER
    downloads = (
        Download(
            url="https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx",
            filename="ConList.xlsx",
        ),
    )
    file_role = ROLE

    def detect(self, directory: Path) -> SourceFiles | None:
        """The newest OFSI file in ``directory``, the XLSX edition before any CSV.

        A file named like an OFSI list whose row 1 does not read ``Last Updated``
        (another list's CSV or workbook) is not taken.  One that cannot be read at
        all (a cut-off download) is taken only when nothing better is there, so that
        :meth:`parse` reports what is wrong with it instead of the source seeming absent.
        """
        if not directory.is_dir():
            return None
        found: list[tuple[bool, bool, date, str, Path]] = []
        for path in _candidates(directory):
            is_xlsx = path.suffix.lower() == ".xlsx"
            try:
                cells = _first_row(path)
            except _UNREADABLE:
                found.append((False, is_xlsx, date.min, path.name, path))
                continue
            if _is_meta_row(cells):
                updated = _updated_date(cells[1]) or date.min
                found.append((True, is_xlsx, updated, path.name, path))
        if not found:
            return None
        best = max(found)[-1]
        return SourceFiles(source=NAME, files=(best,), roles={ROLE: best})

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        yield from parse_file(_file_of(files))

    def published(self, files: SourceFiles) -> date | None:
        """The ``Last Updated`` date of row 1."""
        path = _file_of(files)
        try:
            cells = _first_row(path)
        except _UNREADABLE as exc:
            raise SourceError(path, f"cannot read row 1: {exc}", line=1) from exc
        return _updated_date(cells[1]) if _is_meta_row(cells) else None


def _file_of(files: SourceFiles) -> Path:
    path = files.roles.get(ROLE) or (files.files[0] if files.files else None)
    if path is None:
        raise SourceError(Path("."), f"no {NAME} file given")
    return path


GB_HMT = GbHmtSource()
SOURCES: tuple[Source, ...] = (GB_HMT,)
