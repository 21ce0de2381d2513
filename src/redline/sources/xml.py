"""Plumbing shared by the XML sources: a cheap look at the head, errors with lines."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from redline.sources.base import SourceError

#: How much of a file is read to recognise it.
HEAD_BYTES = 1024
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def read_head(path: Path) -> bytes | None:
    """The first KB without XML comments, or None when the file cannot be read."""
    try:
        with path.open("rb") as handle:
            return _COMMENT.sub(b"", handle.read(HEAD_BYTES))
    except OSError:
        return None


def first_tag(head: bytes) -> bytes | None:
    """The first element name in ``head`` (with any namespace prefix)."""
    match = _FIRST_TAG.search(head)
    return match.group(1) if match else None


def check_not_empty(path: Path, expected: str) -> None:
    """An empty download is a failed download: say so rather than "no element found"."""
    with path.open("rb") as handle:
        if not handle.read(HEAD_BYTES).strip():
            raise SourceError(path, f"file is empty, expected {expected}")


def element_line(elem: etree._Element) -> int | None:
    """The element's line in the file (the lxml stubs leave ``sourceline`` untyped)."""
    line = elem.sourceline
    return line if isinstance(line, int) else None


def syntax_error(path: Path, exc: etree.XMLSyntaxError) -> SourceError:
    """A parse error of ``path`` as a SourceError naming its line."""
    return SourceError(path, f"malformed XML: {exc.msg}", line=exc.lineno or None)
