"""Who is asking, and the three seams between the HTTP layer and the service's records.

The API and workspace code depends only on these protocols; the database-backed
implementations live beside them (users and keys, the audit chain, the alerts
queue) and are wired together in the application factory.  Tests may pass small
in-memory implementations of the same protocols.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal, Protocol

from redline.match.types import Match


class Role(IntEnum):
    """Roles in increasing power: each includes every right of those below it."""

    viewer = 1
    analyst = 2
    approver = 3
    admin = 4

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value.strip().lower()]
        except KeyError:
            names = ", ".join(r.name for r in cls)
            raise ValueError(f"unknown role {value!r}; expected one of {names}") from None


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user (web workspace) or an API key."""

    id: str
    name: str
    role: Role
    kind: Literal["user", "key"]

    def allows(self, needed: Role) -> bool:
        return self.role >= needed


class Authenticator(Protocol):
    """Turns a presented secret into a principal, or ``None`` when it is not valid."""

    def authenticate_key(self, raw_key: str) -> Principal | None: ...

    def authenticate_password(self, username: str, password: str) -> Principal | None: ...


class AuditLog(Protocol):
    """The append-only, hash-chained record of everything that happened."""

    def record(self, event: str, actor: Principal | None, payload: Mapping[str, Any]) -> None: ...


class AlertSink(Protocol):
    """Turns ``match``/``possible`` results of a screening into alerts for review.

    ``versions`` maps each source to the list version the screening ran on;
    ``origin`` says where the screening came from (``api``, ``workspace``, ``batch``).
    Returns the results that were *not* suppressed by a remembered false positive.
    """

    def raise_alerts(
        self,
        query: Mapping[str, Any],
        matches: Sequence[Match],
        versions: Mapping[str, int],
        actor: Principal,
        origin: str,
    ) -> Sequence[Match]: ...
