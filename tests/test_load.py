"""Loading: every input format, field mapping, source lines, dates kept raw and parsed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qc.errors import InputError
from qc.load import LoadLog, iter_batches, load_corpus, resolve_inputs

from .conftest import CLEAN_EN, PLACEHOLDER, post, write_jsonl


@pytest.mark.parametrize("compress", [None, "gz", "zst"])
def test_jsonl_plain_and_compressed(tmp_path: Path, compress: str | None) -> None:
    suffix = {None: "", "gz": ".gz", "zst": ".zst"}[compress]
    path = write_jsonl(tmp_path / f"c.jsonl{suffix}", [post("1", CLEAN_EN), post("2", PLACEHOLDER)], compress)
    frame = load_corpus([path])
    assert frame["doc_id"].tolist() == ["1", "2"]
    assert frame["text"].tolist() == [CLEAN_EN, PLACEHOLDER]
    assert frame["source_line"].tolist() == [1, 2]
    assert set(frame["source_path"]) == {str(path)}


def test_source_lines_skip_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.ndjson"
    path.write_text('\n{"id": "x", "text": "a"}\n\n   \n{"id": "y", "text": "b"}\n', encoding="utf-8")
    frame = load_corpus([path])
    assert frame["source_line"].tolist() == [2, 5]


def test_small_blocks_keep_line_numbers(tmp_path: Path) -> None:
    records = [post(str(i), f"text number {i} " * 20) for i in range(200)]
    path = write_jsonl(tmp_path / "big.jsonl", records)
    batches = list(iter_batches([path], block_bytes=2048))
    assert len(batches) > 10
    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    assert frame["source_line"].tolist() == list(range(1, 201))
    assert frame["doc_id"].tolist() == [str(i) for i in range(200)]


def test_parquet_csv_tsv(tmp_path: Path) -> None:
    table = pa.table({"id": ["p1", "p2"], "content": [CLEAN_EN, PLACEHOLDER]})
    pq.write_table(table, tmp_path / "c.parquet")
    (tmp_path / "c.csv").write_text('id,body,date\nc1,"hello, world",2020-05-16\n', encoding="utf-8")
    (tmp_path / "c.tsv").write_text("id\ttext\nt1\ttab text\n", encoding="utf-8")
    frame = load_corpus([tmp_path / "c.parquet", tmp_path / "c.csv", tmp_path / "c.tsv"])
    by_id = frame.set_index("doc_id")
    assert by_id.loc["p2", "text"] == PLACEHOLDER
    assert by_id.loc["p2", "source_line"] == 2
    assert by_id.loc["c1", "text"] == "hello, world"
    assert by_id.loc["c1", "source_line"] == 2  # line 1 is the header
    assert by_id.loc["c1", "posted_at"] == "2020-05-16"
    assert by_id.loc["t1", "text"] == "tab text"


def test_text_folder_doc_ids_are_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "posts" / "sub").mkdir(parents=True)
    (tmp_path / "posts" / "one.txt").write_text("first post", encoding="utf-8")
    (tmp_path / "posts" / "sub" / "two.md").write_text("second post", encoding="utf-8")
    (tmp_path / "posts" / "three.html").write_text("<p>third</p>", encoding="utf-8")
    frame = load_corpus([tmp_path / "posts"])
    assert sorted(frame["doc_id"]) == ["one.txt", "sub/two.md", "three.html"]
    assert set(frame["source_line"]) == {1}
    assert frame.set_index("doc_id").loc["three.html", "text"] == "<p>third</p>"


def test_aliases_are_recognised_and_reported(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": "1", "content": "body text", "published": "2020-05-16",
                                               "crawl_time": "2020-05-17T00:00:00Z",
                                               "url": "https://www.example.org/a"}])
    log = LoadLog()
    frame = pd.concat([b.frame for b in iter_batches([path], log=log)])
    assert log.mappings[str(path)] == {"doc_id": "id", "text": "content", "url": "url", "posted_at": "published",
                                       "captured_at": "crawl_time"}
    row = frame.iloc[0]
    assert row["site"] == "example.org"
    assert row["posted_at"] == "2020-05-16"  # raw value kept as given
    assert row["posted_ts"] == pd.Timestamp("2020-05-16", tz="UTC")
    assert row["captured_ts"] == pd.Timestamp("2020-05-17", tz="UTC")


def test_field_map_renames_and_keeps_other_columns(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"key": "k1", "article_body": "x", "text": "not this",
                                               "extra": 7}])
    frame = load_corpus([path], field_map={"doc_id": "key", "text": "article_body"})
    row = frame.iloc[0]
    assert (row["doc_id"], row["text"], row["extra"]) == ("k1", "x", 7)


def test_iso_timestamps_are_not_turned_into_pyarrow_timestamps(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [post("1", "t", posted_at="2020-05-16T17:53:04+08:00")])
    row = load_corpus([path]).iloc[0]
    assert row["posted_at"] == "2020-05-16T17:53:04+08:00"
    assert row["posted_ts"] == pd.Timestamp("2020-05-16T09:53:04Z")


def test_numeric_ids_become_strings(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": 12, "text": "a"}, {"id": 13, "text": "b"}])
    assert load_corpus([path])["doc_id"].tolist() == ["12", "13"]


def test_glob_and_missing_inputs(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [post("1", "x")])
    write_jsonl(tmp_path / "b.jsonl", [post("2", "y")])
    assert [f.path.name for f in resolve_inputs([str(tmp_path / "*.jsonl")])] == ["a.jsonl", "b.jsonl"]
    with pytest.raises(InputError, match="glob matched no files"):
        resolve_inputs([str(tmp_path / "*.parquet")])
    with pytest.raises(InputError, match="no such file"):
        resolve_inputs([tmp_path / "missing.jsonl"])
