"""``phrases``: a literal lexicon matched in one pass.

The phrases compile into one alternation that the shared prefilter (Hyperscan or RE2, both automata)
matches for every phrase at once, instead of looping over phrases. Keys: ``phrases``, ``ignorecase``,
``whole_word`` (ASCII word boundaries around Latin phrases), ``min_distinct`` (a document is flagged
only when at least this many different phrases occur), ``limit`` (findings per document).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field, field_validator

from qc.batch import Batch
from qc.rulespec import FindingRow, RuleSpec, ScanPattern


def phrase_regex(phrases: list[str], whole_word: bool) -> str:
    """One RE2 alternation matching any phrase, longest first so overlapping phrases prefer the longer."""
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        escaped = re.escape(phrase)
        if whole_word and phrase[:1].isascii() and phrase[:1].isalnum():
            escaped = r"\b" + escaped
        if whole_word and phrase[-1:].isascii() and phrase[-1:].isalnum():
            escaped = escaped + r"\b"
        parts.append(escaped)
    return "(?:" + "|".join(parts) + ")"


class Spec(RuleSpec):
    """A rule that flags occurrences of literal phrases."""

    KIND: ClassVar[str] = "phrases"

    phrases: list[str] = Field(min_length=1)
    ignorecase: bool = False
    whole_word: bool = True
    min_distinct: int = Field(default=1, ge=1)
    limit: int = Field(default=20, ge=1)

    @field_validator("phrases")
    @classmethod
    def _non_empty(cls, values: list[str]) -> list[str]:
        for i, phrase in enumerate(values):
            if not phrase.strip():
                raise ValueError(f"item {i}: empty phrase")
        return values

    def scan_patterns(self) -> list[ScanPattern]:
        """The whole lexicon as one scan pattern."""
        regex = phrase_regex(self.phrases, self.whole_word)
        return [ScanPattern(key=f"{self.code}#0", regex=regex, field=self.field, ignorecase=self.ignorecase)]

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield each phrase occurrence in documents with at least ``min_distinct`` distinct phrases."""
        per_row: dict[int, list[tuple[int, int, str]]] = {}
        for row, start, end, text in batch.spans(self.scan_patterns()[0]):
            per_row.setdefault(row, []).append((start, end, text))
        for row, spans in sorted(per_row.items()):
            distinct = {text.casefold() if self.ignorecase else text for _, _, text in spans}
            if len(distinct) < self.min_distinct:
                continue
            for start, end, text in spans[: self.limit]:
                yield FindingRow(row=row, start=start, end=end, match=text, message=self.format_message(text))
