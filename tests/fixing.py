"""Helpers for the qc fix tests: the sample posts written in every input format, and readers of the output."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from qc.api import check, fix
from qc.fixing.actions import ActionPlan
from tests.conftest import REPO

SAMPLES = REPO / "samples"


def sample_records() -> list[dict[str, Any]]:
    """The 18 posts of samples/posts.jsonl (chrome, placeholders, date problems and clean posts), each with
    an unknown column the fix must keep."""
    lines = (SAMPLES / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    return [{**json.loads(line), "crawl_meta": f"shard-{n % 3}"} for n, line in enumerate(lines) if line]


def write_format(folder: Path, fmt: str) -> Path:
    """The sample posts in ``fmt`` (jsonl, jsonl.gz, jsonl.zst, parquet, csv, tsv, text) under ``folder``."""
    records = sample_records()
    folder.mkdir(parents=True, exist_ok=True)
    if fmt.startswith("jsonl"):
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
        path = folder / f"posts.{fmt}"
        if fmt.endswith(".gz"):
            data = gzip.compress(data)
        elif fmt.endswith(".zst"):
            import zstandard

            data = zstandard.ZstdCompressor().compress(data)
        path.write_bytes(data)
        return path
    if fmt == "parquet":
        path = folder / "posts.parquet"
        table = pa.Table.from_pylist([{**r, "score": n} for n, r in enumerate(records)])
        pq.write_table(table, path, compression="zstd", row_group_size=7)
        return path
    if fmt in ("csv", "tsv"):
        path = folder / f"posts.{fmt}"
        buffer = io.StringIO()
        # The text column is called "body" here: the fix must write it back under that name.
        names = ["id", "body", *(k for k in records[0] if k not in ("id", "text"))]
        writer = csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n")
        writer.writerow(names)
        for r in records:
            writer.writerow([r["text"] if n == "body" else r.get(n, "") for n in names])
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        return path
    assert fmt == "text"
    path = folder / "posts"
    for r in records:
        (path / r["lang"]).mkdir(parents=True, exist_ok=True)
        (path / r["lang"] / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
    return path


def read_output(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The records of a cleaned file (or folder) as dicts."""
    if fmt.startswith("jsonl"):
        raw = path.read_bytes()
        if fmt.endswith(".gz"):
            raw = gzip.decompress(raw)
        elif fmt.endswith(".zst"):
            import zstandard

            raw = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
        return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if fmt in ("csv", "tsv"):
        text = path.read_bytes().decode("utf-8")
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ","))
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(path.rglob("*.txt"))]


def acted_rules(paths: list[str]) -> set[str]:
    """Codes of the rules whose findings qc fix strips or drops (default actions, built-in rules)."""
    result = check(paths, {"jobs": 1}, excerpts=False)
    plan = ActionPlan.build(result.ruleset)
    return {code for code, rule in plan.by_code.items() if rule.action in ("strip", "drop")}


def fix_into(paths: list[Path | str], out: Path, **config: Any) -> Any:
    """Run qc fix (the API) with one job and return its report."""
    return fix([str(p) for p in paths], out, {"jobs": 1, **config})[1]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the .qc folder too) by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
