"""The report model: every aggregate a report shows, computed once from the findings tally and summary.

Renderers (terminal, HTML, GitHub, …) lay this model out; none of them groups or counts findings itself.
:func:`report_model` caches the model on the result, so writing several reports costs one computation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from qc import __version__
from qc.excerpts import MAX_PER_RULE
from qc.rulespec import Severity

if TYPE_CHECKING:
    from qc.api import CheckResult

HISTOGRAM_BUCKETS: list[tuple[str, int, int]] = [
    ("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4-5", 4, 5), ("6-10", 6, 10), ("11-20", 11, 20),
    ("21-50", 21, 50), ("51+", 51, 1 << 62),
]


def where(path: str, source_line: int | None, line: int | None = None, locator: str = "line") -> str:
    """A finding's location as every text report writes it: ``path:line``, or for a record located by byte
    offset (WARC) ``path@offset`` (seek there and read one record)."""
    if locator == "offset" and source_line is not None:
        return f"{path}@{source_line}"
    shown = line if line is not None else source_line
    return f"{path}:{shown}" if shown is not None else path


@dataclass
class Example:
    """One finding shown with the text around its span."""

    doc_id: str | None
    source_path: str
    source_line: int | None
    rule: str
    severity: str
    match: str
    message: str
    before: str | None
    after: str | None
    site: str | None = None
    line: int | None = None  # where the finding is (``source_line`` is its record's first line)
    #: Whether the kept context starts inside the text (more text before it than was kept).
    before_cut: bool = False
    #: What ``source_line`` is (line, row, offset, file): a WARC record is at a byte offset, not a line.
    locator: str = "line"


@dataclass
class SiteLeaks:
    """A site that contributes many findings, with its most frequently leaked lines."""

    site: str
    documents: int
    findings: int
    lines: list[tuple[str, int]]


@dataclass
class ReportModel:
    """Everything a report needs beyond the findings themselves, computed once from the tally."""

    tool_version: str
    inputs: list[str]
    files: int
    worst_rules: list[dict[str, Any]]
    examples: dict[str, list[Example]]
    sites: list[SiteLeaks]
    leaked_lines_source: str
    histogram: list[tuple[str, int]]
    embedded: pd.DataFrame
    embed_cap: int
    rule_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Set when the run checked part of the corpus (--limit, --sample): every report says so.
    quick_look: str | None = None
    #: Records read but not checked, by reason (WARC records that carry no page text, outside the sample).
    skipped: dict[str, int] = field(default_factory=dict)


def quick_look(config: Any) -> str | None:
    """How a --limit/--sample run chose its records, as every report states it (None: the whole corpus)."""
    parts = []
    if getattr(config, "sample", None) is not None:
        parts.append(f"a {config.sample:g} sample of records (--sample, seed {config.seed})")
    if getattr(config, "limit", None) is not None:
        parts.append(f"the first {config.limit} records (--limit)")
    return "quick look: " + ", then ".join(parts) + "; not the whole corpus" if parts else None


def severity_rank(severity: str) -> int:
    """info=1, warning=2, error=3 (0 for anything else)."""
    try:
        return Severity(severity).rank
    except ValueError:
        return 0


def _rule_info(result: CheckResult) -> dict[str, dict[str, Any]]:
    from qc.ruledocs import ruleset_urls
    from qc.schemas import SCHEMA_CHECKS

    urls = ruleset_urls(result.ruleset, result.config.docs_url)  # each rule's page, where it has one
    info: dict[str, dict[str, Any]] = {}
    for rule in result.ruleset:
        info[rule.code] = {"code": rule.code, "name": rule.name, "family": rule.family, "kind": rule.kind,
                           "severity": rule.severity.value, "summary": rule.summary, "why": rule.why}
    for code, check in SCHEMA_CHECKS.items():
        info[code] = {"code": code, "name": check.name, "family": "schema", "kind": "schema",
                      "severity": check.severity, "summary": check.summary,
                      "why": "The record cannot be checked as it is; fix the input."}
    for code, entry in info.items():
        entry["url"] = urls.get(code)
    return info


def _examples(result: CheckResult, codes: list[str], per_rule: int) -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = {}
    for code in codes:
        picked = result.tally.examples(code, per_rule)
        if not picked.empty:
            out[code] = [_example(result, row) for row in picked.itertuples(index=False)]
    return out


def _example(result: CheckResult, row: Any) -> Example:
    before = after = None
    line = None if pd.isna(row.source_line) else int(row.source_line)
    if result.excerpts is not None and line is not None and not pd.isna(row.start) and not pd.isna(row.end):
        found = result.excerpts.context(str(row.source_path), line, str(row.rule), int(row.start), int(row.end))
        if found is not None:
            before, after = found
    before_cut = before is not None and not pd.isna(row.start) and int(row.start) > len(before)
    return Example(doc_id=None if pd.isna(row.doc_id) else str(row.doc_id), source_path=str(row.source_path),
                   source_line=line, rule=str(row.rule), severity=str(row.severity), match=str(row.match),
                   message=str(row.message), before=before, after=after,
                   site=None if pd.isna(row.site) else str(row.site),
                   line=None if pd.isna(row.line) else int(row.line), before_cut=before_cut,
                   locator=str(getattr(row, "locator", "line") or "line"))


def _top_lines(counts: Counter[tuple[str, str]], names: dict[tuple[str, str], str], site: str,
               limit: int) -> list[tuple[str, int]]:
    """A site's most frequent lines (grouped by normal form, shown as first written), most frequent first."""
    lines = sorted(((names.get((where, line), line), n) for (where, line), n in counts.items()
                    if where == site and line), key=lambda item: (-item[1], item[0]))
    return lines[:limit]


