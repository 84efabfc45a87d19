"""Read corpora into canonical, batch-sized pandas frames.

Inputs are any mix of files, directories and globs: JSON Lines (plain, ``.gz``, ``.zst``), Parquet,
CSV/TSV, and directories whose ``.txt``/``.md``/``.html`` files are one post each. Reading is batched
(pyarrow's JSON parser on newline-aligned blocks, Parquet row batches, chunked CSV, file by file for text
folders) so memory follows the batch size, not the corpus size. Every record carries ``source_path`` and
``source_line``. Record-level problems (a malformed JSON line, invalid UTF-8, a record that is not an
object) become :class:`Problem` rows for the ``schema`` family; file-level problems (unreadable, binary,
truncated, no text column) are :class:`InputError` values collected on the :class:`LoadLog`, so one bad
file never hides the others. Input files are opened read-only, and only regular ones (bytes, compressed
members, binary sniffing and UTF-8 checks are :mod:`qc.rawio`; physical line numbers are :mod:`qc.lines`).
"""

from __future__ import annotations

import glob
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

from qc import features
from qc.chrome_dates import empty_columns as empty_chrome_columns
from qc.chrome_dates import recover as recover_chrome_dates
from qc.dates import dayfirst_mask, parse_timestamps
from qc.errors import InputError
from qc.lines import FIELD_LINE_PREFIX, CsvRecordLines, field_line_column, line_breaks
from qc.rawio import (
    STEP_BYTES,
    UTF8_BOM,
    binary_reason,
    byte_chunks,
    count_breaks,
    not_regular,
    open_regular,
    range_chunks,
    repair_utf8,
    valid_utf8,
    whole_end,
)

CANONICAL = ("doc_id", "text", "url", "site", "title", "author", "posted_at", "captured_at", "lang")
REQUIRED = ("doc_id", "text")
#: Well-known source names recognised when no field map is configured, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "doc_id": ("doc_id", "id", "_id", "uuid", "post_id"),
    "text": ("text", "content", "body", "raw_content", "article"),
    "url": ("url", "link", "source_url"),
    "site": ("site", "domain", "host"),
    "title": ("title", "headline"),
    "author": ("author", "byline"),
    "posted_at": ("posted_at", "date", "published", "published_at", "pub_date", "post_time"),
    "captured_at": ("captured_at", "crawl_time", "fetched_at", "crawled_at", "scraped_at", "capture_time"),
    "lang": ("lang", "language"),
}
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSED = (".gz", ".zst")
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
TABLE_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv")
BLOCK_BYTES = 8 << 20
DEFAULT_BATCH_ROWS = 20_000


