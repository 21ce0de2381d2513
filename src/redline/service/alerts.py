"""The alerts queue: screening hits awaiting review, with four-eyes decisions.

Life of an alert::

    open --decide(false_positive), level possible--> closed (false_positive)
    open --decide(true_match | false_positive on a match)--> pending_approval
    pending_approval --approve (another person, approver role)--> closed
    pending_approval --reject (another person, approver role)--> open

Every change is ``UPDATE ... WHERE id = ? AND version = ?``: two people acting on
the same alert at once get one success and one :class:`AlertConflict`, never a
silently lost decision.  Each change, its history row and its audit record
commit together.

A false positive, once final, is remembered as a *suppression* of this party
(see :func:`party_key`) against this listed entity *as it was then* (the sha256
of its stored data): the same screening raises no alert again until the entity's
data changes in the store, when the alert comes back marked ``entity_changed``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from redline.match.types import Match
from redline.service.audit import DbAuditLog, canonical_json, utc_timestamp
from redline.service.db import (
    alert_decisions,
    alerts,
    engine_for,
    suppressions,
    write_transaction,
)
from redline.service.principal import AuditLog, Principal, Role
from redline.service.security import person_of
from redline.store import Store

Resolution = Literal["false_positive", "true_match"]
Status = Literal["open", "pending_approval", "closed"]
RESOLUTIONS: tuple[str, ...] = ("false_positive", "true_match")
STATUSES: tuple[str, ...] = ("open", "pending_approval", "closed")


class AlertError(Exception):
    """Base of the queue's errors."""


class AlertNotFound(AlertError, LookupError):
    """No alert with that id (HTTP 404)."""


class AlertConflict(AlertError):
    """Someone else changed the alert first (stale version) or its state forbids this (409)."""


class InvalidTransition(AlertConflict):
    """The alert's status does not allow this action (e.g. approving an open alert)."""


class PermissionDenied(AlertError, PermissionError):
    """The actor's role does not allow this action (403)."""


class SelfApprovalError(PermissionDenied):
    """The second pair of eyes must belong to someone else than the decider."""


class ReasonRequired(AlertError, ValueError):
    """A decision (or rejection) needs a non-blank reason (422)."""


class InvalidDecision(AlertError, ValueError):
    """Not one of ``false_positive`` / ``true_match`` (422)."""


@dataclass(frozen=True)
class Alert:
    """One alert as stored."""

    id: int
    created_at: str
    status: str
    level: str
    query: dict[str, Any]
    party_key: str
    query_name: str
    entity_id: str
    source: str
    list_version: int | None
    schema: str
    caption: str
    matched_name: str
    score: float
    explanation: dict[str, Any]
    origin: str
    entity_hash: str | None
    entity_changed: bool
    raised_by: str
    resolution: str | None
    pending_decision: str | None
    pending_reason: str | None
    pending_by: str | None
    closed_at: str | None
    version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise_name(name: str) -> str:
    """NFKC, case-folded, every run of non-letters/digits one space, trimmed."""
    text = unicodedata.normalize("NFKC", name).casefold()
    chars = [c if unicodedata.category(c)[0] in "LN" else " " for c in text]
    return " ".join("".join(chars).split())


def party_key(query: Mapping[str, Any]) -> str:
    """Stable identity of a screened party: sha256 of its normalised names and schema.

    Names are normalised (:func:`normalise_name`), de-duplicated and sorted, so
    order, case, punctuation and spacing do not matter; the schema (``Person``,
    ``Company``... or none) is part of it.  Other details (dates, countries,
    identifiers) refine the matching but not the party's identity.
    """
    raw = query.get("names")
    if raw is None:
        raw = query.get("name", [])
    names = [raw] if isinstance(raw, str) else list(raw or [])
    normalised = sorted({n for n in (normalise_name(str(x)) for x in names) if n})
    schema = query.get("schema") or ""
    body = canonical_json({"names": normalised, "schema": schema})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def entity_hash(data: Mapping[str, Any]) -> str:
    """sha256 of an entity's stored FtM data (canonical JSON): changes iff the data does."""
    return hashlib.sha256(canonical_json(dict(data)).encode("utf-8")).hexdigest()


