"""Features: columns derived from a batch's fields, computed once per batch and only when a selected rule
declares that it needs them (:attr:`qc.rulespec.RuleSpec.FEATURES`), then shared by every rule that does.

A batch carries the columns it was read with. What rules derive from them is a feature:

- ``DATES`` (:data:`qc.rulespec.DATES`): ``posted_ts``/``captured_ts`` parsed and the page's own date stamps
  recovered; made by the loader (:func:`qc.load.canonicalise`) for a run whose rules declare it, because
  the date columns travel with the frame (Parquet, Dask partitions).
- ``LINES`` (:data:`qc.rulespec.LINES`): every line of a text field as Arrow/numpy columns (document row,
  start offset, length, the line's text), made here on first use by :meth:`qc.batch.Batch.lines` with
  Arrow kernels (no Python per line) and kept on the batch for the next rule that asks; the same lines
  trimmed (:class:`TrimmedLines`, :meth:`qc.batch.Batch.trimmed_lines`) are part of it. The line-shape
  kernels below (:func:`cjk_counts`, :func:`has_digit`, :func:`ends_with_any`, :func:`contains_any`) read
  an array's UTF-8 bytes with numpy where a regex per line would be the alternative.

:data:`computed` counts how often each feature was computed in this process (a batch, a field): the
tests read it to prove a run selecting one pattern rule computes no date and no line, and that two line
rules share one split.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Feature computations in this process, by feature name (``"dates"``: batches whose dates were parsed,
#: ``"lines"``: (batch, field) splits).
computed: Counter[str] = Counter()


@dataclass(frozen=True)
class Lines:
    """Every line of one text field of a batch (split at ``\\n``), in document order then line order.

    Line ``k`` is ``text[k]``, of document ``rows[k]``, starting at character ``starts[k]`` of it and
    ``lengths[k]`` characters long; document ``i``'s lines are ``bounds[i]:bounds[i + 1]``. A document
    with no text has one empty line, as ``str.split("\\n")`` gives.
    """

    rows: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    text: pa.Array
    bounds: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


def split_lines(texts: pa.Array) -> Lines:
    """:class:`Lines` of ``texts`` (a non-null Arrow string array), by Arrow kernels and numpy only."""
    computed["lines"] += 1
    split = pc.split_pattern(texts, "\n")
    raw = split.flatten()
    rows = pc.list_parent_indices(split).to_numpy().astype(np.int64, copy=False)
    lengths = pc.utf8_length(raw).to_numpy().astype(np.int64)
    # Start offset of each line: running total of (length + 1) within its document.
    ends = np.cumsum(lengths + 1)
    bounds = split.offsets.to_numpy().astype(np.int64)
    doc_base = np.concatenate([[0], ends])[bounds[:-1]]
    starts = ends - (lengths + 1) - doc_base[rows]
    if not pa.types.is_large_string(raw.type):
        raw = raw.cast(pa.large_string())
    return Lines(rows=rows, starts=starts, lengths=lengths, text=raw, bounds=bounds)


@dataclass(frozen=True)
class TrimmedLines:
    """The lines of a :class:`Lines` without their surrounding whitespace (Unicode whitespace, what
    ``str.strip()`` removes): ``text[k]`` is line ``k`` trimmed, ``lengths[k]`` its characters (0: a blank
    line) and ``lead[k]`` the characters trimmed from its start."""

    text: pa.Array
    lengths: np.ndarray
    lead: np.ndarray


def trim_lines(lines: Lines) -> TrimmedLines:
    """:class:`TrimmedLines` of ``lines``, by Arrow kernels (part of the ``LINES`` feature)."""
    trimmed = pc.utf8_trim_whitespace(lines.text)
    lengths = pc.utf8_length(trimmed).to_numpy().astype(np.int64)
    lead = lines.lengths - pc.utf8_length(pc.utf8_ltrim_whitespace(lines.text)).to_numpy().astype(np.int64)
    return TrimmedLines(text=trimmed, lengths=lengths, lead=lead)


# -- line shapes: byte-level kernels over a string array's UTF-8 buffer (numpy, no regex, no Python per line)
#
# Rules classify lines by their shape (CJK share, a digit, how they end). Arrow's RE2 kernels run one
# regex per line; these read the array's UTF-8 bytes once with numpy. They are exact for valid UTF-8 (what
# Arrow strings hold): an ASCII byte is never part of a longer character, a lead byte starts one.

#: Chinese, Japanese and Korean code point ranges (kana, CJK extension A, unified ideographs, Hangul
#: syllables, compatibility ideographs): every one a 3-byte UTF-8 sequence.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))


def _utf8_bytes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(row offsets from 0, bytes) of a string array: row ``i`` is ``data[offsets[i]:offsets[i + 1]]``."""
    if not pa.types.is_large_string(texts.type):
        texts = texts.cast(pa.large_string())
    _, offsets_buf, data_buf = texts.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[texts.offset : texts.offset + len(texts) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    data = data[int(offsets[0]) : int(offsets[-1])] if len(offsets) else data[:0]
    return offsets - offsets[0] if len(offsets) else np.zeros(1, dtype=np.int64), data


def _per_row(positions: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """How many of the sorted byte ``positions`` fall in each row."""
    return np.searchsorted(positions, offsets[1:]) - np.searchsorted(positions, offsets[:-1])


def _three_byte_points(data: np.ndarray, lead_low: int) -> tuple[np.ndarray, np.ndarray]:
    """(byte position, code point) of every 3-byte character whose lead byte is at least ``lead_low``."""
    at = np.flatnonzero((data >= lead_low) & (data <= 0xEF))
    at = at[at + 2 < len(data)]  # valid UTF-8 never cuts one short; this only guards the indexing
    points = ((data[at].astype(np.int32) & 0x0F) << 12) | ((data[at + 1].astype(np.int32) & 0x3F) << 6) \
        | (data[at + 2].astype(np.int32) & 0x3F)
    return at, points


def _valid(texts: pa.Array, values: np.ndarray) -> np.ndarray:
    """``values`` with null rows zeroed (a null slot's bytes, if any, are not its value)."""
    if texts.null_count:
        values[~texts.is_valid().to_numpy(zero_copy_only=False)] = 0
    return values


def cjk_counts(texts: pa.Array) -> np.ndarray:
    """Characters in :data:`CJK_RANGES` in each value (nulls: 0)."""
    offsets, data = _utf8_bytes(texts)
    at, points = _three_byte_points(data, 0xE3)  # U+3040 and above: lead byte 0xE3 or more
    inside = np.zeros(len(points), dtype=bool)
    for low, high in CJK_RANGES:
        inside |= (points >= low) & (points <= high)
    return _valid(texts, _per_row(at[inside], offsets).astype(np.int64))


def has_digit(texts: pa.Array) -> np.ndarray:
    """Whether each value holds an ASCII digit or a full-width one (U+FF10-U+FF19; nulls: False)."""
    offsets, data = _utf8_bytes(texts)
    ascii_digits = np.flatnonzero((data >= 0x30) & (data <= 0x39))
    lead = np.flatnonzero(data[:-2] == 0xEF) if len(data) > 2 else np.zeros(0, dtype=np.int64)
    lead = lead[(data[lead + 1] == 0xBC) & (data[lead + 2] >= 0x90) & (data[lead + 2] <= 0x99)]
    return _valid(texts, (_per_row(ascii_digits, offsets) + _per_row(lead, offsets)) > 0)


def ends_with_any(texts: pa.Array, chars: str) -> np.ndarray:
    """Whether each value's last character is one of ``chars`` (ASCII or 3-byte UTF-8 ones; nulls,
    empty values: False)."""
    offsets, data = _utf8_bytes(texts)
    ends = offsets[1:]
    size = ends - offsets[:-1]
    out = np.zeros(len(size), dtype=bool)
    ascii_set = np.array([ord(c) for c in chars if ord(c) < 0x80], dtype=np.uint8)
    wide = [c.encode("utf-8") for c in chars if ord(c) >= 0x80]
    if any(len(code) != 3 for code in wide):
        raise ValueError("ends_with_any handles ASCII and 3-byte characters only")
    nonempty = np.flatnonzero(size > 0)
    if len(ascii_set):
        out[nonempty] = np.isin(data[ends[nonempty] - 1], ascii_set)
    if wide:
        # The last three bytes are a whole 3-byte character when they spell one: a continuation byte
        # (0x80-0xBF) never passes for a lead byte.
        long_enough = np.flatnonzero(size >= 3)
        tail = ends[long_enough]
        code = (data[tail - 3].astype(np.int32) << 16) | (data[tail - 2].astype(np.int32) << 8) \
            | data[tail - 1].astype(np.int32)
        wanted = np.array([(c[0] << 16) | (c[1] << 8) | c[2] for c in wide], dtype=np.int32)
        out[long_enough] |= np.isin(code, wanted)
    return _valid(texts, out)


def contains_any(texts: pa.Array, needles: tuple[str, ...]) -> np.ndarray:
    """Whether each value holds one of the literal ``needles`` (nulls: False), by byte search in numpy:
    in valid UTF-8 a needle's bytes match only where its characters are."""
    offsets, data = _utf8_bytes(texts)
    found = np.zeros(len(offsets) - 1, dtype=bool)
    for needle in needles:
        code = np.frombuffer(needle.encode("utf-8"), dtype=np.uint8)
        if not len(code) or len(data) < len(code):
            continue
        at = np.flatnonzero(data[: len(data) - len(code) + 1] == code[0])
        for k in range(1, len(code)):
            at = at[data[at + k] == code[k]]
        row = np.searchsorted(offsets, at, side="right") - 1
        at = at[at + len(code) <= offsets[row + 1]]  # not running on into the next value
        found[np.searchsorted(offsets, at, side="right") - 1] = True
    return _valid(texts, found)
