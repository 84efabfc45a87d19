"""Bytes from input files: what may be opened, every compressed member, binary or text, valid UTF-8.

The readers in :mod:`qc.load` get their bytes here. Nothing but a regular file is opened (a FIFO would
block the run); gzip and zstd streams are read member after member, frame after frame, and damage is
reported after everything before it was yielded; a file's first bytes tell a binary file from text with
a bad record; UTF-8 is checked by Arrow and repaired (U+FFFD) only where it is invalid.
"""

from __future__ import annotations

import codecs
import os
import stat
import threading
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

from qc.errors import InputError


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not a regular file that can be read (None when it is one). Never opens it.

    A FIFO would block the run on open (and a device or socket is no corpus), so the type comes from
    ``stat`` first; a link is followed, and a dangling one is named as such.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "dangling symbolic link (its target does not exist)" if path.is_symlink() else \
            "no such file or directory"
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file; not opened"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file; not opened"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file; not opened"
    return "not a regular file; not opened"


def open_regular(path: Path) -> IO[bytes]:
    """Open an input file read-only, refusing anything but a regular file (checked before and after open).

    ``O_NONBLOCK`` keeps a FIFO swapped in after the check from blocking the open; ``fstat`` on the open
    descriptor then refuses it.
    """
    problem = not_regular(path)
    if problem is not None:
        raise InputError(problem, path=str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError("not a regular file; not opened", path=str(path))
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


STEP_BYTES = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"


def _gzip_decoder() -> Any:
    return zlib.decompressobj(16 + zlib.MAX_WBITS)


def _zstd_decoder() -> Any:
    import zstandard

    return zstandard.ZstdDecompressor().decompressobj()


def _decompressed(raw: IO[bytes], new_decoder: Any, kind: str, display: str) -> Iterator[bytes]:
    """Every member (gzip) or frame (zstd) of a compressed stream, one after another.

    ``cat a.gz b.gz`` and ``zstd``'s appended frames are one stream of several members; a decoder stops at
    its member's end, so a new one starts on what is left. Bytes after the last member that are not
    another member, and a stream that stops inside one, raise :class:`InputError` *after* everything that
    decoded was yielded, so the records before the damage are still checked.
    """
    import zstandard

    decoder = new_decoder()
    fed = False  # the current decoder has been given bytes (an empty stream after a member's end is fine)
    members = 0
    try:
        while step := raw.read(STEP_BYTES):
            while step:
                fed = True
                yield decoder.decompress(step)
                if not decoder.eof:
                    break
                members += 1
                step = decoder.unused_data
                decoder, fed = new_decoder(), False
        if fed and hasattr(decoder, "flush"):
            yield decoder.flush()
    except (zlib.error, zstandard.ZstdError) as exc:
        unit = "member" if kind == "gzip" else "frame"
        what = f"data after {kind} {unit} {members} is not {kind}" if members else "file is corrupt"
        raise InputError(f"{what} ({exc}); records before it were checked", path=display) from None
    if fed and not decoder.eof:
        raise InputError(f"file is truncated ({kind} stream ended early); records before it were checked",
                         path=display)


def byte_chunks(path: Path, display: str) -> Generator[bytes, None, None]:
    """Decompressed bytes of a file in steps; a truncated or corrupt stream raises InputError *after*
    yielding everything that decoded, so the records before the damage are still checked."""
    name = path.name.lower()
    with open_regular(path) as raw:
        if name.endswith(".gz"):
            yield from _decompressed(raw, _gzip_decoder, "gzip", display)
        elif name.endswith(".zst"):
            yield from _decompressed(raw, _zstd_decoder, "zstd", display)
        else:
            while step := raw.read(STEP_BYTES):
                yield step


#: Signatures of binary formats (and of text that is not UTF-8) that are never a corpus file's start.
#: ``textual`` ones could begin a real post, so they count only together with control bytes.
BINARY_SIGNATURES: tuple[tuple[bytes, str, bool], ...] = (
    (b"\x1f\x8b", "gzip-compressed data (name it .gz to have it decompressed)", False),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (name it .zst to have it decompressed)", False),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", False),
    (b"\xff\xd8\xff", "a JPEG image", False),
    (b"PK\x03\x04", "a ZIP archive", False),
    (b"\x7fELF", "an executable", False),
    (b"SQLite format 3\x00", "an SQLite database", False),
    (b"\xfd7zXZ\x00", "xz-compressed data", False),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", False),
    (b"BZh", "bzip2-compressed data", True),
    (b"\xff\xfe", "UTF-16 text (corpus-qc reads UTF-8; convert it with iconv)", False),
    (b"\xfe\xff", "UTF-16 text (corpus-qc reads UTF-8; convert it with iconv)", False),
    (b"PAR1", "a Parquet file (name it .parquet)", True),
    (b"%PDF-", "a PDF document", True),
    (b"GIF8", "a GIF image", True),
)
#: Bytes that never occur in text: C0 controls other than tab, newline, vertical tab, form feed, carriage
#: return and escape (which hostile text does carry), and DEL.
_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[*range(0, 9), 14, 15, *range(16, 27), 28, 29, 30, 31, 127]] = True
#: Share of control bytes in a file's first 8 KiB above which it is binary, not text with a bad record.
BINARY_CONTROL_SHARE = 0.05
SNIFF_BYTES = 8192


