"""Where things are in a file: physical lines of CSV records and of offsets inside multi-line fields.

Two line numbers describe a finding. ``source_line`` is its record's first physical line: the record's
address, what every report groups a document's findings by. ``line`` is where the finding itself is: in
formats whose fields span physical lines (CSV/TSV quoted fields, text-folder posts), the line of the
match's start offset; elsewhere (JSON Lines, where a newline in a string is the escape ``\\n``, and
Parquet) the record's line.

A reader marks a field whose newlines are physical by giving the canonical frame a column
:func:`field_line_column` (``source_line:<field>``) holding the physical line where each value starts;
:func:`finding_lines` turns (row, field, start offset) into lines for a whole batch of findings at once.

A line break is ``\\n``, ``\\r\\n`` (one break) or a lone ``\\r``: what pyarrow's CSV parser ends a
record at, and what editors show as a new line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Prefix of the canonical frame's per-field start-line columns.
FIELD_LINE_PREFIX = "source_line:"

_LF, _CR, _QUOTE = 10, 13, 34


def field_line_column(name: str) -> str:
    """The name of the column holding the physical line where field ``name``'s values start."""
    return FIELD_LINE_PREFIX + name


def line_breaks(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Line breaks in each value of a string or binary array (``\\r\\n`` counts once), nulls as 0."""
    lf = pc.count_substring(values, "\n")
    cr = pc.count_substring(values, "\r")
    crlf = pc.count_substring(values, "\r\n")
    total = pc.subtract(pc.add(lf, cr), crlf)
    return np.asarray(pc.fill_null(total, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def finding_lines(frame: pd.DataFrame, rows: np.ndarray, fields: Sequence[str | None] | np.ndarray,
                  starts: Sequence[int | None] | pd.arrays.IntegerArray) -> np.ndarray:
    """The physical line of each finding (row of ``frame``, field, start offset in characters).

    The record's ``source_line`` unless the field has a start-line column (its newlines are physical) and
    the finding has a start: then the field's first line plus the line breaks before the start. Vectorised
    per field: the texts of the rows with findings are joined once and their breaks found with numpy.
    """
    lines = frame["source_line"].to_numpy(dtype=np.int64)[rows]
    if not len(rows):
        return lines
    field_array = np.asarray(fields, dtype=object)
    start_array = starts if isinstance(starts, pd.arrays.IntegerArray) else pd.array(list(starts), dtype="Int64")
    has_start = ~np.asarray(start_array.isna(), dtype=bool)
    for name in pd.unique(field_array[has_start]):
        column = field_line_column(str(name))
        if name is None or column not in frame.columns or name not in frame.columns:
            continue
        chosen = np.flatnonzero(has_start & (field_array == name))
        offsets = np.asarray(start_array[chosen], dtype=np.int64)
        texts, which = np.unique(rows[chosen], return_inverse=True)
        base = frame[column].to_numpy(dtype=np.int64)[texts]
        lines[chosen] = base[which] + _breaks_before(frame[name].to_numpy(dtype=object)[texts], which, offsets)
    return lines


def _breaks_before(texts: np.ndarray, which: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """For each (text index, character offset): the line breaks in ``texts[index][:offset]``."""
    strings = [t if isinstance(t, str) else "" for t in texts.tolist()]
    # UTF-32 makes a character offset an array index; surrogatepass keeps one unit per character even for
    # a lone surrogate from a caller's DataFrame.
    codes = np.frombuffer("".join(strings).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = pc.utf8_length(pa.array(strings, type=pa.large_string())).to_numpy(zero_copy_only=False)
    first = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))[:-1]
    is_break = codes == _LF
    lone_cr = codes == _CR
    lone_cr[:-1] &= codes[1:] != _LF
    breaks = np.flatnonzero(is_break | lone_cr)
    row_first = first[which]
    at = row_first + np.minimum(offsets, lengths[which])
    return np.searchsorted(breaks, at) - np.searchsorted(breaks, row_first)


class CsvRecordLines:
    """The first physical line of every record of a CSV/TSV stream, found as pyarrow's parser splits it.

    pyarrow reports rows, not lines: after a quoted field holding newlines, or a blank line (skipped),
    the row number is not the line. This follows the same grammar over the raw bytes: a quote opens a
    quoted field only at a field's start, ``""`` inside one is a quote, a quote elsewhere is literal;
    ``\\n``, ``\\r\\n`` and ``\\r`` outside quotes end a record; an empty record (a blank line) is skipped.
    Feed the bytes in order (:meth:`feed`, then :meth:`finish`); records are numbered from 0 (the header).
    Work is vectorised per chunk, except a loop over the quote characters when there are any.
    """

    def __init__(self, delimiter: str, first_line: int = 1) -> None:
        self._separators = (ord(delimiter), _LF, _CR)
        self._started = False
        self._held = b""  # the chunk's last byte waits for the next chunk, which tells what it is
        self._position = 0  # stream offset of the next byte to scan
        self._breaks = first_line - 1  # line breaks before ``_position`` (a split may start mid-file)
        # Quote state carried from one chunk to the next.
        self._in_quotes = False
        self._skip_first_quote = False  # the next chunk starts with the second quote of a ""
        self._previous: int | None = None  # the last byte scanned (None: at the stream's start)
        self._record_start = 0  # stream offset where the record not yet terminated starts
        self._record_line = first_line  # and its first line
        self._lines: list[np.ndarray] = []  # first lines of records ``_base``, ``_base + 1``, ...
        self._base = 0
        self.records = 0
        self.finished = False
        #: Stream offset just after the last record terminator: the bytes before it are whole records.
        self.complete_until = 0

    @property
    def open_record_line(self) -> int:
        """The first line of the record not yet terminated (where a broken quote or a cut-off file is)."""
        return self._record_line

    @property
    def in_quotes(self) -> bool:
        """Whether the bytes scanned so far end inside a quoted field."""
        return self._in_quotes

    def feed(self, data: bytes) -> None:
        """Scan the next bytes of the stream."""
        if not self._started and data:
            self._started = True
            if data.startswith(b"\xef\xbb\xbf"):  # pyarrow skips a UTF-8 byte-order mark
                data = data[3:]
                self._position = self._record_start = self.complete_until = 3
        data = self._held + data
        if len(data) > 1:
            self._scan(np.frombuffer(data, dtype=np.uint8)[:-1], data[-1])
            data = data[-1:]
        self._held = data

    def cut(self) -> None:
        """The stream broke off (truncated or corrupt): scan what is held; the unterminated record is not
        one (``complete_until`` is where the whole records end)."""
        if self._held:
            self._scan(np.frombuffer(self._held, dtype=np.uint8), None)
            self._held = b""

    def finish(self) -> None:
        """The stream ended: the last record may have no terminator."""
        self.cut()
        if self._position > self._record_start:
            self._add(np.array([self._record_line], dtype=np.int64))
            self._record_start = self.complete_until = self._position
        self.finished = True

    def lines(self, records: np.ndarray) -> np.ndarray:
        """The first lines of the given record indices (found already, not released)."""
        if len(self._lines) != 1:
            self._lines = [np.concatenate(self._lines) if self._lines else np.zeros(0, dtype=np.int64)]
        return self._lines[0][np.asarray(records, dtype=np.int64) - self._base]

    def release(self, below: int) -> None:
        """Forget the lines of records before index ``below``, so memory stays bounded on a long file."""
        held = self.lines(np.zeros(0, dtype=np.int64)) if self._lines else np.zeros(0, dtype=np.int64)
        drop = max(0, min(below - self._base, len(held)))
        self._lines = [self._lines[0][drop:]] if self._lines else []
        self._base += drop

    def _add(self, lines: np.ndarray) -> None:
        if len(lines):
            self._lines.append(lines)
            self.records += len(lines)

    def _scan(self, arr: np.ndarray, following: int | None) -> None:
        """Scan ``arr`` (at stream offset ``_position``); ``following`` is the byte after it (None: EOF)."""
        if not len(arr):
            return
        offset = self._position
        quotes = np.flatnonzero(arr == _QUOTE)
        quoted = self._quoted(arr, quotes, following) if len(quotes) or self._in_quotes else None
        lf = arr == _LF
        cr = arr == _CR
        lone_cr = cr.copy()
        lone_cr[:-1] &= ~lf[1:]
        lone_cr[-1] &= following != _LF
        breaks = np.flatnonzero(lf | lone_cr)
        ends = lf | cr
        if quoted is not None:
            ends &= ~quoted
        terminators = np.flatnonzero(ends)
        if len(terminators):
            # Segments between terminators; the non-empty ones are records (pyarrow skips blank lines).
            starts = np.concatenate(([self._record_start - offset], terminators[:-1] + 1))
            first_lines = self._breaks + 1 + np.searchsorted(breaks, starts)
            first_lines[0] = self._record_line
            self._add(first_lines[terminators > starts].astype(np.int64))
            self._record_start = self.complete_until = offset + int(terminators[-1]) + 1
            self._record_line = self._breaks + 1 + int(np.searchsorted(breaks, terminators[-1] + 1))
        self._breaks += len(breaks)
        self._position = offset + len(arr)
        self._previous = int(arr[-1])

    def _quoted(self, arr: np.ndarray, quotes: np.ndarray, following: int | None) -> np.ndarray:
        """True for the bytes of ``arr`` inside a quoted field; the quote state carries to the next chunk."""
        quoted = np.zeros(len(arr), dtype=bool)
        opened = 0 if self._in_quotes else -1
        skip = self._skip_first_quote
        self._skip_first_quote = False
        last = len(arr) - 1
        for position in quotes.tolist():
            if skip:  # the second quote of a "" pair
                skip = False
                continue
            if opened < 0:
                before = int(arr[position - 1]) if position else self._previous
                if before is None or before in self._separators:
                    opened = position
                continue
            after = int(arr[position + 1]) if position < last else following
            if after == _QUOTE:
                skip = True
                self._skip_first_quote = position == last
                continue
            quoted[opened:position] = True
            opened = -1
        if opened >= 0:
            quoted[opened:] = True
        self._in_quotes = opened >= 0
        return quoted


def previous_line(text: str, line_start: int) -> str:
    """The nearest non-blank line above the line that starts at ``line_start`` in ``text``, stripped (the
    date kinds read a stamp's or a footer's neighbour with it)."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line:
            return line
        end = start - 1
    return ""
