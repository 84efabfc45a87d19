"""A batch of posts as the rule kinds see it: the canonical frame, the shared prefilter's hits, and the
features (:mod:`qc.features`) its rules asked for, each computed once and kept for the batch's life."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qc.features import Lines, TrimmedLines, split_lines, trim_lines
from qc.matcher import iter_spans_utf8, utf8_buffers
from qc.rulespec import ScanPattern


def utf8_column(values: pd.Series) -> pa.Array:
    """The column as one Arrow ``large_string`` array (non-strings as nulls).

    pandas 3's default string dtype is already Arrow: that converts without a per-row Python pass.
    """
    array: pa.Array | pa.ChunkedArray | None
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        array = None
    if array is None or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        strings = values.where(values.map(lambda v: isinstance(v, str)), None)
        return pa.array(strings.tolist(), type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    return array.cast(pa.large_string()) if not pa.types.is_large_string(array.type) else array


@dataclass
class Batch:
    """Posts (index 0..n-1) and, per scan-pattern key, the rows that may match it."""

    frame: pd.DataFrame
    candidates: dict[str, np.ndarray] = field(default_factory=dict)
    #: Text fields as Arrow arrays, built once per batch and shared by the prefilter and every rule.
    arrays: dict[str, pa.Array] = field(default_factory=dict)
    _buffers: dict[str, tuple[np.ndarray, memoryview, np.ndarray | None]] = field(default_factory=dict, repr=False)
    #: Per text field, which rows are pure ASCII (their byte offsets are character offsets).
    _ascii: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: Per-batch results a rule kind shares between its rules (e.g. date mentions parsed once for DT020 and
    #: DT021), keyed by the kind and the parameters the result depends on. Dropped with the batch.
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    def texts(self, field_name: str) -> pd.Series:
        """The field as strings (missing values as empty strings)."""
        if field_name not in self.frame.columns:
            return pd.Series([""] * len(self.frame), dtype="str")
        return self.frame[field_name].fillna("").astype("str")

    def utf8(self, field_name: str) -> pa.Array:
        """The field as an Arrow ``large_string`` array (cached for the batch)."""
        array = self.arrays.get(field_name)
        if array is None:
            if field_name in self.frame.columns:
                array = utf8_column(self.frame[field_name])
            else:
                array = pa.nulls(len(self.frame), type=pa.large_string())
            self.arrays[field_name] = array
        return array

    def filled_utf8(self, field_name: str) -> pa.Array:
        """The field as Arrow strings with missing values as "": :meth:`texts` without a Python pass when
        the column is already strings (the canonical text is)."""
        key = ("filled_utf8", field_name)
        array = self.memo.get(key)
        if array is None:
            if field_name in self.frame.columns and isinstance(self.frame[field_name].dtype, pd.StringDtype):
                array = pc.fill_null(self.utf8(field_name), "")  # the batch's cached array (the prefilter's too)
            else:
                array = pa.array(self.texts(field_name).tolist(), type=pa.large_string())
            self.memo[key] = array
        return array

    def lines(self, field_name: str = "text") -> Lines:
        """The ``LINES`` feature of a field: its lines as columns, split on first use and shared by every
        rule of the batch that reads them (declare :data:`qc.rulespec.LINES` in the kind's ``FEATURES``)."""
        key = ("lines", field_name)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = split_lines(self.filled_utf8(field_name))
        return found

    def trimmed_lines(self, field_name: str = "text") -> TrimmedLines:
        """The lines of :meth:`lines` without surrounding whitespace, trimmed once per batch and field for
        every rule that reads them (part of the ``LINES`` feature)."""
        key = ("trimmed_lines", field_name)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = trim_lines(self.lines(field_name))
        return found

    def values(self, field_name: str, rows: Sequence[int] | np.ndarray) -> list[str | None]:
        """The field's values for ``rows`` only (Python strings are made for these rows and no others)."""
        if len(rows) == 0:
            return []
        return self.utf8(field_name).take(pa.array(np.asarray(rows, dtype=np.int64))).to_pylist()

    def spans(self, pattern: ScanPattern) -> Iterator[tuple[int, int, int, str]]:
        """Yield (row, start, end, matched text) for ``pattern``, searching candidate rows only."""
        for row, found in self.row_spans(pattern):
            for start, stop, text in found:
                yield row, start, stop, text

    def row_spans(self, pattern: ScanPattern) -> Iterator[tuple[int, Iterator[tuple[int, int, str]]]]:
        """Per candidate row, in row order: (row, lazy iterator of its (start, end, matched text)).

        The search in a row runs only as far as the caller iterates, so a rule that has seen enough spans
        in a row (its ``limit``) stops there.
        """
        rows = self.candidates.get(pattern.key)
        if rows is None or len(rows) == 0 or pattern.field not in self.frame.columns:
            return
        buffers = self._buffers.get(pattern.field)
        if buffers is None:
            buffers = self._buffers[pattern.field] = utf8_buffers(self.utf8(pattern.field))
        offsets, data, valid = buffers
        ascii_rows = self._ascii.get(pattern.field)
        if ascii_rows is None:
            ascii_rows = self._ascii[pattern.field] = pc.fill_null(
                pc.string_is_ascii(self.utf8(pattern.field)), False).to_numpy(zero_copy_only=False)
        if valid is not None:
            rows = rows[valid[rows]]
        begins = offsets[rows].tolist()
        ends = offsets[rows + 1].tolist()
        for row, begin, end, ascii_only in zip(rows.tolist(), begins, ends, ascii_rows[rows].tolist(), strict=True):
            if end == begin:
                continue
            yield row, iter_spans_utf8(pattern.regex, pattern.ignorecase, data[begin:end], ascii_only)