@dataclass(frozen=True)
class Problem:
    """A record-level input problem, reported as a ``schema`` finding.

    ``source_line`` is the record's (first) line, ``line`` where in it the problem is when that differs
    (a bad byte on a later line of a multi-line CSV field or text post).
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
    """One resolved input: its path, how to read it, and (for text folders) the root for doc_ids.

    ``problem`` says why a path that would have been read cannot be (a FIFO, a socket, a device, a dangling
    link, an unreadable directory): it is reported as a file-level error and never opened.
    """

    path: Path
    fmt: str  # jsonl | parquet | csv | tsv | text
    root: Path | None = None
    problem: str | None = None

    @property
    def display(self) -> str:
        """The path as reported to users."""
        return str(self.path)


@dataclass
class LoadLog:
    """What loading saw: files read, field mappings used, file-level errors, records read."""

    files: list[str] = field(default_factory=list)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    records: int = 0


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in COMPRESSED:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".tsv"):
        return "tsv"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def _walk(directory: Path) -> Iterator[tuple[Path, str | None]]:
    """Every non-directory entry under ``directory`` (hidden ones and links to directories excepted),
    with a reason when it is not a readable regular file; an unreadable subdirectory is an entry too."""
    unreadable: list[OSError] = []
    for top, dirs, names in os.walk(directory, onerror=unreadable.append):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (Path(top) / d).is_symlink()]
        for name in names:
            if not name.startswith("."):
                child = Path(top) / name
                yield child, not_regular(child)
    for error in unreadable:
        yield Path(error.filename), f"cannot read directory ({error.strerror or error})"


def resolve_inputs(specs: Iterable[str | Path]) -> list[InputFile]:
    """Expand paths, directories and globs into input files, in a stable order.

    Raises :class:`InputError` for a missing path, a glob that matches nothing or a file of unknown type.
    Paths that exist but cannot be read as files (FIFOs, sockets, devices, dangling links, unreadable
    directories) are returned with a ``problem``: reported per file, never opened, the others still read.
    """
    resolved: list[InputFile] = []
    for spec in specs:
        text = str(spec)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise InputError("glob matched no files", path=text)
            paths = [Path(m) for m in matches]
        else:
            path = Path(text)
            if not path.exists():
                if path.is_symlink():
                    raise InputError("dangling symbolic link (its target does not exist)", path=text)
                raise InputError("no such file or directory", path=text)
            paths = [path]
        for path in paths:
            if path.is_dir():
                entries = sorted(_walk(path), key=lambda entry: entry[0])
                for child, problem in entries:
                    fmt = _format_of(child)
                    if problem is not None and problem.startswith("cannot read directory"):
                        resolved.append(InputFile(child, "directory", problem=problem))
                    elif fmt is not None:
                        resolved.append(InputFile(child, fmt, root=path if fmt == "text" else None, problem=problem))
                continue
            fmt = _format_of(path)
            if fmt is None:
                raise InputError(
                    "unknown input type (expected .jsonl/.ndjson/.json[.gz|.zst], .parquet, .csv, .tsv, "
                    ".txt/.md/.html or a directory)",
                    path=str(path),
                )
            resolved.append(InputFile(path, fmt, root=path.parent if fmt == "text" else None,
                                      problem=not_regular(path)))
    return resolved


# -- raw readers: each yields (frame of source columns with source_line, problems) ----------------------


def _read_blocks(chunks: Iterator[bytes], block_bytes: int) -> Iterator[bytes]:
    """Newline-aligned blocks of about ``block_bytes`` from a stream of byte chunks.

    If the stream raises (truncation), the complete lines read so far are yielded first.
    """
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            parts.append(chunk)
            size += len(chunk)
            if size < block_bytes:
                continue
            data = b"".join(parts)
            while len(data) >= block_bytes:
                cut = data.rfind(b"\n", 0, block_bytes)
                if cut < 0:  # one line longer than a block: the block grows to hold it
                    cut = data.find(b"\n", block_bytes)
                    if cut < 0:
                        break
                yield data[: cut + 1]
                data = data[cut + 1 :]
            parts, size = [data], len(data)
    except InputError:
        data = b"".join(parts)
        if data.rfind(b"\n") >= 0:
            yield data[: data.rfind(b"\n") + 1]
        raise
    data = b"".join(parts)
    if data:
        yield data


def _line_spans(block: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end byte offsets of every line in ``block`` (newline excluded)."""
    arr = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    ends = newlines if block.endswith(b"\n") else np.append(newlines, len(block))
    starts = np.concatenate(([0], newlines + 1))[: len(ends)]
    return starts, ends


