"""Linear-time regex matching over a whole text column.

Two stages, so per-document Python work happens only on rows that can match:

1. **Prefilter** every rule's patterns over the column at once: one compiled Hyperscan database per
   field (all patterns, single-match mode, scanned straight from the Arrow buffer), or, where Hyperscan is
   not installed or rejects a pattern, pyarrow's vectorised RE2 kernel per pattern.
2. **Spans** with google-re2 ``finditer`` on the candidate rows only, so offsets follow RE2 semantics
   exactly whichever prefilter ran.

Both engines are automata: no user pattern can backtrack catastrophically.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import re2

from qc.rulespec import ScanPattern

_hs: Any
try:  # the binding's own matcher, so spans can run on UTF-8 bytes straight from an Arrow buffer
    from re2 import _re2 as _re2_binding

    _UNANCHORED: Any = _re2_binding.RE2.Anchor.UNANCHORED
except (ImportError, AttributeError):  # pragma: no cover - an older or different re2 binding
    _re2_binding = None
    _UNANCHORED = None

try:  # Hyperscan has no wheel for every platform (e.g. Linux aarch64): RE2 is the portable path.
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised on platforms without the wheel
    _hs = None


def _re2_options(ignorecase: bool = False) -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 otherwise writes parse errors to stderr through absl
    options.case_sensitive = not ignorecase
    return options


@functools.lru_cache(maxsize=4096)
def compile_re2(regex: str, ignorecase: bool = False) -> Any:
    """Compile ``regex`` with RE2 (cached). Raises ``ValueError`` with RE2's reason if it cannot."""
    try:
        return re2.compile(regex, options=_re2_options(ignorecase))
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(str(reason)) from None


def hyperscan_available() -> bool:
    """True when the Hyperscan prefilter can be used on this platform."""
    return _hs is not None


def _hyperscan_friendly(pattern: ScanPattern) -> bool:
    # Hyperscan's CASELESS folds ASCII only (we do not enable UCP, so \w and \b stay ASCII as in RE2).
    # Route case-insensitive patterns with non-ASCII cased letters to RE2 to avoid false negatives.
    return not (pattern.ignorecase and any(ord(c) > 127 and c.lower() != c.upper() for c in pattern.regex))


#: The non-ASCII characters RE2's case folding equates with an ASCII letter: LONG S (s) and KELVIN SIGN (k)
#: (tests/test_prefilter_parity.py checks this against RE2 over every code point).
FOLDS_TO_ASCII = "\u017f\u212a"
_CODE_POINT_ESCAPE = re.compile(r"\\x\{([0-9a-fA-F]+)\}|\\x([0-9a-fA-F]{2})")
_UNICODE_ESCAPE = re.compile(r"\\[pPCuUN]")


def _ascii_exact(pattern: ScanPattern) -> bool:
    """Whether Hyperscan (ASCII-only CASELESS) answers exactly as RE2 does on pure-ASCII texts although the
    pattern is not :func:`_hyperscan_friendly`: case-insensitive, with non-ASCII cased letters that can never
    match an ASCII character. Not when the pattern names a character that folds to an ASCII letter (literally
    or as an escape) or a Unicode class."""
    if not pattern.ignorecase or _UNICODE_ESCAPE.search(pattern.regex):
        return False
    if any(c in FOLDS_TO_ASCII for c in pattern.regex):
        return False
    points = [int(a or b, 16) for a, b in _CODE_POINT_ESCAPE.findall(pattern.regex)]
    return not any(chr(p) in FOLDS_TO_ASCII for p in points if p < 0x110000)


@dataclass
class _FieldDatabase:
    """The patterns for one field: a Hyperscan database plus the patterns it could not take.

    ``ascii_ids`` are in a second database, scanned over the pure-ASCII rows only (where it answers as RE2
    does, :func:`_ascii_exact`); RE2 decides them on the other rows. ``re2_ids`` RE2 decides on every row.
    """

    patterns: list[ScanPattern]
    database: Any = None
    hs_ids: list[int] = field(default_factory=list)
    re2_ids: list[int] = field(default_factory=list)
    ascii_database: Any = None
    ascii_ids: list[int] = field(default_factory=list)


def _hs_flags(pattern: ScanPattern) -> int:
    assert _hs is not None
    flags = _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_UTF8 | _hs.HS_FLAG_ALLOWEMPTY
    if pattern.ignorecase:
        flags |= _hs.HS_FLAG_CASELESS
    return int(flags)


