"""Less noise in a batch's findings: overlapping findings of one family are one finding, and a rule's
findings per document are capped (the last kept one says how many more there were).

"Skip to content" found by BP010 and BP011 is one span of one problem: of the findings of one family on the
same span of one field, the most severe is kept, its message ending "(also BP011)". Only identical spans
merge: a wider or partly overlapping span (a menu run around its items) is another finding, so every
match stays exactly what its rule found (the seed's precise-reporting promises hold).
Findings without a span (document-level checks) are never merged. Vectorised over the batch's findings
frame; only merged groups and capped documents touch Python per group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Findings of one rule kept per document (config ``max-findings-per-document``); 0 keeps every one: the
#: findings frame is the contract (the seed post promises every masked number), so capping is opt-in.
DEFAULT_MAX_PER_DOCUMENT = 0
SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}
#: Families whose rules are several lexicons for one defect: the same span found twice is one finding. Date
#: rules on one mention say different things (later than the post, later than the capture): kept apart.
MERGED_FAMILIES = ("boilerplate", "placeholder")


def consolidate(findings: pd.DataFrame, frame: pd.DataFrame, rows: np.ndarray,
                max_per_document: int = DEFAULT_MAX_PER_DOCUMENT) -> pd.DataFrame:
    """``findings`` (in document order; ``rows[i]`` is finding i's row of the canonical ``frame``) with
    overlapping same-family spans merged and at most ``max_per_document`` findings per rule and document
    (0: no cap). Document order and rule order within a document are kept."""
    if findings.empty:
        return findings
    findings = findings.reset_index(drop=True)
    rows = np.asarray(rows, dtype=np.int64)
    keep = np.ones(len(findings), dtype=bool)
    findings, keep = _merge_overlaps(findings, frame, rows, keep)
    findings = findings[keep]
    rows = rows[keep]
    if max_per_document > 0:
        findings = _cap_per_document(findings.reset_index(drop=True), rows, max_per_document)
    return findings.reset_index(drop=True)


def _merge_overlaps(findings: pd.DataFrame, frame: pd.DataFrame, rows: np.ndarray,
                    keep: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    mergeable = findings["family"].isin(MERGED_FAMILIES).to_numpy(dtype=bool)
    spanned = np.flatnonzero(~(findings["start"].isna() | findings["end"].isna()).to_numpy(dtype=bool) & mergeable)
    if len(spanned) < 2:
        return findings, keep
    # Only findings on the very same span are one finding: a wider span (a menu run around its items) keeps
    # its own finding, so every match stays exactly what its rule found. Clusters are runs of equal
    # (row, family, field, start, end) after one lexsort; numpy throughout, Python only per merged cluster.
    family = pd.factorize(findings["family"].to_numpy(dtype=object)[spanned])[0]
    field_codes = pd.factorize(findings["field"].astype("object").fillna("").to_numpy(dtype=object)[spanned])[0]
    start = findings["start"].to_numpy(dtype=np.int64, na_value=0)[spanned]
    end = findings["end"].to_numpy(dtype=np.int64, na_value=0)[spanned]
    row = rows[spanned]
    order = np.lexsort((spanned, end, start, field_codes, family, row))  # by span, then by position
    keys = np.stack([row, family, field_codes, start, end])[:, order]
    new_cluster = np.ones(len(order), dtype=bool)
    new_cluster[1:] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
    cluster = np.cumsum(new_cluster) - 1
    sizes = np.bincount(cluster)
    in_merged = sizes[cluster] > 1
    if not in_merged.any():
        return findings, keep
    members = spanned[order][in_merged]  # each merged cluster's positions, in position order
    member_cluster = cluster[in_merged]
    severity = findings["severity"].astype("object").map(SEVERITY_RANK).fillna(0).to_numpy(dtype=np.int64)
    # The most severe member is kept (first by position among equals: the spans, so lengths, are equal).
    best = np.lexsort((members, -severity[members], member_cluster))
    first = np.ones(len(best), dtype=bool)
    first[1:] = member_cluster[best][1:] != member_cluster[best][:-1]
    positions = members[best][first]  # one per merged cluster, in cluster order
    keep[members] = False
    keep[positions] = True
    # The kept finding's start, end and line stand; only its match (the span's text) and message ("(also
    # …)") change, written as two column replacements.
    codes = findings["rule"].to_numpy(dtype=object)
    bounds = np.flatnonzero(np.r_[True, member_cluster[1:] != member_cluster[:-1], True])
    member_codes = codes[members].tolist()
    fields = findings["field"].to_numpy(dtype=object)[positions].tolist()
    starts = findings["start"].to_numpy(dtype=np.int64, na_value=0)[positions].tolist()
    ends = findings["end"].to_numpy(dtype=np.int64, na_value=0)[positions].tolist()
    text_rows = rows[positions]
    texts: dict[str, dict[int, object]] = {}
    for name in set(fields):
        if isinstance(name, str) and name in frame.columns:
            wanted = np.flatnonzero(np.array([f == name for f in fields], dtype=bool))
            unique_rows = np.unique(text_rows[wanted])
            values = _column_values(frame[name], unique_rows)
            texts[name] = dict(zip(unique_rows.tolist(), values, strict=True))
    matches = pa.array(findings["match"].array)
    messages = pa.array(findings["message"].array)
    new_matches = matches.take(pa.array(positions)).to_pylist()
    new_messages = messages.take(pa.array(positions)).to_pylist()
    for k, (pos, field) in enumerate(zip(positions.tolist(), fields, strict=True)):
        text = texts[field].get(int(rows[pos])) if isinstance(field, str) and field in texts else None
        if isinstance(text, str):
            new_matches[k] = text[starts[k] : ends[k]]
        kept_code = codes[pos]
        others = list(dict.fromkeys(str(c) for c in member_codes[bounds[k] : bounds[k + 1]] if c != kept_code))
        if others:
            new_messages[k] = f"{new_messages[k]} (also {', '.join(others)})"
    mask = np.zeros(len(findings), dtype=bool)
    mask[positions] = True
    # replace_with_mask fills the masked slots in position order.
    by_position = np.argsort(positions, kind="stable")
    findings = findings.copy()
    findings["match"] = pd.array(pc.replace_with_mask(matches, pa.array(mask), pa.array(
        [new_matches[i] for i in by_position.tolist()], type=matches.type)), dtype=findings["match"].dtype)
    findings["message"] = pd.array(pc.replace_with_mask(messages, pa.array(mask), pa.array(
        [new_messages[i] for i in by_position.tolist()], type=messages.type)), dtype=findings["message"].dtype)
    return findings, keep


def _column_values(column: pd.Series, rows: np.ndarray) -> list[object]:
    """The values of ``rows`` of a frame column, as Python objects made for those rows only."""
    if isinstance(column.dtype, (pd.StringDtype, pd.ArrowDtype)):
        try:
            return pa.array(column.array).take(pa.array(rows)).to_pylist()
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            pass  # a column Arrow cannot take from (mixed objects): the numpy path below reads any column
    return column.to_numpy(dtype=object)[rows].tolist()


def _cap_per_document(findings: pd.DataFrame, rows: np.ndarray, cap: int) -> pd.DataFrame:
    by = [pd.Series(rows), findings["rule"].astype("object")]
    rank = findings.groupby(by).cumcount().to_numpy()
    total = findings.groupby(by)["rule"].transform("size").to_numpy()
    last_kept = np.flatnonzero((rank == cap - 1) & (total > cap))
    if len(last_kept):
        findings = findings.copy()
        more = total[last_kept] - cap
        findings.loc[last_kept, "message"] = [f"{m} (+{n} more in this document)" for m, n in
                                              zip(findings["message"].to_numpy(dtype=object)[last_kept],
                                                  more.tolist(), strict=True)]
    return findings[rank < cap]
