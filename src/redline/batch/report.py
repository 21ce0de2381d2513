"""A self-contained HTML report of one batch run.

One file, no network: inline CSS, a small inline script (allowed by its hash
in the page's Content-Security-Policy, so nothing else can run), and bar charts
drawn here as inline SVG.  It shows the run (input file, time, list versions,
rows in/out/errors), four charts (rows by risk, by rule, by destination country,
by control-list tier; each bar split by risk and clickable to filter), and a
table of every row with a text filter and risk buttons.  Every value is escaped
(Jinja autoescape): party names may contain ``<script>``.

Use :class:`ReportBuilder` to add verdicts one at a time (it keeps only what
the report shows), or :func:`write_report` for a finished list.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2

from redline.batch.reader import ReadCounts, RowError
from redline.batch.writers import atomic_path, rule_ids
from redline.goods.countries import country_label
from redline.goods.shipment import RISK_LEVELS, GoodsHit, PartyHit, Verdict

TEMPLATES = Path(__file__).parent / "templates"
#: Risk levels worst first, as charts and buttons show them.
RISKS = tuple(reversed(RISK_LEVELS))
#: Bars per chart before the rest are summed into one "other" bar.
MAX_BARS = 15
NO_COUNTRY = "(none)"


@dataclass(frozen=True)
class HitView:
    caption: str
    detail: str


@dataclass(frozen=True)
class PartyView:
    role: str
    name: str
    country: str
    hits: tuple[HitView, ...]


@dataclass(frozen=True)
class RowView:
    """What the table shows of one row."""

    line: int
    row_id: str
    risk: str
    rules: tuple[tuple[str, str], ...]  # (rule id, "severity: detail")
    parties: tuple[PartyView, ...]
    hs_code: str
    goods: tuple[HitView, ...]
    problems: tuple[str, ...]
    destination: str
    tiers: tuple[str, ...]

    @property
    def has_party_hits(self) -> bool:
        return any(p.hits for p in self.parties)


@dataclass(frozen=True)
class Segment:
    risk: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    y: int
    segments: tuple[Segment, ...]
    #: What clicking the bar filters on: a row attribute and its value.
    key: str
    value: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: tuple[Bar, ...]
    height: int
    empty: str


@dataclass
class ReportBuilder:
    """Collects what the report needs, one verdict at a time."""

    rows: list[RowView] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        self.rows.append(row_view(verdict))

    def add_error(self, error: RowError) -> None:
        self.errors.append(error)

    def render(
        self,
        *,
        input_file: str | Path,
        list_versions: Mapping[str, str] | None = None,
        counts: ReadCounts | None = None,
        generated_at: dt.datetime | None = None,
        title: str | None = None,
    ) -> str:
        if counts is None:
            counts = ReadCounts(
                rows_in=len(self.rows) + len(self.errors),
                rows_out=len(self.rows),
                errors=len(self.errors),
            )
        generated_at = generated_at or dt.datetime.now(dt.UTC)
        by_risk = Counter(r.risk for r in self.rows)
        script = _script()
        return (
            _environment()
            .get_template("report.html.j2")
            .render(
                title=title or f"redline screening report: {Path(input_file).name}",
                input_file=str(input_file),
                generated_at=generated_at.isoformat(timespec="seconds"),
                list_versions=dict(sorted((list_versions or {}).items())),
                counts=counts,
                risks=RISKS,
                by_risk={risk: by_risk.get(risk, 0) for risk in RISKS},
                charts=self.charts(),
                rows=self.rows,
                errors=self.errors,
                script=script,
                script_hash=_sha256(script),
            )
        )

    def write(
        self,
        path: Path,
        *,
        input_file: str | Path,
        list_versions: Mapping[str, str] | None = None,
        counts: ReadCounts | None = None,
        generated_at: dt.datetime | None = None,
        title: str | None = None,
    ) -> None:
        """Render and write ``path`` atomically."""
        html = self.render(
            input_file=input_file,
            list_versions=list_versions,
            counts=counts,
            generated_at=generated_at,
            title=title,
        )
        with atomic_path(path) as temp:
            temp.write_text(html, encoding="utf-8")

    def charts(self) -> list[Chart]:
        rule_counts: dict[str, Counter[str]] = {}
        country_counts: dict[str, Counter[str]] = {}
        tier_counts: dict[str, Counter[str]] = {}
        for row in self.rows:
            for rule in dict.fromkeys(rule for rule, _ in row.rules):
                rule_counts.setdefault(rule, Counter())[row.risk] += 1
            country_counts.setdefault(row.destination, Counter())[row.risk] += 1
            for tier in row.tiers:
                tier_counts.setdefault(tier, Counter())[row.risk] += 1
        risk_items = [
            _Item(risk, risk, Counter({risk: sum(1 for r in self.rows if r.risk == risk)}))
            for risk in RISKS
        ]
        return [
            _chart("risk", "Rows by risk", risk_items, key="risk", keep_zero=True),
            _chart(
                "rule",
                "Rows by rule fired",
                _ranked(rule_counts),
                key="rule",
                empty="No rule fired.",
            ),
            _chart(
                "country",
                "Rows by destination country",
                _ranked(country_counts, label=_country_label),
                key="dest",
                empty="No rows.",
            ),
            _chart(
                "tier",
                "Rows by control-list tier",
                _ranked(tier_counts),
                key="tier",
                empty="No goods on a control list.",
            ),
        ]


def row_view(verdict: Verdict) -> RowView:
    shipment = verdict.shipment
    by_party: dict[tuple[str, str], list[PartyHit]] = {}
    for hit in verdict.party_hits:
        by_party.setdefault((hit.role, hit.party_name), []).append(hit)
    parties: list[PartyView] = []
    for party in shipment.parties:
        hits = by_party.pop((party.role, party.name), [])
        parties.append(
            PartyView(party.role, party.name, (party.country or "").upper(), _party_hits(hits))
        )
    for (role, name), hits in by_party.items():  # hits on a name the row does not list
        parties.append(PartyView(role, name, "", _party_hits(hits)))
    return RowView(
        line=shipment.line,
        row_id=shipment.row_id,
        risk=verdict.risk,
        rules=tuple(
            (
                rule_id,
                "; ".join(
                    f"{r.severity}: {r.detail}" for r in verdict.rules if r.rule_id == rule_id
                ),
            )
            for rule_id in rule_ids(verdict)
        ),
        parties=tuple(parties),
        hs_code=shipment.goods.hs_code or "",
        goods=tuple(_goods_hit(h) for h in verdict.goods_hits),
        problems=shipment.problems,
        destination=(shipment.route.destination or "").upper() or NO_COUNTRY,
        tiers=tuple(dict.fromkeys(tier_label(h) for h in verdict.goods_hits)),
    )


def tier_label(hit: GoodsHit) -> str:
    return f"{hit.list_name} tier {hit.tier}" if hit.tier else hit.list_name


def render_report(
    verdicts: Iterable[Verdict],
    *,
    input_file: str | Path,
    list_versions: Mapping[str, str] | None = None,
    counts: ReadCounts | None = None,
    errors: Sequence[RowError] = (),
    generated_at: dt.datetime | None = None,
    title: str | None = None,
) -> str:
    builder = ReportBuilder()
    for verdict in verdicts:
        builder.add(verdict)
    for error in errors:
        builder.add_error(error)
    return builder.render(
        input_file=input_file,
        list_versions=list_versions,
        counts=counts,
        generated_at=generated_at,
        title=title,
    )


def write_report(
    path: Path,
    verdicts: Iterable[Verdict],
    *,
    input_file: str | Path,
    list_versions: Mapping[str, str] | None = None,
    counts: ReadCounts | None = None,
    errors: Sequence[RowError] = (),
    generated_at: dt.datetime | None = None,
    title: str | None = None,
) -> None:
    """Render (see :func:`render_report`) and write ``path`` atomically."""
    html = render_report(
        verdicts,
        input_file=input_file,
        list_versions=list_versions,
        counts=counts,
        errors=errors,
        generated_at=generated_at,
        title=title,
    )
    with atomic_path(path) as temp:
        temp.write_text(html, encoding="utf-8")


# -- helpers -------------------------------------------------------------------

_LABEL_WIDTH = 170
_BAR_WIDTH = 260
_ROW_HEIGHT = 22


@dataclass(frozen=True)
class _Item:
    value: str
    label: str
    counts: Counter[str]


def _chart(
    chart_id: str,
    title: str,
    items: Sequence[_Item],
    *,
    key: str,
    keep_zero: bool = False,
    empty: str = "",
) -> Chart:
    items = [item for item in items if keep_zero or item.counts.total()]
    top = max((item.counts.total() for item in items), default=0)
    scale = _BAR_WIDTH / top if top else 0.0
    bars: list[Bar] = []
    for i, item in enumerate(items):
        x = float(_LABEL_WIDTH)
        segments: list[Segment] = []
        for risk in RISKS:
            count = item.counts.get(risk, 0)
            if count:
                width = round(count * scale, 2)
                segments.append(Segment(risk, count, round(x, 2), width))
                x += width
        y = 8 + i * _ROW_HEIGHT
        bars.append(Bar(item.label, item.counts.total(), y, tuple(segments), key, item.value))
    return Chart(chart_id, title, tuple(bars), 16 + max(len(bars), 1) * _ROW_HEIGHT, empty)


def _ranked(counts: Mapping[str, Counter[str]], label: Callable[[str], str] = str) -> list[_Item]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1].total(), kv[0]))
    items = [_Item(value, label(value), c) for value, c in ranked]
    if len(items) <= MAX_BARS:
        return items
    head, tail = items[: MAX_BARS - 1], items[MAX_BARS - 1 :]
    rest: Counter[str] = Counter()
    for item in tail:
        rest.update(item.counts)
    return [*head, _Item("", f"other ({len(tail)})", rest)]


def _country_label(code: str) -> str:
    if code == NO_COUNTRY:
        return code
    return country_label(code.lower())


def _party_hits(hits: Sequence[PartyHit]) -> tuple[HitView, ...]:
    views = []
    for hit in sorted(hits, key=lambda h: -h.score):
        bits = [hit.source, f"score {hit.score:.2f}", hit.decision]
        if hit.programs:
            bits.append(", ".join(hit.programs))
        if hit.address_score is not None:
            bits.append(f"address {hit.address_score:.2f}")
        bits.append(hit.entity_id)
        views.append(HitView(hit.caption, " · ".join(bits)))
    return tuple(views)


def _goods_hit(hit: GoodsHit) -> HitView:
    detail = f"HS {hit.hs_code} matched {hit.matched_prefix}"
    if hit.description:
        detail += f": {hit.description}"
    return HitView(tier_label(hit), detail)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@cache
def _script() -> str:
    return (TEMPLATES / "report.js").read_text(encoding="utf-8")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
