"""Run the dev evaluation set through redline's Screener and, side by side, nomenklatura.

For every case of ``bench/results/evalset.jsonl`` (built by ``bench/evalset.py``, and
built here first if missing):

* redline: ``screener.screen(query, exclude_names=...)`` at the default thresholds; a
  positive case is a hit when its expected entity is among the alerts (decision
  ``match`` or ``possible``), a negative case a false alert when anything is alerted;
* candidates: whether the expected entity is among ``screener.candidates(...)``;
* nomenklatura ``logic-v1``: ``LogicV1.compare(query, candidate)`` over exactly those
  candidates (their excluded names removed), alert at score >= 0.7 (nomenklatura
  defines no threshold; 0.7 is yente's default).

Prints a table per class (recall, or false-alert rate for negatives) with overall and
cross-script aggregates and the time each matcher spent, and writes
``bench/results/eval_matching.json`` with the summary and every case's outcome.

    python bench/eval_matching.py                      # temp store from ../shared/data
    python bench/eval_matching.py --home DIR --limit-per-class 50 --no-nomenklatura
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.evalset import (  # noqa: E402
    CLASSES,
    CROSS_SCRIPT,
    DEFAULT_DATA_DIR,
    DEFAULT_OUT,
    DEFAULT_PER_CLASS,
    DEFAULT_SEED,
    NAME_PROPS,
    NEGATIVE_CLASSES,
    build_cases,
    build_context,
    open_store,
    read_cases,
    write_cases,
)
from followthemoney import EntityProxy, model  # noqa: E402

from redline.match import Query, Screener  # noqa: E402
from redline.store import Store, StoredEntity  # noqa: E402

DEFAULT_RESULT = PROJECT_ROOT / "bench" / "results" / "eval_matching.json"
#: nomenklatura's matchers return a score only; yente alerts from 0.7 by default.
NOMENKLATURA_THRESHOLD = 0.7
NOMENKLATURA_ALGORITHM = "logic-v1"


# --------------------------------------------------------------------------- nomenklatura side


class Nomenklatura:
    """nomenklatura's ``logic-v1`` over the store's entities, with per-case name hiding."""

    def __init__(self, entities: Mapping[str, StoredEntity], threshold: float) -> None:
        from nomenklatura.matching import get_algorithm

        algorithm = get_algorithm(NOMENKLATURA_ALGORITHM)
        if algorithm is None:
            raise SystemExit(f"nomenklatura has no {NOMENKLATURA_ALGORITHM} algorithm")
        self.algorithm = algorithm
        self.config = algorithm.default_config()
        self.entities = entities
        self.threshold = threshold
        self.seconds = 0.0
        self.comparisons = 0

    def result_proxy(self, entity_id: str, hidden: Iterable[str]) -> EntityProxy | None:
        stored = self.entities.get(entity_id)
        if stored is None:
            return None
        hide = set(hidden)
        if not hide:
            return stored.proxy
        proxy = stored.proxy.clone()
        for prop in NAME_PROPS:
            for value in list(proxy.get(prop, quiet=True)):
                if value in hide:
                    proxy.remove(prop, value)
        return proxy

    def score(
        self, query: Query, candidates: Sequence[str], exclude: Mapping[str, set[str]]
    ) -> dict[str, float]:
        """Score of each candidate, timing only ``compare``."""
        entity = query_entity(query)
        scores: dict[str, float] = {}
        for entity_id in candidates:
            result = self.result_proxy(entity_id, exclude.get(entity_id, ()))
            if result is None:
                continue
            started = time.perf_counter()
            outcome = self.algorithm.compare(entity, result, self.config)
            self.seconds += time.perf_counter() - started
            self.comparisons += 1
            scores[entity_id] = float(outcome.score)
        return scores


def query_entity(query: Query) -> EntityProxy:
    """The query as an FtM entity of its schema (LegalEntity when it names none)."""
    schema = model.get(query.schema or "LegalEntity")
    if schema is None or not schema.matchable:
        schema = model.get("LegalEntity")
    assert schema is not None
    proxy = model.make_entity(schema)
    proxy.id = f"query-{query.id or 'x'}"
    proxy.add("name", list(query.names))
    for prop, values in (
        ("birthDate", query.birth_dates),
        ("country", query.countries),
        ("imoNumber" if schema.name == "Vessel" else "idNumber", query.identifiers),
    ):
        if values and schema.get(prop) is not None:
            proxy.add(prop, list(values), quiet=True)
    return proxy


# --------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    """One case's results on both matchers."""

    case: str
    klass: str
    expect: str | None
    query: str
    redline_alerts: list[tuple[str, float, str]]  # (entity id, score, decision)
    redline_hit: bool
    candidate_hit: bool | None
    candidates: int
    nk_alerts: list[tuple[str, float]] = field(default_factory=list)
    nk_hit: bool | None = None
    nk_expected_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "class": self.klass,
            "expect": self.expect,
            "query": self.query,
            "redline_hit": self.redline_hit,
            "redline_alerts": [
                {"id": i, "score": round(s, 4), "decision": d}
                for i, s, d in self.redline_alerts[:5]
            ],
            "candidate_hit": self.candidate_hit,
            "candidates": self.candidates,
            "nomenklatura_hit": self.nk_hit,
            "nomenklatura_alerts": [{"id": i, "score": round(s, 4)} for i, s in self.nk_alerts[:5]],
            "nomenklatura_expected_score": (
                round(self.nk_expected_score, 4) if self.nk_expected_score is not None else None
            ),
        }


