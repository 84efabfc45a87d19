"""pandera schemas for the frames corpus-qc passes around: posts in, findings and verdicts out.

``PostsSchema`` is validated lazily on every batch; its failure cases (pandera's long frame) become
``schema``-family findings with file and line, so a bad record never stops the run or hides the others.
``FindingsSchema`` is the contract every report reads; ``VerdictsSchema`` that of the per-record verdicts.
All three use pandera's object API, so a local run never imports ``pandera.typing`` (and with it dask),
and all three are built on first use (module ``__getattr__``): a run whose batches pass the vectorised
checks (:func:`_all_rows_valid`, :func:`_findings_conform`) never imports pandera at all, about 0.2 s of a
one-document ``qc check``. pandera decides whenever a shortcut is not sure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa_arrow

from qc.load import DOC_ID_IS_NUMBER, Problem, json_type_name
from qc.readers.base import LOCATOR_KINDS
from qc.readers.registry import locators

if TYPE_CHECKING:
    import pandera.pandas as pa

SEVERITIES = ("info", "warning", "error")
FINDINGS_COLUMNS = [
    "doc_id", "rule", "family", "severity", "field", "start", "end", "match", "message",
    "source_path", "source_line", "site", "line", "locator",
]

VERDICT_COLUMNS = ["doc_id", "source_path", "source_line", "worst_severity", "families", "rules", "findings", "passes",
                   "locator"]


def _is_string(series: pd.Series) -> pd.Series:
    return series.map(lambda v: isinstance(v, str)).astype(bool)


def _is_not_blank(series: pd.Series) -> pd.Series:
    return series.map(lambda v: not isinstance(v, str) or bool(v.strip())).astype(bool)


#: The canonical posts frame: one row per captured post. Check names are what :data:`_CHECK_TO_CODE` maps
#: pandera's failure cases by. pandera's object API (not a ``DataFrameModel``): the model classes import
#: ``pandera.typing``, which imports dask.dataframe (about 1.3 s) whenever dask is installed.
@functools.cache
def posts_schema() -> pa.DataFrameSchema:
    """:data:`PostsSchema`, built on first use."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            # No ``error=``: pandera would report the message instead of the check's name in failure cases.
            "doc_id": pa.Column(checks=pa.Check(_is_string, name="doc_id_is_string"), nullable=False),
            "text": pa.Column(checks=[pa.Check(_is_string, name="text_is_string"),
                                      pa.Check(_is_not_blank, name="text_not_blank")], nullable=False),
            "source_path": pa.Column(str),
            "source_line": pa.Column(int, pa.Check.ge(0)),
        },
        strict=False, coerce=False, name="PostsSchema",
    )


#: The findings frame: one row per finding, in a fixed column order. ``line`` is where the finding is: the
#: line of its start offset in a field that spans lines (CSV, text posts), else the record's line;
#: ``source_line`` stays the record's first line (the document's address).
@functools.cache
def findings_schema() -> pa.DataFrameSchema:
    """:data:`FindingsSchema`, built on first use."""
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {
            "doc_id": pa.Column(str, nullable=True),
            "rule": pa.Column(str),
            "family": pa.Column(str),
            "severity": pa.Column(str, pa.Check.isin(list(SEVERITIES))),
            "field": pa.Column(str, nullable=True),
            "start": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), nullable=True),
            "end": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), nullable=True),
            "match": pa.Column(str),
            "message": pa.Column(str),
            "source_path": pa.Column(str),
            "source_line": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), nullable=True),
            "site": pa.Column(str, nullable=True),
            "line": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), nullable=True),
            # What source_line is: a line (JSON Lines, CSV), a row (Parquet), a byte offset (WARC: doc_id is
            # the WARC-Record-ID, and line is null), or a file (a text post).
            "locator": pa.Column(str, pa.Check.isin(list(LOCATOR_KINDS))),
        },
        strict=True, ordered=True, coerce=True, name="FindingsSchema",
    )
    assert list(schema.columns) == FINDINGS_COLUMNS
    return schema


def _names_lists(series: pd.Series) -> bool:
    # One vectorised test of the whole Arrow list column: no Python per record.
    return bool(series.dtype == pd.ArrowDtype(pa_arrow.list_(pa_arrow.large_string()))
                and series.isna().sum() == 0)


