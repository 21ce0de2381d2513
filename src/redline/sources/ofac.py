"""US Treasury OFAC sanctions lists in their legacy CSV edition.

OFAC publishes the SDN list and the Consolidated (non-SDN) lists as four CSV files
each, with one shared layout (no header row):

* primary (``sdn.csv`` / ``cons_prim.csv``): ``ent_num, SDN_Name, SDN_Type, Program,
  Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks``
* addresses (``add.csv`` / ``cons_add.csv``): ``ent_num, add_num, address,
  city/state/postal, country, remarks``
* alternate names (``alt.csv`` / ``cons_alt.csv``): ``ent_num, alt_num, alt_type,
  alt_name, remarks``
* remarks overflow (``sdn_comments.csv`` / ``cons_comments.csv``): ``ent_num,
  remarks continuation``

Only the primary file is required; the other three enrich the entries when present.
Most of the structured data (dates of birth, passports, IMO numbers, crypto
addresses...) lives in the free-text ``Remarks`` column, which :func:`parse_remarks`
takes apart.  The whole remarks text is always kept in ``notes`` as well, so nothing
the parser does not understand is lost.

OFAC gives programmes only as codes (``SDGT``, ``IRAN-EO13846``), so ``program``
and ``programId`` carry the same codes; ``authorityId`` is the ``ent_num``.

Format pitfalls handled here: the ``-0-`` null marker (with a trailing space), CRLF
line ends, the Ctrl-Z byte (0x1A) that ends most files, programmes joined by
``] [``, remarks cut at exactly 1,000 characters and continued mid-word in the
comments file, tonnages with thousands separators, and add/alt/comments files from a
different day than the primary file (orphan rows are tolerated and counted in the log).
"""

from __future__ import annotations

import csv
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from followthemoney import EntityProxy
from followthemoney.types import registry

from redline.sources.base import Download, Source, SourceError, SourceFiles, make_entity
from redline.sources.util import clean, make_sanction, make_target, plausible_year

log = logging.getLogger(__name__)

BASE_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
AUTHORITY = "US Treasury OFAC"
PUBLISHER = "US Treasury, Office of Foreign Assets Control"

#: OFAC cuts ``Remarks`` at this many characters and continues in the comments file.
REMARKS_LIMIT = 1000

#: Roles of the four files and the number of columns each must have.
PRIM, ADD, ALT, COMMENTS = "prim", "add", "alt", "comments"
COLUMNS = {PRIM: 12, ADD: 6, ALT: 5, COMMENTS: 2}

#: ``SDN_Type`` to FtM schema.  An empty type (``-0-``) is an "entity": see
#: :func:`schema_for_type` for why that is an Organization.
_SCHEMATA = {
    "individual": "Person",
    "vessel": "Vessel",
    "aircraft": "Airplane",
    None: "Organization",
}

#: alt.csv ``alt_type`` to the FtM name property.  OFAC's alt.csv holds only its
#: normal-strength names (its "weak" a.k.a.s are in the remarks, see parse_remarks).
_ALT_TYPES = {"aka": "alias", "fka": "previousName", "nka": "alias"}

#: Identifiers only a Company has in FtM: an entity with one of them is a Company.
_COMPANY_ONLY = frozenset({"isinCode", "ticker", "bikCode"})

#: Programmes whose listings mean terrorism; the target gets topic ``crime.terror``.
_TERROR_PROGRAMS = frozenset({"SDGT", "SDT", "FTO"})


# --------------------------------------------------------------------------- remarks