class DbAlertSink:
    """:class:`~redline.service.principal.AlertSink` and the review workflow over the database.

    ``audit`` should be a :class:`DbAuditLog` on the same database, so that each
    decision and its audit record commit in one transaction; any other
    :class:`AuditLog` is called right after the commit.
    """

    def __init__(self, url_or_engine: str | Engine, store: Store, audit: AuditLog) -> None:
        self.engine = engine_for(url_or_engine)
        self.store = store
        self.audit = audit

    # -- raising ------------------------------------------------------------

    def raise_alerts(
        self,
        query: Mapping[str, Any],
        matches: Sequence[Match],
        versions: Mapping[str, int],
        actor: Principal,
        origin: str,
    ) -> Sequence[Match]:
        """One alert per ``match``/``possible`` result not covered by a suppression.

        Returns the results without the suppressed ones (``no_match`` results pass through).
        """
        key = party_key(query)
        hits = [m for m in matches if m.decision in ("match", "possible")]
        current = {m.entity_id: self._current_hash(m.entity_id) for m in hits}
        kept: list[Match] = []
        now = utc_timestamp()
        with write_transaction(self.engine) as conn:
            remembered = _suppressions(conn, key, list(current))
            for match in matches:
                if match.decision not in ("match", "possible"):
                    kept.append(match)
                    continue
                hashes = remembered.get(match.entity_id, set())
                now_hash = current[match.entity_id]
                if now_hash in hashes:
                    continue
                kept.append(match)
                conn.execute(
                    insert(alerts).values(
                        created_at=now,
                        status="open",
                        level=match.decision,
                        query=dict(query),
                        party_key=key,
                        query_name=match.query_name,
                        entity_id=match.entity_id,
                        source=match.source,
                        list_version=versions.get(match.source),
                        schema=match.schema,
                        caption=match.caption,
                        matched_name=match.matched_name,
                        score=float(match.score),
                        explanation=dict(match.explanation),
                        origin=origin,
                        entity_hash=now_hash,
                        entity_changed=bool(hashes),
                        raised_by=f"{actor.id} ({actor.name})",
                        version=1,
                    )
                )
        return kept

    def _current_hash(self, entity_id: str) -> str | None:
        stored = self.store.get_entity(entity_id)
        return entity_hash(stored.data) if stored is not None else None

    # -- reading ------------------------------------------------------------

    def get(self, alert_id: int) -> Alert:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise AlertNotFound(f"no alert {alert_id}")
        return _alert(row._mapping)

    def list_alerts(
        self,
        *,
        status: str | None = None,
        origin: str | None = None,
        source: str | None = None,
        entity_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        """The queue, newest first, optionally filtered (for the workspace)."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        query = select(alerts).order_by(alerts.c.id.desc()).limit(limit).offset(offset)
        for column, value in (
            (alerts.c.status, status),
            (alerts.c.origin, origin),
            (alerts.c.source, source),
            (alerts.c.entity_id, entity_id),
        ):
            if value is not None:
                query = query.where(column == value)
        with self.engine.connect() as conn:
            return [_alert(row._mapping) for row in conn.execute(query)]

    def count_by_status(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(alerts.c.status, func.count()).group_by(alerts.c.status)
            ).all()
        return {status: 0 for status in STATUSES} | {s: int(n) for s, n in rows}

    def history(self, alert_id: int) -> list[dict[str, Any]]:
        """Every decision, approval and rejection of an alert, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(alert_decisions)
                .where(alert_decisions.c.alert_id == alert_id)
                .order_by(alert_decisions.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    # -- the workflow -------------------------------------------------------

    def decide(
        self,
        alert_id: int,
        decision: str,
        reason: str,
        actor: Principal,
        expected_version: int | None = None,
    ) -> Alert:
        """An analyst's decision on an open alert.

        A false positive on a ``possible`` alert is final at once; a true match, or
        clearing a ``match``-level alert, waits for an approver (``pending_approval``).
        ``expected_version`` is the version the analyst saw: if the alert changed
        since, :class:`AlertConflict`.
        """
        if not actor.allows(Role.analyst):
            raise PermissionDenied(f"{actor.name} ({actor.role.name}) cannot decide alerts")
        if decision not in RESOLUTIONS:
            raise InvalidDecision(
                f"unknown decision {decision!r}; expected one of {', '.join(RESOLUTIONS)}"
            )
        reason = _reason(reason, "a decision")
        person = person_of(self.engine, actor)
        after: list[Callable[[], None]] = []
        with write_transaction(self.engine) as conn:
            row = self._load(conn, alert_id, expected_version)
            if row["status"] != "open":
                raise InvalidTransition(f"alert {alert_id} is {row['status']}, not open")
            final = decision == "false_positive" and row["level"] != "match"
            now = utc_timestamp()
            values: dict[str, Any] = (
                {"status": "closed", "resolution": decision, "closed_at": now}
                if final
                else {
                    "status": "pending_approval",
                    "pending_decision": decision,
                    "pending_reason": reason,
                    "pending_by": f"{actor.id} ({actor.name})",
                    "pending_person": person,
                }
            )
            self._update(conn, row, values)
            self._history(conn, row, "decide", decision, reason, actor, values["status"], now)
            if final:
                self._suppress(conn, row, actor, now)
            payload = {
                "alert_id": alert_id,
                "decision": decision,
                "reason": reason,
                "status": values["status"],
                "entity_id": row["entity_id"],
                "source": row["source"],
                "level": row["level"],
            }
            self._audit(conn, "decision", actor, payload, after)
        for call in after:
            call()
        return self.get(alert_id)

    def approve(
        self,
        alert_id: int,
        actor: Principal,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Alert:
        """A second person (approver role) confirms the pending decision: the alert closes."""
        return self._review(alert_id, actor, True, comment, expected_version)

    def reject(
        self,
        alert_id: int,
        actor: Principal,
        reason: str,
        expected_version: int | None = None,
    ) -> Alert:
        """A second person (approver role) sends the pending decision back: the alert reopens."""
        return self._review(
            alert_id, actor, False, _reason(reason, "a rejection"), expected_version
        )

    def _review(
        self,
        alert_id: int,
        actor: Principal,
        approved: bool,
        comment: str | None,
        expected_version: int | None,
    ) -> Alert:
        verb = "approve" if approved else "reject"
        if not actor.allows(Role.approver):
            raise PermissionDenied(
                f"{actor.name} ({actor.role.name}) cannot {verb} decisions: approver role needed"
            )
        person = person_of(self.engine, actor)
        after: list[Callable[[], None]] = []
        with write_transaction(self.engine) as conn:
            row = self._load(conn, alert_id, expected_version)
            if row["status"] != "pending_approval":
                raise InvalidTransition(
                    f"alert {alert_id} is {row['status']}, not pending_approval"
                )
            if row["pending_person"] == person:
                raise SelfApprovalError(
                    f"{actor.name} made this decision and cannot also {verb} it: "
                    "a second person must review it"
                )
            decision = row["pending_decision"]
            now = utc_timestamp()
            cleared = {
                "pending_decision": None,
                "pending_reason": None,
                "pending_by": None,
                "pending_person": None,
            }
            values: dict[str, Any] = (
                {"status": "closed", "resolution": decision, "closed_at": now, **cleared}
                if approved
                else {"status": "open", **cleared}
            )
            self._update(conn, row, values)
            self._history(conn, row, verb, decision, comment, actor, values["status"], now)
            if approved and decision == "false_positive":
                self._suppress(conn, row, actor, now)
            payload = {
                "alert_id": alert_id,
                "outcome": "approved" if approved else "rejected",
                "decision": decision,
                "decided_by": row["pending_by"],
                "comment": comment,
                "status": values["status"],
            }
            self._audit(conn, "approval", actor, payload, after)
        for call in after:
            call()
        return self.get(alert_id)

    # -- helpers ------------------------------------------------------------

    def _load(self, conn: Connection, alert_id: int, expected_version: int | None) -> RowMapping:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise AlertNotFound(f"no alert {alert_id}")
        m = row._mapping
        if expected_version is not None and m["version"] != expected_version:
            raise AlertConflict(
                f"alert {alert_id} changed meanwhile (version {m['version']}, "
                f"you saw {expected_version}): reload it"
            )
        return m

    def _update(self, conn: Connection, row: RowMapping, values: Mapping[str, Any]) -> None:
        done = conn.execute(
            update(alerts)
            .where(alerts.c.id == row["id"], alerts.c.version == row["version"])
            .values(**values, version=row["version"] + 1)
        ).rowcount
        if done != 1:
            raise AlertConflict(f"alert {row['id']} was changed by someone else: reload it")

    def _history(
        self,
        conn: Connection,
        row: RowMapping,
        action: str,
        decision: str | None,
        reason: str | None,
        actor: Principal,
        to_status: str,
        now: str,
    ) -> None:
        conn.execute(
            insert(alert_decisions).values(
                alert_id=row["id"],
                at=now,
                action=action,
                decision=decision,
                reason=reason,
                actor_id=actor.id,
                actor_name=actor.name,
                actor_role=actor.role.name,
                actor_kind=actor.kind,
                from_status=row["status"],
                to_status=to_status,
            )
        )

    def _suppress(self, conn: Connection, row: RowMapping, actor: Principal, now: str) -> None:
        conn.execute(
            insert(suppressions).values(
                party_key=row["party_key"],
                entity_id=row["entity_id"],
                entity_hash=row["entity_hash"],
                alert_id=row["id"],
                created_at=now,
                created_by=f"{actor.id} ({actor.name})",
            )
        )

    def _audit(
        self,
        conn: Connection,
        event: str,
        actor: Principal,
        payload: Mapping[str, Any],
        after: list[Callable[[], None]],
    ) -> None:
        audit = self.audit
        if isinstance(audit, DbAuditLog) and audit.engine.url == self.engine.url:
            audit.append(conn, event, actor, payload)
        else:
            after.append(lambda: audit.record(event, actor, payload))


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired(f"{what} needs a reason: say why, for the record")
    return text


def _suppressions(conn: Connection, key: str, entity_ids: list[str]) -> dict[str, set[str | None]]:
    if not entity_ids:
        return {}
    rows = conn.execute(
        select(suppressions.c.entity_id, suppressions.c.entity_hash).where(
            suppressions.c.party_key == key, suppressions.c.entity_id.in_(entity_ids)
        )
    ).all()
    found: dict[str, set[str | None]] = {}
    for entity_id, hash_ in rows:
        found.setdefault(entity_id, set()).add(hash_)
    return found


def _alert(m: RowMapping) -> Alert:
    return Alert(
        id=m["id"],
        created_at=m["created_at"],
        status=m["status"],
        level=m["level"],
        query=dict(m["query"]),
        party_key=m["party_key"],
        query_name=m["query_name"],
        entity_id=m["entity_id"],
        source=m["source"],
        list_version=m["list_version"],
        schema=m["schema"],
        caption=m["caption"],
        matched_name=m["matched_name"],
        score=float(m["score"]),
        explanation=dict(m["explanation"]),
        origin=m["origin"],
        entity_hash=m["entity_hash"],
        entity_changed=bool(m["entity_changed"]),
        raised_by=m["raised_by"],
        resolution=m["resolution"],
        pending_decision=m["pending_decision"],
        pending_reason=m["pending_reason"],
        pending_by=m["pending_by"],
        closed_at=m["closed_at"],
        version=m["version"],
    )
