"""Which columns of a shipment file hold which facts.

A :class:`Mapping` ties *fields* (fixed names such as ``buyer_name``,
``hs_code`` or ``destination_country``) to the *column names* of one input
file.  It comes from one of three places:

* the default convention, recognised case-insensitively by
  :meth:`Mapping.default_for`: ``row_id``; ``<role>_name``, ``<role>_country``,
  ``<role>_address`` for each role in :data:`redline.goods.shipment.ROLES`;
  ``hs_code``, ``description``, ``quantity``, ``value``, ``currency``;
  ``origin_country``, ``transit_countries``, ``destination_country``;
* a small YAML file, read by :meth:`Mapping.from_yaml`::

      row_id: Order No
      sheet: Orders              # XLSX only
      transit_separator: "|"     # default ";"
      encoding: cp1252           # CSV only, default utf-8-sig
      parties:
        buyer: {name: Buyer, country: Buyer Country, address: Buyer Address}
        end_user: {name: End User, country: End User Country}
      goods: {hs_code: HS, description: Goods, quantity: Qty, value: Value, currency: Cur}
      route: {origin: From, transit: Via, destination: To}

  (flat field names such as ``buyer_name: Buyer`` are accepted at the top level too);
* command-line options ``field=Column`` read by :meth:`Mapping.from_options`.

:meth:`Mapping.resolve` checks a mapping against the columns a file really has:
a missing or misspelt column stops the run with a :class:`MappingError` that
lists what is missing, close matches, and every column found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from redline.goods.shipment import ROLES

PARTY_PARTS = ("name", "country", "address")
GOODS_FIELDS = ("hs_code", "description", "quantity", "value", "currency")
ROUTE_FIELDS = ("origin_country", "transit_countries", "destination_country")
#: Every field a mapping may name, in the order reports list them.
FIELDS: tuple[str, ...] = (
    "row_id",
    *(f"{role}_{part}" for role in ROLES for part in PARTY_PARTS),
    *GOODS_FIELDS,
    *ROUTE_FIELDS,
)
#: Alternative role spellings accepted in YAML keys and default-convention headers.
ROLE_ALIASES = {"freight_forwarder": "forwarder", "enduser": "end_user"}
#: Short names accepted in a YAML ``route:`` section.
ROUTE_KEYS = {
    "origin": "origin_country",
    "origin_country": "origin_country",
    "transit": "transit_countries",
    "transit_countries": "transit_countries",
    "destination": "destination_country",
    "destination_country": "destination_country",
}
#: Fields whose silent absence would weaken screening: a header close to one of
#: these but not equal (``buyer_nmae``) stops the default recognition.
SCREENED_FIELDS: tuple[str, ...] = (
    *(f"{role}_{part}" for role in ROLES for part in ("name", "country")),
    "hs_code",
    *ROUTE_FIELDS,
)
OPTIONS = ("sheet", "transit_separator", "encoding")
SECTIONS = ("parties", "goods", "route")

# A header or field that is this close to a convention name but not equal to it
# is taken for a misspelling.
_CLOSE = 0.8


class MappingError(ValueError):
    """The mapping and the file's columns do not fit; the run must stop."""

    def __init__(
        self,
        message: str,
        *,
        found: Sequence[str] = (),
        missing: Sequence[str] = (),
    ) -> None:
        self.found = list(found)
        self.missing = list(missing)
        if found:
            message = f"{message}\ncolumns found ({len(found)}): {_quoted(found)}"
        super().__init__(message)


@dataclass(frozen=True)
class PartyColumns:
    role: str
    name: str | None = None
    country: str | None = None
    address: str | None = None


def normalise_header(text: str) -> str:
    """``" Buyer Name "`` -> ``"buyer_name"``: lower case, blanks and dashes as ``_``."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names) or "(none)"


def _canonical_field(key: str) -> str | None:
    """A field name from a user's spelling (``"Buyer Name"``, ``freight_forwarder_name``)."""
    key = normalise_header(key)
    if key in FIELDS:
        return key
    for alias, role in ROLE_ALIASES.items():
        if key.startswith(alias + "_"):
            candidate = role + key[len(alias) :]
            if candidate in FIELDS:
                return candidate
    return None


