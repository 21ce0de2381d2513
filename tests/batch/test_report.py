"""The HTML report, read as text: escaping, counts, charts, self-containment."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

from redline.batch.reader import ReadCounts, RowError
from redline.batch.report import MAX_BARS, ReportBuilder, render_report, write_report
from redline.goods.shipment import Verdict

from .conftest import SCRIPT_NAME, verdict

WHEN = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
ERRORS = [RowError(7, "R6", "no party name in any role: column 'buyer_name' is empty", {})]


def render(verdicts: list[Verdict], **kwargs: object) -> str:
    return render_report(
        verdicts,
        input_file="/data/orders <q3>.csv",
        list_versions={"us_ofac_sdn": "2025-01-01", "eu_fsf": "2024-12-30 <beta>"},
        counts=ReadCounts(rows_in=6, rows_out=5, errors=1, blank=2),
        errors=ERRORS,
        generated_at=WHEN,
    )


class Collector(HTMLParser):
    """Tags, attributes and script bodies of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_everything_from_the_input_is_escaped(verdicts: list[Verdict]) -> None:
    html = render(verdicts)
    page = parse(html)
    # Exactly one script, ours; the party name shows as text.
    assert len(page.scripts) == 1
    assert "__pwned" not in page.scripts[0]
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert not any(tag == "img" for tag, _ in page.tags)
    assert "&lt;b&gt;Listed &amp; Co&lt;/b&gt;" in html
    assert "/data/orders &lt;q3&gt;.csv" in html
    assert "2024-12-30 &lt;beta&gt;" in html


def test_only_the_report_script_may_run(verdicts: list[Verdict]) -> None:
    html = render(verdicts)
    page = parse(html)
    [csp] = [
        a["content"]
        for t, a in page.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp is not None
    digest = base64.b64encode(hashlib.sha256(page.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_report_is_self_contained(verdicts: list[Verdict]) -> None:
    page = parse(render(verdicts))
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed"), tag
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or not re.match(r"(https?:)?//", value), (tag, value)


def test_counts_metadata_and_rows(verdicts: list[Verdict]) -> None:
    html = render(verdicts)
    assert '<span class="n" id="count-in">6</span>' in html
    assert '<span class="n" id="count-out">5</span>' in html
    assert '<span class="n" id="count-errors">1</span>' in html
    assert '<span class="n" id="count-block">2</span>' in html
    assert '<span class="n" id="count-review">1</span>' in html
    assert '<span class="n" id="count-clear">2</span>' in html
    assert "rows in: 6 = rows out: 5 + rows in error file: 1 (blank rows skipped: 2)" in html
    assert "2025-01-02T03:04:05+00:00" in html
    assert "<th>list us_ofac_sdn</th><td>2025-01-01</td>" in html
    # The error row is listed with its reason.
    assert "no party name in any role: column &#39;buyer_name&#39; is empty" in html
    page = parse(html)
    rows = [a for t, a in page.tags if t == "tr" and "data-risk" in a]
    assert [r["data-risk"] for r in rows] == ["block", "review", "clear", "block", "clear"]
    assert rows[0]["data-dest"] == "RU"
    assert rows[0]["data-rule"] == "|party.sanctioned|goods.chpl|"
    assert rows[0]["data-tier"] == "|CHPL tier 1|"


def test_counts_that_do_not_reconcile_are_flagged(verdicts: list[Verdict]) -> None:
    html = render_report(
        verdicts, input_file="x.csv", counts=ReadCounts(rows_in=9, rows_out=5, errors=1)
    )
    assert "the counts do not reconcile!" in html
    assert 'class="reconcile bad"' in html


def test_charts_have_bars_split_by_risk(verdicts: list[Verdict]) -> None:
    builder = ReportBuilder()
    for v in verdicts:
        builder.add(v)
    charts = {c.id: c for c in builder.charts()}
    assert [(b.label, b.total) for b in charts["risk"].bars] == [
        ("block", 2),
        ("review", 1),
        ("clear", 2),
    ]
    assert [(b.value, b.total) for b in charts["rule"].bars] == [
        ("party.sanctioned", 2),
        ("goods.chpl", 1),
        ("route.diversion", 1),
    ]
    country = {b.value: b for b in charts["country"].bars}
    assert country["RU"].label == "Russia (RU)"
    assert [s.risk for s in country["RU"].segments] == ["block"]
    assert [(b.value, b.total) for b in charts["tier"].bars] == [
        ("CHPL tier 1", 1),
        ("CHPL tier 2", 1),
    ]
    # The longest bar is the full width; segments follow one another.
    risk = charts["risk"].bars
    assert risk[0].segments[0].width == risk[2].segments[0].width == 260
    html = builder.render(input_file="x.csv", generated_at=WHEN)
    assert (
        len(re.findall(r'<rect class="seg seg-(?:block|review|clear)"', html)) == 3 + 3 + 5 + 2
    )  # risk, rule, country, tier


def test_long_chart_tails_are_summed(tmp_path: Path) -> None:
    countries = [
        "ae",
        "am",
        "az",
        "by",
        "cn",
        "ge",
        "hk",
        "in",
        "ir",
        "kg",
        "kz",
        "ru",
        "sy",
        "tr",
        "uz",
        "vn",
        "kp",
    ]
    verdicts = [verdict(str(i), destination=c) for i, c in enumerate(countries)]
    builder = ReportBuilder()
    for v in verdicts:
        builder.add(v)
    bars = next(c for c in builder.charts() if c.id == "country").bars
    assert len(bars) == MAX_BARS
    assert bars[-1].label == f"other ({len(countries) - MAX_BARS + 1})"
    assert bars[-1].total == len(countries) - MAX_BARS + 1
    assert bars[-1].value == ""  # not clickable


def test_empty_run_renders() -> None:
    html = render_report([], input_file="empty.csv", generated_at=WHEN)
    assert "No rows were screened." in html
    assert "No rule fired." in html
    assert "No goods on a control list." in html


def test_write_report_is_atomic_and_utf8(tmp_path: Path, verdicts: list[Verdict]) -> None:
    out = tmp_path / "report.html"
    write_report(out, verdicts, input_file="in.csv", generated_at=WHEN)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "&lt;script&gt;" in text and SCRIPT_NAME not in text
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
