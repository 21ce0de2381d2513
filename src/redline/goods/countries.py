"""Country names and codes, reduced to the codes the rules compare.

:func:`normalise_country` accepts an ISO 3166-1 alpha-2 or alpha-3 code or an
English name ("Hong Kong", "HK", "Türkiye", "Turkey", "UAE", "Russian
Federation", "Kyrgyz Republic", "Korea, North"...), and returns the ISO alpha-2
code in lower case (``"hk"``, ``"tr"``, ``"ae"``, ``"ru"``, ``"kg"``, ``"kp"``).
FollowTheMoney's country table does most of the work; a few spellings common in
trade documents and statistics that it does not know are added here.

Three occupied areas of Ukraine keep FollowTheMoney's own codes instead of
``"ua"``: ``"ua-cri"`` (Crimea and Sevastopol), ``"ua-dpr"`` (Donetsk) and
``"ua-lpr"`` (Luhansk).  The EU, UK and US sanction them as territories, apart
from the rest of Ukraine, so folding them into ``"ua"`` would hide exactly what a
screen must see.  Other sub-national places FollowTheMoney knows (Scotland,
Abkhazia, Tibet...) become their country's code.  Pseudo-codes that are not a
place goods can go to ("zz" global, "eu") and former states (Soviet Union,
Yugoslavia...) are refused, as is anything unknown: :class:`CountryError`.
"""

from __future__ import annotations

from followthemoney.types import registry

#: Territories kept under their own code (see the module docstring).
SANCTIONED_TERRITORIES = frozenset({"ua-cri", "ua-dpr", "ua-lpr"})

#: Codes FollowTheMoney uses that are not a destination.
_NOT_PLACES = {
    "zz": "is not a country (it means 'global')",
    "eu": "is the European Union, not a country",
    "suhh": "is a former state (the Soviet Union)",
    "cshh": "is a former state (Czechoslovakia)",
    "yucs": "is a former state (Yugoslavia)",
    "csxx": "is a former state (Serbia and Montenegro)",
}

#: FollowTheMoney territory codes whose prefix is not the country's ISO code.
_TERRITORY_PARENTS = {"x-so": "ge"}  # South Ossetia (Georgia)

#: Spellings FollowTheMoney does not resolve, seen in trade documents and in
#: statistical country lists (World Bank, WTO, UN).  Keys are normalised by _key.
_EXTRA_NAMES = {
    "emirates": "ae",
    "the emirates": "ae",
    "mainland china": "cn",
    "china mainland": "cn",
    "hong kong, china": "hk",
    "hong kong sar, china": "hk",
    "macau sar": "mo",
    "macao sar": "mo",
    "macao sar, china": "mo",
    "macau, china": "mo",
    "macao, china": "mo",
    "chinese taipei": "tw",
    "belorussia": "by",
    "byelorussia": "by",
    "russian fed": "ru",
    "korea, rep": "kr",
    "korea rep": "kr",
    "korea, dem. rep": "kp",
    "korea, dem rep": "kp",
    "korea, dem. people's rep": "kp",
    "korea dpr": "kp",
    "kirghizia": "kg",
    "kirgizia": "kg",
    "kyrgyzia": "kg",
    "lao pdr": "la",
    "turkiye": "tr",
}


class CountryError(ValueError):
    """A country name or code that cannot be resolved."""


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .,;")


def normalise_country(text: str) -> str:
    """ISO 3166-1 alpha-2 code, lower case, for a country code or English name.

    Returns ``"ua-cri"``, ``"ua-dpr"`` or ``"ua-lpr"`` for the three sanctioned
    occupied areas of Ukraine.  Raises :class:`CountryError` for anything else
    that is not a country.
    """
    if not isinstance(text, str):
        raise CountryError(f"country must be text, not {type(text).__name__}")
    key = _key(text)
    if not key:
        raise CountryError("country is empty")
    code = _EXTRA_NAMES.get(key)
    if code is None:
        cleaned = registry.country.clean(key)
        if cleaned is None:
            raise CountryError(f"unknown country {text!r}")
        code = str(cleaned).lower()
    if code in _NOT_PLACES:
        raise CountryError(f"country {text!r} {_NOT_PLACES[code]}")
    if code in SANCTIONED_TERRITORIES:
        return code
    if "-" in code:
        code = _TERRITORY_PARENTS.get(code, code.split("-", 1)[0])
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise CountryError(f"country {text!r} resolves to {code!r}, which is not an ISO code")
    return code


def country_name(code: str) -> str:
    """The English name of a code from :func:`normalise_country`, e.g. ``"Russia"``;
    the code itself, upper case, when unknown."""
    names: dict[str, str] = registry.country.names
    return names.get(code.lower(), code.upper())


def country_label(code: str) -> str:
    """Name and code for messages: ``"Russia (RU)"``."""
    return f"{country_name(code)} ({code.upper()})"
