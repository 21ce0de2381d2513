"""HS codes: normalisation, and control lists matched by code prefix.

An HS (Harmonized System) code names a class of goods.  The first six digits are
the same everywhere (chapter ``85``, heading ``8542``, subheading ``854231``);
countries add two or four national digits (EU CN and many others: 8, US HTS and
EU TARIC: 10).  People write them with dots, spaces or dashes, all meaning the
same thing: ``8542.31``, ``854231``, ``8542.31.0000``, ``8542 31 00``.

:func:`normalise_hs` reduces such text to digits and checks the length.  A
*shipment* code must have **4, 6, 8 or 10 digits**: a heading, a subheading, or a
national 8- or 10-digit line.  Odd lengths are refused because in practice they
are damaged codes, most often a code of chapters 01 to 09 whose leading zero was
lost when a spreadsheet read it as a number (``0101.21`` becomes ``10121``), and
guessing where the missing digit goes would be wrong half the time.  Codes of
other lengths (such as Japan's 9-digit statistical codes) must be cut to one of
these lengths before screening.

A :class:`ControlList` (the Common High Priority List, or a user's own list) holds
entries keyed by digit *prefix*.  List entries may also be a 2-digit chapter
(``88``: all of chapter 88), see :func:`normalise_prefix`.  A code hits every
entry that is a prefix of it, so the national code ``8542310000`` hits the
6-digit CHPL entry ``854231``, and a user list entry ``8542`` catches every
integrated circuit.  By default a code that is *less* specific than an entry
also hits it (a shipment declared only as heading ``8542`` may well be
``854231``); :meth:`ControlList.match` reports that case with a ``matched_prefix``
longer than the ``hs_code``.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from redline.goods.shipment import GoodsHit

#: Digit counts a shipment's HS code may have.
CODE_LENGTHS = (4, 6, 8, 10)
#: Digit counts a control-list entry may have (adds the 2-digit chapter).
PREFIX_LENGTHS = (2, 4, 6, 8, 10)

#: Column names accepted for the code in a user's control-list CSV.
CODE_COLUMNS = ("hs_code", "prefix")

# Separators people put inside codes: dots (ASCII and full width) and spaces.
# Every Unicode dash (category Pd) and every whitespace character is a separator too.
_SEPARATORS = frozenset(".\uff0e")


class HSCodeError(ValueError):
    """An HS code that cannot be read."""


class ControlListError(ValueError):
    """A control-list file that cannot be read; the message names the file and line."""


def _shown(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut short if long."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _digits(text: str, what: str) -> str:
    """The digits of ``text``, separators dropped; anything else is an error."""
    if not isinstance(text, str):
        raise HSCodeError(f"{what} must be text, not {type(text).__name__}")
    digits: list[str] = []
    bad: list[str] = []
    for char in text:
        if "0" <= char <= "9":
            digits.append(char)
        elif char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Pd":
            continue
        elif unicodedata.category(char) == "Nd":
            # Full-width and other script digits ("８５４２", "٨٥٤٢").
            digits.append(str(unicodedata.decimal(char)))
        elif char not in bad:
            bad.append(char)
    if bad:
        kinds = "letters" if any(c.isalpha() for c in bad) else "characters"
        shown = ", ".join(repr(c) for c in bad[:5])
        raise HSCodeError(
            f"{what} {_shown(text)} is malformed: it contains {kinds} {shown}; "
            "only digits, dots, spaces and dashes are allowed"
        )
    if not digits:
        problem = "is empty" if not text.strip() else "has no digits"
        raise HSCodeError(f"{what} {_shown(text)} {problem}")
    return "".join(digits)


def _check_length(text: str, code: str, what: str, lengths: Sequence[int]) -> str:
    count = len(code)
    if count in lengths:
        return code
    allowed = ", ".join(str(n) for n in lengths[:-1]) + f" or {lengths[-1]}"
    if count < lengths[0]:
        reason = f"has {count} digit{'s' if count != 1 else ''}, too few"
    elif count > lengths[-1]:
        reason = f"has {count} digits, too many"
    else:
        reason = f"has {count} digits"
    message = f"{what} {_shown(text)} {reason}: it must have {allowed} digits"
    if count % 2 == 1 and count < lengths[-1]:
        message += (
            " (an odd count often means a spreadsheet read the code as a number: it"
            " dropped a leading zero, 0101.21 -> 10121, or added a decimal, 854231 -> 854231.0)"
        )
    raise HSCodeError(message)


def normalise_hs(text: str) -> str:
    """The digits of an HS code as written on a shipment: ``"8542.31"`` -> ``"854231"``.

    Dots, spaces (any whitespace) and dashes are dropped; full-width digits are
    read as digits.  The result has 4, 6, 8 or 10 digits, else :class:`HSCodeError`
    (also for letters or any other character).
    """
    return _check_length(text, _digits(text, "HS code"), "HS code", CODE_LENGTHS)


def normalise_prefix(text: str) -> str:
    """The digits of a control-list entry: like :func:`normalise_hs`, but a
    2-digit chapter (``"88"``) is allowed too."""
    return _check_length(text, _digits(text, "HS prefix"), "HS prefix", PREFIX_LENGTHS)


def format_hs(code: str) -> str:
    """Digits written the usual way: ``854231`` -> ``8542.31``, ``8542310000`` ->
    ``8542.31.0000``; a chapter stays ``88``."""
    if len(code) <= 4:
        return code
    if len(code) <= 6:
        return f"{code[:4]}.{code[4:]}"
    return f"{code[:4]}.{code[4:6]}.{code[6:]}"


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


@dataclass(frozen=True)
class ControlEntry:
    """One line of a control list: a digit prefix, its tier and description."""

    prefix: str
    tier: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ControlList:
    """A named list of HS code prefixes (e.g. the CHPL, or a company's own list).

    Build it with :meth:`from_entries`, :func:`load_control_list` or :func:`load_chpl`.
    """

    name: str
    entries: Mapping[str, ControlEntry]
    #: The date the list was published or last changed, when known.
    date: dt.date | None = None
    #: Where the list comes from (publisher, URL, how it was built).
    source: str | None = None
    title: str | None = None
    _sorted: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a control list needs a name")
        for key, entry in self.entries.items():
            if key != entry.prefix:
                raise ValueError(f"entry key {key!r} differs from its prefix {entry.prefix!r}")
            normalise_prefix(key)
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))
        object.__setattr__(self, "_sorted", tuple(sorted(self.entries)))

    @classmethod
    def from_entries(
        cls,
        name: str,
        entries: Iterable[ControlEntry],
        *,
        date: dt.date | None = None,
        source: str | None = None,
        title: str | None = None,
    ) -> ControlList:
        """A list from entries; a prefix given twice is an error."""
        by_prefix: dict[str, ControlEntry] = {}
        for entry in entries:
            prefix = normalise_prefix(entry.prefix)
            if prefix in by_prefix:
                raise ValueError(f"control list {name!r}: prefix {prefix} is listed twice")
            by_prefix[prefix] = ControlEntry(prefix, entry.tier, entry.description)
        return cls(name=name, entries=by_prefix, date=date, source=source, title=title)

    def __len__(self) -> int:
        return len(self.entries)

    def tier_counts(self) -> dict[str, int]:
        """How many entries each tier has (entries without a tier are left out)."""
        counts = Counter(e.tier for e in self.entries.values() if e.tier is not None)
        return dict(sorted(counts.items()))

    def match(self, code: str, *, broader: bool = True) -> list[GoodsHit]:
        """The entries an HS code falls under, most specific first.

        ``code`` is normalised with :func:`normalise_hs` (so it may raise
        :class:`HSCodeError`).  Every entry that is a prefix of the code hits.  With
        ``broader`` (the default), so does every entry that the code is a prefix of:
        a code declared as heading ``8542`` may be the listed ``854231``.
        """
        digits = normalise_hs(code)
        hits: list[GoodsHit] = []
        for length in reversed(PREFIX_LENGTHS):
            if length <= len(digits):
                entry = self.entries.get(digits[:length])
                if entry is not None:
                    hits.append(self._hit(digits, entry))
        if broader:
            start = bisect_left(self._sorted, digits)
            for prefix in self._sorted[start:]:
                if not prefix.startswith(digits):
                    break
                if len(prefix) > len(digits):
                    hits.append(self._hit(digits, self.entries[prefix]))
        return hits

    def _hit(self, code: str, entry: ControlEntry) -> GoodsHit:
        return GoodsHit(
            list_name=self.name,
            hs_code=code,
            matched_prefix=entry.prefix,
            tier=entry.tier,
            description=entry.description,
        )


def match_lists(code: str, lists: Iterable[ControlList], *, broader: bool = True) -> list[GoodsHit]:
    """The hits of one HS code on each of several lists, list by list."""
    return [hit for control in lists for hit in control.match(code, broader=broader)]


def _read_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise ControlListError(f"{path}, line {reader.line_num}: {exc}") from exc
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise ControlListError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ControlListError(f"{path}: cannot read ({exc.strerror})") from exc


def load_control_list(
    path: Path | str,
    name: str,
    *,
    date: dt.date | None = None,
    source: str | None = None,
) -> ControlList:
    """A user's control list from a CSV file with a header row.

    Columns: ``hs_code`` (or ``prefix``), and optionally ``description`` and
    ``tier``; other columns are ignored, names are matched without regard to case.
    Codes are written in any of the forms :func:`normalise_prefix` accepts (2, 4,
    6, 8 or 10 digits).  Blank lines and lines starting with ``#`` are skipped.
    Any problem raises :class:`ControlListError` naming the file and line.
    """
    path = Path(path)
    header: dict[str, int] | None = None
    code_at = tier_at = description_at = None
    entries: dict[str, ControlEntry] = {}
    seen_at: dict[str, int] = {}
    for line, row in _read_rows(path):
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = {cell.strip().lower(): i for i, cell in enumerate(row)}
            found = [c for c in CODE_COLUMNS if c in header]
            if not found:
                columns = ", ".join(repr(cell.strip()) for cell in row)
                raise ControlListError(
                    f"{path}, line {line}: no 'hs_code' or 'prefix' column "
                    f"(the header has {columns})"
                )
            if len(found) > 1:
                raise ControlListError(
                    f"{path}, line {line}: both 'hs_code' and 'prefix' columns; keep one"
                )
            code_at = header[found[0]]
            tier_at = header.get("tier")
            description_at = header.get("description")
            continue
        assert code_at is not None

        def cell(index: int | None, row: list[str] = row) -> str | None:
            if index is None or index >= len(row):
                return None
            return _clean_text(row[index])

        raw = cell(code_at)
        if raw is None:
            raise ControlListError(f"{path}, line {line}: the HS code is empty")
        try:
            prefix = normalise_prefix(raw)
        except HSCodeError as exc:
            raise ControlListError(f"{path}, line {line}: {exc}") from exc
        if prefix in entries:
            raise ControlListError(
                f"{path}, line {line}: {format_hs(prefix)} is already listed on line "
                f"{seen_at[prefix]}"
            )
        entries[prefix] = ControlEntry(prefix, cell(tier_at), cell(description_at))
        seen_at[prefix] = line
    if header is None:
        raise ControlListError(f"{path}: empty file, expected a header row with 'hs_code'")
    if not entries:
        raise ControlListError(f"{path}: the list has a header but no entries")
    return ControlList(name=name, entries=entries, date=date, source=source or str(path))


#: The packaged Common High Priority List and its description (see scripts/build_chpl.py).
CHPL_RESOURCE = "data/chpl.csv"
CHPL_META_RESOURCE = "data/chpl.meta.yml"


def load_chpl() -> ControlList:
    """The Common High Priority List (BIS with the EU, Japan and the UK, 23 Feb 2024).

    Read from the data file shipped in this package, which ``scripts/build_chpl.py``
    builds from the project's reference copy; its list date and provenance come
    from the ``chpl.meta.yml`` beside it.
    """
    package = resources.files("redline.goods")
    meta_text = package.joinpath(CHPL_META_RESOURCE).read_text(encoding="utf-8")
    meta: dict[str, Any] = yaml.safe_load(meta_text)
    list_date = meta.get("list_date")
    if not isinstance(list_date, dt.date):
        raise ControlListError(f"{CHPL_META_RESOURCE}: list_date is not a date: {list_date!r}")
    with resources.as_file(package.joinpath(CHPL_RESOURCE)) as path:
        chpl = load_control_list(path, str(meta["name"]))
    source = f"{meta['publisher']}; {meta['url']}. {' '.join(str(meta['provenance']).split())}"
    expected = int(meta["entries"])
    if len(chpl) != expected:
        raise ControlListError(
            f"{CHPL_RESOURCE}: {len(chpl)} entries, the meta file says {expected}"
        )
    return ControlList(
        name=chpl.name,
        entries=chpl.entries,
        date=list_date,
        source=source,
        title=str(meta["title"]),
    )
