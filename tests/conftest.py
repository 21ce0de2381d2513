"""Shared test fixtures: where the real official files live, and a throwaway store."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Real official list snapshots, beside the project root (never copied into the repo).
SHARED_DATA = (PROJECT_ROOT / ".." / "shared" / "data").resolve()
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
