"""The red-flag rule engine: default rules, each kind firing and not, YAML changes, errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from redline.goods.hs import load_chpl
from redline.goods.rules import (
    KINDS,
    GoodsToCountriesParams,
    Rule,
    RuleError,
    check_rule,
    evaluate,
    load_rules,
)
from redline.goods.shipment import (
    Goods,
    GoodsHit,
    Party,
    PartyHit,
    Route,
    Shipment,
    ShipmentFacts,
)

# --------------------------------------------------------------------------- helpers


def shipment(
    *,
    destination: str | None = "de",
    transit: Sequence[str] = (),
    parties: Sequence[Party] = (),
    hs_code: str | None = None,
    problems: Sequence[str] = (),
) -> Shipment:
    return Shipment(
        row_id="r1",
        line=2,
        columns={},
        parties=tuple(parties),
        goods=Goods(hs_code=hs_code),
        route=Route(origin="de", transit=tuple(transit), destination=destination),
        problems=tuple(problems),
    )


def chpl_facts(hs_code: str = "8542.31.0000", **kwargs: Any) -> ShipmentFacts:
    """A row shipping goods with the CHPL hits the real list gives for ``hs_code``."""
    hits = tuple(load_chpl().match(hs_code))
    return ShipmentFacts(shipment(hs_code=hs_code, **kwargs), goods_hits=hits)


def party_hit(
    *,
    role: str = "buyer",
    party: str = "Vector Trading LLC",
    decision: str = "match",
    score: float = 0.95,
    programs: Sequence[str] = (),
    topics: Sequence[str] = ("sanction",),
    source: str = "us_trade_csl",
    address_score: float | None = None,
    explanation: dict[str, Any] | None = None,
) -> PartyHit:
    return PartyHit(
        role=role,
        party_name=party,
        entity_id="us-csl-1234",
        source=source,
        schema="Organization",
        caption="VEKTOR TRADING LIMITED LIABILITY COMPANY",
        score=score,
        decision=decision,
        topics=tuple(topics),
        programs=tuple(programs),
        explanation=explanation
        if explanation is not None
        else {
            "matched_name": "OOO VEKTOR TREIDING",
            "matched_property": "alias",
            "transformations": ["transliteration", "org form"],
            "features": {"name": 0.95, "country": {"contribution": 0.02, "detail": "ru = ru"}},
        },
        address_score=address_score,
    )


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return load_rules()


def rule(rules: list[Rule], rule_id: str) -> Rule:
    return next(r for r in rules if r.id == rule_id)


def fired(facts: ShipmentFacts, rules: list[Rule]) -> dict[str, list[str]]:
    """Rule id -> severities of its findings, over all enabled rules."""
    found: dict[str, list[str]] = {}
    for result in evaluate(facts, rules).rules:
        found.setdefault(result.rule_id, []).append(result.severity)
    return found


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- defaults


def test_default_rules(rules: list[Rule]) -> None:
    table = {r.id: (r.severity, r.kind) for r in rules}
    assert table == {
        "chpl-to-embargoed": ("block", "goods_to_countries"),
        "chpl-to-high-diversion-risk": ("review", "goods_to_countries"),
        "party-listed": ("review", "party_listed"),
        "party-russia-military-suppliers": ("block", "party_on_programs"),
        "party-address-listed": ("review", "party_address_listed"),
        "end-user-country-mismatch": ("review", "end_user_country_mismatch"),
        "route-via-embargoed": ("review", "route_through_countries"),
        "row-problems": ("review", "any_problem"),
    }
    assert {r.kind for r in rules} == set(KINDS)
    for r in rules:
        assert r.enabled and r.description and r.sources, r.id
        assert all(s.url is None or s.url.startswith("https://") for s in r.sources), r.id
        assert r.origins == ("redline default rules (redline/goods/data/rules.yml)",)


def test_default_country_sets(rules: list[Rule]) -> None:
    embargoed = rule(rules, "chpl-to-embargoed").params
    assert isinstance(embargoed, GoodsToCountriesParams)
    assert embargoed.countries == {"ru", "by", "ir", "kp", "ua-cri", "ua-dpr", "ua-lpr"}
    risky = rule(rules, "chpl-to-high-diversion-risk").params
    assert isinstance(risky, GoodsToCountriesParams)
    assert risky.countries == set("am cn hk mo ge in kz kg my rs th tj tr ae uz vn".split())


def test_nothing_fires_on_an_ordinary_row(rules: list[Rule]) -> None:
    facts = ShipmentFacts(shipment(hs_code="0101.21", destination="fr"))
    verdict = evaluate(facts, rules)
    assert verdict.risk == "clear"
    assert verdict.rules == ()
    assert verdict.shipment is facts.shipment


# --------------------------------------------------------------------------- goods_to_countries


def test_chpl_goods_to_russia_are_blocked(rules: list[Rule]) -> None:
    verdict = evaluate(chpl_facts(destination="ru"), rules)
    assert verdict.risk == "block"
    [result] = verdict.rules
    assert result.rule_id == "chpl-to-embargoed"
    assert result.detail.startswith("HS 8542.31.0000 is on control list CHPL (8542.31, tier 1:")
    assert "the destination is Russia (RU)" in result.detail
    assert verdict.goods_hits[0].matched_prefix == "854231"


@pytest.mark.parametrize("country", ["by", "ir", "kp", "ua-cri"])
def test_chpl_goods_to_the_other_embargoed_places(rules: list[Rule], country: str) -> None:
    assert fired(chpl_facts(destination=country), rules) == {"chpl-to-embargoed": ["block"]}


def test_chpl_goods_for_a_russian_consignee_via_kazakhstan(rules: list[Rule]) -> None:
    facts = chpl_facts(
        "8482.10",
        destination="kz",
        parties=[Party("consignee", "OOO Vector", "ru"), Party("end_user", "Vector", "ru")],
    )
    verdict = evaluate(facts, rules)
    assert verdict.risk == "block"
    ids = [r.rule_id for r in verdict.rules]
    assert ids[0] == "chpl-to-embargoed"  # block findings first
    assert set(ids) == {
        "chpl-to-embargoed",
        "chpl-to-high-diversion-risk",
        "end-user-country-mismatch",
    }
    block = verdict.rules[0].detail
    assert "tier 3.B" in block
    assert "the consignee 'OOO Vector' is in Russia (RU)" in block
    assert "the end user 'Vector' is in Russia (RU)" in block


def test_chpl_goods_in_transit_through_russia(rules: list[Rule]) -> None:
    found = fired(chpl_facts(destination="mn", transit=["ru"]), rules)
    assert found == {"chpl-to-embargoed": ["block"], "route-via-embargoed": ["review"]}


@pytest.mark.parametrize("country", ["cn", "hk", "ae", "tr", "kz", "kg", "am", "ge", "uz"])
def test_chpl_goods_to_high_diversion_risk_countries_need_review(
    rules: list[Rule], country: str
) -> None:
    verdict = evaluate(chpl_facts(destination=country), rules)
    assert verdict.risk == "review"
    [result] = verdict.rules
    assert result.rule_id == "chpl-to-high-diversion-risk"
    assert f"({country.upper()})" in result.detail


def test_chpl_goods_elsewhere_and_other_goods_anywhere_are_clear(rules: list[Rule]) -> None:
    assert fired(chpl_facts(destination="de"), rules) == {}
    assert fired(chpl_facts(destination="jp", transit=["us"]), rules) == {}
    # Goods on no list, to Russia: no goods rule fires.
    assert fired(ShipmentFacts(shipment(hs_code="0101.21", destination="ru")), rules) == {}


def test_a_heading_that_may_be_chpl_goods(rules: list[Rule]) -> None:
    [result] = evaluate(chpl_facts("8542", destination="ru"), rules).rules
    assert result.detail.startswith("HS 8542 may fall under control list CHPL (8542.31, tier 1")
    assert "8542.39, tier 1" in result.detail


def test_goods_rule_filters_by_list_and_tier(rules: list[Rule], tmp_path: Path) -> None:
    path = write(
        tmp_path / "tiers.yml",
        "rules:\n  - id: chpl-to-high-diversion-risk\n    params: {tiers: [1, 3]}\n",
    )
    tiered = rule(load_rules(extra_files=[path]), "chpl-to-high-diversion-risk")
    assert check_rule(tiered, chpl_facts("8542.31", destination="cn"))  # tier 1
    assert check_rule(tiered, chpl_facts("8541.10", destination="cn"))  # tier 3.A
    assert check_rule(tiered, chpl_facts("8482.10", destination="cn"))  # tier 3.B
    assert not check_rule(tiered, chpl_facts("8517.62", destination="cn"))  # tier 2
    assert not check_rule(tiered, chpl_facts("8457.10", destination="cn"))  # tier 4.B
    other_list = ShipmentFacts(
        shipment(destination="cn"),
        goods_hits=(GoodsHit("mine", "854231", "8542", "1", None),),
    )
    assert not check_rule(tiered, other_list)


# ------------------------------------------------------------------- route_through_countries


def test_route_through_embargoed_country(rules: list[Rule]) -> None:
    facts = ShipmentFacts(shipment(destination="mn", transit=["kz", "ru", "ru"]))
    [result] = evaluate(facts, rules).rules
    assert (result.rule_id, result.severity) == ("route-via-embargoed", "review")
    assert result.detail == "The route passes through Russia (RU)."
    assert evaluate(ShipmentFacts(shipment(transit=["kz", "pl"])), rules).risk == "clear"


# --------------------------------------------------------------------------- party_listed


def test_listed_party_match_blocks_and_explains(rules: list[Rule]) -> None:
    facts = ShipmentFacts(shipment(), party_hits=(party_hit(programs=["SDN"]),))
    verdict = evaluate(facts, rules)
    assert verdict.risk == "block"
    [result] = verdict.rules
    assert result.rule_id == "party-listed"
    assert result.detail.startswith(
        "The buyer 'Vector Trading LLC' matches the listed "
        "'VEKTOR TRADING LIMITED LIABILITY COMPANY' (us_trade_csl, SDN; entity us-csl-1234;"
        " score 0.95)"
    )
    assert "on its alias 'OOO VEKTOR TREIDING'" in result.detail
    assert "after transliteration, org form" in result.detail
    assert "country: ru = ru" in result.detail


def test_possible_match_needs_review(rules: list[Rule]) -> None:
    facts = ShipmentFacts(shipment(), party_hits=(party_hit(decision="possible", score=0.8),))
    verdict = evaluate(facts, rules)
    assert verdict.risk == "review"
    assert "possibly matches" in verdict.rules[0].detail


def test_party_listed_filters(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yml",
        "rules:\n"
        "  - id: party-listed\n"
        "    params: {decisions: [match], roles: [end_user], topics: [sanction], min_score: 0.9}\n",
    )
    strict = rule(load_rules(extra_files=[path]), "party-listed")

    def fires(hit: PartyHit) -> bool:
        return bool(check_rule(strict, ShipmentFacts(shipment(), party_hits=(hit,))))

    assert fires(party_hit(role="end_user"))
    assert not fires(party_hit(role="buyer"))
    assert not fires(party_hit(role="end_user", decision="possible"))
    assert not fires(party_hit(role="end_user", topics=["export.control"]))
    assert not fires(party_hit(role="end_user", score=0.85))


# --------------------------------------------------------------------------- party_on_programs


def test_party_on_entity_list_is_blocked(rules: list[Rule]) -> None:
    hit = party_hit(role="consignee", programs=["EL"], topics=["export.control"])
    found = evaluate(ShipmentFacts(shipment(), party_hits=(hit,)), rules).rules
    [result] = [r for r in found if r.rule_id == "party-russia-military-suppliers"]
    assert result.severity == "block"
    assert result.detail.startswith(
        "The consignee 'Vector Trading LLC' matches "
        "'VEKTOR TRADING LIMITED LIABILITY COMPANY' on EL"
    )


def test_programs_rule_needs_the_programme_and_a_match(rules: list[Rule]) -> None:
    programs = rule(rules, "party-russia-military-suppliers")
    for hit in (
        party_hit(programs=["SDN"]),
        party_hit(programs=["MEU"], decision="possible"),
        party_hit(programs=()),
    ):
        assert check_rule(programs, ShipmentFacts(shipment(), party_hits=(hit,))) == []
    meu = party_hit(programs=["meu"])
    assert check_rule(programs, ShipmentFacts(shipment(), party_hits=(meu,)))


def test_programs_by_pattern_and_topic(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mine.yml",
        """