def _build_hyperscan(patterns: Sequence[ScanPattern], ids: list[int]) -> tuple[Any, list[int], list[int]]:
    """Compile what Hyperscan accepts; return (database, accepted ids, rejected ids)."""
    assert _hs is not None
    if ids:  # when every pattern compiles: one compile, no probing (compiling is the start-up cost)
        try:
            return _compile_database(patterns, ids), list(ids), []
        except _hs.error:  # some pattern is rejected (its error does not say which): probe, below
            pass
    # Hyperscan's error does not say which expression it rejected, so each is probed alone (the built-in
    # rules have two it rejects: one too large, one with an end anchor inside a group). This is why a cold
    # build costs ~2 s; the on-disk cache (see :func:`_load_or_build`) pays it once per rule set and machine.
    accepted: list[int] = []
    rejected: list[int] = []
    for i in ids:  # probe each pattern alone so one rejection does not sink the database
        try:
            probe = _hs.Database()
            probe.compile(expressions=[patterns[i].regex.encode()], ids=[i], elements=1, flags=[_hs_flags(patterns[i])])
            accepted.append(i)
        except _hs.error:
            rejected.append(i)
    if not accepted:
        return None, [], rejected
    return _compile_database(patterns, accepted), accepted, rejected


def _compile_database(patterns: Sequence[ScanPattern], ids: list[int]) -> Any:
    assert _hs is not None
    database = _hs.Database()
    database.compile(
        expressions=[patterns[i].regex.encode() for i in ids],
        ids=ids,
        elements=len(ids),
        flags=[_hs_flags(patterns[i]) for i in ids],
    )
    return database


def cache_dir() -> Path:
    """Where compiled prefilter databases are kept: ``$QC_CACHE_DIR``, else the user cache directory."""
    override = os.environ.get("QC_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "corpus-qc"


# The cache must never change a verdict: a database file someone else replaced could drop patterns and turn a
# failing gate green. So the directory is owner-only and refused when others could write it (or replace it),
# a loaded database is checked against the rules' own examples before it is trusted, and anything doubtful
# means compiling in memory, as without a cache.

_CACHE_MAGIC = b"corpus-qc hyperscan v1\n"
#: Databases kept in the cache directory (newest used first): one per rule set and host, so a handful.
MAX_CACHE_FILES = 16
#: And at most this many bytes of them (the built-in rules' database is a few MB).
MAX_CACHE_BYTES = 256 << 20
#: A temporary file older than this is left over from a killed writer.
STALE_TEMP_SECONDS = 3600
_warned: set[str] = set()


def _warn(message: str) -> None:
    """One line on stderr, once per process (workers receive compiled databases and never get here)."""
    if message in _warned:
        return
    _warned.add(message)
    from qc.safe_text import one_line

    sys.stderr.write(f"qc: warning: {one_line(message)}\n")


def _unsafe_because(directory: Path) -> str | None:
    """Why ``directory`` (existing) may not hold the cache, or None when only this user can change it."""
    info = os.stat(directory)
    if not stat.S_ISDIR(info.st_mode):
        return "not a directory"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"owned by another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by others (mode {stat.S_IMODE(info.st_mode):04o})"
    # A folder above it that others can write without the sticky bit lets them rename it away and put theirs.
    for parent in directory.resolve().parents:
        mode = os.stat(parent).st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
            return f"inside {parent}, which others can write (mode {stat.S_IMODE(mode):04o})"
    return None


def _usable_cache_dir(directory: Path) -> bool:
    """Create ``directory`` owner-only (0700) if missing; False, with a warning, if others could change it."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        reason = _unsafe_because(directory)
    except OSError:  # a read-only home or a file in the way only costs a compile
        return False
    if reason is not None:
        _warn(f"not using the prefilter cache {directory}: {reason}; compiling in memory")
        return False
    if stat.S_IMODE(os.stat(directory).st_mode) & 0o077:  # ours, but made before caches were owner-only
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
    return True


def _dump_database(database: Any) -> bytes:
    assert _hs is not None
    return bytes(_hs.dumpb(database))


def _load_database(blob: bytes) -> Any:
    assert _hs is not None
    database = _hs.loadb(bytes(blob), _hs.HS_MODE_BLOCK)
    database.scratch = _hs.Scratch(database)  # compile() allocates scratch space; a deserialised database has none
    return database


@functools.lru_cache(maxsize=1)
def _host_signature() -> str:
    """Hyperscan's library version and the CPU features it compiles for on this host (a tiny compile).

    A database compiled where AVX2 exists fails to scan where it does not, so a cache on a shared home
    directory must not hand one host's database to another.
    """
    assert _hs is not None
    probe = _hs.Database()
    probe.compile(expressions=[b"a"], ids=[0], elements=1, flags=[0])
    info = probe.info()
    return info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)


def _cache_key(patterns: Sequence[ScanPattern], ids: list[int]) -> str:
    """sha256 of everything the compiled database depends on: Hyperscan (binding, library, CPU features),
    the machine and each pattern with its id and flags."""
    assert _hs is not None
    material = {
        "hyperscan": getattr(_hs, "__version__", "?"),
        "host": _host_signature(),
        "machine": platform.machine(),
        "patterns": [[i, patterns[i].regex, _hs_flags(patterns[i])] for i in ids],
    }
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode("utf-8")).hexdigest()


def _read_cache(path: Path, ids: list[int]) -> tuple[Any, list[int], list[int]] | None:
    """The cached (database, accepted, rejected) at ``path``, or None if missing, stale, damaged or not
    this user's own file (the caller still checks the database against the rules' examples)."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            blob = handle.read()
        if not blob.startswith(_CACHE_MAGIC):
            return None
        head_end = blob.index(b"\n", len(_CACHE_MAGIC))
        head = json.loads(blob[len(_CACHE_MAGIC):head_end])
        body = blob[head_end + 1:]
        accepted, rejected = [int(i) for i in head["accepted"]], [int(i) for i in head["rejected"]]
        # The checksum guards Hyperscan's deserialiser from a truncated or altered file.
        if hashlib.sha256(body).hexdigest() != head["sha256"] or sorted(accepted + rejected) != sorted(ids):
            return None
        database = _load_database(body) if accepted else None
        return database, accepted, rejected
    except Exception:  # any unreadable cache means compiling, never failing
        return None


