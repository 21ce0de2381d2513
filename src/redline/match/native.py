"""Whether the compiled matching modules, where there are any, fit their sources.

``setup.py`` compiles the modules of the screening's inner loops with mypyc when a C
compiler is at hand (``make`` does so in the checkout; a wheel carries them built).
Python then imports ``compare.*.so`` instead of ``compare.py``: after an edit of the
source, the old compiled code would silently run.  This refuses that, naming the fix.
"""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

#: Modules compiled by ``setup.py`` (the rest of the package stays interpreted:
#: ``types`` and ``features`` hold frozen dataclasses that cross process boundaries,
#: which compiled classes cannot be unpickled as).
NATIVE_MODULES = ("addresses", "chinese", "compare", "index", "names", "screener", "text")

#: Seconds a source may be newer than its compiled module: installing a wheel writes
#: both within moments, in no set order.
_TOLERANCE_S = 5.0


class StaleNativeBuild(ImportError):
    """A compiled module is older than the source beside it."""


def compiled_modules(folder: Path | None = None) -> dict[str, Path]:
    """The compiled modules of ``folder`` (this package by default), by module name."""
    folder = folder or Path(__file__).parent
    return {
        path.name.split(".", 1)[0]: path
        for path in folder.iterdir()
        if path.name.endswith(tuple(EXTENSION_SUFFIXES))
    }


def check_native_build(folder: Path | None = None) -> None:
    """Raise :class:`StaleNativeBuild` if a compiled module is older than its source."""
    folder = folder or Path(__file__).parent
    for module, compiled in sorted(compiled_modules(folder).items()):
        source = folder / f"{module}.py"
        if source.is_file() and source.stat().st_mtime > compiled.stat().st_mtime + _TOLERANCE_S:
            raise StaleNativeBuild(
                f"{compiled} was compiled from an older {source.name}: rebuild it "
                "(`make native`, or `python setup.py build_ext --inplace`) or delete "
                "the compiled files to run the sources"
            )
