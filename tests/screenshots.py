"""Where the browser tests put their screenshots.

Into ``docs/screenshots`` (the README's and docs' pictures) only when asked,
``make screenshots`` (``REDLINE_SCREENSHOTS=1``): an ordinary test run leaves the
work tree as it found it.  Otherwise into the test's temporary folder, where the
screenshot is still taken and checked.
"""

from __future__ import annotations

import os
from pathlib import Path

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def screenshot_dir(scratch: Path) -> Path:
    target = DOCS_SCREENSHOTS if os.environ.get("REDLINE_SCREENSHOTS") else scratch
    target.mkdir(parents=True, exist_ok=True)
    return target
