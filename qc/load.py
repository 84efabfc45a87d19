"""Read corpora into canonical, batch-sized pandas frames.

Inputs are any mix of files, directories and globs: JSON Lines (plain, ``.gz``, ``.zst``), Parquet,
CSV/TSV, and directories whose ``.txt``/``.md``/``.html`` files are one post each. Reading is batched
(pyarrow's JSON parser on newline-aligned blocks, Parquet row batches, chunked CSV, file by file for text
folders) so memory follows the batch size, not the corpus size. Every record carries ``source_path`` and
``source_line``. Record-level problems (a malformed JSON line, invalid UTF-8, a record that is not an
object) become :class:`Problem` rows for the ``schema`` family; file-level problems (unreadable, binary,
truncated, no text column) are :class:`InputError` values collected on the :class:`LoadLog`, so one bad
file never hides the others. Input files are opened read-only.
"""

from __future__ import annotations

import glob
import gzip
import io
import itertools
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

from qc.chrome_dates import empty_columns as empty_chrome_columns
from qc.chrome_dates import recover as recover_chrome_dates
from qc.dates import dayfirst_mask, parse_timestamps
from qc.errors import InputError

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
    """A record-level input problem, reported as a ``schema`` finding."""

    code: str
    source_path: str
    source_line: int
    message: str
    field: str | None = None
    doc_id: str | None = None
    match: str = ""


@dataclass
class InputFile:
    """One resolved input: its path, how to read it, and (for text folders) the root for doc_ids."""

    path: Path
    fmt: str  # jsonl | parquet | csv | tsv | text
    root: Path | None = None

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


def resolve_inputs(specs: Iterable[str | Path]) -> list[InputFile]:
    """Expand paths, directories and globs into input files, in a stable order.

    Raises :class:`InputError` for a missing path, a glob that matches nothing or a file of unknown type.
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
                raise InputError("no such file or directory", path=text)
            paths = [path]
        for path in paths:
            if path.is_dir():
                for child in sorted(p for p in path.rglob("*") if p.is_file()):
                    fmt = _format_of(child)
                    if fmt is not None and not any(part.startswith(".") for part in child.relative_to(path).parts):
                        resolved.append(InputFile(child, fmt, root=path if fmt == "text" else None))
            else:
                fmt = _format_of(path)
                if fmt is None:
                    raise InputError(
                        "unknown input type (expected .jsonl/.ndjson/.json[.gz|.zst], .parquet, .csv, .tsv, "
                        ".txt/.md/.html or a directory)",
                        path=text,
                    )
                resolved.append(InputFile(path, fmt, root=path.parent if fmt == "text" else None))
    return resolved


# -- raw readers: each yields (frame of source columns with source_line, problems) ----------------------


def _open_binary(path: Path) -> IO[bytes]:
    """Open a possibly compressed file for reading (used for small header probes)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if name.endswith(".zst"):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), read_across_frames=True,
                                                          closefd=True)
    return open(path, "rb")


STEP_BYTES = 1 << 20


