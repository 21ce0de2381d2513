"""Users and API keys: hashes only, wrong secrets refused, revocation and disabling, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from redline.service.audit import export, verify
from redline.service.db import api_keys, engine_for, users
from redline.service.migrate import current_revision, head_revision
from redline.service.principal import Principal, Role
from redline.service.records import Records
from redline.service.security import AccountError, Accounts, DbAuthenticator, parse_role, person_of
from redline.settings import Settings
from redline.store import Store
from tests.service.conftest import ADMIN, FAST_HASHER

PASSWORD = "s3cret-enough-pass"


@pytest.fixture
def accounts(db: str) -> Accounts:
    return Accounts(db, hasher=FAST_HASHER)


@pytest.fixture
def auth(db: str) -> DbAuthenticator:
    return DbAuthenticator(db, hasher=FAST_HASHER)


def _all_text(db: str) -> str:
    """Every value of the users, keys and audit tables, as one string."""
    parts: list[str] = []
    with engine_for(db).connect() as conn:
        for table in ("users", "api_keys", "audit_log"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                parts.extend(str(v) for v in row)
    return " ".join(parts)


def test_passwords_are_hashed_and_checked(
    db: str, accounts: Accounts, auth: DbAuthenticator
) -> None:
    user = accounts.add_user("Alice", Role.analyst, PASSWORD, ADMIN)
    assert user.username == "alice" and user.role is Role.analyst and not user.disabled
    with engine_for(db).connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in _all_text(db)

    found = auth.authenticate_password("alice", PASSWORD)
    assert found == Principal(id="user:alice", name="alice", role=Role.analyst, kind="user")
    assert auth.authenticate_password("ALICE ", PASSWORD) == found
    assert auth.authenticate_password("alice", PASSWORD + "x") is None
    assert auth.authenticate_password("alice", "") is None
    assert auth.authenticate_password("nobody", PASSWORD) is None
    assert auth.authenticate_password("", PASSWORD) is None


def test_disabled_user_is_refused_and_roles_change(
    accounts: Accounts, auth: DbAuthenticator
) -> None:
    accounts.add_user("alice", Role.analyst, PASSWORD, ADMIN)
    assert accounts.set_role("alice", Role.approver, ADMIN).role is Role.approver
    found = auth.authenticate_password("alice", PASSWORD)
    assert found is not None and found.role is Role.approver
    assert accounts.set_disabled("alice", True, ADMIN).disabled
    assert auth.authenticate_password("alice", PASSWORD) is None
    accounts.set_disabled("alice", False, ADMIN)
    assert auth.authenticate_password("alice", PASSWORD) is not None
    accounts.set_password("alice", "another-long-pass", ADMIN)
    assert auth.authenticate_password("alice", PASSWORD) is None
    assert auth.authenticate_password("alice", "another-long-pass") is not None


def test_account_errors_are_clear(accounts: Accounts) -> None:
    accounts.add_user("alice", Role.viewer, PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("ALICE", Role.viewer, PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="too short"):
        accounts.add_user("bob", Role.viewer, "short", ADMIN)
    with pytest.raises(AccountError, match="invalid username"):
        accounts.add_user("bob smith", Role.viewer, PASSWORD, ADMIN)
    with pytest.raises(AccountError, match="no user 'carol'"):
        accounts.set_role("carol", Role.admin, ADMIN)
    with pytest.raises(AccountError, match="no user 'carol'"):
        accounts.create_key("erp", Role.viewer, ADMIN, owner="carol")
    with pytest.raises(AccountError, match="needs a name"):
        accounts.create_key("  ", Role.viewer, ADMIN)
    with pytest.raises(AccountError, match="no API key"):
        accounts.revoke_key("0123456789ab", ADMIN)


def test_role_parse_errors_name_the_choices() -> None:
    assert parse_role(" Approver ") is Role.approver
    with pytest.raises(
        ValueError, match=r"unknown role 'boss'; expected one of viewer, analyst, approver, admin"
    ):
        parse_role("boss")


def test_api_keys_are_hashed_shown_once_and_revocable(
    db: str, accounts: Accounts, auth: DbAuthenticator
) -> None:
    new = accounts.create_key("ERP system", Role.analyst, ADMIN)
    prefix, key_id, secret = new.raw.split("_", 2)
    assert prefix == "rl" and key_id == new.info.id and len(secret) >= 40
    assert new.info.active and new.info.created_by == "user:root (root)"
    with engine_for(db).connect() as conn:
        stored = conn.execute(select(api_keys.c.secret_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert secret not in _all_text(db) and new.raw not in _all_text(db)

    found = auth.authenticate_key(new.raw)
    assert found == Principal(id=f"key:{key_id}", name="ERP system", role=Role.analyst, kind="key")
    assert auth.authenticate_key(new.raw) == found  # second time: from the verified cache
    tampered = new.raw[:-1] + ("A" if new.raw[-1] != "A" else "B")
    assert auth.authenticate_key(tampered) is None
    assert auth.authenticate_key(f"rl_ffffffffffff_{secret}") is None  # unknown id
    assert auth.authenticate_key("not a key") is None
    assert auth.authenticate_key("") is None
    # A fresh authenticator (another process) verifies from the hash alone.
    assert DbAuthenticator(db, hasher=FAST_HASHER).authenticate_key(new.raw) == found

    other = accounts.create_key("reporting", Role.viewer, ADMIN)
    assert [k.id for k in accounts.list_keys()] == [new.info.id, other.info.id]
    revoked = accounts.revoke_key(key_id, ADMIN)
    assert not revoked.active and revoked.revoked_at is not None
    assert auth.authenticate_key(new.raw) is None  # refused at once, despite the cache
    assert [k.id for k in accounts.list_keys(include_revoked=False)] == [other.info.id]
    with pytest.raises(AccountError, match="already revoked"):
        accounts.revoke_key(key_id, ADMIN)


def test_every_change_is_audited_without_secrets(db: str, accounts: Accounts) -> None:
    accounts.add_user("alice", Role.analyst, PASSWORD, ADMIN)
    accounts.set_role("alice", Role.approver, ADMIN)
    accounts.set_disabled("alice", True, ADMIN)
    accounts.set_password("alice", "another-long-pass", ADMIN)
    new = accounts.create_key("erp", Role.analyst, ADMIN, owner="alice")
    accounts.revoke_key(new.info.id, ADMIN)
    records = list(export(db))
    assert [r["event"] for r in records] == [
        "user.add",
        "user.set_role",
        "user.disable",
        "user.set_password",
        "key.create",
        "key.revoke",
    ]
    assert records[1]["payload"] == {"username": "alice", "from": "analyst", "to": "approver"}
    assert records[4]["payload"]["owner"] == "alice"
    assert all(r["actor"]["id"] == "user:root" for r in records)
    assert verify(db).ok
    dumped = str(records)
    assert PASSWORD not in dumped and new.raw.split("_", 2)[2] not in dumped


def test_failed_change_leaves_no_audit_record(db: str, accounts: Accounts) -> None:
    with pytest.raises(AccountError):
        accounts.set_role("ghost", Role.admin, ADMIN)
    assert list(export(db)) == []


def test_key_owner_counts_as_the_same_person(db: str, accounts: Accounts) -> None:
    accounts.add_user("alice", Role.approver, PASSWORD, ADMIN)
    owned = accounts.create_key("alice's script", Role.approver, ADMIN, owner="alice")
    loose = accounts.create_key("erp", Role.approver, ADMIN)
    as_key = Principal(id=f"key:{owned.info.id}", name="alice's script", role=Role.approver,
                       kind="key")  # fmt: skip
    assert person_of(db, as_key) == "user:alice"
    loose_key = Principal(id=f"key:{loose.info.id}", name="erp", role=Role.approver, kind="key")
    assert person_of(db, loose_key) == f"key:{loose.info.id}"


def test_records_open_wires_everything_on_one_database(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store = Store.open(settings)
    try:
        records = Records.open(settings, store, hasher=FAST_HASHER)
        assert current_revision(settings.store_url) == head_revision()
        records.accounts.add_user("alice", Role.admin, PASSWORD, ADMIN)
        found = records.authenticator.authenticate_password("alice", PASSWORD)
        assert found is not None and found.role is Role.admin
        assert records.alerts.list_alerts() == []
        assert verify(records.url).count == 1
    finally:
        store.close()
