"""Read corpora into canonical, batch-sized pandas frames: input resolution, splits, canonicalisation.

Inputs are any mix of files, directories and globs. Each file is read by the reader of its format
(:mod:`qc.readers`: JSON Lines, Parquet, CSV/TSV, text folders, WARC/WET/ARC), registered in
:mod:`qc.readers.registry`; this module resolves the inputs, cuts files into the readers' splits (so worker
processes and Dask read within one file), and canonicalises what the readers yield. Every record carries
``source_path`` and ``source_line`` (its address: what that is per format is the reader's locator).
Record-level problems (a malformed JSON line, invalid UTF-8, a truncated WARC record) become
:class:`Problem` rows for the ``schema`` family; file-level problems (unreadable, binary, truncated, no text
column) are :class:`InputError` values collected on the :class:`LoadLog`, so one bad file never hides the
others. Input files are opened read-only, and only regular ones.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa

from qc import features
from qc.chrome_dates import empty_columns as empty_chrome_columns
from qc.chrome_dates import recover as recover_chrome_dates
from qc.dates import dayfirst_mask, parse_timestamps
from qc.errors import InputError
from qc.lines import FIELD_LINE_PREFIX, field_line_column
from qc.rawio import not_regular
from qc.readers.base import InputFile, LoadLog, Problem, ReadOptions, Split, is_missing, json_type_name
from qc.readers.jsonl import (
    BLOCK_BYTES,
    MAX_JSON_DEPTH,
    count_lines,
    json_depth,
    jsonl_block_frame,
    jsonl_blocks,
    jsonl_ranges,
)
from qc.readers.registry import READERS, format_of, known_suffixes
from qc.readers.textdir import read_text_files

__all__ = [
    "MAX_JSON_DEPTH", "InputFile", "LoadLog", "Problem", "ReadOptions", "Split", "count_lines", "json_depth",
    "json_type_name", "jsonl_block_frame", "jsonl_blocks", "jsonl_ranges",
]

CANONICAL = ("doc_id", "text", "url", "site", "title", "author", "posted_at", "captured_at", "lang")
REQUIRED = ("doc_id", "text")
#: Well-known source names recognised when no field map is configured, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "doc_id": ("doc_id", "id", "_id", "uuid", "post_id"),
    "text": ("text", "content", "body", "raw_content", "article"),
    "url": ("url", "link", "source_url"),
    "site": ("site", "domain", "host"),
    "title": ("title", "headline"),
    "author": ("author", "byline"),
    "posted_at": ("posted_at", "date", "published", "published_at", "pub_date", "post_time"),
    "captured_at": ("captured_at", "crawl_time", "fetched_at", "crawled_at", "scraped_at", "capture_time"),
    "lang": ("lang", "language"),
}
DEFAULT_BATCH_ROWS = 20_000
#: Target size of a split for worker processes (``--jobs N``): small enough that a few in flight per
#: worker keep memory bounded, large enough that planning and task overhead stay small.
SPLIT_BYTES = 16 << 20


def _format_of(path: Path) -> str | None:
    return format_of(path)


def _walk(directory: Path) -> Iterator[tuple[Path, str | None]]:
    """Every non-directory entry under ``directory`` (hidden ones and links to directories excepted),
    with a reason when it is not a readable regular file; an unreadable subdirectory is an entry too."""
    unreadable: list[OSError] = []
    for top, dirs, names in os.walk(directory, onerror=unreadable.append):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (Path(top) / d).is_symlink()]
        for name in names:
            if not name.startswith("."):
                child = Path(top) / name
                yield child, not_regular(child)
    for error in unreadable:
        yield Path(error.filename), f"cannot read directory ({error.strerror or error})"


def resolve_inputs(specs: Iterable[str | Path]) -> list[InputFile]:
    """Expand paths, directories and globs into input files, in a stable order.

    Raises :class:`InputError` for a missing path, a glob that matches nothing or a file of unknown type.
    Paths that exist but cannot be read as files (FIFOs, sockets, devices, dangling links, unreadable
    directories) are returned with a ``problem``: reported per file, never opened, the others still read.
    """
    resolved: list[InputFile] = []
    for spec in specs:
        text = str(spec)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise InputError("glob matched no files", path=text)
            paths = [Path(m) for m in matches]
        else:
            path = Path(text)
            if not path.exists():
                if path.is_symlink():
                    raise InputError("dangling symbolic link (its target does not exist)", path=text)
                raise InputError("no such file or directory", path=text)
            paths = [path]
        for path in paths:
            if path.is_dir():
                entries = sorted(_walk(path), key=lambda entry: entry[0])
                for child, problem in entries:
                    fmt = _format_of(child)
                    if problem is not None and problem.startswith("cannot read directory"):
                        resolved.append(InputFile(child, "directory", problem=problem))
                    elif fmt is not None:
                        resolved.append(InputFile(child, fmt, root=path if fmt == "text" else None, problem=problem))
                continue
            fmt = _format_of(path)
            if fmt is None:
                raise InputError(f"unknown input type (expected {known_suffixes()} or a directory)", path=str(path))
            resolved.append(InputFile(path, fmt, root=path.parent if fmt == "text" else None,
                                      problem=not_regular(path)))
    return resolved


# -- canonical frame ----------------------------------------------------------------------------------


def field_mapping(columns: Iterable[str], field_map: dict[str, str] | None) -> dict[str, str]:
    """Canonical name -> source column, from the configured map or the well-known aliases."""
    present = list(columns)
    mapping: dict[str, str] = {}
    for canonical, source in (field_map or {}).items():
        if source in present:
            mapping[canonical] = source
    for canonical, aliases in ALIASES.items():
        if canonical in mapping:
            continue
        for alias in aliases:
            if alias in present and alias not in mapping.values():
                mapping[canonical] = alias
                break
    return mapping


def _host(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


#: Canonical fields that hold text besides ``text`` and ``doc_id``. A number is kept as its digits (a
#: ``posted_at`` may be epoch seconds); a JSON list, object or boolean is no text: a finding, not checked.
OPTIONAL_TEXT_FIELDS = ("url", "site", "title", "author", "posted_at", "captured_at", "lang")
#: Canonical column: True where the record's doc_id was a JSON number (``1``), not a string (``"1"``).
#: Both read "1", but they are different ids, so the duplicate check keys on the value with its type.
DOC_ID_IS_NUMBER = "doc_id_is_number"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _is_missing(value: Any) -> bool:
    return is_missing(value)


def _number_text(value: Any) -> str:
    """A JSON number as its digits: ``12`` and ``12.0`` read ``12``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _doc_ids(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """doc_ids as strings (numbers as their digits) and which were numbers; other values are kept as they
    are, for the schema to report (SC008). A string column (what pyarrow gives) takes no per-row Python."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(object).where(values.notna(), None), np.zeros(len(values), dtype=bool)
    items = values.tolist()
    numbers = np.fromiter((_is_number(v) and not _is_missing(v) for v in items), dtype=bool, count=len(items))
    converted = [None if _is_missing(v) else _number_text(v) if n else v
                 for v, n in zip(items, numbers.tolist(), strict=True)]
    return pd.Series(converted, index=values.index, dtype=object), numbers


def _optional_texts(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """An optional text field as strings or None, and which values were not text (list, object, boolean:
    set to None, so they are never checked as their JSON dump)."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(object).where(values.notna(), None), np.zeros(len(values), dtype=bool)
    if bool(values.isna().all()):  # a field the corpus does not have: no per-row pass
        return pd.Series([None] * len(values), index=values.index, dtype=object), np.zeros(len(values), dtype=bool)
    items = values.tolist()
    not_text = np.fromiter((not (_is_missing(v) or isinstance(v, str) or _is_number(v) or isinstance(v, pd.Timestamp))
                            for v in items), dtype=bool, count=len(items))
    converted = [None if bad or _is_missing(v) else v if isinstance(v, str) else str(v)
                 for v, bad in zip(items, not_text.tolist(), strict=True)]
    return pd.Series(converted, index=values.index, dtype=object), not_text


def canonicalise(frame: pd.DataFrame, mapping: dict[str, str], source_path: str, default_tz: str = "UTC",
                 dayfirst: bool = False, dayfirst_sites: Iterable[str] = (), *, dates: bool = True,
                 problems: list[Problem] | None = None) -> pd.DataFrame:
    """Rename source columns to canonical names and add ``site``, parsed dates and the source columns.

    Dates missing from the fields are recovered from chrome in the text (see :mod:`qc.chrome_dates`).
    ``dates=False`` leaves the raw date strings unparsed (no ``posted_ts``/``captured_ts``, no chrome
    stamps): pass one of corpus-level rules that read only text and site, and pass two when no selected
    rule declares the dates feature (:attr:`qc.rulespec.RuleSpec.FEATURES`), skip the costliest part of
    canonicalising.
    An optional text field holding a list, an object or a boolean is set to None and, when ``problems`` is
    given, reported there (SC009) with the record's line.
    """
    renames = {src: dst for dst, src in mapping.items() if src != dst}
    renames.update({field_line_column(src): field_line_column(dst) for dst, src in mapping.items() if src != dst})
    renamed = frame.rename(columns=renames)
    # A source column renamed away keeps no duplicate; other columns are kept as they are. Start-line columns
    # (multi-line formats) are kept for canonical text fields only: they are what findings are located by.
    keep = [not (str(c).startswith(FIELD_LINE_PREFIX) and str(c)[len(FIELD_LINE_PREFIX):] not in CANONICAL)
            for c in renamed.columns]
    out = renamed.loc[:, ~renamed.columns.duplicated() & np.asarray(keep, dtype=bool)].copy()
    for name in CANONICAL:
        if name not in out.columns:
            out[name] = pd.Series([None] * len(out), dtype="object")
    out["doc_id"], numbers = _doc_ids(out["doc_id"])
    out[DOC_ID_IS_NUMBER] = numbers
    for name in OPTIONAL_TEXT_FIELDS:
        out[name], not_text = _optional_texts(out[name])
        if problems is not None and not_text.any():
            problems.extend(_not_text_problems(frame, out, name, mapping.get(name, name), not_text, source_path))
    if out["site"].isna().all():
        out["site"] = out["url"].map(_host)
    out["source_path"] = source_path
    out = out.reset_index(drop=True)
    if not dates:
        return out
    features.computed["dates"] += 1  # the DATES feature (qc.features), counted so tests can prove it is lazy
    day_first = dayfirst_mask(out["site"], dayfirst, dayfirst_sites)
    out["posted_ts"] = parse_timestamps(out["posted_at"], default_tz=default_tz, dayfirst=day_first)
    out["captured_ts"] = parse_timestamps(out["captured_at"], default_tz=default_tz, dayfirst=day_first)
    recover_chrome_dates(out, default_tz=default_tz, dayfirst=day_first)
    return out


def _not_text_problems(frame: pd.DataFrame, out: pd.DataFrame, name: str, source: str, not_text: np.ndarray,
                       source_path: str) -> list[Problem]:
    """SC009 for the rows whose field ``name`` held a list, an object or a boolean."""
    rows = np.flatnonzero(not_text)
    column = frame[source] if source in frame.columns else frame[name]
    found: list[Problem] = []
    for row in rows.tolist():
        doc_id = out["doc_id"].iat[row]
        where = source_path or str(frame["source_path"].iat[row])
        called = name if source == name else f"{name} (column {source!r})"
        found.append(Problem("SC009", where, int(frame["source_line"].iat[row]),
                             f"{called} is a JSON {json_type_name(column.iat[row])}, not a string; the field is not "
                             "checked", field=name, doc_id=doc_id if isinstance(doc_id, str) else None))
    return found


@dataclass
class RawBatch:
    """A canonical batch plus the record-level problems found while reading it."""

    frame: pd.DataFrame
    problems: list[Problem]


@dataclass
class Unit:
    """One piece of a corpus, in corpus order: a JSON Lines block still to parse, a split still to read, or
    a batch already read.

    Units are what the engine hands to worker processes: parsing a block or reading a split (the costly part
    of reading) happens where the unit is checked, so the reading process only moves bytes or plans.
    """

    source: str  # the file's display path ("" for a batch of text-folder posts)
    rows: int  # records (lines) it holds, or an estimate for a split: what the engine's memory counter adds up
    block: bytes | None = None
    first_line: int = 1
    batch: RawBatch | None = None
    split: Split | None = None


#: Bytes per record assumed when a split's records are counted before it is read (the memory counter only).
_BYTES_PER_RECORD_GUESS = 4096


def split_units(src: InputFile, split: Split, options: ReadOptions, log: LoadLog) -> Iterator[Unit]:
    """The units of one split: JSON Lines blocks (numbered here), or the split itself for a worker to read."""
    if src.fmt == "jsonl":
        byte_range = None if split.whole else (split.start, split.end if split.end is not None else 0)
        for block, first_line, lines in jsonl_blocks(src, BLOCK_BYTES, options.batch_rows, byte_range=byte_range,
                                                     first_line=split.first):
            yield Unit(src.display, lines, block=block, first_line=first_line)
        return
    size = (split.end or 0) - split.start if split.end is not None and src.fmt != "parquet" else BLOCK_BYTES
    yield Unit(src.display, max(1, size // _BYTES_PER_RECORD_GUESS), split=split)


def _numbered_jsonl(src: InputFile, split_bytes: int, log: LoadLog) -> list[Split]:
    """A JSON Lines file's splits with their first lines (counted here: newlines only, no parsing)."""
    splits = READERS["jsonl"].plan_splits(src, split_bytes, log)
    numbered: list[Split] = []
    line = 1
    for split in splits:
        numbered.append(replace(split, first=line))
        if split.end is not None:
            line += count_lines(src, split.start, split.end)
    return numbered


def plan_file(src: InputFile, split_bytes: int | None, log: LoadLog) -> list[Split]:
    """A file's splits in order, every one's first address known (one split when ``split_bytes`` is None)."""
    if split_bytes is None:
        return [Split(src)]
    if src.fmt == "jsonl":
        return _numbered_jsonl(src, split_bytes, log)
    return READERS[src.fmt].plan_splits(src, split_bytes, log)


def iter_units(inputs: Iterable[str | Path] | list[InputFile], *, field_map: dict[str, str] | None = None,
               batch_rows: int = DEFAULT_BATCH_ROWS, block_bytes: int = BLOCK_BYTES,
               default_tz: str = "UTC", dayfirst: bool = False, log: LoadLog | None = None,
               dayfirst_sites: tuple[str, ...] = (), dates: bool = True, split_bytes: int | None = None,
               warc_text: str = "naive") -> Iterator[Unit]:
    """Yield the units of every input in order. File-level read errors go to ``log.errors``.

    ``split_bytes``: cut files into the readers' splits of about that size, read by whoever checks the unit
    (None: JSON Lines in blocks, every other file read here, whole). ``dates``: whether the batches made
    here (text folders, and whole files when not split) parse dates (:func:`canonicalise`).
    """
    files = [i for i in inputs if isinstance(i, InputFile)] or resolve_inputs(
        [i for i in inputs if not isinstance(i, InputFile)])
    log = log if log is not None else LoadLog()
    options = ReadOptions(batch_rows=batch_rows, warc_text=warc_text)
    for src in files:  # never opened: a FIFO would block, a device or socket is no corpus
        if src.problem is not None:
            log.errors.append(InputError(src.problem, path=src.display))
    text_files = [f for f in files if f.fmt == "text" and f.problem is None]
    others = [f for f in files if f.fmt != "text" and f.problem is None]
    for src in others:
        log.files.append(src.display)
        try:
            if src.fmt == "jsonl" and split_bytes is None:
                for block, first_line, lines in jsonl_blocks(src, block_bytes, batch_rows):
                    yield Unit(src.display, lines, block=block, first_line=first_line)
                continue
            if split_bytes is not None:
                for split in plan_file(src, split_bytes, log):
                    yield from split_units(src, split, options, log)
                continue
            reader = READERS[src.fmt].read(Split(src), options, log)
            for raw in canonical_batches(reader, src.display, field_map, default_tz, dayfirst, log,
                                         dayfirst_sites, dates=dates):
                yield Unit(src.display, len(raw.frame), batch=raw)
        except InputError as exc:
            log.errors.append(exc)
        except (OSError, pa.ArrowException) as exc:
            log.errors.append(InputError(f"cannot read file ({exc})", path=src.display))
    for start in range(0, len(text_files), batch_rows):
        chunk = text_files[start : start + batch_rows]
        for raw in canonical_batches(read_text_files(chunk, log), "", field_map, default_tz, dayfirst, log,
                                     dayfirst_sites, dates=dates):
            yield Unit("", len(raw.frame), batch=raw)


def unit_batches(unit: Unit, *, field_map: dict[str, str] | None = None, default_tz: str = "UTC",
                 dayfirst: bool = False, log: LoadLog | None = None, dayfirst_sites: tuple[str, ...] = (),
                 dates: bool = True, batch_rows: int = DEFAULT_BATCH_ROWS, warc_text: str = "naive"
                 ) -> Iterator[RawBatch]:
    """The canonical batches of one unit (parsing its block or reading its split). Raises :class:`InputError`.

    ``dates=False``: see :func:`canonicalise` (a batch the reader already made keeps its parsed dates).
    """
    if unit.batch is not None:
        yield unit.batch
        return
    log = log if log is not None else LoadLog()
    if unit.split is not None:
        split = unit.split
        reader = READERS[split.file.fmt].read(split, ReadOptions(batch_rows=batch_rows, warc_text=warc_text), log)
        try:
            yield from canonical_batches(reader, unit.source, field_map, default_tz, dayfirst, log, dayfirst_sites,
                                         dates=dates)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read file ({exc})", path=unit.source) from None
        return
    assert unit.block is not None
    frames = iter([jsonl_block_frame(unit.block, unit.first_line, unit.source)])
    yield from canonical_batches(frames, unit.source, field_map, default_tz, dayfirst, log, dayfirst_sites,
                                 dates=dates)


def iter_batches(inputs: Iterable[str | Path] | list[InputFile], *, field_map: dict[str, str] | None = None,
                 batch_rows: int = DEFAULT_BATCH_ROWS, block_bytes: int = BLOCK_BYTES,
                 default_tz: str = "UTC", dayfirst: bool = False, log: LoadLog | None = None,
                 dayfirst_sites: tuple[str, ...] = ()) -> Iterator[RawBatch]:
    """Yield canonical batches for every input. File-level errors go to ``log.errors`` and reading goes on."""
    log = log if log is not None else LoadLog()
    failed: set[str] = set()
    for unit in iter_units(inputs, field_map=field_map, batch_rows=batch_rows, block_bytes=block_bytes,
                           default_tz=default_tz, dayfirst=dayfirst, log=log, dayfirst_sites=dayfirst_sites):
        if unit.source and unit.source in failed:
            continue  # the file failed on an earlier block: the rest of it is not read as records
        try:
            yield from unit_batches(unit, field_map=field_map, default_tz=default_tz, dayfirst=dayfirst, log=log,
                                    dayfirst_sites=dayfirst_sites)
        except InputError as exc:
            log.errors.append(exc)
            failed.add(unit.source)


def canonical_batches(reader: Iterator[tuple[pd.DataFrame, list[Problem]]], display: str,
                      field_map: dict[str, str] | None, default_tz: str, dayfirst: bool, log: LoadLog,
                      dayfirst_sites: tuple[str, ...] = (), *, dates: bool = True) -> Iterator[RawBatch]:
    """Canonical batches from a raw reader's (source frame, problems) pairs; updates ``log``."""
    for frame, problems in reader:
        if frame.empty or len(frame.columns) <= 1:
            if problems:
                yield RawBatch(_empty_canonical(), problems)
            continue
        source_columns = [c for c in frame.columns if c not in ("source_line", "source_path")
                          and not str(c).startswith(FIELD_LINE_PREFIX)]
        mapping = field_mapping(source_columns, field_map)
        path = display or str(frame["source_path"].iat[0])
        if "text" not in mapping:
            raise InputError(f"no text column (columns found: {', '.join(map(str, source_columns))}); map one "
                             "with [tool.qc.fields] text = \"...\"", path=path, field="text")
        if display:
            log.mappings.setdefault(display, {k: v for k, v in mapping.items()})
        elif "text-folders" not in log.mappings:
            log.mappings["text-folders"] = {"doc_id": "<relative path>", "text": "<file content>"}
        if "doc_id" not in mapping:
            # No id column: a stable id from file and line keeps every record addressable.
            frame = frame.assign(doc_id=[f"{Path(path).name}:{n}" for n in frame["source_line"].tolist()])
            mapping["doc_id"] = "doc_id"
        found: list[Problem] = []
        canonical = canonicalise(frame, mapping, display or "", default_tz=default_tz, dayfirst=dayfirst,
                                 dayfirst_sites=dayfirst_sites, dates=dates, problems=found)
        if not display:
            canonical["source_path"] = frame["source_path"].to_numpy()
        log.records += len(canonical)
        yield RawBatch(canonical, [*_on_records(problems, canonical, mapping), *found])


def _on_records(problems: list[Problem], canonical: pd.DataFrame, mapping: dict[str, str]) -> list[Problem]:
    """The reader's problems named as the findings are: the canonical field (``text``, not ``content``)
    and, for a record that was read (invalid UTF-8, a lone surrogate), its doc_id."""
    if not problems:
        return problems
    canonical_of = {src: dst for dst, src in mapping.items()}
    records = pd.MultiIndex.from_arrays([canonical["source_path"].astype(str).to_numpy(),
                                         canonical["source_line"].to_numpy(dtype=np.int64)])
    if not records.is_unique:  # never for one file's batch or a folder's posts; no guess if it happens
        return problems
    rows = records.get_indexer(pd.MultiIndex.from_arrays([[p.source_path for p in problems],
                                                           [p.source_line for p in problems]]))
    named: list[Problem] = []
    for problem, row in zip(problems, rows.tolist(), strict=True):
        doc_id = problem.doc_id
        if doc_id is None and row >= 0 and isinstance(canonical["doc_id"].iat[row], str):
            doc_id = canonical["doc_id"].iat[row]
        field_name = canonical_of.get(problem.field, problem.field) if problem.field is not None else None
        named.append(replace(problem, doc_id=doc_id, field=field_name))
    return named


def _empty_canonical() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype="object") for name in CANONICAL})
    frame["source_path"] = pd.Series([], dtype="str")
    frame["source_line"] = pd.Series([], dtype="int64")
    frame[DOC_ID_IS_NUMBER] = pd.Series([], dtype="bool")
    frame["posted_ts"] = pd.Series([], dtype="datetime64[us, UTC]")
    frame["captured_ts"] = pd.Series([], dtype="datetime64[us, UTC]")
    empty_chrome_columns(frame)
    return frame


