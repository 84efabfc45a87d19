"""The readers, registered explicitly (as :mod:`qc.registry` registers rule kinds): one per format.

Adding a format is one module under :mod:`qc.readers` implementing :class:`qc.readers.base.Reader`, one
line in :data:`READERS`, and its tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qc.readers.base import Reader
from qc.readers.csv import CsvReader, TsvReader
from qc.readers.jsonl import JsonLinesReader
from qc.readers.parquet import ParquetReader
from qc.readers.textdir import TextReader
from qc.readers.warc import WarcReader

#: Every reader, by name, in the order suffixes are tried.
READERS: dict[str, Reader] = {reader.name: reader for reader in (
    JsonLinesReader(), ParquetReader(), CsvReader(), TsvReader(), TextReader(), WarcReader(),
)}


def format_of(path: Path) -> str | None:
    """The name of the reader whose suffix ``path`` has (after ``.gz``/``.zst`` when it reads those)."""
    name = path.name.lower()
    for reader in READERS.values():
        for compression in ("", *reader.compressions):
            if compression and not name.endswith(compression):
                continue
            stem = name[: len(name) - len(compression)] if compression else name
            if stem.endswith(reader.suffixes):
                return reader.name
    return None


def known_suffixes() -> str:
    """The suffixes read, as an error message lists them."""
    return ", ".join(f"{'/'.join(r.suffixes)}" + (f"[{'|'.join(r.compressions)}]" if r.compressions else "")
                     for r in READERS.values())


def locator_of(fmt: str) -> str:
    """What ``source_line`` holds for files of reader ``fmt`` (line, row, offset or file)."""
    reader = READERS.get(fmt)
    return reader.locator if reader is not None else "line"


def sniffed(head: bytes) -> str | None:
    """The name of a format that claims ``head`` by content (Parquet, WARC), if one does."""
    for name in ("parquet", "warc"):
        if READERS[name].recognises(Path(), head):
            return name
    return None


def locators(paths: pd.Series) -> np.ndarray:
    """The locator kind of each finding's ``source_path`` (by the reader its suffix names; one look-up per
    distinct path): ``row`` for an in-memory frame (``<dataframe>``), ``line`` when nothing says otherwise."""
    codes, uniques = pd.factorize(paths, use_na_sentinel=True)
    kinds = []
    for path in uniques.tolist():
        text = str(path)
        fmt = format_of(Path(text)) if text and not text.startswith("<") else None
        kinds.append(locator_of(fmt) if fmt is not None else "row" if text.startswith("<") else "line")
    table = np.asarray([*kinds, "line"], dtype=object)  # code -1 (a missing path) reads the last entry
    return table[codes]
