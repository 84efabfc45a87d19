"""The findings (and the verdicts) of a run, kept in corpus order in bounded memory.

A run can find more findings than fit in memory (a few hundred bytes each, millions on a large corpus), so
the engine appends each batch's findings to a :class:`FindingsStore` instead of holding one frame. The
store keeps the latest ``memory_rows`` findings as frames and spills older ones to a Parquet file in a
private temporary directory (deleted when the store is closed or garbage-collected, and at exit: the CLI
turns SIGINT and SIGTERM into an exception, so an interrupted run exits normally and removes it too). Reports and the
summary read the store back chunk by chunk (:meth:`FindingsStore.chunks`); the whole frame is built only
when someone asks for it (:meth:`FindingsStore.to_frame`, ``CheckResult.findings``).

Findings are in corpus order and a document's findings are contiguous (the engine sorts each batch by
line), so ``chunks(whole_documents=True)`` can hand out chunks that never split a document: per-document
counts then need no state across chunks.

The spilling itself is :class:`SpillStore`, generic over the frame it holds (its Arrow schema, its columns,
how columns read back get their dtypes); :class:`qc.verdicts.VerdictStore` holds one verdict per record
the same way.
"""

from __future__ import annotations

import tempfile
import weakref
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, ClassVar, Self

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from qc import interrupts
from qc.schemas import FINDINGS_COLUMNS, coerce_findings, empty_findings

#: Findings held in memory before the store spills them to disk (about 25-60 MB of findings).
DEFAULT_MEMORY_ROWS = 100_000
#: Rows per chunk when reading the store back.
CHUNK_ROWS = 65_536

ARROW_SCHEMA = pa.schema([
    *((name, pa.large_string()) for name in ("doc_id", "rule", "family", "severity", "field")),
    ("start", pa.int64()), ("end", pa.int64()),
    ("match", pa.large_string()), ("message", pa.large_string()), ("source_path", pa.large_string()),
    ("source_line", pa.int64()), ("site", pa.large_string()), ("line", pa.int64()), ("locator", pa.large_string()),
])
assert ARROW_SCHEMA.names == FINDINGS_COLUMNS


def _cleanup(directory: tempfile.TemporaryDirectory[str], writer: list[pq.ParquetWriter]) -> None:
    for open_writer in writer:
        open_writer.close()
    directory.cleanup()


