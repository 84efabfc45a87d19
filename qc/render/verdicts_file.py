"""``--verdicts FILE.parquet|.jsonl``: one verdict per record read (:mod:`qc.verdicts`), for cleaning steps."""

from __future__ import annotations

import json
from pathlib import Path

from qc.outputs import atomic_binary_output, atomic_output
from qc.render.findings_file import findings_suffix
from qc.verdicts import VerdictStore, verdict_records


def write_verdicts(store: VerdictStore, path: Path) -> None:
    """Write every verdict (exactly the VerdictsSchema columns) to a Parquet or JSON Lines file, chunk by chunk.

    The file appears whole or not at all (:func:`qc.outputs.atomic_output`).
    """
    if findings_suffix(path, "--verdicts") == ".parquet":
        with atomic_binary_output(path, "--verdicts") as binary:
            store.write_parquet(binary)
        return
    with atomic_output(path, "--verdicts") as handle:
        for chunk in store.chunks():
            for record in verdict_records(chunk):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
