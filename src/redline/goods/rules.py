"""Red-flag rules: readable YAML in, a block / review / clear verdict per row out.

The rules live in YAML (the defaults in ``data/rules.yml``, beside this module;
read its header for the layout).  Each rule names one *kind* of check implemented
here and gives its parameters, so users change thresholds and country lists,
switch rules off and add rules of their own without code:

* :func:`load_rules` reads the defaults and any number of user files, merging them
  by rule id, and checks everything: each error names the file, the rule id and
  the field.
* :func:`evaluate` runs the enabled rules over one row's :class:`ShipmentFacts`;
  the row's risk is the highest severity of the rules that fire, ``clear`` if none.

Kinds (see :data:`KINDS`): ``goods_to_countries``, ``route_through_countries``,
``party_listed``, ``party_on_programs``, ``party_address_listed``,
``end_user_country_mismatch`` and ``any_problem``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from redline.goods.countries import CountryError, country_label, normalise_country
from redline.goods.hs import format_hs
from redline.goods.shipment import (
    RISK_LEVELS,
    ROLES,
    GoodsHit,
    Party,
    PartyHit,
    RuleResult,
    ShipmentFacts,
    Verdict,
)

Severity = Literal["review", "block"]
SEVERITIES: tuple[str, ...] = ("review", "block")
_RANK = {level: rank for rank, level in enumerate(RISK_LEVELS)}

#: Where a goods rule looks for a country: the route, or a party of a role.
PLACES: tuple[str, ...] = ("destination", "transit", *ROLES)
_DEFAULT_PLACES = (
    "destination",
    "transit",
    "buyer",
    "consignee",
    "intermediate_consignee",
    "end_user",
)

DEFAULT_RULES_RESOURCE = "data/rules.yml"
DEFAULT_ORIGIN = "redline default rules (redline/goods/data/rules.yml)"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RULE_FIELDS = ("id", "description", "severity", "kind", "source", "params", "enabled")
_REQUIRED_NEW = ("description", "severity", "kind", "source")
_TOP_LEVEL = ("version", "country_sets", "rules")


class RuleError(ValueError):
    """Rules that cannot be loaded; :attr:`errors` lists every problem found."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --------------------------------------------------------------------------- params


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_roles(values: tuple[str, ...] | None, allowed: Sequence[str]) -> tuple[str, ...] | None:
    if values is None:
        return None
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {', '.join(map(repr, unknown))}; use {', '.join(allowed)}")
    return values


