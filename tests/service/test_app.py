"""Service settings, the uvicorn factory, and start-up checks of ``create_app``."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from redline.match import Screener
from redline.service import app as app_module
from redline.service.app import create_app, service_app
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


def test_factory_needs_the_wiring_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("REDLINE_HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "redline.service.wiring", None)  # import fails
    with pytest.raises(RuntimeError, match=r"service\.wiring is missing"):
        service_app()


def test_factory_reads_settings_at_start_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``uvicorn --factory`` path: settings from the environment, contracts from wiring."""
    audit, alerts = MemoryAudit(), MemoryAlerts()
    seen: list[Settings] = []

    def build_dependencies(settings: Settings) -> tuple[object, object, object]:
        seen.append(settings)
        return FakeAuthenticator(), audit, alerts

    wiring = types.ModuleType("redline.service.wiring")
    wiring.build_dependencies = build_dependencies  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "redline.service.wiring", wiring)
    monkeypatch.setenv("REDLINE_HOME", str(tmp_path))
    monkeypatch.setenv("REDLINE_RATE_LIMIT", "7")
    built: list[ScreenerHolder] = []
    real_build_holder = app_module.build_holder

    def build_holder(settings: Settings) -> ScreenerHolder:
        built.append(real_build_holder(settings))
        return built[-1]

    monkeypatch.setattr(app_module, "build_holder", build_holder)
    app = service_app()
    assert seen[0].home == tmp_path and seen[0].service.rate_limit_per_minute == 7
    assert built[0].store.url == f"sqlite:///{tmp_path / 'redline.sqlite3'}"
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/catalog").status_code == 401
        # An empty store has no lists yet: ready once the (empty) index is built.
        for _ in range(200):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        assert client.get("/catalog", headers=AUTH).json()["datasets"] == []
