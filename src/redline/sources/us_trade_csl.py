"""US Consolidated Screening List (CSL) of the International Trade Administration.

The CSL merges the restricted-party lists of three US departments (Treasury/OFAC,
State, Commerce/BIS) into one CSV.  It is the only machine-readable source of the
BIS Entity List, Unverified List and Military End User list, so the parser keeps
*which* list every row comes from: the long ``source`` string is mapped to a short
code (``EL``, ``SDN``...) that ends up as the target's ``programId`` and as the
``Sanction``'s ``programId``.

Format notes (see the data README):

* The column set drifts: the current file has a leading ``_id`` (29 columns), the
  2019 file has none (28).  Columns are therefore always read **by header name**.
* Multi-valued cells (addresses, alt_names, ids, programs...) are joined by ``; ``.
* The ``ids`` cell changed its inner order: the 2019 file writes ``[CC, ]value,
  Type`` (``US, 80-0890696, Tax ID No.``), the current one ``Type, value[, CC]``
  (``Passport, 836238033, KP``).  Each item is oriented by recognising its label.
* The 2019 file contains C1 control characters (``U+0092``): Windows-1252 bytes
  that were once decoded as Latin-1.  They are mapped back to what Windows-1252
  meant (``’``) before anything else.

Entity ids: ``us_trade_csl-<_id>`` when ``_id`` is there.  Older files have no
``_id``; rows with an OFAC ``entity_number`` then get ``us_trade_csl-<entity_number>``
because the current CSL uses exactly that number as ``_id`` for OFAC rows (every
OFAC row of the 2025 sample has ``_id == entity_number``), so the same OFAC entry
keeps its id across the column-set change.  Rows with neither get
``us_trade_csl-<code>-<hash>`` where the hash is taken over the long source string
and the normalised name: the list has no id for them and the name is the only
stable key.  Several such rows of one list with the same name (the old CSL repeats
a DPL or Entity List party once per address) describe one party, so they are
merged into one target.  Rows sharing an id are always merged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from followthemoney import EntityProxy, model, registry
from followthemoney.exc import InvalidData

from redline.sources.base import Download, Source, SourceError, SourceFiles, entity_id
from redline.sources.util import clean, iso_date, make_entity, make_sanction, make_target

log = logging.getLogger(__name__)

NAME = "us_trade_csl"

#: Columns every CSL version has; a CSV whose header lacks one is not a CSL.
REQUIRED_COLUMNS = frozenset(
    {"source", "entity_number", "type", "programs", "name", "addresses", "alt_names", "ids"}
)

#: The long ``source`` strings as the CSL writes them (read from the real 2019 and
#: 2025 files; the CMIC, NS-MBS and NS-ISA strings are those trade.gov documents).
SOURCE_CODES: dict[str, str] = {
    "Specially Designated Nationals (SDN) - Treasury Department": "SDN",
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": "SSI",
    "Foreign Sanctions Evaders (FSE) - Treasury Department": "FSE",
    "Palestinian Legislative Council List (PLC) - Treasury Department": "PLC",
    "Capta List (CAP) - Treasury Department": "CAP",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": (
        "CMIC"
    ),
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department": "NS-MBS",
    "Non-SDN Iranian Sanctions Act List (NS-ISA) - Treasury Department": "NS-ISA",
    "Nonproliferation Sanctions (ISN) - State Department": "ISN",
    "ITAR Debarred (DTC) - State Department": "DTC",
    "Denied Persons List (DPL) - Bureau of Industry and Security": "DPL",
    "Entity List (EL) - Bureau of Industry and Security": "EL",
    "Unverified List (UVL) - Bureau of Industry and Security": "UVL",
    "Military End User (MEU) List - Bureau of Industry and Security": "MEU",
}

#: Codes as they appear in brackets in the source string, for wording variants
#: of a known list (``(NS-MBS List)``, ``(NS-CMIC)``...).
_BRACKET_CODES: dict[str, str] = {
    "SDN": "SDN",
    "SSI": "SSI",
    "FSE": "FSE",
    "PLC": "PLC",
    "NS-PLC": "PLC",
    "CAP": "CAP",
    "CAPTA": "CAP",
    "CMIC": "CMIC",
    "NS-CMIC": "CMIC",
    "NS-MBS": "NS-MBS",
    "NS-MBS LIST": "NS-MBS",
    "NS-ISA": "NS-ISA",
    "ISN": "ISN",
    "DTC": "DTC",
    "DPL": "DPL",
    "EL": "EL",
    "UVL": "UVL",
    "MEU": "MEU",
}

#: Code for a ``source`` string the table does not know; its long string is kept.
OTHER = "OTHER"

_EXPORT = "export.control"
_SANCTION = "sanction"
_DEBARMENT = "debarment"

#: FtM topics per list: OFAC and State nonproliferation lists are sanctions; the
#: BIS lists and ITAR debarment are export controls; DPL and DTC also debar.
TOPICS: dict[str, tuple[str, ...]] = {
    "SDN": (_SANCTION,),
    "SSI": (_SANCTION,),
    "FSE": (_SANCTION,),
    "PLC": (_SANCTION,),
    "CAP": (_SANCTION,),
    "CMIC": (_SANCTION,),
    "NS-MBS": (_SANCTION,),
    "NS-ISA": (_SANCTION,),
    "ISN": (_SANCTION,),
    "EL": (_EXPORT,),
    "UVL": (_EXPORT,),
    "MEU": (_EXPORT,),
    "DPL": (_EXPORT, _DEBARMENT),
    "DTC": (_EXPORT, _DEBARMENT),
}

#: CSL ``type`` -> FtM schema.  Empty (all non-OFAC lists) -> LegalEntity.
SCHEMAS: dict[str, str] = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
    "": "LegalEntity",
}

#: US state and territory codes.  Used to tell ``..., CA`` (California) from a
#: trailing country code in DPL rows, which omit the country of US addresses.
_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
US_STATES = frozenset(_STATES.split(" "))

_MULTI_SEP = re.compile(r";\s+")
_LEADING_AND = re.compile(r"^and\s+", re.IGNORECASE)
_SUCCESSOR = re.compile(r";\s*(and any successor.*)$", re.IGNORECASE)
_BRACKETS = re.compile(r"\(([^()]+)\)")
_PARTIAL_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DOB_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %Y", "%m/%d/%Y")
_CSL_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def _c1_table() -> dict[int, str]:
    """Map C1 controls to the Windows-1252 characters their byte value stands for."""
    table: dict[int, str] = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_C1 = _c1_table()


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class Row:
    """One data row, by column name, with the physical line it starts on."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column) or ""


