"""Web archives: WARC (``.warc``, ``.warc.gz``), WET (``.wet``, ``.wet.gz``) and ARC (``.arc``, ``.arc.gz``).

Records are parsed by FastWARC (WARC and WET) and warcio (ARC, which FastWARC does not read). A WET
``conversion`` record is the page's extracted text already; a ``response`` (or ``resource``) record with an
HTML payload becomes text by a kept extractor (Resiliparse's ``html2text``), chosen by ``warc_text``:
``naive`` (the default) keeps every visible text node of the page, scripts and styles dropped, block tags
as line breaks: what a naive scraper keeps, so boilerplate leaks as it does in a real corpus; ``main`` keeps
the main content only (Resiliparse's heuristics). Every other record (warcinfo, request, metadata, revisit,
a response that is not HTML) is counted as skipped with its reason.

Fields: ``WARC-Record-ID`` is the doc_id, ``WARC-Target-URI`` the url (and so the site), ``WARC-Date`` the
capture time, the page's ``<title>`` the title, and ``lang`` the record's ``WARC-Identified-Content-Language``
(WET), else the HTTP ``Content-Language``, else the page's ``<html lang>``. The page's own publication
date is recovered from its text as for any post (:mod:`qc.chrome_dates`).

Locator: ``source_line`` is the record's byte offset in the file, where a reader seeks to read it again
(``ArchiveIterator`` on the file from there yields that record). In a ``.gz`` file each record is normally
one gzip member and the offset is the member's, in the compressed file; when one member holds several
records (a file gzipped whole), their offsets are in the decompressed stream (said in ``--verbose``).

Damage stays local: a record shorter than its ``Content-Length`` or a gzip member that does not decompress
is a per-record problem (SC012) at its offset, and reading resumes at the next record (the next gzip member,
or the next ``WARC/`` header line). A page whose declared charset is unknown, or does not fit its bytes, is
decoded with replacement characters (SC003), never a crash.

Splits: gzip member offsets (found by seeking near each target and checking that a member starting there
decompresses to a ``WARC/`` header) or, uncompressed, offsets of ``WARC/`` header lines; ARC files and
files gzipped whole are one split.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from qc.errors import InputError
from qc.rawio import STEP_BYTES, open_regular
from qc.readers.base import Frames, InputFile, LoadLog, Problem, Reader, ReadOptions, Split

#: Text extraction choices for HTML responses (``--warc-text``).
WARC_TEXT_CHOICES = ("naive", "main")
GZIP_MAGIC = b"\x1f\x8b\x08"
#: A member larger than this (decompressed) is read as a stream, not in memory (a file gzipped whole).
MEMBER_IN_MEMORY = 64 << 20
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"(?:^|\r?\n)(WARC/1\.[01]\r?\n)")


def _require() -> Any:
    try:
        import fastwarc.warc
    except ImportError:
        raise InputError("reading WARC/WET needs the optional extra: pip install 'corpus-qc[warc]'") from None
    return fastwarc.warc


@dataclass
class _Record:
    """One record as the reader needs it, whichever library parsed it."""

    offset: int
    kind: str
    headers: dict[str, str]
    block: bytes
    declared_length: int


# -- decoding and extraction -------------------------------------------------------------------------------


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def decode_page(body: bytes, declared: str | None) -> tuple[str, str | None]:
    """The page's text and, when it could not be decoded cleanly, why (a problem's message).

    The declared charset (HTTP header, else the page's ``<meta charset>``) is used when Python knows it;
    an unknown one falls back to the detected encoding (UTF-8 when nothing is detected). Bytes that do not
    fit are replaced with U+FFFD: a page never stops the run.
    """
    if declared is None:
        meta = _META_CHARSET.search(body[:4096])
        declared = meta.group(1).decode("ascii", "replace") if meta else None
    note = None
    encoding = None
    if declared is not None:
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            note = f"unknown charset {declared!r}"
    if encoding is None:
        try:
            from resiliparse.parse.encoding import detect_encoding

            encoding = codecs.lookup(detect_encoding(body) or "utf-8").name
        except (ImportError, LookupError):
            encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        text = body.decode(encoding, errors="replace")
        note = (note + "; " if note else "") + f"bytes not valid {encoding} at byte {exc.start}"
    if note is not None:
        note = f"{note}; decoded as {encoding} with replacement characters"
    return text, note


def html_text(html: str, mode: str) -> tuple[str, str | None, str | None]:
    """(text, title, lang) of an HTML page: every visible text node (``naive``) or the main content (``main``)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    text = extract_plain_text(tree, preserve_formatting=True, main_content=mode == "main", list_bullets=False,
                              alt_texts=False)
    title = tree.title.strip() if tree.title else None
    root = tree.document.query_selector("html") if tree.document is not None else None
    lang = root.getattr("lang") if root is not None else None
    return text, title or None, (lang.strip() or None) if isinstance(lang, str) else None


def _http_split(block: bytes) -> tuple[int | None, dict[str, str], bytes]:
    """An HTTP response block as (status, headers with lower-case names, payload)."""
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    if end < 0:
        return None, {}, b""
    lines = block[:end].decode("latin-1").splitlines()
    status = None
    parts = lines[0].split(None, 2) if lines else []
    if len(parts) >= 2 and parts[1].isdigit():
        status = int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    payload = block[end + sep :]
    if "chunked" in headers.get("transfer-encoding", "").lower():
        payload = _dechunk(payload)
    encoding = headers.get("content-encoding", "").lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        with contextlib.suppress(zlib.error):  # left as it is: decoding reports what it cannot read
            payload = zlib.decompress(payload, 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
    return status, headers, payload


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    at = 0
    while at < len(data):
        end = data.find(b"\r\n", at)
        if end < 0:
            break
        try:
            size = int(data[at:end].split(b";")[0], 16)
        except ValueError:
            return data  # not chunked after all
        if size == 0:
            break
        out += data[end + 2 : end + 2 + size]
        at = end + 2 + size + 2
    return bytes(out)


# -- records from bytes -------------------------------------------------------------------------------------


def _fast_records(stream: Any, base: int) -> Iterator[_Record]:
    """Records of an uncompressed WARC stream; ``base`` is the stream's offset in the file. OSError on damage."""
    warc = _require()
    for record in warc.ArchiveIterator(stream, parse_http=False, stream_detect=False):
        headers = {k: v for k, v in record.headers.items()}
        block = record.reader.read()
        try:  # a header cut off before its Content-Length (the file ends inside it) is a truncated record
            declared = int(headers.get("Content-Length", len(block) + 1))
        except ValueError:
            declared = len(block) + 1
        kind = headers.get("WARC-Type") or str(record.record_type)
        yield _Record(base + int(record.stream_pos), kind.strip().lower(), headers, block, declared)


class _Bounded(io.RawIOBase):
    """Bytes ``[start, end)`` of a file as a stream (a plain WARC split read without holding it all)."""

    def __init__(self, handle: IO[bytes], start: int, end: int | None) -> None:
        super().__init__()
        handle.seek(start)
        self._handle = handle
        self._start = start
        self._end = end

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._handle.tell() - self._start

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            self._handle.seek(self._start + offset)
        elif whence == 1:
            self._handle.seek(offset, 1)
        else:
            self._handle.seek((self._end if self._end is not None else self._handle.seek(0, 2)) + offset)
        return self.tell()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        size = len(view)
        if self._end is not None:
            size = max(0, min(size, self._end - self._handle.tell()))
        data = self._handle.read(size)
        view[: len(data)] = data
        return len(data)


def _damage(exc: BaseException) -> bool:
    """Whether ``exc`` is the parser meeting damaged data (FastWARC's Rust panics arrive as PanicException,
    a BaseException): reported per record, never a crash."""
    return isinstance(exc, (OSError, ValueError, EOFError, zlib.error)) or type(exc).__name__ == "PanicException"


def _next_header(handle: IO[bytes], after: int, end: int | None) -> int | None:
    """Offset of the next ``WARC/1.x`` header line at or after ``after`` (None: none before ``end``)."""
    position = after
    while end is None or position < end:
        handle.seek(position)
        data = handle.read(STEP_BYTES + 16)
        if not data:
            return None
        match = _HEADER_LINE.search(data, 0 if position == 0 else 1)
        if match is not None:
            found = position + match.start(1)
            return found if end is None or found < end else None
        if len(data) <= 16:
            return None
        position += len(data) - 16
    return None


def _plain_records(handle: IO[bytes], split: Split, display: str, problems: list[Problem]) -> Iterator[_Record]:
    """Records of an uncompressed WARC split; damage is a problem and reading resumes at the next header."""
    start = split.start
    while True:
        pending: _Record | None = None
        try:
            for record in _fast_records(_Bounded(handle, start, split.end), start):
                if pending is not None:
                    yield pending
                pending = record
            if pending is not None:
                yield pending
            return
        except BaseException as exc:
            if not _damage(exc):
                raise
            # The record before the damage may have run into it (a Content-Length past its end): not read.
            bad = pending.offset if pending is not None else start
            problems.append(Problem("SC012", display, bad, f"malformed WARC record ({exc}); reading resumed at "
                                    "the next WARC header"))
            resume = _next_header(handle, bad + 1, split.end)
            if resume is None:
                return
            start = resume


class _Window:
    """Bytes of a file read a step at a time and handed out as views: reading member after member costs one
    read per step, not one per member."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._base = 0
        self._data = b""

    def view(self, offset: int, size: int) -> memoryview:
        """Bytes ``[offset, offset + size)`` (fewer at the end of the file)."""
        if not (self._base <= offset and offset + size <= self._base + len(self._data)):
            self._handle.seek(offset)
            self._data = self._handle.read(max(size, STEP_BYTES))
            self._base = offset
        start = offset - self._base
        return memoryview(self._data)[start : start + size]


def _member_at(window: _Window, offset: int, limit: int | None) -> tuple[bytes | None, int, bool]:
    """Decompress the gzip member at ``offset``: (its bytes or None when larger than ``limit``, the
    offset after it, whether it ended cleanly). Raises zlib.error on corrupt data."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out: list[bytes] = []
    size = 0
    position = offset
    piece = 16384  # grows: a small member leaves little unused data to copy, a large one takes few steps
    while not decoder.eof:
        chunk = window.view(position, piece)
        if not len(chunk):
            return b"".join(out), position, False
        data = decoder.decompress(chunk)
        position += len(chunk) - len(decoder.unused_data)
        size += len(data)
        if limit is not None and size > limit:
            return None, offset, False
        out.append(data)
        piece = min(piece * 2, STEP_BYTES)
    return b"".join(out), position, True


def _next_member(handle: IO[bytes], after: int, end: int | None) -> int | None:
    """Offset of the next gzip member at or after ``after`` that decompresses to a WARC header."""
    position = after
    while end is None or position < end:
        handle.seek(position)
        data = handle.read(STEP_BYTES + 2)
        if len(data) < 3:
            return None
        at = data.find(GZIP_MAGIC)
        while at >= 0:
            candidate = position + at
            if end is not None and candidate >= end:
                return None
            if _starts_warc(handle, candidate):
                return candidate
            at = data.find(GZIP_MAGIC, at + 1)
        position += len(data) - 2
    return None


def _starts_warc(handle: IO[bytes], offset: int) -> bool:
    handle.seek(offset)
    head = handle.read(65536)
    try:
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return False
    return data.startswith((b"WARC/1.", b"filedesc://"))


def _gzip_records(handle: IO[bytes], split: Split, display: str, problems: list[Problem],
                  log: LoadLog) -> Iterator[_Record]:
    """Records of a gzip WARC split, member by member: a member's offset locates the record it starts."""
    offset = split.start
    end = split.end if split.end is not None else split.file.path.stat().st_size
    noted = False
    window = _Window(handle)
    while offset < end:
        try:
            data, after, clean = _member_at(window, offset, MEMBER_IN_MEMORY)
        except zlib.error as exc:
            data, after, clean = b"", offset, False
            reason = f"gzip member does not decompress ({exc})"
        else:
            reason = "gzip member is truncated"
        if data is None:  # one member holding many records (a file gzipped whole): streamed, offsets decompressed
            handle.seek(offset)
            import gzip

            if not noted:
                log.notes.append(f"{display}: one gzip member holds many records; their offsets are in the "
                                 "decompressed stream")
                noted = True
            with gzip.GzipFile(fileobj=_Bounded(handle, offset, end)) as stream:
                try:
                    yield from _fast_records(stream, 0)
                except BaseException as exc:
                    if not _damage(exc):
                        raise
                    problems.append(Problem("SC012", display, offset, f"gzip stream is damaged ({exc}); "
                                            "the records after it are not read"))
            return
        if clean and data:
            try:
                records = list(_fast_records(io.BytesIO(data), 0))
            except BaseException as exc:
                if not _damage(exc):
                    raise
                problems.append(Problem("SC012", display, offset, f"malformed WARC record ({exc})"))
                records = []
            if len(records) > 1 and not noted:
                log.notes.append(f"{display}: a gzip member holds several records; their offsets are in the "
                                 "member's decompressed bytes, after the member's offset")
                noted = True
            for i, record in enumerate(records):
                record.offset = offset if i == 0 else offset + record.offset
                yield record
            offset = after
            continue
        if data and not clean:
            # A member cut short: its record is reported (SC012) at its offset, and reading goes on.
            try:
                for record in _fast_records(io.BytesIO(data), 0):
                    record.offset = offset
                    yield record  # its short block is reported by the caller as truncated
                    break
            except BaseException as exc:
                if not _damage(exc):
                    raise
                problems.append(Problem("SC012", display, offset, f"{reason}; the record is not read"))
        elif not data:
            problems.append(Problem("SC012", display, offset, f"{reason}; the record is not read"))
        resume = _next_member(handle, offset + 1, end)
        if resume is None:
            return
        offset = resume


def _arc_records(handle: IO[bytes], display: str, problems: list[Problem]) -> Iterator[_Record]:
    """Records of an ARC file (warcio, which turns each into a WARC ``response`` record)."""
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        raise InputError("reading ARC needs the optional extra: pip install 'corpus-qc[warc]'", path=display) from None
    iterator = ArchiveIterator(handle, arc2warc=True, ensure_http_headers=False)
    try:
        for record in iterator:
            headers = {k: v for k, v in record.rec_headers.headers}
            http = b""
            if record.http_headers is not None:
                http = record.http_headers.to_bytes()
            block = http + record.content_stream().read()
            offset = iterator.get_record_offset()  # after the read: asking first leaves the stream empty
            declared = len(block)  # warcio re-serialises the HTTP headers: no length to compare with
            # warcio gives an ARC record a new random WARC-Record-ID on every read: the file and offset are
            # the record's stable id instead (what the locator seeks to).
            headers["WARC-Record-ID"] = f"{Path(display).name}@{offset}"
            kind = record.rec_type
            if kind == "response" and record.http_headers is None:
                kind = "resource"  # an ARC record of a non-HTTP fetch: its block is the payload
            yield _Record(offset, kind, headers, block, declared)
    except Exception as exc:  # warcio raises a variety of errors on damaged ARC data
        problems.append(Problem("SC012", display, 0, f"malformed ARC data ({type(exc).__name__}: {exc}); the "
                                "records after it are not read"))


# -- the reader ---------------------------------------------------------------------------------------------


def _row(record: _Record, mode: str, display: str, problems: list[Problem], log: LoadLog) -> dict[str, Any] | None:
    """The record as a row of source columns, or None (skipped: counted on ``log`` with the reason)."""
    headers = record.headers
    rid = headers.get("WARC-Record-ID")
    if len(record.block) < record.declared_length:
        problems.append(Problem("SC012", display, record.offset, f"record is truncated ({len(record.block)} of "
                                f"{record.declared_length} bytes); not checked", doc_id=rid, field=None))
        log.skip("truncated record")
        return None
    if record.kind in ("warcinfo", "request", "metadata", "revisit", "continuation"):
        log.skip(f"{record.kind} record")
        return None
    row: dict[str, Any] = {"doc_id": rid, "url": headers.get("WARC-Target-URI"),
                           "captured_at": headers.get("WARC-Date"),
                           "lang": headers.get("WARC-Identified-Content-Language"), "title": None,
                           "source_line": record.offset}
    if row["lang"]:
        row["lang"] = row["lang"].split(",")[0].strip()
    if record.kind == "conversion":  # WET: the text is the block
        text, note = decode_page(record.block, _charset(headers.get("Content-Type")) or "utf-8")
    elif record.kind in ("response", "resource"):
        if record.kind == "response" and headers.get("Content-Type", "").lower().startswith("application/http"):
            status, http, payload = _http_split(record.block)
            content_type = http.get("content-type", "")
            row["lang"] = row["lang"] or http.get("content-language", "").split(",")[0].strip() or None
        else:
            status, payload = None, record.block
            content_type = headers.get("Content-Type", "")
        media = content_type.split(";")[0].strip().lower()
        if status is not None and not 200 <= status < 300:
            log.skip(f"response with HTTP status {status}")
            return None
        if media not in _HTML_TYPES and not (not media and payload.lstrip()[:15].lower().startswith((b"<!doctype html",
                                                                                                      b"<html"))):
            log.skip(f"non-HTML {record.kind} ({media or 'no content type'})")
            return None
        html, note = decode_page(payload, _charset(content_type))
        text, title, page_lang = html_text(html, mode)
        row["title"] = title
        row["lang"] = row["lang"] or page_lang
    else:
        log.skip(f"{record.kind} record")
        return None
    if note is not None:
        problems.append(Problem("SC003", display, record.offset, note, field="text", doc_id=rid))
    row["text"] = text
    return row


class WarcReader(Reader):
    """WARC and WET (FastWARC) and ARC (warcio): a row per text-bearing record, the others counted."""

    name = "warc"
    suffixes = (".warc", ".wet", ".arc")
    locator = "offset"
    compressions = (".gz",)

    def recognises(self, path: Path, head: bytes) -> bool:
        return head.startswith((b"WARC/1.", b"filedesc://"))

    @staticmethod
    def _is_arc(src: InputFile) -> bool:
        return src.path.name.lower().removesuffix(".gz").endswith(".arc")

    def plan_splits(self, src: InputFile, target_bytes: int, log: LoadLog | None = None) -> list[Split]:
        """Offsets of records about ``target_bytes`` apart (gzip members, or ``WARC/`` header lines)."""
        if self._is_arc(src):
            if log is not None:
                log.notes.append(f"{src.display}: ARC, read as one split")
            return [Split(src)]
        try:
            size = src.path.stat().st_size
            if size <= target_bytes:
                return [Split(src)]
            with open_regular(src.path) as handle:
                find = _next_member if src.path.name.lower().endswith(".gz") else _next_header
                cuts = [0]
                while cuts[-1] + target_bytes < size:
                    cut = find(handle, cuts[-1] + target_bytes, None)
                    if cut is None:
                        break
                    cuts.append(cut)
        except (InputError, OSError):
            return [Split(src)]
        if len(cuts) == 1:
            if log is not None and src.compressed:
                log.notes.append(f"{src.display}: no gzip member boundary past the first (gzipped whole?), read "
                                 "as one split")
            return [Split(src)]
        ends: list[int | None] = [*cuts[1:], None]
        return [Split(src, start, end, first=start) for start, end in zip(cuts, ends, strict=True)]

    def read(self, split: Split, options: ReadOptions, log: LoadLog) -> Frames:
        src = split.file
        display = src.display
        if options.warc_text not in WARC_TEXT_CHOICES:
            raise InputError(f"unknown WARC text extraction {options.warc_text!r} (choose naive or main)",
                             path=display, field="warc_text")
        problems: list[Problem] = []
        rows: list[dict[str, Any]] = []
        if split.start == 0:
            _check_head(src)
        with open_regular(src.path) as handle:
            head = handle.read(2)
            handle.seek(0)
            if self._is_arc(src):
                stream: IO[bytes] = handle
                records: Iterator[_Record] = _arc_records(stream, display, problems)
            elif head == GZIP_MAGIC[:2]:
                records = _gzip_records(handle, split, display, problems, log)
            else:
                records = _plain_records(handle, split, display, problems)
            for record in records:
                row = _row(record, options.warc_text, display, problems, log)
                if row is not None:
                    rows.append(row)
                if len(rows) >= options.batch_rows:
                    yield _frame(rows), problems
                    rows, problems = [], []
        if rows or problems:
            yield _frame(rows), problems


def _check_head(src: InputFile) -> None:
    """Refuse a file named like a web archive that is not one (by its first bytes, decompressed)."""
    with open_regular(src.path) as handle:
        head = handle.read(65536)
    if head.startswith(GZIP_MAGIC[:2]):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error as exc:
            raise InputError(f"not a readable gzip file ({exc})", path=src.display) from None
    if head and not WarcReader().recognises(src.path, head):
        from qc.rawio import binary_reason
        from qc.readers.registry import sniffed

        what = sniffed(head) or binary_reason(head) or "text"
        raise InputError(f"not a WARC/WET/ARC file (it starts as {what}, not with a WARC/1.x or filedesc:// "
                         "header)", path=src.display)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["doc_id", "url", "title", "captured_at", "lang", "text", "source_line"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["source_line"] = frame["source_line"].astype("int64")
    return frame
