"""Measure rules against labels: document-level precision, recall and F1 per family and per rule.

Labels are JSON Lines, one record per document: ``{"doc_id": ..., "labels": ["boilerplate", ...]}``
(the families a checker should flag; other keys are ignored). Only ``warning`` and ``error`` findings
are a verdict; ``info`` findings show up as evidence for a false negative but never count. Documents
without a label record are left out of the scores, so a labelled sample of a large corpus works;
labelled doc_ids the corpus does not contain are counted and reported, never scored as misses.
Everything is computed from the findings frame; renderers only lay the result out.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from qc.config import Config
from qc.errors import InputError
from qc.load import iter_batches
from qc.registry import RuleSet

VERDICT_SEVERITIES = ("warning", "error")
EVIDENCE_PER_DOC = 3


def load_labels(path: Path) -> dict[str, set[str]]:
    """Read a labels file; a bad line is an :class:`InputError` naming file, line and field."""
    labels: dict[str, set[str]] = {}
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read labels: {exc.strerror or exc}", path=str(path)) from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg})", path=str(path), line=number) from None
            if not isinstance(record, dict):
                raise InputError("a label record must be a JSON object", path=str(path), line=number)
            doc_id = record.get("doc_id")
            if not isinstance(doc_id, str) or not doc_id:
                raise InputError("missing or non-string doc_id", path=str(path), line=number, field="doc_id")
            values = record.get("labels")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise InputError("labels must be a list of family names", path=str(path), line=number,
                                 field="labels")
            if doc_id in labels:
                raise InputError(f"duplicate doc_id {doc_id!r}", path=str(path), line=number, field="doc_id")
            labels[doc_id] = set(values)
    if not labels:
        raise InputError("the labels file has no records", path=str(path))
    return labels


@dataclass
class Score:
    """Document-level counts and the rates derived from them."""

    name: str
    family: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None (not applicable) when nothing was flagged: a rule that never fires is not precise."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None (not applicable) when nothing was labelled."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; 0 when one is 0 or missing while the other exists."""
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        if p is None or r is None:
            return 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form with the rates rounded to four places (null where not applicable)."""
        return {**asdict(self), "precision": _rounded(self.precision), "recall": _rounded(self.recall),
                "f1": _rounded(self.f1)}


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


@dataclass
class Miss:
    """A false positive or false negative with the findings that explain it."""

    doc_id: str
    family: str
    kind: str  # "false_positive" or "false_negative"
    rules: list[str]
    evidence: list[str]


@dataclass
class EvalReport:
    """Scores per family and per rule, plus every miss."""

    documents: int
    families: list[Score]
    rules: list[Score]
    misses: list[Miss] = field(default_factory=list)
    #: Labelled doc_ids absent from the corpus, and corpus documents without a label record.
    not_in_corpus: int = 0
    unlabelled: int = 0

    def family(self, name: str) -> Score:
        """The score of one family."""
        return next(s for s in self.families if s.family == name)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "documents": self.documents,
            "labelled_not_in_corpus": self.not_in_corpus,
            "unlabelled_documents": self.unlabelled,
            "families": [s.as_dict() for s in self.families],
            "rules": [s.as_dict() for s in self.rules],
            "false_positives": [asdict(m) for m in self.misses if m.kind == "false_positive"],
            "false_negatives": [asdict(m) for m in self.misses if m.kind == "false_negative"],
        }


def _evidence(rows: pd.DataFrame) -> list[str]:
    return [f"{r.rule} [{r.severity}] {r.match[:80]!r}" for r in rows.head(EVIDENCE_PER_DOC).itertuples()]


def corpus_doc_ids(paths: list[str], config: Config) -> set[str]:
    """Every doc_id in the corpus (one extra read of the inputs; labelled sets are small)."""
    ids: set[str] = set()
    for raw in iter_batches(paths, field_map=config.fields, batch_rows=config.batch_rows):
        ids.update(v for v in raw.frame["doc_id"].tolist() if isinstance(v, str))
    return ids


def evaluate(findings: pd.DataFrame, labels: dict[str, set[str]], ruleset: RuleSet,
             corpus_ids: set[str] | None = None) -> EvalReport:
    """Score ``findings`` against ``labels`` for every family of ``ruleset``, at document level.

    With ``corpus_ids``, only labelled documents the corpus holds are scored; none at all is an error.
    """
    docs = set(labels) if corpus_ids is None else set(labels) & corpus_ids
    if not docs:
        raise InputError("no labelled doc_id occurs in the corpus (check the labels file and the doc_id field)")
    labelled = findings[findings["doc_id"].isin(docs)]
    verdict = labelled[labelled["severity"].isin(VERDICT_SEVERITIES)]
    families: list[Score] = []
    misses: list[Miss] = []
    for family in ruleset.families():
        truth = {d for d in docs if family in labels[d]}
        in_family = verdict[verdict["family"] == family]
        flagged = set(in_family["doc_id"].tolist())
        families.append(Score(family, family, len(flagged & truth), len(flagged - truth), len(truth - flagged)))
        for doc in sorted(flagged - truth):
            rows = in_family[in_family["doc_id"] == doc]
            misses.append(Miss(doc, family, "false_positive", sorted(set(rows["rule"])), _evidence(rows)))
        weak = labelled[(labelled["family"] == family) & ~labelled["severity"].isin(VERDICT_SEVERITIES)]
        for doc in sorted(truth - flagged):
            rows = weak[weak["doc_id"] == doc]
            misses.append(Miss(doc, family, "false_negative", sorted(set(rows["rule"])),
                               _evidence(rows) or ["no finding of this family"]))
    rules: list[Score] = []
    for rule in ruleset:
        truth = {d for d in docs if rule.family in labels[d]}
        flagged = set(verdict.loc[verdict["rule"] == rule.code, "doc_id"].tolist())
        rules.append(Score(rule.code, rule.family, len(flagged & truth), len(flagged - truth),
                           len(truth - flagged)))
    not_in_corpus = len(set(labels) - docs)
    unlabelled = len(corpus_ids - docs) if corpus_ids is not None else 0
    return EvalReport(len(docs), families, rules, misses, not_in_corpus, unlabelled)
