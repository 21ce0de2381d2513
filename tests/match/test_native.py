"""The guard against compiled matching modules older than their sources."""

from __future__ import annotations

import os
import shutil
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from redline.match.native import StaleNativeBuild, check_native_build, compiled_modules


def make(folder: Path, source_mtime: float, compiled_mtime: float) -> Path:
    source = folder / "compare.py"
    compiled = folder / f"compare{EXTENSION_SUFFIXES[0]}"
    source.write_text("x = 1\n")
    compiled.write_bytes(b"\x7fELF")
    os.utime(source, (source_mtime, source_mtime))
    os.utime(compiled, (compiled_mtime, compiled_mtime))
    return compiled


def test_a_source_edited_after_its_build_is_refused(tmp_path: Path) -> None:
    make(tmp_path, source_mtime=1_000_000, compiled_mtime=900_000)
    with pytest.raises(StaleNativeBuild, match=r"compiled from an older compare\.py.*make native"):
        check_native_build(tmp_path)


def test_a_fresh_build_and_no_build_pass(tmp_path: Path) -> None:
    compiled = make(tmp_path, source_mtime=1_000_000, compiled_mtime=1_000_100)
    assert compiled_modules(tmp_path) == {"compare": compiled}
    check_native_build(tmp_path)
    # A wheel's install writes source and compiled module moments apart, either way.
    make(tmp_path, source_mtime=1_000_001, compiled_mtime=1_000_000)
    check_native_build(tmp_path)
    compiled.unlink()
    assert compiled_modules(tmp_path) == {}
    check_native_build(tmp_path)


def test_this_checkout_is_consistent() -> None:
    # Importing redline.match ran the check; the package's own folder passes it.
    check_native_build()


def test_the_core_runs_compiled_where_a_compiler_is_at_hand() -> None:
    import redline.match.compare as compare
    import redline.match.index as index

    compiled = {
        module.__name__: module.__file__ is not None
        and module.__file__.endswith(tuple(EXTENSION_SUFFIXES))
        for module in (compare, index)
    }
    expected = shutil.which("cc") is not None or shutil.which("gcc") is not None
    assert compiled == dict.fromkeys(compiled, expected), (
        "the matching core should run compiled where a C compiler is installed: `make native`"
    )
