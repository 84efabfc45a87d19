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
    part = pd.DataFrame({
        "pos": spanned, "row": rows[spanned],
        "family": findings["family"].to_numpy(dtype=object)[spanned],
        "field": findings["field"].astype("object").fillna("").to_numpy(dtype=object)[spanned],
        "start": findings["start"].to_numpy(dtype=np.int64, na_value=0)[spanned],
        "end": findings["end"].to_numpy(dtype=np.int64, na_value=0)[spanned],
    })
    # Only findings on the very same span are one finding: a wider span (a menu run around its items) keeps
    # its own finding, so every match stays exactly what its rule found.
    part["cluster"] = part.groupby(["row", "family", "field", "start", "end"], sort=False).ngroup()
    sizes = part.groupby("cluster")["pos"].transform("size")
    merged = part[sizes.to_numpy() > 1]
    if merged.empty:
        return findings, keep
    findings = findings.copy()
    severity = findings["severity"].astype("object").map(SEVERITY_RANK).fillna(0).to_numpy()
    merged = merged.assign(rank=severity[merged["pos"].to_numpy()], length=merged["end"] - merged["start"])
    ordered = merged.sort_values(["cluster", "rank", "length", "pos"], ascending=[True, False, False, True])
    chosen = ordered.groupby("cluster").head(1)
    keep[merged["pos"].to_numpy()] = False
    keep[chosen["pos"].to_numpy()] = True
    # Clusters are findings on the very same span, so the kept finding's start, end and line stand; only
    # its match (the span's text) and message ("(also …)") change. Column arrays, not per-cell ``.at``.
    codes = findings["rule"].to_numpy(dtype=object)
    members = merged.sort_values("pos").groupby("cluster")["pos"].agg(list)
    positions = chosen["pos"].to_numpy(dtype=np.int64)
    clusters = chosen["cluster"].tolist()
    starts = findings["start"].to_numpy(dtype=np.int64, na_value=0)[positions].tolist()
    ends = findings["end"].to_numpy(dtype=np.int64, na_value=0)[positions].tolist()
    fields = findings["field"].to_numpy(dtype=object)[positions].tolist()
    matches = findings["match"].to_numpy(dtype=object).copy()
    messages = findings["message"].to_numpy(dtype=object).copy()
    texts = {name: frame[name].to_numpy(dtype=object) for name in set(fields)
             if isinstance(name, str) and name in frame.columns}
    for pos, cluster, start, end, field in zip(positions.tolist(), clusters, starts, ends, fields, strict=True):
        column = texts.get(field) if isinstance(field, str) else None
        text = column[rows[pos]] if column is not None else None
        if isinstance(text, str):
            matches[pos] = text[start:end]
        others = list(dict.fromkeys(str(codes[p]) for p in members[cluster] if codes[p] != codes[pos]))
        if others:
            messages[pos] = f"{messages[pos]} (also {', '.join(others)})"
    findings["match"] = pd.array(matches, dtype=findings["match"].dtype)
    findings["message"] = pd.array(messages, dtype=findings["message"].dtype)
    return findings, keep


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