rules:
  - id: russia-programmes
    description: A party on any OFAC Russia programme or an export-control list.
    severity: block
    kind: party_on_programs
    source: Our sanctions policy, section 4
    params:
      programs: [RUSSIA-*]
      topics: [export.control]
""",
    )
    mine = rule(load_rules(default=False, extra_files=[path]), "russia-programmes")
    on_program = party_hit(programs=["RUSSIA-EO14024"])
    on_topic = party_hit(programs=["DPL"], topics=["export.control"])
    neither = party_hit(programs=["IRAN"], topics=["sanction"])
    [result] = check_rule(mine, ShipmentFacts(shipment(), party_hits=(on_program,)))
    assert "on RUSSIA-EO14024" in result.detail
    assert check_rule(mine, ShipmentFacts(shipment(), party_hits=(on_topic,)))
    assert not check_rule(mine, ShipmentFacts(shipment(), party_hits=(neither,)))


# --------------------------------------------------------------------------- party_address_listed


def test_address_matching_a_listed_entity(rules: list[Rule]) -> None:
    address_rule = rule(rules, "party-address-listed")
    party = Party("consignee", "Shell Co Ltd", "hk", "Room 1201, 12/F, Tower A, Kowloon")
    near = party_hit(
        role="consignee", party="Shell Co Ltd", decision="possible", address_score=0.94
    )
    [result] = check_rule(
        address_rule, ShipmentFacts(shipment(parties=[party]), party_hits=(near,))
    )
    assert result.severity == "review"
    assert "The address of the consignee 'Shell Co Ltd' (Room 1201, 12/F, Tower A, Kowloon)" in (
        result.detail
    )
    assert "score 0.94" in result.detail
    for score in (0.5, None):
        far = party_hit(role="consignee", address_score=score)
        assert check_rule(address_rule, ShipmentFacts(shipment(), party_hits=(far,))) == []


# ----------------------------------------------------------------- end_user_country_mismatch


def test_end_user_in_another_country(rules: list[Rule]) -> None:
    mismatch = rule(rules, "end-user-country-mismatch")
    facts = ShipmentFacts(
        shipment(destination="ae", parties=[Party("end_user", "Acme Machinery", "kz")])
    )
    [result] = check_rule(mismatch, facts)
    assert result.detail == (
        "The end user 'Acme Machinery' is in Kazakhstan (KZ), "
        "but the goods are shipped to United Arab Emirates (AE)."
    )
    same = shipment(destination="kz", parties=[Party("end_user", "Acme", "kz")])
    no_destination = shipment(destination=None, parties=[Party("end_user", "Acme", "kz")])
    no_country = shipment(destination="ae", parties=[Party("end_user", "Acme", None)])
    buyer_elsewhere = shipment(destination="ae", parties=[Party("buyer", "Acme", "kz")])
    for row in (same, no_destination, no_country, buyer_elsewhere):
        assert check_rule(mismatch, ShipmentFacts(row)) == []


# --------------------------------------------------------------------------- any_problem


def test_row_problems_need_review(rules: list[Rule]) -> None:
    facts = ShipmentFacts(
        shipment(problems=["unknown country 'Narnia'", "HS code '85A2' is malformed"])
    )
    verdict = evaluate(facts, rules)
    assert verdict.risk == "review"
    [result] = verdict.rules
    assert result.rule_id == "row-problems"
    assert result.detail == (
        "The row was screened on partial data: unknown country 'Narnia'; "
        "HS code '85A2' is malformed."
    )


# --------------------------------------------------------------------------- YAML changes


def test_switch_rules_off_by_file_and_by_argument(tmp_path: Path) -> None:
    path = write(tmp_path / "off.yml", "rules:\n  - id: route-via-embargoed\n    enabled: false\n")
    loaded = load_rules(extra_files=[path], disabled=["row-problems"])
    assert {r.id for r in loaded if not r.enabled} == {"route-via-embargoed", "row-problems"}
    facts = ShipmentFacts(shipment(transit=["ru"], problems=["bad HS code"]))
    assert evaluate(facts, loaded).risk == "clear"
    # Switching back on in a later file.
    on = write(tmp_path / "on.yml", "rules:\n  - id: route-via-embargoed\n    enabled: true\n")
    again = load_rules(extra_files=[path, on])
    assert evaluate(facts, again).risk == "review"


def test_override_severity_params_and_country_sets(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mine.yml",
        """
