"""Web archives (WARC, WET, ARC; plain or gzip): the cleaned corpus of a web archive is a WET file, the text
archive Common Crawl publishes, with one ``conversion`` record per checked record, in input order.

- Names: ``NAME.warc[.gz]`` and ``NAME.arc[.gz]`` become ``NAME.wet[.gz]``; a WET keeps its name
  (:func:`output_name`). A gzip input gives gzip output, one member per record (time 0, no file name).
- Records come from the reader's own iteration (:func:`qc.readers.warc.file_records`) and become rows by
  its own :func:`qc.readers.warc.record_row`, so their offsets (the findings' ``source_line``) and texts
  are exactly those the check saw.
- A ``conversion`` record (a WET) left unchanged is copied byte for byte (in a gzip file, its gzip member
  as stored), so ``qc fix`` on its own output changes nothing. A changed one keeps every header line as it
  was, with the new text as its block, ``Content-Length`` updated and any ``WARC-Block-Digest`` (or
  ``WARC-Payload-Digest``) recomputed as SHA-1 in base 32 (as Common Crawl writes them).
- A ``response`` or ``resource`` record (a WARC or ARC page) becomes a new conversion record of its
  extracted text (cleaned, or as extracted when nothing changed): ``WARC-Record-ID`` a UUID 5 of the source
  record's id (deterministic), ``WARC-Refers-To`` the source id (not for ARC, whose records have none),
  ``WARC-Target-URI`` and ``WARC-Date`` from the source, the language when known
  (``WARC-Identified-Content-Language``, which the reader reads back), ``Content-Type: text/plain``.
- ``warcinfo``: a WET's own are copied as they are; a WARC's or ARC's cleaned file starts with one new
  warcinfo record (dated as the source's first record, so the bytes are deterministic).
- Every other record (request, metadata, revisit, a response that is not HTML, a truncated record) is not
  text and is not written: counted by reason (:attr:`qc.fixing.edit.Editor.skipped`, the manifest's
  ``skipped_records``).
- A dropped record goes to the quarantine as its WARC headers (``warc_headers``) and its extracted text
  with the other fields the reader gave it, not the raw HTML.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import re
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from qc import __version__
from qc.fixing.edit import Changed, Dropped, Editor, Pending
from qc.fixing.findings import FileFindings
from qc.fixing.writers import WINDOW, window_outcomes
from qc.load import InputFile
from qc.rawio import open_regular
from qc.readers.base import LoadLog, Problem, Split
from qc.readers.warc import ArchiveRecord, file_records, is_gzip, record_row

_RENAMED = (".warc", ".arc")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_DIGESTS = (b"warc-block-digest", b"warc-payload-digest")
# A language tag as a header value: anything else (a page's <html lang> is the page's to write) is left out.
_LANG = re.compile(r"[A-Za-z0-9][A-Za-z0-9,_-]{0,63}")
_UNKNOWN_DATE = "1970-01-01T00:00:00Z"


def output_name(name: str) -> str:
    """The cleaned file's name for an input named ``name``: a WARC's or ARC's is a WET, a WET keeps it."""
    lower = name.lower()
    compression = ".gz" if lower.endswith(".gz") else ""
    stem = name[: len(name) - len(compression)]
    for suffix in _RENAMED:
        if stem.lower().endswith(suffix):
            return stem[: len(stem) - len(suffix)] + ".wet" + name[len(stem):]
    return name


def _is_wet(src: InputFile) -> bool:
    return src.path.name.lower().removesuffix(".gz").endswith(".wet")


def _digest(block: bytes) -> bytes:
    return b"sha1:" + base64.b32encode(hashlib.sha1(block).digest())


def _clean_value(value: str) -> str:
    # Header values come from parsed headers, but a stray control character must never start a new line.
    return "".join(ch if ch >= " " and ch != "\x7f" else " " for ch in value).strip()


