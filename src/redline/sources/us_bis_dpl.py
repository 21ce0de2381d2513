"""US BIS Denied Persons List, the ``dpl.txt`` download.

Tab-separated, every field double-quoted, with a header row.  The list is
address-oriented: a denied party appears once per address (581 rows for 459
parties in the 2022 file), so rows are grouped into one target per party.

Identity.  The list has no id column, and the name is the only field that all of
a party's rows share: addresses, citations, actions and even the effective date
differ between its rows (``I. ASH`` has rows under a 2002 and a 2003 order).  The
key is therefore the name with white space collapsed and case folded (the file
has ``" I. ASH"`` and ``"DIETER ENDERLEIN "``), and the entity id is a 16-hex
SHA-1 digest of that key: stable across versions as long as BIS does not re-spell
the name, safe in URLs, and free of the collisions a slug would have
(``AL-NASER AIRLINES`` and ``AL NASER AIRLINES`` are separate entries).  Spelling
variants BIS lists as separate entries stay separate targets, as BIS lists them.

Schema.  The DPL does not say whether a party is a person or a company.  A target
is typed only on positive evidence in its name: a legal form (``INC``, ``LLC``,
``GMBH``, ``S.A.``...) makes a ``Company``; another organisation word
(``AIRLINES``, ``TRADING``, ``TECHNOLOGY``...) an ``Organization``; an honorific or
generational suffix (``MR.``, ``CAPTAIN``, ``JR.``) a ``Person``.  Everything else
stays ``LegalEntity``, as the CSL types DPL rows.  For screening the cost of a
wrong guess is asymmetric: a company typed ``Person`` cannot match a company query
(FtM's schemas are incompatible), while a ``LegalEntity`` matches both people and
organisations.  So the parser never guesses ``Person`` from a name merely looking
personal.

Dates: ``Effective_Date``/``Expiration_Date`` are ``MM/DD/YYYY``, ``Last_Update`` is
``YYYY-MM-DD``.  Impossible years (``2922-09-01``, ``3017-08-22``, ``0222-05-18``)
are rejected and logged, never stored.  An empty ``Country`` is read as ``us``
only when ``State`` is a US state or territory code; the file also has Cyprus
(``CY``) and Russia (``RS``) in the State column and ``NM`` in the Country column,
which are not guessed at beyond that rule (``NM`` is New Mexico, so ``us``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy, registry

from redline.sources.base import Download, Source, SourceError, SourceFiles
from redline.sources.us_trade_csl import (
    US_STATES,
    Row,
    future_date,
    link,
    name_hash,
    read_rows,
    read_text,
    sniff_header,
)
from redline.sources.util import clean, iso_date, make_sanction, make_target

log = logging.getLogger(__name__)

NAME = "us_bis_dpl"
AUTHORITY = "US Department of Commerce, Bureau of Industry and Security"
PROGRAM = "Denied Persons List"
PROGRAM_ID = "DPL"
LIST_URL = (
    "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/"
    "denied-persons-list"
)

COLUMNS = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)

_US_DATE = ("%m/%d/%Y",)
_ISO_DATE = ("%Y-%m-%d",)

#: Legal-form tokens (after dots are dropped): the party is a company.
LEGAL_FORMS = frozenset(
    {
        "INC", "INCORPORATED", "LLC", "LTD", "LIMITED", "CO", "COMPANY", "CORP",
        "CORPORATION", "GMBH", "AG", "AB", "SA", "SL", "SRL", "SARL", "BV", "NV", "PLC",
        "LLP", "PVT", "PTE", "JSC", "PJSC", "OJSC", "CJSC", "OAO", "ZAO", "OOO", "FZC",
        "FZE", "FZCO", "ANSTALT", "SPA", "KG", "OY", "AS",
    }
)  # fmt: skip

#: Other organisation words: the party is an organisation of some kind.
ORG_WORDS = frozenset(
    {
        "AIR", "AIRLINES", "AIRWAYS", "AVIATION", "AEROCARGO", "TRADING", "TRADE",
        "TRANSPORT", "TRANSPORTATION", "TRANSPORTE", "INTERNATIONAL", "GROUP",
        "ENTERPRISE", "ENTERPRISES", "INDUSTRIES", "INDUSTRIE", "INDUSTRIAL",
        "ENGINEERING", "ELECTRONICS", "ELECTRONIC", "TECHNOLOGY", "TECHNOLOGIES", "TECH",
        "TECHNIK", "SOLUTIONS", "SYSTEMS", "SERVICES", "SERVICE", "COMPUTERS", "METALS",
        "MACHINERY", "SUPPLY", "EQUIPMENT", "MANUFACTURING", "PRODUCTS", "EXPORT",
        "IMPORT", "CONTRACTING", "CONSTRUCTION", "MANAGEMENT", "MICROWAVE", "REFINING",
        "FIBERS", "NONWOVENS", "VERTRIEBS", "HANDEL", "INVEST", "EMPRESA", "COMMERCIO",
        "ASSOCIATES", "PARTNERS", "HOLDING", "HOLDINGS", "BANK", "UNIVERSITY",
        "INSTITUTE", "FOUNDATION", "RESULTS", "MARITIME", "SHIPPING", "LOGISTICS",
    }
)  # fmt: skip

#: Honorifics and generational suffixes: the party is a natural person.
PERSON_WORDS = frozenset(
    {"MR", "MRS", "MS", "DR", "PROF", "PROFESSOR", "CAPTAIN", "COLONEL", "JR", "SR", "II", "III"}
)

_TOKEN = re.compile(r"[A-Z0-9&]+")
_DOMAIN = re.compile(r"\.(NET|COM|ORG)\b")
_AKA = re.compile(r"\s+(?:A/K/A|D/B/A)\s+")
_AKA_BRACKET = re.compile(r"\s*\(A\.?K\.?A\.?\s+([^()]+)\)\s*")


def classify(name: str) -> str:
    """FtM schema for a DPL name, on positive evidence only (see module docs)."""
    upper = name.upper()
    tokens = set(_TOKEN.findall(upper.replace(".", "")))
    if tokens & LEGAL_FORMS:
        return "Company"
    if tokens & ORG_WORDS or _DOMAIN.search(upper):
        return "Organization"
    if tokens & PERSON_WORDS:
        return "Person"
    return "LegalEntity"


def party_key(name: str) -> str:
    """The grouping key of a DPL name: white space collapsed, case folded."""
    return " ".join(name.split()).casefold()


def split_names(name: str) -> tuple[str, list[str]]:
    """The primary name and the aliases spelled into it (``X A/K/A Y``, ``X (A.K.A. Y) Z``)."""
    aliases: list[str] = []
    match = _AKA_BRACKET.search(name)
    if match is not None:
        aliases.append(match.group(1).strip())
        name = " ".join(_AKA_BRACKET.sub(" ", name).split())
    parts = _AKA.split(name)
    return parts[0].strip(), aliases + [p.strip() for p in parts[1:] if p.strip()]


def row_country(row: Row) -> str | None:
    """Country code of a row; an empty Country with a US state code means ``us``."""
    country = clean(row.get("Country"))
    state = (clean(row.get("State")) or "").upper()
    if country is not None:
        code: str | None = registry.country.clean(country)
        if code is None and country.upper() in US_STATES:
            return "us"
        return code
    return "us" if state in US_STATES else None


def row_address(row: Row) -> str | None:
    """The address as one string, in the file's own order of parts."""
    parts = [
        clean(row.get(column))
        for column in ("Street_Address", "City", "State", "Postal_Code", "Country")
    ]
    text = ", ".join(p for p in parts if p)
    return text or None