def _jsonl_frame_fast(block: bytes) -> pa.Table | None:
    """Parse a block with pyarrow's JSON reader; None when the block needs the per-line path."""
    if not valid_utf8(block):  # pyarrow's JSON reader does not validate UTF-8: bad bytes take the per-line path
        return None
    try:
        table = pjson.read_json(io.BytesIO(block), read_options=pjson.ReadOptions(use_threads=False,
                                                                                   block_size=len(block) + 1))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # pyarrow infers timestamps from ISO strings; dates must stay as given, so re-read those as strings.
    stamped = [f.name for f in table.schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
    if stamped:
        schema = pa.schema([(name, pa.string()) for name in stamped])
        options = pjson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        try:
            table = pjson.read_json(io.BytesIO(block), parse_options=options,
                                    read_options=pjson.ReadOptions(use_threads=False, block_size=len(block) + 1))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    return table


def jsonl_ranges(src: InputFile, target_bytes: int) -> list[tuple[int, int]]:
    """Split an uncompressed JSON Lines file into newline-aligned byte ranges of about ``target_bytes``.

    Only seeks and reads one line per boundary, so a distributed engine can plan partitions cheaply.
    """
    size = src.path.stat().st_size
    cuts = [0]
    with open_regular(src.path) as handle:
        while cuts[-1] + target_bytes < size:
            handle.seek(cuts[-1] + target_bytes)
            handle.readline()
            position = handle.tell()
            if position >= size:
                break
            cuts.append(position)
    cuts.append(size)
    return list(itertools.pairwise(cuts))


def count_lines(src: InputFile, start: int, end: int) -> int:
    """Newlines in bytes ``[start, end)`` of a file (to number the lines of the ranges after it)."""
    return sum(chunk.count(b"\n") for chunk in range_chunks(src.path, start, end))


def jsonl_blocks(src: InputFile, block_bytes: int = BLOCK_BYTES, max_lines: int | None = None,
                 byte_range: tuple[int, int] | None = None, first_line: int = 1
                 ) -> Iterator[tuple[bytes, int, int]]:
    """Newline-aligned blocks of a JSON Lines file as (bytes, number of its first line, lines in it).

    A block holds at most ``block_bytes`` (plus one line) and at most ``max_lines`` lines, so what a
    batch holds follows the batch size whatever the record length. Decompression happens here; parsing
    is :func:`jsonl_block_frame`, which can run in another process. ``byte_range`` (uncompressed files
    only, from :func:`jsonl_ranges`) reads part of the file, whose first line is ``first_line``.
    """
    display = src.display
    chunks = range_chunks(src.path, *byte_range) if byte_range is not None else byte_chunks(src.path, display)
    at_start = byte_range is None or byte_range[0] == 0
    for block in _read_blocks(chunks, block_bytes):
        if at_start:
            at_start = False
            reason = binary_reason(block)
            if reason is not None:
                raise InputError(f"binary file ({reason}), not JSON Lines", path=display)
            # A byte-order mark is no part of the first record (pyarrow skips it; json.loads would not).
            block = block.removeprefix(UTF8_BOM)
            if not block:
                continue
        for part, lines in _split_lines(block, max_lines):
            yield part, first_line, lines
            first_line += lines


def _split_lines(block: bytes, max_lines: int | None) -> Iterator[tuple[bytes, int]]:
    """Parts of at most ``max_lines`` lines, with their line counts (numpy finds the newlines once)."""
    newlines = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    last = 0 if block.endswith(b"\n") else 1  # a final line without its newline still counts
    if not max_lines or len(newlines) + last <= max_lines:
        yield block, len(newlines) + last
        return
    start = 0
    for cut in newlines[max_lines - 1 :: max_lines].tolist():
        yield block[start : cut + 1], max_lines
        start = cut + 1
    if start < len(block):
        yield block[start:], len(newlines) % max_lines + last


#: Deepest JSON nesting read. pyarrow's JSON reader crashes the process (a segfault) a few thousand levels
#: down and ``json.loads`` raises RecursionError near a thousand: a deeper record is a malformed-line finding.
MAX_JSON_DEPTH = 512
#: A JSON escape of half a surrogate pair (``\ud800``-``\udfff``); paired ones decode to one character.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth(line: bytes) -> int:
    """How deep ``[``/``{`` nest in one JSON line, brackets inside strings not counted (numpy, no loop)."""
    arr = np.frombuffer(line, dtype=np.uint8)
    quote = arr == 34
    backslash = arr == 92
    if backslash.any():  # a quote after an odd run of backslashes is escaped
        index = np.arange(len(arr))
        last_plain = np.maximum.accumulate(np.where(backslash, -1, index))
        at = np.flatnonzero(quote[1:]) + 1
        run = (at - 1) - last_plain[at - 1]
        quote[at[run % 2 == 1]] = False
    outside = np.cumsum(quote) % 2 == 0
    step = (((arr == 91) | (arr == 123)) & outside).astype(np.int32) - (((arr == 93) | (arr == 125)) & outside)
    return int(np.cumsum(step).max()) if len(step) else 0


def _too_deep(block: bytes, starts: np.ndarray, ends: np.ndarray, lines: np.ndarray) -> set[int]:
    """The lines (indices into ``starts``) nested deeper than :data:`MAX_JSON_DEPTH`.

    A line needs more opening brackets than that to be that deep: numpy counts each line's ``[`` and
    ``{`` (one pass: ``[`` and ``{`` are the two bytes that OR 0x20 makes 0x7B), and the exact,
    string-aware depth is taken only on the rare lines with that many.
    """
    if len(block) <= MAX_JSON_DEPTH:
        return set()
    opens = np.flatnonzero((np.frombuffer(block, dtype=np.uint8) | 0x20) == 0x7B)
    if len(opens) <= MAX_JSON_DEPTH:
        return set()
    counts = np.searchsorted(opens, ends[lines]) - np.searchsorted(opens, starts[lines])
    return {int(i) for i in lines[counts > MAX_JSON_DEPTH].tolist()
            if json_depth(block[starts[i] : ends[i]]) > MAX_JSON_DEPTH}


def jsonl_block_frame(block: bytes, first_line: int, display: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one newline-aligned block (its first line is number ``first_line``) into source columns."""
    starts, ends = _line_spans(block)
    lengths = ends - starts
    nonblank = np.flatnonzero(lengths > 0)
    # A line holding only whitespace counts as blank for pyarrow too; rare, so check exactly.
    nonblank = np.array([i for i in nonblank if block[starts[i] : ends[i]].strip()], dtype=np.int64)
    too_deep = _too_deep(block, starts, ends, nonblank)
    table = None if too_deep else _jsonl_frame_fast(block)
    if table is not None and table.num_rows == len(nonblank):
        frame = table.to_pandas()
        frame["source_line"] = (nonblank + first_line).astype("int64")
        return frame, []
    return _jsonl_lines(block, starts, ends, nonblank, first_line, display, too_deep)


def _read_jsonl(src: InputFile, block_bytes: int, max_lines: int | None = None
                ) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    for block, first_line, _ in jsonl_blocks(src, block_bytes, max_lines):
        yield jsonl_block_frame(block, first_line, src.display)


def _without_surrogates(value: Any) -> tuple[Any, bool]:
    """``value`` with every lone surrogate (from a ``\\ud800``-style escape) in its strings and keys
    replaced by U+FFFD, and whether there was one. Recursion is bounded by :data:`MAX_JSON_DEPTH`."""
    if isinstance(value, str):
        fixed = _SURROGATE.sub("\ufffd", value)
        return fixed, fixed != value
    if isinstance(value, list):
        items = [_without_surrogates(item) for item in value]
        return [item for item, _ in items], any(hit for _, hit in items)
    if isinstance(value, dict):
        pairs = [(_without_surrogates(k), _without_surrogates(v)) for k, v in value.items()]
        return {k: v for (k, _), (v, _) in pairs}, any(hk or hv for (_, hk), (_, hv) in pairs)
    return value, False


def _jsonl_lines(block: bytes, starts: np.ndarray, ends: np.ndarray, nonblank: np.ndarray, first_line: int,
                 display: str, too_deep: set[int] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Slow path: parse line by line so one bad line is a problem, not a lost block.

    Only blocks the fast path refused come here: invalid UTF-8, a malformed line, a line that is not an
    object, a lone surrogate escape, types that change between records, nesting too deep.
    Lists and objects stay Python objects (as the fast path leaves them): a canonical text field holding
    one is reported when the record is canonicalised, never checked as its JSON dump.
    """
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for i in nonblank.tolist():
        raw = block[starts[i] : ends[i]].removeprefix(UTF8_BOM)  # a BOM left by concatenating files
        line = first_line + i
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            problems.append(Problem("SC003", display, line, f"invalid UTF-8 at byte {exc.start}; decoded "
                                    "with replacement characters", match=text[:80]))
        if too_deep and i in too_deep:
            problems.append(Problem("SC001", display, line, f"malformed JSON: nested deeper than {MAX_JSON_DEPTH} "
                                    "levels", match=text[:80]))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            nul = text.find("\x00")
            reason = f"a raw NUL byte at column {nul + 1} (binary data in the line)" if nul >= 0 else \
                f"{exc.msg} at column {exc.colno}"
            problems.append(Problem("SC001", display, line, f"malformed JSON: {reason}", match=text[:80]))
            continue
        except RecursionError:
            problems.append(Problem("SC001", display, line, "malformed JSON: nested too deeply", match=text[:80]))
            continue
        if not isinstance(value, dict):
            problems.append(Problem("SC002", display, line, f"record is a JSON {json_type_name(value)}, "
                                    "not an object", match=text[:80]))
            continue
        if _SURROGATE_ESCAPE.search(raw):  # a cheap byte search first: most lines have no such escape
            cleaned: dict[str, Any] = {}
            for key, item in value.items():
                (name, key_hit), (item, item_hit) = _without_surrogates(key), _without_surrogates(item)
                cleaned[name] = item
                if key_hit or item_hit:
                    problems.append(Problem("SC010", display, line, f"{name}: a lone surrogate escape (half a "
                                            "UTF-16 pair, like \\ud800) replaced with U+FFFD", field=name))
            value = cleaned
        records.append(value)
        lines.append(line)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    frame["source_line"] = pd.Series(lines, dtype="int64")
    return frame, problems


def json_type_name(value: Any) -> str:
    """The JSON name of a parsed value's type (what a user wrote, not the Python or numpy class)."""
    if _is_missing(value):
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


def _read_parquet(src: InputFile, batch_rows: int) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    with open_regular(src.path) as handle:
        try:
            parquet = pq.ParquetFile(handle)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file ({exc})", path=src.display) from None
        row = 1
        for record_batch in parquet.iter_batches(batch_size=batch_rows):
            frame = record_batch.to_pandas()
            frame["source_line"] = np.arange(row, row + len(frame), dtype="int64")
            row += len(frame)
            yield frame, []


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

    def __init__(self, chunks: Iterator[bytes], scanner: CsvRecordLines) -> None:
        super().__init__()
        self._chunks = chunks
        self._scanner = scanner
        self._carry = b""  # a split UTF-8 character or ``\\r\\n`` at a chunk's end, completed by the next
        self._breaks = 0  # line breaks in the bytes scanned so far
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


def _read_csv(src: InputFile, batch_rows: int) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    """CSV/TSV in pyarrow blocks, every column as a string; a bad record is a finding, not a lost file.

    A row with too many or too few fields (pyarrow's ``invalid_row_handler``: SC011, the row skipped) and
    bytes that are not UTF-8 (replaced with U+FFFD as the file streams in: SC003, the record still
    checked) are findings on their physical lines; the other rows are checked. Each record's first line
    comes from :class:`CsvRecordLines`, each field's from the line breaks in the fields before it.
    """
    delimiter = "\t" if src.fmt == "tsv" else ","
    chunks = byte_chunks(src.path, src.display)
    head = next(chunks, b"")  # the file's first step (empty for an empty file: pyarrow says so)
    reason = binary_reason(head.removeprefix(UTF8_BOM))
    if reason is not None:
        raise InputError(f"binary file ({reason}), not CSV", path=src.display)
    names = _csv_header(head[:65536], delimiter, src.display)
    scanner = CsvRecordLines(delimiter)
    stream = _RecordStream(itertools.chain([head], chunks), scanner)
    invalid: list[tuple[int, str, int, int]] = []  # (record index, text, fields found, fields expected)

    def on_invalid_row(row: Any) -> str:
        invalid.append((int(row.number) - 1 if row.number is not None else -1, str(row.text),
                        int(row.actual_columns), int(row.expected_columns)))
        return "skip"

    # Every column as a string: dates and ids stay exactly as written.
    convert = pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False)
    parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid_row)
    read = pcsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES)
    next_record = 1  # record 0 is the header
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
        chunks.close()  # the file is closed now, not when the generator is collected
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