def _serialise(headers: list[tuple[str, str]], block: bytes, version: str = "WARC/1.0") -> bytes:
    lines = [version, *(f"{name}: {_clean_value(value)}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def _rewrite_header(header: bytes, block: bytes) -> bytes:
    """A stored header block (its lines as written) for a new ``block``: Content-Length and digests renewed."""
    lines = re.split(rb"(\r?\n)", header)
    out = bytearray()
    for index in range(0, len(lines), 2):
        line = lines[index]
        ending = lines[index + 1] if index + 1 < len(lines) else b""
        name, colon, _ = line.partition(b":")
        key = name.strip().lower()
        if index and colon and key == b"content-length":
            line = name + b": " + str(len(block)).encode("ascii")
        elif index and colon and key in _DIGESTS:
            line = name + b": " + _digest(block)
        out += line + ending
    return bytes(out)


@dataclass
class _Sink:
    """Where records go: the output file (None in a dry run), gzip member per record when ``gz``."""

    out: IO[bytes] | None
    gz: bool
    raw: IO[bytes]  # the input open a second time: stored records are copied from it

    def record(self, data: bytes) -> None:
        """Write one serialised record (compressed as its own gzip member in a gzip file)."""
        if self.out is not None:
            self.out.write(gzip.compress(data, mtime=0) if self.gz else data)

    def stored(self, record: ArchiveRecord) -> bytes:
        """The record as stored: its gzip member's bytes decompressed, or its bytes in a plain file."""
        if self.gz:
            assert record.end is not None
            self.raw.seek(record.offset)
            return zlib.decompress(self.raw.read(record.end - record.offset), 16 + zlib.MAX_WBITS)
        self.raw.seek(record.offset)
        data = b""
        while not _HEADER_END.search(data):
            step = self.raw.read(65536)
            if not step:
                break
            data += step
        match = _HEADER_END.search(data)
        end = match.end() if match is not None else len(data)
        return data[:end] + record.block + b"\r\n\r\n"

    def copy(self, record: ArchiveRecord) -> None:
        """Write a record unchanged: its gzip member or bytes as stored, re-serialised only when it shares
        its gzip member with other records (a file gzipped whole)."""
        if self.out is None:
            return
        if self.gz and record.end is not None:
            self.raw.seek(record.offset)
            self.out.write(self.raw.read(record.end - record.offset))
        elif self.gz:
            self.record(_serialise(list(record.headers.items()), record.block))
        else:
            self.out.write(self.stored(record))

    def changed(self, record: ArchiveRecord, block: bytes) -> None:
        """Write a conversion record with a new block: its stored header lines kept, lengths and digests
        renewed."""
        if self.out is None:
            return
        if self.gz and record.end is None:
            headers = [(k, str(len(block)) if k.lower() == "content-length" else
                        _digest(block).decode("ascii") if k.lower().encode() in _DIGESTS else v)
                       for k, v in record.headers.items()]
            self.record(_serialise(headers, block))
            return
        stored = self.stored(record)
        match = _HEADER_END.search(stored)
        assert match is not None  # the reader parsed this record's headers
        self.record(_rewrite_header(stored[: match.start()], block) + stored[match.start() : match.end()] + block
                    + b"\r\n\r\n")


def _conversion(record: ArchiveRecord, text: str, lang: object) -> bytes:
    """A new conversion record of ``text`` for a response or resource record."""
    source = record.headers.get("WARC-Record-ID", f"{record.offset}")
    block = text.encode("utf-8", errors="replace")
    headers = [("WARC-Type", "conversion")]
    if record.headers.get("WARC-Target-URI"):
        headers.append(("WARC-Target-URI", record.headers["WARC-Target-URI"]))
    headers.append(("WARC-Date", record.headers.get("WARC-Date") or _UNKNOWN_DATE))
    headers.append(("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, source)}>"))
    if source.startswith("<") and source.endswith(">"):  # an ARC record's id is the reader's, no URI
        headers.append(("WARC-Refers-To", source))
    headers.append(("WARC-Block-Digest", _digest(block).decode("ascii")))
    if isinstance(lang, str) and _LANG.fullmatch(lang):
        headers.append(("WARC-Identified-Content-Language", lang))
    headers += [("Content-Type", "text/plain"), ("Content-Length", str(len(block)))]
    return _serialise(headers, block)


def _warcinfo(src: InputFile, first: ArchiveRecord) -> bytes:
    """The warcinfo record a WARC's or ARC's cleaned file starts with (deterministic: named after the file
    and its first record, dated as that record)."""
    name = output_name(src.path.name)
    fields = (f"software: corpus-qc/{__version__}\r\nformat: WARC File Format 1.0\r\n"
              f"description: the text of {_clean_value(src.path.name)} cleaned by qc fix (one conversion record "
              "per checked record)\r\n").encode()
    seed = f"corpus-qc:warcinfo:{name}:{first.headers.get('WARC-Record-ID', '')}"
    headers = [("WARC-Type", "warcinfo"), ("WARC-Date", first.headers.get("WARC-Date") or _UNKNOWN_DATE),
               ("WARC-Filename", name), ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}>"),
               ("WARC-Block-Digest", _digest(fields).decode("ascii")), ("Content-Type", "application/warc-fields"),
               ("Content-Length", str(len(fields)))]
    return _serialise(headers, fields)


def fix_file(src: InputFile, findings: FileFindings, editor: Editor, mapping: Mapping[str, str],
             out: IO[bytes] | None, *, warc_text: str = "naive") -> None:
    """Write the WET of one web archive into ``out`` (None: a dry run), :data:`WINDOW` records at a time;
    ``warc_text`` is the check's HTML extraction (``naive`` or ``main``), so the texts are the check's."""
    wet = _is_wet(src)
    log = LoadLog()
    problems: list[Problem] = []  # the check reported them; only the records matter here
    with open_regular(src.path) as handle, open_regular(src.path) as raw:
        sink = _Sink(out, is_gzip(handle), raw)
        window: list[tuple[ArchiveRecord, Pending | None]] = []
        records = 0
        started = False
        for record in file_records(handle, Split(src), problems, log):
            problems.clear()
            if not started and not wet and out is not None:
                sink.record(_warcinfo(src, record))
            started = True
            if wet and record.kind == "warcinfo" and len(record.block) >= record.declared_length:
                window.append((record, None))
                continue
            row = record_row(record, warc_text, src.display, problems, log)
            if row is None:  # not text (counted on ``log`` with its reason): not written
                continue
            del row["source_line"]
            if record.kind != "conversion":
                record.block = b""  # the page's HTML is not needed again: the window holds texts only
            entry = {"warc_headers": dict(record.headers), **row}
            window.append((record, Pending(record.offset, findings.at(record.offset, editor.orphan),
                                           functools.partial(dict, entry))))
            records += 1
            if records >= WINDOW:
                _flush(src, window, editor, mapping, sink)
                window, records = [], 0
        _flush(src, window, editor, mapping, sink)
    findings.rest(editor.orphan)
    for reason, count in log.skipped.items():
        editor.skipped[reason] += count


def _flush(src: InputFile, window: list[tuple[ArchiveRecord, Pending | None]], editor: Editor,
           mapping: Mapping[str, str], sink: _Sink) -> None:
    column = mapping.get("text", "text")
    for record, item, outcome in window_outcomes(src, window, editor, mapping):
        if item is None:
            sink.copy(record)
            continue
        if isinstance(outcome, Dropped):
            continue
        entry: dict[str, Any] = dict(item.record())
        text = outcome.fields.get(column, entry["text"]) if isinstance(outcome, Changed) else entry["text"]
        if record.kind == "conversion":
            if isinstance(outcome, Changed) and column in outcome.fields:
                sink.changed(record, text.encode("utf-8", errors="replace"))
            else:
                sink.copy(record)
        elif sink.out is not None:
            sink.record(_conversion(record, text, entry.get("lang")))
