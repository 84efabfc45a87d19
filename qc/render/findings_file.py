"""``--findings FILE.parquet|.jsonl``: the findings frame as a file, for joining back to the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from qc.errors import ConfigError
from qc.outputs import atomic_binary_output, atomic_output
from qc.render.json import findings_records
from qc.store import FindingsStore

SUFFIXES = (".parquet", ".jsonl")


def findings_suffix(path: Path, option: str = "--findings") -> str:
    """``.parquet`` or ``.jsonl``: the format ``path`` asks for; anything else is a :class:`ConfigError`
    (the CLI asks before the run, so a typo does not cost a whole check). ``option`` names the flag."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        what = option.removeprefix("--")
        raise ConfigError(f"{path}: {what} file must end in {' or '.join(SUFFIXES)}", field=option)
    return suffix


def write_findings(store: FindingsStore, path: Path) -> None:
    """Write every finding (exactly the FindingsSchema columns) to a Parquet or JSON Lines file, chunk by chunk.

    The file appears whole or not at all (:func:`qc.outputs.atomic_output`).
    """
    if findings_suffix(path) == ".parquet":
        with atomic_binary_output(path, "--findings") as binary:
            store.write_parquet(binary)
        return
    with atomic_output(path, "--findings") as handle:
        for chunk in store.chunks():
            for record in findings_records(chunk):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
