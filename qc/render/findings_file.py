"""``--findings FILE.parquet|.jsonl``: the findings frame as a file, for joining back to the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from qc.errors import ConfigError
from qc.render.json import findings_records
from qc.store import FindingsStore

SUFFIXES = (".parquet", ".jsonl")


def write_findings(store: FindingsStore, path: Path) -> None:
    """Write every finding (exactly the FindingsSchema columns) to a Parquet or JSON Lines file, chunk by chunk."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"{path}: findings file must end in {' or '.join(SUFFIXES)}", field="--findings")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        store.write_parquet(path)
        return
    with path.open("w", encoding="utf-8") as handle:
        for chunk in store.chunks():
            for record in findings_records(chunk):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
