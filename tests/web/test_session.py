"""The signed session cookie and the session secret, without an app."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from redline.service.web.core import LoginThrottle, safe_next
from redline.service.web.session import Session, SessionCodec, session_secret
from redline.settings import ServiceSettings, Settings

SECRET = b"k" * 32


def test_round_trip_and_tampering() -> None:
    codec = SessionCodec(SECRET, 60)
    session = Session.for_user("ana", "analyst", 60)
    raw = codec.encode(session)
    assert codec.decode(raw) == session
    body, signature = raw.split(".")
    assert codec.decode(body + "." + signature[::-1]) is None
    assert codec.decode(raw + "x") is None
    assert codec.decode("") is None and codec.decode(None) is None and codec.decode("a.b.c") is None
    # Signed with another key: refused.
    assert SessionCodec(b"x" * 32, 60).decode(raw) is None


def test_expired_sessions_are_refused() -> None:
    codec = SessionCodec(SECRET, 60)
    old = Session(csrf="t", expires=time.time() - 1, user="ana", role="analyst")
    assert codec.decode(codec.encode(old)) is None


def test_login_gives_a_new_csrf_token() -> None:
    before = Session.anonymous(60)
    after = Session.for_user("ana", "analyst", 60)
    assert before.csrf != after.csrf
    assert after.csrf_ok(after.csrf)
    assert not after.csrf_ok(before.csrf) and not after.csrf_ok("") and not after.csrf_ok(None)


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError):
        SessionCodec(b"short", 60)


def test_secret_generated_once_then_read(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first = session_secret(settings)
    assert session_secret(settings) == first
    assert (tmp_path / "web-session.key").stat().st_mode & 0o777 == 0o600
    configured = Settings(home=tmp_path, service=ServiceSettings(session_secret="s" * 40))
    assert session_secret(configured) == b"s" * 40


def test_secure_cookie_settings_from_environment(tmp_path: Path) -> None:
    env = {
        "REDLINE_HOME": str(tmp_path),
        "REDLINE_SECURE_COOKIES": "true",
        "REDLINE_SESSION_SECRET": "z" * 32,
    }
    loaded = Settings.load(env=env)
    assert loaded.service.secure_cookies is True
    assert loaded.service.session_secret == "z" * 32


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/web/alerts?status=open", "/web/alerts?status=open"),
        ("//evil.example", "/web/"),
        ("/web/../api", "/web/"),
        ("http://evil.example/web/", "/web/"),
        (None, "/web/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_login_throttle_counts_failures_in_a_window() -> None:
    now = [0.0]
    throttle = LoginThrottle(3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert not throttle.blocked("addr:a", "user:ana")
        throttle.failed("addr:a", "user:ana")
    assert throttle.blocked("addr:a")
    assert throttle.blocked("addr:b", "user:ana")  # the name is held from any address
    assert not throttle.blocked("addr:b", "user:bob")
    now[0] = 61.0
    assert not throttle.blocked("addr:a", "user:ana")
