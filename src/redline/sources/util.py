"""Small helpers shared by the source parsers: null markers, dates, targets.

Conventions every parser follows (the store and the matcher rely on them):

* A listed subject (person, organisation, vessel...) is a *target*: its id is
  ``entity_id(source, list_id)``, ``proxy.context["source_id"]`` holds the list's
  own id as the publisher writes it and ``proxy.context["target"]`` is ``True``.
* The listing itself is a ``Sanction`` entity (id ``entity_id(source, list_id,
  "sanction")``) pointing at the target, with authority, authorityId, programme,
  listing date and reason.
* Other helper entities (``CryptoWallet`` ...) carry no ``target`` flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from followthemoney import EntityProxy

from redline.sources.base import entity_id, make_entity

#: Values publishers use for "nothing here".
#: Not "na": it is a real name part (and Namibia's code).
NULL_MARKERS = frozenset({"", "-0-", "n/a", "none", "null", "-"})

_SPACES = re.compile(r"\s+")


def clean(value: str | None) -> str | None:
    """Collapse white space; ``None`` for empty values and null markers like ``-0-``."""
    if value is None:
        return None
    text = _SPACES.sub(" ", value).strip()
    if text.lower() in NULL_MARKERS:
        return None
    return text


def iso_date(value: str | None, formats: Iterable[str]) -> str | None:
    """Parse ``value`` with the first matching ``strptime`` format, as an ISO date.

    Returns ``None`` when no format matches or the year is not plausible (publishers'
    typos such as ``2922-09-01`` are rejected rather than stored).
    """
    text = clean(value)
    if text is None:
        return None
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if plausible_year(parsed.year):
            return parsed.isoformat()
        return None
    return None


def plausible_year(year: int) -> bool:
    """Years a listing, birth or publication date can have."""
    return 1800 <= year <= date.today().year + 1


def mark_target(proxy: EntityProxy, source_id: str | int) -> EntityProxy:
    """Flag ``proxy`` as a listed subject and remember the list's own id."""
    proxy.context["source_id"] = str(source_id)
    proxy.context["target"] = True
    return proxy


def make_target(schema: str, source: str, source_id: str | int) -> EntityProxy:
    """A target entity with the id convention above."""
    return mark_target(make_entity(schema, source, source_id), source_id)


def make_sanction(
    target: EntityProxy,
    source: str,
    source_id: str | int,
    *,
    authority: str,
) -> EntityProxy:
    """The ``Sanction`` entity for one listing of ``target``."""
    sanction = make_entity("Sanction", source, source_id, "sanction")
    # FtM 4 refuses underscores in entity references unless told the value is clean.
    sanction.add("entity", target.id, cleaned=True)
    sanction.add("authority", authority)
    sanction.add("authorityId", str(source_id))
    return sanction


def is_target(proxy: EntityProxy) -> bool:
    return bool(proxy.context.get("target"))


def source_id_of(proxy: EntityProxy) -> str | None:
    value = proxy.context.get("source_id")
    return str(value) if value is not None else None


__all__ = [
    "NULL_MARKERS",
    "clean",
    "entity_id",
    "is_target",
    "iso_date",
    "make_entity",
    "make_sanction",
    "make_target",
    "mark_target",
    "plausible_year",
    "source_id_of",
]