# -- a quick look: --sample and --limit ---------------------------------------------------------------


def _sampled(paths: pd.Series, lines: pd.Series, fraction: float, seed: int) -> np.ndarray:
    """True for the addresses (path, source_line) in the sample: a keyed hash of the address below
    ``fraction`` of the hash range, so the choice never depends on batching, processes or engine."""
    if fraction >= 1:
        return np.ones(len(paths), dtype=bool)
    key = hashlib.blake2b(str(seed).encode(), digest_size=8).hexdigest()  # pandas wants a 16-character key
    address = paths.astype("str").reset_index(drop=True) + "\x00" + lines.astype("int64").astype("str").reset_index(
        drop=True)
    hashes = pd.util.hash_pandas_object(address, index=False, hash_key=key).to_numpy()
    return hashes < np.uint64(int(fraction * 2.0**64))


def sample_batch(raw: RawBatch, fraction: float, seed: int, log: LoadLog) -> RawBatch:
    """The records of ``raw`` in the sample, and the problems of addresses in it; the others are counted
    as skipped on ``log``."""
    frame = raw.frame
    keep = _sampled(frame["source_path"], frame["source_line"], fraction, seed) if len(frame) else \
        np.zeros(0, dtype=bool)
    if len(frame) and not keep.all():
        log.skip("outside the --sample", int((~keep).sum()))
        frame = frame[keep].reset_index(drop=True)
    problems = raw.problems
    if problems:
        marks = _sampled(pd.Series([p.source_path for p in problems]), pd.Series([p.source_line for p in problems]),
                         fraction, seed)
        problems = [p for p, m in zip(problems, marks.tolist(), strict=True) if m]
    return RawBatch(frame, problems)