#: The verdicts frame (:mod:`qc.verdicts`): one row per record read, in corpus order.
@functools.cache
def verdicts_schema() -> pa.DataFrameSchema:
    """:data:`VerdictsSchema`, built on first use."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "doc_id": pa.Column(str, nullable=True),
            "source_path": pa.Column(str),
            "source_line": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), nullable=True),
            "worst_severity": pa.Column(str, pa.Check.isin(list(SEVERITIES)), nullable=True),
            "families": pa.Column(checks=pa.Check(_names_lists, name="list_of_strings")),
            "rules": pa.Column(checks=pa.Check(_names_lists, name="list_of_strings")),
            "findings": pa.Column("int64", pa.Check.ge(0)),
            "passes": pa.Column(bool),
            "locator": pa.Column(str, pa.Check.isin(list(LOCATOR_KINDS))),  # what source_line is, as for findings
        },
        checks=[
            # A clean record has no worst severity, no rules and no findings, and the other way round.
            pa.Check(lambda frame: frame["worst_severity"].isna() == (frame["findings"] == 0),
                     name="worst_severity_iff_findings"),
            pa.Check(lambda frame: frame["rules"].list.len() <= frame["findings"], name="rules_at_most_findings"),
        ],
        strict=True, ordered=True, name="VerdictsSchema",
    )


_SCHEMAS = {"PostsSchema": posts_schema, "FindingsSchema": findings_schema, "VerdictsSchema": verdicts_schema}


def __getattr__(name: str) -> Any:
    # ``qc.schemas.FindingsSchema`` and friends, as before, but pandera is imported only when one is used.
    if name in _SCHEMAS:
        return _SCHEMAS[name]()
    raise AttributeError(f"module 'qc.schemas' has no attribute {name!r}")


def validate_verdicts(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate (and return) a verdicts frame against :data:`VerdictsSchema`."""
    return verdicts_schema().validate(frame)


@dataclass(frozen=True)
class SchemaCheck:
    """A built-in input check reported in the ``schema`` family."""

    code: str
    name: str
    severity: str
    summary: str


SCHEMA_CHECKS: dict[str, SchemaCheck] = {
    c.code: c
    for c in (
        SchemaCheck("SC001", "malformed-json-line", "error", "A line of a JSON Lines file is not valid JSON."),
        SchemaCheck("SC002", "record-not-object", "error", "A JSON Lines record is not a JSON object."),
        SchemaCheck("SC003", "invalid-utf8", "warning", "Bytes that are not UTF-8, decoded with U+FFFD."),
        SchemaCheck("SC004", "missing-doc-id", "error", "A record has no doc_id."),
        SchemaCheck("SC005", "empty-text", "error", "A record's text is empty or only whitespace."),
        SchemaCheck("SC006", "text-not-string", "error", "A record's text is not a string."),
        SchemaCheck("SC007", "duplicate-doc-id", "error", "Two records share a doc_id."),
        SchemaCheck("SC008", "doc-id-not-string", "error",
                    "A record's doc_id is not a string or a number (a list, an object, a boolean)."),
        SchemaCheck("SC009", "field-not-text", "error",
                    "A text field (url, site, title, author, posted_at, captured_at, lang) holds a list, an "
                    "object or a boolean; the field is not checked, the rest of the record is."),
        SchemaCheck("SC010", "lone-surrogate", "warning",
                    "A JSON string escapes half a UTF-16 surrogate pair (\\ud800); replaced with U+FFFD."),
        SchemaCheck("SC011", "csv-row-field-count", "error",
                    "A CSV/TSV row has more or fewer fields than the header; the row is not checked."),
        SchemaCheck("SC012", "web-archive-record-damaged", "error",
                    "A WARC/WET/ARC record is truncated or malformed (or its gzip member does not decompress); "
                    "it is not checked, the records after it are."),
    )
}

_CHECK_TO_CODE = {
    ("doc_id", "not_nullable"): "SC004",
    ("doc_id", "doc_id_is_string"): "SC008",
    ("text", "not_nullable"): "SC006",
    ("text", "text_is_string"): "SC006",
    ("text", "text_not_blank"): "SC005",
}


class SeenIds:
    """The doc_id hashes seen so far: 8 bytes per document, in a few sorted numpy arrays.

    Exact duplicate detection needs every id seen; a hash each (not the strings, not a Python set at ~60
    bytes an entry) keeps that small. Arrays merge like a binary counter, so there are O(log n) of them.
    """

    def __init__(self) -> None:
        self._levels: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(level) for level in self._levels)

    def mark(self, hashes: np.ndarray) -> np.ndarray:
        """True for each hash seen before (earlier in ``hashes`` or in an earlier call); remember them all."""
        seen = pd.Series(hashes).duplicated().to_numpy().copy()  # pandas hands out a read-only view
        for level in self._levels:
            at = np.minimum(np.searchsorted(level, hashes), len(level) - 1)
            seen |= level[at] == hashes
        fresh = np.unique(hashes[~seen])
        if len(fresh):
            self._levels.append(fresh)
            while len(self._levels) > 1 and len(self._levels[-2]) <= 2 * len(self._levels[-1]):
                newer, older = self._levels.pop(), self._levels.pop()
                self._levels.append(np.union1d(older, newer))
        return seen


