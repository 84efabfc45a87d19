"""qc fix on web archives: a WARC, WET or ARC file's cleaned text is a WET file of conversion records, read
back by corpus-qc with the same urls and the cleaned texts, idempotent, with dropped records quarantined and
the records that are not text counted (files written by warcio, read back by FastWARC and corpus-qc)."""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastwarc.warc import ArchiveIterator

from qc.api import check
from qc.load import resolve_inputs
from qc.readers.base import LoadLog, ReadOptions, Split
from qc.readers.registry import READERS
from tests.conftest import REPO, run_qc
from tests.fixing import (
    CRAWL_DROPPED,
    CRAWL_HEAD,
    CRAWL_PLACEHOLDER,
    CRAWL_POSTS,
    CRAWL_TAIL,
    SAMPLES,
    acted_rules,
    fix_into,
    tree_bytes,
    write_crawl,
    write_crawl_warc,
    write_crawl_wet,
)

OUTPUTS = {"a.warc.gz": "a.wet.gz", "b.warc": "b.wet", "c.wet.gz": "c.wet.gz", "d.arc.gz": "d.wet.gz"}


def rows(path: Path) -> pd.DataFrame:
    """The records corpus-qc reads from a web archive (its reader, the whole file)."""
    [src] = resolve_inputs([path])
    frames = [frame for frame, _ in READERS["warc"].read(Split(src), ReadOptions(), LoadLog())]
    return pd.concat(frames, ignore_index=True)


def records(path: Path) -> list[Any]:
    """Every record of a file as FastWARC reads it on its own (headers and block)."""
    found = []
    for record in ArchiveIterator(path.open("rb"), parse_http=False):
        verified = record.verify_block_digest(consume=False)  # before the block is read
        found.append((str(record.headers.get("WARC-Type")), dict(record.headers.items()), record.reader.read(),
                      verified))
    return found


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    root = tmp_path_factory.mktemp("warcfix")
    crawl = write_crawl(root / "crawl")
    out = root / "out"
    report = fix_into([crawl], out)
    return crawl, out, report


def test_each_archive_becomes_a_wet_of_conversion_records(fixed: tuple[Path, Path, Any]) -> None:
    crawl, out, report = fixed
    assert sorted(report.outputs) == sorted(OUTPUTS.values())
    manifest = json.loads((out / ".qc" / "manifest.json").read_text("utf-8"))
    assert {e["input"]: e["path"] for e in manifest["outputs"]} == {str(crawl / k): v for k, v in OUTPUTS.items()}
    assert (out / "a.wet.gz").read_bytes()[:2] == b"\x1f\x8b" and (out / "b.wet").read_bytes().startswith(b"WARC/1.0")
    for name in OUTPUTS.values():
        found = records(out / name)
        kinds = [kind for kind, *_ in found]
        assert kinds[0] == "warcinfo" and set(kinds[1:]) == {"conversion"}
        assert all(ok for *_, ok in found)  # every block digest matches its (new) block
        for _, headers, block, _ in found:
            assert int(headers["Content-Length"]) == len(block)
    # A gzip output is one member per record, each with time 0 and no file name (deterministic bytes).
    data = (out / "a.wet.gz").read_bytes()
    assert data.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00") == len(records(out / "a.wet.gz"))


def test_the_output_reads_back_with_the_urls_ids_and_cleaned_texts(fixed: tuple[Path, Path, Any]) -> None:
    crawl, out, _ = fixed
    kept = [n for n in range(len(CRAWL_POSTS)) if n != CRAWL_DROPPED]
    for source, name in OUTPUTS.items():
        before, after = rows(crawl / source), rows(out / name)
        expected = before[~before["text"].str.contains(CRAWL_PLACEHOLDER, regex=False)]
        assert after["url"].tolist() == expected["url"].tolist()
        assert len(after) == len(kept)
        assert after["captured_at"].tolist() == expected["captured_at"].tolist()
        for text, n in zip(after["text"], kept, strict=True):
            assert CRAWL_POSTS[n] in text  # the post stays
            assert not any(line in text for line in [*CRAWL_HEAD, *CRAWL_TAIL])  # the chrome is cut
        if source.endswith(".wet.gz"):  # a WET's records keep their ids and languages
            assert after["doc_id"].tolist() == expected["doc_id"].tolist()
            assert set(after["lang"]) == {"zho"}
        elif not source.endswith(".arc.gz"):
            # A WARC response's conversion record: a UUID 5 of the response's id, which it refers to.
            ids = [f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, rid)}>" for rid in expected["doc_id"]]
            assert after["doc_id"].tolist() == ids
            refers = [headers["WARC-Refers-To"] for kind, headers, *_ in records(out / name) if kind == "conversion"]
            assert refers == expected["doc_id"].tolist()
            assert set(after["lang"]) == {"zh"}  # the page's <html lang>, kept as the record's language


