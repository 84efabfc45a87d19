"""Every reader plans splits, so --jobs N reads within one file: CSV at record boundaries (a quoted newline is
never a cut), Parquet at row groups, JSON Lines at newlines; a file that cannot be cut is one split and says
why. The findings are the same, in the same order, as reading each file whole in one process."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qc import engine
from qc.api import check
from qc.config import Config
from qc.load import LoadLog, resolve_inputs
from qc.readers.registry import READERS, format_of

PLACEHOLDER = "今年地区生产总值x亿元,增长x%。"


def _config(**keys: object) -> Config:
    return Config.model_validate({"fail-on": "never", **{k.replace("_", "-"): v for k, v in keys.items()}})


def posts(n: int) -> list[dict[str, str]]:
    """Posts whose texts hold quoted newlines, commas and quotes (CSV's hard cases) and a placeholder."""
    return [{"id": f"p{i}", "text": f"第{i}帖,\n\"引号\"\r\n{PLACEHOLDER if i % 3 == 0 else '正文。'}\n找回密码",
             "url": f"https://bbs.example.cn/t{i}"} for i in range(n)]


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(("name", "delimiter"), [("posts.csv", ","), ("posts.tsv", "\t")])
def test_csv_splits_start_at_records_and_find_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       name: str, delimiter: str) -> None:
    path = write_csv(tmp_path / name, posts(200), delimiter)
    [src] = resolve_inputs([path])
    splits = READERS[src.fmt].plan_splits(src, 1024)
    assert len(splits) > 5
    data = path.read_bytes()
    for split in splits[1:]:
        assert data[split.start - 1 : split.start] == b"\n"  # each starts a record
        assert data[split.start : split.start + 1] == b"p"  # the id, not the middle of a quoted text
    whole = check(path, _config(jobs=1))
    monkeypatch.setattr(engine, "SPLIT_BYTES", 1024)
    parallel = check(path, _config(jobs=2, batch_rows=7))
    pd.testing.assert_frame_equal(whole.findings, parallel.findings)
    assert whole.stats.documents == parallel.stats.documents == 200
    # Lines are the file's physical lines: each record's first line holds its id.
    lines = data.decode("utf-8").split("\n")
    for doc_id, line in zip(whole.findings["doc_id"], whole.findings["source_line"], strict=True):
        assert lines[int(line) - 1].startswith(f"{doc_id}{delimiter}")


def test_a_csv_with_a_quote_left_open_is_one_split_and_says_so(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "open.csv", posts(100))
    path.write_bytes(path.read_bytes() + b'p-last,"never closed\n' + b"x" * 3000 + b"\n")
    [src] = resolve_inputs([path])
    log = LoadLog()
    assert len(READERS["csv"].plan_splits(src, 1024, log)) == 1
    assert any("no safe record boundary" in note for note in log.notes)


def test_compressed_files_are_one_split_and_say_so(tmp_path: Path) -> None:
    records = [json.dumps(p, ensure_ascii=False) for p in posts(50)]
    path = tmp_path / "posts.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(records) + "\n").encode()))
    result = check(path, _config(jobs=2))
    assert any("posts.jsonl.gz: compressed, read as one split" in note for note in result.stats.load.notes)
    assert result.stats.documents == 50


def test_parquet_splits_at_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "posts.parquet"
    pq.write_table(pa.Table.from_pylist(posts(120)), path, row_group_size=10)
    [src] = resolve_inputs([path])
    splits = READERS["parquet"].plan_splits(src, 1)
    assert len(splits) == 12 and [s.first for s in splits] == list(range(1, 121, 10))
    whole = check(path, _config(jobs=1))
    monkeypatch.setattr(engine, "SPLIT_BYTES", 1)
    parallel = check(path, _config(jobs=2, batch_rows=4))
    pd.testing.assert_frame_equal(whole.findings, parallel.findings)
    # Rows are 1-based rows of the file: row n holds post n-1.
    assert all(doc == f"p{int(row) - 1}" for doc, row in zip(whole.findings["doc_id"], whole.findings["source_line"],
                                                             strict=True))
    assert set(whole.findings["locator"]) == {"row"}


def test_jsonl_ranges_find_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts(150)) + "\n", encoding="utf-8")
    whole = check(path, _config(jobs=1))
    monkeypatch.setattr(engine, "SPLIT_BYTES", 2048)
    parallel = check(path, _config(jobs=2, batch_rows=5))
    pd.testing.assert_frame_equal(whole.findings, parallel.findings)
    assert set(whole.findings["locator"]) == {"line"}


def test_web_archives_are_found_in_folders_by_suffix(tmp_path: Path) -> None:
    for name in ("a.warc", "b.warc.gz", "c.wet.gz", "d.arc", "e.arc.gz", "notes.warc.txt"):
        (tmp_path / name).write_bytes(b"")
    found = {f.path.name: f.fmt for f in resolve_inputs([tmp_path])}
    assert found == {"a.warc": "warc", "b.warc.gz": "warc", "c.wet.gz": "warc", "d.arc": "warc",
                     "e.arc.gz": "warc", "notes.warc.txt": "text"}
    assert format_of(Path("x.warc.zst")) is None  # FastWARC reads gzip members only


def test_verbose_says_a_compressed_file_is_one_split(tmp_path: Path) -> None:
    from .conftest import run_qc

    path = tmp_path / "posts.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(json.dumps(p, ensure_ascii=False) for p in posts(5)) + "\n").encode()))
    done = run_qc("check", path, "--verbose", "--jobs", "2")
    assert done.code == 1, done.stderr
    assert "compressed, read as one split" in done.stdout


@pytest.mark.dask
def test_dask_reads_csv_and_parquet_splits_and_finds_the_same(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    from qc.distributed import plan_partitions, run_dask
    from qc.engine import Checker
    from qc.registry import load_rules

    write_csv(tmp_path / "a.csv", posts(80))
    pq.write_table(pa.Table.from_pylist(posts(60)[::-1]), tmp_path / "b.parquet", row_group_size=7)
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts(40)) + "\n",
                                      encoding="utf-8")
    parts = plan_partitions(resolve_inputs([tmp_path]), 1024)
    assert sum(p.split is not None and p.file.fmt == "csv" for p in parts) > 3
    assert sum(p.split is not None and p.file.fmt == "parquet" for p in parts) > 3
    config = _config(batch_rows=6)
    local = check(tmp_path, config)  # duplicates across files (same ids) are found in corpus order too
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster.scheduler_address) as client:
        store, _ = run_dask([tmp_path], Checker(load_rules([])), config, client=client, partition_bytes=1024)
    pd.testing.assert_frame_equal(local.findings, store.to_frame())
    assert (local.findings["rule"] == "SC007").sum() > 0
