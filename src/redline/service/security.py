"""Users and API keys: who may use the service, with which role.

Passwords and keys are stored only as argon2id hashes.  A raw key looks like
``rl_<id>_<secret>``: the id finds the row, the hash of the whole key proves it,
so a stolen database yields no usable key.  A raw key is returned once, when it
is created, and never written anywhere else (not to the audit log, not to logs).

Every change (user added, role changed, user disabled, key created or revoked)
is written to the audit log in the same transaction as the change itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from redline.service.audit import DbAuditLog, utc_timestamp
from redline.service.db import api_keys, engine_for, users, write_transaction
from redline.service.principal import Principal, Role

#: argon2id with the library's defaults (RFC 9106 low-memory profile).
DEFAULT_HASHER = PasswordHasher()
KEY_PREFIX = "rl"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_KEY = re.compile(r"^rl_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A user or key operation that cannot be done (unknown name, duplicate, bad input)."""


@dataclass(frozen=True)
class UserInfo:
    username: str
    role: Role
    disabled: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    role: Role
    owner: str | None
    created_at: str
    created_by: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: ``raw`` is the only copy of the secret; show it once."""

    info: KeyInfo
    raw: str


class Accounts:
    """Administration of users and keys; each change is audited as ``user.*`` / ``key.*``."""

    def __init__(
        self,
        url_or_engine: str | Engine,
        audit: DbAuditLog | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.engine = engine_for(url_or_engine)
        self.audit = audit or DbAuditLog(self.engine)
        self.hasher = hasher or DEFAULT_HASHER

    # -- users --------------------------------------------------------------

    def add_user(self, username: str, role: Role, password: str, actor: Principal) -> UserInfo:
        username = _check_username(username)
        _check_password(password)
        now = utc_timestamp()
        password_hash = self.hasher.hash(password)
        exists = AccountError(f"user {username!r} already exists")
        try:
            with write_transaction(self.engine) as conn:
                if _user_row(conn, username) is not None:
                    raise exists
                conn.execute(
                    insert(users).values(
                        username=username,
                        role=role.name,
                        password_hash=password_hash,
                        disabled=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
                payload = {"username": username, "role": role.name}
                self.audit.append(conn, "user.add", actor, payload)
        except IntegrityError:  # added by someone else between our check and our insert
            raise exists from None
        return self.get_user(username)

    def get_user(self, username: str) -> UserInfo:
        with self.engine.connect() as conn:
            row = _user_row(conn, username)
        if row is None:
            raise AccountError(f"no user {username!r}")
        return _user_info(row)

    def list_users(self) -> list[UserInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [_user_info(row._mapping) for row in rows]

    def set_role(self, username: str, role: Role, actor: Principal) -> UserInfo:
        with write_transaction(self.engine) as conn:
            before = _require_user(conn, username)
            conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(role=role.name, updated_at=utc_timestamp())
            )
            self.audit.append(
                conn,
                "user.set_role",
                actor,
                {"username": username, "from": before["role"], "to": role.name},
            )
        return self.get_user(username)

    def set_disabled(self, username: str, disabled: bool, actor: Principal) -> UserInfo:
        """Disable (or re-enable) a user: a disabled user cannot log in."""
        with write_transaction(self.engine) as conn:
            _require_user(conn, username)
            conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(disabled=disabled, updated_at=utc_timestamp())
            )
            event = "user.disable" if disabled else "user.enable"
            self.audit.append(conn, event, actor, {"username": username})
        return self.get_user(username)

    def set_password(self, username: str, password: str, actor: Principal) -> None:
        _check_password(password)
        with write_transaction(self.engine) as conn:
            _require_user(conn, username)
            conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=self.hasher.hash(password), updated_at=utc_timestamp())
            )
            self.audit.append(conn, "user.set_password", actor, {"username": username})

    # -- keys ---------------------------------------------------------------

    def create_key(
        self, name: str, role: Role, actor: Principal, owner: str | None = None
    ) -> NewKey:
        name = name.strip()
        if not name:
            raise AccountError("a key needs a name (what or who uses it)")
        key_id = secrets.token_hex(6)
        raw = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        with write_transaction(self.engine) as conn:
            if owner is not None:
                _require_user(conn, owner)
            conn.execute(
                insert(api_keys).values(
                    id=key_id,
                    name=name,
                    role=role.name,
                    owner=owner,
                    secret_hash=self.hasher.hash(raw),
                    created_at=utc_timestamp(),
                    created_by=_who(actor),
                    revoked_at=None,
                    revoked_by=None,
                )
            )
            self.audit.append(
                conn,
                "key.create",
                actor,
                {"key_id": key_id, "name": name, "role": role.name, "owner": owner},
            )
        return NewKey(self.get_key(key_id), raw)

    def get_key(self, key_id: str) -> KeyInfo:
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise AccountError(f"no API key {key_id!r}")
        return _key_info(row._mapping)

    def list_keys(self, include_revoked: bool = True) -> list[KeyInfo]:
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            return [_key_info(row._mapping) for row in conn.execute(query)]

    def revoke_key(self, key_id: str, actor: Principal) -> KeyInfo:
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
            if row is None:
                raise AccountError(f"no API key {key_id!r}")
            if row.revoked_at is not None:
                raise AccountError(f"API key {key_id!r} was already revoked at {row.revoked_at}")
            conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id)
                .values(revoked_at=utc_timestamp(), revoked_by=_who(actor))
            )
            self.audit.append(conn, "key.revoke", actor, {"key_id": key_id, "name": row.name})
        return self.get_key(key_id)


class DbAuthenticator:
    """:class:`~redline.service.principal.Authenticator` over the users and keys tables.

    It does not audit: the HTTP layer records ``login`` with what it knows (address,
    outcome).  Verified keys are remembered in memory by a sha256 of the raw key, so
    a busy API client costs one argon2 verification per process, not one per
    request; revocation still takes effect at once because the row is read each time.
    """

    def __init__(self, url_or_engine: str | Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine_for(url_or_engine)
        self.hasher = hasher or DEFAULT_HASHER
        self._verified: dict[str, str] = {}
        # Hash of a throwaway password: unknown users cost the same time as known ones.
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    def authenticate_key(self, raw_key: str) -> Principal | None:
        found = _KEY.match(raw_key.strip()) if raw_key else None
        if found is None:
            return None
        key_id = found.group(1)
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None or row.revoked_at is not None:
            return None
        fingerprint = hashlib.sha256(raw_key.strip().encode()).hexdigest()
        if self._verified.get(key_id) != fingerprint:
            if not self._check(row.secret_hash, raw_key.strip()):
                return None
            self._verified[key_id] = fingerprint
        return Principal(id=f"key:{key_id}", name=row.name, role=Role[row.role], kind="key")

    def authenticate_password(self, username: str, password: str) -> Principal | None:
        with self.engine.connect() as conn:
            row = _user_row(conn, username.strip().lower()) if username else None
        if row is None:
            self._check(self._dummy, password)
            return None
        if not self._check(row["password_hash"], password) or row["disabled"]:
            return None
        return Principal(
            id=f"user:{row['username']}", name=row["username"], role=Role[row["role"]], kind="user"
        )

    def _check(self, stored: str, presented: str) -> bool:
        try:
            return self.hasher.verify(stored, presented)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def person_of(url_or_engine: str | Engine, principal: Principal) -> str:
    """The human behind a principal, for four-eyes checks: a key counts as its owner."""
    if principal.kind == "key" and principal.id.startswith("key:"):
        engine = engine_for(url_or_engine)
        with engine.connect() as conn:
            owner = conn.execute(
                select(api_keys.c.owner).where(api_keys.c.id == principal.id.removeprefix("key:"))
            ).scalar()
        if owner:
            return f"user:{owner}"
    return principal.id


def parse_role(value: str) -> Role:
    """:meth:`Role.parse`, raising :class:`AccountError` (a ValueError) with the choices."""
    try:
        return Role.parse(value)
    except ValueError as exc:
        raise AccountError(str(exc)) from None


def _who(actor: Principal) -> str:
    return f"{actor.id} ({actor.name})"


def _check_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            f"invalid username {username!r}: 1-64 characters, letters, digits, '.', '_', '@', '-'"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")


def _user_row(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return dict(row._mapping) if row is not None else None


def _require_user(conn: Connection, username: str) -> dict[str, Any]:
    row = _user_row(conn, username)
    if row is None:
        raise AccountError(f"no user {username!r}")
    return row


def _user_info(m: Mapping[Any, Any]) -> UserInfo:
    return UserInfo(
        username=m["username"],
        role=Role[m["role"]],
        disabled=bool(m["disabled"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _key_info(d: Mapping[Any, Any]) -> KeyInfo:
    return KeyInfo(
        id=d["id"],
        name=d["name"],
        role=Role[d["role"]],
        owner=d["owner"],
        created_at=d["created_at"],
        created_by=d["created_by"],
        revoked_at=d["revoked_at"],
    )
