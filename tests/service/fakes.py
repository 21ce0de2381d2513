"""Small in-memory implementations of the service contracts (:mod:`redline.service.principal`).

They record what the app hands them so that tests can check every screening was
audited and alerted, and let a test mark an entity as a remembered false positive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redline.match.types import Match
from redline.service.principal import Principal, Role

VIEWER = Principal(id="key-viewer", name="viewer", role=Role.viewer, kind="key")
ANALYST = Principal(id="key-analyst", name="analyst", role=Role.analyst, kind="key")
ADMIN = Principal(id="key-admin", name="admin", role=Role.admin, kind="key")

VIEWER_KEY = "rk_viewer_4f1c9a0e5b7d"
ANALYST_KEY = "rk_analyst_8e2d6c1b3a9f"
ADMIN_KEY = "rk_admin_0a9b8c7d6e5f"


class FakeAuthenticator:
    def __init__(self, keys: Mapping[str, Principal] | None = None) -> None:
        self.keys = dict(keys or {VIEWER_KEY: VIEWER, ANALYST_KEY: ANALYST, ADMIN_KEY: ADMIN})

    def authenticate_key(self, raw_key: str) -> Principal | None:
        return self.keys.get(raw_key)

    def authenticate_password(self, username: str, password: str) -> Principal | None:
        return None


@dataclass
class MemoryAudit:
    events: list[tuple[str, Principal | None, dict[str, Any]]] = field(default_factory=list)

    def record(self, event: str, actor: Principal | None, payload: Mapping[str, Any]) -> None:
        self.events.append((event, actor, dict(payload)))


@dataclass
class AlertCall:
    query: dict[str, Any]
    matches: list[Match]
    versions: dict[str, int]
    actor: Principal
    origin: str


@dataclass
class MemoryAlerts:
    """Records each call; entity ids in ``suppressed`` are treated as known false positives."""

    calls: list[AlertCall] = field(default_factory=list)
    suppressed: set[str] = field(default_factory=set)

    def raise_alerts(
        self,
        query: Mapping[str, Any],
        matches: Sequence[Match],
        versions: Mapping[str, int],
        actor: Principal,
        origin: str,
    ) -> Sequence[Match]:
        self.calls.append(AlertCall(dict(query), list(matches), dict(versions), actor, origin))
        return [m for m in matches if m.entity_id not in self.suppressed]
