"""Load test of ``redline serve`` over loopback, on SQLite and PostgreSQL (issue 6).

For each database (SQLite in a fresh redline home, then a throwaway PostgreSQL cluster):

* set-up: load every list of ``../shared/data`` with the *2021* OFAC SDN edition
  active (a copy of the folder without ``ofac/latest``), create an API key with
  ``redline keys create``, start ``redline serve --port <free>`` as a subprocess and
  wait for ``/readyz``;
* update during load: while ``--clients`` clients send single-query ``POST
  /match/default`` calls, ``redline update us_ofac_sdn --from-dir ../shared/data/ofac/latest``
  brings the 2024 SDN edition in; the load goes on until the service answers from
  it (``/catalog``) and a few seconds more.  Every call must succeed and every answer
  must name one complete set of list versions (the old or the new), and once a
  call has been answered from the new set, no call started later may be answered
  from the old one;
* then, on the store as ``redline update --from-dir ../shared/data`` leaves it (every
  list, newest editions): ``--requests-single`` calls of one query each and
  ``--requests-batch`` calls of ``--batch-size`` queries each, each phase also capped
  by ``--time-cap`` seconds.

The queries are real names drawn from the store the way ``bench_screening.py`` draws
them (seeded: listed names and aliases, half with a typo or reordered, some with a
birth date and country, 20% real unlisted names).  Reported per phase: requests/s,
queries/s, latency p50/p95/p99/max, errors (any non-2xx answer or exception), the
server process tree's resident memory (summed VmRSS sampled every half second, and
the largest VmHWM), and the ratio to yente's published capacity (about 4 requests
per second per vCPU with its default matcher).  The load generator runs in this
process on the same 2 cores as the server, so the figures are a floor.

    python bench/bench_service.py                       # SQLite then PostgreSQL
    python bench/bench_service.py --no-postgres --requests-single 500 --requests-batch 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make ``bench`` and ``tests`` importable
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.bench_screening import BenchQuery, QueryMaker, percentiles  # noqa: E402
from bench.evalset import DEFAULT_DATA_DIR, build_context, gen_negative_real  # noqa: E402
from bench.machine import environment  # noqa: E402
from tests.pg import PgCluster, find_bindir  # noqa: E402

from redline.store import Store  # noqa: E402

DEFAULT_RESULT = PROJECT_ROOT / "bench" / "results" / "bench_service.json"
DEFAULT_SEED = 20261123
DEFAULT_CLIENTS = 6
DEFAULT_REQUESTS_SINGLE = 2000
DEFAULT_REQUESTS_BATCH = 60
DEFAULT_BATCH_SIZE = 50
DEFAULT_TIME_CAP = 120.0
#: Queries drawn from the store; calls cycle through them.
QUERY_POOL = 5000
#: Source updated during the load, and the folder (under the data dir) of its new edition.
UPDATED_SOURCE = "us_ofac_sdn"
NEW_EDITION = Path("ofac") / "latest"
#: Longest wait for the service to serve the new edition after the update finished.
SWAP_TIMEOUT = 240.0
#: Load kept up after the swap was seen, so answers on both sides of it are checked.
AFTER_SWAP_SECONDS = 5.0
READY_TIMEOUT = 300.0
#: yente's published capacity with its default matcher: requests per second per vCPU.
YENTE_RPS_PER_VCPU = 4.0


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(home: Path, database_url: str | None) -> dict[str, str]:
    """The environment of every ``redline`` subprocess: this one's (so ``PYTHONPATH``
    names the code measured), a fresh home, the database, no rate limit."""
    env = dict(os.environ)
    env["REDLINE_HOME"] = str(home)
    env["REDLINE_RATE_LIMIT"] = "0"  # one key sends everything; the limit is not measured
    env.pop("REDLINE_CONFIG", None)
    if database_url is not None:
        env["REDLINE_DATABASE_URL"] = database_url
    else:
        env.pop("REDLINE_DATABASE_URL", None)
    return env


def redline(env: Mapping[str, str], *args: str) -> tuple[float, str]:
    """Run ``redline ARGS`` (this interpreter's module); seconds taken and its stdout."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "redline", *args],
        env=dict(env),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"redline {' '.join(args)} failed with exit code {done.returncode}")
    return time.perf_counter() - started, done.stdout


