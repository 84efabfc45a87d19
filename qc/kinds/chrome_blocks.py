"""``chrome_blocks``: the site's chrome around an article, found from the shape of its lines alone.

A naive scraper keeps every visible text node of a page, so the article sits between the site's header
(menus, account links, breadcrumbs) and its tail (share bars, tags, related-story lists, comment widgets,
footers). Prose is long lines ending in sentence punctuation; chrome is short lines without it. As in
boilerpipe and jusText, each non-blank line gets a score: a **prose** line (at least ``prose_chars``
characters, or ``prose_chars_punct`` ending in ``.!?。！？…`` and the like) scores its length, a **short**
line (under ``short_chars``, no sentence end, no digit) scores ``-short_penalty``, and anything else
(medium lines, lines with digits: dates, table rows, numbered list items) scores ``-neutral_penalty``.
Chinese, Japanese and Korean characters count ``cjk_weight`` times (a CJK sentence says in 30 characters
what English says in 90). The **article** is the run of lines with the highest total score (a maximum
subarray, computed for a whole batch at once with segmented prefix sums): long prose wins, a few short
sub-headings inside it cost little, and a menu of short lines ends it.

Outside the article:

- at the head, the ``title_lines`` lines just above it (at most ``title_chars`` characters: the headline,
  byline and date) are kept and everything above them is chrome;
- at the tail, after up to ``tail_lines`` medium or numbered lines of grace (an author line, a closing
  credit with a date), short lines are chrome, and once ``sever_run`` short lines in a row have been seen
  (a footer or link list) everything after them is chrome too, prose included (comments, teasers of
  other stories).

Chrome lines next to each other form a block; a block becomes one finding (its span covers its lines)
when it holds at least ``min_short_lines`` short lines, so a lone leftover line is never a finding.
Texts with no prose line at all are left alone. Severity is meant to be ``info``: the blocks say what
``qc fix`` cuts (``STRIPS_LINES``), while the document-level verdict stays with the lexicon and run rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
from pydantic import Field

from qc.batch import Batch
from qc.features import Lines, TrimmedLines, cjk_counts, ends_with_any, has_digit
from qc.rulespec import LINES, FindingRow, RuleSpec

# The line classes as regexes (their definition; the kernels below compute them without a regex per line).
_CJK = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
#: What a sentence ends in (a line's last character): ``_SENTENCE_END``.
SENTENCE_END_CHARS = ".!?。！？…\"”’」』:;；)）"
_SENTENCE_END = "[.!?。！？…\"”’」』:;；)）]$"
_DIGIT = "[0-9０-９]"

#: Line classes.
_PROSE, _NEUTRAL, _SHORT = 1, 0, -1


class _Lines:
    """The non-blank lines of a batch's texts: document row, start/end offsets (code points, trimmed), score
    and class, in document order."""

    def __init__(self, lines: Lines, trimmed_lines: TrimmedLines, spec: Spec) -> None:
        # The batch's LINES feature (split and trimmed once, shared with the other line rules).
        size = trimmed_lines.lengths
        keep = np.flatnonzero(size > 0)
        trimmed = trimmed_lines.text.take(pa.array(keep))
        self.rows = lines.rows[keep]
        self.size = size[keep]
        self.start = lines.starts[keep] + trimmed_lines.lead[keep]
        self.end = self.start + self.size
        # Byte-level numpy kernels (qc.features), not a regex per line: the same classes as _CJK,
        # _SENTENCE_END and _DIGIT (tests/test_features.py holds them to the regexes).
        cjk = cjk_counts(trimmed)
        weight = self.size + (spec.cjk_weight - 1) * cjk
        ends_sentence = ends_with_any(trimmed, SENTENCE_END_CHARS)
        digit = has_digit(trimmed)
        prose = (weight >= spec.prose_chars) | ((weight >= spec.prose_chars_punct) & ends_sentence)
        short = ~prose & ~digit & ~ends_sentence & (weight < spec.short_chars)
        self.kind = np.where(prose, _PROSE, np.where(short, _SHORT, _NEUTRAL)).astype(np.int8)
        self.score = np.where(prose, weight, np.where(short, -spec.short_penalty, -spec.neutral_penalty))

    def articles(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per document with lines: (row, first line, article's first line, article's last line), line
        indices into this table; the article is the maximum-score run (documents without prose: none)."""
        count = len(self.rows)
        if not count:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty, empty
        new_doc = np.concatenate([[True], self.rows[1:] != self.rows[:-1]])
        first = np.flatnonzero(new_doc)
        doc = np.cumsum(new_doc) - 1  # document number of each line
        total = np.cumsum(self.score)
        before = total - self.score  # prefix sum before each line, batch-wide
        base = before[first][doc]
        prefix = total - base  # prefix sum through the line, within its document
        prior = before - base  # prefix sum before the line (0 at each document's first line)
        # Segmented running minimum of ``prior``: offset each document below every earlier one so an earlier
        # document's minimum never carries over (the offset exceeds any document's range of sums).
        spread = int(np.abs(self.score).sum()) + 1
        shifted = prior - doc * spread
        lowest = np.minimum.accumulate(shifted) + doc * spread
        gain = prefix - lowest
        # The article ends at the first line of each document with the highest gain.
        order = np.lexsort((np.arange(count), -gain, doc))
        last = order[np.concatenate([[True], doc[order][1:] != doc[order][:-1]])]
        has_prose = gain[last] > 0
        # It starts at the last line before its end where the running minimum was reached (the shortest
        # run of that score: lines adding nothing before the article stay outside it).
        target = lowest[last][doc]
        candidate = (prior == target) & (np.arange(count) <= last[doc])
        begin = np.full(len(first), -1, dtype=np.int64)
        np.maximum.at(begin, doc[candidate], np.flatnonzero(candidate))
        keep = has_prose
        return self.rows[first][keep], first[keep], begin[keep], last[keep]


