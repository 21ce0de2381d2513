"""Evidence beyond the name: birth dates, countries, identifiers, company type.

Each feature returns a signed contribution to the score and a sentence for the
explanation.  An identical identifier (passport, IMO, registration number) is
decisive; a birth date that cannot be the same person lowers the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rigour.territories import lookup_territory

#: Properties whose values identify a subject.
IDENTIFIER_PROPS = (
    "passportNumber",
    "idNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "imoNumber",
    "mmsi",
    "swiftBic",
    "leiCode",
    "vatCode",
    "okpoCode",
    "uscCode",
    "serialNumber",
    "icaoCode",
    "socialSecurityNumber",
)
COUNTRY_PROPS = (
    "country",
    "nationality",
    "citizenship",
    "jurisdiction",
    "birthCountry",
    "mainCountry",
    "flag",
)

BIRTH_AGREE_FULL = 0.06
BIRTH_AGREE_YEAR = 0.03
BIRTH_CONFLICT = -0.25
BIRTH_NEAR = -0.08
COUNTRY_AGREE = 0.02
COUNTRY_CONFLICT = -0.04
ORG_TYPE_AGREE = 0.01
ORG_TYPE_CONFLICT = -0.03
#: The most the features other than identifiers can add to a name's score.
MAX_FEATURE_GAIN = BIRTH_AGREE_FULL + COUNTRY_AGREE + ORG_TYPE_AGREE

_ID_CLEAN = re.compile(r"[^0-9A-Z]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    contribution: float
    detail: str
    decisive: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "contribution": round(self.contribution, 3),
            "detail": self.detail,
        }
        if self.decisive:
            data["decisive"] = True
        return data


def normalise_identifier(value: str) -> str | None:
    """Upper-case alphanumerics only; too short to be specific -> None."""
    cleaned = _ID_CLEAN.sub("", value.upper())
    if cleaned.startswith("IMO") and cleaned[3:].isdigit():
        cleaned = cleaned[3:]
    return cleaned if len(cleaned) >= 5 else None


def normalise_country(value: str) -> str | None:
    """ISO alpha-2 code (lower case) for a code or a country name.

    rigour's territory table, which followthemoney's country type reads too (the same
    codes, checked on every country of the lists): without followthemoney's model to
    load, a screening process starts half a second sooner."""
    text = value.strip()
    if not text:
        return None
    territory = lookup_territory(text)
    return territory.ftm_country if territory is not None else None


def normalise_date(value: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` prefix of an ISO-ish date."""
    match = _DATE.match(value.strip())
    if match is None:
        return None
    return "-".join(part for part in match.groups() if part)


def compare_birth_dates(query: Iterable[str], listed: Iterable[str]) -> Feature | None:
    q_dates = [d for d in (normalise_date(v) for v in query) if d]
    l_dates = [d for d in (normalise_date(v) for v in listed) if d]
    if not q_dates or not l_dates:
        return None
    best: Feature | None = None
    for q in q_dates:
        for candidate in l_dates:
            shared = min(len(q), len(candidate))
            if q[:shared] == candidate[:shared]:
                full = shared >= 10
                feature = Feature(
                    "birth_date",
                    BIRTH_AGREE_FULL if full else BIRTH_AGREE_YEAR,
                    f"birth date {q} agrees with listed {candidate}",
                )
                if best is None or feature.contribution > best.contribution:
                    best = feature
    if best is not None:
        return best
    for q in q_dates:
        for candidate in l_dates:
            how = _same_date_miswritten(q, candidate)
            if how:
                # A slip in the day, or day and month read the other way round
                # (03/04 and 04/03): the year agrees, and so does the rest, but for a slip.
                return Feature(
                    "birth_date",
                    BIRTH_AGREE_YEAR,
                    f"birth date {q} agrees with listed {candidate} {how}",
                )
    gap = min(abs(int(q[:4]) - int(c[:4])) for q in q_dates for c in l_dates)
    listed_text = ", ".join(sorted(set(l_dates)))
    if gap <= 1:
        return Feature(
            "birth_date", BIRTH_NEAR, f"birth date {q_dates[0]} near listed {listed_text}"
        )
    return Feature(
        "birth_date", BIRTH_CONFLICT, f"birth date {q_dates[0]} conflicts with listed {listed_text}"
    )


def _same_date_miswritten(a: str, b: str) -> str:
    """How two full dates (YYYY-MM-DD) of the same year may be one date miswritten:
    "but for a slip in the day" (same month, days at most three apart) or "with day and
    month swapped"; "" when they are not."""
    if len(a) < 10 or len(b) < 10 or a[:4] != b[:4]:
        return ""
    if a[5:7] == b[5:7] and abs(int(a[8:10]) - int(b[8:10])) <= 3:
        return "but for a slip in the day"
    if a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return "with day and month swapped"
    return ""


#: Places lists file under one another: OFAC and the UK list Hong Kong firms with
#: "China" addresses, so a Hong Kong party must not count against a China listing.
_RELATED_COUNTRIES = {"hk": {"cn"}, "mo": {"cn"}, "cn": {"hk", "mo"}}


def compare_countries(query: Iterable[str], listed: frozenset[str]) -> Feature | None:
    codes = {c for c in (normalise_country(v) for v in query) if c}
    if not codes or not listed:
        return None
    shared = codes & listed
    if not shared:
        related = {r for c in codes for r in _RELATED_COUNTRIES.get(c, ())} & listed
        if related:
            named = ", ".join(sorted(codes))
            return Feature(
                "country", 0.0, f"country {named} related to listed {', '.join(sorted(related))}"
            )
    if shared:
        return Feature("country", COUNTRY_AGREE, f"country {', '.join(sorted(shared))} listed")
    return Feature(
        "country",
        COUNTRY_CONFLICT,
        f"country {', '.join(sorted(codes))} not among listed {', '.join(sorted(listed))}",
    )


def compare_identifiers(query: Iterable[str], listed: dict[str, str]) -> Feature | None:
    """``listed`` maps normalised identifier -> property it came from."""
    for value in query:
        cleaned = normalise_identifier(value)
        if cleaned is not None and cleaned in listed:
            return Feature(
                "identifier",
                1.0,
                f"identifier {value} equals listed {listed[cleaned]}",
                decisive=True,
            )
    return None


def org_type_contribution(query: frozenset[str], listed: frozenset[str]) -> float:
    """What :func:`compare_org_types` would add, without building its explanation."""
    if not query or not listed:
        return 0.0
    return ORG_TYPE_AGREE if query & listed else ORG_TYPE_CONFLICT


def compare_org_types(query: frozenset[str], listed: frozenset[str]) -> Feature | None:
    """:func:`org_type_contribution` with its explanation."""
    contribution = org_type_contribution(query, listed)
    if not contribution:
        return None
    named = ", ".join(sorted(query))
    if contribution == ORG_TYPE_AGREE:
        return Feature("org_type", contribution, f"company type {named} agrees")
    return Feature(
        "org_type",
        contribution,
        f"company type {named} differs from listed {', '.join(sorted(listed))}",
    )