def staged_data(data_dir: Path, work: Path) -> Path:
    """A copy of ``data_dir`` without the newest SDN edition (mtimes kept), so that the
    store starts on the 2021 edition and the update has a real new edition to bring."""
    target = work / "data-without-latest-sdn"

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [NEW_EDITION.name] if Path(folder).name == NEW_EDITION.parent.name else []

    shutil.copytree(data_dir, target, ignore=ignore)
    for path in [target, *target.rglob("*")]:  # the snapshot is read-only
        path.chmod(path.stat().st_mode | 0o200)
    return target


def tree_pids(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn's worker processes), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def tree_cpu_s(root: int) -> float:
    """User + system CPU seconds of ``root`` and its live descendants, from /proc: the
    server's own work, which other work on a shared machine disturbs less than wall time."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree_pids(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def status_kib(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(value.split()[0])
    except OSError:
        pass
    return values


class MemorySampler:
    """Samples the server tree's summed VmRSS every half second; keeps each phase's peak."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_rss_kib = 0
        self.last_rss_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> dict[str, float]:
        """The tree now: summed VmRSS, largest VmHWM (a process's own peak), process count."""
        pids = tree_pids(self.root)
        statuses = [status_kib(pid) for pid in pids]
        rss = sum(s.get("VmRSS", 0) for s in statuses)
        self.last_rss_kib = rss
        self.peak_rss_kib = max(self.peak_rss_kib, rss)
        return {
            "processes": len(pids),
            "rss_mib": round(rss / 1024, 1),
            "largest_hwm_mib": round(
                max((s.get("VmHWM", 0) for s in statuses), default=0) / 1024, 1
            ),
        }

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def start(self) -> None:
        self._thread.start()

    def reset_peak(self) -> None:
        self.peak_rss_kib = self.last_rss_kib

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    key: str
    log: Path
    ready_s: float
    memory: MemorySampler = field(init=False)

    def __post_init__(self) -> None:
        self.memory = MemorySampler(self.process.pid)


@contextmanager
def serving(env: Mapping[str, str], key: str, workers: int, log: Path) -> Iterator[Server]:
    """``redline serve`` on a free loopback port until the block ends; waits for /readyz."""
    port = free_port()
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "redline", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        env=dict(env), cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=5) as client:
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"redline serve exited ({process.returncode}); see {log}")
                if time.perf_counter() - started > READY_TIMEOUT:
                    raise SystemExit(f"redline serve not ready after {READY_TIMEOUT} s; see {log}")
                try:
                    if client.get(f"{base}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
        server = Server(process, base, key, log, round(time.perf_counter() - started, 2))
        server.memory.start()
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # its own session: uvicorn and its workers
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        handle.close()


# --------------------------------------------------------------------------- the load


def example(item: BenchQuery) -> dict[str, Any]:
    """A bench query as a yente query-by-example entity."""
    query = item.query
    properties: dict[str, list[str]] = {"name": list(query.names)}
    if query.birth_dates:
        properties["birthDate"] = list(query.birth_dates)
    if query.countries:
        properties["country"] = list(query.countries)
    return {"schema": query.schema or "LegalEntity", "properties": properties}


def bodies(examples: Sequence[dict[str, Any]], per_call: int, calls: int) -> list[bytes]:
    """``calls`` request bodies of ``per_call`` queries each, cycling through ``examples``."""
    out = []
    position = 0
    for _ in range(calls):
        queries = {}
        for number in range(per_call):
            queries[f"q{number}"] = examples[position % len(examples)]
            position += 1
        out.append(json.dumps({"queries": queries}).encode())
    return out


@dataclass
class Outcome:
    """One call: when it started and ended (seconds from the phase start), and its answer."""

    started: float
    ended: float
    status: int  # 0: an exception
    versions: dict[str, int] | None
    error: str | None = None


async def _drive(
    server: Server,
    payloads: Sequence[bytes],
    clients: int,
    deadline: float,
    stop: threading.Event | None,
) -> tuple[list[Outcome], float]:
    """Send ``payloads`` from ``clients`` concurrent connections until done, the
    deadline or ``stop``; every outcome and the wall time."""
    headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
    outcomes: list[Outcome] = []
    cursor = iter(range(len(payloads)))
    begin = time.perf_counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=server.base, timeout=120, limits=limits) as client:

        async def worker() -> None:
            for index in cursor:
                now = time.perf_counter()
                if now > deadline or (stop is not None and stop.is_set()):
                    return
                try:
                    response = await client.post(
                        "/match/default", content=payloads[index], headers=headers
                    )
                except httpx.HTTPError as exc:
                    outcomes.append(
                        Outcome(now - begin, time.perf_counter() - begin, 0, None, repr(exc))
                    )
                    continue
                ended = time.perf_counter() - begin
                versions = None
                error = None
                if response.status_code == 200:
                    versions = response.json().get("versions")
                else:
                    error = response.text[:300]
                outcomes.append(Outcome(now - begin, ended, response.status_code, versions, error))

        await asyncio.gather(*(worker() for _ in range(clients)))
    return outcomes, time.perf_counter() - begin


