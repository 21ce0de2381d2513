"""The contract every official list parser fulfils.

A *source* turns the files one publisher releases (in their native format) into
FollowTheMoney entities.  Parsers know nothing of the store or of matching: they
read files and yield entities, and they fail loudly, naming the file and the line
or element, on anything they cannot read faithfully.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy, model


class SourceError(Exception):
    """A source file could not be parsed.

    The message always names the file, and the line or element where it is known,
    so that an operator can open the file and see the problem.
    """

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        element: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.element = element
        self.reason = message
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if element is not None:
            where += f", element {element}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Download:
    """One file of a source as its publisher serves it."""

    url: str
    filename: str


@dataclass(frozen=True)
class SourceFiles:
    """The set of files that make up one load of one source."""

    source: str
    files: tuple[Path, ...]
    # Which role each file plays for the parser (e.g. "sdn", "add", "alt").
    roles: dict[str, Path] = field(default_factory=dict, compare=False, hash=False)

    def sha256(self) -> str:
        """Digest over the file names (roles) and contents, stable across folders."""
        digest = hashlib.sha256()
        for role, path in sorted(self.roles.items()) or [(p.name, p) for p in self.files]:
            digest.update(role.encode("utf-8") + b"\0")
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            digest.update(b"\0")
        return digest.hexdigest()


_ID_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


def entity_id(source: str, *parts: str | int) -> str:
    """A stable entity id derived from the list's own id, prefixed by source.

    ``entity_id("us_ofac_sdn", 36) == "us_ofac_sdn-36"``.  Characters outside
    ``[A-Za-z0-9._-]`` are replaced so ids are safe in URLs and file names.
    """
    cleaned = [_ID_UNSAFE.sub("-", str(p).strip()).strip("-") for p in parts]
    return "-".join([source, *[c for c in cleaned if c]])


def make_entity(schema: str, source: str, *id_parts: str | int) -> EntityProxy:
    """A new FtM entity of ``schema`` with a stable, source-prefixed id."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id(source, *id_parts)
    return proxy


class Source(ABC):
    """One official list: how to find its files, where to download them, how to parse them."""

    #: Short name used on the CLI and as the entity id prefix, e.g. ``us_ofac_sdn``.
    name: str
    #: Human title, e.g. ``US OFAC Specially Designated Nationals``.
    title: str
    #: The authority that publishes it.
    publisher: str
    #: The official files, in the order they should be downloaded.
    downloads: tuple[Download, ...] = ()
    #: For a single-file source: the role its parser reads the file under.
    file_role: str | None = None

    @abstractmethod
    def detect(self, directory: Path) -> SourceFiles | None:
        """The files of this source directly inside ``directory`` (not below it).

        Detection is by file name and a cheap look at the content (header row, XML
        root), so that a file of another source with a similar name is not taken.
        Returns ``None`` where the folder holds no file of this source.
        """

    def the_file(self, files: SourceFiles) -> Path:
        """The one file of a single-file source: the file under :attr:`file_role`,
        else the only file given."""
        path = (files.roles.get(self.file_role) if self.file_role else None) or (
            files.files[0] if files.files else None
        )
        if path is None:
            expected = self.downloads[0].filename if self.downloads else self.name
            raise SourceError(expected, f"no file given for the {self.title}")
        return path

    def detect_xml(
        self, directory: Path, preferred: str, accept: Callable[[Path], bool]
    ) -> SourceFiles | None:
        """Detection for a single-XML-file source: the file named ``preferred`` first,
        else any ``*.xml`` in ``directory`` that ``accept`` (a look at its root) takes."""
        first = directory / preferred
        candidates = [first, *sorted(p for p in directory.glob("*.xml") if p != first)]
        for path in candidates:
            if path.is_file() and accept(path):
                return SourceFiles(self.name, (path,), {self.file_role or self.name: path})
        return None

    def named_files(self, directory: Path) -> SourceFiles | None:
        """The source's files in ``directory`` judged by their official names alone.

        Used when an operator names the source explicitly: a file that is there but
        is not what it should be (empty, another list, damaged) then fails in
        :meth:`parse` with its file and line, instead of the source looking absent.
        The default knows single-file sources by their download file name.
        """
        if self.file_role is None or len(self.downloads) != 1 or not directory.is_dir():
            return None
        wanted = self.downloads[0].filename.lower()
        for path in sorted(directory.iterdir()):
            if path.is_file() and path.name.lower() == wanted:
                return SourceFiles(self.name, (path,), {self.file_role: path})
        return None

    @abstractmethod
    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        """Yield every entity of the list. Raise :class:`SourceError` on bad input."""

    def published(self, files: SourceFiles) -> date | None:
        """The publication date the files state about themselves, if any."""
        return None

    def recency(self, files: SourceFiles) -> tuple[float, ...]:
        """A sort key putting older file sets of this source before newer ones.

        Used when one folder tree holds several editions of a source, to load them
        oldest first so the newest ends active.  Defaults to the stated publication
        date, then the newest file modification time; sources whose files carry no
        date override it with something in the content that grows over time.
        """
        published = self.published(files)
        stated = float(published.toordinal()) if published is not None else 0.0
        return (stated, max((p.stat().st_mtime for p in files.files), default=0.0))