def _sites(result: CheckResult, top: int, lines_per_site: int) -> tuple[list[SiteLeaks], str]:
    tally = result.tally
    if not tally.site_findings:
        return [], "none"
    ranked = sorted(tally.site_findings, key=lambda s: (-tally.site_documents[s], -tally.site_findings[s], s))
    sites: list[SiteLeaks] = []
    for site in ranked[:top]:
        # The corpus-level repeated-lines rule names leaked lines best; a site it did not flag still
        # shows its most frequent boilerplate matches.
        lines = (_top_lines(tally.repeated_lines, tally.line_names, site, lines_per_site)
                 or _top_lines(tally.boilerplate_lines, tally.line_names, site, lines_per_site))
        sites.append(SiteLeaks(tally.site_names.get(site, site), tally.site_documents[site],
                               tally.site_findings[site], lines))
    return sites, "repeated_lines" if tally.repeated_lines else "boilerplate"


def _histogram(result: CheckResult) -> list[tuple[str, int]]:
    per_document = result.tally.per_document
    zero = max(result.summary.documents - result.tally.documents_with_findings, 0)
    out = []
    for label, low, high in HISTOGRAM_BUCKETS:
        count = zero if high == 0 else sum(n for hits, n in per_document.items() if low <= hits <= high)
        out.append((label, count))
    return out


def _embedded(result: CheckResult, cap: int) -> pd.DataFrame:
    embedded = result.tally.heads(cap).copy()
    before: list[str | None] = []
    after: list[str | None] = []
    excerpts = result.excerpts
    for row in embedded.itertuples(index=False):
        context = None
        if excerpts is not None and not pd.isna(row.start) and not pd.isna(row.source_line):
            context = excerpts.context(str(row.source_path), int(row.source_line), str(row.rule),
                                       int(row.start), int(row.end))
        before.append(context[0] if context else None)
        after.append(context[1] if context else None)
    return embedded.assign(before=before, after=after)


def build_model(result: CheckResult, *, worst: int = 5, examples_per_rule: int = 3, top_sites: int = 8,
                lines_per_site: int = 5, embed_cap: int | None = None, embed_budget: int = 6_000) -> ReportModel:
    """Compute the report model (prefer :func:`report_model`, which caches it on the result).

    ``embed_cap`` findings per rule are embedded in the HTML report; by default as many as fit
    ``embed_budget`` rows over the rules that fired, between 50 and :data:`MAX_PER_RULE` per rule.
    """
    info = _rule_info(result)
    hit = [r for r in result.summary.rules if r["findings"] > 0]
    ranked = sorted(hit, key=lambda r: (-severity_rank(r["severity"]), -r["documents"], -r["findings"], r["code"]))
    worst_rules = ranked[:worst]
    sites, source = _sites(result, top_sites, lines_per_site)
    if embed_cap is None:
        embed_cap = max(50, min(MAX_PER_RULE, embed_budget // max(len(hit), 1)))
    return ReportModel(
        quick_look=quick_look(result.config), skipped=dict(result.stats.load.skipped),
        tool_version=__version__, inputs=list(result.inputs), files=len(result.stats.load.files),
        worst_rules=worst_rules, examples=_examples(result, [r["code"] for r in worst_rules], examples_per_rule),
        sites=sites, leaked_lines_source=source, histogram=_histogram(result),
        embedded=_embedded(result, embed_cap), embed_cap=embed_cap, rule_info=info,
    )


def report_model(result: CheckResult) -> ReportModel:
    """The report model for ``result``, computed on first use and then reused by every renderer."""
    cached = result.__dict__.get("_report_model")
    if cached is None:
        cached = build_model(result)
        result.__dict__["_report_model"] = cached
    return cached


def _fit_end(text: str, cells: int) -> str:
    """The longest tail of ``text`` that fits in ``cells`` terminal cells (CJK characters take two)."""
    from rich.cells import cell_len

    out: list[str] = []
    used = 0
    for char in reversed(text):
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(reversed(out))


def _fit_start(text: str, cells: int) -> str:
    from rich.cells import cell_len

    out: list[str] = []
    used = 0
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(out)


def show_newlines(text: str) -> str:
    """Newlines as ⏎ and tabs as spaces, so a context stays on one line; other controls shown escaped."""
    from qc.safe_text import visible

    return visible(text, "mark")


def context_parts(example: Example, width: int, window: int = 60) -> tuple[str, str, str]:
    """(before, match, after) fitted to about ``width`` terminal cells, newlines shown as ⏎; a side cut
    (here, or already when the ``window`` characters around the span were kept: after it, a full window
    is taken as cut) ends at a word with "…"."""
    from rich.cells import cell_len

    match = show_newlines(example.match)
    room = max(width - cell_len(match) - 2, 10)
    full_before = show_newlines(example.before or "")
    full_after = show_newlines(example.after or "")
    before = _fit_end(full_before, room // 2)
    if len(before) < len(full_before) or example.before_cut:
        before = "…" + _from_word(before)
    after = _fit_start(full_after, room - cell_len(before))
    if len(after) < len(full_after) or len(example.after or "") >= window:
        after = _to_word(after) + "…"
    return before, match, after


def _from_word(tail: str) -> str:
    """A cut-off tail started at its first word boundary (unless that loses more than half; CJK has none)."""
    space = tail.find(" ")
    return tail[space + 1:] if 0 <= space < len(tail) // 2 else tail


def _to_word(head: str) -> str:
    """A cut-off head ended at its last word boundary (unless that loses more than half)."""
    space = head.rfind(" ")
    return head[:space] if space > len(head) // 2 else head
