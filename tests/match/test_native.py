"""The guard against compiled matching modules older than their sources."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from redline.match import Screener
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


SCREEN_SCRIPT = """
import json, sys
from pathlib import Path
from redline.match import Query, Screener
from redline.store import Store
store = Store(sys.argv[1])
screener = Screener(store, index_dir=Path(sys.argv[2]))
out = []
for line in sys.stdin:
    name, schema = json.loads(line)
    found = screener.screen(Query.of(name, schema=schema), threshold=0.5)
    out.append([[m.entity_id, round(m.score, 9), m.matched_name] for m in found])
import redline.match.compare as compare
print(json.dumps({"compare": compare.__file__, "results": out}))
"""


@pytest.mark.slow
def test_compiled_and_source_modules_screen_alike(screener: Screener, tmp_path: Path) -> None:
    """The compiled modules are built from the sources but run under mypyc's rules:
    the same queries must get the same matches, scores and names from both."""
    import redline

    package = Path(redline.__file__).parent
    sources = tmp_path / "sources"
    shutil.copytree(
        package, sources / "redline", ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__")
    )
    index = screener.index
    names = [
        (index.names[position].listed, index.entities[index.names[position].entity].schema)
        for position in range(0, len(index.names), max(1, len(index.names) // 150))
    ]
    queries = (
        names
        + [(make_typo(name), schema) for name, schema in names]
        + [
            ("Владимир Путин", "Person"),
            ("香港華強電子有限公司", None),
            ("محمد عبد الرحمن", "Person"),
            ("HK Electronics Trading Limited", "Company"),
        ]
    )
    stdin = "\n".join(json.dumps(q, ensure_ascii=False) for q in queries)
    assert screener.index_dir is not None
    runs = {}
    for label, path in (("compiled", None), ("sources", sources)):
        env = {**os.environ, "PYTHONPATH": str(path) if path else ""}
        done = subprocess.run(
            [sys.executable, "-c", SCREEN_SCRIPT, screener.store.url, str(screener.index_dir)],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs[label] = json.loads(done.stdout)
    assert runs["sources"]["compare"].endswith("compare.py")
    assert runs["sources"]["compare"].startswith(str(sources))
    compiled = runs["compiled"]["results"]
    assert sum(map(len, compiled)) > len(names)  # the listed names find themselves
    assert compiled == runs["sources"]["results"]


def make_typo(name: str) -> str:
    """The name with its middle letters swapped."""
    middle = len(name) // 2
    return name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :]
