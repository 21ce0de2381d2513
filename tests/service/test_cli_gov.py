"""``redline users``, ``redline keys``, ``redline db`` against a real database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from redline.cli import app, state
from redline.service.audit import export, verify
from redline.service.db import api_keys, engine_for, users
from redline.service.security import DbAuthenticator
from tests.service.conftest import FAST_HASHER

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    state.settings = None  # settings are re-read from the (monkeypatched) environment
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REDLINE_DATABASE_URL", database_url)
    monkeypatch.delenv("REDLINE_CONFIG", raising=False)
    return database_url


def test_users_and_keys_from_the_command_line(cli_db: str) -> None:
    code, out, err = run("users", "add", "Alice", "--role", "analyst", "--password-stdin",
                         stdin="correct horse battery\n")  # fmt: skip
    assert code == 0, err
    assert "added user alice (analyst)" in out
    code, _, err = run("users", "add", "alice", "--role", "analyst", "--password-stdin",
                       stdin="correct horse battery\n")  # fmt: skip
    assert code == 1 and "already exists" in err
    code, _, err = run("users", "add", "bob", "--role", "boss", "--password-stdin", stdin="x\n")
    assert code == 2 and "unknown role 'boss'" in err and "viewer, analyst, approver, admin" in err

    auth = DbAuthenticator(cli_db, hasher=FAST_HASHER)  # verification reads the hash's params
    alice = auth.authenticate_password("alice", "correct horse battery")
    assert alice is not None and alice.role.name == "analyst"

    code, out, err = run("users", "set-role", "alice", "approver")
    assert code == 0, err
    code, out, _ = run("users", "list", "--json")
    assert json.loads(out)[0] | {"created_at": None} == {
        "username": "alice", "role": "approver", "disabled": False, "created_at": None,
    }  # fmt: skip
    code, out, err = run("users", "disable", "alice")
    assert code == 0, err
    assert auth.authenticate_password("alice", "correct horse battery") is None
    code, _, err = run("users", "disable", "nobody")
    assert code == 1 and "no user 'nobody'" in err

    code, out, err = run("keys", "create", "--name", "erp", "--role", "analyst")
    assert code == 0, err
    raw = out.strip()
    assert raw.startswith("rl_") and "cannot be shown again" in err
    key_id = raw.split("_")[1]
    principal = auth.authenticate_key(raw)
    assert principal is not None and principal.name == "erp" and principal.kind == "key"

    code, out, _ = run("keys", "list", "--json")
    listed = json.loads(out)
    assert [k["id"] for k in listed] == [key_id] and listed[0]["revoked_at"] is None
    assert raw not in out
    code, out, _ = run("keys", "list")
    assert key_id in out and raw not in out

    code, out, err = run("keys", "revoke", key_id)
    assert code == 0, err
    assert auth.authenticate_key(raw) is None
    code, _, err = run("keys", "revoke", key_id)
    assert code == 1 and "already revoked" in err

    with engine_for(cli_db).connect() as conn:
        secrets_stored = " ".join(
            [*conn.execute(select(users.c.password_hash)).scalars(),
             *conn.execute(select(api_keys.c.secret_hash)).scalars()]
        )  # fmt: skip
    assert "correct horse" not in secrets_stored and raw.split("_", 2)[2] not in secrets_stored

    events = [r["event"] for r in export(cli_db)]
    assert events == ["user.add", "user.set_role", "user.disable", "key.create", "key.revoke"]
    assert all(r["actor"]["id"].startswith("cli:") for r in export(cli_db))
    assert verify(cli_db).ok
    code, out, _ = run("db", "migrate")
    assert code == 0 and "revision" in out