def _number_hashes(hashes: np.ndarray) -> np.ndarray:
    """Hashes for doc_ids that were JSON numbers: a different (bijective) mapping of the digits' hashes, so
    ``1`` and ``"1"`` are different ids, as they are different JSON values."""
    with np.errstate(over="ignore"):
        return hashes * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019)


def duplicate_problems(frame: pd.DataFrame, seen_ids: SeenIds) -> list[Problem]:
    """Records whose doc_id was seen before, in this batch or an earlier one (the first one wins).

    The key is the id with its JSON type: a number ``1`` and a string ``"1"`` are not duplicates.
    """
    ids = frame["doc_id"]
    usable = ids.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not usable.any():
        return []
    hashes = pd.util.hash_pandas_object(ids[usable].astype("str"), index=False).to_numpy()
    if DOC_ID_IS_NUMBER in frame.columns:
        numbers = frame[DOC_ID_IS_NUMBER].to_numpy(dtype=bool)[usable]
        if numbers.any():
            hashes = np.where(numbers, _number_hashes(hashes), hashes)
    repeated = np.flatnonzero(usable)[seen_ids.mark(hashes)]
    problems: list[Problem] = []
    number_flags = frame[DOC_ID_IS_NUMBER].to_numpy(dtype=bool) if DOC_ID_IS_NUMBER in frame.columns else None
    for row in repeated.tolist():
        doc_id = ids.iat[row]
        shown = doc_id if number_flags is not None and number_flags[row] else repr(doc_id)
        problems.append(Problem("SC007", str(frame["source_path"].iat[row]), int(frame["source_line"].iat[row]),
                                f"duplicate doc_id {shown}", field="doc_id", doc_id=doc_id, match=doc_id))
    return problems


def _all_strings(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.StringDtype):
        return not bool(series.isna().any())
    return pd.api.types.infer_dtype(series, skipna=False) == "string"


def _all_rows_valid(frame: pd.DataFrame) -> bool:
    """True when no row can fail PostsSchema: string doc_ids and texts, none blank.

    Vectorised (no per-row Python); when it is not sure it says False and pandera decides, so the
    problems reported never depend on this shortcut. Blank means Python's ``not text.strip()``: empty,
    or only characters Unicode calls whitespace, which is what Arrow's ``utf8_is_space`` tests.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not {"doc_id", "text", "source_path", "source_line"} <= set(frame.columns):
        return False
    text = frame["text"]
    if not (_all_strings(frame["doc_id"]) and _all_strings(text)):
        return False
    if not pd.api.types.is_integer_dtype(frame["source_line"]) or not _all_strings(frame["source_path"]):
        return False
    if bool((frame["source_line"] < 0).any()):
        return False
    array = pa.array(text, type=pa.large_string()) if not isinstance(text.dtype, pd.StringDtype) else \
        pa.array(text.array)
    blank = pc.or_(pc.equal(pc.utf8_length(array), 0), pc.utf8_is_space(array))
    return not bool(pc.any(blank).as_py())


def validate_posts(frame: pd.DataFrame, seen_ids: SeenIds | None = None) -> tuple[list[Problem], pd.Series]:
    """Lazily validate a canonical batch; return problems and a mask of rows the rules can check.

    ``seen_ids`` carries doc_id hashes between batches so duplicates across files are found too.
    """
    checkable = pd.Series(True, index=frame.index)
    if frame.empty:
        return [], checkable
    problems: list[Problem] = duplicate_problems(frame, seen_ids if seen_ids is not None else SeenIds())
    if _all_rows_valid(frame):  # the common case, proven with column kernels: pandera has nothing to say
        return problems, checkable
    import pandera.errors

    try:
        posts_schema().validate(frame, lazy=True)
        return problems, checkable
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    seen: set[tuple[int, str]] = set()
    for case in cases.itertuples(index=False):
        column = str(case.column)
        check = str(case.check)
        code = _CHECK_TO_CODE.get((column, check))
        if code is None or case.index is None or pd.isna(case.index):
            continue
        row = int(case.index)
        if (row, code) in seen:
            continue
        seen.add((row, code))
        doc_id = frame["doc_id"].iat[row]
        if code in ("SC004", "SC005", "SC006", "SC008"):
            checkable.iat[row] = False
        problems.append(
            Problem(
                code=code,
                source_path=str(frame["source_path"].iat[row]),
                source_line=int(frame["source_line"].iat[row]),
                message=_message(code, doc_id, frame[column].iat[row]),
                field=column,
                doc_id=doc_id if isinstance(doc_id, str) else None,
                match=str(doc_id) if code == "SC007" else "",
            )
        )
    return problems, checkable


def _message(code: str, doc_id: Any, value: Any) -> str:
    if code == "SC007":
        return f"duplicate doc_id {doc_id!r}"
    if code == "SC006":
        kind = json_type_name(value)
        return "text is missing" if kind == "null" else f"text is a JSON {kind}, not a string"
    if code == "SC008":
        return f"doc_id is a JSON {json_type_name(doc_id)}, not a string or a number"
    return SCHEMA_CHECKS[code].summary


def problems_to_findings(problems: list[Problem]) -> pd.DataFrame:
    """Schema-family findings for record-level input problems."""
    if not problems:
        return empty_findings()
    rows = [
        {
            "doc_id": p.doc_id,
            "rule": p.code,
            "family": "schema",
            "severity": SCHEMA_CHECKS[p.code].severity,
            "field": p.field,
            "start": None,
            "end": None,
            "match": p.match,
            "message": p.message,
            "source_path": p.source_path,
            "source_line": p.source_line,
            "site": None,
            "line": p.line if p.line is not None else p.source_line,
        }
        for p in problems
    ]
    return coerce_findings(pd.DataFrame(rows, columns=FINDINGS_COLUMNS))


def empty_findings() -> pd.DataFrame:
    """A findings frame with no rows and the schema's dtypes."""
    return coerce_findings(pd.DataFrame({c: [] for c in FINDINGS_COLUMNS}))


