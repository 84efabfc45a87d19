"""Features: columns derived from a batch's fields, computed once per batch and only when a selected rule
declares that it needs them (:attr:`qc.rulespec.RuleSpec.FEATURES`), then shared by every rule that does.

A batch carries the columns it was read with. What rules derive from them is a feature:

- ``DATES`` (:data:`qc.rulespec.DATES`): ``posted_ts``/``captured_ts`` parsed and the page's own date stamps
  recovered; made by the loader (:func:`qc.load.canonicalise`) for a run whose rules declare it, because
  the date columns travel with the frame (Parquet, Dask partitions).
- ``LINES`` (:data:`qc.rulespec.LINES`): every line of a text field as Arrow/numpy columns (document row,
  start offset, length, the line's text), made here on first use by :meth:`qc.batch.Batch.lines` with
  Arrow kernels (no Python per line) and kept on the batch for the next rule that asks.

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