country_sets:
  high_diversion_risk: [Kazakhstan, Kyrgyzstan, "Türkiye"]
rules:
  - id: chpl-to-high-diversion-risk
    severity: block
    params:
      tiers: ["1", "2"]
  - id: party-address-listed
    params: {min_score: 0.8}
""",
    )
    loaded = load_rules(extra_files=[path])
    risky = rule(loaded, "chpl-to-high-diversion-risk")
    assert risky.severity == "block"
    assert isinstance(risky.params, GoodsToCountriesParams)
    assert risky.params.countries == {"kz", "kg", "tr"}
    assert risky.params.lists == ("CHPL",)  # kept from the defaults
    assert risky.params.tiers == ("1", "2")
    assert risky.origins[-1] == str(path)
    assert fired(chpl_facts(destination="tr"), loaded) == {"chpl-to-high-diversion-risk": ["block"]}
    assert fired(chpl_facts(destination="cn"), loaded) == {}  # China left the set
    assert fired(chpl_facts("8482.10", destination="tr"), loaded) == {}  # tier 3.B
    near = party_hit(address_score=0.85, decision="possible", score=0.5)
    assert "party-address-listed" in fired(ShipmentFacts(shipment(), party_hits=(near,)), loaded)


def test_add_a_rule_with_a_user_control_list(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mine.yml",
        """