def read_text(path: Path) -> str:
    """The file as text (UTF-8, optional BOM); ``SourceError`` names the bad line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(path, f"not UTF-8 text ({exc.reason})", line=line) from None


def read_rows(
    path: Path,
    text: str,
    *,
    delimiter: str,
    required: Iterable[str],
    what: str,
) -> Iterator[Row]:
    """Rows of a delimited file with a header, checked field by field.

    The reader is strict: an unterminated quote or stray quote raises, and every
    row must have exactly as many fields as the header.  Errors name the physical
    line the broken record starts on.
    """
    if not text.strip():
        raise SourceError(path, f"empty file (expected the {what})")
    # StringIO with newline="" splits only at CR/LF, as csv expects; str.splitlines
    # would also split at U+2028 and friends inside fields and miscount lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = _read_header(path, reader, required, what)
    last = reader.line_num
    try:
        for fields in reader:
            start, last = last + 1, reader.line_num
            if not fields:
                continue
            if len(fields) != len(header):
                raise SourceError(
                    path,
                    f"expected {len(header)} fields, found {len(fields)}",
                    line=start,
                )
            yield Row(start, dict(zip(header, fields, strict=True)))
    except csv.Error as exc:
        raise SourceError(path, f"malformed row: {exc}", line=last + 1) from None


def _read_header(
    path: Path,
    reader: Iterator[list[str]],
    required: Iterable[str],
    what: str,
) -> list[str]:
    try:
        header = [h.strip() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise SourceError(path, f"not a {what}: unreadable header ({exc})", line=1) from None
    missing = sorted(set(required) - set(header))
    if missing:
        raise SourceError(
            path,
            f"not a {what}: header lacks {', '.join(missing)}",
            line=1,
        )
    return header


def sniff_header(path: Path, delimiter: str, required: Iterable[str]) -> bool:
    """Whether the first line of ``path`` is a header with all ``required`` columns."""
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
            first = handle.readline(64 * 1024)
    except OSError:
        return False
    try:
        header = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return set(required) <= {h.strip() for h in header}


# ---------------------------------------------------------------------- helpers


def split_multi(value: str | None) -> list[str]:
    """Values of a ``; ``-joined cell, cleaned, without the ``and`` of a last item."""
    text = clean(value)
    if text is None:
        return []
    out: list[str] = []
    for part in _MULTI_SEP.split(text):
        item = clean(_LEADING_AND.sub("", part))
        if item is not None and item not in out:
            out.append(item)
    return out


def source_code(source: str) -> str:
    """Short code of a CSL ``source`` string, ``OTHER`` when it is not known."""
    text = clean(source) or ""
    if text in SOURCE_CODES:
        return SOURCE_CODES[text]
    for match in _BRACKETS.finditer(text):
        code = _BRACKET_CODES.get(match.group(1).strip().upper())
        if code is not None:
            return code
    return OTHER


def name_hash(*parts: str) -> str:
    """A short, stable digest of whitespace- and case-normalised text parts."""
    normal = "\0".join(" ".join(p.split()).casefold() for p in parts)
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()[:16]


def future_date(value: str | None, formats: Sequence[str]) -> str | None:
    """Like ``iso_date`` but for end dates, which lie decades ahead (``2056-06-29``)."""
    text = clean(value)
    if text is None:
        return None
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1800 <= parsed.year <= date.today().year + 100:
            return parsed.isoformat()
        return None
    return None


def link(proxy: EntityProxy, prop: str, other: EntityProxy) -> None:
    """Point ``proxy.prop`` at ``other`` even though its id has an underscore.

    FtM 4 accepts entity references only as ``[0-9a-zA-Z.-]``, so a plain ``add``
    silently drops ``us_trade_csl-...`` (this is why ``make_sanction``'s own
    ``entity`` link is lost).  Our ids are well-formed, so they go in as clean.
    """
    if other.id is not None:
        proxy.add(prop, other.id, cleaned=True)


def put(proxy: EntityProxy, prop: str, value: str | None, label: str) -> None:
    """Add ``value`` to ``prop``, or to ``notes`` as ``label: value`` if the schema lacks it."""
    if value is None or not value.strip():
        return
    if proxy.schema.get(prop) is not None:
        proxy.add(prop, value)
    else:
        proxy.add("notes", f"{label}: {value}")


def address_country(address: str, code: str) -> str | None:
    """The country at the end of a CSL address (``..., postal, CC``), if any.

    A trailing US state code is not a country when the list is the DPL, which
    leaves the country of US addresses empty (``..., PHOENIX, AZ``).
    """
    last = address.rsplit(",", 1)[-1].strip()
    if code == "DPL" and last.upper() in US_STATES and last.isupper():
        return None
    country: str | None = registry.country.clean(last)
    return country


def partial_date(value: str) -> str | None:
    """An ISO ``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` date from a birth-date value."""
    text = value.strip()
    if _PARTIAL_ISO.match(text):
        year = int(text[:4])
        if 1800 <= year <= date.today().year + 1:
            return text
        return None
    return iso_date(text, _DOB_FORMATS)


# ------------------------------------------------------------------------ ids


def _label_key(label: str) -> str:
    return " ".join(label.casefold().strip().rstrip(" :-.#").split())


#: ``ids`` labels -> FtM property (``None``: the text goes to sanction provisions).
ID_PROPS: dict[str, str | None] = {
    "passport": "passportNumber",
    "national id no": "idNumber",
    "national id": "idNumber",
    "identification number": "idNumber",
    "cedula no": "idNumber",
    "d.n.i": "idNumber",
    "personal id card": "idNumber",
    "c.u.r.p": "idNumber",
    "tax id no": "taxNumber",
    "tax identification number": "taxNumber",
    "nit": "taxNumber",
    "ruc": "taxNumber",
    "r.f.c": "taxNumber",
    "c.u.i.t": "taxNumber",
    "italian fiscal code": "taxNumber",
    "fiscal code": "taxNumber",
    "us fein": "taxNumber",
    "v.a.t. number": "vatCode",
    "registration id": "registrationNumber",
    "registration number": "registrationNumber",
    "business registration number": "registrationNumber",
    "business registration document": "registrationNumber",
    "public registration number": "registrationNumber",
    "company number": "registrationNumber",
    "commercial registry number": "registrationNumber",
    "certificate of incorporation number": "registrationNumber",
    "matricula mercantil no": "registrationNumber",
    "trade license no": "registrationNumber",
    "unified social credit code (uscc)": "registrationNumber",
    "government gazette number": "okpoCode",
    "legal entity number": "leiCode",
    "d-u-n-s number": "dunsCode",
    "swift/bic": "swiftBic",
    "email address": "email",
    "website": "website",
    "phone number": "phone",
    "gender": "gender",
    "nationality country": "nationality",
    "citizenship country": "citizenship",
    "nationality of registration": "jurisdiction",
    "organization established date": "incorporationDate",
    "vessel registration identification": "imoNumber",
    "mmsi": "mmsi",
    "former vessel flag": "pastFlags",
    "other vessel flag": "pastFlags",
    "other vessel call sign": "callSign",
    "other vessel type": "pastTypes",
    "vessel year of build": "buildDate",
    "aircraft construction number (also called l/n or s/n or f/n)": "serialNumber",
    "aircraft manufacturer's serial number (msn)": "serialNumber",
    "aircraft model": "model",
    "aircraft manufacture date": "buildDate",
    "aircraft tail number": "registrationNumber",
    "previous aircraft tail number": "registrationNumber",
}

#: Label prefixes of informational items that qualify the measures, not the party.
PROVISION_PREFIXES = (
    "secondary sanctions risk",
    "additional sanctions information",
    "transactions prohibited",
    "executive order",
    "caatsa",
    "ifca",
    "effective date",
    "listing date",
    "purchase/sales",
)

_DATE_PROPS = frozenset({"incorporationDate", "buildDate"})
_WALLET = "digital currency address"


@dataclass(frozen=True)
class IdItem:
    """One item of the ``ids`` cell: a label, its value and an optional country."""

    label: str
    value: str
    country: str | None = None


def _is_label(text: str) -> bool:
    key = _label_key(text)
    return (
        key in ID_PROPS
        or key.startswith(_WALLET)
        or key.startswith(PROVISION_PREFIXES)
        or text.rstrip().endswith((":", "-"))
    )


def _is_country(text: str) -> bool:
    return len(text) == 2 and text.isalpha() and text.isupper()


def parse_id_item(item: str, label_first: bool) -> IdItem | None:
    """Split ``Type, value[, CC]`` or ``[CC, ]value, Type`` into its parts.

    The label is recognised on either end; ``label_first`` (the file's own
    order) decides only for labels this table does not know.
    """
    parts = [p.strip() for p in item.split(", ")]
    if len(parts) < 2:
        return None
    if _is_label(parts[0]):
        label_first = True
    elif _is_label(parts[-1]):
        label_first = False
    if label_first:
        label, rest = parts[0], parts[1:]
        country = rest.pop() if len(rest) > 1 and _is_country(rest[-1]) else None
    else:
        label, rest = parts[-1], parts[:-1]
        country = rest.pop(0) if len(rest) > 1 and _is_country(rest[0]) else None
    value = ", ".join(rest).strip()
    if not value:
        return None
    return IdItem(label.strip(), value, country)


# --------------------------------------------------------------------- source


@dataclass
class _Group:
    """The rows that make up one target (normally exactly one)."""

    key: str
    source_id: str
    hashed: bool
    rows: list[Row] = field(default_factory=list)


class TradeCslSource(Source):
    """The trade.gov Consolidated Screening List CSV."""

    name = NAME
    title = "US Consolidated Screening List (trade.gov)"
    publisher = "US Department of Commerce, International Trade Administration"
    downloads = (
        Download(
            "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
            "consolidated.csv",
        ),
    )
    file_role = "consolidated"

    def detect(self, directory: Path) -> SourceFiles | None:
        """``consolidated.csv`` if it has a CSL header, else the last ``csl*.csv`` that has.

        One file only: a folder may keep several CSL snapshots side by side, and
        the lexicographically last ``csl*.csv`` is taken as the newest by its name
        (``csl_2019`` < ``csl_2025``); the official download name wins.
        """
        if not directory.is_dir():
            return None
        csvs = sorted(p for p in directory.iterdir() if p.is_file() and _lower(p).endswith(".csv"))
        candidates = [p for p in csvs if _lower(p) == "consolidated.csv"]
        candidates += reversed([p for p in csvs if _lower(p).startswith("csl")])
        for path in candidates:
            if sniff_header(path, ",", REQUIRED_COLUMNS):
                return SourceFiles(self.name, (path,), roles={"consolidated": path})
        return None

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        path = _the_file(files)
        text = read_text(path).translate(_C1)
        groups: dict[str, _Group] = {}
        for row in read_rows(path, text, delimiter=",", required=REQUIRED_COLUMNS, what="CSL"):
            _check_row(path, row)
            group = _group_for(groups, row)
            group.rows.append(row)
        for group in groups.values():
            yield from _emit(path, group)

    def published(self, files: SourceFiles) -> date | None:
        """The CSL states no publication date in the file."""
        return None


def _lower(path: Path) -> str:
    return path.name.lower()


def _the_file(files: SourceFiles) -> Path:
    path = files.roles.get("consolidated") or (files.files[0] if files.files else None)
    if path is None:
        raise SourceError("<none>", "no CSL file given")
    return path


def _check_row(path: Path, row: Row) -> None:
    if clean(row.get("name")) is None:
        raise SourceError(path, "row has no name", line=row.line)
    if clean(row.get("source")) is None:
        raise SourceError(path, "row has no source list", line=row.line)


def _group_for(groups: dict[str, _Group], row: Row) -> _Group:
    """The group of ``row`` by its id: ``_id``, else ``entity_number``, else a name hash."""
    own = clean(row.get("_id")) or clean(row.get("entity_number"))
    if own is not None:
        key, hashed = own, False
    else:
        source = clean(row.get("source")) or ""
        key = f"{source_code(source)}-{name_hash(source, _primary_name(row.get('name'))[0])}"
        hashed = True
    if key not in groups:
        groups[key] = _Group(key=key, source_id=key, hashed=hashed)
    return groups[key]


def _primary_name(value: str) -> tuple[str, str | None]:
    """The name, and the ``; and any successor...`` qualifier ISN names carry."""
    text = clean(value) or ""
    match = _SUCCESSOR.search(text)
    if match is None:
        return text, None
    return text[: match.start()].strip(), match.group(1)


def _schema_of(path: Path, group: _Group) -> str:
    """One schema for the group: the most specific of its rows' types."""
    schema = None
    for row in group.rows:
        written = clean(row.get("type")) or ""
        kind = written.lower()
        if kind not in SCHEMAS:
            log.warning(
                "%s, line %d: unknown CSL type %r, using LegalEntity", path, row.line, written
            )
        name = SCHEMAS.get(kind, "LegalEntity")
        try:
            schema = name if schema is None else model.common_schema(schema, name).name
        except InvalidData:
            raise SourceError(
                path, f"rows of {group.key} disagree on type ({schema} vs {name})", line=row.line
            ) from None
    return schema or "LegalEntity"


def _emit(path: Path, group: _Group) -> Iterator[EntityProxy]:
    target = make_target(_schema_of(path, group), NAME, group.source_id)
    sanctions: dict[str, EntityProxy] = {}
    extras: list[EntityProxy] = []
    for row in group.rows:
        source = clean(row.get("source")) or ""
        code = source_code(source)
        if code not in sanctions:
            sanctions[code] = _new_sanction(target, group, source, code, first=not sanctions)
        sanction = sanctions[code]
        _apply_list(target, sanction, row, code)
        _apply_names(target, row)
        _apply_person(target, row)
        _apply_addresses(target, row, code)
        _apply_vessel(target, row)
        _apply_sanction(path, sanction, row)
        extras.extend(_apply_ids(target, sanction, row, group))
    yield target
    yield from sanctions.values()
    yield from extras


def _new_sanction(
    target: EntityProxy, group: _Group, source: str, code: str, *, first: bool
) -> EntityProxy:
    sanction = make_sanction(target, NAME, group.source_id, authority=source)
    link(sanction, "entity", target)
    if not first:
        sanction.id = entity_id(NAME, group.source_id, "sanction", code)
    if group.hashed:
        # The list has no id for this party; the hash is ours, not the authority's.
        sanction.pop("authorityId")
    sanction.add("programId", code)
    sanction.add("country", "us")
    return sanction


def _apply_list(target: EntityProxy, sanction: EntityProxy, row: Row, code: str) -> None:
    """Which list and programmes: kept on both the target and its sanction."""
    target.add("programId", code)
    target.add("topics", list(TOPICS.get(code, ())))
    programs = split_multi(row.get("programs"))
    target.add("program", programs)
    sanction.add("program", programs)
    number = clean(row.get("entity_number"))
    if number is not None and number not in sanction.get("authorityId"):
        sanction.add("authorityId", number)


def _apply_names(target: EntityProxy, row: Row) -> None:
    name, qualifier = _primary_name(row.get("name"))
    if target.get("name") and name not in target.get("name"):
        target.add("alias", name)
    else:
        target.add("name", name)
    target.add("notes", qualifier)
    for alias in split_multi(row.get("alt_names")):
        if alias not in target.get("name"):
            target.add("alias", alias)
    target.add("notes", clean(row.get("remarks")))
    for column in ("source_list_url", "source_information_url"):
        target.add("sourceUrl", clean(row.get(column)))


def _apply_person(target: EntityProxy, row: Row) -> None:
    for value in split_multi(row.get("dates_of_birth")):
        parsed = partial_date(value)
        if parsed is None:
            target.add("notes", f"Date of birth: {value}")
        else:
            put(target, "birthDate", parsed, "Date of birth")
    for value in split_multi(row.get("places_of_birth")):
        put(target, "birthPlace", value, "Place of birth")
    for value in split_multi(row.get("nationalities")):
        put(target, "nationality", value, "Nationality")
    for value in split_multi(row.get("citizenships")):
        put(target, "citizenship", value, "Citizenship")
    put(target, "position", clean(row.get("title")), "Title")


def _apply_addresses(target: EntityProxy, row: Row, code: str) -> None:
    for address in split_multi(row.get("addresses")):
        country = address_country(address, code)
        target.add("country", country)
        if "," in address or country is None:
            # A bare country code (``IR``) is a country, not an address.
            target.add("address", address)


def _apply_vessel(target: EntityProxy, row: Row) -> None:
    put(target, "callSign", clean(row.get("call_sign")), "Call sign")
    put(target, "type", clean(row.get("vessel_type")), "Vessel type")
    for column, prop in (
        ("gross_tonnage", "tonnage"),
        ("gross_registered_tonnage", "grossRegisteredTonnage"),
    ):
        value = clean(row.get(column))
        put(target, prop, _THOUSANDS.sub("", value) if value else None, column)
    put(target, "flag", clean(row.get("vessel_flag")), "Vessel flag")
    owner = clean(row.get("vessel_owner"))
    if owner is not None:
        target.add("notes", f"Vessel owner: {owner}")


def _apply_sanction(path: Path, sanction: EntityProxy, row: Row) -> None:
    start = clean(row.get("start_date"))
    listed = iso_date(start, _CSL_DATE_FORMATS)
    if start is not None and listed is None:
        log.warning("%s, line %d: start_date %r rejected", path, row.line, start)
    sanction.add("listingDate", listed)
    end = clean(row.get("end_date"))
    ended = future_date(end, _CSL_DATE_FORMATS)
    if end is not None and ended is None:
        log.warning("%s, line %d: end_date %r rejected", path, row.line, end)
    sanction.add("endDate", ended)
    sanction.add("reason", clean(row.get("federal_register_notice")))
    standard = clean(row.get("standard_order"))
    if standard is not None:
        sanction.add("provisions", f"Standard order: {standard.upper()}")
    for column, label in (
        ("license_requirement", "License requirement"),
        ("license_policy", "License policy"),
    ):
        value = clean(row.get(column))
        if value is not None:
            sanction.add("provisions", f"{label}: {value}")
    sanction.add("sourceUrl", clean(row.get("source_list_url")))
    sanction.add("programUrl", clean(row.get("source_information_url")))


def _apply_ids(
    target: EntityProxy,
    sanction: EntityProxy,
    row: Row,
    group: _Group,
) -> list[EntityProxy]:
    """Identifiers to their FtM properties; returns any crypto wallets found.

    Files with an ``_id`` column write ``Type, value``; older ones ``value, Type``.
    """
    label_first = "_id" in row.values
    wallets: list[EntityProxy] = []
    for text in split_multi(row.get("ids")):
        item = parse_id_item(text, label_first)
        if item is None:
            target.add("notes", text)
            continue
        key = _label_key(item.label)
        if key.startswith(_WALLET):
            wallets.append(_wallet(target, group, item))
        elif key.startswith(PROVISION_PREFIXES):
            sanction.add("provisions", f"{item.label.rstrip(' :-')}: {item.value}")
        else:
            _put_id(target, key, item)
    return wallets


def _put_id(target: EntityProxy, key: str, item: IdItem) -> None:
    prop = ID_PROPS.get(key)
    if prop is None:
        prop = "passportNumber" if "passport" in key else None
    if prop is None:
        target.add("notes", f"{item.label}: {item.value}")
        return
    value: str | None = item.value
    if prop in _DATE_PROPS:
        value = partial_date(item.value) or iso_date(item.value, ("%d %b %Y",))
        if value is None:
            target.add("notes", f"{item.label}: {item.value}")
            return
    put(target, prop, value, item.label)


def _wallet(target: EntityProxy, group: _Group, item: IdItem) -> EntityProxy:
    currency = item.label.rsplit("-", 1)[-1].strip().upper()
    wallet = make_entity("CryptoWallet", NAME, group.source_id, "wallet", item.value)
    wallet.add("publicKey", item.value)
    wallet.add("currencySymbol", currency)
    link(wallet, "holder", target)
    return wallet


US_TRADE_CSL = TradeCslSource()
SOURCES = (US_TRADE_CSL,)

__all__ = [
    "NAME",
    "OTHER",
    "SOURCES",
    "SOURCE_CODES",
    "TOPICS",
    "US_STATES",
    "US_TRADE_CSL",
    "IdItem",
    "Row",
    "TradeCslSource",
    "link",
    "parse_id_item",
    "read_rows",
    "read_text",
    "sniff_header",
    "source_code",
    "split_multi",
]
