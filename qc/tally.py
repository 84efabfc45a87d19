"""Everything the summary, the gate and the reports count, folded over the findings chunk by chunk.

One pass over a :class:`qc.store.FindingsStore` (chunks that never split a document) fills a
:class:`FindingsTally`: counts per rule, family, severity and site, documents hit, the findings-per-document
histogram, each site's most leaked lines, and the first findings of each rule (what reports show as
examples and embed). Its memory does not grow with the corpus: heads are capped, and the leaked-line counts
keep their heaviest entries once they pass a limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from qc.excerpts import MAX_PER_RULE
from qc.store import document_index
from qc.textnorm import normalise_lines

#: First-of-document findings kept per rule for the examples (reports show three).
EXAMPLES_PER_RULE = 3
#: Findings kept per severity for annotation-style reports (GitHub shows a couple of hundred at most).
HEAD_PER_SEVERITY = 200
#: Distinct (site, line) pairs counted exactly; past this, the lightest half is dropped (heavy hitters stay).
SITE_LINES_LIMIT = 200_000
SEVERITY_ORDER = ("error", "warning", "info")


@dataclass
class FindingsTally:
    """Counts and bounded heads over a run's findings; see the module docstring."""

    #: Rule codes of the corpus-level repeated-lines kind (their matches name leaked lines best).
    repeated_codes: frozenset[str] = frozenset()
    findings: int = 0
    documents_with_findings: int = 0
    rule_findings: Counter[str] = field(default_factory=Counter)
    rule_documents: Counter[str] = field(default_factory=Counter)
    family_findings: Counter[str] = field(default_factory=Counter)
    family_documents: Counter[str] = field(default_factory=Counter)
    severity_findings: Counter[str] = field(default_factory=Counter)
    #: Documents with at least one finding of each severity (a document may count under several).
    severity_documents: Counter[str] = field(default_factory=Counter)
    #: findings in a document -> documents with that many (documents without findings are not counted).
    per_document: Counter[int] = field(default_factory=Counter)
    #: Keyed on the site's case-folded name (``Business`` and ``business`` are one site); see ``site_names``.
    site_findings: Counter[str] = field(default_factory=Counter)
    site_documents: Counter[str] = field(default_factory=Counter)
    #: case-folded site -> the site as first written, for display.
    site_names: dict[str, str] = field(default_factory=dict)
    #: (site key, normal form of the match) -> findings, for repeated-lines rules and the boilerplate family:
    #: "11 References" and "7 References" are one line (:func:`qc.textnorm.normalise_lines`).
    repeated_lines: Counter[tuple[str, str]] = field(default_factory=Counter)
    boilerplate_lines: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (site key, normal form) -> the line as first written, for display.
    line_names: dict[tuple[str, str], str] = field(default_factory=dict)
    _heads: list[pd.DataFrame] = field(default_factory=list, repr=False)
    _firsts: list[pd.DataFrame] = field(default_factory=list, repr=False)
    _others: list[pd.DataFrame] = field(default_factory=list, repr=False)
    _severity_heads: list[pd.DataFrame] = field(default_factory=list, repr=False)
    _kept: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)

    def add(self, chunk: pd.DataFrame) -> None:
        """Fold one chunk of findings that holds every finding of each of its documents."""
        n = len(chunk)
        if n == 0:
            return
        self.findings += n
        doc = document_index(chunk)
        documents = int(doc[-1]) + 1
        self.documents_with_findings += documents
        values, counts = np.unique(np.bincount(doc), return_counts=True)
        self.per_document.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))

        rule_code, rules = pd.factorize(chunk["rule"])
        first_of_document = _first_of_pair(doc, rule_code, len(rules))
        _count(self.rule_findings, rule_code, rules)
        _count(self.rule_documents, rule_code[first_of_document], rules)
        family_code, families = pd.factorize(chunk["family"])
        _count(self.family_findings, family_code, families)
        _count(self.family_documents, family_code[_first_of_pair(doc, family_code, len(families))], families)
        severity_code, severities = pd.factorize(chunk["severity"])
        _count(self.severity_findings, severity_code, severities)
        _count(self.severity_documents, severity_code[_first_of_pair(doc, severity_code, len(severities))],
               severities)

        site_key = chunk["site"].astype("str").str.lower().where(chunk["site"].notna())
        site_code, sites = pd.factorize(site_key)  # a missing site is -1
        has_site = site_code >= 0
        if has_site.any():
            _count(self.site_findings, site_code[has_site], sites)
            first_site = _first_of_pair(doc, site_code, len(sites)) & has_site
            _count(self.site_documents, site_code[first_site], sites)
            first_rows = pd.Series(np.arange(n))[has_site].groupby(site_code[has_site]).first()
            for code, row in zip(first_rows.index.tolist(), first_rows.tolist(), strict=True):
                self.site_names.setdefault(str(sites[code]), str(chunk["site"].iat[row]))
            self._count_lines(chunk[has_site].assign(site=site_key[has_site]))

        self._keep("head", self._heads, chunk, rule_code, rules, np.ones(n, dtype=bool), MAX_PER_RULE)
        self._keep("first", self._firsts, chunk, rule_code, rules, first_of_document, EXAMPLES_PER_RULE)
        self._keep("other", self._others, chunk, rule_code, rules, ~first_of_document, EXAMPLES_PER_RULE)
        self._keep("severity", self._severity_heads, chunk, severity_code, severities, np.ones(n, dtype=bool),
                   HEAD_PER_SEVERITY)

    def _count_lines(self, with_site: pd.DataFrame) -> None:
        repeated = with_site["rule"].isin(list(self.repeated_codes)).to_numpy(dtype=bool)
        boilerplate = (with_site["family"] == "boilerplate").to_numpy(dtype=bool, na_value=False)
        for mask, counter in ((repeated, self.repeated_lines), (boilerplate, self.boilerplate_lines)):
            if not mask.any():
                continue
            picked = with_site[mask]
            shown = picked["match"].astype("str").str.strip()
            norm = normalise_lines(pa.array(shown.to_numpy(dtype=object), type=pa.large_string()))
            keyed = picked.assign(_line=norm.to_numpy(zero_copy_only=False), _shown=shown.to_numpy(dtype=object))
            groups = keyed.groupby(["site", "_line"], observed=True, sort=False)
            sizes = groups.size()
            counter.update(dict(zip(sizes.index.tolist(), sizes.tolist(), strict=True)))
            for key, first in zip(sizes.index.tolist(), groups["_shown"].first().tolist(), strict=True):
                self.line_names.setdefault(key, first)
            if len(counter) > SITE_LINES_LIMIT:
                heaviest = counter.most_common(SITE_LINES_LIMIT // 2)
                counter.clear()
                counter.update(dict(heaviest))
                kept = set(self.repeated_lines) | set(self.boilerplate_lines)
                self.line_names = {k: v for k, v in self.line_names.items() if k in kept}

    def _keep(self, name: str, into: list[pd.DataFrame], chunk: pd.DataFrame, codes: np.ndarray,
              labels: pd.Index, eligible: np.ndarray, cap: int) -> None:
        """Keep the first ``cap`` eligible rows per code (rule or severity), in run order."""
        candidates = np.flatnonzero(eligible)
        if len(candidates) == 0:
            return
        group = codes[candidates]
        rank = pd.Series(group).groupby(group).cumcount().to_numpy()
        already = np.array([self._kept[(name, str(label))] for label in labels.tolist()], dtype=np.int64)
        chosen = candidates[rank + already[group] < cap]
        if len(chosen) == 0:
            return
        into.append(chunk.iloc[chosen])
        taken = np.bincount(codes[chosen], minlength=len(labels))
        for label, count in zip(labels.tolist(), taken.tolist(), strict=True):
            if count:
                self._kept[(name, str(label))] += count

    def heads(self, cap: int = MAX_PER_RULE) -> pd.DataFrame:
        """The first ``cap`` findings of each rule, in run order, indexed by their position in the run."""
        frame = _concat(self._heads)
        return frame.groupby("rule", observed=True, sort=False).head(cap) if not frame.empty else frame

    def examples(self, code: str, per_rule: int = EXAMPLES_PER_RULE) -> pd.DataFrame:
        """The first ``per_rule`` findings of a rule, one per document first, then repeats in run order."""
        firsts = _concat(self._firsts)
        picked = firsts[firsts["rule"] == code].head(per_rule) if not firsts.empty else firsts
        if len(picked) < per_rule:
            others = _concat(self._others)
            if not others.empty:
                picked = pd.concat([picked, others[others["rule"] == code].head(per_rule - len(picked))])
        return picked

    def most_severe(self, limit: int = HEAD_PER_SEVERITY) -> pd.DataFrame:
        """Up to ``limit`` findings, errors first, then warnings, then infos, each in run order."""
        frame = _concat(self._severity_heads)
        if frame.empty:
            return frame
        order = frame["severity"].map({name: i for i, name in enumerate(SEVERITY_ORDER)}).fillna(len(SEVERITY_ORDER))
        return frame.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order").head(limit)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        from qc.schemas import empty_findings

        return empty_findings()
    return pd.concat(parts).sort_index(kind="stable") if len(parts) > 1 else parts[0]


def _first_of_pair(doc: np.ndarray, code: np.ndarray, width: int) -> np.ndarray:
    """True on the first row of each (document, code) pair."""
    pair = doc.astype(np.int64) * (width + 1) + (code.astype(np.int64) + 1)
    _, first = np.unique(pair, return_index=True)
    mask = np.zeros(len(pair), dtype=bool)
    mask[first] = True
    return mask


def _count(counter: Counter[str], codes: np.ndarray, labels: pd.Index) -> None:
    codes = codes[codes >= 0]
    if len(codes) == 0:
        return
    counts = np.bincount(codes, minlength=len(labels))
    counter.update({str(label): int(c) for label, c in zip(labels.tolist(), counts.tolist(), strict=True) if c})


def tally_findings(chunks: Iterable[pd.DataFrame], repeated_codes: Iterable[str] = ()) -> FindingsTally:
    """Fold chunks that never split a document (``FindingsStore.chunks(whole_documents=True)``)."""
    tally = FindingsTally(repeated_codes=frozenset(repeated_codes))
    for chunk in chunks:
        tally.add(chunk)
    return tally