def binary_reason(head: bytes) -> str | None:
    """What ``head`` (a file's first bytes, after decompression) is if it is not text, else None.

    More than one byte decides: a known binary signature, or more than 5% control bytes in the first 8 KiB.
    A stray NUL in a text file is a record-level problem (that record is reported), not a binary file.
    """
    sample = np.frombuffer(head[:SNIFF_BYTES], dtype=np.uint8)
    controls = int(np.count_nonzero(_CONTROL[sample]))
    for signature, what, textual in BINARY_SIGNATURES:
        if head.startswith(signature) and (controls or not textual):
            return what
    if len(sample) and controls > BINARY_CONTROL_SHARE * len(sample):
        nuls = int(np.count_nonzero(sample == 0))
        return f"binary data ({controls} control bytes, {nuls} NUL, in the first {len(sample)} bytes)"
    return None


def valid_utf8(block: bytes) -> bool:
    """Whether ``block`` is valid UTF-8 (as strict as ``bytes.decode``), checked by Arrow without making a str."""
    offsets = pa.py_buffer(np.array([0, len(block)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(block)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def range_chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    """Bytes ``[start, end)`` of an uncompressed file, in steps."""
    with open_regular(path) as raw:
        raw.seek(start)
        left = end - start
        while left > 0 and (step := raw.read(min(STEP_BYTES, left))):
            left -= len(step)
            yield step


_INVALID_UTF8 = threading.local()


def _mark_invalid_utf8(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: U+FFFD, as ``errors="replace"`` gives, and the bad sequence's offset noted."""
    assert isinstance(error, UnicodeDecodeError)
    _INVALID_UTF8.starts.append(error.start)
    return "\ufffd", error.end


codecs.register_error("qc-mark-invalid-utf8", _mark_invalid_utf8)


def repair_utf8(data: bytes) -> tuple[bytes, list[int]]:
    """``data`` with each invalid UTF-8 sequence replaced by U+FFFD (as ``errors="replace"`` decodes), and
    the offsets of the sequences replaced."""
    _INVALID_UTF8.starts = []
    repaired = data.decode("utf-8", errors="qc-mark-invalid-utf8").encode("utf-8")
    return repaired, _INVALID_UTF8.starts


def whole_end(data: bytes) -> int:
    """Where ``data`` can be cut without splitting a UTF-8 character or a ``\\r\\n``."""
    end = len(data)
    if data.endswith(b"\r"):
        return end - 1
    for back in range(1, min(3, end) + 1):
        byte = data[end - back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back for the lead byte
            continue
        if byte >= 0xC0:
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if needed > back:
                return end - back
        break
    return end


def count_breaks(data: bytes) -> int:
    """Line breaks in ``data`` (``\\r\\n`` once, a lone ``\\r`` too), as :mod:`qc.lines` counts them."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
