"""``--verdicts FILE.parquet|.jsonl``: one verdict per record read (:mod:`qc.verdicts`), for cleaning steps."""

from __future__ import annotations

from pathlib import Path

from qc.render.findings_file import write_store_file
from qc.verdicts import VerdictStore, verdict_records


def write_verdicts(store: VerdictStore, path: Path) -> None:
    """Write every verdict (exactly the VerdictsSchema columns) to a Parquet or JSON Lines file, chunk by chunk.

    The file appears whole or not at all (:func:`qc.outputs.atomic_output`).
    """
    write_store_file(store, path, "--verdicts", verdict_records)
