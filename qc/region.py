"""Where in a post a rule looks: the head, the tail, both edges, or anywhere.

Site chrome sits in runs at the top (menus, login bars) and bottom (share bars, footers) of a scraped
post, while the body may mention "注册", "register" or "copyright" in passing. Lexicon rules therefore
say where a hit counts: ``region`` (``any``, ``head``, ``tail`` or ``edges``) and how far in
(``within_lines`` non-blank lines and/or ``within_chars`` characters from that edge; when both are
given a hit must satisfy both).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from qc.features import Lines, TrimmedLines


class Region(StrEnum):
    """Part of the text a hit must fall in."""

    any = "any"
    head = "head"
    tail = "tail"
    edges = "edges"


def head_limit(text: str, lines: int | None, chars: int | None) -> int:
    """Character offset where the head ends: after ``lines`` non-blank lines and/or ``chars`` characters."""
    limit = len(text)
    if chars is not None:
        limit = min(limit, chars)
    if lines is not None:
        seen = 0
        pos = 0
        while pos < len(text):
            newline = text.find("\n", pos)
            end = len(text) if newline < 0 else newline
            if text[pos:end].strip():
                seen += 1
                if seen >= lines:
                    limit = min(limit, end)
                    break
            if newline < 0:
                break
            pos = newline + 1
    return limit


def tail_limit(text: str, lines: int | None, chars: int | None) -> int:
    """Character offset where the tail starts: ``lines`` non-blank lines and/or ``chars`` from the end."""
    start = 0
    if chars is not None:
        start = max(start, len(text) - chars)
    if lines is not None:
        seen = 0
        end = len(text)
        while end > 0:
            newline = text.rfind("\n", 0, end)
            begin = newline + 1
            if text[begin:end].strip():
                seen += 1
                if seen >= lines:
                    start = max(start, begin)
                    break
            if newline < 0:
                break
            end = newline
    return start


class RegionOptions(BaseModel):
    """Rule keys that restrict hits to a region of the text (mixed into lexicon and pattern kinds)."""

    # Each key's docstring is its description (read by qc.fielddocs where descriptions are shown).
    region: Region = Region.any
    """Part of the text a hit must fall in: any, head, tail or edges (head or tail)."""
    within_lines: int | None = Field(default=None, ge=1)
    """Head/tail depth in non-blank lines from that edge (with within_chars, a hit must satisfy both)."""
    within_chars: int | None = Field(default=None, ge=1)
    """Head/tail depth in characters from that edge."""

    def region_bounds(self, text: str) -> tuple[int, int] | None:
        """(head end, tail start) offsets for ``text``, or None when the rule looks everywhere.

        A hit counts when it starts before the head end (``head``), ends after the tail start
        (``tail``), or either (``edges``). Without ``within_*`` keys, edges default to 30 lines.
        """
        if self.region is Region.any:
            return None
        lines = self.within_lines if self.within_lines or self.within_chars else 30
        head = head_limit(text, lines, self.within_chars) if self.region in (Region.head, Region.edges) else -1
        tail = (
            tail_limit(text, lines, self.within_chars)
            if self.region in (Region.tail, Region.edges)
            else len(text) + 1
        )
        return head, tail

    def batch_bounds(self, lines: Lines, trimmed: TrimmedLines) -> tuple[np.ndarray, np.ndarray] | None:
        """:meth:`region_bounds` of every document of a batch at once, from its ``LINES`` feature (the
        texts the lines were split from): (head ends, tail starts), or None when the rule looks everywhere."""
        if self.region is Region.any:
            return None
        count = self.within_lines if self.within_lines or self.within_chars else 30
        last = lines.bounds[1:] - 1  # every document has at least one (maybe empty) line
        length = lines.starts[last] + lines.lengths[last]
        nonblank = np.flatnonzero(trimmed.lengths > 0)
        rows = lines.rows[nonblank]
        position = np.arange(len(rows))
        head = np.full(len(length), -1, dtype=np.int64)
        tail = length + 1
        if self.region in (Region.head, Region.edges):
            head = length.copy() if self.within_chars is None else np.minimum(length, self.within_chars)
            if count is not None:  # the end of the count-th non-blank line
                at = nonblank[position - np.searchsorted(rows, rows, side="left") == count - 1]
                head[lines.rows[at]] = np.minimum(head[lines.rows[at]], lines.starts[at] + lines.lengths[at])
        if self.region in (Region.tail, Region.edges):
            tail = np.zeros(len(length), dtype=np.int64) if self.within_chars is None else \
                np.maximum(0, length - self.within_chars)
            if count is not None:  # the start of the count-th non-blank line from the end
                at = nonblank[np.searchsorted(rows, rows, side="right") - 1 - position == count - 1]
                tail[lines.rows[at]] = np.maximum(tail[lines.rows[at]], lines.starts[at])
        return head, tail

    @staticmethod
    def in_bounds(bounds: tuple[int, int] | None, start: int, end: int) -> bool:
        """Whether the span [start, end) lies in the region described by ``bounds``."""
        if bounds is None:
            return True
        head, tail = bounds
        return start < head or end > tail
