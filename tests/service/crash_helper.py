"""Child process for the crash test: appends audit records and decides alerts until killed.

Usage: ``python -m tests.service.crash_helper URL``.  After each *commit* it prints a
line (``audit <seq>`` or ``decided <alert id>``), so the parent knows what must survive.
"""

from __future__ import annotations

import sys

from redline.service.alerts import DbAlertSink
from redline.service.audit import DbAuditLog
from redline.service.db import write_transaction
from redline.service.principal import Principal, Role
from redline.store import Store

ANALYST = Principal(id="user:crash", name="crash", role=Role.analyst, kind="user")


def main(url: str) -> None:
    log = DbAuditLog(url)
    sink = DbAlertSink(url, Store(url), log)
    for alert in reversed(sink.list_alerts(status="open", limit=100_000)):
        with write_transaction(log.engine) as conn:
            seq = log.append(conn, "screening", ANALYST, {"alert": alert.id, "pad": "x" * 500})
        print(f"audit {seq}", flush=True)
        sink.decide(alert.id, "false_positive", "crash test", ANALYST)
        print(f"decided {alert.id}", flush=True)
    print("finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
