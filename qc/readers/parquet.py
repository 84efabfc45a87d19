"""Parquet (``.parquet``, ``.pq``): row batches; a file splits at row-group boundaries.

``source_line`` is the 1-based row number in the file. Splits are runs of whole row groups of about the
target size (uncompressed, as the footer says), so a planner reads only the footer; each split knows its
first row from the row counts of the groups before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from qc.errors import InputError
from qc.rawio import open_regular
from qc.readers.base import Frames, InputFile, LoadLog, Reader, ReadOptions, Split

MAGIC = b"PAR1"


def _open(handle: Any, display: str) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(handle)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=display) from None


class ParquetReader(Reader):
    """Parquet: splits of whole row groups."""

    name = "parquet"
    suffixes = (".parquet", ".pq")
    locator = "row"

    def recognises(self, path: Path, head: bytes) -> bool:
        return head.startswith(MAGIC)

    def plan_splits(self, src: InputFile, target_bytes: int, log: LoadLog | None = None) -> list[Split]:
        """Runs of row groups of about ``target_bytes`` (uncompressed), each with its first row."""
        try:
            with open_regular(src.path) as handle:
                meta = _open(handle, src.display).metadata
        except (InputError, OSError):
            return [Split(src)]  # the read reports it, in its place in the corpus
        splits: list[Split] = []
        start, size, row, first = 0, 0, 1, 1
        for group in range(meta.num_row_groups):
            info = meta.row_group(group)
            if size and size + info.total_byte_size > target_bytes:
                splits.append(Split(src, start, group, first=first))
                start, size, first = group, 0, row
            size += info.total_byte_size
            row += info.num_rows
        if len(splits) == 0:
            return [Split(src)]
        splits.append(Split(src, start, meta.num_row_groups, first=first))
        return splits

    def read(self, split: Split, options: ReadOptions, log: LoadLog) -> Frames:
        src = split.file
        with open_regular(src.path) as handle:
            parquet = _open(handle, src.display)
            groups = None if split.end is None else list(range(split.start, split.end))
            row = split.first
            for record_batch in parquet.iter_batches(batch_size=options.batch_rows, row_groups=groups):
                frame = record_batch.to_pandas()
                frame["source_line"] = np.arange(row, row + len(frame), dtype="int64")
                row += len(frame)
                yield frame, []