class GoodsToCountriesParams(_Params):
    """Goods on a control list going to, through, or for a party in, a country."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    countries: frozenset[str]
    lists: tuple[str, ...] | None = None
    tiers: tuple[str, ...] | None = None
    places: tuple[str, ...] = _DEFAULT_PLACES

    @field_validator("places")
    @classmethod
    def _places(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("give at least one place")
        checked = _check_roles(value, PLACES)
        assert checked is not None
        return checked


class RouteThroughCountriesParams(_Params):
    """The route transits one of the countries."""

    countries: frozenset[str]


class PartyListedParams(_Params):
    """A party resembles a listed entity."""

    decisions: tuple[Literal["match", "possible"], ...] = ("match", "possible")
    #: Severity of a ``match`` (the rule's severity applies to ``possible``).
    match_severity: Severity | None = None
    roles: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _check_roles(value, ROLES)


class PartyOnProgramsParams(_Params):
    """A party matches an entry of given programmes (``EL``, ``RUSSIA-*``) or topics."""

    programs: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    decisions: tuple[Literal["match", "possible"], ...] = ("match",)
    roles: tuple[str, ...] | None = None

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _check_roles(value, ROLES)

    @model_validator(mode="after")
    def _something(self) -> PartyOnProgramsParams:
        if not self.programs and not self.topics:
            raise ValueError("give programs or topics (or both)")
        return self


class PartyAddressListedParams(_Params):
    """A party's address closely matches a listed entity's address."""

    min_score: float = Field(default=0.9, ge=0.0, le=1.0)
    roles: tuple[str, ...] | None = None

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _check_roles(value, ROLES)


class EndUserCountryMismatchParams(_Params):
    """A party of the given roles is in another country than the destination."""

    roles: tuple[str, ...] = ("end_user",)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("give at least one role")
        checked = _check_roles(value, ROLES)
        assert checked is not None
        return checked


class AnyProblemParams(_Params):
    """The row had read problems."""


RuleParams = (
    GoodsToCountriesParams
    | RouteThroughCountriesParams
    | PartyListedParams
    | PartyOnProgramsParams
    | PartyAddressListedParams
    | EndUserCountryMismatchParams
    | AnyProblemParams
)

#: Every kind of check, with the model of its params.
KINDS: dict[str, type[RuleParams]] = {
    "goods_to_countries": GoodsToCountriesParams,
    "route_through_countries": RouteThroughCountriesParams,
    "party_listed": PartyListedParams,
    "party_on_programs": PartyOnProgramsParams,
    "party_address_listed": PartyAddressListedParams,
    "end_user_country_mismatch": EndUserCountryMismatchParams,
    "any_problem": AnyProblemParams,
}
#: Kinds whose params name countries (``countries`` and ``country_sets``).
_COUNTRY_KINDS = frozenset({"goods_to_countries", "route_through_countries"})


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class RuleSource:
    """A piece of public guidance (or policy) a rule comes from."""

    citation: str
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.citation} <{self.url}>" if self.url else self.citation


@dataclass(frozen=True)
class Rule:
    """One red-flag rule, checked and ready to run (see :func:`load_rules`)."""

    id: str
    description: str
    severity: str  # review | block
    kind: str
    params: RuleParams
    sources: tuple[RuleSource, ...]
    enabled: bool = True
    #: The files that defined or changed the rule, in order.
    origins: tuple[str, ...] = ()


@dataclass
class _Draft:
    """A rule while files are merged: raw values, and which file set each field."""

    fields: dict[str, Any]
    params: dict[str, Any]
    origin_of: dict[str, str]  # "severity", "params.countries"... -> file
    origins: list[str]


def _read_yaml(text: str, origin: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError([f"{origin}: not valid YAML: {exc}"]) from exc


def _describe_rule(entry: Mapping[str, Any], position: int) -> str:
    rule_id = entry.get("id")
    return f"rule {rule_id!r}" if isinstance(rule_id, str) and rule_id else f"rule #{position}"


def _check_source(value: Any, where: str, errors: list[str]) -> None:
    items = value if isinstance(value, list) else [value]
    if not items:
        errors.append(f"{where}: source is empty; cite the guidance or policy the rule comes from")
    for i, item in enumerate(items):
        label = f"{where}: source[{i}]" if isinstance(value, list) else f"{where}: source"
        if isinstance(item, str):
            if not item.strip():
                errors.append(f"{label} is empty")
        elif isinstance(item, Mapping):
            unknown = set(item) - {"citation", "url"}
            if unknown:
                errors.append(f"{label}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
            citation = item.get("citation")
            if not isinstance(citation, str) or not citation.strip():
                errors.append(f"{label}: needs a 'citation' text")
            url = item.get("url")
            if url is not None and (not isinstance(url, str) or not url.startswith("http")):
                errors.append(f"{label}: url must be an http(s) address, not {url!r}")
        else:
            errors.append(f"{label}: must be a text or a mapping with citation and url")


def _parse_sources(value: Any) -> tuple[RuleSource, ...]:
    items = value if isinstance(value, list) else [value]
    sources = []
    for item in items:
        if isinstance(item, str):
            sources.append(RuleSource(" ".join(item.split())))
        else:
            url = item.get("url")
            sources.append(RuleSource(" ".join(str(item["citation"]).split()), url))
    return tuple(sources)


def _merge_file(
    data: Any,
    origin: str,
    drafts: dict[str, _Draft],
    country_sets: dict[str, tuple[list[Any], str]],
    errors: list[str],
) -> None:
    """Merge one parsed file into the drafts; problems go to ``errors``."""
    if data is None:
        return
    if not isinstance(data, Mapping):
        errors.append(f"{origin}: expected a mapping with 'rules' (and 'country_sets')")
        return
    unknown = [str(k) for k in data if k not in _TOP_LEVEL]
    if unknown:
        errors.append(
            f"{origin}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
            f"use {', '.join(_TOP_LEVEL)}"
        )
    version = data.get("version", 1)
    if version != 1:
        errors.append(f"{origin}: version {version!r} is not supported (use 1)")

    sets = data.get("country_sets") or {}
    if not isinstance(sets, Mapping):
        errors.append(f"{origin}: country_sets must map set names to lists of countries")
    else:
        for name, members in sets.items():
            if not isinstance(members, list):
                errors.append(f"{origin}: country set {name!r} must be a list of countries")
                continue
            country_sets[str(name)] = (members, origin)

    rules = data.get("rules") or []
    if not isinstance(rules, list):
        errors.append(f"{origin}: rules must be a list")
        return
    seen_here: set[str] = set()
    for position, entry in enumerate(rules, start=1):
        if not isinstance(entry, Mapping):
            errors.append(f"{origin}: rule #{position} must be a mapping with an id")
            continue
        where = f"{origin}: {_describe_rule(entry, position)}"
        rule_id = entry.get("id")
        if rule_id is None:
            errors.append(f"{where}: missing 'id'")
            continue
        if not isinstance(rule_id, str) or not _ID.match(rule_id):
            errors.append(
                f"{where}: id {rule_id!r} must be text of letters, digits, '.', '_' or '-'"
            )
            continue
        if rule_id in seen_here:
            errors.append(f"{where}: duplicate id (the file defines it twice)")
            continue
        seen_here.add(rule_id)
        _merge_rule(entry, rule_id, where, origin, drafts, errors)


def _merge_rule(
    entry: Mapping[str, Any],
    rule_id: str,
    where: str,
    origin: str,
    drafts: dict[str, _Draft],
    errors: list[str],
) -> None:
    before = len(errors)
    unknown = [str(k) for k in entry if k not in _RULE_FIELDS]
    if unknown:
        errors.append(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; "
            f"use {', '.join(_RULE_FIELDS)}"
        )
    existing = drafts.get(rule_id)
    if existing is None:
        missing = [f for f in _REQUIRED_NEW if f not in entry]
        if missing:
            errors.append(
                f"{where}: missing {', '.join(map(repr, missing))} (no earlier rule has "
                f"this id, so it is a new rule and needs {', '.join(_REQUIRED_NEW)})"
            )
    if "description" in entry and (
        not isinstance(entry["description"], str) or not entry["description"].strip()
    ):
        errors.append(f"{where}: description must be a non-empty text")
    if "severity" in entry and entry["severity"] not in SEVERITIES:
        errors.append(
            f"{where}: severity {entry['severity']!r} is not one of {', '.join(SEVERITIES)}"
        )
    if "kind" in entry and entry["kind"] not in KINDS:
        errors.append(f"{where}: unknown kind {entry['kind']!r}; kinds are {', '.join(KINDS)}")
    if "enabled" in entry and not isinstance(entry["enabled"], bool):
        errors.append(f"{where}: enabled must be true or false, not {entry['enabled']!r}")
    if "source" in entry:
        _check_source(entry["source"], where, errors)
    params = entry.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        errors.append(f"{where}: params must be a mapping")
    if len(errors) > before:
        return

    if existing is None:
        existing = drafts[rule_id] = _Draft({}, {}, {}, [])
    elif "kind" in entry and entry["kind"] != existing.fields.get("kind"):
        # Another kind has other params: start them afresh.
        existing.params = {}
        existing.origin_of = {
            k: v for k, v in existing.origin_of.items() if not k.startswith("params")
        }
    for key in ("description", "severity", "kind", "source", "enabled"):
        if key in entry:
            existing.fields[key] = entry[key]
            existing.origin_of[key] = origin
    for key, value in params.items():
        existing.params[str(key)] = value
        existing.origin_of[f"params.{key}"] = origin
    existing.origins.append(origin)


def _resolve_sets(
    country_sets: Mapping[str, tuple[list[Any], str]], errors: list[str]
) -> dict[str, frozenset[str]]:
    resolved: dict[str, frozenset[str]] = {}
    for name, (members, origin) in country_sets.items():
        codes: set[str] = set()
        for i, member in enumerate(members):
            try:
                codes.add(normalise_country(str(member)))
            except CountryError as exc:
                errors.append(f"{origin}: country set {name!r}, item {i + 1}: {exc}")
        resolved[name] = frozenset(codes)
    return resolved


def _country_params(
    draft: _Draft, where: str, sets: Mapping[str, frozenset[str]], errors: list[str]
) -> dict[str, Any]:
    """The params with ``countries`` and ``country_sets`` resolved to one set of codes."""
    params = dict(draft.params)
    raw_countries = params.pop("countries", [])
    raw_sets = params.pop("country_sets", [])
    codes: set[str] = set()
    ok = True
    for field_name, value in (("countries", raw_countries), ("country_sets", raw_sets)):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            errors.append(
                f"{draft.origin_of.get('params.' + field_name, where)}: {where}: "
                f"params.{field_name} must be a list"
            )
            ok = False
            continue
        for i, item in enumerate(value):
            origin = draft.origin_of.get(f"params.{field_name}", "")
            label = f"{origin}: {where}: params.{field_name}[{i}]"
            if field_name == "countries":
                try:
                    codes.add(normalise_country(str(item)))
                except CountryError as exc:
                    errors.append(f"{label}: {exc}")
                    ok = False
            elif str(item) in sets:
                codes |= sets[str(item)]
            else:
                errors.append(
                    f"{label}: unknown country set {item!r} (sets: {', '.join(sorted(sets))})"
                )
                ok = False
    if ok and not codes:
        origin = draft.origin_of.get("params.countries") or draft.origin_of.get("kind", "")
        errors.append(
            f"{origin}: {where}: no countries; give params.countries or params.country_sets"
        )
    params["countries"] = sorted(codes)
    return params


def _build(
    rule_id: str, draft: _Draft, sets: Mapping[str, frozenset[str]], errors: list[str]
) -> Rule | None:
    kind = str(draft.fields["kind"])
    where = f"rule {rule_id!r}"
    before = len(errors)
    params = (
        _country_params(draft, where, sets, errors)
        if kind in _COUNTRY_KINDS
        else dict(draft.params)
    )
    if len(errors) > before:
        return None
    try:
        model = KINDS[kind].model_validate(params)
    except ValidationError as exc:
        for error in exc.errors():
            loc = ".".join(str(part) for part in error["loc"])
            # The file that set the field; for a missing field or a whole-params
            # problem, the last file that changed the rule.
            key = f"params.{error['loc'][0]}" if error["loc"] else ""
            origin = draft.origin_of.get(key, draft.origins[-1])
            field_label = f"params.{loc}" if loc else f"params (kind {kind})"
            detail = error["msg"]
            if error["type"] == "extra_forbidden":
                detail = f"unknown parameter for kind {kind}"
            errors.append(f"{origin}: {where}: {field_label}: {detail}")
        return None
    return Rule(
        id=rule_id,
        description=" ".join(str(draft.fields["description"]).split()),
        severity=str(draft.fields["severity"]),
        kind=kind,
        params=model,
        sources=_parse_sources(draft.fields["source"]),
        enabled=bool(draft.fields.get("enabled", True)),
        origins=tuple(dict.fromkeys(draft.origins)),
    )


def default_rules_text() -> str:
    """The default rules file, as shipped in the package."""
    return (
        resources.files("redline.goods")
        .joinpath(DEFAULT_RULES_RESOURCE)
        .read_text(encoding="utf-8")
    )


def load_rules(
    default: bool = True,
    extra_files: Iterable[Path | str] = (),
    disabled: Iterable[str] = (),
) -> list[Rule]:
    """The rules: the defaults (unless ``default`` is false), then each user file
    in order, then the ids in ``disabled`` switched off.

    Returns every rule, switched-off ones included (``enabled`` false), in the
    order they were first defined.  Raises :class:`RuleError` listing every
    problem, each naming the file, the rule id and the field.
    """
    errors: list[str] = []
    drafts: dict[str, _Draft] = {}
    country_sets: dict[str, tuple[list[Any], str]] = {}
    if default:
        text = default_rules_text()
        _merge_file(_read_yaml(text, DEFAULT_ORIGIN), DEFAULT_ORIGIN, drafts, country_sets, errors)
    for file in extra_files:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            errors.append(f"{path}: cannot read rules file ({exc.strerror})")
            continue
        except UnicodeDecodeError as exc:
            errors.append(f"{path}: not UTF-8 text ({exc.reason})")
            continue
        try:
            data = _read_yaml(text, str(path))
        except RuleError as exc:
            errors.extend(exc.errors)
            continue
        _merge_file(data, str(path), drafts, country_sets, errors)
    for rule_id in disabled:
        if rule_id not in drafts:
            known = ", ".join(drafts) or "none"
            errors.append(f"cannot disable unknown rule {rule_id!r} (rules: {known})")
            continue
        drafts[rule_id].fields["enabled"] = False
    if errors:
        raise RuleError(errors)
    sets = _resolve_sets(country_sets, errors)
    rules = [_build(rule_id, draft, sets, errors) for rule_id, draft in drafts.items()]
    if errors:
        raise RuleError(errors)
    return [rule for rule in rules if rule is not None]


# --------------------------------------------------------------------------- checks


def _role(role: str) -> str:
    return role.replace("_", " ")


def _party(party: Party | PartyHit) -> str:
    if isinstance(party, Party):
        return f"the {_role(party.role)} {party.name!r}"
    return f"the {_role(party.role)} {party.party_name!r}"


def _short(text: str | None, limit: int = 90) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;") + "…"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tier_matches(tier: str | None, wanted: tuple[str, ...]) -> bool:
    if tier is None:
        return False
    tier = tier.strip().casefold()
    return any(tier == w.casefold() or tier.startswith(w.casefold() + ".") for w in wanted)


def _check_goods_to_countries(
    rule: Rule, params: GoodsToCountriesParams, facts: ShipmentFacts
) -> list[RuleResult]:
    lists = {name.casefold() for name in params.lists} if params.lists else None
    hits = [
        hit
        for hit in facts.goods_hits
        if (lists is None or hit.list_name.casefold() in lists)
        and (params.tiers is None or _tier_matches(hit.tier, params.tiers))
    ]
    if not hits:
        return []
    route = facts.shipment.route
    places: list[str] = []
    for place in params.places:
        if place == "destination":
            if route.destination and route.destination in params.countries:
                places.append(f"the destination is {country_label(route.destination)}")
        elif place == "transit":
            through = [c for c in dict.fromkeys(route.transit) if c in params.countries]
            if through:
                places.append(f"the route passes through {', '.join(map(country_label, through))}")
        else:
            for party in facts.shipment.parties:
                if party.role == place and party.country and party.country in params.countries:
                    places.append(f"{_party(party)} is in {country_label(party.country)}")
    if not places:
        return []
    by_list: dict[str, list[GoodsHit]] = {}
    for hit in hits:
        by_list.setdefault(hit.list_name, []).append(hit)
    results = []
    where = "; ".join(places)
    for list_name, list_hits in by_list.items():
        entries = "; ".join(_goods_entry(hit) for hit in list_hits)
        code = format_hs(list_hits[0].hs_code)
        broader = any(len(h.matched_prefix) > len(h.hs_code) for h in list_hits)
        verb = "may fall under" if broader else "is on"
        results.append(
            RuleResult(
                rule.id,
                rule.severity,
                f"HS {code} {verb} control list {list_name} ({entries}), and {where}.",
            )
        )
    return results


def _goods_entry(hit: GoodsHit) -> str:
    text = format_hs(hit.matched_prefix)
    if hit.tier:
        text += f", tier {hit.tier}"
    if hit.description:
        text += f": {_short(hit.description, 70)}"
    return text


def _check_route(
    rule: Rule, params: RouteThroughCountriesParams, facts: ShipmentFacts
) -> list[RuleResult]:
    through = [c for c in dict.fromkeys(facts.shipment.route.transit) if c in params.countries]
    if not through:
        return []
    return [
        RuleResult(
            rule.id,
            rule.severity,
            f"The route passes through {', '.join(map(country_label, through))}.",
        )
    ]


def _explain(hit: PartyHit) -> str:
    """The match explanation in words: the listed name, transformations, features."""
    explanation = hit.explanation
    parts: list[str] = []
    matched = explanation.get("matched_name")
    prop = explanation.get("matched_property")
    if isinstance(matched, str) and matched and matched != hit.caption:
        kind = "alias" if prop in ("alias", "weakAlias", "previousName") else "name"
        parts.append(f"on its {kind} {matched!r}")
    transforms = explanation.get("transformations")
    if isinstance(transforms, list) and transforms:
        parts.append("after " + ", ".join(str(t) for t in transforms))
    features = explanation.get("features")
    if isinstance(features, Mapping):
        for name, feature in features.items():
            if isinstance(feature, Mapping) and feature.get("detail"):
                parts.append(f"{name}: {feature['detail']}")
    return "; ".join(parts)


def _listing(hit: PartyHit) -> str:
    text = f"{hit.caption!r} ({hit.source}"
    if hit.programs:
        text += ", " + ", ".join(hit.programs)
    text += f"; entity {hit.entity_id}; score {hit.score:.2f})"
    return text


def _check_party_listed(
    rule: Rule, params: PartyListedParams, facts: ShipmentFacts
) -> list[RuleResult]:
    results = []
    topics = {t.casefold() for t in params.topics} if params.topics else None
    sources = {s.casefold() for s in params.sources} if params.sources else None
    for hit in facts.party_hits:
        if hit.decision not in params.decisions:
            continue
        if params.roles is not None and hit.role not in params.roles:
            continue
        if topics is not None and not topics & {t.casefold() for t in hit.topics}:
            continue
        if sources is not None and hit.source.casefold() not in sources:
            continue
        if params.min_score is not None and hit.score < params.min_score:
            continue
        severity = rule.severity
        if hit.decision == "match" and params.match_severity is not None:
            severity = params.match_severity
        verb = "matches" if hit.decision == "match" else "possibly matches"
        detail = f"{_sentence(_party(hit))} {verb} the listed {_listing(hit)}"
        why = _explain(hit)
        results.append(RuleResult(rule.id, severity, f"{detail}{': ' + why if why else ''}."))
    return results


def _check_party_on_programs(
    rule: Rule, params: PartyOnProgramsParams, facts: ShipmentFacts
) -> list[RuleResult]:
    patterns = [p.upper() for p in params.programs]
    topics = {t.casefold() for t in params.topics}
    results = []
    for hit in facts.party_hits:
        if hit.decision not in params.decisions:
            continue
        if params.roles is not None and hit.role not in params.roles:
            continue
        found = [
            program
            for program in hit.programs
            if any(fnmatchcase(program.upper(), pattern) for pattern in patterns)
        ]
        found += [topic for topic in hit.topics if topic.casefold() in topics]
        if not found:
            continue
        detail = (
            f"{_sentence(_party(hit))} matches {hit.caption!r} on {', '.join(found)} "
            f"({hit.source}; entity {hit.entity_id}; score {hit.score:.2f})."
        )
        results.append(RuleResult(rule.id, rule.severity, detail))
    return results


def _check_address(
    rule: Rule, params: PartyAddressListedParams, facts: ShipmentFacts
) -> list[RuleResult]:
    addresses = {(p.role, p.name): p.address for p in facts.shipment.parties}
    results = []
    for hit in facts.party_hits:
        if hit.address_score is None or hit.address_score < params.min_score:
            continue
        if params.roles is not None and hit.role not in params.roles:
            continue
        address = addresses.get((hit.role, hit.party_name))
        said = f" ({address})" if address else ""
        results.append(
            RuleResult(
                rule.id,
                rule.severity,
                f"The address of {_party(hit)}{said} matches an address of the listed "
                f"{_listing(hit)} with score {hit.address_score:.2f}.",
            )
        )
    return results


def _check_end_user(
    rule: Rule, params: EndUserCountryMismatchParams, facts: ShipmentFacts
) -> list[RuleResult]:
    destination = facts.shipment.route.destination
    if not destination:
        return []
    results = []
    for party in facts.shipment.parties:
        if party.role in params.roles and party.country and party.country != destination:
            results.append(
                RuleResult(
                    rule.id,
                    rule.severity,
                    f"{_sentence(_party(party))} is in {country_label(party.country)}, "
                    f"but the goods are shipped to {country_label(destination)}.",
                )
            )
    return results


def _check_problems(rule: Rule, facts: ShipmentFacts) -> list[RuleResult]:
    problems = facts.shipment.problems
    if not problems:
        return []
    return [
        RuleResult(
            rule.id,
            rule.severity,
            "The row was screened on partial data: " + "; ".join(problems) + ".",
        )
    ]


def check_rule(rule: Rule, facts: ShipmentFacts) -> list[RuleResult]:
    """What one rule finds in one row (whether or not the rule is enabled)."""
    params = rule.params
    if isinstance(params, GoodsToCountriesParams):
        return _check_goods_to_countries(rule, params, facts)
    if isinstance(params, RouteThroughCountriesParams):
        return _check_route(rule, params, facts)
    if isinstance(params, PartyListedParams):
        return _check_party_listed(rule, params, facts)
    if isinstance(params, PartyOnProgramsParams):
        return _check_party_on_programs(rule, params, facts)
    if isinstance(params, PartyAddressListedParams):
        return _check_address(rule, params, facts)
    if isinstance(params, EndUserCountryMismatchParams):
        return _check_end_user(rule, params, facts)
    return _check_problems(rule, facts)


def evaluate(facts: ShipmentFacts, rules: Iterable[Rule]) -> Verdict:
    """The verdict on one row: every enabled rule's findings, block ones first.

    The risk is the highest severity found, ``clear`` if no rule fires.
    """
    results = [result for rule in rules if rule.enabled for result in check_rule(rule, facts)]
    results.sort(key=lambda r: -_RANK[r.severity])
    risk = max((r.severity for r in results), key=_RANK.__getitem__, default="clear")
    return Verdict(
        shipment=facts.shipment,
        risk=risk,
        rules=tuple(results),
        party_hits=facts.party_hits,
        goods_hits=facts.goods_hits,
    )