rules:
  - id: dual-use-to-china
    description: Goods on our dual-use list going to China.
    severity: block
    kind: goods_to_countries
    source:
      citation: Acme export compliance manual, 2025 edition
    params:
      lists: [acme-dual-use]
      countries: [China, Hong Kong, Macao]
      places: [destination]
""",
    )
    loaded = load_rules(extra_files=[path])
    assert [r.id for r in loaded][-1] == "dual-use-to-china"
    mine = GoodsHit("acme-dual-use", "9013100000", "9013", None, "Optical devices")
    facts = ShipmentFacts(shipment(destination="hk"), goods_hits=(mine,))
    verdict = evaluate(facts, loaded)
    assert verdict.risk == "block"
    assert verdict.rules[0].rule_id == "dual-use-to-china"
    assert verdict.rules[0].detail == (
        "HS 9013.10.0000 is on control list acme-dual-use (9013: Optical devices), "
        "and the destination is Hong Kong SAR (HK)."
    )
    # Transit through China is not a place this rule looks at.
    transit = ShipmentFacts(shipment(destination="vn", transit=["cn"]), goods_hits=(mine,))
    assert "dual-use-to-china" not in fired(transit, loaded)


def test_changing_the_kind_replaces_the_params(tmp_path: Path) -> None:
    path = write(
        tmp_path / "k.yml",
        "rules:\n  - id: route-via-embargoed\n    kind: any_problem\n",
    )
    changed = rule(load_rules(extra_files=[path]), "route-via-embargoed")
    assert changed.kind == "any_problem"
    assert check_rule(changed, ShipmentFacts(shipment(problems=["x"])))


def test_without_defaults(tmp_path: Path) -> None:
    assert load_rules(default=False) == []
    empty = write(tmp_path / "empty.yml", "")
    assert load_rules(default=False, extra_files=[empty]) == []


# --------------------------------------------------------------------------- errors


def errors_of(tmp_path: Path, text: str, **kwargs: Any) -> tuple[Path, str]:
    path = write(tmp_path / "rules.yml", text)
    with pytest.raises(RuleError) as info:
        load_rules(extra_files=[path], **kwargs)
    assert isinstance(info.value, ValueError)
    return path, str(info.value)


NEW_RULE = """
rules:
  - id: mine
    description: Mine.
    severity: review
    kind: route_through_countries
    source: policy
    params: {countries: [ru]}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            NEW_RULE.replace("route_through_countries", "goods_to_moon"),
            "rule 'mine': unknown kind 'goods_to_moon'; kinds are goods_to_countries,",
        ),
        (
            NEW_RULE.replace("severity: review", "severity: high"),
            "rule 'mine': severity 'high' is not one of review, block",
        ),
        (NEW_RULE.replace("id: mine", "name: mine"), "rule #1: missing 'id'"),
        (NEW_RULE + NEW_RULE.split("rules:\n")[1], "rule 'mine': duplicate id"),
        (
            NEW_RULE.replace("    source: policy\n", ""),
            "rule 'mine': missing 'source' (no earlier rule has this id, so it is a new rule",
        ),
        (
            NEW_RULE.replace("    severity: review\n", "    severty: review\n"),
            "rule 'mine': unknown field(s) 'severty'",
        ),
        (
            NEW_RULE.replace("{countries: [ru]}", "{countries: [ru], via: sea}"),
            "rule 'mine': params.via: unknown parameter for kind route_through_countries",
        ),
        (
            NEW_RULE.replace("[ru]", "[ru, Narnia]"),
            "rule 'mine': params.countries[1]: unknown country 'Narnia'",
        ),
        (
            NEW_RULE.replace("{countries: [ru]}", "{country_sets: [moon]}"),
            "rule 'mine': params.country_sets[0]: unknown country set 'moon'",
        ),
        (
            NEW_RULE.replace("{countries: [ru]}", "{countries: []}"),
            "rule 'mine': no countries",
        ),
        (
            "rules:\n  - id: party-listed\n    params: {decisions: [maybe]}\n",
            "rule 'party-listed': params.decisions.0:",
        ),
        (
            "rules:\n  - id: party-address-listed\n    params: {min_score: 1.5}\n",
            "rule 'party-address-listed': params.min_score: "
            "Input should be less than or equal to 1",
        ),
        (
            "rules:\n  - id: end-user-country-mismatch\n    params: {roles: [owner]}\n",
            "rule 'end-user-country-mismatch': params.roles: Value error, unknown 'owner'",
        ),
        (
            "rules:\n  - id: party-russia-military-suppliers\n    params: {programs: []}\n",
            "rule 'party-russia-military-suppliers': params (kind party_on_programs): "
            "Value error, give programs or topics",
        ),
        ("rules:\n  - id: row-problems\n    enabled: no-thanks\n", "enabled must be true or false"),
        ("rules:\n  - id: row-problems\n    source: []\n", "source is empty"),
        ("rules:\n  - id: row-problems\n    source: {url: x}\n", "needs a 'citation' text"),
        ("rules: {id: x}\n", "rules must be a list"),
        ("rulez: []\n", "unknown top-level key(s) 'rulez'"),
        ("version: 2\n", "version 2 is not supported"),
        ("country_sets:\n  mine: [ru, Narnia]\n", "country set 'mine', item 2: unknown country"),
        ("rules: [\n", "not valid YAML"),
    ],
)
def test_validation_errors_name_file_rule_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path, error = errors_of(tmp_path, text)
    assert message in error
    assert error.startswith(str(path))


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    text = NEW_RULE.replace("severity: review", "severity: high") + (
        "  - id: other\n    description: Other.\n"
    )
    _, error = errors_of(tmp_path, text)
    lines = error.splitlines()
    assert len(lines) == 2
    assert "rule 'mine': severity 'high'" in lines[0]
    assert "rule 'other': missing 'severity', 'kind', 'source'" in lines[1]


def test_error_names_the_file_that_broke_a_default_rule(tmp_path: Path) -> None:
    path = write(tmp_path / "sets.yml", "country_sets:\n  embargoed: [Atlantis]\n")
    with pytest.raises(RuleError) as info:
        load_rules(extra_files=[path])
    assert str(info.value).startswith(f"{path}: country set 'embargoed', item 1: unknown country")


def test_disabling_an_unknown_rule(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot disable unknown rule 'no-such-rule'"):
        load_rules(disabled=["no-such-rule"])


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read rules file"):
        load_rules(extra_files=[tmp_path / "missing.yml"])
