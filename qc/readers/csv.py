"""CSV and TSV (plain, ``.gz`` or ``.zst``): every column a string, a bad row a finding, not a lost file.

``source_line`` is the record's first physical line (a quoted field may hold newlines: :class:`CsvRecordLines`
follows pyarrow's grammar over the raw bytes). An uncompressed file splits into byte ranges that start
at a record boundary, found by the same scanner from the file's start (quotes decide, so a newline inside
a quoted field is never a cut); each split knows its first line and record number, and reads the header
from the file's start. No safe boundary (a compressed file, a quote left open) means one split, said in
``--verbose``.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from qc.errors import InputError
from qc.lines import CsvRecordLines, field_line_column, line_breaks
from qc.rawio import (
    STEP_BYTES,
    UTF8_BOM,
    binary_reason,
    byte_chunks,
    count_breaks,
    open_regular,
    range_chunks,
    repair_utf8,
    valid_utf8,
    whole_end,
)
from qc.readers.base import Frames, InputFile, LoadLog, Problem, Reader, ReadOptions, Split, note_compressed

BLOCK_BYTES = 8 << 20


class _RecordStream(io.RawIOBase):
    """A file's decompressed bytes as a read-only file for pyarrow's CSV reader, checked on the way.

    pyarrow gets valid UTF-8 only: an invalid sequence is replaced with U+FFFD here and its line kept in
    ``bad_lines``, so one Latin-1 byte is a finding on its record instead of a rejected file (pyarrow's
    invalid-row handler cannot even be called with a row that is not UTF-8). Every byte goes through the
    :class:`CsvRecordLines` scanner before pyarrow sees it, so a batch's record lines are known when pyarrow
    yields it. Bytes after the last whole record wait for more: when the file turns out truncated or
    corrupt, pyarrow has seen whole records only (no half record is checked) and the error waits in
    ``error`` for the reader to raise after the records before it.
    """

    def __init__(self, chunks: Iterator[bytes], scanner: CsvRecordLines, first_line: int = 1) -> None:
        super().__init__()
        self._chunks = chunks
        self._scanner = scanner
        self._carry = b""  # a split UTF-8 character or ``\\r\\n`` at a chunk's end, completed by the next
        self._breaks = first_line - 1  # line breaks before the bytes scanned so far (a split starts mid-file)
        self._pending = bytearray()  # scanned, not yet handed to pyarrow
        self._handed = 0  # stream offset of the first pending byte
        self._ended = False
        self.error: InputError | None = None
        #: Lines of the invalid UTF-8 sequences replaced, in order.
        self.bad_lines: list[int] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._ended and self._ready() == 0:
            self._pull()
        size = min(len(view), self._ready())
        view[:size] = self._pending[:size]
        del self._pending[:size]
        self._handed += size
        return size

    def _ready(self) -> int:
        if self._ended and self.error is None:
            return len(self._pending)
        return max(0, min(len(self._pending), self._scanner.complete_until - self._handed))

    def _pull(self) -> None:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._take(self._carry)
            self._carry = b""
            self._scanner.finish()
            self._ended = True
            return
        except InputError as exc:
            self.error = exc
            self._ended = True
            self._take(self._carry)
            self._scanner.cut()
            del self._pending[max(0, self._scanner.complete_until - self._handed):]
            return
        data = self._carry + chunk
        cut = whole_end(data)
        self._carry = data[cut:]
        self._take(data[:cut])

    def _take(self, data: bytes) -> None:
        if not data:
            return
        if not valid_utf8(data):  # Arrow's check; only a chunk holding a bad byte is decoded in Python
            original = data
            data, starts = repair_utf8(original)
            # An invalid sequence holds no ASCII byte: the breaks before it are the same in both versions.
            arr = np.frombuffer(original, dtype=np.uint8)
            lone_cr = arr == 13
            lone_cr[:-1] &= arr[1:] != 10
            breaks = np.flatnonzero((arr == 10) | lone_cr)
            self.bad_lines.extend((1 + self._breaks + np.searchsorted(breaks, starts)).tolist())
        self._breaks += count_breaks(data)
        self._scanner.feed(data)
        self._pending += data


def _csv_header(head: bytes, delimiter: str, display: str) -> list[str]:
    """The column names, from the first record of the file (a quoted name may hold a newline)."""
    import csv

    text = head.removeprefix(UTF8_BOM).decode("utf-8", errors="replace")
    names = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    if any("\ufffd" in name for name in names):
        raise InputError("the header is not UTF-8; column names must be", path=display, line=1)
    return names


def _read_csv(split: Split, batch_rows: int) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    """CSV/TSV in pyarrow blocks, every column as a string; a bad record is a finding, not a lost file.

    A row with too many or too few fields (pyarrow's ``invalid_row_handler``: SC011, the row skipped) and
    bytes that are not UTF-8 (replaced with U+FFFD as the file streams in: SC003, the record still
    checked) are findings on their physical lines; the other rows are checked. Each record's first line
    comes from :class:`CsvRecordLines`, each field's from the line breaks in the fields before it.
    """
    src = split.file
    delimiter = "\t" if src.fmt == "tsv" else ","
    end = split.end if split.end is not None else None
    if split.start == 0:
        source: Iterator[bytes] = byte_chunks(src.path, src.display) if end is None else \
            range_chunks(src.path, 0, end)
        head = next(source, b"")  # the file's first step (empty for an empty file: pyarrow says so)
        reason = binary_reason(head.removeprefix(UTF8_BOM))
        if reason is not None:
            raise InputError(f"binary file ({reason}), not CSV", path=src.display)
        names = _csv_header(head[:65536], delimiter, src.display)
        chunks: Iterator[bytes] = itertools.chain([head], source)
    else:  # a range of whole records: the header is read from the file's start (the first split checks it)
        with open_regular(src.path) as handle:
            names = _csv_header(handle.read(65536), delimiter, src.display)
        source = chunks = range_chunks(src.path, split.start, end if end is not None else src.path.stat().st_size)
    scanner = CsvRecordLines(delimiter, first_line=split.first)
    stream = _RecordStream(chunks, scanner, first_line=split.first)
    invalid: list[tuple[int, str, int, int]] = []  # (record index, text, fields found, fields expected)

    def on_invalid_row(row: Any) -> str:
        invalid.append((int(row.number) - 1 if row.number is not None else -1, str(row.text),
                        int(row.actual_columns), int(row.expected_columns)))
        return "skip"

    # Every column as a string: dates and ids stay exactly as written.
    convert = pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False)
    parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid_row)
    # A split after the first starts at a record, not at the header: its rows are records 0, 1, ... of it.
    read = pcsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES,
                            column_names=None if split.start == 0 else names)
    next_record = 1 if split.start == 0 else 0  # record 0 of the file is the header
    problems: list[Problem] = []

    def invalid_before(record: int) -> None:
        """Report the invalid rows before record index ``record`` (and forget them)."""
        while invalid and invalid[0][0] < record:
            index, text, found, expected = invalid.pop(0)
            line = int(scanner.lines(np.array([index]))[0]) if index >= 0 else scanner.open_record_line
            problems.append(Problem("SC011", src.display, line, f"row has {found} fields, the header has "
                                    f"{expected}; the row is not checked", match=text[:80]))

    try:
        with io.BufferedReader(stream, buffer_size=STEP_BYTES) as handle:
            reader = pcsv.open_csv(handle, read_options=read, parse_options=parse, convert_options=convert)
            for record_batch in reader:
                rows = record_batch.num_rows
                if not rows:
                    continue
                first_record = next_record
                skipped = np.array([index for index, *_ in invalid if index >= next_record], dtype=np.int64)
                records = np.arange(next_record, next_record + rows + len(skipped), dtype=np.int64)
                records = records[~np.isin(records, skipped)][:rows]
                next_record = int(records[-1]) + 1
                invalid_before(next_record)
                lines = scanner.lines(records)
                frame = record_batch.to_pandas()
                field_lines: dict[str, np.ndarray] = {}
                below = lines.copy()
                for name, values in zip(record_batch.schema.names, record_batch.columns, strict=True):
                    field_lines[field_line_column(name)] = below.copy()
                    below += line_breaks(values)
                if stream.bad_lines:
                    problems.extend(_invalid_utf8_problems(stream, scanner, first_record, records, frame,
                                                           field_lines, src.display))
                scanner.release(next_record - 1)
                frame["source_line"] = lines
                frame = frame.assign(**field_lines)
                yield frame, problems
                problems = []
    except pa.ArrowInvalid as exc:
        raise InputError(f"malformed CSV ({str(exc).splitlines()[0]})", path=src.display,
                         line=scanner.open_record_line) from None
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()  # the file is closed now, not when the generator is collected
    invalid_before(scanner.records + 1)
    if problems:
        yield pd.DataFrame({"source_line": pd.Series([], dtype="int64")}), problems
    if stream.error is not None:
        raise stream.error


def _invalid_utf8_problems(stream: _RecordStream, scanner: CsvRecordLines, first_record: int,
                           records: np.ndarray, frame: pd.DataFrame, field_lines: dict[str, np.ndarray],
                           display: str) -> list[Problem]:
    """SC003 for the records of this batch that held invalid UTF-8 (one each, at its first bad line).

    A bad line belongs to the last record starting at or before it. Lines at or after the next record's
    start wait for the next batch; when that start is not known yet, lines after this batch's last
    record's start wait too (it may go on), unless the file has ended.
    """
    last = int(records[-1])
    bad = np.asarray(stream.bad_lines, dtype=np.int64)
    if scanner.records > last + 1:
        mine = bad < int(scanner.lines(np.array([last + 1]))[0])
    elif scanner.finished:
        mine = np.ones(len(bad), dtype=bool)
    else:
        mine = bad < int(scanner.lines(np.array([last]))[0])
    stream.bad_lines = bad[~mine].tolist()
    span = np.arange(first_record, last + 1)
    owners = span[np.maximum(np.searchsorted(scanner.lines(span), bad[mine], side="right") - 1, 0)]
    problems: list[Problem] = []
    seen: set[int] = set()
    for owner, line in zip(owners.tolist(), bad[mine].tolist(), strict=True):
        row = int(np.searchsorted(records, owner))
        if owner in seen or row >= len(records) or records[row] != owner:
            continue  # a later byte of the same record, or a row already reported as malformed (SC011)
        seen.add(owner)
        # The field: the last one starting at or before the line that holds a replacement character.
        name = next((str(c) for c in reversed(frame.columns)
                     if field_lines[field_line_column(str(c))][row] <= line and isinstance(frame[c].iat[row], str)
                     and "\ufffd" in frame[c].iat[row]), None)
        value = frame[name].iat[row] if name is not None else ""
        problems.append(Problem("SC003", display, int(scanner.lines(np.array([owner]))[0]),
                                f"{name + ': ' if name else ''}invalid UTF-8 on line {line}; decoded with "
                                "replacement characters", field=name, match=str(value)[:80], line=line))
    return problems



def _safe_cuts(src: InputFile, target_bytes: int) -> list[tuple[int, int, int]] | None:
    """Record boundaries about ``target_bytes`` apart as (byte offset, first line, record index), or None when
    the file ends inside a quoted field (no boundary can be trusted). Each cut follows a ``\\n`` (never
    between the two bytes of a ``\\r\\n``)."""
    delimiter = "\t" if src.fmt == "tsv" else ","
    scanner = CsvRecordLines(delimiter)
    cuts: list[tuple[int, int, int]] = []
    last = 0
    position = 0
    piece = max(64, min(STEP_BYTES, target_bytes // 4))  # a cut can fall after any piece's last terminator
    with open_regular(src.path) as handle:
        while step := handle.read(piece):
            scanner.feed(step)
            position += len(step)
            cut = scanner.complete_until
            # The byte before the cut is in this step (the scanner holds back only the step's last byte).
            inside = position - len(step) <= cut - 1 < position
            if cut - last >= target_bytes and inside and step[cut - 1 - (position - len(step))] == 0x0A:
                cuts.append((cut, scanner.open_record_line, scanner.records))
                last = cut
    scanner.cut()
    if scanner.in_quotes:
        return None  # the file ends inside a quoted field: the scanner's view of every quote is in doubt
    return [c for c in cuts if c[0] < position]


class CsvReader(Reader):
    """CSV: byte ranges at record boundaries (quotes respected), one split when none is safe."""

    name = "csv"
    suffixes = (".csv",)
    locator = "line"
    delimiter = ","

    def recognises(self, path: Path, head: bytes) -> bool:
        return binary_reason(head.removeprefix(UTF8_BOM)) is None

    def plan_splits(self, src: InputFile, target_bytes: int, log: LoadLog | None = None) -> list[Split]:
        if src.compressed:
            note_compressed(src, log)
            return [Split(src)]
        try:
            if src.path.stat().st_size <= target_bytes:
                return [Split(src)]
            cuts = _safe_cuts(src, target_bytes)
        except (InputError, OSError):
            return [Split(src)]  # the read reports it
        if cuts is None:
            if log is not None:
                log.notes.append(f"{src.display}: no safe record boundary (a quoted field is left open), "
                                 "read as one split")
            return [Split(src)]
        if not cuts:
            return [Split(src)]
        splits = [Split(src, 0, cuts[0][0])]
        for (start, line, record), nxt in zip(cuts, [*cuts[1:], None], strict=True):
            splits.append(Split(src, start, nxt[0] if nxt else None, first=line, first_record=record))
        return splits

    def read(self, split: Split, options: ReadOptions, log: LoadLog) -> Frames:
        return _read_csv(split, options.batch_rows)


class TsvReader(CsvReader):
    """TSV: CSV with tabs."""

    name = "tsv"
    suffixes = (".tsv",)
    delimiter = "\t"
