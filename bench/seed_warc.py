"""Write ``samples/seed.warc.gz``: the seed forum page as a crawler would have archived it.

The seed (``samples/forum-pages/000_69e4dce93f7814c5.txt``, see its README in the shared seed folder) is
the plain text a naive scraper kept; no HTML of the page was kept, so each of its lines becomes a block
element of a minimal page (the naive extraction gives the lines back). The archive holds a warcinfo, the
request and the response, each its own gzip member, with fixed ids and dates so the file is the same
every time: ``python bench/seed_warc.py``.
"""

from __future__ import annotations

import gzip
import html
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "forum-pages" / "000_69e4dce93f7814c5.txt"
TARGET = ROOT / "samples" / "seed.warc.gz"
URL = "http://bbs.lspjy.example.cn/thread-2525-1-1.html"
#: The page was rendered at 2024-11-29 12:32 GMT+8 (its footer says so): the capture.
DATE = "2024-11-29T04:32:00Z"


def seed_html(text: str) -> str:
    """The seed's lines as a minimal page: one block per line, a title, and a script a naive scraper drops."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = "\n".join(f"<div>{html.escape(line)}</div>" for line in lines)
    title = html.escape(lines[0]) if lines else ""
    return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<script>var discuz_uid = '0';</script></head>\n<body>\n{body}\n</body></html>\n")


def record_bytes(make: object) -> bytes:
    """One record written alone and gzipped as its own member (mtime 0: the same bytes every time)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(make(writer))  # type: ignore[operator]
    return gzip.compress(buffer.getvalue(), mtime=0)


def build() -> bytes:
    """The archive's bytes."""
    page = seed_html(SEED.read_text(encoding="utf-8")).encode("utf-8")

    def ids(n: int) -> dict[str, str]:
        return {"WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-00000000000{n}>", "WARC-Date": DATE}

    def info(writer: WARCWriter) -> object:
        record = writer.create_warcinfo_record("seed.warc.gz", {"software": "corpus-qc bench/seed_warc.py"})
        record.rec_headers.replace_header("WARC-Record-ID", ids(1)["WARC-Record-ID"])
        record.rec_headers.replace_header("WARC-Date", DATE)
        return record

    def request(writer: WARCWriter) -> object:
        payload = f"GET /thread-2525-1-1.html HTTP/1.1\r\nHost: {URL.split('/')[2]}\r\n\r\n".encode()
        return writer.create_warc_record(URL, "request", payload=io.BytesIO(payload), warc_headers_dict=ids(2))

    def response(writer: WARCWriter) -> object:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(page)))], protocol="HTTP/1.1")
        return writer.create_warc_record(URL, "response", payload=io.BytesIO(page), http_headers=headers,
                                         warc_headers_dict=ids(3))

    return b"".join(record_bytes(make) for make in (info, request, response))


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
