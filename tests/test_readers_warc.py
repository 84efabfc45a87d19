"""Web archives: real WARC, WET and ARC files written with the libraries (gzip per record and plain), checked
like any other input: every record checked or counted as skipped with its reason, damage kept to its
record, findings located by byte offset (a user seeks there and reads that very record), and the same
findings for --jobs 1, --jobs 2 (files cut into splits) and Dask."""

from __future__ import annotations

import gzip
import importlib.util
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastwarc.warc import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from qc import engine
from qc.api import check
from qc.config import Config
from qc.distributed import plan_partitions
from qc.load import resolve_inputs
from qc.readers.registry import READERS

from .conftest import REPO, run_qc

CHROME_HEAD = ["找回密码", "免费注册", "QQ登录", "只需一步,快速开始"]
CHROME_TAIL = ["您需要登录后才可以回帖 登录 | 免费注册", "本版积分规则", "快速回复 返回顶部 返回列表"]


def _config(**keys: object) -> Config:
    return Config.model_validate({"fail-on": "never", **{k.replace("_", "-"): v for k, v in keys.items()}})


def page(n: int, charset: str = "utf-8") -> str:
    """A forum page: chrome (header, nav, footer) around a post with a masked number, and a script and style
    the text must drop."""
    body = "<header>" + "".join(f"<div>{line}</div>" for line in CHROME_HEAD) + "</header><nav><a>首页</a></nav>"
    body += (f"<main><article><p>第{n}号帖子。今年地区生产总值x亿元,增长x%。全市上下要坚定信心,攻坚克难,"
             "确保全年目标任务圆满完成。各级各部门要强化责任担当,狠抓工作落实。</p></article></main>"
             "<script>var x = '找回密码';</script>")
    body += "<footer>" + "".join(f"<div>{line}</div>" for line in CHROME_TAIL) + "</footer>"
    return (f"<html lang='zh'><head><meta charset='{charset}'><title>帖子 {n}</title><style>p {{}}</style></head>"
            f"<body>{body}</body></html>")


def _response(writer: WARCWriter, url: str, payload: bytes, content_type: str) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                  http_headers=headers))


def write_warc(path: Path, *, gz: bool, pages: int = 6) -> dict[str, int]:
    """A crawl: warcinfo, request/response pairs, a revisit, a PNG, a page in a charset Python does not know,
    a GBK page declared as UTF-8, and a metadata record. Returns the records written, by type."""
    counts: dict[str, int] = {}

    def count(kind: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "corpus-qc tests"}))
        count("warcinfo")
        for n in range(pages):
            url = f"http://bbs.example.cn/thread-{n}.html"
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(
                f"GET /thread-{n}.html HTTP/1.1\r\nHost: bbs.example.cn\r\n\r\n".encode())))
            count("request")
            _response(writer, url, page(n).encode(), "text/html; charset=utf-8")
            count("response")
        revisit = writer.create_revisit_record("http://bbs.example.cn/thread-0.html", digest="sha1:AAAA",
                                               refers_to_uri="http://bbs.example.cn/thread-0.html",
                                               refers_to_date="2024-11-29T04:32:00Z")
        writer.write_record(revisit)
        count("revisit")
        _response(writer, "http://bbs.example.cn/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        count("png")
        _response(writer, "http://bbs.example.cn/odd.html", page(90).encode(), "text/html; charset=x-no-such-set")
        count("unknown charset")
        _response(writer, "http://bbs.example.cn/gbk.html", page(91, "gbk").encode("gbk"), "text/html; charset=utf-8")
        count("wrong charset")
        writer.write_record(writer.create_warc_record("http://bbs.example.cn/thread-1.html", "metadata",
                                                      payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                                                      warc_content_type="application/warc-fields"))
        count("metadata")
    return counts


def write_wet(path: Path, pages: int = 4) -> None:
    """WET: a warcinfo, then one conversion record (the page's text) per page, with a language."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "corpus-qc tests"}))
        for n in range(pages):
            text = "\n".join([*CHROME_HEAD, f"第{n}号帖子。地区生产总值x亿元。", *CHROME_TAIL])
            record = writer.create_warc_record(f"http://bbs.example.cn/wet-{n}.html", "conversion",
                                               payload=io.BytesIO(text.encode()), warc_content_type="text/plain",
                                               warc_headers_dict={"WARC-Identified-Content-Language": "zho"})
            writer.write_record(record)


def write_arc(path: Path, *, gz: bool, pages: int = 3) -> None:
    """ARC v1 (what warcio reads; no library writes it): the version block, then one record per page."""
    def record(url: str, content_type: str, block: bytes) -> bytes:
        return f"{url} 10.0.0.1 20241129043200 {content_type} {len(block)}\n".encode() + block + b"\n"

    version = b"1 0 corpus-qc-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    parts = [record(f"filedesc://{path.name}", "text/plain", version)]
    for n in range(pages):
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page(n).encode()
        parts.append(record(f"http://bbs.example.cn/arc-{n}.html", "text/html", block))
    path.write_bytes(b"".join(gzip.compress(p) for p in parts) if gz else b"".join(parts))


def truncate_last(path: Path, keep: int = 80) -> None:
    """Cut the file inside its last record (an interrupted crawl)."""
    data = path.read_bytes()
    path.write_bytes(data[:-keep])


def records_in(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(offset, type, record id) of every record, as FastWARC reads the file on its own."""
    for record in ArchiveIterator(path.open("rb"), parse_http=False):
        yield int(record.stream_pos), str(record.record_type), record.record_id


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("crawl")
    counts = {"a.warc.gz": write_warc(folder / "a.warc.gz", gz=True),
              "b.warc": write_warc(folder / "b.warc", gz=False)}
    write_wet(folder / "c.wet.gz")
    write_arc(folder / "d.arc.gz", gz=True)
    write_arc(folder / "e.arc", gz=False)
    return folder, counts


def test_every_record_is_checked_or_skipped_with_its_reason(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, counts = crawl
    result = check(folder / "b.warc", _config(jobs=1))
    written = counts["b.warc"]
    pages = written["response"] + written["unknown charset"] + written["wrong charset"]
    assert result.stats.documents == pages
    skipped = result.stats.load.skipped
    assert skipped == {"warcinfo record": 1, "request record": written["request"], "revisit record": 1,
                       "metadata record": 1, "non-HTML response (image/png)": 1}
    assert result.stats.documents + sum(skipped.values()) == sum(written.values())


def test_fields_come_from_the_record_and_the_page(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, _ = crawl
    result = check(folder / "a.warc.gz", _config(jobs=1))
    first = result.findings.iloc[0]
    assert first["site"] == "bbs.example.cn" and str(first["doc_id"]).startswith("<urn:uuid:")
    rules = set(result.findings["rule"])
    assert {"BP001", "PH010"} <= rules  # the chrome and the masked number, from the naive page text
    # The script's '找回密码' is no text: each page has the word once, in its chrome.
    per_doc = result.findings[(result.findings["match"] == "找回密码")].groupby("doc_id").size()
    assert (per_doc == 1).all()


def test_bad_charsets_are_decoded_with_replacement_and_reported(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, _ = crawl
    result = check(folder / "b.warc", _config(jobs=1))
    sc003 = result.findings[result.findings["rule"] == "SC003"]
    messages = sorted(sc003["message"])
    assert len(messages) == 2, messages
    assert "unknown charset 'x-no-such-set'" in messages[1] or "unknown charset 'x-no-such-set'" in messages[0]
    assert any("not valid utf-8" in m for m in messages)
    # The page in an unknown charset is decoded as detected (UTF-8 here): still checked, its chrome found.
    unknown = sc003[sc003["message"].str.contains("unknown charset")]["doc_id"].iat[0]
    assert unknown in set(result.findings[result.findings["rule"] == "BP001"]["doc_id"])
    # The GBK page declared as UTF-8 keeps its ASCII and is checked too (a document, not an error).
    assert result.input_errors == [] and result.stats.checked == result.stats.documents


@pytest.mark.parametrize("name", ["a.warc.gz", "b.warc"])
def test_a_truncated_record_is_one_problem_and_the_rest_is_read(crawl: tuple[Path, dict[str, dict[str, int]]],
                                                                tmp_path: Path, name: str) -> None:
    folder, counts = crawl
    target = tmp_path / name
    target.write_bytes((folder / name).read_bytes())
    truncate_last(target)  # the metadata record at the end is cut: a per-record problem
    result = check(target, _config(jobs=1))
    sc012 = result.findings[result.findings["rule"] == "SC012"]
    assert len(sc012) == 1 and "truncated" in sc012["message"].iat[0]
    written = counts[name]
    assert result.stats.documents == written["response"] + 2
    assert result.input_errors == []


def test_a_damaged_gzip_member_in_the_middle_is_skipped_and_reading_resumes(
        crawl: tuple[Path, dict[str, dict[str, int]]], tmp_path: Path) -> None:
    folder, counts = crawl
    source = folder / "a.warc.gz"
    offsets = [offset for offset, kind, _ in records_in(source) if kind == "response"]
    data = bytearray(source.read_bytes())
    damaged = offsets[2]
    data[damaged + 30 : damaged + 60] = bytes(30)  # corrupt the deflate data of the third response
    target = tmp_path / "damaged.warc.gz"
    target.write_bytes(bytes(data))
    result = check(target, _config(jobs=1))
    sc012 = result.findings[result.findings["rule"] == "SC012"]
    assert sc012["source_line"].tolist() == [damaged]
    written = counts["a.warc.gz"]
    assert result.stats.documents == written["response"] + 2 - 1  # every page but the damaged one


def test_locators_seek_to_the_record(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, _ = crawl
    for name in ("a.warc.gz", "b.warc", "c.wet.gz"):
        result = check(folder / name, _config(jobs=1))
        findings = result.findings
        assert (findings["locator"] == "offset").all() and findings["line"].isna().all()
        for offset, doc_id in set(zip(findings["source_line"].tolist(), findings["doc_id"].tolist(), strict=True)):
            with (folder / name).open("rb") as handle:
                handle.seek(offset)
                record = next(iter(ArchiveIterator(handle, parse_http=False)))
                assert record.record_id == doc_id, (name, offset)


def test_wet_conversion_records_give_text_and_language(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, _ = crawl
    result = check(folder / "c.wet.gz", _config(jobs=1))
    assert result.stats.documents == 4 and result.stats.load.skipped == {"warcinfo record": 1}
    assert {"BP001", "PH010"} <= set(result.findings["rule"])


@pytest.mark.parametrize("name", ["d.arc.gz", "e.arc"])
def test_arc_files_are_read(crawl: tuple[Path, dict[str, dict[str, int]]], name: str) -> None:
    folder, _ = crawl
    result = check(folder / name, _config(jobs=1))
    assert result.stats.documents == 3
    findings = result.findings
    assert {"BP001", "PH010"} <= set(findings["rule"]) and (findings["locator"] == "offset").all()
    # The id names the file and offset: stable from one read to the next, and where the record is.
    assert all(str(d) == f"{name}@{o}" for d, o in zip(findings["doc_id"], findings["source_line"], strict=True))
    again = check(folder / name, _config(jobs=1))
    pd.testing.assert_frame_equal(findings, again.findings)


def test_main_content_extraction_is_an_option(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, _ = crawl
    naive = check(folder / "b.warc", _config(jobs=1))
    main = check(folder / "b.warc", _config(jobs=1, warc_text="main"))
    assert main.stats.documents == naive.stats.documents
    assert len(main.findings) < len(naive.findings)  # less chrome is left in the main content


def test_splits_cut_at_records(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    folder, _ = crawl
    reader = READERS["warc"]
    for name in ("a.warc.gz", "b.warc"):
        [src] = resolve_inputs([folder / name])
        splits = reader.plan_splits(src, 2048)
        starts = {offset for offset, _, _ in records_in(folder / name)}
        assert len(splits) > 3 and all(s.start in starts for s in splits), name
        assert [s.end for s in splits[:-1]] == [s.start for s in splits[1:]] and splits[-1].end is None


def test_a_file_gzipped_whole_is_one_split_and_says_so(crawl: tuple[Path, dict[str, dict[str, int]]],
                                                       tmp_path: Path) -> None:
    folder, _ = crawl
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress((folder / "b.warc").read_bytes()))
    [src] = resolve_inputs([whole])
    from qc.load import LoadLog

    log = LoadLog()
    assert len(READERS["warc"].plan_splits(src, 2048, log)) == 1
    assert any("one split" in note for note in log.notes)
    result = check(whole, _config(jobs=1))
    plain = check(folder / "b.warc", _config(jobs=1))
    # The same records; their offsets are in the decompressed stream, which are plain b.warc's offsets.
    assert result.stats.documents == plain.stats.documents
    assert result.findings["source_line"].tolist() == plain.findings["source_line"].tolist()


def test_jobs_2_reads_within_a_file_and_finds_the_same(crawl: tuple[Path, dict[str, dict[str, int]]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = crawl
    monkeypatch.setattr(engine, "SPLIT_BYTES", 2048)  # many splits per file, read by the workers
    one = check(folder, _config(jobs=1, batch_rows=3))
    two = check(folder, _config(jobs=2, batch_rows=3))
    pd.testing.assert_frame_equal(one.findings, two.findings)
    assert one.stats.load.skipped == two.stats.load.skipped
    assert len(one.findings) > 100


def test_sample_and_limit_are_deterministic_and_reported(crawl: tuple[Path, dict[str, dict[str, int]]],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = crawl
    monkeypatch.setattr(engine, "SPLIT_BYTES", 2048)
    whole = check(folder, _config(jobs=1))
    one = check(folder, _config(jobs=1, sample=0.5, seed=7))
    two = check(folder, _config(jobs=2, sample=0.5, seed=7))
    pd.testing.assert_frame_equal(one.findings, two.findings)
    assert 0 < one.stats.documents < whole.stats.documents
    assert one.stats.load.skipped["outside the --sample"] == whole.stats.documents - one.stats.documents
    other = check(folder, _config(jobs=1, sample=0.5, seed=8))
    assert set(other.findings["doc_id"]) != set(one.findings["doc_id"])
    limited = check(folder, _config(jobs=2, limit=5))
    assert limited.stats.documents == 5
    assert set(limited.findings["doc_id"]) <= set(whole.findings["doc_id"][: whole.findings["doc_id"].size])


def test_the_cli_reports_a_quick_look_and_the_skipped_records(crawl: tuple[Path, dict[str, dict[str, int]]],
                                                              tmp_path: Path) -> None:
    folder, _ = crawl
    report = tmp_path / "report.json"
    html = tmp_path / "report.html"
    done = run_qc("check", str(folder / "b.warc"), "--sample", "0.5", "--seed", "3", "--limit", "4", "--format",
                  "json", "--output", str(report), "--html", str(html), "--jobs", "1")
    assert done.code in (0, 1), done.stderr
    import json

    data = json.loads(report.read_text(encoding="utf-8"))
    settings = data["settings"]["settings"]
    assert settings["sample"]["value"] == 0.5 and settings["limit"]["value"] == 4 and settings["seed"]["value"] == 3
    assert data["inputs"]["skipped"]["request record"] == 6
    assert {f["locator"] for f in data["findings"]} == {"offset"}
    assert "quick look" in html.read_text(encoding="utf-8")
    terminal = run_qc("check", str(folder / "b.warc"), "--limit", "2", "--jobs", "1")
    assert "quick look: the first 2 records (--limit)" in terminal.stdout


@pytest.mark.dask
def test_dask_reads_warc_splits_and_finds_the_same(crawl: tuple[Path, dict[str, dict[str, int]]]) -> None:
    from distributed import Client, LocalCluster

    from qc.distributed import run_dask
    from qc.engine import Checker
    from qc.registry import load_rules

    folder, _ = crawl
    files = resolve_inputs([folder])
    assert sum(p.split is not None for p in plan_partitions(files, 2048)) > 6
    config = _config(batch_rows=3)
    local = check(folder, config)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster.scheduler_address) as client:
        store, stats = run_dask([folder], Checker(load_rules([])), config, client=client, partition_bytes=2048)
    pd.testing.assert_frame_equal(local.findings, store.to_frame())
    assert stats.load.skipped == local.stats.load.skipped


def test_the_sample_warc_is_the_seed_page_and_finds_what_the_seed_text_does() -> None:
    spec = importlib.util.spec_from_file_location("seed_warc", REPO / "bench" / "seed_warc.py")
    assert spec is not None and spec.loader is not None
    seed_warc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed_warc)
    archive = check(REPO / "samples" / "seed.warc.gz", _config(jobs=1))
    text = check(REPO / "samples" / "forum-pages" / "000_69e4dce93f7814c5.txt", _config(jobs=1))
    assert archive.stats.documents == 1 and archive.stats.load.skipped == {"warcinfo record": 1, "request record": 1}
    # The same findings, but for the capture date: the text recovers it from the page's footer (DT041), the
    # archive has it from WARC-Date. The naive extraction drops blank lines (one menu run's match differs).
    def key(findings: pd.DataFrame) -> list[tuple[str, str]]:
        return sorted((rule, " ".join(match.split())) for rule, match in zip(findings["rule"], findings["match"],
                                                                             strict=True))

    assert key(archive.findings[archive.findings["rule"] != "DT041"]) == key(text.findings[text.findings["rule"]
                                                                                            != "DT041"])
    recovered = archive.findings[archive.findings["rule"] == "DT041"]["match"].tolist()
    assert recovered == ["发表于 2020-5-16 17:53:04"]  # the post's date, from the page; the capture's from WARC
    assert "GMT+8, 2024-11-29 12:32" in set(text.findings[text.findings["rule"] == "DT041"]["match"])
    assert (REPO / "samples" / "seed.warc.gz").read_bytes() == seed_warc.build()  # the script makes this file
