"""Reading shipment files (CSV, XLSX, Parquet) into :class:`Shipment` rows.

Two layers:

* :func:`open_table` / :func:`read_table` read any of the three formats into
  a header and rows of text (:class:`RawRow`), knowing nothing of shipments.
* :class:`ShipmentReader` / :func:`read_shipments` apply a :class:`Mapping`,
  normalise countries and HS codes, and sort every data row into exactly one
  of two streams:

  - **output** (a :class:`Shipment`): every row that names at least one party.
    Bad *values* never remove a row: an unknown country, a malformed HS code,
    an empty HS code or destination, a party with a country but no name, a
    duplicate row id are kept on ``Shipment.problems`` and the row is screened
    with what could be read.
  - **error file** (a :class:`RowError`): rows that cannot be screened at all —
    no party name in any mapped role, or a structurally broken line (a CSV line
    with fewer fields than the header, extra non-empty fields, or bad quoting;
    an XLSX row with values right of the last header column).

  Rows whose cells are all blank are neither: they are skipped and counted as
  ``blank``.  So ``rows_in == rows_out + errors`` always holds
  (:class:`ReadCounts`).

Whole-file problems (missing, empty or corrupt file, no header, several sheets
with data and none chosen, duplicate column names) raise :class:`InputError`;
a mapping that does not fit raises :class:`~redline.batch.mapping.MappingError`.
Both are raised before the first row is returned.

``line`` is the physical line where a CSV record starts (the header is line 1),
the sheet row number in XLSX, and the 1-based row number in Parquet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from redline.batch.mapping import Mapping, MappingError
from redline.goods.countries import CountryError, normalise_country
from redline.goods.hs import HSCodeError, normalise_hs
from redline.goods.shipment import Goods, Party, Route, Shipment

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DELIMITERS = (",", ";", "\t")


class InputError(ValueError):
    """The file cannot be read at all; the run must stop."""


class RawRow(NamedTuple):
    """One data row as text, keyed by header; ``error`` if it is structurally broken."""

    line: int
    values: dict[str, str]
    error: str | None = None
    #: The row's original text (CSV only), kept for the error file.
    raw: str | None = None


@dataclass(frozen=True)
class RowError:
    """A row that cannot be screened, for the error file."""

    line: int
    row_id: str
    reason: str
    columns: dict[str, str]
    raw: str | None = None


@dataclass
class ReadCounts:
    rows_in: int = 0
    rows_out: int = 0
    errors: int = 0
    blank: int = 0

    @property
    def reconciled(self) -> bool:
        return self.rows_in == self.rows_out + self.errors

    def summary(self) -> str:
        text = (
            f"rows in: {self.rows_in} = rows out: {self.rows_out}"
            f" + rows in error file: {self.errors}"
        )
        if self.blank:
            text += f" (blank rows skipped: {self.blank})"
        return text


# ---------------------------------------------------------------------------
# Tables


def detect_format(path: Path) -> str:
    """``csv``, ``xlsx`` or ``parquet``, by suffix, else by the first bytes."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix == ".xls":
        raise InputError(f"{path}: old .xls workbooks are not supported; save it as .xlsx")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == b"PAR1":
        return "parquet"
    if head == b"PK\x03\x04":
        return "xlsx"
    return "csv"


