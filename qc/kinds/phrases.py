"""``phrases``: a literal lexicon matched in one pass.

The phrases compile into one alternation that the shared prefilter (Hyperscan or RE2, both automata)
matches for every phrase at once, instead of looping over phrases. Keys: ``phrases``, ``ignorecase``,
``whole_word`` (ASCII word boundaries around Latin phrases), ``whole_line`` (a phrase counts only when it
is the whole line, give or take surrounding spaces and a trailing colon: how menus and footers look),
``min_distinct`` (a document is flagged only when at least this many different phrases occur in the
region), ``region``/``within_lines``/``within_chars`` (see :mod:`qc.region`) and ``limit`` (findings per
document).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, field_validator

from qc.batch import Batch
from qc.region import RegionOptions
from qc.rulespec import LINES, FindingColumns, RuleSpec, ScanPattern

_PAD = r"[ \t\r\x{3000}]*"  # spaces, tabs, a stray CR and the ideographic space
_PAD_CHARS = " \t\r\u3000"


def phrase_regex(phrases: list[str], whole_word: bool, whole_line: bool = False) -> str:
    """One RE2 alternation matching any phrase, longest first so overlapping phrases prefer the longer."""
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        escaped = re.escape(phrase)
        if whole_word and not whole_line and phrase[:1].isascii() and phrase[:1].isalnum():
            escaped = r"\b" + escaped
        if whole_word and not whole_line and phrase[-1:].isascii() and phrase[-1:].isalnum():
            escaped = escaped + r"\b"
        parts.append(escaped)
    alternation = "(?:" + "|".join(parts) + ")"
    if whole_line:
        # RE2 has no look-around, so the line's padding is part of the match; ``evaluate`` trims it.
        return r"(?m)^" + _PAD + alternation + _PAD + "[:：]?" + _PAD + "$"
    return alternation


class Spec(RegionOptions, RuleSpec):
    """A rule that flags occurrences of literal phrases."""

    KIND: ClassVar[str] = "phrases"
    #: Lines give the head and tail of every row at once (rules with a ``region``; ``any`` reads none).
    FEATURES: ClassVar[frozenset[str]] = frozenset({LINES})

    phrases: list[str] = Field(min_length=1)
    """Literal phrases, matched all at once by one automaton."""
    ignorecase: bool = False
    """Match regardless of case."""
    whole_word: bool = True
    """ASCII word boundaries around Latin phrases (register does not match registered)."""
    whole_line: bool = False
    """A phrase counts only when it is the whole line (give or take spaces and a trailing colon), as in menus."""
    min_distinct: int = Field(default=1, ge=1)
    """A document is flagged only when this many different phrases occur in the region."""
    limit: int = Field(default=20, ge=1)
    """Findings per document, at most."""

    @field_validator("phrases")
    @classmethod
    def _non_empty(cls, values: list[str]) -> list[str]:
        for i, phrase in enumerate(values):
            if not phrase.strip():
                raise ValueError(f"item {i}: empty phrase")
        return values

    def scan_patterns(self) -> list[ScanPattern]:
        """The whole lexicon as one scan pattern."""
        regex = phrase_regex(self.phrases, self.whole_word, self.whole_line)
        return [ScanPattern(key=f"{self.code}#0", regex=regex, field=self.field, ignorecase=self.ignorecase)]

    def evaluate_columns(self, batch: Batch, state: Any = None) -> FindingColumns:
        """Each phrase occurrence in the region, in documents with ``min_distinct`` distinct phrases, as
        columns (messages are formatted by the engine, vectorised).

        A row's search stops once it holds ``limit`` spans in the region and ``min_distinct`` distinct
        phrases among them: later spans could neither be reported nor change the verdict.
        """
        # Every row's region at once from the batch's lines (shared with the line rules), not per row; made
        # at the first candidate row (a rule whose phrases occur nowhere in the batch splits no line).
        region: tuple[np.ndarray, np.ndarray] | None = None
        out_rows: list[int] = []
        out_starts: list[int] = []
        out_ends: list[int] = []
        out_matches: list[str] = []
        for row, found in batch.row_spans(self.scan_patterns()[0]):
            bounds = None
            spans: list[tuple[int, int, str]] = []
            distinct: set[str] = set()
            for start, end, text in found:
                if self.whole_line:  # report the phrase, not the padding and colon around it
                    lead = len(text) - len(text.lstrip(_PAD_CHARS))
                    stripped = text.strip(_PAD_CHARS).rstrip(":：").rstrip(_PAD_CHARS)
                    start, end, text = start + lead, start + lead + len(stripped), stripped
                if self.region != "any":
                    if region is None:
                        region = self.batch_bounds(batch.lines(self.field), batch.trimmed_lines(self.field))
                    if bounds is None and region is not None:
                        bounds = int(region[0][row]), int(region[1][row])
                    if not self.in_bounds(bounds, start, end):
                        continue
                spans.append((start, end, text))
                distinct.add(text.casefold() if self.ignorecase else text)
                if len(spans) >= self.limit and len(distinct) >= self.min_distinct:
                    break
            if len(distinct) < self.min_distinct:
                continue
            for start, end, text in spans[: self.limit]:
                out_rows.append(row)
                out_starts.append(start)
                out_ends.append(end)
                out_matches.append(text)
        return FindingColumns.of(out_rows, out_starts, out_ends, out_matches)