@dataclass
class Remarks:
    """What :func:`parse_remarks` found in one remarks text.

    ``values`` maps FtM property names (of the target) to values, ``sanction`` maps
    ``Sanction`` property names to values, ``wallets`` holds ``(currency, address)``
    pairs and ``other`` the segments that carry no identifier (``Linked To: ...``,
    free text) and stay in the notes only.
    """

    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sanction: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    wallets: list[tuple[str, str]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def add(self, prop: str, value: str | None) -> None:
        if value and value not in self.values[prop]:
            self.values[prop].append(value)


#: Labels followed by an identifier, e.g. ``Passport A123 (Iran) issued 2001``.
_IDENTIFIER_LABELS: dict[str, str] = {
    # Personal documents.
    "Passport": "passportNumber",
    "Passport No.": "passportNumber",
    "Passport Booklet": "passportNumber",
    "Diplomatic Passport": "passportNumber",
    "British National Overseas Passport": "passportNumber",
    "Stateless Person Passport": "passportNumber",
    "SSN": "socialSecurityNumber",
    "National ID No.": "idNumber",
    "Cedula No.": "idNumber",
    "Identification Number": "idNumber",
    "Personal ID Card": "idNumber",
    "National Foreign ID Number": "idNumber",
    "C.U.R.P.": "idNumber",
    "D.N.I.": "idNumber",
    "C.U.I.": "idNumber",
    "C.U.I.P.": "idNumber",
    "I.F.E.": "idNumber",
    "N.I.E.": "idNumber",
    "Credencial electoral": "idNumber",
    "Electoral Registry No.": "idNumber",
    "Driver's License No.": "idNumber",
    "Birth Certificate Number": "idNumber",
    "Residency Number": "idNumber",
    "Turkish Identification Number": "idNumber",
    "Numero de Identidad": "idNumber",
    "Citizen's Card Number": "idNumber",
    "Kenyan ID No.": "idNumber",
    "Tazkira National ID Card": "idNumber",
    "Refugee ID Card": "idNumber",
    "UAE Identification": "idNumber",
    "Cartilla de Servicio Militar Nacional": "idNumber",
    "VisaNumberID": "idNumber",
    "Travel Document Number": "idNumber",
    "Permit Number": "idNumber",
    "SRE Permit No.": "idNumber",
    "Immigration No.": "idNumber",
    "Bosnian Personal ID No.": "idNumber",
    "Moroccan Personal ID No.": "idNumber",
    "CNP (Personal Numerical Code)": "idNumber",
    "Stateless Person ID Card": "idNumber",
    "Military Registration Number": "idNumber",
    "Seafarer's Identification Document": "idNumber",
    "Romanian Permanent Resident CAN": "idNumber",
    "Public Security and Immigration No.": "idNumber",
    # Tax numbers.
    "Tax ID No.": "taxNumber",
    "R.F.C.": "taxNumber",
    "RFC": "taxNumber",
    "NIT": "taxNumber",
    "RUC": "taxNumber",
    "RIF": "taxNumber",
    "C.U.I.T.": "taxNumber",
    "RTN": "taxNumber",
    "C.I.F.": "taxNumber",
    "N.I.F.": "taxNumber",
    "US FEIN": "taxNumber",
    "Italian Fiscal Code": "taxNumber",
    "Fiscal Code": "taxNumber",
    "Romanian Tax Registration": "taxNumber",
    "Paraguayan tax identification number": "taxNumber",
    "RSIN": "taxNumber",
    "Numero Unico de Identificacao Tributaria (NUIT)": "taxNumber",
    "V.A.T. Number": "vatCode",
    # Company and registry numbers.
    "Registration Number": "registrationNumber",
    "Registration ID": "registrationNumber",
    "Business Registration Number": "registrationNumber",
    "Business Registration Document": "registrationNumber",
    "Company Number": "registrationNumber",
    "UK Company Number": "registrationNumber",
    "Commercial Registry Number": "registrationNumber",
    "Folio Mercantil No.": "registrationNumber",
    "Matricula Mercantil No": "registrationNumber",
    "C.R. No.": "registrationNumber",
    "Romanian C.R.": "registrationNumber",
    "Chamber of Commerce Number": "registrationNumber",
    "Istanbul Chamber of Comm. No.": "registrationNumber",
    "Dubai Chamber of Commerce Membership No.": "registrationNumber",
    "Trade License No.": "registrationNumber",
    "Public Registration Number": "registrationNumber",
    "Central Registration System Number": "registrationNumber",
    "Business Number": "registrationNumber",
    "Enterprise Number": "registrationNumber",
    "Branch Unit Number": "registrationNumber",
    "Registered Charity No.": "registrationNumber",
    "LE Number": "registrationNumber",
    "Certificate of Incorporation Number": "registrationNumber",
    "Economic Register Number (CBLS)": "registrationNumber",
    "Registration Certificate Number (Dubai)": "registrationNumber",
    "C.I.N.": "registrationNumber",
    "Company ID: No.": "registrationNumber",
    "MSB Registration Number": "registrationNumber",
    "File Number": "registrationNumber",
    "Organization Code": "registrationNumber",
    # An LEI when it has the ISO 17442 shape, else a national number (see below).
    "Legal Entity Number": "leiCode",
    "Russian State Individual Business Registration Number Pattern (OGRNIP)": "registrationNumber",
    "Government Gazette Number": "okpoCode",
    "Unified Social Credit Code (USCC)": "uscCode",
    "United Social Credit Code Certificate (USCCC)": "uscCode",
    "License": "licenseNumber",
    "Afghan Money Service Provider License Number": "licenseNumber",
    "Tourism License No.": "licenseNumber",
    "Pilot License Number": "licenseNumber",
    "D-U-N-S Number": "dunsCode",
    "SWIFT/BIC": "swiftBic",
    "BIK (RU)": "bikCode",
    "ISIN": "isinCode",
    "Identification Number ISIN": "isinCode",
    "Equity Ticker": "ticker",
    # Vessels and aircraft.
    "Vessel Registration Identification IMO": "imoNumber",
    "Identification Number IMO": "imoNumber",
    "Company Number IMO": "imoNumber",
    "International Maritime Organization No.": "imoNumber",
    "MMSI": "mmsi",
    "Vessel Registration Identification": "registrationNumber",
    "Other Vessel Call Sign": "callSign",
    "Aircraft Manufacturer's Serial Number (MSN)": "serialNumber",
    "Aircraft Serial Identification": "serialNumber",
    "Aircraft Tail Number": "registrationNumber",
    "Previous Aircraft Tail Number": "registrationNumber",
}

#: Labels followed by contact data, kept verbatim apart from phone normalisation.
_CONTACT_LABELS: dict[str, str] = {
    "Email Address": "email",
    "Email": "email",
    "Website": "website",
    "Phone Number": "phone",
    "Phone No.": "phone",
    "Phone": "phone",
    "Telephone": "phone",
    "Telephone No.": "phone",
    "Telephone Number": "phone",
    "Alt. Telephone": "phone",
}

#: Labels followed by a country name.
_COUNTRY_LABELS: dict[str, str] = {
    "nationality": "nationality",
    "citizen": "citizenship",
    "Nationality of Registration": "jurisdiction",
    "Former Vessel Flag": "pastFlags",
    "Other Vessel Flag": "flag",
}

#: Labels followed by a date, a partial date or a range of dates.
_DATE_LABELS: dict[str, str] = {
    "DOB": "birthDate",
    "Organization Established Date": "incorporationDate",
    "Vessel Year of Build": "buildDate",
    "Aircraft Manufacture Date": "buildDate",
}

#: Labels followed by free text that has its own FtM property.
_TEXT_LABELS: dict[str, str] = {
    "POB": "birthPlace",
    "Organization Type": "sector",
    "Target Type": "classification",
    "Position": "position",
    "Aircraft Model": "model",
    "Other Vessel Type": "type",
    # CMIC listings give the names the securities are issued under.
    "Issuer Name": "alias",
}

#: Segments about the sanction rather than the subject: kept as Sanction provisions.
_PROVISION_PREFIXES = (
    "Additional Sanctions Information",
    "Secondary sanctions risk",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions",
    "Executive Order",
    "CAATSA Section",
    "IFCA Determination",
    "Purchase/Sales For Divestment Date",
    "Listing Date",
    "Effective Date",
)

_PROVISION = re.compile("|".join(re.escape(prefix) for prefix in _PROVISION_PREFIXES), re.I)

_TAX_PROPS = frozenset({"taxNumber"})
_REGISTRY_PROPS = frozenset({"registrationNumber"})


class _Labels:
    """A table of ``LABEL value`` segments: label (any case) to FtM property."""

    def __init__(self, table: dict[str, str]) -> None:
        self.props = {label.lower(): prop for label, prop in table.items()}
        # The longest label wins: ``Passport No.`` over ``Passport``.
        ordered = sorted(table, key=len, reverse=True)
        alternatives = "|".join(re.escape(label) for label in ordered)
        self.regex = re.compile(
            rf"^(?P<label>{alternatives})\s*[:#]?\s*[:#]?\s+(?P<value>\S.*)$", re.I
        )

    def match(self, segment: str) -> tuple[str, str] | None:
        """The property and the value of ``segment``, if its label is in the table."""
        found = self.regex.match(segment)
        if found is None:
            return None
        return self.props[found.group("label").lower()], found.group("value").strip()


_IDENTIFIERS = _Labels(_IDENTIFIER_LABELS)
_CONTACTS = _Labels(_CONTACT_LABELS)
_COUNTRIES = _Labels(_COUNTRY_LABELS)
_DATES = _Labels(_DATE_LABELS)
_TEXTS = _Labels(_TEXT_LABELS)

_SEGMENT_SPLIT = re.compile(r";\s*")
_ALT_PREFIX = re.compile(r"^alt\.\s+", re.I)
_NAME_REMARK = re.compile(r"^(?P<kind>[afn])\.k\.a\.,?\s*(?P<name>.+)$", re.I)
_WALLET = re.compile(r"^Digital Currency Address\s*-\s*(?P<currency>[A-Za-z0-9]+)\s+(?P<addr>\S+)$")
_GENDER = re.compile(r"^Gender\s+(?P<gender>Male|Female)$", re.I)
_LEI = re.compile(r"[0-9A-Z]{18}[0-9]{2}")
_DATE_IN_TEXT = re.compile(r"(\d{1,2} [A-Z][a-z]{2} \d{4}|[A-Z][a-z]{2} \d{4}|\d{4})\s*$")


def parse_remarks(text: str | None) -> Remarks:
    """Take the ``;``-separated remarks of one OFAC entry apart.

    Each segment is matched against the label tables above (``DOB ...``,
    ``Passport ...``, ``Digital Currency Address - XBT ...``, ``a.k.a. '...'``).  A
    leading ``alt.`` (OFAC's "another value of the same kind") is dropped.  Values
    go under the FtM property they belong to; the caller applies only those the
    target's schema has (see :data:`_FALLBACKS`).

    ``a.k.a.`` names in the remarks are OFAC's *weak* a.k.a.s (OFAC FAQ 90: weak
    aliases appear only in the remarks, never in alt.csv; the 2021 files confirm it:
    none of the 2,439 remark names is also in alt.csv), so they become
    ``weakAlias``; ``f.k.a.`` ones become ``previousName``.
    """
    result = Remarks()
    body = clean(text)
    if body is None:
        return result
    for raw in _SEGMENT_SPLIT.split(body.rstrip(".")):
        segment = _ALT_PREFIX.sub("", raw.strip()).strip()
        if segment and not _parse_segment(segment, result):
            result.other.append(segment)
    return result


def _parse_segment(segment: str, result: Remarks) -> bool:
    """Record one segment in ``result``; ``False`` if it carries no structured value."""
    parsers = (
        _parse_name,
        _parse_wallet,
        _parse_gender,
        _parse_provision,
        _parse_date,
        _parse_country,
        _parse_contact,
        _parse_identifier,
        _parse_text,
    )
    return any(parser(segment, result) for parser in parsers)


def _parse_name(segment: str, result: Remarks) -> bool:
    match = _NAME_REMARK.match(segment)
    if match is None:
        return False
    name = match.group("name").strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        name = name[1:-1]
    # OFAC writes a weak name in LAST, First form as 'ABU-AL-KARKH', 'Yusuf'.
    name = name.replace("', '", ", ")
    prop = "previousName" if match.group("kind").lower() == "f" else "weakAlias"
    result.add(prop, clean(name))
    return True


def _parse_wallet(segment: str, result: Remarks) -> bool:
    match = _WALLET.match(segment)
    if match is None:
        return False
    result.wallets.append((match.group("currency").upper(), match.group("addr")))
    return True


def _parse_gender(segment: str, result: Remarks) -> bool:
    match = _GENDER.match(segment)
    if match is None:
        return False
    result.add("gender", match.group("gender").lower())
    return True


def _parse_provision(segment: str, result: Remarks) -> bool:
    """Secondary-sanctions notes, directive dates: they describe the listing."""
    if _PROVISION.match(segment) is None:
        return False
    lowered = segment.lower()
    result.sanction["provisions"].append(segment)
    date_match = _DATE_IN_TEXT.search(segment)
    if date_match is not None:
        if lowered.startswith("listing date"):
            result.sanction["listingDate"].extend(parse_dates(date_match.group(1)))
        elif lowered.startswith("effective date"):
            result.sanction["startDate"].extend(parse_dates(date_match.group(1)))
    return True


def _parse_date(segment: str, result: Remarks) -> bool:
    found = _DATES.match(segment)
    if found is None:
        return False
    prop, value = found
    dates = parse_dates(value)
    for iso in dates:
        result.add(prop, iso)
    # An unreadable date is not structured data: leave the segment to the notes.
    return bool(dates)


def _parse_country(segment: str, result: Remarks) -> bool:
    found = _COUNTRIES.match(segment)
    if found is None:
        return False
    prop, value = found
    code = country_code(value)
    result.add(prop, code)
    return code is not None


def _parse_contact(segment: str, result: Remarks) -> bool:
    found = _CONTACTS.match(segment)
    if found is None:
        return False
    prop, value = found
    result.add(prop, normalise_phone(value) if prop == "phone" else value)
    return True


def _parse_identifier(segment: str, result: Remarks) -> bool:
    found = _IDENTIFIERS.match(segment)
    if found is None:
        return False
    prop, value = found
    number, country = split_identifier(value)
    if number is None:
        return False
    if prop == "imoNumber":
        digits = re.search(r"\d{7}", number)
        number = digits.group(0) if digits else number
    if prop == "leiCode" and not _LEI.fullmatch(number):
        prop = "registrationNumber"
    result.add(prop, number)
    _add_russian_codes(prop, number, country, result)
    return True


def _parse_text(segment: str, result: Remarks) -> bool:
    found = _TEXTS.match(segment)
    if found is None:
        return False
    prop, value = found
    result.add(prop, clean(value))
    return True


def _add_russian_codes(prop: str, number: str, country: str | None, result: Remarks) -> None:
    """Russian tax and registry numbers are INN and OGRN codes, which FtM keeps apart."""
    if country != "ru" or not number.isdigit():
        return
    if prop in _TAX_PROPS and len(number) in (10, 12):
        result.add("innCode", number)
    elif prop in _REGISTRY_PROPS and len(number) in (13, 15):
        result.add("ogrnCode", number)


_TRAILING_DATES = re.compile(r"\s*,?\s+\b(issued|expires|expired)\b.*$", re.I)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")


def split_identifier(value: str) -> tuple[str | None, str | None]:
    """``A123 (Iran) issued 01 Jan 2001`` -> ``("A123", "ir")``.

    Issue and expiry dates are dropped from the number (they stay in the notes);
    trailing parenthesised groups are the issuing country and, sometimes, a place
    or register (``HRA 738077 (Stuttgart) (Germany)``).  A value that is only a
    parenthesised number (``(5777731)``) is unwrapped.
    """
    text = _TRAILING_DATES.sub("", value).strip()
    country: str | None = None
    while True:
        match = _TRAILING_PAREN.search(text)
        if match is None or match.start() == 0:
            break
        if country is None:
            country = country_code(match.group(1))
        text = text[: match.start()].strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return clean(text.strip(" ,:#")), country


# --------------------------------------------------------------------------- values

_MONTH_FORMATS = ("%d %b %Y", "%b %Y", "%Y")
_ISO_LENGTH = {"%d %b %Y": 10, "%b %Y": 7, "%Y": 4}
_RANGE = re.compile(r"^(?P<start>.+?)\s*(?:\bto\b|-)\s*(?P<end>\d.*|[A-Z][a-z]{2} \d{4})$")
#: Ranges wider than this are stored by their end points only.
_MAX_RANGE_YEARS = 20


def parse_dates(value: str) -> list[str]:
    """OFAC date text to ISO dates (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).

    Forms seen in the files: ``10 Oct 1952``, ``Oct 1952``, ``1952``,
    ``circa 1952``, ``01 Jan 1950 to 31 Dec 1952``, ``Mar 1962 to Feb 1963`` and
    ``circa 1979-1982``.  FtM has no date ranges, so a range becomes every year it
    covers, at year precision (a matcher then accepts any date in those years);
    "circa" is dropped, the year is what OFAC gives.
    """
    return list(_parse_dates(value))


@lru_cache(maxsize=8192)
def _parse_dates(value: str) -> tuple[str, ...]:
    """:func:`parse_dates`, cached: a few thousand distinct dates recur on 15k entries."""
    text = clean(value)
    if text is None:
        return ()
    text = re.sub(r"^(circa|approximately|approx\.)\s+", "", text, flags=re.I).rstrip(".")
    single = _one_date(text)
    if single is not None:
        return (single,)
    match = _RANGE.match(text)
    if match is None:
        return ()
    start, end = _one_date(match.group("start")), _one_date(match.group("end"))
    if start is None or end is None:
        return ()
    first, last = int(start[:4]), int(end[:4])
    if first > last:
        return ()
    if last - first > _MAX_RANGE_YEARS:
        return (start[:4], end[:4])
    return tuple(str(year) for year in range(first, last + 1))


def _one_date(text: str) -> str | None:
    for fmt in _MONTH_FORMATS:
        try:
            parsed = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        if not plausible_year(parsed.year):
            return None
        return parsed.date().isoformat()[: _ISO_LENGTH[fmt]]
    return None


#: OFAC country spellings FtM does not know.
_COUNTRY_FIXES = {
    "northern gaza": "ps",
    "north gaza": "ps",
    "gaza strip": "ps",
    "bosnia-herzegovina": "ba",
}


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """An OFAC country name (``Korea, North``, ``Region: Crimea``) as an ISO-like code.

    FtM drops country values it cannot read, so names are converted here and the
    few OFAC spellings it does not know are mapped by hand.  ``undetermined``,
    ``None Identified`` and unknown regions give ``None``.
    """
    text = clean(value)
    if text is None:
        return None
    text = re.sub(r"^(Region:|possibly)\s*", "", text, flags=re.I)
    fixed = _COUNTRY_FIXES.get(text.lower())
    if fixed is not None:
        return fixed
    code = registry.country.clean(text)
    return str(code) if code else None


def normalise_phone(value: str) -> str:
    """OFAC writes international numbers without ``+`` (``982188526300``) or with
    ``00``; FtM rejects those, so they get the ``+`` back.  Other text is returned
    unchanged."""
    digits = re.sub(r"[\s().-]", "", value)
    if digits.startswith("+") and digits[1:].isdigit():
        return digits
    if not digits.isdigit() or len(digits) < 8:
        return value
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return value
    return "+" + digits


def split_programs(value: str | None) -> list[str]:
    """``IRAN] [SDGT] [IRGC`` -> ``["IRAN", "SDGT", "IRGC"]``."""
    text = clean(value)
    if text is None:
        return []
    programs = (clean(part.strip("[] ")) for part in text.split("] ["))
    return [p for p in programs if p]


def tonnage(value: str | None) -> str | None:
    """``56,068`` -> ``56068``; FtM numbers take no thousands separators."""
    text = clean(value)
    if text is None:
        return None
    return text.replace(",", "")


def schema_for_type(sdn_type: str | None) -> str | None:
    """The FtM schema of an OFAC ``SDN_Type``; ``None`` if the type is unknown.

    OFAC's ``-0-`` type ("entity") covers companies, banks, ministries, militias,
    terrorist groups and political parties alike.  ``Organization`` fits all of
    them and carries every identifier OFAC gives for entities (registration, tax,
    SWIFT, IMO company numbers...).  ``Company`` would claim a legal form OFAC does
    not state, and ``LegalEntity`` would make entities matchable against persons
    and lose Organization-only properties such as ``imoNumber``.  The one exception
    is made by the caller: an entity whose remarks give securities or bank codes
    (ISIN, ticker, BIK), which FtM keeps on ``Company`` only, is a ``Company``.
    """
    return _SCHEMATA.get(clean(sdn_type.lower()) if sdn_type else None)


# --------------------------------------------------------------------------- CSV


def _lines(path: Path, role: str) -> Iterator[str]:
    """The decoded lines of ``path``, without the Ctrl-Z byte that ends OFAC files.

    Lines are decoded one by one so that an encoding error names its exact line.
    A 0x1A anywhere but at the very end is refused, and so is XML on line 1 (the
    cheapest way to tell an ``sdn.xml`` or a UN list given under a CSV name).
    """
    with path.open("rb") as handle:
        pending: str | None = None
        line_no = 0
        for line_no, raw in enumerate(handle, start=1):
            line = _decode(path, raw, line_no)
            if line_no == 1:
                line = line.removeprefix("\ufeff")
                if line.lstrip().startswith("<"):
                    raise SourceError(path, f"this is XML, not an OFAC {role} CSV file", line=1)
            if pending is not None:
                if "\x1a" in pending:
                    raise SourceError(path, "Ctrl-Z byte (0x1A) before the end", line=line_no - 1)
                yield pending
            pending = line
    if pending is None:
        return
    body = pending.rstrip("\r\n").rstrip("\x1a")
    if "\x1a" in body:
        raise SourceError(path, "Ctrl-Z byte (0x1A) inside a record", line=line_no)
    if body.strip():
        yield pending.replace("\x1a", "")


def _decode(path: Path, raw: bytes, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not ASCII/UTF-8 text: {exc.reason}", line=line_no) from exc


def read_rows(path: Path, role: str) -> Iterator[tuple[int, list[str]]]:
    """``(physical line, fields)`` of one OFAC CSV file, checked for shape.

    Raises :class:`SourceError` for an empty file, XML or other non-OFAC content,
    a record with the wrong number of fields, an unterminated quote (OFAC fields
    never span lines, so a record that does is broken) and a non-numeric ent_num.
    """
    expected = COLUMNS[role]
    reader = csv.reader(_lines(path, role), strict=True)
    last_line = 0
    seen = False
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise SourceError(path, f"malformed CSV record: {exc}", line=start) from exc
        if reader.line_num != start:
            raise SourceError(
                path,
                f"record runs over lines {start}-{reader.line_num}: unterminated quote",
                line=start,
            )
        last_line = reader.line_num
        if not row or row == [""]:
            continue
        _check_row(path, role, start, row, expected, first=not seen)
        seen = True
        yield start, row
    if not seen:
        raise SourceError(path, f"file is empty: no OFAC {role} records", line=1)


def _check_row(
    path: Path, role: str, line: int, row: list[str], expected: int, first: bool
) -> None:
    if len(row) != expected:
        hint = f" (not an OFAC {role} CSV file?)" if first else ""
        raise SourceError(path, f"expected {expected} fields, found {len(row)}{hint}", line=line)
    if not row[0].strip().isdigit():
        hint = f"; not an OFAC {role} CSV file (OFAC files have no header row)" if first else ""
        raise SourceError(path, f"ent_num {row[0]!r} is not a number{hint}", line=line)


# --------------------------------------------------------------------------- source


@dataclass
class _Extras:
    """The optional files, indexed by ent_num."""

    #: ent_num -> FtM property -> values, from add.csv and alt.csv (added in one go,
    #: which halves the cost of FtM's per-call overhead on the big lists).
    values: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    #: ent_num -> remarks continuation.
    comments: dict[str, str] = field(default_factory=dict)
    #: role -> the ent_nums its file mentions, to report orphans.
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class OfacCsvSource(Source):
    """One OFAC list in the legacy CSV edition (SDN or Consolidated non-SDN).

    Both lists share the file layout, so one implementation serves both; only the
    name and the file names differ.
    """

    def __init__(self, name: str, title: str, filenames: dict[str, str]) -> None:
        self.name = name
        self.title = title
        self.publisher = PUBLISHER
        self.filenames = filenames
        self.downloads = tuple(
            Download(url=BASE_URL + filename.upper(), filename=filename)
            for filename in filenames.values()
        )

    # ---------------------------------------------------------------- files

    def detect(self, directory: Path) -> SourceFiles | None:
        """The files directly in ``directory``, names matched case-insensitively.

        The primary file must look like an OFAC CSV (a numeric ent_num, a comma);
        the optional files are taken by name and checked by :meth:`parse`.
        """
        files = self.named_files(directory)
        if files is None or not _looks_like_ofac(files.roles[PRIM]):
            return None
        return files

    def named_files(self, directory: Path) -> SourceFiles | None:
        """The OFAC files in ``directory`` by name alone; the primary file is required."""
        if not directory.is_dir():
            return None
        entries = [p for p in sorted(directory.iterdir()) if p.is_file()]
        roles: dict[str, Path] = {}
        for role, filename in self.filenames.items():
            found = _pick(entries, filename)
            if found is not None:
                roles[role] = found
        if PRIM not in roles:
            return None
        files = tuple(roles[role] for role in self.filenames if role in roles)
        return SourceFiles(source=self.name, files=files, roles=roles)

    def published(self, files: SourceFiles) -> date | None:
        """Always ``None``: the OFAC CSV files carry no publication date."""
        return None

    def recency(self, files: SourceFiles) -> tuple[float, ...]:
        """The highest ent_num: OFAC numbers new entries upwards, and its files state no date.

        Ordering several editions by it loads the older first even when file
        modification times say nothing (copies, checkouts).
        """
        prim = files.roles.get(PRIM)
        highest = 0
        if prim is not None:
            try:
                for _line, row in read_rows(prim, PRIM):
                    if row[0].strip().isdigit():
                        highest = max(highest, int(row[0]))
            except SourceError:
                highest = 0  # a broken file sorts first; loading it reports the error
        return (float(highest), *super().recency(files))

    # ---------------------------------------------------------------- parse

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        prim = files.roles.get(PRIM)
        if prim is None:
            where = files.files[0] if files.files else Path(self.name)
            raise SourceError(where, f"no primary file ({self.filenames[PRIM]}) among the files")
        extras = self._read_extras(files.roles)
        seen: set[str] = set()
        for line, row in read_rows(prim, PRIM):
            ent_num = row[0].strip()
            if ent_num in seen:
                raise SourceError(prim, f"duplicate ent_num {ent_num}", line=line)
            seen.add(ent_num)
            yield from self._entry(prim, line, row, extras)
        self._log_orphans(files.roles, extras, seen)

    def _read_extras(self, roles: dict[str, Path]) -> _Extras:
        extras = _Extras()
        if ADD in roles:
            for _, row in read_rows(roles[ADD], ADD):
                ent_num = row[0].strip()
                extras.keys[ADD].add(ent_num)
                _address_values(extras.values[ent_num], row)
        if ALT in roles:
            for line, row in read_rows(roles[ALT], ALT):
                ent_num = row[0].strip()
                extras.keys[ALT].add(ent_num)
                _alt_values(roles[ALT], line, extras.values[ent_num], row)
        if COMMENTS in roles:
            for _, row in read_rows(roles[COMMENTS], COMMENTS):
                ent_num = row[0].strip()
                extras.keys[COMMENTS].add(ent_num)
                extras.comments[ent_num] = extras.comments.get(ent_num, "") + row[1]
        return extras

    def _entry(
        self, path: Path, line: int, row: list[str], extras: _Extras
    ) -> Iterator[EntityProxy]:
        ent_num = row[0].strip()
        schema = schema_for_type(row[2])
        if schema is None:
            raise SourceError(path, f"unknown SDN_Type {row[2]!r}", line=line)
        remarks_text = self._full_remarks(path, line, ent_num, row[11], extras)
        remarks = parse_remarks(remarks_text)
        if schema == "Organization" and _COMPANY_ONLY.intersection(remarks.values):
            schema = "Company"
        name = clean(row[1])
        if name is None:
            raise SourceError(path, f"entry {ent_num} has no name", line=line)
        target = make_target(schema, self.name, ent_num)
        target.add("name", name)
        if schema == "Person":
            _add_name_parts(target, name)
        programs = split_programs(row[3])
        target.add("program", programs)
        target.add("programId", programs)
        target.add("topics", "sanction")
        if _TERROR_PROGRAMS.intersection(programs):
            target.add("topics", "crime.terror")
        self._add_columns(target, row)
        target.add("notes", clean(remarks_text))
        _apply(target, extras.values.get(ent_num, {}))
        _apply(target, remarks.values)
        sanction = make_sanction(target, self.name, ent_num, authority=AUTHORITY)
        _link(sanction, "entity", target)
        sanction.add("program", programs)
        sanction.add("programId", programs)
        for prop, values in remarks.sanction.items():
            sanction.add(prop, values)
        yield target
        yield sanction
        yield from _wallets(self.name, ent_num, target, remarks.wallets)

    def _add_columns(self, target: EntityProxy, row: list[str]) -> None:
        """Title and the vessel columns, where the schema has a place for them."""
        title = clean(row[4])
        if title is not None:
            _add_or_note(target, "position", title, "Title")
        columns = (
            ("callSign", "Call sign", row[5], clean(row[5])),
            ("type", "Vessel type", row[6], clean(row[6])),
            ("tonnage", "Tonnage", row[7], tonnage(row[7])),
            ("grossRegisteredTonnage", "GRT", row[8], tonnage(row[8])),
            ("flag", "Vessel flag", row[9], country_code(row[9])),
        )
        for prop, label, raw, value in columns:
            text = clean(raw)
            if text is None:
                continue
            if value is not None and target.schema.get(prop) is not None:
                _add(target, prop, value)
            else:
                target.add("notes", f"{label}: {text}")
        owner = clean(row[10])
        if owner is not None:
            # FtM's Vessel.owner is an entity reference; OFAC gives a bare name.
            target.add("notes", f"Vessel owner: {owner}")

    def _full_remarks(
        self, path: Path, line: int, ent_num: str, remarks: str, extras: _Extras
    ) -> str:
        """Remarks plus their continuation from the comments file.

        The continuation is glued on without a separator (OFAC cuts mid-word), but
        only onto remarks of exactly 1,000 characters: a shorter text was not cut,
        so a comment for it comes from another snapshot and would garble it.
        """
        continuation = extras.comments.get(ent_num)
        if continuation is None:
            return remarks
        if len(remarks) != REMARKS_LIMIT:
            log.warning(
                "%s, line %d: ent_num %s has a remarks continuation but its remarks "
                "(%d characters) were not cut at %d; continuation ignored "
                "(comments file from another snapshot?)",
                path,
                line,
                ent_num,
                len(remarks),
                REMARKS_LIMIT,
            )
            return remarks
        return remarks + continuation

    def _log_orphans(self, roles: dict[str, Path], extras: _Extras, seen: set[str]) -> None:
        """Rows of the optional files whose ent_num is not in the primary file.

        They happen when the files are from different days; they are not errors.
        """
        for role, keys in extras.keys.items():
            orphans = keys - seen
            if orphans:
                log.info(
                    "%s: %d ent_num(s) not in %s (files from different snapshots); ignored",
                    roles[role],
                    len(orphans),
                    roles[PRIM].name,
                )


def _pick(entries: list[Path], filename: str) -> Path | None:
    """The entry named ``filename`` in any letter case, preferring the exact spelling."""
    matches = [p for p in entries if p.name.lower() == filename]
    exact = [p for p in matches if p.name == filename]
    preferred = exact or matches
    return preferred[0] if preferred else None


_OFAC_START = re.compile(rb"^\s*\d+,")


def _looks_like_ofac(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(64)
    return _OFAC_START.match(head) is not None


def _add_name_parts(person: EntityProxy, name: str) -> None:
    """``LAST, First Middle[, Suffix]``: OFAC's only split of a person's name.

    OFAC does not tell a first from a middle name, so ``firstName`` gets all the
    given names as written.  The natural-order name is not added as an alias: name
    matching handles word order, and OFAC's own spelling stays the only name.
    """
    parts = [p.strip() for p in name.split(",")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return
    person.add("lastName", parts[0])
    person.add("firstName", parts[1])
    for suffix in parts[2:]:
        person.add("nameSuffix", suffix)


def _address_values(values: dict[str, list[str]], row: list[str]) -> None:
    """One add.csv row: a single address string, and its country as ``country``."""
    _, _, address, city, country, remark = row
    parts = [clean(address), clean(city), clean(country)]
    text = ", ".join(p for p in parts if p)
    if text:
        values["address"].append(text)
    code = country_code(country)
    if code is not None:
        values["country"].append(code)
    note = clean(remark)
    if note is not None:
        values["notes"].append(f"Address remark: {text}: {note}")


def _alt_values(path: Path, line: int, values: dict[str, list[str]], row: list[str]) -> None:
    """One alt.csv row: the name under the property its ``alt_type`` calls for."""
    _, _, alt_type, alt_name, remark = row
    prop = _ALT_TYPES.get((clean(alt_type) or "").lower())
    if prop is None:
        raise SourceError(path, f"unknown alt_type {alt_type!r}", line=line)
    name = clean(alt_name)
    if name is not None:
        values[prop].append(name)
    note = clean(remark)
    if note is not None:
        values["notes"].append(f"Alias remark: {name}: {note}")


#: Where a value goes when the target's schema lacks the property
#: (e.g. a "nationality" remark on an organisation is its country).
_FALLBACKS = {
    "passportNumber": "idNumber",
    "socialSecurityNumber": "idNumber",
    "nationality": "country",
    "citizenship": "country",
    "jurisdiction": "country",
    "okpoCode": "registrationNumber",
    "uscCode": "registrationNumber",
    "leiCode": "registrationNumber",
    "vatCode": "taxNumber",
    "licenseNumber": "registrationNumber",
}


def _apply(target: EntityProxy, values: dict[str, list[str]]) -> None:
    """Add parsed remark values the schema can hold; the rest stays in ``notes``."""
    for prop, items in values.items():
        name: str | None = prop
        while name is not None and target.schema.get(name) is None:
            name = _FALLBACKS.get(name)
        if name is not None:
            _add(target, name, items)


def _add(target: EntityProxy, prop: str, values: str | list[str]) -> None:
    """``target.add``, skipping FtM's country lookup for values already coded.

    Every country value here comes out of :func:`country_code` (FtM's own cleaner),
    and FtM's lookup costs about a third of the parse time on the full list.
    """
    schema_prop = target.schema.get(prop)
    if schema_prop is not None and schema_prop.type == registry.country:
        target.add(prop, values, cleaned=True)
    else:
        target.add(prop, values)


def _add_or_note(target: EntityProxy, prop: str, value: str, label: str) -> None:
    if target.schema.get(prop) is not None:
        target.add(prop, value)
    else:
        target.add("notes", f"{label}: {value}")


def _link(proxy: EntityProxy, prop: str, other: EntityProxy) -> None:
    """Point ``proxy.prop`` at ``other``, bypassing FtM's entity-id check.

    FtM 4 only accepts references matching ``[0-9a-zA-Z.-]``, so an id with an
    underscore such as ``us_ofac_sdn-36`` is silently dropped from ``entity`` or
    ``holder`` by a normal ``add``.  The ids are ours and well-formed, so they are
    added as already clean.
    """
    if other.id is not None:
        proxy.add(prop, other.id, cleaned=True)


def _wallets(
    source: str, ent_num: str, holder: EntityProxy, pairs: list[tuple[str, str]]
) -> Iterator[EntityProxy]:
    """One CryptoWallet per address.

    OFAC sometimes lists one address under two currencies (an Ethereum key as
    ``ETH`` and ``ETC``): that is one key, so one wallet with both symbols.
    """
    wallets: dict[str, EntityProxy] = {}
    for currency, address in pairs:
        wallet = wallets.get(address)
        if wallet is None:
            wallet = make_entity("CryptoWallet", source, ent_num, "wallet", address)
            wallet.add("publicKey", address)
            _link(wallet, "holder", holder)
            wallets[address] = wallet
        wallet.add("currencySymbol", currency)
    yield from wallets.values()


SDN = OfacCsvSource(
    name="us_ofac_sdn",
    title="US OFAC Specially Designated Nationals (SDN) List",
    filenames={
        PRIM: "sdn.csv",
        ADD: "add.csv",
        ALT: "alt.csv",
        COMMENTS: "sdn_comments.csv",
    },
)

CONS = OfacCsvSource(
    name="us_ofac_cons",
    title="US OFAC Consolidated (non-SDN) Sanctions Lists",
    filenames={
        PRIM: "cons_prim.csv",
        ADD: "cons_add.csv",
        ALT: "cons_alt.csv",
        COMMENTS: "cons_comments.csv",
    },
)

SOURCES: tuple[Source, ...] = (SDN, CONS)