def coerce_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a findings frame its canonical dtypes and column order."""
    if "line" not in frame.columns:  # a frame made before findings had a line: the record's line
        frame = frame.assign(line=frame["source_line"])
    if "locator" not in frame.columns or bool(frame["locator"].isna().all()):  # from the reader of each file
        frame = frame.assign(locator=locators(frame["source_path"]) if len(frame) else [])
    out = frame.loc[:, FINDINGS_COLUMNS].copy()
    for name in ("doc_id", "rule", "family", "severity", "field", "match", "message", "source_path", "site"):
        out[name] = out[name].astype("str").where(out[name].notna(), None).astype("str")
    for name in ("start", "end", "source_line", "line"):
        out[name] = pd.array(out[name], dtype="Int64")
    out["locator"] = out["locator"].astype("str")
    return _no_line_at_offsets(out)


def _no_line_at_offsets(frame: pd.DataFrame) -> pd.DataFrame:
    """A record located by byte offset (WARC) has no line in the file: its findings' ``line`` is null."""
    offsets = (frame["locator"] == "offset").to_numpy(dtype=bool)
    if offsets.any() and bool(frame["line"][offsets].notna().any()):
        frame = frame.copy()
        frame.loc[offsets, "line"] = pd.NA
    return frame


_STR = pd.Series([], dtype="str").dtype
_FINDING_STRINGS = ("doc_id", "rule", "family", "severity", "field", "match", "message", "source_path", "site",
                    "locator")
_FINDING_REQUIRED = ("rule", "family", "severity", "match", "message", "source_path", "locator")
_FINDING_INTS = ("start", "end", "source_line", "line")


def _findings_conform(frame: pd.DataFrame) -> bool:
    """True when ``frame`` is already what :data:`FindingsSchema` would return: its columns in order, with
    the dtypes :func:`coerce_findings` gives, required strings present, known severities, no negative
    offsets or lines. A few column kernels per batch; False (pandera decides) whenever it is not sure."""
    if list(frame.columns) != FINDINGS_COLUMNS:
        return False
    for name in _FINDING_STRINGS:
        if frame[name].dtype != _STR:  # exactly pandas' default "str" (what coerce_findings gives)
            return False
    for name in _FINDING_INTS:
        if not isinstance(frame[name].dtype, pd.Int64Dtype):
            return False
        if bool((frame[name] < 0).any()):
            return False
    if any(bool(frame[name].isna().any()) for name in _FINDING_REQUIRED):
        return False
    return bool(frame["severity"].isin(SEVERITIES).all()) and bool(frame["locator"].isin(LOCATOR_KINDS).all())


def validate_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate (and return) a findings frame against :data:`FindingsSchema`.

    A batch the vectorised :func:`_findings_conform` accepts is returned as it is (what pandera's coercion
    would return); any other goes through pandera, which coerces it or raises its ``SchemaError``.
    """
    frame = _no_line_at_offsets(frame) if "locator" in frame.columns else frame
    if _findings_conform(frame):
        return frame
    return findings_schema().validate(frame)