class Spec(RuleSpec):
    """A rule finding blocks of site chrome above and below the article, by the shape of the lines."""

    KIND: ClassVar[str] = "chrome_blocks"
    STRIPS_LINES: ClassVar[bool] = True
    FEATURES: ClassVar[frozenset[str]] = frozenset({LINES})

    prose_chars: int = Field(default=100, ge=1)
    """A line this long (CJK characters weighted) is prose, whatever it ends with."""
    prose_chars_punct: int = Field(default=50, ge=1)
    """A line this long that ends in sentence punctuation is prose."""
    short_chars: int = Field(default=40, ge=1)
    """A line shorter than this, without a sentence end or a digit, is a short (menu-like) line."""
    short_penalty: int = Field(default=12, ge=0)
    """What a short line costs the article run around it."""
    neutral_penalty: int = Field(default=2, ge=0)
    """What any other line (medium, or with digits) costs it."""
    cjk_weight: int = Field(default=3, ge=1)
    """How many characters a Chinese, Japanese or Korean character counts for."""
    title_lines: int = Field(default=3, ge=0)
    """Lines just above the article that are kept (headline, byline, date)."""
    title_chars: int = Field(default=200, ge=0)
    """Characters those kept lines may hold together."""
    tail_lines: int = Field(default=3, ge=0)
    """Medium or numbered lines just below the article that are kept (author line, dated credit)."""
    tail_chars: int = Field(default=300, ge=0)
    """Characters those kept lines may hold together."""
    sever_run: int = Field(default=2, ge=1)
    """Short lines in a row below the article after which every line is chrome, prose included."""
    min_short_lines: int = Field(default=2, ge=1)
    """Short lines a block of chrome lines must hold to be a finding."""
    limit: int = Field(default=20, ge=1)
    """Findings per document, at most."""

    def _chrome(self, kind: list[int], size: list[int], begin: int, last: int) -> list[bool]:
        """Which lines of one document (classes and sizes, article lines ``begin..last``) are chrome."""
        count = len(kind)
        cut = [False] * count
        # Head: keep the title lines just above the article, cut the rest.
        top, held, chars = begin, 0, 0
        while top > 0 and held < self.title_lines and chars + size[top - 1] <= self.title_chars:
            top -= 1
            held += 1
            chars += size[top]
        for index in range(top):
            cut[index] = True
        # Tail: a few medium lines of grace (no menu item), then short lines, then everything after a run of them.
        index, held, chars = last + 1, 0, 0
        while (index < count and held < self.tail_lines and kind[index] == _NEUTRAL
               and chars + size[index] <= self.tail_chars):
            chars += size[index]
            index += 1
            held += 1
        run, severed = 0, False
        for below in range(index, count):
            if kind[below] == _SHORT:
                run += 1
                severed = severed or run >= self.sever_run
            elif kind[below] == _PROSE:
                run = 0
            cut[below] = severed or kind[below] == _SHORT
        return cut

    def blocks(self, lines: _Lines) -> Iterator[tuple[int, int, int, int]]:
        """(row, first line, last line, short lines) of each chrome block, line indices into ``lines``."""
        rows, firsts, begins, lasts = lines.articles()
        # A document whose lines all belong to the article has nothing outside it; only the others are walked.
        doc_end = np.searchsorted(lines.rows, rows, side="right")
        outside = np.flatnonzero((begins > firsts) | (lasts < doc_end - 1))
        kinds = lines.kind
        for number in outside.tolist():
            first, stop = int(firsts[number]), int(doc_end[number])
            kind = kinds[first:stop].tolist()
            cut = self._chrome(kind, lines.size[first:stop].tolist(), int(begins[number]) - first,
                               int(lasts[number]) - first)
            index, found = 0, 0
            while index < len(cut) and found < self.limit:
                if not cut[index]:
                    index += 1
                    continue
                stop_block = index
                while stop_block < len(cut) and cut[stop_block]:
                    stop_block += 1
                shorts = sum(1 for k in kind[index:stop_block] if k == _SHORT)
                if shorts >= self.min_short_lines:
                    found += 1
                    yield int(rows[number]), first + index, first + stop_block - 1, shorts
                index = stop_block

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield one finding per chrome block, spanning the block's lines."""
        lines = _Lines(batch.lines(self.field), batch.trimmed_lines(self.field), self)
        found = list(self.blocks(lines))
        if not found:
            return
        rows = sorted({row for row, _, _, _ in found})
        by_row = dict(zip(rows, batch.values(self.field, rows), strict=True))
        for row, first, last, _ in found:
            text = by_row[row] or ""
            start, end = int(lines.start[first]), int(lines.end[last])
            match = text[start:end]
            preview = " | ".join(line.strip() for line in match.split("\n") if line.strip())
            yield FindingRow(row=row, start=start, end=end, match=match,
                             message=self.format_message(preview, value=str(last - first + 1)))
