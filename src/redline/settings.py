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
from pydantic import BaseModel, ConfigDict, Field


class SourceSettings(BaseModel):
    """Per-source overrides, e.g. a mirror of the official files."""

    model_config = ConfigDict(extra="forbid")

    #: Replace the official download URLs (same order as the source's ``downloads``).
    urls: list[str] | None = None
    #: Leave this source out of ``redline update`` without arguments.
    enabled: bool = True


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
        return cls.model_validate(data)
