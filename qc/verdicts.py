"""A verdict per record: what a run found in each record read, and whether it would pass the gate.

Every record read gets exactly one verdict, clean ones included (``worst_severity`` null, empty lists),
and so does a record that failed to parse but has schema findings (a malformed JSON line): the verdict
keeps its location (``source_path``, ``source_line``) so a later cleaning step can find the raw record.

Verdicts are built per batch from the batch's ids (every row the reader produced) and its findings
(schema findings included), with vectorised pandas/numpy/pyarrow operations: no Python per record.
They stream into a :class:`VerdictStore` (bounded memory, spilled to Parquet like the findings) in corpus
order, the order of the findings, so every engine (``--jobs 1``, ``--jobs N``, Dask) yields the same
verdicts.

``passes`` says whether none of the record's findings counts toward the gate at ``fail-on``
(:func:`qc.summary.counts_toward_gate`). It is decided during the run, over all the record's findings:
a ``--baseline`` (applied after the run, on the findings) does not change it, and neither do
``max-doc-rate`` limits (they judge the corpus, not one record).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qc.readers.registry import locators
from qc.rulespec import Severity
from qc.schemas import VERDICT_COLUMNS
from qc.store import SpillStore

#: A list-of-strings column (families, rules) in the verdicts frame.
NAMES_TYPE = pa.list_(pa.large_string())
NAMES_DTYPE = pd.ArrowDtype(NAMES_TYPE)

ARROW_SCHEMA = pa.schema([
    ("doc_id", pa.large_string()), ("source_path", pa.large_string()), ("source_line", pa.int64()),
    ("worst_severity", pa.large_string()), ("families", NAMES_TYPE), ("rules", NAMES_TYPE),
    ("findings", pa.int64()), ("passes", pa.bool_()), ("locator", pa.large_string()),
])
assert ARROW_SCHEMA.names == VERDICT_COLUMNS

_SEVERITY_RANK = {severity.value: severity.rank for severity in Severity}
_RANK_SEVERITY = np.array([None, *sorted(_SEVERITY_RANK, key=_SEVERITY_RANK.__getitem__)], dtype=object)
_FAIL_ON_RANK = {**_SEVERITY_RANK, "never": len(_SEVERITY_RANK) + 1}  # never: no severity reaches it


def _strings(series: pd.Series) -> pd.Series:
    return series.astype("str").where(series.notna(), None).astype("str")


def coerce_verdicts(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a verdicts frame its canonical dtypes and column order."""
    if "locator" not in frame.columns or bool(frame["locator"].isna().all()):  # from the reader of each file
        frame = frame.assign(locator=locators(frame["source_path"]) if len(frame) else [])
    out = frame.loc[:, VERDICT_COLUMNS].copy()
    out["locator"] = out["locator"].astype("str")
    for name in ("doc_id", "source_path", "worst_severity"):
        out[name] = _strings(out[name])
    out["source_line"] = pd.array(out["source_line"], dtype="Int64")
    for name in ("families", "rules"):
        if out[name].dtype != NAMES_DTYPE:
            out[name] = pd.Series(pa.array(out[name].tolist(), type=NAMES_TYPE), dtype=NAMES_DTYPE,
                                  index=out.index)
    out["findings"] = out["findings"].astype("int64")
    out["passes"] = out["passes"].astype("bool")
    return out


def empty_verdicts() -> pd.DataFrame:
    """A verdicts frame with no rows."""
    return coerce_verdicts(pd.DataFrame({name: pd.Series([], dtype=object) for name in VERDICT_COLUMNS}))


class VerdictStore(SpillStore):
    """One verdict per record, appended batch by batch in corpus order; spilled to Parquet past ``memory_rows``."""

    arrow_schema = ARROW_SCHEMA
    spill_prefix = "corpus-qc-verdicts-"

    @classmethod
    def coerce(cls, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Give columns read back from Parquet the verdicts frame's dtypes."""
        full = frame.reindex(columns=VERDICT_COLUMNS)
        if full["families"].isna().all() and "families" not in columns:
            full["families"] = [[]] * len(full)
        if full["rules"].isna().all() and "rules" not in columns:
            full["rules"] = [[]] * len(full)
        full["findings"] = full["findings"].fillna(0)
        full["passes"] = full["passes"].fillna(True)
        return coerce_verdicts(full).loc[:, columns]

    @classmethod
    def empty_frame(cls) -> pd.DataFrame:
        """An empty verdicts frame."""
        return empty_verdicts()


def _names(doc: np.ndarray, names: pd.Series, documents: int) -> pd.Series:
    """Per document, the distinct ``names`` of its findings in their first-seen order, as a list column.

    ``doc`` (non-decreasing: a document's findings are contiguous) says which document each finding is of.
    """
    codes, labels = pd.factorize(names.to_numpy(dtype=object), use_na_sentinel=False)
    pair = doc.astype(np.int64) * (len(labels) + 1) + codes
    first = np.sort(np.unique(pair, return_index=True)[1])  # first of each (document, name), in order
    offsets = np.zeros(documents + 1, dtype=np.int32)
    np.cumsum(np.bincount(doc[first], minlength=documents), out=offsets[1:])
    values = pa.array(np.asarray(labels, dtype=object), type=pa.large_string()).take(pa.array(codes[first]))
    lists = pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values, type=NAMES_TYPE)
    return pd.Series(lists, dtype=NAMES_DTYPE)


