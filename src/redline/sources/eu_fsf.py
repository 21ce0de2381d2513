"""EU Financial Sanctions Files: the consolidated list of the European Commission (FPI).

Two XML editions exist and both are read, streamed with ``iterparse``:

* **1.1** (current, ``xmlFullSanctionsList_1_1``): root ``export`` in the namespace
  ``http://eu.europa.ec/fpi/fsd/export``, one ``sanctionEntity`` per listing with
  ``regulation``, ``subjectType``, ``nameAlias``, ``citizenship``, ``birthdate``,
  ``identification`` and ``address`` children, mostly carried in attributes.
* **legacy 1.0**: root ``WHOLE Date="DD/MM/YYYY"``, one ``ENTITY Type="P|E"`` per
  listing with NAME / BIRTH / CITIZEN / PASSPORT / ADDRESS sub-records, each with
  its own ``legal_basis``, ``reg_date`` and ``programme`` attributes.

Pitfalls handled: country code ``00`` / ``UNKNOWN`` means no country; the code
``NA`` (Namibia) must not be taken for a null marker; ``strong="false"`` names are
weak aliases; birth dates come as a full date, a year, day/month/year parts or a
year range; the legacy PASSPORT/NUMBER packs number, type and remarks into one
string (``AD001095 (passport-National passport) ((passport))``) and legacy birth
dates read ``1957 (approximative)`` or ``1955 - 1958 (approximative)``.
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

AUTHORITY = "European Union"
FILENAME = "eu_fsf.xml"
ROLE = "eu_fsf"
NS = "http://eu.europa.ec/fpi/fsd/export"
EXPORT_TAG = f"{{{NS}}}export"
ENTITY_TAG = f"{{{NS}}}sanctionEntity"
LEGACY_ROOT = "WHOLE"
LEGACY_ENTITY = "ENTITY"
RECORD_TAGS = {EXPORT_TAG: ENTITY_TAG, LEGACY_ROOT: LEGACY_ENTITY}

_SUBJECT_SCHEMAS = {"person": "Person", "enterprise": "Organization"}
_LEGACY_SCHEMAS = {"P": "Person", "E": "Organization"}
_FALLBACK_SCHEMA = "LegalEntity"  # an unknown subject type is still a listed subject
_GENDERS = {"m": "male", "f": "female", "male": "male", "female": "female"}
#: identificationTypeCode -> FtM property; every other code is an ``idNumber``.
_ID_PROPS = {
    "passport": "passportNumber",
    "ssn": "socialSecurityNumber",
    "swiftbic": "swiftBic",
    "imo": "imoNumber",
    "regnumber": "registrationNumber",
    "fiscalcode": "taxNumber",
}
_CONTACT_PROPS = {"PHONE": "phone", "FAX": "phone", "EMAIL": "email", "WEB": "website"}
_NO_COUNTRY = {"00", "UNKNOWN"}
_ISO_DAY = ("%Y-%m-%d",)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
#: ``AD001095 (passport-National passport) ((passport))``: number, type code, rest.
_LEGACY_DOC = re.compile(r"^(?P<number>.*?)\s*\((?P<code>[A-Za-z]+)-[^)]*\)(?P<rest>.*)$", re.S)


# --------------------------------------------------------------------------- XML plumbing


def sniff_format(path: Path) -> str | None:
    """``"1.1"``, ``"1.0"`` or ``None``, from the root element in the first KB."""
    head = read_head(path)
    tag = first_tag(head) if head is not None else None
    if head is None or tag is None:
        return None
    local = tag.split(b":")[-1]
    if local == b"export" and NS.encode("ascii") in head:
        return "1.1"
    if local == LEGACY_ROOT.encode("ascii"):
        return "1.0"
    return None


def _check_root(path: Path, root: etree._Element) -> str:
    """The record tag for this root, or a clear refusal of a file of another kind."""
    tag = str(root.tag)
    if tag in RECORD_TAGS:
        return RECORD_TAGS[tag]
    hint = " (without the FSF namespace)" if etree.QName(root).localname == "export" else ""
    raise SourceError(
        path,
        f'root element is <{tag}>{hint}, expected <export xmlns="{NS}"> (1.1) or '
        f"<{LEGACY_ROOT}> (legacy 1.0): this is not an EU Financial Sanctions File",
        line=element_line(root),
        element=tag,
    )


def _root(path: Path) -> etree._Element:
    """The checked root element (attributes only: nothing below it is read)."""
    check_not_empty(path, "the EU FSF sanctions XML")
    try:
        for _event, elem in etree.iterparse(str(path), events=("start",), resolve_entities=False):
            _check_root(path, elem)
            root: etree._Element = elem
            return root
    except etree.XMLSyntaxError as exc:
        raise syntax_error(path, exc) from exc
    raise SourceError(path, "no XML element found")


def _records(path: Path) -> Iterator[etree._Element]:
    """Stream the sanctionEntity (1.1) or ENTITY (1.0) elements, clearing each after use."""
    check_not_empty(path, "the EU FSF sanctions XML")
    record_tag: str | None = None
    try:
        for event, elem in etree.iterparse(
            str(path), events=("start", "end"), resolve_entities=False
        ):
            if record_tag is None:
                record_tag = _check_root(path, elem)
                continue
            if event == "end" and elem.tag == record_tag:
                yield elem
                elem.clear(keep_tail=True)
                parent = elem.getparent()
                while parent is not None and elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise syntax_error(path, exc) from exc
    if record_tag is None:
        raise SourceError(path, "no XML element found")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _attr(elem: etree._Element, name: str) -> str | None:
    return clean(elem.get(name))


def _code(elem: etree._Element, name: str) -> str | None:
    """A code attribute, stripped only: ``clean`` would turn Namibia's ``NA`` into None."""
    value = (elem.get(name) or "").strip()
    return value or None