@dataclass(frozen=True)
class Mapping:
    """Field name -> column name, plus the few reading options."""

    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    transit_separator: str = ";"
    encoding: str = "utf-8-sig"

    def __post_init__(self) -> None:
        unknown = [f for f in self.columns if f not in FIELDS]
        if unknown:
            raise MappingError(f"unknown field(s) {_quoted(unknown)}; known fields: {_fields()}")
        if not self.transit_separator:
            raise MappingError("transit_separator must not be empty")

    # -- views --------------------------------------------------------------

    def column(self, name: str) -> str | None:
        """The column mapped to field ``name``, or ``None``."""
        return self.columns.get(name)

    def party(self, role: str) -> PartyColumns:
        return PartyColumns(
            role,
            self.columns.get(f"{role}_name"),
            self.columns.get(f"{role}_country"),
            self.columns.get(f"{role}_address"),
        )

    @property
    def parties(self) -> tuple[PartyColumns, ...]:
        """The roles that have a name column, in :data:`ROLES` order."""
        return tuple(p for p in (self.party(r) for r in ROLES) if p.name is not None)

    # -- building -----------------------------------------------------------

    @classmethod
    def default_for(cls, columns: Sequence[str]) -> Mapping:
        """Recognise the default naming convention among ``columns`` (case-insensitive).

        Raises :class:`MappingError` when no party name column is found, when two
        headers claim the same field, when a role has a country or address column
        but no name column, or when a header looks like a misspelt convention name
        (``buyer_nmae``) — a party silently left unscreened is worse than a stop.
        """
        found: dict[str, str] = {}
        clashes: list[str] = []
        unrecognised: list[str] = []
        for header in columns:
            name = _canonical_field(header)
            if name is None:
                unrecognised.append(header)
            elif name in found:
                clashes.append(f"{found[name]!r} and {header!r} both mean {name}")
            else:
                found[name] = header
        problems: list[str] = list(clashes)
        absent = [f for f in SCREENED_FIELDS if f not in found]
        for header in unrecognised:
            close = difflib.get_close_matches(normalise_header(header), absent, 1, _CLOSE)
            if close:
                problems.append(f"column {header!r} looks like a misspelling of {close[0]!r}")
        for role in ROLES:
            if f"{role}_name" not in found:
                orphans = [
                    found[f"{role}_{p}"] for p in ("country", "address") if f"{role}_{p}" in found
                ]
                if orphans:
                    problems.append(
                        f"{_quoted(orphans)} found but no {role}_name column for that party"
                    )
        if not any(f"{role}_name" in found for role in ROLES):
            names = ", ".join(f"{role}_name" for role in ROLES)
            problems.append(f"no party name column: expected at least one of {names}")
        if problems:
            raise MappingError(
                "the columns do not follow the default naming convention "
                "(give a mapping file or options to say which column is which):\n  "
                + "\n  ".join(problems),
                found=columns,
            )
        return cls(columns=found)

    @classmethod
    def from_options(
        cls,
        pairs: Iterable[str] | AbstractMapping[str, str],
        *,
        sheet: str | None = None,
        transit_separator: str | None = None,
        encoding: str | None = None,
    ) -> Mapping:
        """From ``["buyer_name=Buyer", "hs_code=HS Code"]`` or an equivalent dict."""
        items: list[tuple[str, str]] = []
        if isinstance(pairs, AbstractMapping):
            items = list(pairs.items())
        else:
            for pair in pairs:
                key, sep, value = pair.partition("=")
                if not sep:
                    raise MappingError(
                        f"option {pair!r}: expected FIELD=COLUMN, e.g. buyer_name=Buyer"
                    )
                items.append((key, value))
        columns: dict[str, str] = {}
        for key, value in items:
            name = _canonical_field(key)
            if name is None:
                raise MappingError(f"option {key!r}: unknown field{_suggest(key, FIELDS)}")
            value = value.strip()
            if not value:
                raise MappingError(f"option {key!r}: empty column name")
            columns[name] = value
        base = cls(columns=columns)
        return base.override(sheet=sheet, transit_separator=transit_separator, encoding=encoding)

    @classmethod
    def from_yaml(cls, path: Path) -> Mapping:
        """Read a mapping file; every error names the file and the field."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(
                f"{path}: cannot read the mapping file: {exc.strerror or exc}"
            ) from exc
        except UnicodeDecodeError as exc:
            raise MappingError(f"{path}: the mapping file is not UTF-8 text") from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            where = ""
            mark = getattr(exc, "problem_mark", None)
            if mark is not None:
                where = f" at line {mark.line + 1}, column {mark.column + 1}"
            problem = getattr(exc, "problem", None) or str(exc)
            raise MappingError(f"{path}: not valid YAML{where}: {problem}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "mapping") -> Mapping:
        """From parsed YAML (see the module docstring for the layout)."""
        if data is None:
            raise MappingError(f"{source}: the mapping is empty")
        if not isinstance(data, dict):
            raise MappingError(f"{source}: expected a mapping of keys to values at the top level")
        columns: dict[str, str] = {}
        options: dict[str, str] = {}

        def put(name: str, value: Any, where: str) -> None:
            text = _column_name(value, f"{source}: {where}")
            if text is None:
                return
            if name in columns:
                raise MappingError(f"{source}: {where}: field {name} is mapped twice")
            columns[name] = text

        for key, value in data.items():
            key_text = str(key)
            norm = normalise_header(key_text)
            if norm in OPTIONS:
                text = _column_name(value, f"{source}: {key_text}", strip=False)
                if text is not None:
                    options[norm] = text
            elif norm == "parties":
                for role_key, parts in _section(value, f"{source}: {key_text}").items():
                    role = _role(str(role_key), f"{source}: {key_text}.{role_key}")
                    where = f"{key_text}.{role_key}"
                    if isinstance(parts, str | int):
                        put(f"{role}_name", parts, where)  # "buyer: Buyer" is the name column
                        continue
                    for part, column in _section(parts, f"{source}: {where}").items():
                        part_key = normalise_header(str(part))
                        if part_key not in PARTY_PARTS:
                            raise MappingError(
                                f"{source}: {where}.{part}: unknown field"
                                f"{_suggest(str(part), PARTY_PARTS)}"
                                " (expected name, country, address)"
                            )
                        put(f"{role}_{part_key}", column, f"{where}.{part}")
            elif norm == "goods":
                for part, column in _section(value, f"{source}: {key_text}").items():
                    part_key = normalise_header(str(part))
                    if part_key not in GOODS_FIELDS:
                        raise MappingError(
                            f"{source}: {key_text}.{part}: unknown field"
                            f"{_suggest(str(part), GOODS_FIELDS)}"
                            f" (expected {', '.join(GOODS_FIELDS)})"
                        )
                    put(part_key, column, f"{key_text}.{part}")
            elif norm == "route":
                for part, column in _section(value, f"{source}: {key_text}").items():
                    route_key = ROUTE_KEYS.get(normalise_header(str(part)))
                    if route_key is None:
                        raise MappingError(
                            f"{source}: {key_text}.{part}: unknown field"
                            f"{_suggest(str(part), ('origin', 'transit', 'destination'))}"
                            " (expected origin, transit, destination)"
                        )
                    put(route_key, column, f"{key_text}.{part}")
            else:
                name = _canonical_field(key_text)
                if name is None:
                    known = (*OPTIONS, *SECTIONS, *FIELDS)
                    raise MappingError(
                        f"{source}: {key_text}: unknown key{_suggest(key_text, known)}"
                    )
                put(name, value, key_text)
        try:
            return cls(columns=columns).override(
                sheet=options.get("sheet"),
                transit_separator=options.get("transit_separator"),
                encoding=options.get("encoding"),
            )
        except MappingError as exc:
            raise MappingError(f"{source}: {exc}") from exc

    def override(
        self,
        *,
        columns: AbstractMapping[str, str] | None = None,
        sheet: str | None = None,
        transit_separator: str | None = None,
        encoding: str | None = None,
    ) -> Mapping:
        """A copy with the given values replaced (command-line options over a file)."""
        merged = dict(self.columns)
        if columns:
            merged.update(columns)
        return replace(
            self,
            columns=merged,
            sheet=sheet if sheet is not None else self.sheet,
            transit_separator=(
                transit_separator if transit_separator is not None else self.transit_separator
            ),
            encoding=encoding if encoding is not None else self.encoding,
        )

    # -- checking against a file ---------------------------------------------

    def resolve(self, columns: Sequence[str]) -> Mapping:
        """This mapping with each column name as the file spells it.

        A mapped name matches a header exactly, or else case-insensitively (blanks
        and dashes ignored) when that is unambiguous.  Anything else raises
        :class:`MappingError` listing the missing names, close matches, and all
        the columns found.
        """
        exact = set(columns)
        loose: dict[str, list[str]] = {}
        for header in columns:
            loose.setdefault(normalise_header(header), []).append(header)
        resolved: dict[str, str] = {}
        problems: list[str] = []
        missing: list[str] = []
        for name in FIELDS:
            wanted = self.columns.get(name)
            if wanted is None:
                continue
            if wanted in exact:
                resolved[name] = wanted
                continue
            candidates = loose.get(normalise_header(wanted), [])
            if len(candidates) == 1:
                resolved[name] = candidates[0]
                continue
            missing.append(wanted)
            if candidates:
                problems.append(f"{name}: column {wanted!r} is ambiguous: {_quoted(candidates)}")
            else:
                problems.append(f"{name}: column {wanted!r} not found{_suggest(wanted, columns)}")
        for role in ROLES:
            if f"{role}_name" not in self.columns:
                orphans = [
                    f"{role}_{p}" for p in ("country", "address") if f"{role}_{p}" in self.columns
                ]
                if orphans:
                    problems.append(f"{', '.join(orphans)} mapped but {role}_name is not")
        if not any(f"{role}_name" in self.columns for role in ROLES):
            problems.append(
                "no party name column is mapped: map at least one of "
                + ", ".join(f"{role}_name" for role in ROLES)
            )
        if problems:
            raise MappingError(
                "the mapping does not fit the file:\n  " + "\n  ".join(problems),
                found=columns,
                missing=missing,
            )
        return replace(self, columns=resolved)

    def to_dict(self) -> dict[str, Any]:
        """The YAML layout of :meth:`from_dict` (flat field names)."""
        data: dict[str, Any] = {name: self.columns[name] for name in FIELDS if name in self.columns}
        if self.sheet is not None:
            data["sheet"] = self.sheet
        data["transit_separator"] = self.transit_separator
        data["encoding"] = self.encoding
        return data


def _fields() -> str:
    return ", ".join(FIELDS)


def _suggest(text: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for close spellings of ``text`` among ``choices``, or ``""``."""
    by_norm: dict[str, str] = {}
    for choice in choices:
        by_norm.setdefault(normalise_header(choice), choice)
    norm = normalise_header(text)
    close = [by_norm[c] for c in difflib.get_close_matches(norm, by_norm, 3, 0.65)]
    if len(norm) >= 2:
        close += [c for n, c in by_norm.items() if (norm in n or n in norm) and len(n) >= 2]
    close = list(dict.fromkeys(close))[:3]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _section(value: Any, where: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(f"{where}: expected a mapping (key: value lines), got {_kind(value)}")
    return value


def _role(text: str, where: str) -> str:
    role = normalise_header(text)
    role = ROLE_ALIASES.get(role, role)
    if role not in ROLES:
        raise MappingError(
            f"{where}: unknown role{_suggest(text, ROLES)} (roles: {', '.join(ROLES)})"
        )
    return role


def _column_name(value: Any, where: str, *, strip: bool = True) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MappingError(f"{where}: expected a column name (text), got {_kind(value)}")
    text = str(value)
    if strip:
        text = text.strip()
    if not text:
        raise MappingError(f"{where}: empty value")
    return text


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    return f"{type(value).__name__} {value!r}"