def run(
    screener: Screener,
    cases: Sequence[dict[str, Any]],
    nomenklatura: Nomenklatura | None,
    *,
    progress: bool = True,
) -> tuple[list[Outcome], dict[str, float]]:
    timing = {"redline_screen": 0.0, "redline_candidates": 0.0}
    outcomes: list[Outcome] = []
    for count, case in enumerate(cases, 1):
        q = case["query"]
        query = Query(
            names=tuple(q["names"]),
            schema=q.get("schema"),
            birth_dates=tuple(q.get("birth_dates") or ()),
            countries=tuple(q.get("countries") or ()),
            identifiers=tuple(q.get("identifiers") or ()),
            id=case["case"],
        )
        exclude = {k: set(v) for k, v in (case.get("exclude_names") or {}).items()}
        expect: str | None = case["expect"]

        started = time.perf_counter()
        matches = screener.screen(query, exclude_names=exclude)
        timing["redline_screen"] += time.perf_counter() - started
        alerts: list[tuple[str, float, str]] = [
            (m.entity_id, m.score, m.decision) for m in matches if m.decision != "no_match"
        ]

        started = time.perf_counter()
        candidates = screener.candidates(query, exclude_names=exclude)
        timing["redline_candidates"] += time.perf_counter() - started

        outcome = Outcome(
            case=case["case"],
            klass=case["class"],
            expect=expect,
            query=" | ".join(query.names),
            redline_alerts=alerts,
            redline_hit=(
                any(a[0] == expect for a in alerts) if expect is not None else bool(alerts)
            ),
            candidate_hit=(expect in candidates) if expect is not None else None,
            candidates=len(candidates),
        )
        if nomenklatura is not None:
            scores = nomenklatura.score(query, candidates, exclude)
            ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
            outcome.nk_alerts = [(i, s) for i, s in ranked if s >= nomenklatura.threshold]
            outcome.nk_expected_score = scores.get(expect) if expect is not None else None
            outcome.nk_hit = (
                any(i == expect for i, _ in outcome.nk_alerts)
                if expect is not None
                else bool(outcome.nk_alerts)
            )
        outcomes.append(outcome)
        if progress and count % 250 == 0:
            print(f"  {count}/{len(cases)} cases", file=sys.stderr, flush=True)
    if nomenklatura is not None:
        timing["nomenklatura_compare"] = nomenklatura.seconds
        timing["nomenklatura_comparisons"] = float(nomenklatura.comparisons)
    return outcomes, timing


# --------------------------------------------------------------------------- report


