"""``line_runs``: menu-like runs of short lines at the head or tail of a post.

A naive scraper turns navigation bars, section menus, share bars and footer link lists into runs of
short lines ("Home", "News", "Sport", "Contact us"; "首页|新闻|体育"), in any language, at the very top
or bottom of the text. Article bodies rarely open or close with many such lines in a row. This kind
needs no lexicon, so it catches chrome in languages and on sites no phrase list covers.

Keys: ``region`` (``head``, ``tail`` or ``edges``; ``any`` means both edges), ``within_lines`` (the run
must start within this many non-blank lines of the top, or end within this many of the bottom),
``min_run`` (menu items in the run, counted as distinct items since a menu does not repeat an entry),
``max_words``/``max_chars`` (a short Latin-script line) and ``max_cjk_chars`` (a short line in Chinese,
Japanese or Korean). A line of three or more short items joined by ``|``, ``·``, ``•``, ``¦``, ``»``,
``›``, ``::``, `` / `` or written as ``[ Home ] [ News ]`` (the link rows of older sites) counts once per
item. Lines ending in sentence punctuation are prose and end a run. Lines with digits (dates, counters,
phone numbers, numbered list items) neither count nor break a run: a numbered list or a table of
figures is not a menu, but a "© 2019" line inside a footer does not end it. With ``soft_words`` /
``soft_chars`` (and ``soft_cjk_chars`` for CJK lines) set, a line a little too long for an item but not
a sentence (a menu's longer entry, a sign-up prompt, links run together without spaces) is neutral too:
menus mix such lines with their items, while an article's first paragraph ends a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
from pydantic import Field

from qc.batch import Batch
from qc.features import contains_any, ends_with_any, has_digit
from qc.region import Region
from qc.rulespec import LINES, FindingRow, RuleSpec

# Fixed character classes (no user input), so Python's ``re`` is safe here and much cheaper per short
# line than a round trip through the RE2 binding.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE_END_CHARS = ".!?。！？…;；,，\"”」"
_SENTENCE_END = tuple(_SENTENCE_END_CHARS)
#: (start, end, stripped text) of a non-blank line.
_Line = tuple[int, int, str]
#: Characters read at each edge of a post.
SCAN_CHARS = 8000
_DIGIT = re.compile("[0-9０-９]")
_SEPARATORS = re.compile(r"\s*(?:[|｜·•¦»›]|::|\]\s*\[|\s/\s)\s*")
_SEPARATOR = re.compile(r"[|｜·•¦»›]|::|\]\s*\[|\s/\s")
_BRACKETS = "[] \t"
#: What a line ``_SEPARATOR`` finds something in holds at least one of (for :meth:`Spec.candidate_rows`).
_MAYBE_SEPARATOR = ("|", "｜", "·", "•", "¦", "»", "›", "::", "]", "/")


class _EdgeLines:
    """Non-blank lines read lazily from one edge of a text, at most ``SCAN_CHARS`` deep, each classified as
    it is read (menu items, [] for a neutral line, None for prose).

    Most posts are decided after a handful of lines at each edge, so lines are split and classified
    only as far as the run check reaches; the cost per post is bounded however long the post is.
    """

    def __init__(self, text: str, from_end: bool, classify: Callable[[str], list[str] | None]) -> None:
        self.text = text
        self.from_end = from_end
        self.classify = classify
        self.pos = len(text) if from_end else 0
        self.done = not text
        self.lines: list[_Line] = []
        self.kinds: list[list[str] | None] = []

    def read(self, count: int) -> int:
        """Read until ``count`` lines are known or the window ends; how many are known."""
        lines = self.lines
        if len(lines) >= count or self.done:
            return len(lines)
        # One loop with locals: this runs for a few lines of every post.
        text, pos, from_end, kinds, classify = self.text, self.pos, self.from_end, self.kinds, self.classify
        done = False
        size = len(text)
        while len(lines) < count and not done:
            if from_end:
                newline = text.rfind("\n", 0, pos)
                begin, end = newline + 1, pos
                pos = newline
                done = newline < 0 or size - newline > SCAN_CHARS
            else:
                newline = text.find("\n", pos)
                begin, end = pos, (size if newline < 0 else newline)
                pos = newline + 1
                done = newline < 0 or newline > SCAN_CHARS
            stripped = text[begin:end].strip()
            if stripped:
                # Only blanks come before the line's first non-blank character, so this finds where it starts.
                start = text.find(stripped[0], begin)
                lines.append((start, start + len(stripped), stripped))
                kinds.append(classify(stripped))
        self.pos, self.done = pos, done
        return len(lines)


class Spec(RuleSpec):
    """A rule that flags runs of short, menu-like lines at a post's edges."""

    KIND: ClassVar[str] = "line_runs"
    STRIPS_LINES: ClassVar[bool] = True
    FEATURES: ClassVar[frozenset[str]] = frozenset({LINES})

    region: Region = Region.edges
    """Where a run may sit: head, tail or edges (any means both edges)."""
    within_lines: int = Field(default=3, ge=1)
    """The run must start within this many non-blank lines of the top, or end within this many of the bottom."""
    min_run: int = Field(default=6, ge=2)
    """Distinct menu items a run needs."""
    max_words: int = Field(default=4, ge=1)
    """Longest menu item in words (Latin script)."""
    max_chars: int = Field(default=30, ge=1)
    """Longest menu item in characters (Latin script)."""
    max_cjk_chars: int = Field(default=10, ge=1)
    """Longest menu item in characters (Chinese, Japanese, Korean)."""
    soft_words: int = Field(default=0, ge=0)
    """A line up to this many words, too long for an item but no sentence, neither counts nor ends a run (0: off)."""
    soft_chars: int = Field(default=0, ge=0)
    """The same in characters (Latin script; 0: off)."""
    soft_cjk_chars: int = Field(default=0, ge=0)
    """The same in characters for a Chinese, Japanese or Korean line (0: off)."""

    def menu_items(self, line: str) -> list[str] | None:
        """The menu items a stripped, non-blank line holds: None for prose, [] for a neutral line."""
        if len(line) > 3 and line.endswith(_SENTENCE_END):
            return None
        if _DIGIT.search(line):
            return []
        if _SEPARATOR.search(line) is None:  # most lines: a single part, the line itself (no split needed)
            return [line.casefold()] if self._short_item(line) else self._soft(line)
        parts = [p for p in (part.strip(_BRACKETS) for part in _SEPARATORS.split(line)) if p]
        if len(parts) >= 3:  # "首页|新闻|体育", "[ Home ] [ News ] [ Contact ]": a whole menu on one line
            return [p.casefold() for p in parts] if all(self._short_item(p) for p in parts) else self._soft(line)
        return [line.casefold()] if self._short_item(line) else self._soft(line)

    def _soft(self, line: str) -> list[str] | None:
        """[] (neutral) for a line within the soft limits, None (prose) otherwise."""
        if _CJK.search(line) and len(_CJK.findall(line)) * 3 > len(line):
            return [] if len(line) <= self.soft_cjk_chars else None
        return [] if len(line) <= self.soft_chars and len(line.split()) <= self.soft_words else None

    def _short_item(self, item: str) -> bool:
        if len(item) > self.max_chars and len(item) > self.max_cjk_chars:  # too long for either limit
            return False
        cjk = len(_CJK.findall(item))
        if cjk * 3 > len(item):
            return len(item) <= self.max_cjk_chars
        return len(item) <= self.max_chars and len(item.split()) <= self.max_words

    def _run_from(self, lines: _EdgeLines, begin: int) -> tuple[int, int, int]:
        """(lines, distinct menu items, index of the line that ends it) for the run starting at ``begin``.

        Trailing neutral lines (digits only) are not part of the run.
        """
        last = 0
        items: set[str] = set()
        index = begin
        kinds = lines.kinds
        while index < len(kinds) or lines.read(index + 1) > index:
            found = kinds[index]
            if found is None:
                break
            index += 1
            if found:
                last = index - begin
            items.update(found)
        return last, len(items), index

    def runs(self, text: str) -> list[tuple[int, int, int]]:
        """(start offset, end offset, menu items) of qualifying runs at the edges of ``text``."""
        found: list[tuple[int, int, int]] = []
        if self.region in (Region.head, Region.edges, Region.any):
            found += self._best(_EdgeLines(text, False, self.menu_items))
        if self.region in (Region.tail, Region.edges, Region.any):
            backwards = self._best(_EdgeLines(text, True, self.menu_items))
            found += [run for run in backwards if not any(run[0] < f[1] and f[0] < run[1] for f in found)]
        return found

    def _best(self, lines: _EdgeLines) -> list[tuple[int, int, int]]:
        best: tuple[int, int, int] | None = None
        scanned = 0
        kinds = lines.kinds
        for begin in range(lines.read(self.within_lines)):
            # A run starting inside the last one scanned is a suffix of it: no more items, so never better.
            # A run starts on a menu item, not on prose or a neutral line.
            if begin < scanned or not kinds[begin]:
                continue
            length, items, scanned = self._run_from(lines, begin)
            if items >= self.min_run and (best is None or items > best[2]):
                first, last = lines.lines[begin], lines.lines[begin + length - 1]
                if lines.from_end:
                    first, last = last, first
                best = (first[0], last[1], items)
        return [best] if best else []

    def candidate_rows(self, batch: Batch) -> np.ndarray:
        """The rows whose edges may hold a qualifying run: a superset of the rows :meth:`runs` flags, found
        by numpy over the batch's ``LINES`` feature, so the exact walk runs only on them.

        A run starts on one of the first ``within_lines`` non-blank lines of an edge and continues while
        lines are not prose; a line without a separator gives at most one item. So an edge can hold a run
        only if, from such a line, ``min_run`` lines in a row are not surely prose, or one of them may hold
        several items (it has a separator character). Surely prose: longer than 3 characters and ending
        in sentence punctuation, or with no digit and no separator and longer than every item and soft
        limit. Only the first ``within_lines + min_run - 1`` non-blank lines of each edge are looked at.
        """
        lines = batch.lines(self.field)
        trimmed = batch.trimmed_lines(self.field)
        nonblank = np.flatnonzero(trimmed.lengths > 0)
        found = np.zeros(len(batch), dtype=bool)
        if not len(nonblank):
            return np.flatnonzero(found)
        rows = lines.rows[nonblank]  # ascending: lines are in document order
        position = np.arange(len(rows))
        window = self.within_lines + self.min_run - 1
        longest = max(self.max_chars, self.max_cjk_chars, self.soft_chars, self.soft_cjk_chars)
        edges = []
        if self.region in (Region.head, Region.edges, Region.any):
            edges.append(position - np.searchsorted(rows, rows, side="left"))  # rank from the top
        if self.region in (Region.tail, Region.edges, Region.any):
            edges.append(np.searchsorted(rows, rows, side="right") - 1 - position)  # rank from the bottom
        ends_sentence = ends_with_any(trimmed.text, _SENTENCE_END_CHARS)  # reads each line's last bytes only
        for rank in edges:
            pick = np.flatnonzero(rank < window)
            at = nonblank[pick]
            length = trimmed.lengths[at]
            prose = (length > 3) & ends_sentence[at]
            # Only lines not ending a sentence are read: for separators (a short line may hold several
            # items), and the long ones for digits too (without one or a separator they are prose).
            others = np.flatnonzero(~prose)
            several = np.zeros(len(at), dtype=bool)
            several[others] = contains_any(trimmed.text.take(pa.array(at[others])), _MAYBE_SEPARATOR)
            long = others[(length[others] > longest) & ~several[others]]
            prose[long] = ~has_digit(trimmed.text.take(pa.array(at[long])))
            may_run = np.zeros((len(batch), window), dtype=bool)  # [document, rank]: not surely prose
            may_run[rows[pick], rank[pick]] = ~prose
            multi = np.zeros((len(batch), window), dtype=bool)
            multi[rows[pick], rank[pick]] = several
            for begin in range(min(self.within_lines, window)):
                alive = may_run[:, begin].copy()
                count = np.zeros(len(batch), dtype=np.int64)
                many = np.zeros(len(batch), dtype=bool)
                for index in range(begin, window):
                    alive &= may_run[:, index]
                    count += alive
                    many |= alive & multi[:, index]
                found |= (count >= self.min_run) | many
        return np.flatnonzero(found)

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield one finding per qualifying run, spanning the run's lines (the exact walk, on the
        :meth:`candidate_rows` only)."""
        rows = self.candidate_rows(batch)
        if not len(rows):
            return
        texts = batch.filled_utf8(self.field).take(pa.array(rows)).to_pylist()  # the texts the lines came from
        for row, text in zip(rows.tolist(), texts, strict=True):
            for start, end, count in self.runs(text):
                match = text[start:end]
                # The message gets a one-line preview; the finding's match stays the exact span.
                preview = " | ".join(line.strip() for line in match.split("\n") if line.strip())
                yield FindingRow(row=row, start=start, end=end, match=match,
                                 message=self.format_message(preview, value=str(count)))
