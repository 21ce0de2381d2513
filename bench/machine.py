"""What every benchmark records of the machine and the code it measured.

One function for all of ``bench/``: the figures of different benchmarks are read
side by side in BENCHMARKS.md, so they must describe their runs the same way.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def calibration() -> float:
    """Seconds a fixed pure-Python loop takes here now: on a shared machine, compare it
    across runs to see how much of a difference is the machine's, not redline's."""
    started = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return round(time.perf_counter() - started, 3)


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def environment(data_dir: Path) -> dict[str, Any]:
    """Date, commit (and whether ``src/`` had uncommitted changes), the redline package
    measured, Python, machine, load and a calibration loop at the start."""
    import redline
    from redline.match.native import compiled_modules

    # Where the measured code came from: this checkout's src/, or (PYTHONPATH) a snapshot.
    package = Path(redline.__file__).resolve().parent
    in_checkout = package.is_relative_to(PROJECT_ROOT / "src")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "redline_package": str(package),
        "worktree_changes": bool(_git("status", "--porcelain", "--", "src"))
        if in_checkout
        else None,
        # The matching modules compiled by mypyc (``make native``); empty: the sources ran.
        "compiled_modules": sorted(compiled_modules(package / "match")),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "calibration_loop_s_at_start": calibration(),
        "data_dir": str(data_dir.resolve()),
    }