class Table:
    """An open input file: ``columns`` and an iterator of :class:`RawRow`.

    Use as a context manager, or iterate to the end (which closes it).
    """

    def __init__(
        self, path: Path, *, sheet: str | None = None, encoding: str = "utf-8-sig"
    ) -> None:
        self.path = path
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if not path.is_file():
            raise InputError(f"{path}: not a file")
        self.format = detect_format(path)
        self.sheet: str | None = None
        self._closers: list[Callable[[], None]] = []
        self.columns: list[str]
        self._rows: Iterator[RawRow]
        if self.format == "csv":
            self.columns, self._rows = self._open_csv(encoding)
        elif self.format == "xlsx":
            self.columns, self._rows = self._open_xlsx(sheet)
        else:
            self.columns, self._rows = self._open_parquet()

    # -- protocol -------------------------------------------------------------

    def __iter__(self) -> Iterator[RawRow]:
        try:
            yield from self._rows
        finally:
            self.close()

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- header ---------------------------------------------------------------

    def _header(self, cells: Sequence[str]) -> list[str]:
        names = [c.strip() or f"column_{i}" for i, c in enumerate(cells, start=1)]
        seen: dict[str, int] = {}
        for name in names:
            seen[name] = seen.get(name, 0) + 1
        duplicates = [n for n, count in seen.items() if count > 1]
        if duplicates:
            raise InputError(
                f"{self.path}: duplicate column name(s) {', '.join(repr(d) for d in duplicates)};"
                f" columns found: {', '.join(repr(n) for n in names)}"
            )
        return names

    # -- CSV ------------------------------------------------------------------

    def _open_csv(self, encoding: str) -> tuple[list[str], Iterator[RawRow]]:
        path = self.path
        try:
            with path.open(encoding=encoding, newline="") as probe:
                sample = probe.read(65536)
        except UnicodeDecodeError as exc:
            raise _decode_error(path, encoding, exc) from exc
        except LookupError as exc:
            raise InputError(f"{path}: unknown encoding {encoding!r}") from exc
        first = next((line for line in sample.splitlines() if line.strip()), None)
        if first is None:
            raise InputError(f"{path}: the file is empty: no header row")
        delimiter = _sniff_delimiter(first, path)
        handle = path.open(encoding=encoding, newline="")
        self._closers.append(handle.close)
        lines = _LineTracker(handle)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            header: list[str] = []
            while not any(cell.strip() for cell in header):
                lines.start_record()
                header = next(reader)
        except UnicodeDecodeError as exc:
            self.close()
            raise _decode_error(path, encoding, exc) from exc
        except csv.Error as exc:
            self.close()
            raise InputError(f"{path}: line {lines.start}: cannot read the header: {exc}") from exc
        columns = self._header(header)
        return columns, self._csv_rows(reader, lines, columns, encoding)

    def _csv_rows(
        self,
        reader: Iterator[list[str]],
        lines: _LineTracker,
        columns: list[str],
        encoding: str,
    ) -> Iterator[RawRow]:
        width = len(columns)
        while True:
            lines.start_record()
            start = lines.start
            try:
                fields = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise _decode_error(self.path, encoding, exc) from exc
            except csv.Error as exc:
                raw = lines.text()
                span = _span(start, lines.count)
                # Best effort, for the row id and the error file's columns.
                loose = next(csv.reader([raw], delimiter=reader_delimiter(reader)), [])
                values = dict(zip(columns, loose, strict=False))
                yield RawRow(start, values, f"broken CSV {span}: {exc}", raw)
                continue
            if not any(f.strip() for f in fields):
                yield RawRow(start, {}, None, None)  # blank
                continue
            values = dict(zip(columns, fields, strict=False))
            if len(fields) < width or any(f.strip() for f in fields[width:]):
                for name in columns[len(fields) :]:
                    values[name] = ""
                span = _span(start, lines.count)
                reason = (
                    f"broken CSV {span}: {len(fields)} fields where the header has {width}"
                    f" (check the delimiter {reader_delimiter(reader)!r} and quoting)"
                )
                yield RawRow(start, values, reason, lines.text())
                continue
            yield RawRow(start, values, None, None)

    # -- XLSX -----------------------------------------------------------------

    def _open_xlsx(self, sheet: str | None) -> tuple[list[str], Iterator[RawRow]]:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        path = self.path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes): not an XLSX workbook")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise InputError(f"{path}: not a readable XLSX workbook ({exc})") from exc
        self._closers.append(book.close)
        try:
            worksheet = self._pick_sheet(book, sheet)
            worksheet.reset_dimensions()  # don't trust the stored size: read what is there
            rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
            header: list[str] = []
            for _number, cells in rows:
                header = [_cell_text(c) for c in cells]
                if any(h.strip() for h in header):
                    break
            else:
                raise InputError(f"{path}: sheet {worksheet.title!r} is empty: no header row")
            while header and not header[-1].strip():
                header.pop()
            columns = self._header(header)
        except BaseException:
            self.close()
            raise
        self.sheet = worksheet.title
        return columns, self._xlsx_rows(rows, columns)

    def _pick_sheet(self, book: Any, sheet: str | None) -> Any:
        sheets = list(book.worksheets)
        names = [ws.title for ws in sheets]
        if sheet is not None:
            for ws in sheets:
                if ws.title == sheet:
                    return ws
            folded = [ws for ws in sheets if ws.title.strip().lower() == sheet.strip().lower()]
            if len(folded) == 1:
                return folded[0]
            listed = ", ".join(repr(n) for n in names)
            raise InputError(f"{self.path}: no sheet named {sheet!r}; sheets: {listed}")
        if not sheets:
            raise InputError(f"{self.path}: the workbook has no worksheets")
        if len(sheets) == 1:
            return sheets[0]
        with_data = [ws for ws in sheets if _sheet_has_data(ws)]
        if len(with_data) == 1:
            return with_data[0]
        if not with_data:
            raise InputError(f"{self.path}: every sheet is empty: no header row")
        listed = ", ".join(
            f"{ws.title!r}" + ("" if ws in with_data else " (empty)") for ws in sheets
        )
        raise InputError(
            f"{self.path}: the workbook has {len(with_data)} sheets with data; "
            f"say which to read (mapping 'sheet:' or --sheet). Sheets: {listed}"
        )

    def _xlsx_rows(
        self, rows: Iterator[tuple[int, tuple[Any, ...]]], columns: list[str]
    ) -> Iterator[RawRow]:
        width = len(columns)
        for number, cells in rows:
            texts = [_cell_text(c) for c in cells]
            if not any(t.strip() for t in texts):
                yield RawRow(number, {}, None, None)
                continue
            values = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(columns)}
            beyond = [i + 1 for i in range(width, len(texts)) if texts[i].strip()]
            if beyond:
                from openpyxl.utils import get_column_letter

                letters = ", ".join(get_column_letter(i) for i in beyond)
                reason = f"values in column(s) {letters}, right of the last header column"
                yield RawRow(number, values, reason, None)
                continue
            yield RawRow(number, values, None, None)

    # -- Parquet --------------------------------------------------------------

    def _open_parquet(self) -> tuple[list[str], Iterator[RawRow]]:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        path = self.path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes): not a Parquet file")
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        self._closers.append(parquet.close)
        names = [str(n) for n in parquet.schema_arrow.names]
        if not names:
            self.close()
            raise InputError(f"{path}: the Parquet file has no columns")
        try:
            columns = self._header(names)
        except InputError:
            self.close()
            raise
        return columns, self._parquet_rows(parquet, names, columns)

    def _parquet_rows(self, parquet: Any, names: list[str], columns: list[str]) -> Iterator[RawRow]:
        import pyarrow as pa

        number = 0
        try:
            for batch in parquet.iter_batches(batch_size=2048):
                for record in batch.to_pylist():
                    number += 1
                    values = {
                        col: _cell_text(record.get(name))
                        for name, col in zip(names, columns, strict=True)
                    }
                    if not any(v.strip() for v in values.values()):
                        yield RawRow(number, {}, None, None)
                    else:
                        yield RawRow(number, values, None, None)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(
                f"{self.path}: row {number + 1}: cannot read the Parquet file ({exc})"
            ) from exc