def test_an_unchanged_wet_record_is_copied_byte_for_byte_and_a_changed_one_keeps_its_headers(
        fixed: tuple[Path, Path, Any]) -> None:
    crawl, out, _ = fixed
    source, cleaned = records(crawl / "c.wet.gz"), records(out / "c.wet.gz")
    assert len(cleaned) == len(source) - 1  # the placeholder page is dropped
    # Page 4 (the last record) has no chrome: its gzip member is in the output as it was stored.
    last = rows(crawl / "c.wet.gz").iloc[-1]
    assert last["text"] == CRAWL_POSTS[4]
    member = (crawl / "c.wet.gz").read_bytes()[int(last["source_line"]):]
    assert gzip.decompress(member).startswith(b"WARC/1.0") and (out / "c.wet.gz").read_bytes().endswith(member)
    assert cleaned[0][2] == source[0][2]  # the warcinfo is copied too
    for (_, before, old, _), (_, after, new, _) in zip(source[1:3], cleaned[1:3], strict=True):
        assert new != old and new.decode() in old.decode()
        unchanged = {k: v for k, v in before.items() if k not in ("Content-Length", "WARC-Block-Digest",
                                                                  "WARC-Payload-Digest")}
        assert {k: after[k] for k in unchanged} == unchanged and list(after) == list(before)
        assert after["WARC-Block-Digest"] != before["WARC-Block-Digest"]


def test_a_second_fix_changes_nothing(fixed: tuple[Path, Path, Any], tmp_path: Path) -> None:
    _, out, _ = fixed
    again = tmp_path / "again"
    report = fix_into([out], again)
    assert report.records["changed"] == 0 and report.records["dropped"] == 0
    first, second = tree_bytes(out), tree_bytes(again)
    for name in OUTPUTS.values():
        assert first[name] == second[name]


def test_check_on_the_output_finds_nothing_that_was_cut(fixed: tuple[Path, Path, Any]) -> None:
    crawl, out, _ = fixed
    acted = acted_rules([str(crawl)])
    before = check([str(crawl)], {"jobs": 1}, excerpts=False).findings
    assert set(before["rule"]) & acted >= {"BP001", "PH001"}
    after = check([str(out)], {"jobs": 1}, excerpts=False).findings
    assert not set(after["rule"]) & acted


def test_a_dropped_record_is_quarantined_with_its_headers_and_text(fixed: tuple[Path, Path, Any]) -> None:
    crawl, out, report = fixed
    entries = [json.loads(line) for line in (out / ".qc" / "quarantine.jsonl").read_text("utf-8").splitlines()]
    assert len(entries) == report.records["dropped"] == len(OUTPUTS)  # the placeholder page of each file
    for entry in entries:
        record = entry["record"]
        assert CRAWL_PLACEHOLDER in record["text"] and "<html" not in record["text"]
        assert record["url"].endswith(f"-{CRAWL_DROPPED}.html")
        assert record["warc_headers"]["WARC-Target-URI"] == record["url"]
        assert "PH001" in {f["rule"] for f in entry["findings"]}
    wet = next(e for e in entries if e["source_path"].endswith("c.wet.gz"))
    # Its locator is the record's byte offset: the reader seeks there and reads that record.
    assert int(wet["source_line"]) in set(rows(crawl / "c.wet.gz")["source_line"])


def test_records_that_are_not_text_are_counted_not_written(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    skipped = write_crawl_warc(crawl / "a.warc.gz", gz=True)
    data = (crawl / "a.warc.gz").read_bytes()
    (crawl / "a.warc.gz").write_bytes(data[:-40])  # the last record (metadata) cut short: a truncated one
    report = fix_into([crawl], tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / ".qc" / "manifest.json").read_text("utf-8"))
    expected = {**skipped, "truncated record": 1}
    del expected["metadata record"]
    assert manifest["skipped_records"] == report.skipped == expected
    written = records(tmp_path / "out" / "a.wet.gz")
    assert len(written) == 1 + len(CRAWL_POSTS) - 1  # a warcinfo, and the pages but the dropped one
    assert manifest["records"]["read"] == len(CRAWL_POSTS)


