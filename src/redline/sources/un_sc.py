"""UN Security Council Consolidated List (``consolidated.xml``).

The UN publishes one XML file (no namespace, root ``CONSOLIDATED_LIST``) with an
``INDIVIDUAL`` element per listed person and an ``ENTITY`` element per listed group
or company.  The file is streamed with ``iterparse`` so memory stays flat however
large the list grows.

Pitfalls handled here (see ``shared/data/README.md``):

* ``FIRST_NAME`` … ``FOURTH_NAME`` are *not* given/family slots (Arabic names run
  over all four, entity names sit in ``FIRST_NAME``), so they are only joined into
  the full name, never mapped to ``firstName``/``lastName``.
* Alias quality is ``Good``/``Low``/empty for individuals and ``a.k.a.``/``f.k.a.``/
  empty for entities: ``Low`` becomes ``weakAlias`` (screening rules usually drop
  them), ``f.k.a.`` becomes ``previousName``.
* Dates of birth come as an exact ``DATE``, a ``YEAR``, a ``FROM_YEAR``/``TO_YEAR``
  range, ``APPROXIMATELY`` a year, a free-text ``NOTE`` or nothing at all.
* ``LAST_DAY_UPDATED`` holds one to twelve ``VALUE`` children.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from redline.sources.base import Download, Source, SourceError, SourceFiles
from redline.sources.util import clean, iso_date, make_sanction, make_target, plausible_year
from redline.sources.xml import (
    check_not_empty,
    element_line,
    first_tag,
    read_head,
    syntax_error,
)

AUTHORITY = "United Nations Security Council"
FILENAME = "consolidated.xml"
ROLE = "consolidated"
ROOT_TAG = "CONSOLIDATED_LIST"
RECORD_SCHEMAS = {"INDIVIDUAL": "Person", "ENTITY": "Organization"}

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ISO_DAY = ("%Y-%m-%d",)
_YEAR = re.compile(r"^\d{4}$")
_GENDER_IN_COMMENTS = re.compile(r"\bgender\s*[:\[]\s*(male|female)\b", re.IGNORECASE)
_GENDERS = {"male": "male", "female": "female"}
#: Month-and-year birth notes such as ``Nov. 1973`` or ``August 1961``.
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_PASSPORT_WORDS = ("passport", "passeport", "pasaporte")


# --------------------------------------------------------------------------- XML plumbing


def sniff_root(path: Path) -> str | None:
    """The root element name from the first KB, cheaply, without parsing the file."""
    head = read_head(path)
    tag = first_tag(head) if head is not None else None
    return tag.decode("ascii", "replace") if tag else None


def _wrong_root(path: Path, root: etree._Element) -> SourceError:
    return SourceError(
        path,
        f"root element is <{root.tag}>, expected <{ROOT_TAG}>: "
        "this is not the UN Security Council consolidated list",
        line=element_line(root),
        element=str(root.tag),
    )


def _root(path: Path) -> etree._Element:
    """The checked root element (attributes only: nothing below it is read)."""
    check_not_empty(path, "the UN consolidated list XML")
    try:
        for _event, elem in etree.iterparse(str(path), events=("start",), resolve_entities=False):
            if elem.tag != ROOT_TAG:
                raise _wrong_root(path, elem)
            root: etree._Element = elem
            return root
    except etree.XMLSyntaxError as exc:
        raise syntax_error(path, exc) from exc
    raise SourceError(path, "no XML element found")


def _records(path: Path) -> Iterator[etree._Element]:
    """Stream the INDIVIDUAL and ENTITY elements, clearing each once it is used."""
    check_not_empty(path, "the UN consolidated list XML")
    seen_root = False
    try:
        for event, elem in etree.iterparse(
            str(path), events=("start", "end"), resolve_entities=False
        ):
            if not seen_root:
                if elem.tag != ROOT_TAG:
                    raise _wrong_root(path, elem)
                seen_root = True
                continue
            if event == "end" and elem.tag in RECORD_SCHEMAS:
                yield elem
                elem.clear(keep_tail=True)
                parent = elem.getparent()
                while parent is not None and elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise syntax_error(path, exc) from exc
    if not seen_root:
        raise SourceError(path, "no XML element found")


def _text(elem: etree._Element, path: str) -> str | None:
    return clean(elem.findtext(path))


def _texts(elem: etree._Element, path: str) -> list[str]:
    return [text for child in elem.iterfind(path) if (text := clean(child.text))]


# --------------------------------------------------------------------------- field mappers


def full_name(record: etree._Element) -> str | None:
    """FIRST … FOURTH_NAME joined in order (they are name pieces, not given/family)."""
    parts = [_text(record, tag) for tag in _NAME_PARTS]
    joined = " ".join(p for p in parts if p)
    return joined or None


def _year(value: str | None) -> str | None:
    text = clean(value)
    if text is None or not _YEAR.match(text) or not plausible_year(int(text)):
        return None
    return text


def _month_year(note: str) -> str | None:
    """``Nov. 1973`` -> ``1973-11``; anything looser is left as a note."""
    match = _MONTH_YEAR.match(note)
    if match is None:
        return None
    month = _MONTHS.get(match.group(1).lower())
    year = _year(match.group(2))
    if month is None or year is None:
        return None
    return f"{year}-{month:02d}"


def birth_dates(dob: etree._Element) -> tuple[list[str], str | None]:
    """ISO dates for one INDIVIDUAL_DATE_OF_BIRTH, and its note if no date could be read.

    EXACT gives ``DATE`` or ``YEAR``; BETWEEN gives both bounding years;
    APPROXIMATELY gives its year.  A note only (``Nov. 1973``, ``30-35 years
    old``) yields a month where it is an exact month and year, else nothing.
    """
    dates = [
        d
        for d in (
            iso_date(dob.findtext("DATE"), _ISO_DAY),
            _year(dob.findtext("YEAR")),
            _year(dob.findtext("FROM_YEAR")),
            _year(dob.findtext("TO_YEAR")),
        )
        if d
    ]
    note = _text(dob, "NOTE")
    if not dates and note:
        month = _month_year(note)
        if month:
            return [month], None
        return [], note
    return dates, None


def place(elem: etree._Element, tags: Iterable[str]) -> str | None:
    """Join the place parts in order, dropping repeats (UN sometimes fills STREET = CITY)."""
    parts: list[str] = []
    for tag in tags:
        text = _text(elem, tag)
        if text and text not in parts:
            parts.append(text)
    return ", ".join(parts) or None


_ADDRESS_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE")
_LOCALITY = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")
_BIRTH_PLACE_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY", "NOTE")


def add_address(proxy: EntityProxy, address: etree._Element) -> None:
    """An address string where there is more than a country; the country always."""
    country = _text(address, "COUNTRY")
    if country:
        proxy.add("country", country)
    if any(_text(address, tag) for tag in _LOCALITY):
        proxy.add("address", place(address, _ADDRESS_PARTS))


def add_document(proxy: EntityProxy, doc: etree._Element) -> None:
    """Passports to ``passportNumber``, every other document to ``idNumber``.

    A document without a number (its details only in NOTE) is kept as a note so
    that the information is not lost.
    """
    kind = " ".join(
        t for t in (_text(doc, "TYPE_OF_DOCUMENT"), _text(doc, "TYPE_OF_DOCUMENT2")) if t
    )
    number = _text(doc, "NUMBER")
    if number is None:
        note = _text(doc, "NOTE")
        if note:
            proxy.add("notes", f"{kind or 'Document'}: {note}")
        return
    is_passport = any(word in kind.lower() for word in _PASSPORT_WORDS)
    proxy.add("passportNumber" if is_passport else "idNumber", number)


def add_alias(proxy: EntityProxy, alias: etree._Element) -> None:
    """Quality decides the property: Low -> weakAlias, f.k.a. -> previousName."""
    name = _text(alias, "ALIAS_NAME")
    if name is None:
        return
    quality = (_text(alias, "QUALITY") or "").lower()
    if quality == "low":
        proxy.add("weakAlias", name)
    elif quality == "f.k.a.":
        proxy.add("previousName", name)
    else:  # Good, a.k.a. and unqualified names are full aliases
        proxy.add("alias", name)
    if proxy.schema.is_a("Person"):
        proxy.add("birthDate", iso_date(alias.findtext("DATE_OF_BIRTH"), _ISO_DAY))
        proxy.add("birthPlace", place(alias, ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH")))
        proxy.add("birthCountry", _text(alias, "COUNTRY_OF_BIRTH"))


def gender(record: etree._Element) -> str | None:
    """GENDER where given, else a ``Gender: male`` mention in COMMENTS1."""
    value = (_text(record, "GENDER") or "").lower()
    if value in _GENDERS:
        return _GENDERS[value]
    match = _GENDER_IN_COMMENTS.search(record.findtext("COMMENTS1") or "")
    return _GENDERS[match.group(1).lower()] if match else None


def add_person_details(proxy: EntityProxy, record: etree._Element) -> None:
    """Fields only INDIVIDUAL records carry."""
    proxy.add("gender", gender(record))
    proxy.add("title", _texts(record, "TITLE/VALUE"))
    proxy.add("position", _texts(record, "DESIGNATION/VALUE"))
    proxy.add("nationality", _texts(record, "NATIONALITY/VALUE"))
    for dob in record.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        dates, note = birth_dates(dob)
        proxy.add("birthDate", dates)
        if note:
            proxy.add("notes", f"Date of birth: {note}")
    for pob in record.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        proxy.add("birthPlace", place(pob, _BIRTH_PLACE_PARTS))
        proxy.add("birthCountry", _text(pob, "COUNTRY"))
    for doc in record.iterfind("INDIVIDUAL_DOCUMENT"):
        add_document(proxy, doc)


def last_updated(record: etree._Element) -> str | None:
    dates = [iso_date(v, _ISO_DAY) for v in _texts(record, "LAST_DAY_UPDATED/VALUE")]
    return max((d for d in dates if d), default=None)


# --------------------------------------------------------------------------- the source


class UNSecurityCouncil(Source):
    """The UN Security Council Consolidated List, in its official XML edition."""

    name = "un_sc"
    title = "UN Security Council Consolidated List"
    publisher = AUTHORITY
    downloads = (
        Download("https://scsanctions.un.org/resources/xml/en/consolidated.xml", FILENAME),
    )
    file_role = ROLE

    def detect(self, directory: Path) -> SourceFiles | None:
        """``consolidated.xml`` first, else any ``*.xml`` whose root is CONSOLIDATED_LIST."""
        return self.detect_xml(directory, FILENAME, lambda path: sniff_root(path) == ROOT_TAG)

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        path = self.the_file(files)
        for record in _records(path):
            yield from self.record(path, record)

    def published(self, files: SourceFiles) -> date | None:
        """The date part of the root's ``dateGenerated`` attribute."""
        path = self.the_file(files)
        generated = iso_date((_root(path).get("dateGenerated") or "")[:10], _ISO_DAY)
        return date.fromisoformat(generated) if generated else None

    def record(self, path: Path, record: etree._Element) -> Iterator[EntityProxy]:
        """The target and its Sanction for one INDIVIDUAL or ENTITY element."""
        tag = str(record.tag)
        data_id = _text(record, "DATAID")
        if data_id is None:
            raise SourceError(path, "record has no DATAID", line=element_line(record), element=tag)
        name = full_name(record)
        if name is None:
            raise SourceError(
                path, f"record {data_id} has no name", line=element_line(record), element=tag
            )
        target = make_target(RECORD_SCHEMAS[tag], self.name, data_id)
        target.add("name", name)
        target.add("alias", _text(record, "NAME_ORIGINAL_SCRIPT"))
        for alias in record.iterfind(f"{tag}_ALIAS"):
            add_alias(target, alias)
        for address in record.iterfind(f"{tag}_ADDRESS"):
            add_address(target, address)
        if target.schema.is_a("Person"):
            add_person_details(target, record)
        program = _text(record, "UN_LIST_TYPE")
        modified = last_updated(record)
        target.add("notes", _text(record, "COMMENTS1"))
        target.add("program", program)
        target.add("topics", "sanction")
        target.add("modifiedAt", modified)
        yield target
        yield self.sanction(target, record, data_id, program, modified)

    def sanction(
        self,
        target: EntityProxy,
        record: etree._Element,
        data_id: str,
        program: str | None,
        modified: str | None,
    ) -> EntityProxy:
        reference = _text(record, "REFERENCE_NUMBER")
        sanction = make_sanction(target, self.name, data_id, authority=AUTHORITY)
        sanction.add("authorityId", reference)
        sanction.add("unscId", reference)
        sanction.add("program", program)
        sanction.add("listingDate", iso_date(record.findtext("LISTED_ON"), _ISO_DAY))
        sanction.add("modifiedAt", modified)
        return sanction


UN_SC = UNSecurityCouncil()
SOURCES = (UN_SC,)
