"""The one interface every input format implements, and the values readers share.

A :class:`Reader` says which files it takes (by suffix, and by content: :meth:`Reader.recognises` sees the
file's first bytes, decompressed), how it cuts a file into :class:`Split` pieces that can be read apart
(so ``--jobs N`` and the Dask engine parallelise within one file), and how it reads one split into frames
of source columns plus the location columns (``source_line``: the record's address, whose meaning the
reader's :attr:`Reader.locator` names). Record-level problems come back beside each frame as
:class:`Problem` values (``schema`` findings); file-level ones are raised as :class:`qc.errors.InputError`.
Readers never canonicalise: :mod:`qc.load` does that for every format alike.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from qc.errors import InputError

#: What ``source_line`` holds for each reader: a physical line (JSON Lines, CSV), a 1-based row (Parquet),
#: a record's byte offset in the file (WARC/ARC: the compressed offset of its gzip member), or 1 (a text post).
LOCATOR_KINDS = ("line", "row", "offset", "file")


@dataclass(frozen=True)
class Problem:
    """A record-level input problem, reported as a ``schema`` finding.

    ``source_line`` is the record's address (its first line, row or byte offset), ``line`` where in it the
    problem is when that differs (a bad byte on a later line of a multi-line CSV field or text post).
    """

    code: str
    source_path: str
    source_line: int
    message: str
    field: str | None = None
    doc_id: str | None = None
    match: str = ""
    line: int | None = None


@dataclass
class InputFile:
    """One resolved input: its path, which reader reads it, and (for text folders) the root for doc_ids.

    ``problem`` says why a path that would have been read cannot be (a FIFO, a socket, a device, a dangling
    link, an unreadable directory): it is reported as a file-level error and never opened.
    """

    path: Path
    fmt: str  # a reader's name (qc.readers.registry.READERS): jsonl | parquet | csv | tsv | text | warc
    root: Path | None = None
    problem: str | None = None

    @property
    def display(self) -> str:
        """The path as reported to users."""
        return str(self.path)

    @property
    def compressed(self) -> bool:
        """Whether the file is read through a decompressor (so it cannot be cut into byte ranges)."""
        return self.path.name.lower().endswith((".gz", ".zst"))


@dataclass(frozen=True)
class Split:
    """A piece of one input file that a worker reads on its own, in file order.

    ``start``/``end`` are byte offsets (JSON Lines, CSV, WARC) or row-group numbers (Parquet); ``end`` None
    is the whole file. ``first`` is the address of the split's first record (line or row): known when the
    split is planned, so every record keeps its true address whoever reads it; ``first_record`` the index
    of that record in the file (CSV: the header is record 0).
    """

    file: InputFile
    start: int = 0
    end: int | None = None
    first: int = 1
    first_record: int = 0

    @property
    def whole(self) -> bool:
        """Whether this split is the whole file."""
        return self.start == 0 and self.end is None


@dataclass
class ReadOptions:
    """What a read may be told: the batch size and format options (``warc_text``: naive | main)."""

    batch_rows: int = 20_000
    warc_text: str = "naive"


@dataclass
class LoadLog:
    """What loading saw: files read, field mappings used, file-level errors, records read, records skipped
    (by reason: a WARC request, revisit or non-HTML response), and notes for ``--verbose`` (how a file was
    split, or why it could not be)."""

    files: list[str] = field(default_factory=list)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    records: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        """Count ``count`` records not checked, for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count

    def merge(self, other: LoadLog) -> None:
        """Add another log's records, skips and notes (a worker's, folded in corpus order)."""
        self.records += other.records
        for reason, count in other.skipped.items():
            self.skip(reason, count)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        for source, mapping in other.mappings.items():
            self.mappings.setdefault(source, mapping)


#: What :meth:`Reader.read` yields: a frame of source columns with ``source_line`` (and, for multi-line
#: formats, start-line columns per field), and the record-level problems met while reading it.
Frames = Iterator[tuple[pd.DataFrame, list[Problem]]]


class Reader(ABC):
    """One input format. Subclasses set the class attributes and implement :meth:`read`."""

    #: The format's name (what :attr:`InputFile.fmt` holds).
    name: str = ""
    #: File name endings this reader takes (before ``.gz``/``.zst``).
    suffixes: tuple[str, ...] = ()
    #: What ``source_line`` means for this format (one of :data:`LOCATOR_KINDS`).
    locator: str = "line"
    #: The compressions it reads (a suffix after one of :attr:`suffixes`).
    compressions: tuple[str, ...] = (".gz", ".zst")

    def recognises(self, path: Path, head: bytes) -> bool:
        """Whether ``head`` (the file's first bytes, decompressed) is this format (suffix aside)."""
        return False

    def plan_splits(self, src: InputFile, target_bytes: int, log: LoadLog | None = None) -> list[Split]:
        """The file's splits, in order, of about ``target_bytes`` each (default: one, the whole file).

        ``log`` gets a note when a file that could be split cannot be (said in ``--verbose``).
        """
        return [Split(src)]

    @abstractmethod
    def read(self, split: Split, options: ReadOptions, log: LoadLog) -> Frames:
        """Read one split into frames of source columns and their problems. Raises InputError."""




def note_compressed(src: InputFile, log: LoadLog | None) -> None:
    """Say in ``--verbose`` why a compressed file that could otherwise be split is read as one split."""
    if log is not None:
        log.notes.append(f"{src.display}: compressed, read as one split (a gzip or zstd stream cannot be "
                         "entered in the middle)")


def is_missing(value: object) -> bool:
    """Whether a parsed value is missing (None, NA, NaN)."""
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and bool(np.isnan(value)))


def json_type_name(value: object) -> str:
    """The JSON name of a parsed value's type (what a user wrote, not the Python or numpy class)."""
    if is_missing(value):
        return "null"
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "array"
    return type(value).__name__