def test_a_warc_and_a_wet_of_one_name_are_refused(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_crawl_warc(crawl / "a.warc.gz", gz=True)
    write_crawl_wet(crawl / "a.wet.gz")
    run = run_qc("fix", crawl, "--out", tmp_path / "out", "-j", "1")
    assert run.code == 2 and "would both be written to a.wet.gz" in run.stderr
    assert not (tmp_path / "out").exists()


def test_overwrite_removes_the_wet_of_an_archive_no_longer_an_input(tmp_path: Path) -> None:
    crawl = write_crawl(tmp_path / "crawl")
    out = tmp_path / "out"
    fix_into([crawl], out)
    (crawl / "b.warc").unlink()
    from qc.api import fix

    _, report = fix([str(crawl)], out, {"jobs": 1}, overwrite=True)
    assert report.removed == ["b.wet"] and not (out / "b.wet").exists() and (out / "a.wet.gz").is_file()


def test_the_samples_fix_writes_the_seed_wet_and_the_demo_commands_succeed(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    out = tmp_path / "fixed"
    # make demo's two qc fix commands, run from the repository as the Makefile does.
    run = run_qc("fix", samples, "--out", out, "--overwrite", cwd=REPO)
    assert run.code == 0, run.stderr
    seed = records(out / "seed.wet.gz")
    assert [kind for kind, *_ in seed] == ["warcinfo"]  # the seed page's masked numbers drop it
    diff = run_qc("fix", samples, "--diff", "--limit", "2", cwd=REPO)
    assert diff.code == 0, diff.stderr
    assert diff.stdout.count("\n+++ ") + diff.stdout.startswith("+++ ") == 2


def _without_settings(folder: Path) -> dict[str, bytes]:
    files = tree_bytes(folder)
    manifest = json.loads(files.pop(".qc/manifest.json"))
    manifest.pop("config")  # the settings name the engine and the jobs; everything else must agree
    files["manifest"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def test_jobs_2_reading_splits_of_each_archive_writes_the_same_bytes(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from qc import engine

    crawl = write_crawl(tmp_path / "crawl")
    monkeypatch.setattr(engine, "SPLIT_BYTES", 1024)  # many splits per file, read by the workers
    [src] = resolve_inputs([crawl / "a.warc.gz"])
    assert len(READERS["warc"].plan_splits(src, 1024)) > 3
    fix_into([crawl], tmp_path / "one", **{"batch-rows": 3})
    fix_into([crawl], tmp_path / "two", **{"batch-rows": 3, "jobs": 2})
    one, two = _without_settings(tmp_path / "one"), _without_settings(tmp_path / "two")
    assert one == two and set(OUTPUTS.values()) <= set(one)


@pytest.mark.dask
def test_dask_reading_splits_of_each_archive_writes_the_bytes_of_a_local_run(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    from distributed import LocalCluster

    from qc import distributed
    from qc.api import fix

    crawl = write_crawl(tmp_path / "crawl")
    fix_into([crawl], tmp_path / "local", **{"batch-rows": 3})
    # The real engine, with partitions small enough to cut every archive at its records.
    monkeypatch.setattr(distributed, "run_dask", functools.partial(distributed.run_dask, partition_bytes=1024))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        fix([str(crawl)], tmp_path / "dask", {"batch-rows": 3, "engine": "dask",
                                              "scheduler": cluster.scheduler_address})
    assert _without_settings(tmp_path / "local") == _without_settings(tmp_path / "dask")
    assert sum(p.split is not None for p in distributed.plan_partitions(resolve_inputs([crawl]), 1024)) > 6


@pytest.mark.parametrize("layout", ["plain", "gzipped whole"])
def test_a_plain_wet_and_one_gzipped_whole_are_cleaned_and_then_left_alone(tmp_path: Path, layout: str) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_crawl_wet(tmp_path / "c.wet.gz")
    stored = gzip.decompress((tmp_path / "c.wet.gz").read_bytes())
    name = "c.wet" if layout == "plain" else "c.wet.gz"
    (crawl / name).write_bytes(stored if layout == "plain" else gzip.compress(stored, mtime=0))
    report = fix_into([crawl], tmp_path / "out")
    assert report.records["changed"] == 3 and report.records["dropped"] == 1
    cleaned = rows(tmp_path / "out" / name)
    assert cleaned["doc_id"].tolist() == [d for d, t in zip(rows(crawl / name)["doc_id"], rows(crawl / name)["text"],
                                                             strict=True) if CRAWL_PLACEHOLDER not in t]
    assert not any(line in text for text in cleaned["text"] for line in [*CRAWL_HEAD, *CRAWL_TAIL])
    assert all(ok for *_, ok in records(tmp_path / "out" / name))
    fix_into([tmp_path / "out"], tmp_path / "again")
    assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