def _read_text_files(files: list[InputFile], log: LoadLog) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    """One record per file (its doc_id the path under the folder); a file that cannot be read is a
    file-level error on ``log`` and the others are still read."""
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for src in files:
        log.files.append(src.display)
        try:
            with open_regular(src.path) as handle:
                raw = handle.read()
        except InputError as exc:
            log.errors.append(exc)
            continue
        except OSError as exc:
            log.errors.append(InputError(f"cannot read file ({exc.strerror or exc})", path=src.display))
            continue
        reason = binary_reason(raw)
        if reason is not None:
            log.errors.append(InputError(f"binary file ({reason}), not a text post", path=src.display))
            continue
        raw = raw.removeprefix(UTF8_BOM)
        doc_id = src.path.relative_to(src.root).as_posix() if src.root else src.path.name
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            problems.append(Problem("SC003", src.display, 1, f"invalid UTF-8 at byte {exc.start}; decoded "
                                    "with replacement characters", field="text", doc_id=doc_id,
                                    line=1 + count_breaks(raw[: exc.start])))
        records.append({"doc_id": doc_id, "text": text, "source_path": src.display, "source_line": 1,
                        field_line_column("text"): 1})
    if records or problems:
        yield pd.DataFrame.from_records(records), problems


# -- canonical frame ----------------------------------------------------------------------------------


