"""The service's records, opened together on the store's database.

One call for the application factory: migrate the database, then build the
authenticator, the audit log, the alerts queue and the accounts administration
on the same engine (so decisions and their audit records share transactions).
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from redline.service.alerts import DbAlertSink
from redline.service.audit import DbAuditLog
from redline.service.db import engine_for
from redline.service.migrate import migrate
from redline.service.security import Accounts, DbAuthenticator
from redline.settings import Settings
from redline.store import Store


@dataclass(frozen=True)
class Records:
    url: str
    authenticator: DbAuthenticator
    audit: DbAuditLog
    alerts: DbAlertSink
    accounts: Accounts

    @classmethod
    def open(
        cls, settings: Settings, store: Store, hasher: PasswordHasher | None = None
    ) -> Records:
        """Migrate ``settings.store_url`` (idempotent) and open every records component."""
        url = settings.store_url
        migrate(url)
        engine = engine_for(url)
        audit = DbAuditLog(engine)
        return cls(
            url=url,
            authenticator=DbAuthenticator(engine, hasher=hasher),
            audit=audit,
            alerts=DbAlertSink(engine, store, audit),
            accounts=Accounts(engine, audit=audit, hasher=hasher),
        )
