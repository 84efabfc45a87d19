"""Per-format rewriting for ``qc fix``: each module reads one input file's raw records in order and writes
them again, in the input's own format and compression, changing only the text fields an action changed.

Every module has ``fix_file(src, findings, editor, mapping, out)``: ``out`` is the binary file the cleaned
file goes to (an :func:`qc.outputs.atomic_binary_output` handle), or None for a dry run (``qc fix --diff``).
:data:`WRITERS` maps an input format (:attr:`qc.load.InputFile.fmt`) to its module's function; a format with
none cannot be fixed (``qc fix`` says so and exits 2). :func:`output_path` names the cleaned file (the input's
own name, but a web archive's text is written as a WET: ``NAME.warc.gz`` as ``NAME.wet.gz``).
"""

from __future__ import annotations

import contextlib
import functools
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

from qc.fixing.edit import Editor, Outcome, Pending
from qc.fixing.findings import FileFindings
from qc.load import InputFile
from qc.rawio import open_regular

#: Records handed to the editor at once: a cleaned record is checked again in batches of this size (far
#: cheaper than one by one), and memory holds at most this many raw records.
WINDOW = 512

#: A raw record as a writer holds it (bytes of a line or CSV record, a web-archive record).
RawT = TypeVar("RawT")

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


def writer_for(fmt: str, warc_text: str = "naive") -> FixFile | None:
    """The ``fix_file`` of an input format, or None when no writer exists for it; ``warc_text`` is the
    check's HTML extraction for web archives (their cleaned text must be the text the check saw)."""
    from qc.fixing.writers import csv, jsonl, parquet, text, warc

    writers: dict[str, Any] = {"jsonl": jsonl.fix_file, "csv": csv.fix_file, "tsv": csv.fix_file,
                               "parquet": parquet.fix_file, "text": text.fix_file,
                               "warc": functools.partial(warc.fix_file, warc_text=warc_text)}
    return writers.get(fmt)


def output_path(fmt: str, relative: Path) -> Path:
    """Where the cleaned copy of an input at ``relative`` goes (relative to ``--out``): the same path, except
    for a format written as another one (a WARC's or ARC's cleaned text is a WET file)."""
    if fmt == "warc":
        from qc.fixing.writers.warc import output_name

        return relative.with_name(output_name(relative.name))
    return relative


def window_outcomes(src: InputFile, window: list[tuple[RawT, Pending | None]], editor: Editor,
                    mapping: Mapping[str, str]) -> Iterator[tuple[RawT, Pending | None, Outcome | None]]:
    """Each raw record of a window with its outcome, in file order: the window's records with findings are
    edited (and their cleaned texts re-checked) as one batch; a record without any has outcome None."""
    pending = [item for _, item in window if item is not None]
    outcomes = iter(editor.edit_window(src.display, pending, mapping))
    for raw, item in window:
        yield raw, item, (None if item is None else next(outcomes))
