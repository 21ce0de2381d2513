"""Build of redline: the matching core compiled with mypyc where it can be.

Screening a name is a few thousand small Python operations (token alignment,
retrieval bookkeeping); compiled by mypyc from the same typed sources they take about
about 30 % less CPU (BENCHMARKS.md).  Everything else, and every machine without a C
compiler, runs the plain sources: the compiled modules are an optional speed-up, never
a requirement.  ``REDLINE_PURE=1`` skips them (``make`` installs the checkout so, then
builds them in place with ``make native``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "src" / "redline" / "match"))
from native import NATIVE_MODULES  # noqa: E402  (the one list, read without importing redline)

sys.path.pop(0)


class OptionalBuildExt(build_ext):
    """Builds the compiled modules, or warns and leaves the sources to run."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers: the sources still work
            self.warn(f"redline: compiled matching modules not built ({exc}); running the sources")

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self.warn(f"redline: {ext.name} not compiled ({exc})")


def native_extensions() -> list[Any]:
    if os.environ.get("REDLINE_PURE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    paths = [f"src/redline/match/{module}.py" for module in NATIVE_MODULES]
    try:
        # --ignore-missing-imports: in an isolated build the dependencies are absent;
        # their values are then handled as Any, which compiles to the same behaviour.
        return list(
            mypycify(
                ["--ignore-missing-imports", "--config-file", "", *paths],
                opt_level="3",
                group_name="redline_native",
            )
        )
    except (Exception, SystemExit) as exc:
        print(f"redline: mypyc failed ({exc}); running the sources", file=sys.stderr)
        return []


setup(ext_modules=native_extensions(), cmdclass={"build_ext": OptionalBuildExt})
