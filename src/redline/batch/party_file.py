"""Reading a file of parties to screen (``redline screen-file``).

Columns: ``id,name,schema,birth_date,country,identifier``; only ``name`` is
required.  Header names are matched case-insensitively.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from redline.match import Query
from redline.match.types import SCREENABLE_SCHEMAS

COLUMNS = ("id", "name", "schema", "birth_date", "country", "identifier")


class PartyFileError(ValueError):
    """The file cannot be screened at all (missing file, no ``name`` column)."""


@dataclass(frozen=True)
class PartyRow:
    line: int
    id: str
    query: Query | None
    error: str | None


def read_parties(path: Path) -> Iterator[PartyRow]:
    """Rows of ``path`` as queries; a row that cannot be a query carries an error."""
    if not path.is_file():
        raise PartyFileError(f"{path}: no such file")
    handle = path.open(encoding="utf-8-sig", newline="")
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise PartyFileError(f"{path}: the file is empty")
        columns = {name.strip().lower(): i for i, name in enumerate(header)}
        if "name" not in columns:
            found = ", ".join(h.strip() for h in header) or "(none)"
            raise PartyFileError(f"{path}: no 'name' column; columns found: {found}")
        for number, row in enumerate(reader, start=1):

            def get(column: str, row: list[str] = row) -> str:
                i = columns.get(column)
                return row[i].strip() if i is not None and i < len(row) else ""

            row_id = get("id") or str(number)
            line = reader.line_num
            name = get("name")
            schema = get("schema") or None
            if not name:
                yield PartyRow(line, row_id, None, "empty name")
                continue
            if schema is not None and schema not in SCREENABLE_SCHEMAS:
                yield PartyRow(line, row_id, None, f"unknown schema {schema!r}")
                continue
            query = Query.of(
                [n.strip() for n in name.split("|")],
                schema=schema,
                birth_date=_split(get("birth_date")),
                country=_split(get("country")),
                identifier=_split(get("identifier")),
                id=row_id,
            )
            yield PartyRow(line, row_id, query, None)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]