def limited_units(units: Iterator[Unit], config: Any, log: LoadLog, dates: bool = True) -> Iterator[Unit]:
    """The first ``config.limit`` records (of the sample, when ``config.sample`` is set), read here in corpus
    order and handed on as batches: every engine then checks exactly the same records."""
    left = int(config.limit)
    failed: set[str] = set()
    for unit in units:
        if left <= 0:
            log.notes.append(f"stopped after {config.limit} records (--limit)")
            return
        if unit.source and unit.source in failed:
            continue
        try:
            batches = list(unit_batches(unit, field_map=config.fields, default_tz=config.default_timezone,
                                        dayfirst=config.dayfirst, log=log,
                                        dayfirst_sites=tuple(config.dayfirst_sites), dates=dates,
                                        batch_rows=config.batch_rows, warc_text=config.warc_text))
        except InputError as exc:
            log.errors.append(exc)
            failed.add(unit.source)
            continue
        for raw in batches:
            if config.sample is not None:
                raw = sample_batch(raw, config.sample, config.seed, log)
            if left <= 0:
                log.records -= len(raw.frame)
                continue
            if len(raw.frame) > left:
                last = raw.frame.iloc[left - 1]
                path, line = str(last["source_path"]), int(last["source_line"])
                log.records -= len(raw.frame) - left
                frame = raw.frame.iloc[:left].reset_index(drop=True)
                problems = [p for p in raw.problems if p.source_path != path or p.source_line <= line]
                raw = RawBatch(frame, problems)
            left -= len(raw.frame)
            yield Unit(unit.source, len(raw.frame), batch=raw)


def load_corpus(inputs: Iterable[str | Path], **options: Any) -> pd.DataFrame:
    """Read every input into one canonical frame (convenient for small corpora and notebooks)."""
    frames = [batch.frame for batch in iter_batches(inputs, **options)]
    return pd.concat(frames, ignore_index=True) if frames else _empty_canonical()


def is_dask_frame(value: Any) -> bool:
    """True for a dask DataFrame input (checked without importing dask, an optional extra)."""
    return type(value).__module__.startswith("dask") and hasattr(value, "to_delayed")
