"""Batch screening speed: a shipments file through ``redline batch``, locally and on Spark.

Generates a deterministic shipments CSV (``--rows``, default 100,000) in the default
column convention, three parties a row (buyer, consignee, end user):

* party names: about 5% drawn from the listed entities of the store (captions of
  companies, organisations and people; a third of them with one typo), the rest
  real unlisted companies from ``bench/negatives.py`` and names built like them
  from its word pools (``Huaxin Electronics Co., Limited``, ``Falcon Logistics GmbH``);
* countries weighted towards the trade that matters here (HK, CN, AE, TR, KZ, RU,
  DE, US, and others); addresses for most buyers and consignees (a listed
  party's own listed address half of the time);
* HS codes: about 20% on the CHPL, written in the usual ways (``8542.31``,
  ``854231``, ``8542.31.00``); routes with an origin, a destination and, for 30% of
  rows, one or two transit countries; about 1% of rows with an unknown country or
  a malformed HS code.

Then measures, on a store holding every list of ``../shared/data`` (a temporary
redline home unless ``--home`` names one; the name index is built beforehand so
every run below opens the saved one):

* ``run_local``: in this process, ``Screener.open`` + ``ShipmentScreener`` +
  ``run_local(workers=2)`` reading the CSV and writing the CSV output;
* ``cli_local``: ``redline batch FILE --output out.csv --workers 2`` as a subprocess;
* ``cli_spark``: ``redline batch FILE --output out.csv --engine spark
  --spark-master local[2]`` as a subprocess (unless ``--no-spark``).

Each: wall time (reading, screening and writing included), rows per second, CPU
seconds of the whole process tree, and its memory, sampled from ``/proc`` every
half second over the process and all its descendants (forked workers, the JVM,
Spark's Python workers): the peak of the summed VmRSS (shared copy-on-write pages
counted in every process), the peak of the summed PSS (shared pages split between
the processes that share them: the better figure for the tree), and the largest
single process's peak (VmHWM).  The three outputs must be identical byte for byte.

``--profile`` adds a cProfile of ``run_local(workers=1)`` over the first 2,000 rows.

Prints the figures and writes ``bench/results/bench_batch.json``.

    python bench/bench_batch.py                          # 100,000 rows, temp store
    python bench/bench_batch.py --rows 5000 --home DIR --no-spark --profile
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import filecmp
import io
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.evalset import DEFAULT_DATA_DIR, make_typo, open_store  # noqa: E402
from bench.machine import environment  # noqa: E402
from bench.negatives import COMPANIES, NEAR_MISS_WORDS  # noqa: E402

from redline.batch.engine import ShipmentScreener, run_local  # noqa: E402
from redline.batch.reader import open_shipments  # noqa: E402
from redline.batch.writers import VerdictWriter  # noqa: E402
from redline.goods.hs import format_hs, load_chpl, match_lists, normalise_hs  # noqa: E402
from redline.goods.shipment import Shipment  # noqa: E402
from redline.match import Screener  # noqa: E402
from redline.match.index import IndexedEntity  # noqa: E402
from redline.settings import Settings  # noqa: E402

DEFAULT_RESULT = PROJECT_ROOT / "bench" / "results" / "bench_batch.json"
DEFAULT_ROWS = 100_000
DEFAULT_SEED = 20261123
WORKERS = 2
SPARK_MASTER = "local[2]"
PROFILE_ROWS = 2000
#: The issue's target for the local engine on this 2-core machine.
TARGET_ROWS_PER_SECOND = 1000.0
#: Share of party names drawn from the listed entities, and of those, with a typo.
LISTED_SHARE = 0.05
TYPO_SHARE = 1 / 3
#: Share of rows whose goods are on the CHPL.
CHPL_SHARE = 0.2
#: Share of rows with an unknown country or a malformed HS code.
BAD_SHARE = 0.01
SAMPLE_SECONDS = 0.5

COLUMNS = (
    "row_id",
    "buyer_name",
    "buyer_country",
    "buyer_address",
    "consignee_name",
    "consignee_country",
    "consignee_address",
    "end_user_name",
    "end_user_country",
    "hs_code",
    "description",
    "quantity",
    "value",
    "currency",
    "origin_country",
    "transit_countries",
    "destination_country",
)
#: Where parties are (weights): the diversion routes, Russia, and ordinary trade.
PARTY_COUNTRIES: dict[str, int] = {
    "HK": 14,
    "CN": 14,
    "AE": 8,
    "TR": 8,
    "KZ": 5,
    "RU": 4,
    "DE": 12,
    "US": 10,
    "GB": 4,
    "IN": 4,
    "SG": 4,
    "JP": 3,
    "NL": 3,
    "FR": 3,
    "KG": 2,
    "AM": 2,
}
ORIGINS: dict[str, int] = {
    "CN": 30,
    "DE": 15,
    "US": 15,
    "TW": 10,
    "JP": 8,
    "KR": 8,
    "MY": 5,
    "VN": 5,
    "IT": 4,
}
TRANSIT = ("AE", "TR", "KZ", "HK", "SG", "GE", "AM", "KG", "NL", "BE")
#: Goods that are not on the CHPL (checked at start-up).
OTHER_HS = (
    "9403.60",
    "6109.10",
    "0901.21",
    "3004.90",
    "8703.23",
    "7308.90",
    "3926.90",
    "9018.90",
    "6204.62",
    "4011.10",
    "8415.10",
    "2204.21",
    "8450.11",
    "9503.00",
    "6403.99",
    "8418.10",
    "9401.61",
    "3304.99",
    "8509.40",
    "6302.60",
)
INDUSTRIES = (
    "Electronics",
    "Trading",
    "Technology",
    "Logistics",
    "Industrial",
    "Components",
    "Machinery",
    "Import & Export",
    "Supply Chain",
    "Semiconductor",
    "Engineering",
    "International Trade",
)
FORMS: dict[str, tuple[str, ...]] = {
    "HK": ("Co., Limited", "Limited", "Company Limited"),
    "CN": ("Co., Ltd.", "Co., Ltd", "Group Co., Ltd."),
    "AE": ("FZE", "LLC", "FZCO", "General Trading LLC"),
    "TR": ("Ltd. Şti.", "A.Ş.", "San. ve Tic. A.Ş."),
    "KZ": ("LLP", "TOO"),
    "KG": ("LLC", "OsOO"),
    "RU": ("OOO", "LLC", "JSC"),
    "AM": ("LLC", "CJSC"),
    "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "NL": ("B.V.", "N.V."),
    "FR": ("SAS", "SARL"),
    "GB": ("Ltd", "Limited", "PLC"),
    "US": ("Inc.", "LLC", "Corp."),
}
STREETS = ("Road", "Street", "Avenue", "Lane", "Boulevard")
CITIES: dict[str, str] = {
    "HK": "Kowloon, Hong Kong",
    "CN": "Shenzhen, Guangdong, China",
    "AE": "Dubai, United Arab Emirates",
    "TR": "Istanbul, Turkey",
    "KZ": "Almaty, Kazakhstan",
    "RU": "Moscow, Russia",
    "DE": "Munich, Germany",
    "US": "San Jose, CA, USA",
}
CURRENCIES = ("USD", "EUR", "CNY", "HKD", "AED")

T = TypeVar("T")


# --------------------------------------------------------------------------- generation


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class NamePools:
    """Where party names come from: listed entities, real and built unlisted companies."""

    listed: list[IndexedEntity]
    companies: list[str]
    chpl: list[tuple[str, str]]  # (code as written, description)
    other_hs: list[str]
    counts: Counter[str] = field(default_factory=Counter)


def name_pools(screener: Screener) -> NamePools:
    """Listed companies, organisations and people (no vessels or aircraft), in id order."""
    listed = sorted(
        (
            e
            for e in screener.index.entities
            if e.schema in ("Company", "Organization", "LegalEntity", "Person")
            and any(c.isalpha() for c in e.caption)
        ),
        key=lambda e: e.entity_id,
    )
    chpl_list = load_chpl()
    chpl = [
        (format_hs(prefix), (entry.description or "")[:60])
        for prefix, entry in sorted(chpl_list.entries.items())
        if len(prefix) >= 6
    ]
    others = [code for code in OTHER_HS if not match_lists(normalise_hs(code), [chpl_list])]
    return NamePools(listed, list(COMPANIES), chpl, others)


def built_company(rng: random.Random, country: str) -> str:
    """A made-up company name in the style of the negatives: ``Huaxin Electronics Co., Ltd.``."""
    word = rng.choice(NEAR_MISS_WORDS)
    industry = rng.choice(INDUSTRIES)
    form = rng.choice(FORMS.get(country, ("Ltd", "LLC", "Co.")))
    return f"{word} {industry} {form}"


def built_address(rng: random.Random, country: str) -> str:
    city = CITIES.get(country, country)
    return (
        f"Room {rng.randint(1, 30)}{rng.choice('ABCDEF')}, {rng.randint(1, 40)}/F, "
        f"{rng.choice(NEAR_MISS_WORDS)} Building, {rng.randint(1, 999)} "
        f"{rng.choice(NEAR_MISS_WORDS)} {rng.choice(STREETS)}, {city}"
    )


def party(rng: random.Random, pools: NamePools) -> tuple[str, str, str]:
    """(name, country, address) of one party."""
    if rng.random() < LISTED_SHARE:
        entity = rng.choice(pools.listed)
        name = entity.caption
        kind = "listed"
        if rng.random() < TYPO_SHARE:
            typo = make_typo(name, rng)
            if typo is not None:
                name, kind = typo[0], "listed_typo"
        pools.counts[kind] += 1
        countries = sorted(entity.countries)
        country = rng.choice(countries).upper() if countries else weighted(rng, PARTY_COUNTRIES)
        if len(country) != 2:  # ua-cri and the like: not a plain ISO code
            country = weighted(rng, PARTY_COUNTRIES)
        address = ""
        if entity.addresses and rng.random() < 0.5:
            address = rng.choice(entity.addresses)
        elif rng.random() < 0.6:
            address = built_address(rng, country)
        return name, country, address
    country = weighted(rng, PARTY_COUNTRIES)
    if rng.random() < 0.5:
        name = rng.choice(pools.companies)
        pools.counts["unlisted_real"] += 1
    else:
        name = built_company(rng, country)
        pools.counts["unlisted_built"] += 1
    address = built_address(rng, country) if rng.random() < 0.6 else ""
    return name, country, address


def shipment_row(number: int, rng: random.Random, pools: NamePools) -> list[str]:
    buyer = party(rng, pools)
    consignee = buyer if rng.random() < 0.2 else party(rng, pools)
    if rng.random() < 0.4:
        end_user = consignee
    else:
        end_user = party(rng, pools)
        if rng.random() < 0.85:  # most end users are where the goods go
            end_user = (end_user[0], consignee[1], end_user[2])
    if rng.random() < CHPL_SHARE:
        code, description = rng.choice(pools.chpl)
        written = rng.choice((code, code.replace(".", ""), code + ".00"))
    else:
        written = rng.choice(pools.other_hs)
        description = "general merchandise"
    origin = weighted(rng, ORIGINS)
    transit = ";".join(rng.sample(TRANSIT, rng.choice((1, 1, 2)))) if rng.random() < 0.3 else ""
    destination = consignee[1] if rng.random() < 0.9 else weighted(rng, PARTY_COUNTRIES)
    buyer_country = buyer[1]
    if rng.random() < BAD_SHARE:  # the damage real files carry
        if rng.random() < 0.5:
            buyer_country = rng.choice(("Narnia", "XX", "Hong Kong SAR China?"))
        else:
            written = rng.choice(("85A2.31", "12", "8542.311", "N/A"))
    return [
        f"SH{number:07d}",
        buyer[0],
        buyer_country,
        buyer[2],
        consignee[0],
        consignee[1],
        consignee[2],
        end_user[0],
        end_user[1],
        written,
        description,
        str(rng.randint(1, 5000)),
        f"{rng.uniform(100, 250_000):.2f}",
        rng.choice(CURRENCIES),
        origin,
        transit,
        destination,
    ]


def write_shipments(path: Path, rows: int, pools: NamePools, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(1, rows + 1):
            writer.writerow(shipment_row(number, rng, pools))


# --------------------------------------------------------------------------- measuring


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        fields = text.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    children = _children_map()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int | None:
    """User + system CPU clock ticks of ``pid`` so far (``/proc/PID/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[-1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def _kib(path: str, keys: tuple[str, ...]) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in keys:
                    values[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return values


class TreeSampler:
    """Samples the memory of a process and all its descendants in a thread."""

    def __init__(self, root: int, interval: float = SAMPLE_SECONDS) -> None:
        self.root = root
        self.interval = interval
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.max_hwm_kib = 0
        self.max_processes = 0
        #: CPU seconds (user + system) last seen of every process of the tree.
        self.cpu_ticks: dict[int, int] = {}
        #: What the root had used before (a process measuring itself).
        self.cpu_ticks_before = _cpu_ticks(root) or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        pids = process_tree(self.root)
        rss = pss = 0
        for pid in pids:
            ticks = _cpu_ticks(pid)
            if ticks is not None:
                self.cpu_ticks[pid] = max(ticks, self.cpu_ticks.get(pid, 0))
            status = _kib(f"/proc/{pid}/status", ("VmRSS", "VmHWM"))
            rss += status.get("VmRSS", 0)
            self.max_hwm_kib = max(self.max_hwm_kib, status.get("VmHWM", 0))
            pss += _kib(f"/proc/{pid}/smaps_rollup", ("Pss",)).get("Pss", 0)
        self.peak_rss_kib = max(self.peak_rss_kib, rss)
        self.peak_pss_kib = max(self.peak_pss_kib, pss)
        self.max_processes = max(self.max_processes, len(pids))

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def figures(self) -> dict[str, Any]:
        return {
            "peak_tree_rss_mib": round(self.peak_rss_kib / 1024, 1),
            "peak_tree_pss_mib": round(self.peak_pss_kib / 1024, 1),
            "largest_process_peak_mib": round(self.max_hwm_kib / 1024, 1),
            "processes": self.max_processes,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }


class RunFailed(RuntimeError):
    """A measured command failed."""


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def cpu_figures(rows: int, rusage_s: float, sampler: TreeSampler) -> dict[str, Any]:
    """CPU seconds of the tree: the larger of ``getrusage`` (misses descendants nobody
    waited for, such as Spark's Python workers) and the /proc samples (miss each
    process's last half second)."""
    sampled = (sum(sampler.cpu_ticks.values()) - sampler.cpu_ticks_before) / TICKS
    cpu = max(rusage_s, sampled)
    return {
        "cpu_s": round(cpu, 1),
        "cpu_s_rusage": round(rusage_s, 1),
        "cpu_s_sampled": round(sampled, 1),
        "rows_per_cpu_s": round(rows / cpu, 1) if cpu else None,
    }


def measure_run_local(settings: Settings, shipments: Path, output: Path) -> dict[str, Any]:
    """``run_local(workers=2)`` in this process: open the index, read, screen, write."""
    cpu_self, cpu_children = (
        cpu_seconds(resource.RUSAGE_SELF),
        cpu_seconds(resource.RUSAGE_CHILDREN),
    )
    baseline = _kib("/proc/self/status", ("VmRSS",)).get("VmRSS", 0)
    start = time.perf_counter()
    with TreeSampler(os.getpid()) as sampler:
        screener = ShipmentScreener(Screener.open(settings))
        opened = time.perf_counter()
        risks: Counter[str] = Counter()
        with open_shipments(shipments) as reader, VerdictWriter(output, reader.columns) as out:
            for verdict in run_local(screener, reader, workers=WORKERS):
                out.write(verdict)
                risks[verdict.risk] += 1
        end = time.perf_counter()
        del screener
    rows = sum(risks.values())
    cpu = (
        cpu_seconds(resource.RUSAGE_SELF)
        - cpu_self
        + cpu_seconds(resource.RUSAGE_CHILDREN)
        - cpu_children
    )
    return {
        "rows": rows,
        "workers": WORKERS,
        "open_index_s": round(opened - start, 2),
        "screen_s": round(end - opened, 2),
        "total_s": round(end - start, 2),
        "rows_per_s": round(rows / (end - start), 1),
        "rows_per_s_after_open": round(rows / (end - opened), 1),
        **cpu_figures(rows, cpu, sampler),
        "risks": dict(sorted(risks.items())),
        "process_rss_before_mib": round(baseline / 1024, 1),
        **sampler.figures(),
    }


def snapshot_source(work: Path) -> dict[str, str]:
    """Environment for every child process: import redline from a copy of ``src``.

    A full run takes over an hour and the tree may change meanwhile; the three
    runs must screen with the same code (Spark's Python workers inherit it too).
    """
    target = work / "src"
    shutil.copytree(PROJECT_ROOT / "src", target, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), env.get("PYTHONPATH")) if p)
    return env


def run_local_in_child(
    home: Path, shipments: Path, output: Path, env: dict[str, str]
) -> dict[str, Any]:
    """:func:`measure_run_local` in a fresh interpreter, so that its memory figures
    hold nothing of this process (the generator's pools, a first index load)."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--home",
        str(home),
        "--run-local-only",
        str(shipments),
        str(output),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"run_local failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure_cli(
    home: Path, args: Sequence[str], output: Path, log: Path, env: dict[str, str]
) -> dict[str, Any]:
    """``redline batch ...`` as a subprocess, with its whole process tree sampled."""
    env = {**env, "REDLINE_HOME": str(home)}
    command = [sys.executable, "-m", "redline", "batch", *args]
    cpu_before = cpu_seconds(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
        with TreeSampler(process.pid) as sampler:
            code = process.wait()
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_before
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RunFailed(f"redline batch failed (exit {code}):\n{tail}")
    rows = count_rows(output)
    return {
        "command": "redline batch " + " ".join(args),
        "rows": rows,
        "total_s": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed, 1),
        **cpu_figures(rows, cpu, sampler),
        **sampler.figures(),
    }


def outcome_counts(path: Path) -> dict[str, Any]:
    """Risks and rules fired in an output CSV (what the generated file provokes)."""
    risks: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            risks[row["risk"]] += 1
            rules.update(r for r in row["rules"].split(";") if r)
    return {"risks": dict(sorted(risks.items())), "rules_fired": dict(rules.most_common())}


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def profile_local(settings: Settings, shipments: Path, rows: int) -> dict[str, Any]:
    """cProfile of ``run_local(workers=1)`` over the first ``rows`` rows."""
    screener = Screener.open(settings)
    with open_shipments(shipments) as reader:
        sample = list(islice(reader, rows))
    # A fresh ShipmentScreener for each run: it remembers the parties it has screened.
    start = time.perf_counter()
    for _verdict in run_local(ShipmentScreener(screener), sample, workers=1):
        pass
    plain = time.perf_counter() - start
    worker = ShipmentScreener(screener)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _verdict in run_local(worker, sample, workers=1):
        pass
    profiler.disable()
    elapsed = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    result: dict[str, Any] = {
        "rows": len(sample),
        **distinct_parties(sample),
        "seconds_unprofiled": round(plain, 2),
        "rows_per_s_one_core": round(len(sample) / plain, 1),
        "seconds": round(elapsed, 2),
        "rows_per_s_one_core_profiled": round(len(sample) / elapsed, 1),
    }
    for order in ("tottime", "cumulative"):
        result[f"top_{order}"] = _top(stats, order, 25)
    return result


def distinct_parties(shipments: Iterable[Shipment]) -> dict[str, int]:
    """How often the same party comes back: what remembering screened parties saves."""
    parties = addresses = 0
    seen_names: set[tuple[str, str | None]] = set()
    seen_addresses: set[str] = set()
    for shipment in shipments:
        for party in shipment.parties:
            parties += 1
            seen_names.add((party.name, party.country))
            if party.address:
                addresses += 1
                seen_addresses.add(party.address)
    return {
        "parties": parties,
        "distinct_name_country": len(seen_names),
        "addresses": addresses,
        "distinct_addresses": len(seen_addresses),
    }


def _top(stats: pstats.Stats, order: str, count: int) -> list[dict[str, Any]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    entries = sorted(raw.items(), key=lambda kv: kv[1][2 if order == "tottime" else 3])
    top = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in reversed(
        entries[-count:]
    ):
        where = filename.replace(str(PROJECT_ROOT) + "/", "")
        if "site-packages/" in where:
            where = where.split("site-packages/", 1)[1]
        top.append(
            {
                "function": f"{where}:{line}({function})",
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
            }
        )
    return top


# --------------------------------------------------------------------------- report


def timed(label: str, func: Callable[[], T]) -> tuple[T, float]:
    print(f"{label}...", flush=True)
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def print_run(name: str, figures: dict[str, Any]) -> None:
    print(
        f"{name:10} {figures['rows']:>7} rows  {figures['total_s']:>8.1f} s  "
        f"{figures['rows_per_s']:>7.1f} rows/s  cpu {figures['cpu_s']:>7.1f} s  "
        f"tree peak RSS {figures['peak_tree_rss_mib']:>7.1f} MiB, "
        f"PSS {figures['peak_tree_pss_mib']:>7.1f} MiB, "
        f"largest process {figures['largest_process_peak_mib']:>6.1f} MiB "
        f"({figures['processes']} processes)",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--home", type=Path, help="redline home with the store (default: temp)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark run")
    parser.add_argument("--profile", action="store_true", help=f"profile {PROFILE_ROWS} rows")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_RESULT)
    parser.add_argument(
        "--run-local-only", nargs=2, type=Path, metavar=("CSV", "OUTPUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.run_local_only:  # the child of run_local_in_child
        shipments, output = args.run_local_only
        figures = measure_run_local(Settings(home=args.home), shipments, output)
        print(json.dumps(figures))
        return 0

    report: dict[str, Any] = {"environment": environment(args.data_dir)}

    def save() -> None:  # after every step: a long run that fails keeps what it measured
        args.out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        args.out.write_text(text, encoding="utf-8")

    temp_home = args.home is None
    (store, home), load_s = timed("opening the store", lambda: open_store(args.home, args.data_dir))
    settings = Settings(home=home)
    work = Path(tempfile.mkdtemp(prefix="redline-bench-batch-"))
    try:
        versions = {
            name: {"seq": info.seq, "published": str(info.published or "")}
            for name, info in sorted(store.active_versions().items())
        }
        store.close()
        screener, index_s = timed("opening the name index", lambda: Screener.open(settings))
        pools = name_pools(screener)
        del screener
        shipments = work / "shipments.csv"
        _, generate_s = timed(
            f"writing {args.rows} rows",
            lambda: write_shipments(shipments, args.rows, pools, args.seed),
        )
        report["settings"] = {
            "rows": args.rows,
            "seed": args.seed,
            "workers": WORKERS,
            "spark_master": None if args.no_spark else SPARK_MASTER,
            "home": "temporary" if temp_home else str(home),
            "list_versions": versions,
            "store_ready_s": round(load_s, 1),
            "index_ready_s": round(index_s, 1),
            "generate_s": round(generate_s, 1),
            "file_mib": round(shipments.stat().st_size / 2**20, 1),
            "listed_entities_drawn_from": len(pools.listed),
            "parties": dict(sorted(pools.counts.items())),
        }
        with open_shipments(shipments) as reader:
            report["settings"]["repetition"] = distinct_parties(reader)
        runs: dict[str, Any] = {}
        report["runs"] = runs
        save()
        env = snapshot_source(work)
        outputs = {name: work / f"{name}.csv" for name in ("run_local", "cli_local", "cli_spark")}

        print("run_local in-process (in a fresh Python process)...", flush=True)
        runs["run_local"] = run_local_in_child(home, shipments, outputs["run_local"], env)
        print_run("run_local", runs["run_local"])
        save()

        print("redline batch --engine local...", flush=True)
        local_args = ["--workers", str(WORKERS)]
        runs["cli_local"] = measure_cli(
            home,
            [str(shipments), "--output", str(outputs["cli_local"]), *local_args],
            outputs["cli_local"],
            work / "cli_local.log",
            env,
        )
        print_run("cli_local", runs["cli_local"])
        report["outcomes"] = outcome_counts(outputs["cli_local"])
        print(f"outcomes: {report['outcomes']}")
        local_rate = runs["cli_local"]["rows_per_s"]
        report["targets"] = {
            "local_rows_per_s": TARGET_ROWS_PER_SECOND,
            "cli_local_rows_per_s": local_rate,
            "met": local_rate >= TARGET_ROWS_PER_SECOND,
        }
        save()

        if not args.no_spark:
            print(f"redline batch --engine spark --spark-master {SPARK_MASTER}...", flush=True)
            spark_args = ["--engine", "spark", "--spark-master", SPARK_MASTER]
            try:
                runs["cli_spark"] = measure_cli(
                    home,
                    [str(shipments), "--output", str(outputs["cli_spark"]), *spark_args],
                    outputs["cli_spark"],
                    work / "cli_spark.log",
                    env,
                )
                print_run("cli_spark", runs["cli_spark"])
            except RunFailed as exc:
                runs["cli_spark"] = {"error": str(exc)}
                print(f"cli_spark FAILED: {exc}", flush=True)
        identical = {
            name: filecmp.cmp(path, outputs["cli_local"], shallow=False)
            for name, path in outputs.items()
            if path.exists()
        }
        report["outputs_identical_to_cli_local"] = identical
        print(f"outputs identical to cli_local: {identical}")
        verdict = "met" if local_rate >= TARGET_ROWS_PER_SECOND else "MISSED"
        print(
            f"target: at least {TARGET_ROWS_PER_SECOND:.0f} rows/s locally: "
            f"{local_rate:.1f} rows/s -> {verdict}"
        )
        save()
        if args.profile:
            print(f"profiling run_local(workers=1) over {PROFILE_ROWS} rows...", flush=True)
            report["profile"] = profile_local(settings, shipments, PROFILE_ROWS)
            print(format_profile(report["profile"]))
            save()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if temp_home:
            shutil.rmtree(home, ignore_errors=True)
    print(f"-> {args.out}")
    return 0


def format_profile(profile: dict[str, Any]) -> str:
    out = io.StringIO()
    out.write(
        f"{profile['rows']} rows on one core: {profile['seconds_unprofiled']} s "
        f"({profile['rows_per_s_one_core']} rows/s); under cProfile {profile['seconds']} s "
        f"({profile['rows_per_s_one_core_profiled']} rows/s)\n"
    )
    for order in ("tottime", "cumulative"):
        out.write(f"top by {order}:\n")
        for entry in profile[f"top_{order}"]:
            out.write(
                f"  {entry['tottime_s']:>8.3f} {entry['cumtime_s']:>8.3f} {entry['calls']:>9} "
                f"{entry['function']}\n"
            )
    return out.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