def _byte_chunks(path: Path, display: str) -> Iterator[bytes]:
    """Decompressed bytes of a file in steps; a truncated or corrupt stream raises InputError *after*
    yielding everything that decoded, so the records before the damage are still checked."""
    name = path.name.lower()
    with open(path, "rb") as raw:
        if name.endswith(".gz"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                while step := raw.read(STEP_BYTES):
                    while step:
                        yield decoder.decompress(step)
                        # Concatenated gzip members: start a new decoder on what is left.
                        step = decoder.unused_data if decoder.eof else b""
                        if step:
                            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
                yield decoder.flush()
            except zlib.error as exc:
                raise InputError(f"file is corrupt ({exc}); records before it were checked", path=display) from None
            if not decoder.eof:
                raise InputError("file is truncated (gzip stream ended early); records before it were checked",
                                 path=display)
        elif name.endswith(".zst"):
            import zstandard

            zdecoder = zstandard.ZstdDecompressor().decompressobj()
            try:
                while step := raw.read(STEP_BYTES):
                    yield zdecoder.decompress(step)
            except zstandard.ZstdError as exc:
                raise InputError(f"file is corrupt ({exc}); records before it were checked", path=display) from None
            if not zdecoder.eof:
                raise InputError("file is truncated (zstd stream ended early); records before it were checked",
                                 path=display)
        else:
            while step := raw.read(STEP_BYTES):
                yield step


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


def _valid_utf8(block: bytes) -> bool:
    """Whether ``block`` is valid UTF-8 (as strict as ``bytes.decode``), checked by Arrow without making a str."""
    offsets = pa.py_buffer(np.array([0, len(block)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(block)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _jsonl_frame_fast(block: bytes) -> pa.Table | None:
    """Parse a block with pyarrow's JSON reader; None when the block needs the per-line path."""
    if not _valid_utf8(block):  # pyarrow's JSON reader does not validate UTF-8: bad bytes take the per-line path
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


def _range_chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    """Bytes ``[start, end)`` of an uncompressed file, in steps."""
    with open(path, "rb") as raw:
        raw.seek(start)
        left = end - start
        while left > 0 and (step := raw.read(min(STEP_BYTES, left))):
            left -= len(step)
            yield step


def jsonl_ranges(src: InputFile, target_bytes: int) -> list[tuple[int, int]]:
    """Split an uncompressed JSON Lines file into newline-aligned byte ranges of about ``target_bytes``.

    Only seeks and reads one line per boundary, so a distributed engine can plan partitions cheaply.
    """
    size = src.path.stat().st_size
    cuts = [0]
    with open(src.path, "rb") as handle:
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
    return sum(chunk.count(b"\n") for chunk in _range_chunks(src.path, start, end))


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
    chunks = _range_chunks(src.path, *byte_range) if byte_range is not None else _byte_chunks(src.path, display)
    for block in _read_blocks(chunks, block_bytes):
        if first_line == 1 and b"\x00" in block[:8192]:
            raise InputError("binary file (NUL bytes), not JSON Lines", path=display, line=1)
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


def jsonl_block_frame(block: bytes, first_line: int, display: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one newline-aligned block (its first line is number ``first_line``) into source columns."""
    starts, ends = _line_spans(block)
    lengths = ends - starts
    nonblank = np.flatnonzero(lengths > 0)
    # A line holding only whitespace counts as blank for pyarrow too; rare, so check exactly.
    nonblank = np.array([i for i in nonblank if block[starts[i] : ends[i]].strip()], dtype=np.int64)
    table = _jsonl_frame_fast(block)
    if table is not None and table.num_rows == len(nonblank):
        frame = table.to_pandas()
        frame["source_line"] = (nonblank + first_line).astype("int64")
        return frame, []
    return _jsonl_lines(block, starts, ends, nonblank, first_line, display)


def _read_jsonl(src: InputFile, block_bytes: int, max_lines: int | None = None
                ) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    for block, first_line, _ in jsonl_blocks(src, block_bytes, max_lines):
        yield jsonl_block_frame(block, first_line, src.display)


def _jsonl_lines(block: bytes, starts: np.ndarray, ends: np.ndarray, nonblank: np.ndarray, first_line: int,
                 display: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Slow path: parse line by line so one bad line is a problem, not a lost block."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for i in nonblank.tolist():
        raw = block[starts[i] : ends[i]]
        line = first_line + i
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            problems.append(Problem("SC003", display, line, f"invalid UTF-8 at byte {exc.start}; decoded "
                                    "with replacement characters", match=text[:80]))
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem("SC001", display, line, f"malformed JSON: {exc.msg} at column {exc.colno}",
                                    match=text[:80]))
            continue
        if not isinstance(value, dict):
            problems.append(Problem("SC002", display, line, f"record is a JSON {type(value).__name__}, "
                                    "not an object", match=text[:80]))
            continue
        records.append(value)
        lines.append(line)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    for column in frame.columns:  # keep strings as strings, everything else as Python objects
        if frame[column].dtype == object and frame[column].map(lambda v: isinstance(v, (dict, list))).any():
            frame[column] = frame[column].map(lambda v: json.dumps(v, ensure_ascii=False)
                                              if isinstance(v, (dict, list)) else v)
    frame["source_line"] = pd.Series(lines, dtype="int64")
    return frame, problems


def _read_parquet(src: InputFile, batch_rows: int) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    try:
        parquet = pq.ParquetFile(src.path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=src.display) from None
    row = 1
    for record_batch in parquet.iter_batches(batch_size=batch_rows):
        frame = record_batch.to_pandas()
        frame["source_line"] = np.arange(row, row + len(frame), dtype="int64")
        row += len(frame)
        yield frame, []


def _read_csv(src: InputFile, batch_rows: int) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    delimiter = "\t" if src.fmt == "tsv" else ","
    with _open_binary(src.path) as probe:
        head = probe.read(65536)
    if b"\x00" in head:
        raise InputError("binary file (NUL bytes), not CSV", path=src.display, line=1)
    header = head.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    import csv

    names = next(csv.reader([header], delimiter=delimiter), [])
    # Every column as a string: dates and ids stay exactly as written.
    convert = pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False)
    parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    read = pcsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES)
    row = 2  # line 1 is the header
    try:
        with _open_binary(src.path) as stream:
            reader = pcsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
            for record_batch in reader:
                frame = record_batch.to_pandas()
                frame["source_line"] = np.arange(row, row + len(frame), dtype="int64")
                row += len(frame)
                yield frame, []
    except pa.ArrowInvalid as exc:
        raise InputError(f"malformed CSV ({str(exc).splitlines()[0]})", path=src.display, line=row) from None


def _read_text_files(files: list[InputFile]) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for src in files:
        raw = src.path.read_bytes()
        if b"\x00" in raw[:8192]:
            raise InputError("binary file (NUL bytes), not a text post", path=src.display, line=1)
        doc_id = src.path.relative_to(src.root).as_posix() if src.root else src.path.name
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            problems.append(Problem("SC003", src.display, 1, f"invalid UTF-8 at byte {exc.start}; decoded "
                                    "with replacement characters", field="text", doc_id=doc_id))
        records.append({"doc_id": doc_id, "text": text, "source_path": src.display, "source_line": 1})
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


def _text_values(values: pd.Series, convert: Any) -> pd.Series:
    """Strings as Python objects, missing values as None; other values through ``convert``.

    A column that is already a string dtype (what pyarrow gives) is converted without a per-row Python
    call, and its missing values stay missing (they used to become the string "nan" as doc_ids).
    """
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(object).where(values.notna(), None)
    return values.map(convert)


def canonicalise(frame: pd.DataFrame, mapping: dict[str, str], source_path: str, default_tz: str = "UTC",
                 dayfirst: bool = False, dayfirst_sites: Iterable[str] = (), *, dates: bool = True) -> pd.DataFrame:
    """Rename source columns to canonical names and add ``site``, parsed dates and the source columns.

    Dates missing from the fields are recovered from chrome in the text (see :mod:`qc.chrome_dates`).
    ``dates=False`` leaves the raw date strings unparsed (no ``posted_ts``/``captured_ts``): pass one of
    corpus-level rules that read only text and site skips the costliest part of canonicalising.
    """
    renamed = frame.rename(columns={src: dst for dst, src in mapping.items() if src != dst})
    # A source column renamed away keeps no duplicate; other columns are kept as they are.
    out = renamed.loc[:, ~renamed.columns.duplicated()].copy()
    for name in CANONICAL:
        if name not in out.columns:
            out[name] = pd.Series([None] * len(out), dtype="object")
    if out["site"].isna().all():
        out["site"] = out["url"].map(_host)
    out["doc_id"] = _text_values(out["doc_id"], lambda v: v if v is None or isinstance(v, str) else
                                 (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
    for name in ("url", "site", "title", "author", "posted_at", "captured_at", "lang"):
        out[name] = _text_values(out[name], lambda v: v if v is None or isinstance(v, str) else
                                 (None if isinstance(v, float) and np.isnan(v) else str(v)))
    out["source_path"] = source_path
    out = out.reset_index(drop=True)
    if not dates:
        return out
    day_first = dayfirst_mask(out["site"], dayfirst, dayfirst_sites)
    out["posted_ts"] = parse_timestamps(out["posted_at"], default_tz=default_tz, dayfirst=day_first)
    out["captured_ts"] = parse_timestamps(out["captured_at"], default_tz=default_tz, dayfirst=day_first)
    recover_chrome_dates(out, default_tz=default_tz, dayfirst=day_first)
    return out


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
               dayfirst_sites: tuple[str, ...] = ()) -> Iterator[Unit]:
    """Yield the units of every input in order. File-level read errors go to ``log.errors``."""
    files = [i for i in inputs if isinstance(i, InputFile)] or resolve_inputs(
        [i for i in inputs if not isinstance(i, InputFile)])
    log = log if log is not None else LoadLog()
    text_files = [f for f in files if f.fmt == "text"]
    others = [f for f in files if f.fmt != "text"]
    for src in others:
        log.files.append(src.display)
        try:
            if src.fmt == "jsonl":
                for block, first_line, lines in jsonl_blocks(src, block_bytes, batch_rows):
                    yield Unit(src.display, lines, block=block, first_line=first_line)
                continue
            reader = _read_parquet(src, batch_rows) if src.fmt == "parquet" else _read_csv(src, batch_rows)
            for raw in canonical_batches(reader, src.display, field_map, default_tz, dayfirst, log,
                                         dayfirst_sites):
                yield Unit(src.display, len(raw.frame), batch=raw)
        except InputError as exc:
            log.errors.append(exc)
        except (OSError, pa.ArrowException) as exc:
            log.errors.append(InputError(f"cannot read file ({exc})", path=src.display))
    for start in range(0, len(text_files), batch_rows):
        chunk = text_files[start : start + batch_rows]
        good: list[InputFile] = []
        for src in chunk:
            log.files.append(src.display)
            try:
                with open(src.path, "rb") as fh:
                    if b"\x00" in fh.read(8192):
                        raise InputError("binary file (NUL bytes), not a text post", path=src.display, line=1)
                good.append(src)
            except InputError as exc:
                log.errors.append(exc)
            except OSError as exc:
                log.errors.append(InputError(f"cannot read file ({exc.strerror})", path=src.display))
        if good:
            for raw in canonical_batches(_read_text_files(good), "", field_map, default_tz, dayfirst, log,
                                         dayfirst_sites):
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
        source_columns = [c for c in frame.columns if c not in ("source_line", "source_path")]
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
        canonical = canonicalise(frame, mapping, display or "", default_tz=default_tz, dayfirst=dayfirst,
                                 dayfirst_sites=dayfirst_sites, dates=dates)
        if not display:
            canonical["source_path"] = frame["source_path"].to_numpy()
        log.records += len(canonical)
        yield RawBatch(canonical, problems)


def _empty_canonical() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype="object") for name in CANONICAL})
    frame["source_path"] = pd.Series([], dtype="str")
    frame["source_line"] = pd.Series([], dtype="int64")
    frame["posted_ts"] = pd.Series([], dtype="datetime64[us, UTC]")
    frame["captured_ts"] = pd.Series([], dtype="datetime64[us, UTC]")
    empty_chrome_columns(frame)
    return frame


def load_corpus(inputs: Iterable[str | Path], **options: Any) -> pd.DataFrame:
    """Read every input into one canonical frame (convenient for small corpora and notebooks)."""
    frames = [batch.frame for batch in iter_batches(inputs, **options)]
    return pd.concat(frames, ignore_index=True) if frames else _empty_canonical()
