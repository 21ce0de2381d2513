"""Configuration changes, written to the audit trail when the service starts.

Settings come from a file and ``REDLINE_*`` variables read at start-up, so a change
takes effect at a (re)start: each start compares a fingerprint of the effective
settings with the last one recorded and writes a ``config.changed`` record when they
differ, so an examiner can see which thresholds, lists and limits were in force when.
Secrets (the session secret, a database password) are never written: only whether
they are set.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine, make_url

from redline.service.audit import DbAuditLog, canonical_json
from redline.service.db import audit_log
from redline.settings import Settings

CONFIG_EVENT = "config.changed"


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with secrets redacted."""
    data: dict[str, Any] = json.loads(settings.model_dump_json())
    service = data.get("service") or {}
    if "session_secret" in service:
        service["session_secret"] = "(set)" if service["session_secret"] else None
    if data.get("database_url"):
        data["database_url"] = make_url(data["database_url"]).render_as_string(hide_password=True)
    return data


def record_config(engine: Engine, audit: DbAuditLog, settings: Settings) -> bool:
    """Write a ``config.changed`` record if the settings differ from the last recorded;
    returns whether one was written."""
    snapshot = settings_snapshot(settings)
    digest = hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()
    with engine.connect() as conn:
        last = conn.execute(
            select(audit_log.c.payload)
            .where(audit_log.c.event == CONFIG_EVENT)
            .order_by(audit_log.c.seq.desc())
            .limit(1)
        ).scalar()
    previous = json.loads(last).get("digest") if last else None
    if previous == digest:
        return False
    audit.record(CONFIG_EVENT, None, {"digest": digest, "previous": previous, "settings": snapshot})
    return True
