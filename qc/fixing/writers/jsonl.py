"""JSON Lines (plain, ``.gz``, ``.zst``): unchanged lines copied byte for byte, changed records re-serialised
with their original key order, separators and escaping style, and their own line ending."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import nullcontext
from typing import IO, Any

from qc.fixing.edit import Changed, Dropped, Editor, Pending
from qc.fixing.findings import FileFindings
from qc.fixing.writers import WINDOW, compressed, window_outcomes
from qc.load import InputFile
from qc.rawio import UTF8_BOM, byte_chunks


def physical_lines(src: InputFile) -> Iterator[tuple[int, bytes]]:
    """(line number, raw bytes with its ``\\n``) for every line, decompressed, numbered as the reader does."""
    number = 1
    carry = b""
    for chunk in byte_chunks(src.path, src.display):
        data = carry + chunk
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            yield number, data[start : end + 1]
            number += 1
            start = end + 1
        carry = data[start:]
    if carry:
        yield number, carry


def _parse(raw: bytes) -> dict[str, Any]:
    value = json.loads(raw.removeprefix(UTF8_BOM).decode("utf-8", errors="replace"))
    assert isinstance(value, dict)  # a line that is no object was rejected by the loader: never edited
    return value


def serialise(record: Mapping[str, Any], raw: bytes) -> bytes:
    """``record`` as one JSON line in the style of ``raw`` (its separators, escaping and line ending)."""
    body = raw.rstrip(b"\r\n")
    ending = raw[len(body):]
    compact = b'":' in body and b'": ' not in body
    ascii_only = body.isascii() and b"\\u" in body
    text = json.dumps(record, ensure_ascii=ascii_only, separators=(",", ":") if compact else (", ", ": "))
    # A lone surrogate (a \ud800 escape) is written back as that escape, not as bytes that are no UTF-8.
    prefix = UTF8_BOM if raw.startswith(UTF8_BOM) else b""
    return prefix + text.encode("utf-8", errors="backslashreplace") + ending


def fix_file(src: InputFile, findings: FileFindings, editor: Editor, mapping: Mapping[str, str],
             out: IO[bytes] | None) -> None:
    """Rewrite one JSON Lines file into ``out`` (None: a dry run), :data:`WINDOW` records at a time."""
    with compressed(out, src.path) if out is not None else nullcontext() as sink:
        window: list[tuple[bytes, Pending | None]] = []  # blank lines wait in the window too, in order
        records = 0
        for line, raw in physical_lines(src):
            if not raw.strip() or raw.strip() == UTF8_BOM:
                window.append((raw, None))
                continue
            cache: list[dict[str, Any]] = []

            def record(raw: bytes = raw, cache: list[dict[str, Any]] = cache) -> dict[str, Any]:
                if not cache:
                    cache.append(_parse(raw))
                return cache[0]

            window.append((raw, Pending(line, findings.at(line, editor.orphan), record)))
            records += 1
            if records >= WINDOW:
                _flush(src, window, editor, mapping, sink)
                window, records = [], 0
        _flush(src, window, editor, mapping, sink)
    findings.rest(editor.orphan)


def _flush(src: InputFile, window: list[tuple[bytes, Pending | None]], editor: Editor, mapping: Mapping[str, str],
           sink: IO[bytes] | None) -> None:
    for raw, item, outcome in window_outcomes(src, window, editor, mapping):
        if sink is None or isinstance(outcome, Dropped):
            continue
        if isinstance(outcome, Changed) and item is not None:
            sink.write(serialise({**item.record(), **outcome.fields}, raw))
        else:
            sink.write(raw)
