"""``line_runs``: menu-like runs of short lines at the head or tail of a post.

A naive scraper turns navigation bars, section menus, share bars and footer link lists into runs of
short lines ("Home", "News", "Sport", "Contact us"; "首页|新闻|体育"), in any language, at the very top
or bottom of the text. Article bodies rarely open or close with many such lines in a row. This kind
needs no lexicon, so it catches chrome in languages and on sites no phrase list covers.

Keys: ``region`` (``head``, ``tail`` or ``edges``), ``within_lines`` (the run must start within this
many non-blank lines of the top, or end within this many of the bottom), ``min_run`` (short lines in a
row, counted as distinct items, since a menu does not repeat an entry; a line holding several items
counts once per item), ``max_words``/``max_chars`` (a short Latin-script line), ``max_cjk_chars`` (a short line in
Chinese, Japanese or Korean). A line of several short items joined by ``|``, ``·`` or ``•`` counts as
short too. Lines ending in sentence punctuation never do. Lines with digits (dates, counters, phone
numbers, numbered list items) neither count nor break a run: a numbered list or a table of figures is
not a menu, but a "© 2019" line inside a footer does not end it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import re2
from pydantic import Field

from qc.batch import Batch
from qc.region import Region
from qc.rulespec import FindingRow, RuleSpec

_CJK = re2.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_SENTENCE_END = tuple(".!?。！？…;；,，\"”」")
#: (start, end, menu items) of a non-blank line; items None for prose, [] for a neutral line.
_Line = tuple[int, int, list[str] | None]
_DIGIT = re2.compile(r"[0-9０-９]")
_SEPARATORS = re2.compile(r"\s*[|｜·•]\s*")


class Spec(RuleSpec):
    """A rule that flags runs of short, menu-like lines at a post's edges."""

    KIND: ClassVar[str] = "line_runs"

    region: Region = Region.edges
    within_lines: int = Field(default=3, ge=1)
    min_run: int = Field(default=6, ge=2)
    max_words: int = Field(default=4, ge=1)
    max_chars: int = Field(default=30, ge=1)
    max_cjk_chars: int = Field(default=10, ge=1)

    def menu_items(self, line: str) -> list[str] | None:
        """The menu items a stripped, non-blank line holds: None for prose, [] for a neutral line."""
        if len(line) > 3 and line.endswith(_SENTENCE_END):
            return None
        if _DIGIT.search(line):
            return []
        parts = [p for p in _SEPARATORS.split(line) if p]
        if len(parts) >= 3:  # "首页|新闻|体育": a whole menu on one line
            return [p.casefold() for p in parts] if all(self._short_item(p) for p in parts) else None
        return [line.casefold()] if self._short_item(line) else None

    def _short_item(self, item: str) -> bool:
        cjk = len(_CJK.findall(item))
        if cjk * 3 > len(item):
            return len(item) <= self.max_cjk_chars
        return len(item) <= self.max_chars and len(item.split()) <= self.max_words

    def _lines(self, text: str) -> list[_Line]:
        """(start, end, menu items) for each non-blank line, offsets of the stripped line."""
        out: list[_Line] = []
        pos = 0
        for raw in text.split("\n"):
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                out.append((pos + lead, pos + lead + len(stripped), self.menu_items(stripped)))
            pos += len(raw) + 1
        return out

    @staticmethod
    def _run_from(lines: list[_Line], begin: int) -> tuple[int, int]:
        """(lines, distinct menu items) in the run of menu-like lines starting at ``begin``."""
        count = 0
        items: set[str] = set()
        for _, _, found in lines[begin:]:
            if found is None:
                break
            count += 1
            items.update(found)
        return count, len(items)

    def runs(self, text: str) -> list[tuple[int, int, int]]:
        """(start offset, end offset, menu items) of qualifying runs at the edges of ``text``."""
        lines = self._lines(text)
        found: list[tuple[int, int, int]] = []
        if self.region in (Region.head, Region.edges, Region.any):
            found += self._best(lines)
        if self.region in (Region.tail, Region.edges, Region.any):
            backwards = self._best(lines[::-1], reverse=True)
            found += [run for run in backwards if not any(run[0] < f[1] and f[0] < run[1] for f in found)]
        return found

    def _best(self, lines: list[_Line], reverse: bool = False) -> list[tuple[int, int, int]]:
        best: tuple[int, int, int] | None = None
        for begin in range(min(self.within_lines, len(lines))):
            if not lines[begin][2]:  # a run starts and ends on a menu item, not a neutral line
                continue
            length, items = self._run_from(lines, begin)
            while length and not lines[begin + length - 1][2]:
                length -= 1
            if items >= self.min_run and (best is None or items > best[2]):
                first, last = lines[begin], lines[begin + length - 1]
                best = (last[0], first[1], items) if reverse else (first[0], last[1], items)
        return [best] if best else []

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield one finding per qualifying run, spanning the run's lines."""
        texts = batch.texts(self.field)
        for row, text in enumerate(texts.tolist()):
            for start, end, count in self.runs(text):
                match = text[start:end]
                yield FindingRow(row=row, start=start, end=end, match=match,
                                 message=self.format_message(match, value=str(count)))