def _write_cache(path: Path, database: Any, accepted: list[int], rejected: list[int]) -> None:
    """Store the build atomically (a 0600 temp file + rename), so readers never see half a file; failures
    are ignored."""
    try:
        body = _dump_database(database) if database is not None else b""
        head = json.dumps({"accepted": accepted, "rejected": rejected, "sha256": hashlib.sha256(body).hexdigest()})
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_CACHE_MAGIC + head.encode("ascii") + b"\n" + body)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # a read-only or full disk only costs the next run a compile
        pass


def _evict(directory: Path, keep: Path) -> None:
    """Delete all but the :data:`MAX_CACHE_FILES` most recently used databases (and past
    :data:`MAX_CACHE_BYTES`), never ``keep``; and temp files a killed writer left behind."""
    try:
        now = time.time()
        entries = []
        for entry in os.scandir(directory):
            if not entry.name.startswith("hs-") or not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            if entry.name.endswith(".tmp"):
                if now - info.st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(entry.path)
            elif entry.name.endswith(".db"):
                entries.append((info.st_mtime, info.st_size, entry.path))
        entries.sort(reverse=True)  # newest first
        total = 0
        for count, (_, size, name) in enumerate(entries):
            total += size
            if Path(name) != keep and (count >= MAX_CACHE_FILES or total > MAX_CACHE_BYTES):
                os.unlink(name)
    except OSError:  # another process evicting at the same time, say: next run tries again
        pass


def _scan_ids(database: Any, data: bytes) -> set[int]:
    """The pattern ids ``database`` reports anywhere in ``data``."""
    found: set[int] = set()

    def on_match(pattern_id: int, _from: int, _to: int, _flags: int, _ctx: Any) -> None:
        found.add(pattern_id)

    database.scan(data, match_event_handler=on_match)
    return found


def missed_examples(database: Any, patterns: Sequence[ScanPattern], ids: Sequence[int],
                    probes: Mapping[str, Sequence[str]]) -> list[int]:
    """Pattern ids whose own rule's examples RE2 matches but ``database`` does not report for that id.

    ``probes`` maps a pattern key to its rule's example texts (of the pattern's field). RE2 is the truth
    the findings follow, so a database that misses one of these would silently drop findings. Cheap: a few
    texts per pattern.
    """
    expected: dict[bytes, set[int]] = {}
    for i in ids:
        pattern = patterns[i]
        compiled = compile_re2(pattern.regex, pattern.ignorecase)
        for text in probes.get(pattern.key, ()):
            try:
                data = text.encode("utf-8")
            except UnicodeEncodeError:
                continue
            if data and compiled.search(text) is not None:
                expected.setdefault(data, set()).add(i)
    if not expected:
        return []
    if database is None:
        return sorted(set().union(*expected.values()))
    missed: set[int] = set()
    for data, wanted in expected.items():
        missed |= wanted - _scan_ids(database, data)
    return sorted(missed)


