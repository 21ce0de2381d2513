"""Writing screened rows (CSV, JSON lines, XLSX) and the error file.

Every output row carries all its input columns, in input order, followed by

* ``risk`` — ``block``, ``review`` or ``clear``;
* ``rules`` — the ids of the rules that fired, ``;``-separated, each once;
* ``hits`` — JSON: one object per party hit and per goods hit
  (:meth:`Verdict.hits_payload`);
* ``problems`` — what was wrong with the row's values, ``; ``-separated.

In JSON lines ``rules``, ``hits`` and ``problems`` are real lists rather than
strings.  If the input already has a column of one of these names (a file that
was screened before), the input column is kept as is and the new one is named
``redline_risk`` etc.

Files are written to a temporary file beside the target and renamed into place
only when complete: a failed run leaves no half-written output.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

from redline.batch.reader import RowError
from redline.goods.shipment import Verdict

RESULT_COLUMNS = ("risk", "rules", "hits", "problems")
FORMATS = ("csv", "jsonl", "xlsx")
#: Excel's limit on the characters of one cell.
XLSX_CELL_LIMIT = 32767
_TRUNCATED = " …[truncated]"


class OutputError(ValueError):
    """The output cannot be written (unknown format, folder missing)."""


def output_format(path: Path, fmt: str | None = None) -> str:
    """``csv``, ``jsonl`` or ``xlsx`` from ``fmt`` or the file suffix."""
    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "json": "jsonl"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise OutputError(f"unknown output format {fmt!r}; formats: {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower()
    found = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}.get(suffix)
    if found is None:
        raise OutputError(
            f"{path}: cannot tell the output format from {suffix or 'no suffix'!r};"
            " use .csv, .jsonl or .xlsx"
        )
    return found


def result_columns(columns: Sequence[str]) -> dict[str, str]:
    """Header for each result field: ``risk`` unless the input has one already."""
    taken = set(columns)
    names: dict[str, str] = {}
    for name in RESULT_COLUMNS:
        header = name
        if header in taken:
            header = f"redline_{name}"
            n = 2
            while header in taken:
                header = f"redline_{name}_{n}"
                n += 1
        taken.add(header)
        names[name] = header
    return names


def rule_ids(verdict: Verdict) -> list[str]:
    """The ids of the rules that fired, each once, in firing order."""
    return list(dict.fromkeys(r.rule_id for r in verdict.rules))


def hits_json(verdict: Verdict) -> str:
    return orjson.dumps(
        verdict.hits_payload(), default=str, option=orjson.OPT_NON_STR_KEYS
    ).decode()


def verdict_record(verdict: Verdict, columns: Sequence[str]) -> dict[str, str]:
    """The flat text row written to CSV and XLSX."""
    names = result_columns(columns)
    values = verdict.shipment.columns
    record = {c: values.get(c, "") for c in columns}
    record[names["risk"]] = verdict.risk
    record[names["rules"]] = ";".join(rule_ids(verdict))
    record[names["hits"]] = hits_json(verdict)
    record[names["problems"]] = "; ".join(verdict.shipment.problems)
    return record


class AtomicFile:
    """A temporary file beside ``target``: :meth:`commit` renames it onto the target,
    :meth:`discard` removes it."""

    def __init__(self, target: Path) -> None:
        folder = target.parent
        if not folder.is_dir():
            raise OutputError(f"{target}: folder {folder} does not exist")
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
        os.close(fd)
        self.target = target
        self.temp = Path(name)

    def commit(self) -> None:
        # mkstemp makes the file private (0600); results are ordinary files (umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temp, 0o666 & ~umask)
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it if the block succeeds."""
    atomic = AtomicFile(target)
    try:
        yield atomic.temp
    except BaseException:
        atomic.discard()
        raise
    atomic.commit()