@dataclass
class _Party:
    """All rows of one denied party."""

    key: str
    name: str
    rows: list[Row] = field(default_factory=list)


class DeniedPersonsSource(Source):
    """BIS Denied Persons List (``dpl.txt``)."""

    name = NAME
    title = "US BIS Denied Persons List"
    publisher = AUTHORITY
    downloads = (Download("https://www.bis.doc.gov/dpl/dpl.txt", "dpl.txt"),)
    file_role = "dpl"

    def detect(self, directory: Path) -> SourceFiles | None:
        """``dpl.txt`` (any case) whose first line is the DPL header."""
        if not directory.is_dir():
            return None
        for path in sorted(directory.iterdir()):
            named = path.is_file() and path.name.lower() == "dpl.txt"
            if named and sniff_header(path, "\t", COLUMNS):
                return SourceFiles(self.name, (path,), roles={"dpl": path})
        return None

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        path = _the_file(files)
        parties: dict[str, _Party] = {}
        for row in _rows(path):
            name = clean(row.get("Name"))
            if name is None:
                raise SourceError(path, "row has no name", line=row.line)
            key = party_key(name)
            party = parties.setdefault(key, _Party(key=key, name=name))
            party.rows.append(row)
        for party in parties.values():
            yield from _emit(path, party)

    def published(self, files: SourceFiles) -> date | None:
        """The latest plausible ``Last_Update`` in the file."""
        path = _the_file(files)
        latest: str | None = None
        for row in _rows(path):
            updated = iso_date(row.get("Last_Update"), _ISO_DATE)
            if updated is not None and (latest is None or updated > latest):
                latest = updated
        return date.fromisoformat(latest) if latest else None


