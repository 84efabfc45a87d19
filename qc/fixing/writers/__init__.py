"""Per-format rewriting for ``qc fix``: each module reads one input file's raw records in order and writes
them again, in the input's own format and compression, changing only the text fields an action changed.

Every module has ``fix_file(src, findings, editor, mapping, out)``: ``out`` is the binary file the cleaned
file goes to (an :func:`qc.outputs.atomic_binary_output` handle), or None for a dry run (``qc fix --diff``).
:data:`WRITERS` maps an input format (:attr:`qc.load.InputFile.fmt`) to its module's function; a format with
none cannot be fixed (``qc fix`` says so and exits 2).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from qc.fixing.edit import Editor
from qc.fixing.findings import FileFindings
from qc.load import InputFile
from qc.rawio import open_regular

#: Records handed to the editor at once: a cleaned record is checked again in batches of this size (far
#: cheaper than one by one), and memory holds at most this many raw records.
WINDOW = 512

FixFile = Callable[[InputFile, FileFindings, Editor, Mapping[str, str], "IO[bytes] | None"], None]


def compression_of(path: Path) -> str | None:
    """``gzip``, ``zstd`` or None, from the file name (as the readers decide)."""
    name = path.name.lower()
    return "gzip" if name.endswith(".gz") else "zstd" if name.endswith(".zst") else None


@contextlib.contextmanager
def compressed(out: IO[bytes], path: Path) -> Iterator[IO[bytes]]:
    """A writer compressing into ``out`` as the input ``path`` was compressed; deterministic bytes (a gzip
    header with no file name and time 0), so the same records always give the same file."""
    kind = compression_of(path)
    if kind is None:
        yield out
        return
    if kind == "gzip":
        import gzip

        with gzip.GzipFile(fileobj=out, mode="wb", filename="", mtime=0) as writer:
            yield writer  # type: ignore[misc]  # a GzipFile is a binary file in all but name
        return
    import zstandard

    with zstandard.ZstdCompressor().stream_writer(out, closefd=False) as writer:
        yield writer


def copy_file(src: InputFile, out: IO[bytes]) -> None:
    """Copy an input file byte for byte (nothing in it changes)."""
    with open_regular(src.path) as handle:
        shutil.copyfileobj(handle, out, 1 << 20)


def writer_for(fmt: str) -> FixFile | None:
    """The ``fix_file`` of an input format, or None when no writer exists for it."""
    from qc.fixing.writers import csv, jsonl, parquet, text

    writers: dict[str, Any] = {"jsonl": jsonl.fix_file, "csv": csv.fix_file, "tsv": csv.fix_file,
                               "parquet": parquet.fix_file, "text": text.fix_file}
    return writers.get(fmt)
