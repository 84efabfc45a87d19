"""Parquet: row group by row group, the same schema (and its metadata) and compression; only the cells of
changed text columns are replaced, dropped rows left out."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from qc.fixing.edit import Changed, Dropped, Editor, Pending
from qc.fixing.findings import FileFindings
from qc.fixing.writers import WINDOW
from qc.load import InputFile
from qc.rawio import open_regular


def _compression(parquet: pq.ParquetFile) -> str:
    metadata = parquet.metadata
    if metadata.num_row_groups and metadata.num_columns:
        codec = str(metadata.row_group(0).column(0).compression).lower()
        return "none" if codec == "uncompressed" else codec
    return "snappy"


def _row(table: pa.Table, index: int) -> dict[str, Any]:
    return table.slice(index, 1).to_pylist()[0]


def fix_file(src: InputFile, findings: FileFindings, editor: Editor, mapping: Mapping[str, str],
             out: IO[bytes] | None) -> None:
    """Rewrite one Parquet file into ``out`` (None: a dry run)."""
    with open_regular(src.path) as handle:
        parquet = pq.ParquetFile(handle)
        writer = pq.ParquetWriter(out, parquet.schema_arrow, compression=_compression(parquet)) \
            if out is not None else None
        try:
            row = 1
            for group in range(parquet.metadata.num_row_groups):
                table = parquet.read_row_group(group)
                keep: list[int] = []
                replaced: dict[str, dict[int, str]] = {}
                for first in range(0, table.num_rows, WINDOW):
                    indices = range(first, min(first + WINDOW, table.num_rows))
                    window = [Pending(row + index, findings.at(row + index, editor.orphan),
                                      functools.partial(_row, table, index)) for index in indices]
                    for index, outcome in zip(indices, editor.edit_window(src.display, window, mapping), strict=True):
                        if isinstance(outcome, Dropped):
                            continue
                        keep.append(index)
                        if isinstance(outcome, Changed):
                            for column, text in outcome.fields.items():
                                replaced.setdefault(column, {})[index] = text
                row += table.num_rows
                if writer is None:
                    continue
                for column, cells in replaced.items():
                    at = table.schema.get_field_index(column)
                    values = table.column(at).to_pylist()
                    for index, text in cells.items():
                        values[index] = text
                    column_field = table.schema.field(at)
                    table = table.set_column(at, column_field, pa.array(values, type=column_field.type))
                if len(keep) < table.num_rows:
                    table = table.take(pa.array(keep, type=pa.int64()))
                writer.write_table(table, row_group_size=max(table.num_rows, 1))
        finally:
            if writer is not None:
                writer.close()
    findings.rest(editor.orphan)