def field_mapping(columns: Iterable[str], field_map: dict[str, str] | None) -> dict[str, str]:
    """Canonical name -> source column, from the configured map or the well-known aliases."""
    present = list(columns)
    mapping: dict[str, str] = {}
    for canonical, source in (field_map or {}).items():
        if source in present:
            mapping[canonical] = source
    for canonical, aliases in ALIASES.items():
        if canonical in mapping:
            continue
        for alias in aliases:
            if alias in present and alias not in mapping.values():
                mapping[canonical] = alias
                break
    return mapping


def _host(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


#: Canonical fields that hold text besides ``text`` and ``doc_id``. A number is kept as its digits (a
#: ``posted_at`` may be epoch seconds); a JSON list, object or boolean is no text: a finding, not checked.
OPTIONAL_TEXT_FIELDS = ("url", "site", "title", "author", "posted_at", "captured_at", "lang")
#: Canonical column: True where the record's doc_id was a JSON number (``1``), not a string (``"1"``).
#: Both read "1", but they are different ids, so the duplicate check keys on the value with its type.
DOC_ID_IS_NUMBER = "doc_id_is_number"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and np.isnan(value))


def _number_text(value: Any) -> str:
    """A JSON number as its digits: ``12`` and ``12.0`` read ``12``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _doc_ids(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """doc_ids as strings (numbers as their digits) and which were numbers; other values are kept as they
    are, for the schema to report (SC008). A string column (what pyarrow gives) takes no per-row Python."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(object).where(values.notna(), None), np.zeros(len(values), dtype=bool)
    items = values.tolist()
    numbers = np.fromiter((_is_number(v) and not _is_missing(v) for v in items), dtype=bool, count=len(items))
    converted = [None if _is_missing(v) else _number_text(v) if n else v
                 for v, n in zip(items, numbers.tolist(), strict=True)]
    return pd.Series(converted, index=values.index, dtype=object), numbers


