"""qc fix on real files of every input format: the cleaned corpus round-trips, keeps every other field and
unknown column, drops what it quarantines, and a second fix changes nothing (byte-identical)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qc.api import check
from tests.fixing import acted_rules, fix_into, read_output, sample_records, tree_bytes, write_format

FORMATS = ["jsonl", "jsonl.gz", "jsonl.zst", "parquet", "csv", "tsv", "text"]


def _text_key(fmt: str) -> str:
    return "body" if fmt in ("csv", "tsv") else "text"


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_fields_and_order_and_quarantines_drops(tmp_path: Path, fmt: str) -> None:
    source = write_format(tmp_path / "in", fmt)
    out = tmp_path / "out"
    report = fix_into([source], out)
    # A folder argument's files keep their paths under it; a file argument keeps its name.
    cleaned_path = out if fmt == "text" else out / source.name
    assert cleaned_path.exists() and (fmt != "text" or (out / "en").is_dir())
    cleaned = read_output(cleaned_path, fmt)
    originals = {r["id"]: r for r in sample_records()}
    quarantine = [json.loads(line) for line in (out / ".qc" / "quarantine.jsonl").read_text("utf-8").splitlines()]
    # A text post's doc_id is its path under the folder (en/en-ph-001.txt).
    dropped = {Path(entry["doc_id"]).stem for entry in quarantine}
    assert dropped and report.records["dropped"] == len(dropped)
    key = _text_key(fmt)
    # Records in the same order, the dropped ones left out.
    if fmt == "text":
        assert sorted(r["id"] for r in cleaned) == sorted(i for i in originals if i not in dropped)
    else:
        assert [r["id"] for r in cleaned] == [i for i in originals if i not in dropped]
    changed = 0
    for record in cleaned:
        original = originals[record["id"]]
        if fmt != "text":
            # Every field and the unknown column as it was; only the text may differ.
            for name, value in original.items():
                if name == "text":
                    continue
                assert str(record[name]) == str(value), (record["id"], name)
            assert record["crawl_meta"] == original["crawl_meta"]
        if record[key] != original["text"]:
            changed += 1
            assert len(record[key]) < len(original["text"])
    assert changed == report.records["changed"] > 0
    # A quarantined record is there whole, with the findings that dropped it.
    for entry in quarantine:
        assert entry["record"][key] == originals[Path(entry["doc_id"]).stem]["text"]
        assert any(f["action"] == "drop" for f in entry["findings"]) or entry["reason"] == "blank after strip"


@pytest.mark.parametrize("fmt", FORMATS)
def test_fix_of_its_own_output_is_byte_identical(tmp_path: Path, fmt: str) -> None:
    source = write_format(tmp_path / "in", fmt)
    first, second = tmp_path / "first", tmp_path / "second"
    fix_into([source], first)
    report = fix_into([first], second)
    assert report.records["changed"] == 0 and report.records["dropped"] == 0
    corpus = {name: data for name, data in tree_bytes(first).items() if not name.startswith(".qc/")}
    again = {name: data for name, data in tree_bytes(second).items() if not name.startswith(".qc/")}
    assert corpus and corpus == again


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "text"])
def test_check_of_the_output_finds_nothing_strip_or_drop_acted_on(tmp_path: Path, fmt: str) -> None:
    source = write_format(tmp_path / "in", fmt)
    out = tmp_path / "out"
    report = fix_into([source], out)
    acted = {code for code, tally in report.rules.items() if tally["action"] in ("strip", "drop")}
    assert acted
    found = set(check([str(out)], {"jobs": 1}, excerpts=False).findings["rule"])
    assert not found & acted_rules([str(out)]), found


def test_unchanged_json_lines_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source = write_format(tmp_path / "in", "jsonl")
    # A different style than json.dumps writes: compact separators, escaped non-ASCII, CRLF endings.
    lines = [json.dumps(r, separators=(",", ":")) for r in sample_records()]
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    out = tmp_path / "out"
    fix_into([source], out)
    before = source.read_bytes().split(b"\r\n")
    after = (out / source.name).read_bytes().split(b"\r\n")
    originals = {json.loads(line)["id"]: line for line in before if line}
    for line in after:
        if not line:
            continue
        record = json.loads(line)
        if line != originals[record["id"]]:  # a changed record keeps the file's own style
            assert b'":"' in line and b", " not in line[:40] and line.isascii()
    assert sum(1 for line in after if line in set(before)) >= 5


def test_field_map_names_the_column_written_back(tmp_path: Path) -> None:
    records = [{"key": r["id"], "article_body": r["text"], "other": 1} for r in sample_records()]
    source = tmp_path / "in" / "posts.jsonl"
    source.parent.mkdir()
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out"
    report = fix_into([source], out, fields={"text": "article_body", "doc_id": "key"})
    cleaned = read_output(out / "posts.jsonl", "jsonl")
    assert report.records["changed"] > 0
    assert all(set(r) == {"key", "article_body", "other"} for r in cleaned)
    assert sum(r["article_body"] != records[[x["key"] for x in records].index(r["key"])]["article_body"]
               for r in cleaned) == report.records["changed"]


def test_malformed_lines_pass_through_and_are_counted(tmp_path: Path) -> None:
    source = write_format(tmp_path / "in", "jsonl")
    lines = source.read_bytes().splitlines(keepends=True)
    broken = [lines[0], b'{"id": "bad", "text": "unterminated\n', b"[1, 2, 3]\n", *lines[1:]]
    source.write_bytes(b"".join(broken))
    out = tmp_path / "out"
    report = fix_into([source], out)
    written = (out / source.name).read_bytes().splitlines(keepends=True)
    assert broken[1] in written and broken[2] in written
    assert written.index(broken[1]) == 1 and written.index(broken[2]) == 2
    assert report.records["unreadable"] == 2


def test_dev_sample_fix_is_idempotent_and_leaves_nothing_to_cut(tmp_path: Path) -> None:
    """The 301 real pages of the vendored dev sample: a second fix changes no byte, and a check of the
    cleaned corpus finds no finding of a rule fix strips or drops."""
    from tests.conftest import DEV_SAMPLE

    first, second = tmp_path / "first", tmp_path / "second"
    report = fix_into([DEV_SAMPLE.corpus], first)
    assert report.records["changed"] > 100 and report.records["dropped"] > 10
    assert sum(tally["chars_removed"] for tally in report.rules.values()) > 50_000
    again = fix_into([first], second)
    assert again.records["changed"] == again.records["dropped"] == 0
    assert (first / DEV_SAMPLE.corpus.name).read_bytes() == (second / DEV_SAMPLE.corpus.name).read_bytes()
    found = set(check([str(first)], {"jobs": 1}, excerpts=False).findings["rule"])
    assert not found & acted_rules([str(first)]), found


def test_parquet_keeps_its_schema_compression_and_types(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    source = write_format(tmp_path / "in", "parquet")
    out = tmp_path / "out"
    report = fix_into([source], out)
    assert report.records["changed"] > 0
    before, after = pq.ParquetFile(source), pq.ParquetFile(out / source.name)
    assert after.schema_arrow == before.schema_arrow
    assert str(after.metadata.row_group(0).column(0).compression).lower() == "zstd"
    assert after.metadata.num_rows == before.metadata.num_rows - report.records["dropped"]
    assert [r["score"] for r in after.read().to_pylist()] == sorted(r["score"] for r in after.read().to_pylist())


def test_ignored_findings_are_never_cut_not_even_after_a_strip(tmp_path: Path) -> None:
    """per-path-ignores hold for qc fix: BP011's menu lines stay, though BP010's cuts bring them into reach."""
    text = ("Skip to content\nLog in | Register\nHome\nNews\nSport\nContact us\n"
            "The council voted on Tuesday to add protected bike lanes across the city.\nPrivacy Policy\nTerms of Use")
    source = tmp_path / "in" / "posts.jsonl"
    source.parent.mkdir()
    source.write_text(json.dumps({"id": "p1", "text": text, "url": "https://news.example.com/a"}) + "\n",
                      encoding="utf-8")
    ignores = {"per-path-ignores": {"posts.jsonl": ["BP011", "BP020", "BP090"]}}
    report = fix_into([source], tmp_path / "out", **ignores)
    cleaned = read_output(tmp_path / "out" / "posts.jsonl", "jsonl")[0]["text"]
    assert "BP011" not in report.rules and report.records["changed"] == 1
    assert "Skip to content" not in cleaned
    assert cleaned.splitlines()[:3] == ["Home", "News", "Sport"]
    # Without the ignores the same fix cuts the menu.
    fix_into([source], tmp_path / "plain")
    assert "Home" not in read_output(tmp_path / "plain" / "posts.jsonl", "jsonl")[0]["text"].splitlines()