def _rate(values: Iterable[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def summarise(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    """Per class and per aggregate: n and the rates (recall, or false-alert rate)."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.klass].append(outcome)
    rows: dict[str, dict[str, Any]] = {}
    order = [k for k in CLASSES if k in groups] + sorted(set(groups) - set(CLASSES))
    for klass in order:
        rows[klass] = _row(groups[klass], negative=klass in NEGATIVE_CLASSES)
    positives = [o for o in outcomes if o.klass not in NEGATIVE_CLASSES]
    cross = [o for o in outcomes if o.klass in CROSS_SCRIPT]
    negatives = [o for o in outcomes if o.klass in NEGATIVE_CLASSES]
    if positives:
        rows["ALL POSITIVES"] = _row(positives, negative=False)
        # Macro average: every class counts the same, whatever its size.
        per_class = [rows[k] for k in order if k not in NEGATIVE_CLASSES]
        rows["ALL POSITIVES"]["redline_recall_macro"] = _mean([r["redline"] for r in per_class])
        rows["ALL POSITIVES"]["nomenklatura_recall_macro"] = _mean(
            [r["nomenklatura"] for r in per_class]
        )
    if cross:
        rows["CROSS-SCRIPT"] = _row(cross, negative=False)
    if negatives:
        rows["ALL NEGATIVES"] = _row(negatives, negative=True)
    return rows


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _row(outcomes: Sequence[Outcome], *, negative: bool) -> dict[str, Any]:
    return {
        "n": len(outcomes),
        "metric": "false_alert_rate" if negative else "recall",
        "redline": _rate(o.redline_hit for o in outcomes),
        "nomenklatura": _rate(o.nk_hit for o in outcomes),
        "candidate_recall": None if negative else _rate(o.candidate_hit for o in outcomes),
        "redline_alerts_per_query": sum(len(o.redline_alerts) for o in outcomes) / len(outcomes),
        "redline_top1": None if negative else _rate(_top1(o) for o in outcomes),
    }


def _top1(outcome: Outcome) -> bool:
    return bool(outcome.redline_alerts) and outcome.redline_alerts[0][0] == outcome.expect


def _pct(value: float | None) -> str:
    return "    -" if value is None else f"{100 * value:5.1f}"


def format_table(rows: Mapping[str, Mapping[str, Any]], timing: Mapping[str, float]) -> str:
    lines = [
        f"{'class':24} {'n':>5}  {'metric':6} {'redline':>7} {'nomenk':>7} {'cand':>6} "
        f"{'top1':>6} {'alerts/q':>8}",
        "-" * 76,
    ]
    for klass, row in rows.items():
        if klass == "ALL POSITIVES":
            lines.append("-" * 76)
        metric = "FAR" if row["metric"] == "false_alert_rate" else "recall"
        lines.append(
            f"{klass:24} {row['n']:5d}  {metric:6} {_pct(row['redline']):>7} "
            f"{_pct(row['nomenklatura']):>7} {_pct(row['candidate_recall']):>6} "
            f"{_pct(row['redline_top1']):>6} {row['redline_alerts_per_query']:8.2f}"
        )
        if "redline_recall_macro" in row:
            macro_rl = _pct(row["redline_recall_macro"])
            macro_nk = _pct(row["nomenklatura_recall_macro"])
            label = "  (macro over classes)"
            lines.append(f"{label:24} {'':5}  {'recall':6} {macro_rl:>7} {macro_nk:>7}")
    lines.append("-" * 76)
    screen = timing.get("redline_screen", 0.0)
    lines.append(
        f"redline screen(): {screen:.2f} s total "
        f"(candidates() alone: {timing.get('redline_candidates', 0.0):.2f} s)"
    )
    if "nomenklatura_compare" in timing:
        compare = timing["nomenklatura_compare"]
        ratio = compare / screen if screen else float("nan")
        lines.append(
            f"nomenklatura {NOMENKLATURA_ALGORITHM} compare(): {compare:.2f} s over "
            f"{int(timing['nomenklatura_comparisons'])} candidate pairs; "
            f"nomenklatura/redline time = {ratio:.2f}x"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _limit(cases: Iterable[dict[str, Any]], per_class: int | None) -> list[dict[str, Any]]:
    taken: dict[str, int] = defaultdict(int)
    out: list[dict[str, Any]] = []
    for case in cases:
        if per_class is not None and taken[case["class"]] >= per_class:
            continue
        taken[case["class"]] += 1
        out.append(case)
    return out


def _active_entities(store: Store) -> dict[str, StoredEntity]:
    return {e.entity_id: e for e in store.iter_active_entities(targets_only=True)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--home", type=Path, help="redline home with the store (default: temp)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--evalset", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the eval set first")
    parser.add_argument("--per-class", type=int, default=DEFAULT_PER_CLASS, help="when building")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="when building")
    parser.add_argument("--limit-per-class", type=int, default=None, help="cases run per class")
    parser.add_argument("--no-nomenklatura", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_RESULT)
    args = parser.parse_args(argv)

    store, home = open_store(args.home, args.data_dir)
    entities = _active_entities(store)
    if args.regenerate or not args.evalset.is_file():
        print(f"building the eval set -> {args.evalset}", file=sys.stderr)
        built = build_cases(build_context(store), per_class=args.per_class, seed=args.seed)
        write_cases(built, args.evalset)
    cases = _limit(read_cases(args.evalset), args.limit_per_class)
    stale = [c["case"] for c in cases if c["expect"] is not None and c["expect"] not in entities]
    if stale:
        print(
            f"warning: {len(stale)} cases expect entities not in this store "
            f"(eval set built from other data? use --regenerate); skipped",
            file=sys.stderr,
        )
        cases = [c for c in cases if c["case"] not in set(stale)]

    started = time.perf_counter()
    screener = Screener(store, index_dir=home / "index")
    index_seconds = time.perf_counter() - started
    nomenklatura = None if args.no_nomenklatura else Nomenklatura(entities, NOMENKLATURA_THRESHOLD)
    print(f"running {len(cases)} cases", file=sys.stderr)
    outcomes, timing = run(screener, cases, nomenklatura)
    timing["redline_index_load_or_build"] = index_seconds

    rows = summarise(outcomes)
    print(format_table(rows, timing))
    report = {
        "evalset": str(args.evalset),
        "cases": len(outcomes),
        "stale_cases_skipped": len(stale),
        "store_state": store.state_token(),
        "redline": {
            "match_threshold": screener.config.match_threshold,
            "possible_threshold": screener.config.possible_threshold,
            "alert": "decision in (match, possible)",
        },
        "nomenklatura": None
        if nomenklatura is None
        else {"algorithm": NOMENKLATURA_ALGORITHM, "threshold": NOMENKLATURA_THRESHOLD},
        "classes": rows,
        "timing_seconds": timing,
        "results": [o.to_dict() for o in outcomes],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
