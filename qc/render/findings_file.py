"""``--findings FILE.parquet|.jsonl``: the findings frame as a file, for joining back to the corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from qc.errors import ConfigError
from qc.outputs import atomic_binary_output, atomic_output
from qc.render.json import findings_records
from qc.store import FindingsStore, SpillStore

SUFFIXES = (".parquet", ".jsonl")


def findings_suffix(path: Path, option: str = "--findings") -> str:
    """``.parquet`` or ``.jsonl``: the format ``path`` asks for; anything else is a :class:`ConfigError`
    (the CLI asks before the run, so a typo does not cost a whole check). ``option`` names the flag."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        what = option.removeprefix("--")
        raise ConfigError(f"{path}: {what} file must end in {' or '.join(SUFFIXES)}", field=option)
    return suffix


def write_store_file(store: SpillStore, path: Path, option: str,
                     records: Callable[[pd.DataFrame], list[dict[str, Any]]]) -> None:
    """Write every row of ``store`` to a Parquet or JSON Lines file (by ``path``'s suffix), chunk by chunk;
    ``records`` turns a chunk into JSON objects. The file appears whole or not at all
    (:func:`qc.outputs.atomic_output`)."""
    if findings_suffix(path, option) == ".parquet":
        with atomic_binary_output(path, option) as binary:
            store.write_parquet(binary)
        return
    with atomic_output(path, option) as handle:
        for chunk in store.chunks():
            for record in records(chunk):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_findings(store: FindingsStore, path: Path) -> None:
    """Write every finding (exactly the FindingsSchema columns) to a Parquet or JSON Lines file."""
    write_store_file(store, path, "--findings", findings_records)
