"""``pattern``: RE2 regular expressions, each match a finding with its span.

Keys: ``patterns`` (list of RE2 regexes), ``ignorecase``, ``exceptions`` (RE2 regexes: a match is dropped
when an exception match overlaps it within ``exception_window`` characters either side — RE2 has no
look-around, so this is how a rule says "x% but not 3x faster"), ``limit`` (findings per document),
``min_distinct`` (a document is flagged only when this many different matched texts occur) and
``region``/``within_lines``/``within_chars`` (see :mod:`qc.region`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from qc.batch import Batch
from qc.matcher import compile_re2, find_spans
from qc.region import RegionOptions
from qc.rulespec import FindingColumns, RuleSpec, ScanPattern


def _check_regexes(values: list[str]) -> list[str]:
    for i, regex in enumerate(values):
        try:
            compile_re2(regex)
        except ValueError as exc:
            raise ValueError(f"item {i}: RE2 cannot compile {regex!r}: {exc}") from None
    return values


def overlapping_exception(text: str, start: int, end: int, exceptions: list[str], ignorecase: bool,
                          window: int) -> bool:
    """True if any exception regex matches text around [start, end) and overlaps that span."""
    lo = max(0, start - window)
    context = text[lo : end + window]
    for regex in exceptions:
        for e_start, e_end, _ in find_spans(regex, ignorecase, context):
            if e_start + lo < end and e_end + lo > start:
                return True
    return False


class Spec(RegionOptions, RuleSpec):
    """A rule that flags every match of any of its RE2 patterns."""

    KIND: ClassVar[str] = "pattern"

    patterns: list[str] = Field(min_length=1)
    """RE2 regexes; each match is a finding. Wrap the defect in (?P<hit>…) to keep needed context out of the span."""
    ignorecase: bool = False
    """Match regardless of case."""
    exceptions: list[str] = Field(default_factory=list)
    """RE2 regexes: a match is dropped when an exception match overlaps it."""
    exception_window: int = Field(default=30, ge=0, le=500)
    """Characters either side of a match searched for exceptions."""
    limit: int = Field(default=20, ge=1)
    """Findings per document, at most."""
    min_distinct: int = Field(default=1, ge=1)
    """A document is flagged only when this many different matched texts occur in the region."""

    _validate_patterns = field_validator("patterns", "exceptions")(_check_regexes)

    def scan_patterns(self) -> list[ScanPattern]:
        """One scan pattern per regex, keyed by rule code and position."""
        return [
            ScanPattern(key=f"{self.code}#{i}", regex=regex, field=self.field, ignorecase=self.ignorecase)
            for i, regex in enumerate(self.patterns)
        ]

    def evaluate_columns(self, batch: Batch, state: Any = None) -> FindingColumns:
        """A finding per match in the region (after exceptions), at most ``limit`` per document, as columns
        (messages are formatted by the engine, vectorised)."""
        out_rows: list[int] = []
        out_starts: list[int] = []
        out_ends: list[int] = []
        out_matches: list[str] = []
        per_row: dict[int, list[tuple[int, int, str]]] = {}
        for pattern in self.scan_patterns():
            for row, start, end, text in batch.spans(pattern):
                per_row.setdefault(row, []).append((start, end, text))
        rows = sorted(per_row)
        for row, value in zip(rows, batch.values(self.field, rows), strict=True):  # strings for hit rows only
            if value is None:
                continue
            bounds = self.region_bounds(value)
            kept: list[tuple[int, int, str]] = []
            last_end = -1
            for start, end, text in sorted(per_row[row]):
                if start < last_end:  # two patterns matched overlapping text: report it once
                    continue
                if not self.in_bounds(bounds, start, end):
                    continue
                if self.exceptions and overlapping_exception(
                    value, start, end, self.exceptions, self.ignorecase, self.exception_window
                ):
                    continue
                last_end = end
                kept.append((start, end, text))
            if len({text.casefold() if self.ignorecase else text for _, _, text in kept}) < self.min_distinct:
                continue
            for start, end, text in kept[: self.limit]:
                out_rows.append(row)
                out_starts.append(start)
                out_ends.append(end)
                out_matches.append(text)
        return FindingColumns.of(out_rows, out_starts, out_ends, out_matches)