class SpillStore(ABC):
    """Frames appended batch by batch, in order; older ones spilled to Parquet past ``memory_rows``.

    Subclasses name their frame: ``arrow_schema`` (the spill and ``write_parquet`` schema, whose names are
    the frame's columns), :meth:`coerce` (dtypes of columns read back) and :meth:`empty_frame`.
    """

    arrow_schema: ClassVar[pa.Schema]
    #: Prefix of the private spill folder (names what it holds when someone finds it in TMPDIR).
    spill_prefix: ClassVar[str] = "corpus-qc-spill-"

    def __init__(self, memory_rows: int = DEFAULT_MEMORY_ROWS) -> None:
        self.memory_rows = max(int(memory_rows), 1)
        self._held: list[pd.DataFrame] = []
        self._held_rows = 0
        self._spilled_rows = 0
        self._directory: Path | None = None
        self._files: list[Path] = []  # spill files in order; only the last may be open for writing
        self._writer: list[pq.ParquetWriter] = []  # zero or one open writer, shared with the finalizer
        self._finalizer: weakref.finalize | None = None

    @classmethod
    def columns(cls) -> list[str]:
        """The frame's columns, in order."""
        return list(cls.arrow_schema.names)

    @classmethod
    @abstractmethod
    def coerce(cls, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Give ``columns`` read back from Parquet the frame's dtypes (each store's own schema)."""

    @classmethod
    @abstractmethod
    def empty_frame(cls) -> pd.DataFrame:
        """A frame with no rows and the store's columns and dtypes."""

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Self:
        """A store holding one frame (in memory)."""
        store = cls(memory_rows=len(frame) + 1)
        store.append(frame)
        return store

    def __len__(self) -> int:
        return self._spilled_rows + self._held_rows

    @property
    def empty(self) -> bool:
        """True when nothing was appended (for findings: the run found nothing)."""
        return len(self) == 0

    @property
    def spilled(self) -> int:
        """How many rows were written to disk (0 while everything fits in memory)."""
        return self._spilled_rows

    def append(self, frame: pd.DataFrame) -> None:
        """Add one batch's rows (a coerced frame, in corpus order)."""
        if frame.empty:
            return
        self._held.append(frame)
        self._held_rows += len(frame)
        if self._held_rows >= self.memory_rows:
            self._spill()

    def _spill(self) -> None:
        if self._directory is None:
            with interrupts.deferred():  # no signal between making the folder and registering its removal
                directory = tempfile.TemporaryDirectory(prefix=self.spill_prefix)
                self._directory = Path(directory.name)
                self._finalizer = weakref.finalize(self, _cleanup, directory, self._writer)
        if not self._writer:
            self._files.append(self._directory / f"spill-{len(self._files):05d}.parquet")
            self._writer.append(pq.ParquetWriter(self._files[-1], self.arrow_schema, compression="zstd"))
        table = pa.Table.from_pandas(pd.concat(self._held, ignore_index=True), schema=self.arrow_schema,
                                     preserve_index=False)
        self._writer[0].write_table(table, row_group_size=CHUNK_ROWS)
        self._spilled_rows += self._held_rows
        self._held, self._held_rows = [], 0

    def _flush(self) -> None:
        # A Parquet file is readable once its footer is written: reading closes the open spill file, and a
        # later spill starts a new one.
        if self._writer:
            self._writer.pop().close()

    def chunks(self, columns: Sequence[str] | None = None, *, chunk_rows: int = CHUNK_ROWS
               ) -> Iterator[pd.DataFrame]:
        """The rows in order, as frames of about ``chunk_rows`` rows indexed by their position in the run."""
        wanted = list(columns) if columns is not None else self.columns()
        yield from self._raw_chunks(wanted, chunk_rows)

    def _raw_chunks(self, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
        position = 0
        self._flush()
        for path in self._files:
            for record_batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=columns):
                frame = self.coerce(record_batch.to_pandas(), columns)
                frame.index = pd.RangeIndex(position, position + len(frame))
                position += len(frame)
                yield frame
        for held in self._held:
            frame = held.loc[:, columns]
            frame.index = pd.RangeIndex(position, position + len(frame))
            position += len(frame)
            yield frame

    def to_frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every row as one frame (memory grows with the rows: reports read :meth:`chunks`)."""
        parts = list(self.chunks(columns))
        if not parts:
            empty = self.empty_frame()
            return empty.loc[:, list(columns)] if columns is not None else empty
        frame = pd.concat(parts) if len(parts) > 1 else parts[0]
        return frame.reset_index(drop=True)

    def write_parquet(self, where: Path | BinaryIO) -> None:
        """Write every row to a Parquet file (a path or a binary file object), chunk by chunk."""
        with pq.ParquetWriter(where, self.arrow_schema, compression="zstd") as writer:
            for chunk in self.chunks():
                writer.write_table(pa.Table.from_pandas(chunk, schema=self.arrow_schema, preserve_index=False))

    def close(self) -> None:
        """Delete the spill file now (it is deleted at garbage collection otherwise)."""
        if self._finalizer is not None:
            self._finalizer()


class FindingsStore(SpillStore):
    """Findings appended batch by batch, in order; older ones spilled to Parquet past ``memory_rows``."""

    arrow_schema = ARROW_SCHEMA
    spill_prefix = "corpus-qc-findings-"

    @classmethod
    def coerce(cls, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Give columns read back from Parquet the findings frame's dtypes."""
        if columns == FINDINGS_COLUMNS:
            return coerce_findings(frame)
        full = frame.reindex(columns=FINDINGS_COLUMNS)
        return coerce_findings(full).loc[:, columns]

    @classmethod
    def empty_frame(cls) -> pd.DataFrame:
        """An empty findings frame."""
        return empty_findings()

    def chunks(self, columns: Sequence[str] | None = None, *, whole_documents: bool = False,
               chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The findings in order, as frames of about ``chunk_rows`` rows indexed by their position in the run.

        ``whole_documents`` moves a document's findings that would straddle two chunks into the later one.
        """
        wanted = list(columns) if columns is not None else list(FINDINGS_COLUMNS)
        if whole_documents:
            wanted += [name for name in ("source_path", "source_line") if name not in wanted]
            yield from _whole_documents(self._raw_chunks(wanted, chunk_rows))
        else:
            yield from self._raw_chunks(wanted, chunk_rows)


def document_index(frame: pd.DataFrame) -> np.ndarray:
    """0, 0, 1, 1, 1, 2, …: which document (file and line) of ``frame`` each row belongs to.

    A document's findings are contiguous in the store, so a new document starts wherever the file or the
    line changes: one vectorised comparison, no per-row keys.
    """
    path_code, _ = pd.factorize(frame["source_path"], use_na_sentinel=False)
    line = frame["source_line"].to_numpy(dtype=np.int64, na_value=-1)
    change = np.ones(len(frame), dtype=bool)
    change[1:] = (path_code[1:] != path_code[:-1]) | (line[1:] != line[:-1])
    return np.cumsum(change) - 1


def _whole_documents(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    carry: pd.DataFrame | None = None
    for chunk in chunks:
        if carry is not None:
            chunk = pd.concat([carry, chunk])
            carry = None
        if chunk.empty:
            continue
        # The last document's rows (contiguous) wait for the next chunk: the document may continue there.
        documents = document_index(chunk)
        tail = int(np.searchsorted(documents, documents[-1]))
        if tail == 0:
            carry = chunk
            continue
        carry = chunk.iloc[tail:]
        yield chunk.iloc[:tail]
    if carry is not None and not carry.empty:
        yield carry
