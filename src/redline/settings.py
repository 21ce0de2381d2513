"""One typed settings object, built once at start-up and passed in.

Nothing in redline reads the environment at import time: the CLI (or a service,
or a test) calls :meth:`Settings.load` and hands the result to the library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, field_validator


class SourceSettings(BaseModel):
    """Per-source overrides, e.g. a mirror of the official files."""

    model_config = ConfigDict(extra="forbid")

    #: Replace the official download URLs (same order as the source's ``downloads``).
    urls: list[str] | None = None
    #: Leave this source out of ``redline update`` without arguments.
    enabled: bool = True


class ServiceSettings(BaseModel):
    """The HTTP service (``redline serve``): where it listens and what it tolerates."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    #: Requests each API key may make per minute (a token bucket); 0 turns the limit off.
    rate_limit_per_minute: int = Field(default=600, ge=0)
    #: Larger request bodies are refused with 413 before they are parsed.
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    #: How often the service checks the store for a new list version, in seconds.
    poll_seconds: float = Field(default=5.0, gt=0)
    #: Queries accepted in one ``/match`` or ``/reconcile`` call.
    max_batch: int = Field(default=100, ge=1)
    #: Web origins allowed to call the API from a browser (CORS); empty: none.
    cors_origins: list[str] = Field(default_factory=list)
    #: Key signing the review workspace's session cookies; when unset, one is
    #: generated at first start and kept in ``<home>/web-session.key``.
    session_secret: str | None = Field(default=None, min_length=32)
    #: Mark session cookies ``Secure`` even on plain-HTTP requests (behind a TLS proxy).
    secure_cookies: bool = False
    #: How long a workspace login lasts.
    session_hours: float = Field(default=12.0, gt=0)
    #: Largest shipments file the workspace accepts for a batch.
    max_upload_bytes: int = Field(default=50_000_000, ge=1)


class Settings(BaseModel):
    """Everything configurable about a redline installation."""

    model_config = ConfigDict(extra="forbid")

    #: Folder holding the store, downloads and indexes.
    home: Path = Field(default_factory=lambda: Path(user_data_dir("redline", appauthor=False)))
    #: SQLAlchemy URL of the store; default: SQLite file inside ``home``.
    database_url: str | None = None
    #: Folder of official files to load instead of downloading (``make run`` sets it).
    data_dir: Path | None = None
    #: Timeout in seconds for each download.
    download_timeout: float = 120.0
    sources: dict[str, SourceSettings] = Field(default_factory=dict)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    #: Named groups of sources the API can be asked for (``/match/{collection}``).
    collections: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("collections")
    @classmethod
    def _collections_named(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, members in value.items():
            if name == "default":
                raise ValueError("collection name 'default' is reserved (it means every list)")
            if not members:
                raise ValueError(f"collection {name!r} names no sources")
        return value

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'redline.sqlite3'}"

    @property
    def download_dir(self) -> Path:
        return self.home / "downloads"

    def source_urls(self, source: str) -> list[str] | None:
        override = self.sources.get(source)
        return override.urls if override is not None else None

    @classmethod
    def load(
        cls,
        config_file: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from an optional YAML file, then ``REDLINE_*`` variables on top.

        ``env`` defaults to the process environment; it is read here, when called,
        never when the module is imported.
        """
        environ = os.environ if env is None else env
        data: dict[str, Any] = {}
        path = config_file or (
            Path(environ["REDLINE_CONFIG"]) if "REDLINE_CONFIG" in environ else None
        )
        if path is not None:
            try:
                loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except OSError as exc:
                raise ValueError(f"cannot read config file {path}: {exc.strerror}") from exc
            except yaml.YAMLError as exc:
                raise ValueError(f"config file {path} is not valid YAML: {exc}") from exc
            if not isinstance(loaded, dict):
                raise ValueError(f"config file {path} must hold a mapping of settings")
            data.update(loaded)
        for key, field in (
            ("REDLINE_HOME", "home"),
            ("REDLINE_DATABASE_URL", "database_url"),
            ("REDLINE_DATA_DIR", "data_dir"),
        ):
            value = environ.get(key)
            if value:
                data[field] = value
        overrides = {f: environ[k] for k, f in _SERVICE_ENV if environ.get(k)}
        if overrides:
            given = data.get("service") or {}
            # A malformed ``service`` entry is left for validation to name.
            data["service"] = {**given, **overrides} if isinstance(given, dict) else given
        return cls.model_validate(data)


#: ``REDLINE_*`` variables that override ``service`` settings (deployments set these).
_SERVICE_ENV = (
    ("REDLINE_HOST", "host"),
    ("REDLINE_PORT", "port"),
    ("REDLINE_WORKERS", "workers"),
    ("REDLINE_RATE_LIMIT", "rate_limit_per_minute"),
    ("REDLINE_MAX_BODY_BYTES", "max_body_bytes"),
    ("REDLINE_POLL_SECONDS", "poll_seconds"),
    ("REDLINE_SESSION_SECRET", "session_secret"),
    ("REDLINE_SECURE_COOKIES", "secure_cookies"),
)