def open_table(path: Path, sheet: str | None = None, *, encoding: str = "utf-8-sig") -> Table:
    return Table(path, sheet=sheet, encoding=encoding)


def read_table(
    path: Path, sheet: str | None = None, *, encoding: str = "utf-8-sig"
) -> tuple[list[str], Iterator[RawRow]]:
    """The header and the rows of ``path`` (blank rows come with empty ``values``)."""
    table = open_table(path, sheet, encoding=encoding)
    return table.columns, iter(table)


class _LineTracker:
    """Feeds lines to :mod:`csv` and remembers those of the current record."""

    def __init__(self, handle: Iterator[str]) -> None:
        self._handle = handle
        self.count = 0
        self.start = 1
        self._lines: list[str] = []

    def start_record(self) -> None:
        self.start = self.count + 1
        self._lines.clear()

    def text(self) -> str:
        return "".join(self._lines).rstrip("\r\n")

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self.count += 1
        self._lines.append(line)
        return line


def _decode_error(path: Path, encoding: str, exc: UnicodeDecodeError) -> InputError:
    """The error for a file that is not ``encoding`` text, naming the first bad line.

    Text files are decoded in blocks, so the line being parsed when decoding
    fails is not the bad one: find it by decoding the bytes again.
    """
    where = ""
    try:
        line = _first_undecodable_line(path, encoding)
    except (OSError, LookupError):
        line = None
    if line is not None:
        where = f"line {line}: "
    return InputError(
        f"{path}: {where}not readable as {encoding} text ({exc.reason});"
        " save it as UTF-8 or give the file's encoding (mapping 'encoding:')"
    )


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = exc.object
                pending = data[: len(data) - len(chunk)]
                return 1 + newlines - pending.count(b"\n") + data[: exc.start].count(b"\n")
            newlines += chunk.count(b"\n")
    return None