def _text(elem: etree._Element, path: str) -> str | None:
    return clean(elem.findtext(path))


def _join(parts: Iterable[str | None]) -> str | None:
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen) or None


def _year(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text.isdigit() or len(text) != 4 or not plausible_year(int(text)):
        return None
    return text


def _gender(value: str | None) -> str | None:
    return _GENDERS.get((value or "").strip().lower())


def _add_if(proxy: EntityProxy, prop: str, value: str | Iterable[str] | None) -> None:
    """Add where the schema has the property (a title on an Organization has no home)."""
    if proxy.schema.get(prop) is not None:
        proxy.add(prop, value)


def _id_prop(proxy: EntityProxy, code: str | None) -> str:
    prop = _ID_PROPS.get((code or "").lower(), "idNumber")
    return prop if proxy.schema.get(prop) is not None else "idNumber"


# --------------------------------------------------------------------------- 1.1 mappers


def country_of(elem: etree._Element) -> str | None:
    """ISO code where given, else the description; ``00`` / ``UNKNOWN`` mean none."""
    code = _code(elem, "countryIso2Code")
    if code and code.upper() not in _NO_COUNTRY:
        return code
    described = _attr(elem, "countryDescription")
    if described and described.upper() not in _NO_COUNTRY:
        return described
    return None


def _described_country(elem: etree._Element) -> str | None:
    described = _attr(elem, "countryDescription")
    return described if described and described.upper() not in _NO_COUNTRY else None


def _add_name(proxy: EntityProxy, name: str, prop: str) -> None:
    """Add a name unless it is already the primary name (aliases repeat it often)."""
    if prop == "name" or name not in proxy.get("name"):
        proxy.add(prop, name)


def alias_name(alias: etree._Element) -> str | None:
    """``wholeName``, else the parts joined (some aliases carry only the parts)."""
    whole = _attr(alias, "wholeName")
    if whole:
        return whole
    parts = (_attr(alias, p) for p in ("firstName", "middleName", "lastName"))
    return " ".join(p for p in parts if p) or None


def _is_strong(alias: etree._Element) -> bool:
    return (alias.get("strong") or "true").strip().lower() != "false"


def add_names(proxy: EntityProxy, entry: etree._Element) -> bool:
    """First strong name -> ``name``, other strong -> ``alias``, weak -> ``weakAlias``.

    Returns whether any name was found.
    """
    named = [(a, n) for a in entry.iterfind(_q("nameAlias")) if (n := alias_name(a))]
    primary = next((a for a, _ in named if _is_strong(a)), named[0][0] if named else None)
    for alias, name in named:
        if alias is primary:
            _add_name(proxy, name, "name")
        else:
            _add_name(proxy, name, "alias" if _is_strong(alias) else "weakAlias")
        add_name_details(proxy, alias)
    return bool(named)


def add_name_details(proxy: EntityProxy, alias: etree._Element) -> None:
    """Name parts, gender, title and function of one nameAlias."""
    if proxy.schema.is_a("Person"):
        proxy.add("firstName", _attr(alias, "firstName"))
        proxy.add("middleName", _attr(alias, "middleName"))
        proxy.add("lastName", _attr(alias, "lastName"))
        proxy.add("gender", _gender(alias.get("gender")))
        proxy.add("title", _attr(alias, "title"))
        proxy.add("position", _attr(alias, "function"))
    else:
        proxy.add("notes", _attr(alias, "function"))


def birth_dates(birth: etree._Element) -> list[str]:
    """A full ``birthdate``, else year/month/day parts, plus both ends of a year range."""
    full = iso_date(birth.get("birthdate"), _ISO_DAY)
    dates = [full] if full else []
    year = _year(birth.get("year"))
    if not dates and year:
        dates.append(_partial(year, birth))
    dates.extend(y for y in (_year(birth.get(k)) for k in ("yearRangeFrom", "yearRangeTo")) if y)
    return dates


def _partial(year: str, birth: etree._Element) -> str:
    month = (birth.get("monthOfYear") or birth.get("month") or "").strip()
    day = (birth.get("dayOfMonth") or birth.get("day") or "").strip()
    if not month.isdigit() or not 1 <= int(month) <= 12:
        return year
    if day.isdigit():
        exact = iso_date(f"{year}-{int(month):02d}-{int(day):02d}", _ISO_DAY)
        if exact:
            return exact
    return f"{year}-{int(month):02d}"


def add_birth(proxy: EntityProxy, birth: etree._Element) -> None:
    _add_if(proxy, "birthDate", birth_dates(birth))
    parts = ("city", "zipCode", "region", "place")
    place = _join([*(_attr(birth, p) for p in parts), _described_country(birth)])
    if any(_attr(birth, p) for p in parts):
        _add_if(proxy, "birthPlace", place)
    _add_if(proxy, "birthCountry", country_of(birth))


def address_text(elem: etree._Element) -> str | None:
    """The address as one line, or None where it names no more than a country."""
    zip_city = " ".join(p for p in (_attr(elem, "zipCode"), _attr(elem, "city")) if p)
    locality = [_attr(elem, "street"), _attr(elem, "poBox"), zip_city or None]
    locality += [_attr(elem, "region"), _attr(elem, "place")]
    if not any(locality):
        return None
    return _join([*locality, _described_country(elem)])


def add_address(proxy: EntityProxy, address: etree._Element) -> None:
    proxy.add("address", address_text(address))
    proxy.add("country", country_of(address))
    for info in address.iterfind(_q("contactInfo")):
        key = (info.get("key") or "").strip().upper()
        value = _attr(info, "value")
        prop = _CONTACT_PROPS.get(key)
        if prop is not None:
            proxy.add(prop, value)
        elif value:
            proxy.add("notes", f"{key or 'Contact'}: {value}")
    for remark in address.iterfind(_q("remark")):
        proxy.add("notes", clean(remark.text))


def add_identification(proxy: EntityProxy, ident: etree._Element) -> None:
    prop = _id_prop(proxy, ident.get("identificationTypeCode"))
    proxy.add(prop, _attr(ident, "number"))
    proxy.add(prop, _attr(ident, "latinNumber"))
    _add_if(proxy, "alias", _attr(ident, "nameOnDocument"))


def add_citizenship(proxy: EntityProxy, citizenship: etree._Element) -> None:
    country = country_of(citizenship)
    proxy.add("citizenship" if proxy.schema.is_a("Person") else "country", country)


def subject_schema(entry: etree._Element) -> str:
    subject = entry.find(_q("subjectType"))
    code = (subject.get("code") or "").strip().lower() if subject is not None else ""
    return _SUBJECT_SCHEMAS.get(code, _FALLBACK_SCHEMA)


# --------------------------------------------------------------------------- legacy mappers


def legacy_birth_dates(text: str | None) -> tuple[list[str], str | None]:
    """``1924-02-21``, ``1965``, ``1957 (approximative)`` or ``1955 - 1958 (approximative)``.

    Returns the ISO dates, and the text itself where no date could be read from it.
    """
    value = clean(text)
    if value is None:
        return [], None
    exact = iso_date(value, _ISO_DAY)
    if exact:
        return [exact], None
    years = [y for y in (_year(m) for m in _YEAR.findall(value)) if y]
    return (years, None) if years else ([], value)


def legacy_document(text: str | None) -> tuple[str | None, str | None]:
    """Split ``AD001095 (passport-National passport) ((passport))`` into number and code."""
    value = clean(text)
    if value is None:
        return None, None
    match = _LEGACY_DOC.match(value)
    if match is None:
        return value, None
    return clean(match.group("number")), match.group("code").lower()


def legacy_address(elem: etree._Element) -> str | None:
    street = " ".join(p for p in (_text(elem, "NUMBER"), _text(elem, "STREET")) if p)
    zip_city = " ".join(p for p in (_text(elem, "ZIPCODE"), _text(elem, "CITY")) if p)
    if not street and not zip_city:
        return None
    return _join([street or None, zip_city or None, _text(elem, "COUNTRY"), _text(elem, "OTHER")])


def add_legacy_name(proxy: EntityProxy, elem: etree._Element, *, primary: bool) -> None:
    whole = _text(elem, "WHOLENAME")
    parts = [_text(elem, t) for t in ("FIRSTNAME", "MIDDLENAME", "LASTNAME")]
    name = whole or " ".join(p for p in parts if p) or None
    if name is not None:
        _add_name(proxy, name, "name" if primary else "alias")
    if proxy.schema.is_a("Person"):
        proxy.add("firstName", parts[0])
        proxy.add("middleName", parts[1])
        proxy.add("lastName", parts[2])
        proxy.add("gender", _gender(elem.findtext("GENDER")))
        proxy.add("title", _text(elem, "TITLE"))
        proxy.add("position", _text(elem, "FUNCTION"))
    else:
        proxy.add("notes", _text(elem, "FUNCTION"))


def add_legacy_birth(proxy: EntityProxy, elem: etree._Element) -> None:
    dates, note = legacy_birth_dates(elem.findtext("DATE"))
    _add_if(proxy, "birthDate", dates)
    if note:
        proxy.add("notes", f"Date of birth: {note}")
    _add_if(proxy, "birthPlace", _text(elem, "PLACE"))
    _add_if(proxy, "birthCountry", _code_text(elem, "COUNTRY"))


def add_legacy_document(proxy: EntityProxy, elem: etree._Element) -> None:
    number, code = legacy_document(elem.findtext("NUMBER"))
    proxy.add(_id_prop(proxy, code), number)


def _code_text(elem: etree._Element, path: str) -> str | None:
    """A country code element, stripped only (``NA`` is Namibia, not a null)."""
    value = (elem.findtext(path) or "").strip()
    return value or None


# --------------------------------------------------------------------------- the source


class EUFinancialSanctions(Source):
    """The EU consolidated financial sanctions list, 1.1 or legacy 1.0 XML."""

    name = "eu_fsf"
    title = "EU Financial Sanctions Files (consolidated list)"
    publisher = "European Commission, FPI"
    downloads = (
        Download(
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/"
            "content?token=dG9rZW4tMjAxNw",
            FILENAME,
        ),
    )
    file_role = ROLE

    def detect(self, directory: Path) -> SourceFiles | None:
        """``eu_fsf.xml`` first, else any ``*.xml`` whose root is an FSF root."""
        return self.detect_xml(directory, FILENAME, lambda path: sniff_format(path) is not None)

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        path = self.the_file(files)
        for record in _records(path):
            if record.tag == ENTITY_TAG:
                yield from self.entry(path, record)
            else:
                yield from self.legacy_entry(path, record)

    def published(self, files: SourceFiles) -> date | None:
        """``generationDate`` (1.1, date part) or ``WHOLE Date`` (1.0, DD/MM/YYYY)."""
        root = _root(self.the_file(files))
        if root.tag == EXPORT_TAG:
            stated = iso_date((root.get("generationDate") or "")[:10], _ISO_DAY)
        else:
            stated = iso_date(root.get("Date"), ("%d/%m/%Y",))
        return date.fromisoformat(stated) if stated else None

    def _list_id(self, path: Path, record: etree._Element, attribute: str) -> str:
        """The list's own id of an entry: without it no stable entity id can be made."""
        list_id = _code(record, attribute)
        if list_id is None:
            tag = etree.QName(record).localname
            raise SourceError(
                path, f"entry has no {attribute}", line=element_line(record), element=tag
            )
        return list_id

    def _target(self, schema: str, list_id: str) -> EntityProxy:
        target = make_target(schema, self.name, list_id)
        target.add("topics", "sanction")
        return target

    def _nameless(self, path: Path, record: etree._Element, list_id: str) -> SourceError:
        tag = etree.QName(record).localname
        return SourceError(
            path, f"entry {list_id} has no name", line=element_line(record), element=tag
        )

    # ----------------------------------------------------------------- 1.1

    def entry(self, path: Path, entry: etree._Element) -> Iterator[EntityProxy]:
        """The target and its Sanction for one 1.1 ``sanctionEntity``."""
        logical_id = self._list_id(path, entry, "logicalId")
        target = self._target(subject_schema(entry), logical_id)
        if not add_names(target, entry):
            raise self._nameless(path, entry, logical_id)
        for citizenship in entry.iterfind(_q("citizenship")):
            add_citizenship(target, citizenship)
        for birth in entry.iterfind(_q("birthdate")):
            add_birth(target, birth)
        for ident in entry.iterfind(_q("identification")):
            add_identification(target, ident)
        for address in entry.iterfind(_q("address")):
            add_address(target, address)
        for remark in entry.iterfind(_q("remark")):
            target.add("notes", clean(remark.text))
        regulations = list(entry.iterfind(_q("regulation")))
        programmes = [p for r in regulations if (p := _attr(r, "programme"))]
        target.add("program", programmes)
        target.add("programId", programmes)
        yield target
        yield self.sanction(target, entry, logical_id, regulations, programmes)

    def sanction(
        self,
        target: EntityProxy,
        entry: etree._Element,
        logical_id: str,
        regulations: list[etree._Element],
        programmes: list[str],
    ) -> EntityProxy:
        """Listing date is ``designationDate``; lacking it, the earliest regulation's."""
        sanction = make_sanction(target, self.name, logical_id, authority=AUTHORITY)
        sanction.add("authorityId", _attr(entry, "euReferenceNumber"))
        sanction.add("unscId", _attr(entry, "unitedNationId"))
        sanction.add("program", programmes)
        sanction.add("programId", programmes)
        sanction.add("reason", _attr(entry, "designationDetails"))
        published = [d for r in regulations if (d := iso_date(r.get("publicationDate"), _ISO_DAY))]
        designated = iso_date(entry.get("designationDate"), _ISO_DAY)
        sanction.add("listingDate", designated or min(published, default=None))
        sanction.add("endDate", iso_date(entry.get("delistingDate"), _ISO_DAY))
        for regulation in regulations:
            sanction.add("description", _attr(regulation, "numberTitle"))
            sanction.add("sourceUrl", _text(regulation, _q("publicationUrl")))
        return sanction

    # ----------------------------------------------------------------- legacy 1.0

    def legacy_entry(self, path: Path, entity: etree._Element) -> Iterator[EntityProxy]:
        """The target and its Sanction for one legacy ``ENTITY``."""
        list_id = self._list_id(path, entity, "Id")
        schema = _LEGACY_SCHEMAS.get((entity.get("Type") or "").strip(), _FALLBACK_SCHEMA)
        target = self._target(schema, list_id)
        for index, name in enumerate(entity.iterfind("NAME")):
            add_legacy_name(target, name, primary=index == 0)
        if not target.get("name"):
            raise self._nameless(path, entity, list_id)
        for birth in entity.iterfind("BIRTH"):
            add_legacy_birth(target, birth)
        for citizen in entity.iterfind("CITIZEN"):
            country = _code_text(citizen, "COUNTRY")
            target.add("citizenship" if target.schema.is_a("Person") else "country", country)
        for doc in entity.iterfind("PASSPORT"):
            add_legacy_document(target, doc)
        for address in entity.iterfind("ADDRESS"):
            target.add("address", legacy_address(address))
            target.add("country", _code_text(address, "COUNTRY"))
        target.add("notes", _attr(entity, "remark"))
        records = [entity, *entity]
        programmes = list(dict.fromkeys(p for r in records if (p := _attr(r, "programme"))))
        target.add("program", programmes)
        target.add("programId", programmes)
        yield target
        yield self.legacy_sanction(target, entity, list_id, records, programmes)

    def legacy_sanction(
        self,
        target: EntityProxy,
        entity: etree._Element,
        list_id: str,
        records: list[etree._Element],
        programmes: list[str],
    ) -> EntityProxy:
        """Legacy files state no designation date: the earliest ``reg_date`` stands in."""
        sanction = make_sanction(target, self.name, list_id, authority=AUTHORITY)
        sanction.add("program", programmes)
        sanction.add("programId", programmes)
        dates = [d for r in records if (d := iso_date(r.get("reg_date"), _ISO_DAY))]
        sanction.add("listingDate", min(dates, default=None))
        sanction.add("description", _attr(entity, "legal_basis"))
        sanction.add("sourceUrl", _attr(entity, "pdf_link"))
        return sanction


EU_FSF = EUFinancialSanctions()
SOURCES = (EU_FSF,)
