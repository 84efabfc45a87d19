"""JSON Lines (``.jsonl``, ``.ndjson``, ``.json``; plain, ``.gz`` or ``.zst``): one JSON object a line.

Read in newline-aligned blocks parsed by pyarrow's JSON reader (a block it refuses is parsed line by line,
so one bad line is one finding). An uncompressed file splits into newline-aligned byte ranges; a compressed
one is one split (a gzip stream cannot be entered in the middle), said in ``--verbose``. ``source_line`` is
the physical line.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pjson

from qc.errors import InputError
from qc.rawio import UTF8_BOM, binary_reason, byte_chunks, open_regular, range_chunks, valid_utf8
from qc.readers.base import (
    Frames,
    InputFile,
    LoadLog,
    Problem,
    Reader,
    ReadOptions,
    Split,
    json_type_name,
    note_compressed,
)

BLOCK_BYTES = 8 << 20
#: The bytes ``bytes.strip()`` removes.
_ASCII_SPACE = np.frombuffer(b" \t\n\r\x0b\x0c", dtype=np.uint8)


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
    # A line holding only whitespace counts as blank for pyarrow too; rare, so check exactly, and only the
    # lines that start with whitespace (any other line is not blank).
    spaced = np.isin(np.frombuffer(block, dtype=np.uint8)[starts[nonblank]], _ASCII_SPACE)
    if spaced.any():
        blank = [i for i in nonblank[spaced].tolist() if not block[starts[i] : ends[i]].strip()]
        if blank:
            nonblank = nonblank[~np.isin(nonblank, blank)]
    too_deep = _too_deep(block, starts, ends, nonblank)
    table = None if too_deep else _jsonl_frame_fast(block)
    if table is not None and table.num_rows == len(nonblank):
        frame = table.to_pandas()
        frame["source_line"] = (nonblank + first_line).astype("int64")
        return frame, []
    return _jsonl_lines(block, starts, ends, nonblank, first_line, display, too_deep)


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



class JsonLinesReader(Reader):
    """JSON Lines: byte-range splits of an uncompressed file, one split for a compressed one."""

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson", ".json")
    locator = "line"

    def recognises(self, path: Path, head: bytes) -> bool:
        start = head.removeprefix(UTF8_BOM).lstrip()
        return start.startswith(b"{") or not start

    def plan_splits(self, src: InputFile, target_bytes: int, log: LoadLog | None = None) -> list[Split]:
        """Newline-aligned byte ranges; their first lines are counted by whoever plans (:func:`count_lines`)."""
        if src.compressed:
            note_compressed(src, log)
            return [Split(src)]
        ranges = jsonl_ranges(src, target_bytes)
        if len(ranges) <= 1:
            return [Split(src)]
        return [Split(src, start, end, first=0) for start, end in ranges]  # first=0: lines not counted yet

    def read(self, split: Split, options: ReadOptions, log: LoadLog) -> Frames:
        byte_range = None if split.whole else (split.start, split.end if split.end is not None else 0)
        for block, first_line, _ in jsonl_blocks(split.file, BLOCK_BYTES, options.batch_rows,
                                                 byte_range=byte_range, first_line=split.first):
            yield jsonl_block_frame(block, first_line, split.file.display)