class VerdictWriter:
    """Writes verdicts one at a time; the file appears only on a clean :meth:`close`.

    ::

        with VerdictWriter(path, reader.columns) as out:
            for verdict in verdicts:
                out.write(verdict)
    """

    def __init__(self, path: Path, columns: Sequence[str], fmt: str | None = None) -> None:
        self.path = path
        self.format = output_format(path, fmt)
        self.columns = list(columns)
        self.names = result_columns(self.columns)
        self.header = [*self.columns, *self.names.values()]
        self.count = 0
        self._atomic = AtomicFile(path)
        self._temp = self._atomic.temp
        self._handle: IO[Any] | None = None
        self._csv: Any = None
        self._book: Any = None
        self._sheet: Any = None
        try:
            self._start()
        except BaseException:
            self._abort()
            raise

    def _start(self) -> None:
        if self.format == "csv":
            self._handle = self._temp.open("w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._handle)
            self._csv.writerow(self.header)
        elif self.format == "jsonl":
            self._handle = self._temp.open("wb")
        else:
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet("screened")
            self._sheet.freeze_panes = "A2"
            self._sheet.append([_xlsx_cell(self._sheet, h, bold=True) for h in self.header])

    def write(self, verdict: Verdict) -> None:
        self.count += 1
        if self.format == "jsonl":
            assert self._handle is not None
            values = verdict.shipment.columns
            obj: dict[str, Any] = {c: values.get(c, "") for c in self.columns}
            obj[self.names["risk"]] = verdict.risk
            obj[self.names["rules"]] = rule_ids(verdict)
            obj[self.names["hits"]] = verdict.hits_payload()
            obj[self.names["problems"]] = list(verdict.shipment.problems)
            self._handle.write(
                orjson.dumps(obj, default=str, option=orjson.OPT_NON_STR_KEYS) + b"\n"
            )
            return
        record = verdict_record(verdict, self.columns)
        if self.format == "csv":
            self._csv.writerow([record[h] for h in self.header])
        else:
            self._sheet.append([_xlsx_cell(self._sheet, record[h]) for h in self.header])

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._book is not None:
            if self.header:
                from openpyxl.utils import get_column_letter

                self._sheet.auto_filter.ref = (
                    f"A1:{get_column_letter(len(self.header))}{self.count + 1}"
                )
            self._book.save(self._temp)
            self._book = None
        self._atomic.commit()

    def _abort(self) -> None:
        """Drop the unfinished file."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._sheet is not None and self._book is not None:
            # Finish openpyxl's own temporary sheet file, then remove it.
            with suppress(Exception):
                self._sheet.close()
            writer = getattr(self._sheet, "_writer", None)
            if writer is not None:
                with suppress(Exception):
                    writer.cleanup()
        self._book = None
        self._atomic.discard()

    def __enter__(self) -> VerdictWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
        else:
            self._abort()


def write_verdicts(
    path: Path, verdicts: Iterable[Verdict], columns: Sequence[str], fmt: str | None = None
) -> int:
    """Write all ``verdicts``; returns how many rows were written."""
    with VerdictWriter(path, columns, fmt) as out:
        for verdict in verdicts:
            out.write(verdict)
    return out.count


ERROR_COLUMNS = ("line", "row_id", "reason")


def write_errors(path: Path, errors: Iterable[RowError], columns: Sequence[str]) -> int:
    """The error file: ``line, row_id, reason``, every input column, then ``raw_line``.

    ``raw_line`` holds the original text of a broken CSV record.  Input columns
    that clash with the first three names are written as ``input_<name>``.
    """
    rows = list(errors)
    taken = set(ERROR_COLUMNS)
    headers = []
    for column in columns:
        header = column
        while header in taken:
            header = f"input_{header}"
        taken.add(header)
        headers.append(header)
    raw_header = "raw_line"
    while raw_header in taken:
        raw_header = f"redline_{raw_header}"
    with atomic_path(path) as temp, temp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*ERROR_COLUMNS, *headers, raw_header])
        for error in rows:
            writer.writerow(
                [
                    error.line,
                    error.row_id,
                    error.reason,
                    *(error.columns.get(c, "") for c in columns),
                    error.raw or "",
                ]
            )
    return len(rows)


def _xlsx_cell(sheet: Any, value: str, *, bold: bool = False) -> Any:
    """A text cell (never a formula, even for ``=...``), cleaned for Excel."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell
