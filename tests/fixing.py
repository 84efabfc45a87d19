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


# -- web archives ---------------------------------------------------------------------------------------------

CRAWL_HEAD = ["找回密码", "免费注册", "QQ登录", "只需一步,快速开始"]
CRAWL_TAIL = ["您需要登录后才可以回帖 登录 | 免费注册", "本版积分规则", "快速回复 返回顶部 返回列表"]
#: The posts of the crawl's pages, each its own (repeated-line rules must not mistake a post for chrome).
CRAWL_POSTS = ["今天上午市图书馆举办了一场关于古籍修复的讲座,来了很多年轻人,现场气氛热烈。",
               "小区门口新开了一家面馆,牛肉面味道不错,价格也公道,周末排队的人很多。",
               "这次期末考试数学题目偏难,最后一道大题很多同学都没有做完,老师说下次会讲解。",
               "昨天傍晚下了一场大雨,河边的步道积水严重,希望有关部门尽快疏通排水口。",
               "我家孩子刚学会骑自行车,每天放学都要在公园里骑上好几圈,累了才肯回家。"]
#: The page whose post is an unfilled template (PH001, dropped).
CRAWL_DROPPED = 3
CRAWL_PLACEHOLDER = "Dear {{first_name}}, your order has shipped."


def crawl_post(n: int) -> str:
    """The post of page ``n`` (the placeholder for :data:`CRAWL_DROPPED`)."""
    return CRAWL_PLACEHOLDER if n == CRAWL_DROPPED else CRAWL_POSTS[n]


def crawl_page(n: int) -> str:
    """A forum page: header and footer chrome around its post."""
    body = "<header>" + "".join(f"<div>{line}</div>" for line in CRAWL_HEAD) + "</header>"
    body += f"<main><article><p>{crawl_post(n)}</p></article></main>"
    body += "<footer>" + "".join(f"<div>{line}</div>" for line in CRAWL_TAIL) + "</footer>"
    return f"<html lang='zh'><head><meta charset='utf-8'><title>帖子 {n}</title></head><body>{body}</body></html>"


def write_crawl_warc(path: Path, *, gz: bool) -> dict[str, int]:
    """A WARC (gzip per record, or plain) of the five pages with warcinfo, requests, a revisit, a PNG and a
    metadata record; returns the records that are not text, by the reason the reader gives."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def response(writer: WARCWriter, url: str, payload: bytes, content_type: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "corpus-qc tests"}))
        for n in range(len(CRAWL_POSTS)):
            url = f"http://bbs.example.cn/thread-{n}.html"
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(
                f"GET /thread-{n}.html HTTP/1.1\r\nHost: bbs.example.cn\r\n\r\n".encode())))
            response(writer, url, crawl_page(n).encode(), "text/html; charset=utf-8")
        writer.write_record(writer.create_revisit_record("http://bbs.example.cn/thread-0.html", digest="sha1:AAAA",
                                                         refers_to_uri="http://bbs.example.cn/thread-0.html",
                                                         refers_to_date="2024-11-29T04:32:00Z"))
        response(writer, "http://bbs.example.cn/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        writer.write_record(writer.create_warc_record("http://bbs.example.cn/thread-1.html", "metadata",
                                                      payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                                                      warc_content_type="application/warc-fields"))
    return {"warcinfo record": 1, "request record": len(CRAWL_POSTS), "revisit record": 1,
            "non-HTML response (image/png)": 1, "metadata record": 1}


def crawl_text(n: int, chrome: bool = True) -> str:
    """Page ``n``'s text as a WET holds it: its post, with the chrome lines around it or without."""
    return "\n".join([*CRAWL_HEAD, crawl_post(n), *CRAWL_TAIL] if chrome else [crawl_post(n)])


def write_crawl_wet(path: Path, *, clean: tuple[int, ...] = (4,)) -> None:
    """A WET (gzip per record): a warcinfo, then a conversion record per page with a language; the pages in
    ``clean`` have no chrome (nothing to cut: copied as they are)."""
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "corpus-qc tests"}))
        for n in range(len(CRAWL_POSTS)):
            record = writer.create_warc_record(f"http://bbs.example.cn/wet-{n}.html", "conversion",
                                               payload=io.BytesIO(crawl_text(n, n not in clean).encode()),
                                               warc_content_type="text/plain",
                                               warc_headers_dict={"WARC-Identified-Content-Language": "zho"})
            writer.write_record(record)


def write_crawl(folder: Path) -> Path:
    """A crawl folder: ``a.warc.gz``, ``b.warc`` (plain), ``c.wet.gz`` and ``d.arc.gz`` (ARC, gzip)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_crawl_warc(folder / "a.warc.gz", gz=True)
    write_crawl_warc(folder / "b.warc", gz=False)
    write_crawl_wet(folder / "c.wet.gz")
    version = b"1 0 corpus-qc-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    parts = [f"filedesc://d.arc.gz 0.0.0.0 20241129043200 text/plain {len(version)}\n".encode() + version + b"\n"]
    for n in range(len(CRAWL_POSTS)):
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + crawl_page(n).encode()
        parts.append(f"http://bbs.example.cn/arc-{n}.html 10.0.0.1 20241129043200 text/html {len(block)}\n".encode()
                     + block + b"\n")
    (folder / "d.arc.gz").write_bytes(b"".join(gzip.compress(part, mtime=0) for part in parts))
    return folder
