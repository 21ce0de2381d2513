"""A tiny source used to test the store without depending on a real parser."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from followthemoney import EntityProxy

from redline.sources.base import Source, SourceError, SourceFiles
from redline.sources.util import make_sanction, make_target


class ToySource(Source):
    """``toy.csv`` with header ``id,schema,name,country``."""

    name = "toy"
    title = "Toy list"
    publisher = "Tests"

    def detect(self, directory: Path) -> SourceFiles | None:
        path = directory / "toy.csv"
        if not path.is_file():
            return None
        return SourceFiles(self.name, (path,), {"toy": path})

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        path = files.roles["toy"]
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header != ["id", "schema", "name", "country"]:
                raise SourceError(path, "not a toy list", line=1)
            for row in reader:
                if len(row) != 4:
                    raise SourceError(
                        path, f"expected 4 fields, got {len(row)}", line=reader.line_num
                    )
                target = make_target(row[1], self.name, row[0])
                target.add("name", row[2])
                target.add("country", row[3])
                yield target
                yield make_sanction(target, self.name, row[0], authority="Toy")


def write_toy(folder: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "toy.csv"
    lines = ["id,schema,name,country", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