def _one_file_rows(ids: pd.DataFrame, findings: pd.DataFrame) -> np.ndarray | None:
    """The row of ``ids`` (doc_id as strings) each finding is of, when the batch is the common case: one
    file, lines rising, every finding on a row read with that row's doc_id. None otherwise (the general
    grouping handles it).

    In that case the general path's records are exactly the rows of ``ids`` in their order, so both agree.
    """
    paths = ids["source_path"]
    if not len(ids) or paths.isna().any() or ids["source_line"].isna().any() or ids["doc_id"].isna().any():
        return None
    path = paths.iat[0]
    lines = ids["source_line"].to_numpy(dtype=np.int64)
    if not (paths == path).all() or (len(lines) > 1 and not bool((np.diff(lines) > 0).all())):
        return None
    if not len(findings):
        return np.zeros(0, dtype=np.int64)
    if findings["source_path"].isna().any() or findings["source_line"].isna().any():
        return None
    if not bool((findings["source_path"] == path).all()):
        return None
    found_lines = findings["source_line"].to_numpy(dtype=np.int64)
    at = np.minimum(np.searchsorted(lines, found_lines), len(lines) - 1)
    if not bool((lines[at] == found_lines).all()):
        return None
    same = pc.equal(pa.array(ids["doc_id"].array).take(pa.array(at)), pa.array(_strings(findings["doc_id"]).array))
    if same.null_count or not pc.all(same).as_py():
        return None
    return at


def batch_verdicts(ids: pd.DataFrame, findings: pd.DataFrame, fail_on: str) -> pd.DataFrame:
    """The verdicts of one batch: one per row of ``ids`` and one per record only its findings name.

    ``ids`` has doc_id, source_path and source_line of every row read; ``findings`` is the batch's merged
    findings frame (schema findings first, in :func:`qc.engine.sort_findings` order). The verdicts come in
    the same (source_path, source_line) order as the findings.
    """
    keys = ["source_path", "source_line", "doc_id"]
    read = pd.DataFrame({"doc_id": _strings(ids["doc_id"]), "source_path": _strings(ids["source_path"]),
                         "source_line": pd.array(ids["source_line"], dtype="Int64")})
    at = _one_file_rows(read, findings)
    if at is not None:  # the common case: the records are the rows read, in order (no grouping needed)
        verdicts = read.loc[:, keys].reset_index(drop=True)
        documents = len(verdicts)
        doc = at
    else:
        found = findings.loc[:, keys].reset_index(drop=True)
        # A record is its location and id (two records of one JSON array can share a line); records that
        # failed to parse exist only in their findings.
        every = pd.concat([read.loc[:, keys], found], ignore_index=True)
        record = every.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        first = np.unique(record, return_index=True)[1]  # group numbers follow first appearance
        verdicts = every.iloc[first].reset_index(drop=True)
        order = verdicts.sort_values(["source_path", "source_line"], kind="stable", na_position="first").index
        position = np.empty(len(order), dtype=np.int64)
        position[order.to_numpy()] = np.arange(len(order))
        verdicts = verdicts.iloc[order].reset_index(drop=True)
        documents = len(verdicts)
        doc = position[record[len(read):]]

    by_doc = np.argsort(doc, kind="stable")  # findings are already in this order; kept safe if not
    doc = doc[by_doc]
    severity_codes, severities = pd.factorize(findings["severity"].to_numpy(dtype=object))  # missing: -1
    label_rank = np.array([_SEVERITY_RANK.get(name, 0) for name in severities.tolist()] + [0], dtype=np.int64)
    rank = label_rank[severity_codes][by_doc]
    worst = np.zeros(documents, dtype=np.int64)
    np.maximum.at(worst, doc, rank)
    counted = rank >= _FAIL_ON_RANK[fail_on]
    verdicts["worst_severity"] = pd.Series(_RANK_SEVERITY[worst], dtype="str").where(worst > 0, None)
    verdicts["families"] = _names(doc, findings["family"].iloc[by_doc], documents)
    verdicts["rules"] = _names(doc, findings["rule"].iloc[by_doc], documents)
    verdicts["findings"] = np.bincount(doc, minlength=documents).astype(np.int64)
    verdicts["passes"] = np.bincount(doc, weights=counted, minlength=documents) == 0
    return coerce_verdicts(verdicts)


def verdict_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A verdicts frame as JSON-ready dicts (nulls as None, lists as lists)."""
    table = pa.Table.from_pandas(frame, schema=ARROW_SCHEMA, preserve_index=False)
    return table.to_pylist()