def reader_delimiter(reader: Any) -> str:
    return str(reader.dialect.delimiter)


def _span(start: int, end: int) -> str:
    return f"line {start}" if end <= start else f"lines {start}-{end}"


def _sniff_delimiter(header_line: str, path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader([header_line], delimiter=delimiter)))
        except csv.Error:
            continue
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _sheet_has_data(worksheet: Any) -> bool:
    worksheet.reset_dimensions()
    for cells in worksheet.iter_rows(values_only=True):
        if any(_cell_text(c).strip() for c in cells):
            return True
    return False


def _cell_text(value: Any) -> str:
    """A cell's value as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple):
        return ";".join(_cell_text(v) for v in value)
    return str(value)


# ---------------------------------------------------------------------------
# Shipments


@dataclass(eq=False)
class ShipmentReader:
    """Rows of one file as :class:`Shipment`; unusable rows go to ``errors``.

    Opening checks the file and the mapping at once (:class:`InputError`,
    :class:`MappingError`).  Iterate once; afterwards ``counts`` reconciles.
    """

    path: Path
    mapping: Mapping | None = None
    on_error: Callable[[RowError], None] | None = None
    #: XLSX sheet and CSV encoding; each overrides the mapping's when given.
    sheet: str | None = None
    encoding: str | None = None
    errors: list[RowError] = field(default_factory=list)
    counts: ReadCounts = field(default_factory=ReadCounts)

    def __post_init__(self) -> None:
        sheet = self.sheet or (self.mapping.sheet if self.mapping else None)
        encoding = self.encoding or (self.mapping.encoding if self.mapping else "utf-8-sig")
        self.table = open_table(self.path, sheet, encoding=encoding)
        try:
            if self.mapping is None:
                self.resolved = Mapping.default_for(self.table.columns)
            else:
                self.resolved = self.mapping.resolve(self.table.columns)
        except MappingError as exc:
            self.table.close()
            error = MappingError(f"{self.path}: {exc}", missing=exc.missing)
            error.found = exc.found
            raise error from exc
        self._seen_ids: dict[str, int] = {}
        # Files repeat the same few countries and codes: normalise each text once.
        self._countries: dict[str, str | CountryError] = {}
        self._codes: dict[str, str | HSCodeError] = {}

    @property
    def columns(self) -> list[str]:
        """The file's columns, in file order."""
        return self.table.columns

    def __enter__(self) -> ShipmentReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.table.close()

    def __iter__(self) -> Iterator[Shipment]:
        for row in self.table:
            if row.error is None and not row.values:
                self.counts.blank += 1
                continue
            self.counts.rows_in += 1
            result = self._shipment(row)
            if isinstance(result, RowError):
                self.counts.errors += 1
                self.errors.append(result)
                if self.on_error is not None:
                    self.on_error(result)
            else:
                self.counts.rows_out += 1
                yield result

    def _shipment(self, row: RawRow) -> Shipment | RowError:
        mapping = self.resolved
        values = row.values

        def get(name: str) -> str:
            column = mapping.column(name)
            return values.get(column, "").strip() if column is not None else ""

        def label(name: str) -> str:
            column = mapping.column(name)
            if column is None or column.strip().lower() == name:
                return name
            return f"{name} ({column})"

        row_id = get("row_id") or str(row.line)
        if row.error is not None:
            return RowError(row.line, row_id, row.error, dict(values), row.raw)

        problems: list[str] = []

        def country(name: str, text: str) -> str | None:
            result = self._countries.get(text)
            if result is None:
                try:
                    result = normalise_country(text)
                except CountryError as exc:
                    result = exc
                self._countries[text] = result
            if isinstance(result, CountryError):
                problems.append(f"{label(name)}: {_reason(result, 'unknown country', text)}")
                return None
            return result

        parties: list[Party] = []
        for columns in mapping.parties:
            role = columns.role
            name = get(f"{role}_name")
            country_text = get(f"{role}_country")
            address = get(f"{role}_address")
            if not name:
                if country_text or address:
                    given = " and ".join(
                        p for p, v in (("country", country_text), ("address", address)) if v
                    )
                    problems.append(
                        f"{label(role + '_name')}: empty, but the {role} {given} is given"
                    )
                continue
            code = country(f"{role}_country", country_text) if country_text else None
            parties.append(Party(role=role, name=name, country=code, address=address or None))
        if not parties:
            looked = [repr(p.name) for p in mapping.parties]
            empty = (
                f"column {looked[0]} is empty"
                if len(looked) == 1
                else f"columns {', '.join(looked)} are all empty"
            )
            return RowError(row.line, row_id, f"no party name in any role: {empty}", dict(values))

        hs_code: str | None = None
        hs_text = get("hs_code")
        if hs_text:
            hs_result = self._codes.get(hs_text)
            if hs_result is None:
                try:
                    hs_result = normalise_hs(hs_text)
                except HSCodeError as exc:
                    hs_result = exc
                self._codes[hs_text] = hs_result
            if isinstance(hs_result, HSCodeError):
                reason = _reason(hs_result, "malformed HS code", hs_text)
                problems.append(f"{label('hs_code')}: {reason}")
            else:
                hs_code = hs_result
        elif mapping.column("hs_code") is not None:
            problems.append(f"{label('hs_code')}: empty, goods not checked against control lists")

        origin_text = get("origin_country")
        destination_text = get("destination_country")
        origin = country("origin_country", origin_text) if origin_text else None
        destination = country("destination_country", destination_text) if destination_text else None
        if not destination_text and mapping.column("destination_country") is not None:
            problems.append(f"{label('destination_country')}: empty")
        transit: list[str] = []
        for piece in get("transit_countries").split(mapping.transit_separator):
            piece = piece.strip()
            if piece:
                code = country("transit_countries", piece)
                if code is not None and code not in transit:
                    transit.append(code)

        if mapping.column("row_id") is not None:
            if not get("row_id"):
                problems.append(f"{label('row_id')}: empty, line number used")
            elif row_id in self._seen_ids:
                problems.append(
                    f"{label('row_id')}: {row_id!r} also used on line {self._seen_ids[row_id]}"
                )
            else:
                self._seen_ids[row_id] = row.line

        return Shipment(
            row_id=row_id,
            line=row.line,
            columns=dict(values),
            parties=tuple(parties),
            goods=Goods(
                hs_code=hs_code,
                description=get("description") or None,
                quantity=get("quantity") or None,
                value=get("value") or None,
                currency=get("currency") or None,
            ),
            route=Route(origin=origin, transit=tuple(transit), destination=destination),
            problems=tuple(problems),
        )


def open_shipments(
    path: Path,
    mapping: Mapping | None = None,
    *,
    on_error: Callable[[RowError], None] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> ShipmentReader:
    """Check ``path`` and ``mapping`` now; iterate the result for shipments.

    ``sheet`` and ``encoding`` override the mapping's (for ``--sheet`` without a
    mapping file)."""
    return ShipmentReader(path, mapping, on_error, sheet, encoding)


def read_shipments(
    path: Path,
    mapping: Mapping | None = None,
    *,
    errors: list[RowError] | None = None,
    on_error: Callable[[RowError], None] | None = None,
) -> Iterator[Shipment]:
    """Shipments of ``path``; unusable rows are appended to ``errors`` / sent to ``on_error``.

    The file and mapping are checked on the first ``next()``; use
    :func:`open_shipments` to check them before iterating.
    """
    with open_shipments(path, mapping, on_error=on_error) as reader:
        if errors is not None:
            reader.errors = errors
        yield from reader


def _reason(exc: ValueError, fallback: str, text: str) -> str:
    """The helper's own message if it says something, else ``fallback 'text'``."""
    message = str(exc).strip()
    return message or f"{fallback} {text!r}"
