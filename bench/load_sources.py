"""Benchmark: load every official list in ../shared/data into a fresh store.

Prints wall time per source edition, total time, and the peak resident memory of
this process.  Run: ``.venv/bin/python bench/load_sources.py [--data DIR]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from redline.sources import all_sources
from redline.store import Store
from redline.store.update import update_from_dir

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        store = Store(f"sqlite:///{Path(home) / 'redline.sqlite3'}")
        starts: dict[str, float] = {}

        def on_start(name: str, origin: str) -> None:
            starts[f"{name} {origin}"] = time.perf_counter()

        began = time.perf_counter()
        outcomes = update_from_dir(store, args.data.resolve(), all_sources(), on_start=on_start)
        total = time.perf_counter() - began
        keys = list(starts)
        ends = [*list(starts.values())[1:], began + total]
        print(f"{'source edition':<60} {'entries':>8} {'entities':>9} {'seconds':>8}")
        for key, outcome, end in zip(keys, outcomes, ends, strict=False):
            version = outcome.result.version if outcome.result else None
            entries = version.target_count if version else 0
            entities = version.entity_count if version else 0
            label = key.replace(str(args.data.resolve()), "data")
            print(f"{label:<60} {entries:>8} {entities:>9} {end - starts[key]:>8.2f}")
        failed = [o for o in outcomes if not o.ok]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mb = (Path(home) / "redline.sqlite3").stat().st_size / 1e6
        print(f"\ntotal: {len(outcomes)} editions, {total:.1f} s, peak RSS {peak_mb:.0f} MB, ")
        print(f"store size {size_mb:.0f} MB, failures: {len(failed)}")
        for outcome in failed:
            print(f"  FAILED {outcome.source}: {outcome.error}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