def _build_checked(patterns: Sequence[ScanPattern], ids: list[int],
                   probes: Mapping[str, Sequence[str]]) -> tuple[Any, list[int], list[int]]:
    """:func:`_build_hyperscan`, with any pattern the fresh database disagrees with RE2 on (on its rule's
    examples) routed to RE2 instead, so a loaded database must agree on every example it covers."""
    database, accepted, rejected = _build_hyperscan(patterns, ids)
    disagree = set(missed_examples(database, patterns, accepted, probes))
    if disagree:
        accepted = [i for i in accepted if i not in disagree]
        rejected = sorted([*rejected, *disagree])
    return database, accepted, rejected


def _load_or_build(patterns: Sequence[ScanPattern], ids: list[int],
                   probes: Mapping[str, Sequence[str]] | None = None) -> tuple[Any, list[int], list[int]]:
    """:func:`_build_hyperscan`, through the on-disk cache keyed by everything the database depends on.

    A cached database is used only from a directory only this user can change, and only when it reports
    every pattern its rule's examples match (``probes``, see :func:`missed_examples`); else it is compiled
    again and the file replaced.
    """
    if not ids:
        return None, [], []
    probes = probes or {}
    try:
        directory = cache_dir()
        path = directory / f"hs-{_cache_key(patterns, ids)}.db"
    except Exception:  # no home directory, say: compile, as without a cache
        return _build_checked(patterns, ids, probes)
    if not _usable_cache_dir(directory):
        return _build_checked(patterns, ids, probes)
    cached = _read_cache(path, ids)
    if cached is not None:
        if not missed_examples(cached[0], patterns, cached[1], probes):
            with contextlib.suppress(OSError):
                os.utime(path)  # most recently used: eviction keeps it
            return cached
        # Named by its folder: a rule set's databases (every pattern, the ASCII-only ones) warn once together.
        _warn(f"the prefilter cache in {directory} disagrees with the rules' examples; compiled again")
    built = _build_checked(patterns, ids, probes)
    _write_cache(path, *built)
    _evict(directory, keep=path)
    return built


