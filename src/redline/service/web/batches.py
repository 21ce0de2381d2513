"""Batch screening of shipment files from the workspace, in a background thread.

Each batch lives in ``<home>/batches/<id>/``: the uploaded file, ``state.json``
(status and progress, rewritten atomically) and the outputs (CSV, JSONL, the HTML
report).  State on disk, not in memory, so a restarted server lists every batch; a
batch found ``running`` by a process other than the one running it was killed with
its server and is shown ``interrupted``, ready to be re-run.

Party hits become alerts (origin ``batch``).  ``alerted_rows`` records how many rows'
alerts are committed, so a re-run does not raise them twice.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from redline.batch.engine import ShipmentScreener
from redline.batch.reader import InputError, open_shipments, open_table
from redline.batch.report import ReportBuilder
from redline.batch.writers import VerdictWriter, atomic_path, write_errors
from redline.goods.shipment import PartyHit, Verdict
from redline.match.types import Match
from redline.service.audit import utc_timestamp
from redline.service.principal import AlertSink, AuditLog, Principal, Role
from redline.service.state import ScreenerHolder

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Output files a batch page links to (nothing else in the folder is served).
OUTPUTS = {
    "report.html": "text/html",
    "results.csv": "text/csv",
    "results.jsonl": "application/x-ndjson",
    "errors.csv": "text/csv",
}
ACTIVE = ("queued", "running")
_ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")


@dataclass
class BatchState:
    id: str
    filename: str
    created_at: str
    created_by: str
    status: str = "queued"  # queued | running | done | failed | interrupted
    rows_total: int = 0
    rows_done: int = 0
    alerted_rows: int = 0
    alerts_raised: int = 0
    risks: dict[str, int] = field(default_factory=lambda: {"block": 0, "review": 0, "clear": 0})
    errors: int = 0
    error: str | None = None
    runs: int = 0
    pid: int | None = None
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> float:
        if self.status == "done":
            return 100.0
        return 100.0 * self.rows_done / self.rows_total if self.rows_total else 0.0


class BatchError(ValueError):
    """An upload that cannot become a batch (its message is shown to the user)."""


class BatchManager:
    """Creates, runs and lists batches under ``root``; one batch runs at a time."""

    def __init__(
        self, root: Path, holder: ScreenerHolder, alerts: AlertSink, audit: AuditLog
    ) -> None:
        self.root = root
        self.holder = holder
        self.alerts = alerts
        self.audit = audit
        self._run_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        root.mkdir(parents=True, exist_ok=True)

    # -- reading ------------------------------------------------------------

    def get(self, batch_id: str) -> BatchState | None:
        if not _ID.match(batch_id):
            return None
        path = self.root / batch_id / "state.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        state = BatchState(**data)
        if state.active and not self._alive(state):
            state.status = "interrupted"
        return state

    def all(self) -> list[BatchState]:
        found = (self.get(p.name) for p in self.root.iterdir() if p.is_dir())
        return sorted((s for s in found if s), key=lambda s: s.id, reverse=True)

    def output(self, batch_id: str, name: str) -> Path | None:
        if name not in OUTPUTS or self.get(batch_id) is None:
            return None
        path = self.root / batch_id / name
        return path if path.is_file() else None

    def _alive(self, state: BatchState) -> bool:
        """Whether the process that owns an active batch still runs it."""
        if state.pid == os.getpid():
            thread = self._threads.get(state.id)
            return thread is not None and thread.is_alive()
        if state.pid is None:
            return False
        try:
            os.kill(state.pid, 0)
        except OSError:
            return False
        return True

    # -- creating and running --------------------------------------------------

    def create(self, filename: str, data: bytes, principal: Principal) -> BatchState:
        """Store an upload and check that it reads as a shipments file (BatchError if not)."""
        suffix = Path(filename).suffix.lower()
        if suffix not in SUFFIXES:
            raise BatchError(f"Upload a CSV, XLSX or Parquet file (got {suffix or 'no suffix'!r}).")
        if not data:
            raise BatchError("The file is empty.")
        batch_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)
        folder = self.root / batch_id
        folder.mkdir(parents=True)
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        try:
            with open_shipments(source) as reader:
                _ = reader.columns
            with open_table(source) as table:
                total = sum(1 for _row in table)
        except (InputError, ValueError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise BatchError(f"This file cannot be screened: {exc}") from None
        state = BatchState(
            id=batch_id,
            filename=Path(filename).name[:200],
            created_at=utc_timestamp(),
            created_by=principal.name,
            rows_total=total,
        )
        self._save(state)
        self.audit.record(
            "batch",
            principal,
            {"action": "upload", "batch": batch_id, "file": state.filename, "rows": total},
        )
        return state

    def start(self, batch_id: str, principal: Principal) -> BatchState:
        """Run (or re-run, after an interruption or failure) a batch in the background."""
        state = self.get(batch_id)
        if state is None:
            raise BatchError("No such batch.")
        if state.active:
            raise BatchError("This batch is already running.")
        if state.status == "done" and not principal.allows(Role.analyst):
            raise BatchError("This batch is complete.")
        state = replace(
            state,
            status="queued",
            pid=os.getpid(),
            error=None,
            rows_done=0,
            risks={"block": 0, "review": 0, "clear": 0},
            errors=0,
            runs=state.runs + 1,
        )
        self._save(state)
        thread = threading.Thread(
            target=self._run, args=(batch_id, principal), name=f"batch-{batch_id}", daemon=True
        )
        self._threads[batch_id] = thread
        thread.start()
        return state

    def wait(self, batch_id: str, timeout: float | None = None) -> None:
        thread = self._threads.get(batch_id)
        if thread is not None:
            thread.join(timeout)

    def _run(self, batch_id: str, principal: Principal) -> None:
        with self._run_lock:
            state = self.get(batch_id)
            if state is None:
                return
            try:
                self._screen(state, principal)
            except Exception as exc:  # the page must say so rather than spin forever
                log.exception("batch %s failed", batch_id)
                state.status, state.error = "failed", f"{type(exc).__name__}: {exc}"
                state.finished_at = utc_timestamp()
                self._save(state)
                self.audit.record(
                    "batch",
                    principal,
                    {"action": "failed", "batch": batch_id, "error": state.error},
                )

    def _screen(self, state: BatchState, principal: Principal) -> None:
        folder = self.root / state.id
        source = next(folder.glob("input.*"))
        snapshot = self.holder.current()
        versions = snapshot.version_ids
        screener = ShipmentScreener(snapshot.screener)
        state.status, state.started_at = "running", utc_timestamp()
        self._save(state)
        self.audit.record(
            "batch",
            principal,
            {"action": "start", "batch": state.id, "run": state.runs, "versions": versions},
        )
        builder = ReportBuilder()
        last_save = time.monotonic()
        reader = open_shipments(source)
        with (
            reader,
            VerdictWriter(folder / "results.csv", reader.columns, "csv") as csv_out,
            VerdictWriter(folder / "results.jsonl", reader.columns, "jsonl") as jsonl_out,
        ):
            for verdict in reader:
                verdict_ = screener.verdict(verdict)
                csv_out.write(verdict_)
                jsonl_out.write(verdict_)
                builder.add(verdict_)
                state.risks[verdict_.risk] = state.risks.get(verdict_.risk, 0) + 1
                state.rows_done += 1
                alerted = False
                if state.rows_done > state.alerted_rows:
                    raised = self._raise(verdict_, versions, principal)
                    state.alerts_raised += raised
                    state.alerted_rows = state.rows_done
                    alerted = raised > 0
                if alerted or time.monotonic() - last_save > 0.5:
                    self._save(state)
                    last_save = time.monotonic()
        for error in reader.errors:
            builder.add_error(error)
        if reader.errors:
            write_errors(folder / "errors.csv", reader.errors, reader.columns)
        list_versions = {
            name: f"version {info.seq}, published {info.published or '?'}"
            for name, info in snapshot.versions.items()
        }
        builder.write(
            folder / "report.html",
            input_file=state.filename,
            list_versions=list_versions,
            counts=reader.counts,
        )
        state.errors = len(reader.errors)
        state.rows_total = max(state.rows_total, state.rows_done + state.errors)
        state.status, state.finished_at = "done", utc_timestamp()
        self._save(state)
        self.audit.record(
            "batch",
            principal,
            {
                "action": "done",
                "batch": state.id,
                "risks": state.risks,
                "errors": state.errors,
                "alerts": state.alerts_raised,
            },
        )

    def _raise(self, verdict: Verdict, versions: Mapping[str, int], principal: Principal) -> int:
        """Alerts for the row's party hits, one screening per party (its query)."""
        by_party: dict[tuple[str, str], list[PartyHit]] = {}
        for hit in verdict.party_hits:
            if hit.decision in ("match", "possible"):
                by_party.setdefault((hit.role, hit.party_name), []).append(hit)
        raised = 0
        for (role, name), hits in by_party.items():
            country = next(
                (
                    p.country
                    for p in verdict.shipment.parties
                    if p.role == role and p.name == name and p.country
                ),
                None,
            )
            query: dict[str, Any] = {
                "names": [name],
                "schema": "LegalEntity",
                "countries": [country] if country else [],
                "batch_row": verdict.shipment.row_id,
                "role": role,
            }
            matches = [_as_match(hit) for hit in hits]
            kept = self.alerts.raise_alerts(query, matches, versions, principal, "batch")
            raised += len(kept)
        return raised

    def _save(self, state: BatchState) -> None:
        with self._state_lock, atomic_path(self.root / state.id / "state.json") as temp:
            temp.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")

    def recover(self) -> list[str]:
        """Mark batches left active by a dead process as interrupted (at start-up)."""
        marked = []
        for state in self.all():
            path = self.root / state.id / "state.json"
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored["status"] in ACTIVE and state.status == "interrupted":
                self._save(state)
                marked.append(state.id)
        return marked


def _as_match(hit: PartyHit) -> Match:
    explanation = dict(hit.explanation)
    return Match(
        entity_id=hit.entity_id,
        source=hit.source,
        source_id=None,
        schema=hit.schema,
        caption=hit.caption,
        matched_name=str(explanation.get("matched_name") or hit.caption),
        query_name=hit.party_name,
        score=hit.score,
        decision="match" if hit.decision == "match" else "possible",
        explanation=explanation,
    )
