"""CSV and TSV (plain or compressed): records split as the reader splits them (a quoted field may hold line
breaks), unchanged records copied byte for byte, a changed one written again with the same delimiter,
minimal quoting and its own line ending."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import nullcontext
from typing import IO

from qc.fixing.edit import Changed, Dropped, Editor, Pending
from qc.fixing.findings import FileFindings
from qc.fixing.writers import WINDOW, compressed, window_outcomes
from qc.load import InputFile
from qc.rawio import UTF8_BOM, byte_chunks, count_breaks

# A physical line and its break: \r\n, \n or a lone \r end a line, as the reader counts lines.
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r|$)")


def _physical_lines(src: InputFile) -> Iterator[bytes]:
    carry = b""
    for chunk in byte_chunks(src.path, src.display):
        data = carry + chunk
        cut = data.rfind(b"\n")  # a \r before the end may be half of a \r\n: it waits with the rest
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        yield from (found.group() for found in _LINE.finditer(data[: cut + 1]) if found.group())
    yield from (found.group() for found in _LINE.finditer(carry) if found.group())


def raw_records(src: InputFile) -> Iterator[tuple[int, bytes]]:
    """(first line, raw bytes with the record's line ending) of every record, the header first.

    A record goes on past a line break while a quote is open (an odd number of quote characters so far);
    blank lines are records of their own that the reader skips (they are copied as they are).
    """
    line = 1
    parts: list[bytes] = []
    quotes = 0
    first = line
    for physical in _physical_lines(src):
        if not parts:
            first = line
        parts.append(physical)
        quotes += physical.count(b'"')
        line += count_breaks(physical)
        if quotes % 2 == 0:
            yield first, b"".join(parts)
            parts, quotes = [], 0
    if parts:
        yield first, b"".join(parts)


def _fields(raw: bytes, delimiter: str) -> list[str]:
    text = raw.removeprefix(UTF8_BOM).decode("utf-8", errors="replace")
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])


def _serialise(fields: list[str], raw: bytes, delimiter: str) -> bytes:
    body = raw.rstrip(b"\r\n")
    ending = raw[len(body):].decode("ascii")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_MINIMAL).writerow(fields)
    return buffer.getvalue().encode("utf-8")


def fix_file(src: InputFile, findings: FileFindings, editor: Editor, mapping: Mapping[str, str],
             out: IO[bytes] | None) -> None:
    """Rewrite one CSV/TSV file into ``out`` (None: a dry run), :data:`WINDOW` records at a time."""
    delimiter = "\t" if src.fmt == "tsv" else ","
    header: list[str] | None = None
    with compressed(out, src.path) if out is not None else nullcontext() as sink:
        window: list[tuple[bytes, Pending | None]] = []  # the header and blank lines wait in order too
        records = 0
        for line, raw in raw_records(src):
            if header is None or not raw.strip(b"\r\n"):
                if header is None and raw.strip(b"\r\n"):
                    header = _fields(raw, delimiter)
                window.append((raw, None))
                continue

            def record(raw: bytes = raw, names: list[str] = header) -> dict[str, str]:
                return dict(zip(names, _fields(raw, delimiter), strict=False))

            window.append((raw, Pending(line, findings.at(line, editor.orphan), record)))
            records += 1
            if records >= WINDOW:
                _flush(src, window, editor, mapping, sink, header, delimiter)
                window, records = [], 0
        _flush(src, window, editor, mapping, sink, header or [], delimiter)
    findings.rest(editor.orphan)


def _flush(src: InputFile, window: list[tuple[bytes, Pending | None]], editor: Editor, mapping: Mapping[str, str],
           sink: IO[bytes] | None, names: list[str], delimiter: str) -> None:
    for raw, _, outcome in window_outcomes(src, window, editor, mapping):
        if sink is None or isinstance(outcome, Dropped):
            continue
        if isinstance(outcome, Changed):
            values = _fields(raw, delimiter)
            for column, text in outcome.fields.items():
                values[names.index(column)] = text
            sink.write(_serialise(values, raw, delimiter))
        else:
            sink.write(raw)