class Prefilter:
    """All scan patterns of a rule set, compiled once and reused for every batch.

    ``probes`` maps a pattern key to its rule's example texts: a database loaded from the on-disk cache is
    trusted only if it reports every one of them RE2 matches (see :func:`missed_examples`).
    """

    def __init__(self, patterns: Sequence[ScanPattern], use_hyperscan: bool | None = None,
                 probes: Mapping[str, Sequence[str]] | None = None) -> None:
        self.patterns = list(patterns)
        self.probes = dict(probes or {})
        self.index = {p.key: i for i, p in enumerate(self.patterns)}
        self._use_hs = hyperscan_available() if use_hyperscan is None else (use_hyperscan and hyperscan_available())
        self._fields: dict[str, _FieldDatabase] = {}
        for i, pattern in enumerate(self.patterns):
            compile_re2(pattern.regex, pattern.ignorecase)  # fail early, with RE2's reason
            self._fields.setdefault(pattern.field, _FieldDatabase(self.patterns)).re2_ids.append(i)
        self._compiled = False

    @property
    def fields(self) -> dict[str, _FieldDatabase]:
        """The per-field databases, compiled on first use: a process that only merges (the parent of
        worker processes) or only observes (pass one) never pays for compiling Hyperscan."""
        if not self._compiled:
            self._compiled = True
            if self._use_hs:
                for fdb in self._fields.values():
                    # One pass: a rule pack may hold tens of thousands of patterns, so no per-pattern lookups.
                    friendly: list[int] = []
                    ascii_only: list[int] = []
                    others: list[int] = []
                    for i in fdb.re2_ids:
                        pattern = self.patterns[i]
                        (friendly if _hyperscan_friendly(pattern) else ascii_only if _ascii_exact(pattern)
                         else others).append(i)
                    fdb.database, fdb.hs_ids, rejected = _load_or_build(self.patterns, friendly, self.probes)
                    # The ASCII-only database scans ASCII rows only: only ASCII examples vouch for it.
                    ascii_keys = {self.patterns[i].key for i in ascii_only}
                    probes = {key: [t for t in texts if t.isascii()] for key, texts in self.probes.items()
                              if key in ascii_keys}
                    fdb.ascii_database, fdb.ascii_ids, ascii_rejected = _load_or_build(self.patterns, ascii_only,
                                                                                      probes)
                    fdb.re2_ids = sorted(others + rejected + ascii_rejected)
        return self._fields

    def __getstate__(self) -> dict[str, Any]:
        """Pickle compiled databases as Hyperscan's serialised bytes, so a worker process receiving the
        prefilter deserialises it (milliseconds) instead of compiling it again."""
        state = self.__dict__.copy()
        state["_fields"] = {
            name: (fdb.hs_ids, fdb.re2_ids, fdb.ascii_ids,
                   None if fdb.database is None else _dump_database(fdb.database),
                   None if fdb.ascii_database is None else _dump_database(fdb.ascii_database))
            for name, fdb in self._fields.items()
        }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        fields = state.pop("_fields")
        self.__dict__.update(state)
        self._fields = {
            name: _FieldDatabase(self.patterns, database=None if blob is None else _load_database(blob),
                                 hs_ids=list(hs_ids), re2_ids=list(re2_ids), ascii_ids=list(ascii_ids),
                                 ascii_database=None if ascii_blob is None else _load_database(ascii_blob))
            for name, (hs_ids, re2_ids, ascii_ids, blob, ascii_blob) in fields.items()
        }

    def candidates(self, columns: dict[str, pa.ChunkedArray | pa.Array]) -> dict[str, np.ndarray]:
        """Return, per pattern key, the sorted row numbers whose field may match the pattern."""
        out: dict[str, np.ndarray] = {}
        for field_name, fdb in self.fields.items():
            column = columns.get(field_name)
            if column is None:
                for i in fdb.hs_ids + fdb.re2_ids + fdb.ascii_ids:
                    out[self.patterns[i].key] = np.empty(0, dtype=np.int64)
                continue
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
            if fdb.database is not None:
                hits = _scan_hyperscan(fdb.database, column, len(self.patterns))
                for i in fdb.hs_ids:
                    out[self.patterns[i].key] = np.asarray(hits[i], dtype=np.int64)
            if fdb.ascii_database is not None and fdb.ascii_ids:
                # Hyperscan's answer on the ASCII rows, RE2's on the rest: each searches its rows only.
                ascii_rows = pc.fill_null(pc.string_is_ascii(column), False).to_numpy(zero_copy_only=False)
                rest = np.flatnonzero(~ascii_rows)
                plain_hits = _scan_hyperscan(fdb.ascii_database, column, len(self.patterns),
                                             only=np.flatnonzero(ascii_rows))
                rest_column = column.take(pa.array(rest))
                for i in fdb.ascii_ids:
                    pattern = self.patterns[i]
                    mask = pc.match_substring_regex(rest_column, pattern.regex, ignore_case=pattern.ignorecase)
                    searched = rest[pc.fill_null(mask, False).to_numpy(zero_copy_only=False)]
                    found = np.asarray(plain_hits[i], dtype=np.int64)
                    out[pattern.key] = np.union1d(found, searched).astype(np.int64)
            for i in fdb.re2_ids:
                pattern = self.patterns[i]
                mask = pc.match_substring_regex(column, pattern.regex, ignore_case=pattern.ignorecase)
                mask = pc.fill_null(mask, False)
                out[pattern.key] = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        return out


def utf8_buffers(column: pa.Array) -> tuple[np.ndarray, memoryview, np.ndarray | None]:
    """(offsets, data, validity) of a large_string array: row i is ``data[offsets[i]:offsets[i + 1]]``.

    No copy: ``data`` is a view of the Arrow buffer, so scanning a row never materialises a Python string.
    """
    if not pa.types.is_large_string(column.type):
        column = column.cast(pa.large_string())
    validity, offsets_buf, data_buf = column.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[column.offset : column.offset + len(column) + 1]
    data = memoryview(data_buf) if data_buf is not None else memoryview(b"")
    valid = None if validity is None else column.is_valid().to_numpy(zero_copy_only=False)
    return offsets, data, valid