def _optional_texts(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """An optional text field as strings or None, and which values were not text (list, object, boolean:
    set to None, so they are never checked as their JSON dump)."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(object).where(values.notna(), None), np.zeros(len(values), dtype=bool)
    if bool(values.isna().all()):  # a field the corpus does not have: no per-row pass
        return pd.Series([None] * len(values), index=values.index, dtype=object), np.zeros(len(values), dtype=bool)
    items = values.tolist()
    not_text = np.fromiter((not (_is_missing(v) or isinstance(v, str) or _is_number(v) or isinstance(v, pd.Timestamp))
                            for v in items), dtype=bool, count=len(items))
    converted = [None if bad or _is_missing(v) else v if isinstance(v, str) else str(v)
                 for v, bad in zip(items, not_text.tolist(), strict=True)]
    return pd.Series(converted, index=values.index, dtype=object), not_text


def canonicalise(frame: pd.DataFrame, mapping: dict[str, str], source_path: str, default_tz: str = "UTC",
                 dayfirst: bool = False, dayfirst_sites: Iterable[str] = (), *, dates: bool = True,
                 problems: list[Problem] | None = None) -> pd.DataFrame:
    """Rename source columns to canonical names and add ``site``, parsed dates and the source columns.

    Dates missing from the fields are recovered from chrome in the text (see :mod:`qc.chrome_dates`).
    ``dates=False`` leaves the raw date strings unparsed (no ``posted_ts``/``captured_ts``, no chrome
    stamps): pass one of corpus-level rules that read only text and site, and pass two when no selected
    rule declares the dates feature (:attr:`qc.rulespec.RuleSpec.FEATURES`), skip the costliest part of
    canonicalising.
    An optional text field holding a list, an object or a boolean is set to None and, when ``problems`` is
    given, reported there (SC009) with the record's line.
    """
    renames = {src: dst for dst, src in mapping.items() if src != dst}
    renames.update({field_line_column(src): field_line_column(dst) for dst, src in mapping.items() if src != dst})
    renamed = frame.rename(columns=renames)
    # A source column renamed away keeps no duplicate; other columns are kept as they are. Start-line columns
    # (multi-line formats) are kept for canonical text fields only: they are what findings are located by.
    keep = [not (str(c).startswith(FIELD_LINE_PREFIX) and str(c)[len(FIELD_LINE_PREFIX):] not in CANONICAL)
            for c in renamed.columns]
    out = renamed.loc[:, ~renamed.columns.duplicated() & np.asarray(keep, dtype=bool)].copy()
    for name in CANONICAL:
        if name not in out.columns:
            out[name] = pd.Series([None] * len(out), dtype="object")
    out["doc_id"], numbers = _doc_ids(out["doc_id"])
    out[DOC_ID_IS_NUMBER] = numbers
    for name in OPTIONAL_TEXT_FIELDS:
        out[name], not_text = _optional_texts(out[name])
        if problems is not None and not_text.any():
            problems.extend(_not_text_problems(frame, out, name, mapping.get(name, name), not_text, source_path))
    if out["site"].isna().all():
        out["site"] = out["url"].map(_host)
    out["source_path"] = source_path
    out = out.reset_index(drop=True)
    if not dates:
        return out
    features.computed["dates"] += 1  # the DATES feature (qc.features), counted so tests can prove it is lazy
    day_first = dayfirst_mask(out["site"], dayfirst, dayfirst_sites)
    out["posted_ts"] = parse_timestamps(out["posted_at"], default_tz=default_tz, dayfirst=day_first)
    out["captured_ts"] = parse_timestamps(out["captured_at"], default_tz=default_tz, dayfirst=day_first)
    recover_chrome_dates(out, default_tz=default_tz, dayfirst=day_first)
    return out


def _not_text_problems(frame: pd.DataFrame, out: pd.DataFrame, name: str, source: str, not_text: np.ndarray,
                       source_path: str) -> list[Problem]:
    """SC009 for the rows whose field ``name`` held a list, an object or a boolean."""
    rows = np.flatnonzero(not_text)
    column = frame[source] if source in frame.columns else frame[name]
    found: list[Problem] = []
    for row in rows.tolist():
        doc_id = out["doc_id"].iat[row]
        where = source_path or str(frame["source_path"].iat[row])
        called = name if source == name else f"{name} (column {source!r})"
        found.append(Problem("SC009", where, int(frame["source_line"].iat[row]),
                             f"{called} is a JSON {json_type_name(column.iat[row])}, not a string; the field is not "
                             "checked", field=name, doc_id=doc_id if isinstance(doc_id, str) else None))
    return found


@dataclass
class RawBatch:
    """A canonical batch plus the record-level problems found while reading it."""

    frame: pd.DataFrame
    problems: list[Problem]


@dataclass
class Unit:
    """One piece of a corpus, in corpus order: a JSON Lines block still to parse, or a batch already read.

    Units are what the engine hands to worker processes: parsing a block (the costly part of reading)
    happens where the unit is checked, so the reading process only moves bytes.
    """

    source: str  # the file's display path ("" for a batch of text-folder posts)
    rows: int  # records (lines) it holds: what the engine's memory counter adds up
    block: bytes | None = None
    first_line: int = 1
    batch: RawBatch | None = None


def iter_units(inputs: Iterable[str | Path] | list[InputFile], *, field_map: dict[str, str] | None = None,
               batch_rows: int = DEFAULT_BATCH_ROWS, block_bytes: int = BLOCK_BYTES,
               default_tz: str = "UTC", dayfirst: bool = False, log: LoadLog | None = None,
               dayfirst_sites: tuple[str, ...] = (), dates: bool = True) -> Iterator[Unit]:
    """Yield the units of every input in order. File-level read errors go to ``log.errors``.

    ``dates``: whether the batches made here (all but JSON Lines blocks) parse dates (:func:`canonicalise`).
    """
    files = [i for i in inputs if isinstance(i, InputFile)] or resolve_inputs(
        [i for i in inputs if not isinstance(i, InputFile)])
    log = log if log is not None else LoadLog()
    for src in files:  # never opened: a FIFO would block, a device or socket is no corpus
        if src.problem is not None:
            log.errors.append(InputError(src.problem, path=src.display))
    text_files = [f for f in files if f.fmt == "text" and f.problem is None]
    others = [f for f in files if f.fmt != "text" and f.problem is None]
    for src in others:
        log.files.append(src.display)
        try:
            if src.fmt == "jsonl":
                for block, first_line, lines in jsonl_blocks(src, block_bytes, batch_rows):
                    yield Unit(src.display, lines, block=block, first_line=first_line)
                continue
            reader = _read_parquet(src, batch_rows) if src.fmt == "parquet" else _read_csv(src, batch_rows)
            for raw in canonical_batches(reader, src.display, field_map, default_tz, dayfirst, log,
                                         dayfirst_sites, dates=dates):
                yield Unit(src.display, len(raw.frame), batch=raw)
        except InputError as exc:
            log.errors.append(exc)
        except (OSError, pa.ArrowException) as exc:
            log.errors.append(InputError(f"cannot read file ({exc})", path=src.display))
    for start in range(0, len(text_files), batch_rows):
        chunk = text_files[start : start + batch_rows]
        for raw in canonical_batches(_read_text_files(chunk, log), "", field_map, default_tz, dayfirst, log,
                                     dayfirst_sites, dates=dates):
            yield Unit("", len(raw.frame), batch=raw)


def unit_batches(unit: Unit, *, field_map: dict[str, str] | None = None, default_tz: str = "UTC",
                 dayfirst: bool = False, log: LoadLog | None = None, dayfirst_sites: tuple[str, ...] = (),
                 dates: bool = True) -> Iterator[RawBatch]:
    """The canonical batches of one unit (parsing its block if it has one). Raises :class:`InputError`.

    ``dates=False``: see :func:`canonicalise` (a batch the reader already made keeps its parsed dates).
    """
    if unit.batch is not None:
        yield unit.batch
        return
    assert unit.block is not None
    log = log if log is not None else LoadLog()
    reader = iter([jsonl_block_frame(unit.block, unit.first_line, unit.source)])
    yield from canonical_batches(reader, unit.source, field_map, default_tz, dayfirst, log, dayfirst_sites,
                                 dates=dates)


def iter_batches(inputs: Iterable[str | Path] | list[InputFile], *, field_map: dict[str, str] | None = None,
                 batch_rows: int = DEFAULT_BATCH_ROWS, block_bytes: int = BLOCK_BYTES,
                 default_tz: str = "UTC", dayfirst: bool = False, log: LoadLog | None = None,
                 dayfirst_sites: tuple[str, ...] = ()) -> Iterator[RawBatch]:
    """Yield canonical batches for every input. File-level errors go to ``log.errors`` and reading goes on."""
    log = log if log is not None else LoadLog()
    failed: set[str] = set()
    for unit in iter_units(inputs, field_map=field_map, batch_rows=batch_rows, block_bytes=block_bytes,
                           default_tz=default_tz, dayfirst=dayfirst, log=log, dayfirst_sites=dayfirst_sites):
        if unit.source and unit.source in failed:
            continue  # the file failed on an earlier block: the rest of it is not read as records
        try:
            yield from unit_batches(unit, field_map=field_map, default_tz=default_tz, dayfirst=dayfirst, log=log,
                                    dayfirst_sites=dayfirst_sites)
        except InputError as exc:
            log.errors.append(exc)
            failed.add(unit.source)


def canonical_batches(reader: Iterator[tuple[pd.DataFrame, list[Problem]]], display: str,
                      field_map: dict[str, str] | None, default_tz: str, dayfirst: bool, log: LoadLog,
                      dayfirst_sites: tuple[str, ...] = (), *, dates: bool = True) -> Iterator[RawBatch]:
    """Canonical batches from a raw reader's (source frame, problems) pairs; updates ``log``."""
    for frame, problems in reader:
        if frame.empty or len(frame.columns) <= 1:
            if problems:
                yield RawBatch(_empty_canonical(), problems)
            continue
        source_columns = [c for c in frame.columns if c not in ("source_line", "source_path")
                          and not str(c).startswith(FIELD_LINE_PREFIX)]
        mapping = field_mapping(source_columns, field_map)
        path = display or str(frame["source_path"].iat[0])
        if "text" not in mapping:
            raise InputError(f"no text column (columns found: {', '.join(map(str, source_columns))}); map one "
                             "with [tool.qc.fields] text = \"...\"", path=path, field="text")
        if display:
            log.mappings.setdefault(display, {k: v for k, v in mapping.items()})
        elif "text-folders" not in log.mappings:
            log.mappings["text-folders"] = {"doc_id": "<relative path>", "text": "<file content>"}
        if "doc_id" not in mapping:
            # No id column: a stable id from file and line keeps every record addressable.
            frame = frame.assign(doc_id=[f"{Path(path).name}:{n}" for n in frame["source_line"].tolist()])
            mapping["doc_id"] = "doc_id"
        found: list[Problem] = []
        canonical = canonicalise(frame, mapping, display or "", default_tz=default_tz, dayfirst=dayfirst,
                                 dayfirst_sites=dayfirst_sites, dates=dates, problems=found)
        if not display:
            canonical["source_path"] = frame["source_path"].to_numpy()
        log.records += len(canonical)
        yield RawBatch(canonical, [*_on_records(problems, canonical, mapping), *found])


def _on_records(problems: list[Problem], canonical: pd.DataFrame, mapping: dict[str, str]) -> list[Problem]:
    """The reader's problems named as the findings are: the canonical field (``text``, not ``content``)
    and, for a record that was read (invalid UTF-8, a lone surrogate), its doc_id."""
    if not problems:
        return problems
    canonical_of = {src: dst for dst, src in mapping.items()}
    records = pd.MultiIndex.from_arrays([canonical["source_path"].astype(str).to_numpy(),
                                         canonical["source_line"].to_numpy(dtype=np.int64)])
    if not records.is_unique:  # never for one file's batch or a folder's posts; no guess if it happens
        return problems
    rows = records.get_indexer(pd.MultiIndex.from_arrays([[p.source_path for p in problems],
                                                           [p.source_line for p in problems]]))
    named: list[Problem] = []
    for problem, row in zip(problems, rows.tolist(), strict=True):
        doc_id = problem.doc_id
        if doc_id is None and row >= 0 and isinstance(canonical["doc_id"].iat[row], str):
            doc_id = canonical["doc_id"].iat[row]
        field_name = canonical_of.get(problem.field, problem.field) if problem.field is not None else None
        named.append(replace(problem, doc_id=doc_id, field=field_name))
    return named


def _empty_canonical() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype="object") for name in CANONICAL})
    frame["source_path"] = pd.Series([], dtype="str")
    frame["source_line"] = pd.Series([], dtype="int64")
    frame[DOC_ID_IS_NUMBER] = pd.Series([], dtype="bool")
    frame["posted_ts"] = pd.Series([], dtype="datetime64[us, UTC]")
    frame["captured_ts"] = pd.Series([], dtype="datetime64[us, UTC]")
    empty_chrome_columns(frame)
    return frame


def load_corpus(inputs: Iterable[str | Path], **options: Any) -> pd.DataFrame:
    """Read every input into one canonical frame (convenient for small corpora and notebooks)."""
    frames = [batch.frame for batch in iter_batches(inputs, **options)]
    return pd.concat(frames, ignore_index=True) if frames else _empty_canonical()
