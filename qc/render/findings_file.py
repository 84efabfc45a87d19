"""``--findings FILE.parquet|.jsonl``: the findings frame as a file, for joining back to the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from qc.errors import ConfigError
from qc.render.json import findings_records

SUFFIXES = (".parquet", ".jsonl")


def write_findings(findings: pd.DataFrame, path: Path) -> None:
    """Write ``findings`` (exactly the FindingsSchema columns) to a Parquet or JSON Lines file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"{path}: findings file must end in {' or '.join(SUFFIXES)}", field="--findings")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        findings.to_parquet(path, index=False)
        return
    with path.open("w", encoding="utf-8") as handle:
        for record in findings_records(findings):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