def _scan_hyperscan(database: Any, column: pa.Array, n_patterns: int,
                    only: np.ndarray | None = None) -> list[list[int]]:
    """Scan each row's UTF-8 bytes straight from the Arrow buffers; return row lists per pattern id.

    ``only`` (sorted row numbers) scans those rows and no others.
    """
    hits: list[list[int]] = [[] for _ in range(n_patterns)]
    if len(column) == 0:
        return hits
    offsets, data, valid = utf8_buffers(column)
    current = [0]

    def on_match(pattern_id: int, _from: int, _to: int, _flags: int, _ctx: Any) -> None:
        hits[pattern_id].append(current[0])

    scan = database.scan
    lengths = np.diff(offsets)
    scanned = (lengths > 0) if valid is None else ((lengths > 0) & valid)
    if only is not None:
        chosen = np.zeros(len(scanned), dtype=bool)
        chosen[only] = True
        scanned &= chosen
    rows = np.flatnonzero(scanned)
    begins = offsets[rows].tolist()
    ends = offsets[rows + 1].tolist()
    for row, begin, end in zip(rows.tolist(), begins, ends, strict=True):
        current[0] = row
        scan(data[begin:end], match_event_handler=on_match)  # a memoryview slice: no copy
    return hits


#: A pattern may wrap the defect in ``(?P<hit>...)``: RE2 has no look-behind, so context a match needs
#: (``[^A-Za-z]x亿元``) is matched outside the group and only the group becomes the finding's span.
HIT_GROUP = "hit"


@functools.lru_cache(maxsize=4096)
def _hit_group(regex: str, ignorecase: bool) -> int:
    # The binding builds groupindex anew on every access: once per regex is enough.
    return int(compile_re2(regex, ignorecase).groupindex.get(HIT_GROUP, 0))


def find_spans(regex: str, ignorecase: bool, text: str) -> list[tuple[int, int, str]]:
    """All non-overlapping RE2 matches of ``regex`` in ``text`` as (start, end, matched text), in chars.

    When the regex has a ``hit`` group, its span is reported instead of the whole match.
    """
    compiled = compile_re2(regex, ignorecase)
    group = compiled.groupindex.get(HIT_GROUP, 0)
    spans = []
    for m in compiled.finditer(text):
        start, end = m.start(group), m.end(group)
        if end > start >= 0:
            spans.append((start, end, text[start:end]))
    return spans


def find_spans_utf8(regex: str, ignorecase: bool, data: bytes | memoryview) -> list[tuple[int, int, str]]:
    """:func:`find_spans` on UTF-8 bytes: same matches and character offsets, without decoding the text.

    RE2 runs on the bytes (``data`` may be a memoryview of an Arrow buffer) and only matched bytes are
    decoded; byte offsets become character offsets incrementally, so the cost is linear in the text. The
    loop mirrors google-re2's ``finditer`` exactly (including how it steps over empty matches), and a
    ``hit`` group's span is reported instead of the whole match, as :func:`find_spans` does.
    """
    return list(iter_spans_utf8(regex, ignorecase, data))


def iter_spans_utf8(regex: str, ignorecase: bool, data: bytes | memoryview,
                    ascii_only: bool = False) -> Iterator[tuple[int, int, str]]:
    """:func:`find_spans_utf8` lazily: a caller that has seen enough spans stops the search there.

    ``ascii_only`` promises that ``data`` is ASCII (e.g. from Arrow's ``string_is_ascii`` over the column),
    so byte offsets are character offsets and need no conversion.
    """
    compiled = compile_re2(regex, ignorecase)
    if _re2_binding is None:  # pragma: no cover - fall back to the public API
        yield from find_spans(regex, ignorecase, bytes(data).decode("utf-8"))
        return
    match = compiled._regexp.Match
    group = _hit_group(regex, ignorecase)
    to_chars = _re2_binding.BytesToCharLen
    pos, endpos = 0, len(data)
    last_byte = last_char = 0
    while True:
        spans = match(_UNANCHORED, data, pos, endpos)
        end = spans[0][1]
        if spans[0][0] < 0:
            break
        # Reported spans only move forward (matches do not overlap), so offsets convert incrementally.
        hit_start, hit_end = spans[group]
        if hit_end > hit_start >= 0 and ascii_only:
            yield hit_start, hit_end, str(data[hit_start:hit_end], "ascii")
        elif hit_end > hit_start >= 0:
            char_start = last_char + to_chars(data, last_byte, hit_start)
            text = str(data[hit_start:hit_end], "utf-8")
            char_end = char_start + len(text)  # the decoded match is its own character count
            last_byte, last_char = hit_end, char_end
            yield char_start, char_end, text
        if pos == endpos:
            break
        if pos == end:  # an empty match at pos: step one character to make progress
            pos += _re2_binding.CharLenToBytes(data, pos, 1)
        else:
            pos = end
