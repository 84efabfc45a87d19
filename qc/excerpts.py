"""Bounded text excerpts gathered while checking, for reports that show findings in their context.

The engine keeps no document texts. Reports still need a window of text around a few findings per rule
and, for the HTML document view, the full text of a few documents. :class:`ExcerptCollector` is handed
each checked batch with its findings and keeps only what is capped: the first ``per_rule`` spans per rule
with their context, the texts of at most ``max_documents`` documents (each cut at ``max_doc_chars``), and
a sample of (posted, captured) timestamps for the date chart. Memory stays bounded on any corpus size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Most findings per rule any report shows in context (the HTML report's per-rule cap never exceeds it).
MAX_PER_RULE = 300
#: A finding's identity inside a run: (source_path, source_line, rule, start, end).
FindingKey = tuple[str, int, str, int, int]
#: A document's identity inside a run: (source_path, source_line).
DocKey = tuple[str, int]


@dataclass
class DocumentText:
    """One embedded document: its text, maybe cut to pieces, and what identifies it.

    ``pieces`` are (offset in the field, text) in order: the whole text, or for a long document its head
    and the text around each of its spans, so a span deep in a long post is still shown in place.
    """

    doc_id: str | None
    site: str | None
    title: str | None
    url: str | None
    pieces: list[tuple[int, str]]
    truncated: bool

    @property
    def text(self) -> str:
        """The kept text, pieces joined (for a document that was not cut: the text itself)."""
        return "".join(piece for _, piece in self.pieces)


#: Characters kept either side of a span in a document cut to pieces.
PIECE_CONTEXT = 240


def kept_pieces(text: str, spans: list[tuple[int, int]], budget: int, context: int = PIECE_CONTEXT
                ) -> list[tuple[int, str]]:
    """``text`` whole when it fits ``budget`` characters; else its head and the text around ``spans``.

    Windows are merged where they meet and taken in order until the budget is spent.
    """
    if len(text) <= budget:
        return [(0, text)]
    windows = sorted([(0, min(len(text), budget // 4)),
                      *((max(0, s - context), min(len(text), e + context)) for s, e in spans)])
    merged: list[list[int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[tuple[int, str]] = []
    left = budget
    for start, end in merged:
        if left <= 0:
            break
        end = min(end, start + left)
        pieces.append((start, text[start:end]))
        left -= end - start
    return pieces


@dataclass
class Excerpts:
    """What :class:`ExcerptCollector` kept: contexts per finding, some documents, a date sample."""

    window: int = 60
    contexts: dict[FindingKey, tuple[str, str]] = field(default_factory=dict)
    documents: dict[DocKey, DocumentText] = field(default_factory=dict)
    dates: list[tuple[pd.Timestamp, pd.Timestamp, bool]] = field(default_factory=list)

    def context(self, source_path: str, source_line: int, rule: str, start: int, end: int
                ) -> tuple[str, str] | None:
        """(text before, text after) the span of a finding, when it was kept."""
        return self.contexts.get((source_path, source_line, rule, start, end))


class ExcerptCollector:
    """Called once per checked batch (``frame``, its findings); keeps bounded excerpts."""

    def __init__(self, per_rule: int = MAX_PER_RULE, max_documents: int = 200, docs_per_rule: int = 20,
                 max_doc_chars: int = 12_000, window: int = 60, max_date_points: int = 4_000) -> None:
        self.per_rule = per_rule
        self.max_documents = max_documents
        self.docs_per_rule = docs_per_rule
        self.max_doc_chars = max_doc_chars
        self.max_date_points = max_date_points
        self.excerpts = Excerpts(window=window)
        self._spans_seen: Counter[str] = Counter()
        self._docs_seen: Counter[str] = Counter()

    def __call__(self, frame: pd.DataFrame, found: pd.DataFrame) -> None:
        """Keep contexts and documents for the first findings of each rule in this batch."""
        self._dates(frame, found)
        if found.empty or frame.empty:
            return
        spans = found[found["start"].notna() & found["end"].notna()]
        if spans.empty:
            return
        # Only the first `per_rule` spans of each rule are kept: count per rule within the batch. The counts
        # seen so far are looked up per distinct rule, not per finding.
        rank = spans.groupby("rule", observed=True).cumcount()
        codes, rules = pd.factorize(spans["rule"], use_na_sentinel=False)
        seen = np.array([self._spans_seen.get(str(rule), 0) for rule in rules], dtype="int64")
        chosen = spans[(rank.to_numpy() + seen[codes]) < self.per_rule]
        for code, count in spans.groupby("rule", observed=True).size().items():
            self._spans_seen[str(code)] += int(count)
        if chosen.empty:
            return
        rows = {key: i for i, key in enumerate(zip(frame["source_path"].tolist(),
                                                   frame["source_line"].astype("int64").tolist(), strict=True))}
        window = self.excerpts.window
        items = []
        wanted: dict[str, list[int]] = {}
        for item in chosen.itertuples(index=False):
            doc: DocKey = (str(item.source_path), int(item.source_line))
            row = rows.get(doc)
            column = str(item.field) if isinstance(item.field, str) else "text"
            if row is None or column not in frame.columns:
                continue
            items.append((item, doc, row, column))
            wanted.setdefault(column, []).append(row)
        # The cells those findings need, one take per column rather than a frame lookup per finding.
        cells = {column: dict(zip(at, frame[column].iloc[at].tolist(), strict=True)) for column, at in wanted.items()}
        long_spans: dict[DocKey, list[tuple[int, int]]] = {}
        for item, doc, row, column in items:
            value = cells[column][row]
            if not isinstance(value, str):
                continue
            start, end = int(item.start), int(item.end)
            key: FindingKey = (doc[0], doc[1], str(item.rule), start, end)
            self.excerpts.contexts[key] = (value[max(0, start - window):start], value[end:end + window])
            if column == "text" and self._wants_document(doc, str(item.rule)):
                if len(value) > self.max_doc_chars and doc not in long_spans:
                    # A long document is cut to pieces around its spans: every rule's, not only this one's.
                    of_doc = spans[(spans["source_path"] == doc[0]) & (spans["source_line"] == doc[1])
                                   & (spans["field"].fillna("text") == "text")]
                    long_spans[doc] = list(zip(of_doc["start"].astype("int64").tolist(),
                                               of_doc["end"].astype("int64").tolist(), strict=True))
                self._keep_document(doc, str(item.rule), frame, row, value, long_spans.get(doc, []))

    def _wants_document(self, doc: DocKey, rule: str) -> bool:
        """Whether a finding of ``rule`` in ``doc`` would keep the document's text (checked before its
        spans are gathered: most findings come after the documents are full)."""
        documents = self.excerpts.documents
        return doc not in documents and len(documents) < self.max_documents \
            and self._docs_seen[rule] < self.docs_per_rule

    def _keep_document(self, doc: DocKey, rule: str, frame: pd.DataFrame, row: int, text: str,
                       spans: list[tuple[int, int]]) -> None:
        if not self._wants_document(doc, rule):
            return
        self._docs_seen[rule] += 1

        def cell(name: str) -> str | None:
            value: Any = frame[name].iat[row] if name in frame.columns else None
            return value if isinstance(value, str) else None

        self.excerpts.documents[doc] = DocumentText(
            doc_id=cell("doc_id"), site=cell("site"), title=cell("title"), url=cell("url"),
            pieces=kept_pieces(text, spans, self.max_doc_chars), truncated=len(text) > self.max_doc_chars,
        )

    def _dates(self, frame: pd.DataFrame, found: pd.DataFrame) -> None:
        room = self.max_date_points - len(self.excerpts.dates)
        if room <= 0 or "posted_ts" not in frame.columns or "captured_ts" not in frame.columns:
            return
        # Only the four columns the sample needs are filtered and reordered (never the texts).
        columns = frame[["source_path", "source_line", "posted_ts", "captured_ts"]]
        dated = columns[columns["posted_ts"].notna() & columns["captured_ts"].notna()]
        if dated.empty:
            return
        flagged: set[DocKey] = set()
        if not found.empty:
            dates = found[found["family"] == "date"]
            flagged = set(zip(dates["source_path"].tolist(), dates["source_line"].astype("int64").tolist(),
                              strict=True))
        # Flagged documents first, so date problems show in the chart even when the sample is full.
        keys = list(zip(dated["source_path"].tolist(), dated["source_line"].astype("int64").tolist(), strict=True))
        hit = pd.Series([k in flagged for k in keys], index=dated.index, dtype=bool)
        ordered = pd.concat([dated[hit], dated[~hit]]).head(room)
        for posted, captured, is_hit in zip(ordered["posted_ts"].tolist(), ordered["captured_ts"].tolist(),
                                            hit.loc[ordered.index].tolist(), strict=True):
            self.excerpts.dates.append((pd.Timestamp(posted), pd.Timestamp(captured), bool(is_hit)))