def run_load(
    server: Server,
    payloads: Sequence[bytes],
    per_call: int,
    clients: int,
    time_cap: float,
    stop: threading.Event | None = None,
) -> tuple[dict[str, Any], list[Outcome]]:
    """One load phase and its figures."""
    server.memory.reset_peak()
    cpu = os.times()
    server_cpu = tree_cpu_s(server.process.pid)
    deadline = time.perf_counter() + time_cap
    outcomes, wall = asyncio.run(_drive(server, payloads, clients, deadline, stop))
    cpu_after = os.times()
    server_cpu = tree_cpu_s(server.process.pid) - server_cpu
    memory = server.memory.sample()
    ok = [o for o in outcomes if o.status == 200]
    errors = [o for o in outcomes if o.status != 200]
    latencies = [(o.ended - o.started) * 1000 for o in ok]
    figures: dict[str, Any] = {
        "queries_per_call": per_call,
        "clients": clients,
        "calls": len(outcomes),
        "wall_s": round(wall, 2),
        "capped_by_time": len(outcomes) < len(payloads) and stop is None,
        "requests_per_s": round(len(ok) / wall, 2) if wall else None,
        "queries_per_s": round(len(ok) * per_call / wall, 2) if wall else None,
        "latency_ms": percentiles(latencies),
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_per_wall": round(server_cpu / wall, 2) if wall else None,
        "queries_per_server_cpu_s": round(len(ok) * per_call / server_cpu, 2)
        if server_cpu
        else None,
        "errors": len(errors),
        "error_samples": sorted({f"{o.status}: {o.error}" for o in errors})[:5],
        "server_rss_peak_mib": round(server.memory.peak_rss_kib / 1024, 1),
        "server_memory_after": memory,
        "load_generator_cpu_s": round(
            (cpu_after.user - cpu.user) + (cpu_after.system - cpu.system), 2
        ),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    return figures, outcomes


def print_phase(label: str, figures: Mapping[str, Any]) -> None:
    lat = figures["latency_ms"]
    print(
        f"{label}: {figures['calls']} calls x {figures['queries_per_call']} queries, "
        f"{figures['clients']} clients, {figures['wall_s']} s"
        f"{' (time cap reached)' if figures['capped_by_time'] else ''}"
    )
    print(
        f"  {figures['requests_per_s']} requests/s, {figures['queries_per_s']} queries/s; "
        f"latency ms p50 {lat.get('p50')} p95 {lat.get('p95')} p99 {lat.get('p99')} "
        f"max {lat.get('max')}; errors {figures['errors']}"
    )
    print(
        f"  server CPU {figures['server_cpu_s']} s ({figures['server_cpu_per_wall']} cores busy): "
        f"{figures['queries_per_server_cpu_s']} queries per server CPU-second"
    )
    for sample in figures["error_samples"]:
        print(f"    error: {sample}")
    after = figures["server_memory_after"]
    print(
        f"  server tree ({after['processes']} process(es)): VmRSS peak "
        f"{figures['server_rss_peak_mib']} MiB, now {after['rss_mib']} MiB, largest VmHWM "
        f"{after['largest_hwm_mib']} MiB; load generator CPU {figures['load_generator_cpu_s']} s; "
        f"load average {figures['load_average_after']}"
    )
    if "vs_yente" in figures:
        print(f"  vs yente ({YENTE_RPS_PER_VCPU:g} requests/s per vCPU): {figures['vs_yente']}")


def vs_yente(figures: dict[str, Any], cpus: int) -> None:
    """Requests/s per vCPU over yente's published 4: one yente request is one query."""
    reference = YENTE_RPS_PER_VCPU * cpus
    figures["vs_yente"] = {
        "yente_reference_requests_per_s": reference,
        "requests_ratio": round(figures["requests_per_s"] / reference, 2),
        "queries_ratio": round(figures["queries_per_s"] / reference, 2),
    }


# --------------------------------------------------------------------------- update during load


def catalog_version(server: Server, source: str) -> int | None:
    with httpx.Client(timeout=30) as client:
        answer = client.get(
            f"{server.base}/catalog", headers={"Authorization": f"Bearer {server.key}"}
        )
    answer.raise_for_status()
    for dataset in answer.json()["datasets"]:
        if dataset["name"] == source:
            return int(dataset["version"])
    return None


def update_during_load(
    server: Server,
    env: Mapping[str, str],
    payloads: Sequence[bytes],
    clients: int,
    new_edition: Path,
    time_cap: float,
) -> dict[str, Any]:
    """Single-query load while ``redline update`` brings the new SDN edition in."""
    before = catalog_version(server, UPDATED_SOURCE)
    stop = threading.Event()
    result: dict[str, Any] = {"source": UPDATED_SOURCE, "version_before": before}
    holder: dict[str, Any] = {}

    def load() -> None:
        holder["figures"], holder["outcomes"] = run_load(
            server, payloads, 1, clients, time_cap, stop
        )

    loader = threading.Thread(target=load)
    loader.start()
    try:
        time.sleep(3.0)  # steady load before the update starts
        update_s, _ = redline(env, "update", UPDATED_SOURCE, "--from-dir", str(new_edition))
        result["update_cli_s"] = round(update_s, 2)
        waited = time.perf_counter()
        version = before
        while version == before and time.perf_counter() - waited < SWAP_TIMEOUT:
            if not loader.is_alive():
                break
            time.sleep(0.5)
            version = catalog_version(server, UPDATED_SOURCE)
        result["served_after_update_s"] = round(time.perf_counter() - waited, 2)
        result["version_after"] = version
        time.sleep(AFTER_SWAP_SECONDS)
    finally:
        stop.set()
        loader.join()
    figures: dict[str, Any] = holder["figures"]
    outcomes: list[Outcome] = holder["outcomes"]
    ok = [o for o in outcomes if o.status == 200 and o.versions is not None]
    sets = sorted({json.dumps(o.versions, sort_keys=True) for o in ok})
    # Monotonic: no call started after a new-version answer arrived is answered from the old.
    first_new = min(
        (o.ended for o in ok if o.versions and o.versions.get(UPDATED_SOURCE) != before),
        default=None,
    )
    regressions = (
        sum(
            1
            for o in ok
            if first_new is not None
            and o.started > first_new
            and o.versions
            and o.versions.get(UPDATED_SOURCE) == before
        )
        if first_new is not None
        else 0
    )
    by_version: dict[str, int] = {}
    for o in ok:
        assert o.versions is not None
        key = str(o.versions.get(UPDATED_SOURCE))
        by_version[key] = by_version.get(key, 0) + 1
    result.update(
        {
            "load": figures,
            "version_sets_seen": [json.loads(s) for s in sets],
            "answers_by_version": by_version,
            "old_answers_after_first_new": regressions,
            "swapped": result.get("version_after") != before,
            "ok": figures["errors"] == 0
            and len(sets) <= 2
            and regressions == 0
            and result.get("version_after") != before,
        }
    )
    return result


# --------------------------------------------------------------------------- one database


def bench_database(
    label: str,
    database_url: str | None,
    args: argparse.Namespace,
    staged: Path,
    work: Path,
    examples_holder: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """Set-up, update during load, then the 1- and N-query loads, on one database."""
    print(f"\n== {label}", flush=True)
    home = work / f"home-{label}"
    env = child_env(home, database_url)
    report: dict[str, Any] = {"database": label}
    load_s, _ = redline(env, "update", "--from-dir", str(staged))
    report["load_lists_s"] = round(load_s, 2)
    _, key_out = redline(env, "keys", "create", "--name", "bench", "--role", "viewer")
    key = key_out.strip().splitlines()[-1]
    if "examples" not in examples_holder:
        started = time.perf_counter()
        store = Store(database_url or store_url(home))
        context = build_context(store)
        negatives = [
            (case.names[0], case.schema or "LegalEntity")
            for case in gen_negative_real(context, random.Random(args.seed), 10**9)
        ]
        maker = QueryMaker(context.subjects, negatives, args.seed)
        examples_holder["examples"] = [example(q) for q in maker.many(QUERY_POOL)]
        store.close()
        print(
            f"{QUERY_POOL} queries from {len(maker.subjects)} listed subjects and "
            f"{len(negatives)} unlisted names ({time.perf_counter() - started:.1f} s)"
        )
    examples = examples_holder["examples"]
    print(f"lists loaded in {report['load_lists_s']} s; key created", flush=True)

    with serving(env, key, args.workers, args.out.parent / f"bench_service_{label}.log") as server:
        report["ready_s"] = server.ready_s
        report["memory_ready"] = server.memory.sample()
        print(
            f"server ready after {server.ready_s} s (index built at start-up); "
            f"VmRSS {report['memory_ready']['rss_mib']} MiB",
            flush=True,
        )
        warm = bodies(examples[-200:], 1, 100)
        run_load(server, warm, 1, args.clients, 60)

        print("-- update during single-query load", flush=True)
        single_for_update = bodies(examples, 1, 100_000)
        update = update_during_load(
            server,
            env,
            single_for_update,
            args.clients,
            args.data_dir / NEW_EDITION,
            SWAP_TIMEOUT + 120,
        )
        report["update_during_load"] = update
        print_phase("update phase load", update["load"])
        print(
            f"  {UPDATED_SOURCE} version {update['version_before']} -> {update['version_after']}: "
            f"update CLI {update.get('update_cli_s')} s, served "
            f"{update['served_after_update_s']} s after it; answers by version "
            f"{update['answers_by_version']}; version sets "
            f"seen {len(update['version_sets_seen'])}; old answers after the first new one "
            f"{update['old_answers_after_first_new']}: {'OK' if update['ok'] else 'FAILED'}",
            flush=True,
        )

        single = bodies(examples, 1, args.requests_single)
        figures, _ = run_load(server, single, 1, args.clients, args.time_cap)
        vs_yente(figures, os.cpu_count() or 1)
        report["single"] = figures
        print_phase("1 query per call", figures)

        batch = bodies(examples[1000:], args.batch_size, args.requests_batch)
        figures, _ = run_load(server, batch, args.batch_size, args.clients, args.time_cap)
        vs_yente(figures, os.cpu_count() or 1)
        report[f"batch_{args.batch_size}"] = figures
        print_phase(f"{args.batch_size} queries per call", figures)
        report["memory_end"] = server.memory.sample()
        server.memory.stop()
    return report


def store_url(home: Path) -> str:
    """The SQLite store ``redline`` uses in ``home`` when no database URL is set."""
    from redline.settings import Settings

    return Settings(home=home).store_url


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--workers", type=int, default=1, help="redline serve --workers")
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--requests-single", type=int, default=DEFAULT_REQUESTS_SINGLE)
    parser.add_argument("--requests-batch", type=int, default=DEFAULT_REQUESTS_BATCH)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--time-cap", type=float, default=DEFAULT_TIME_CAP, help="s per phase")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_RESULT)
    args = parser.parse_args(argv)
    if not (args.data_dir / NEW_EDITION).is_dir():
        raise SystemExit(f"{args.data_dir / NEW_EDITION} not found: the update needs it")

    report: dict[str, Any] = {"environment": environment(args.data_dir)}
    report["settings"] = {
        "seed": args.seed,
        "workers": args.workers,
        "clients": args.clients,
        "requests_single": args.requests_single,
        "requests_batch": args.requests_batch,
        "batch_size": args.batch_size,
        "time_cap_s": args.time_cap,
        "updated_source": UPDATED_SOURCE,
        "yente_requests_per_s_per_vcpu": YENTE_RPS_PER_VCPU,
    }
    print(
        f"{os.cpu_count()} CPUs, load average {report['environment']['load_average_at_start']}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="redline-loadbench-"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    examples: dict[str, list[dict[str, Any]]] = {}
    failed = False
    try:
        staged = staged_data(args.data_dir, work)
        runs = [bench_database("sqlite", None, args, staged, work, examples)]
        if not args.no_postgres:
            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("PostgreSQL binaries not found under /usr/lib/postgresql")
            cluster = PgCluster(bindir)
            try:
                url = cluster.create_database()
                runs.append(bench_database("postgresql", url, args, staged, work, examples))
            finally:
                cluster.stop()
        report["runs"] = runs
        failed = any(
            run[phase]["errors"] for run in runs for phase in ("single", f"batch_{args.batch_size}")
        ) or not all(run["update_during_load"]["ok"] for run in runs)
    finally:
        report["environment"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end {report['environment']['load_average_at_end']}")
    print(f"written {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
