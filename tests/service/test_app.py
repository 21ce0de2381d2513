"""Service settings, the uvicorn factory, and start-up checks of ``create_app``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from redline.match import Screener
from redline.service import app as app_module
from redline.service.app import create_app, service_app
from redline.service.audit import export, verify
from redline.service.principal import Principal, Role
from redline.service.records import Records
from redline.service.state import ScreenerHolder
from redline.settings import Settings
from redline.store import Store
from tests.service.conftest import AUTH
from tests.service.fakes import FakeAuthenticator, MemoryAlerts, MemoryAudit


def test_service_settings_from_yaml_and_env(tmp_path: Path):
    config = tmp_path / "redline.yml"
    config.write_text(
        "service:\n  port: 9000\n  rate_limit_per_minute: 10\n"
        "collections:\n  us: [us_ofac_sdn, us_bis_dpl]\n",
        encoding="utf-8",
    )
    settings = Settings.load(config, env={"REDLINE_PORT": "9100", "REDLINE_WORKERS": "3"})
    assert settings.service.port == 9100  # the environment wins over the file
    assert settings.service.workers == 3
    assert settings.service.rate_limit_per_minute == 10
    assert settings.collections == {"us": ["us_ofac_sdn", "us_bis_dpl"]}
    defaults = Settings.load(env={"REDLINE_MAX_BODY_BYTES": "5000", "REDLINE_RATE_LIMIT": "0"})
    assert defaults.service.max_body_bytes == 5000
    assert defaults.service.rate_limit_per_minute == 0
    assert defaults.service.host == "127.0.0.1"


@pytest.mark.parametrize(
    "data",
    [
        {"service": {"port": 0}},
        {"service": {"unknown": 1}},
        {"service": "fast"},
        {"collections": {"default": ["un_sc"]}},
        {"collections": {"empty": []}},
    ],
)
def test_bad_service_settings_refused(data: dict[str, object]):
    with pytest.raises(ValidationError):
        Settings.model_validate(data)


def test_bad_env_value_names_the_field():
    with pytest.raises(ValidationError, match="port"):
        Settings.load(env={"REDLINE_PORT": "eighty"})


def _never(_store: Store) -> Screener:
    raise AssertionError("create_app must not build an index")


def _holder(tmp_path: Path) -> ScreenerHolder:
    return ScreenerHolder(Store(f"sqlite:///{tmp_path / 'empty.sqlite3'}"), _never)


def test_collection_of_unknown_sources_refused_at_start_up(tmp_path: Path):
    settings = Settings(home=tmp_path, collections={"mine": ["un_sc", "no_such_list"]})
    with pytest.raises(ValueError, match="no_such_list"):
        create_app(
            settings,
            holder=_holder(tmp_path),
            authenticator=FakeAuthenticator(),
            audit=MemoryAudit(),
            alerts=MemoryAlerts(),
        )


def test_factory_reads_settings_at_start_up_and_wires_the_records(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """``uvicorn --factory`` path: settings from the environment, users and keys, audit
    and alerts from the store's database (migrated at start-up)."""
    for name in ("REDLINE_CONFIG", "REDLINE_DATABASE_URL", "REDLINE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDLINE_HOME", str(tmp_path))
    monkeypatch.setenv("REDLINE_RATE_LIMIT", "7")
    built: list[ScreenerHolder] = []
    real_build_holder = app_module.build_holder

    def build_holder(settings: Settings) -> ScreenerHolder:
        assert settings.home == tmp_path and settings.service.rate_limit_per_minute == 7
        built.append(real_build_holder(settings))
        return built[-1]

    monkeypatch.setattr(app_module, "build_holder", build_holder)
    app = service_app()
    assert built[0].store.url == f"sqlite:///{tmp_path / 'redline.sqlite3'}"
    records: Records = app.state.records
    admin = Principal("cli:test", "test", Role.admin, "user")
    key = records.accounts.create_key("monitoring", Role.viewer, admin).raw
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/catalog").status_code == 401
        assert client.get("/catalog", headers=AUTH).status_code == 401  # a test-only key
        # An empty store has no lists yet: ready once the (empty) index is built.
        for _ in range(200):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/catalog", headers=headers).json()["datasets"] == []
    assert verify(records.url).ok


def test_redline_serve_starts_the_service(tmp_path: Path):
    """``redline serve`` in a subprocess: migrates, listens, answers health and refuses
    keyless calls; stopped with SIGTERM."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")} | {
        "REDLINE_HOME": str(tmp_path)
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "redline", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("redline serve did not answer /healthz")
        assert httpx.get(f"{base}/catalog", timeout=5).status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"serving on http://127.0.0.1:{port}" in output
    assert (tmp_path / "redline.sqlite3").exists()


def test_configuration_changes_are_audited_at_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    for name in ("REDLINE_CONFIG", "REDLINE_DATABASE_URL", "REDLINE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDLINE_HOME", str(tmp_path))
    monkeypatch.setenv("REDLINE_SESSION_SECRET", "s" * 40)
    monkeypatch.setattr(app_module, "build_holder", _empty_holder)

    def config_records() -> list[dict[str, object]]:
        url = f"sqlite:///{tmp_path / 'redline.sqlite3'}"
        return [r for r in export(url) if r["event"] == "config.changed"]

    service_app()
    service_app()  # same settings: nothing new
    assert len(config_records()) == 1
    monkeypatch.setenv("REDLINE_RATE_LIMIT", "11")
    service_app()
    records = config_records()
    assert len(records) == 2
    payload = records[-1]["payload"]
    assert isinstance(payload, dict)
    assert payload["settings"]["service"]["rate_limit_per_minute"] == 11
    assert payload["previous"] == records[0]["payload"]["digest"]  # type: ignore[index]
    assert "s" * 40 not in json.dumps(records)  # secrets never written
    assert verify(f"sqlite:///{tmp_path / 'redline.sqlite3'}").ok


def _empty_holder(settings: Settings) -> ScreenerHolder:
    store = Store.open(settings)
    return ScreenerHolder(store, lambda s: Screener(s, index_dir=settings.home / "index"))