def _the_file(files: SourceFiles) -> Path:
    path = files.roles.get("dpl") or (files.files[0] if files.files else None)
    if path is None:
        raise SourceError("<none>", "no DPL file given")
    return path


def _rows(path: Path) -> Iterator[Row]:
    text = read_text(path)
    yield from read_rows(path, text, delimiter="\t", required=COLUMNS, what="BIS DPL file")


def _emit(path: Path, party: _Party) -> Iterator[EntityProxy]:
    source_id = party.name
    target = make_target(classify(party.name), NAME, name_hash(party.key))
    target.context["source_id"] = source_id
    primary, aliases = split_names(party.name)
    target.add("name", primary)
    target.add("alias", aliases)
    target.add("programId", PROGRAM_ID)
    target.add("program", PROGRAM)
    target.add("topics", ["export.control", "debarment"])
    target.add("sourceUrl", LIST_URL)
    sanction = make_sanction(target, NAME, name_hash(party.key), authority=AUTHORITY)
    link(sanction, "entity", target)
    # The DPL has no list id; the digest is ours, not BIS's.
    sanction.pop("authorityId")
    sanction.add("program", PROGRAM)
    sanction.add("programId", PROGRAM_ID)
    sanction.add("country", "us")
    sanction.add("sourceUrl", LIST_URL)
    for row in party.rows:
        target.add("address", row_address(row))
        target.add("country", row_country(row))
        _apply_sanction(path, sanction, row)
    yield target
    yield sanction


def _apply_sanction(path: Path, sanction: EntityProxy, row: Row) -> None:
    sanction.add("listingDate", _date(path, row, "Effective_Date", future=False))
    sanction.add("endDate", _date(path, row, "Expiration_Date", future=True))
    sanction.add("modifiedAt", _date(path, row, "Last_Update", future=False))
    sanction.add("reason", clean(row.get("FR_Citation")))
    sanction.add("provisions", clean(row.get("Action")))
    standard = clean(row.get("Standard_Order"))
    if standard is not None:
        sanction.add("provisions", f"Standard order: {standard.upper()}")


def _date(path: Path, row: Row, column: str, *, future: bool) -> str | None:
    """A row's date as ISO, or ``None`` (logged) for a typo such as ``2922-09-01``."""
    value = clean(row.get(column))
    formats = _ISO_DATE if column == "Last_Update" else _US_DATE
    parsed = future_date(value, formats) if future else iso_date(value, formats)
    if value is not None and parsed is None:
        log.warning("%s, line %d: %s %r rejected", path, row.line, column, value)
    return parsed


US_BIS_DPL = DeniedPersonsSource()
SOURCES = (US_BIS_DPL,)

__all__ = [
    "NAME",
    "SOURCES",
    "US_BIS_DPL",
    "DeniedPersonsSource",
    "classify",
    "party_key",
    "row_country",
    "split_names",
]
