"""Cutting findings out of a text: the one place that turns ``strip`` spans into a cleaned text.

A cut is a finding's ``[start, end)`` span (code-point offsets, as in the findings frame) and whether the
rule's evidence is the whole line (menus, footers, repeated template lines) or only the span. Whole-line
cuts remove every line the span touches, with its line break. Span cuts remove the span; a line that the
span cuts on it leave holding only whitespace, punctuation and separators (``|``, ``·``, ``/``) goes too, so
no empty line or stray ``" | "`` is left where a menu was.

Blank lines are tidied only where something was cut: a removal that leaves two or more blank lines in a
row at the junction keeps one, and blank lines a removal leaves at the very start or end of the text go.
Text nowhere near a cut is never touched, so stripping nothing returns the text unchanged (``qc fix`` on
its own output is byte-identical).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A line break as qc/lines.py counts them: \r\n, a lone \n or a lone \r.
_BREAK = re.compile(r"\r\n|\n|\r")


@dataclass(frozen=True, slots=True)
class Cut:
    """One span to remove: code-point offsets into the text, and whether to take its whole lines."""

    start: int
    end: int
    whole_line: bool = False


def _line_bounds(text: str) -> list[tuple[int, int, int]]:
    """Each line as (start, end of content, end including its break)."""
    bounds = []
    position = 0
    for found in _BREAK.finditer(text):
        bounds.append((position, found.start(), found.end()))
        position = found.end()
    bounds.append((position, len(text), len(text)))
    return bounds


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def strip_text(text: str, cuts: Iterable[Cut]) -> tuple[str, int]:
    """Return ``text`` with ``cuts`` removed and the blank lines they leave tidied, and the characters removed.

    Offsets outside the text are clamped; an empty cut (``start >= end``) removes nothing unless it is a
    whole-line cut, which removes the line it sits on.
    """
    cuts = list(cuts)
    if not cuts or not text:
        return text, 0
    bounds = _line_bounds(text)
    line_starts = [start for start, _, _ in bounds]

    def line_of(offset: int) -> int:
        # Binary search for the line holding ``offset`` (a break belongs to the line it ends).
        low, high = 0, len(line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    removed_lines: set[int] = set()
    spans: list[tuple[int, int]] = []
    for cut in cuts:
        start = max(0, min(cut.start, len(text)))
        end = max(start, min(cut.end, len(text)))
        if cut.whole_line:
            last = line_of(max(start, end - 1))
            removed_lines.update(range(line_of(start), last + 1))
        elif end > start:
            spans.append((start, end))
    # Span cuts that together leave a line holding nothing but spaces and separators take the line with it.
    touched: dict[int, list[tuple[int, int]]] = {}
    for start, end in _merge(spans):
        for number in range(line_of(start), line_of(max(start, end - 1)) + 1):
            touched.setdefault(number, []).append((start, end))
    for number, line_spans in touched.items():
        line_start, content_end, _ = bounds[number]
        if not any(start <= content_end for start, _ in line_spans):
            continue  # only the line's break was cut
        rest: list[str] = []
        position = line_start
        for start, end in line_spans:
            if start > position:
                rest.append(text[position:min(start, content_end)])
            position = max(position, end)
        rest.append(text[position:content_end])
        if _only_residue("".join(rest)):
            removed_lines.add(number)
    merged_spans = _merge(spans)

    def break_cut(number: int) -> bool:
        """Whether a span cut the break that ends line ``number``."""
        _, content_end, break_end = bounds[number]
        return any(start < break_end and end > content_end for start, end in merged_spans)

    # A run of removed lines after a kept line whose break a span took keeps the break of its last line:
    # that break now ends the kept line (else the kept line would be joined to the next one).
    keeps_break = set()
    for number in sorted(removed_lines):
        if number > 0 and number - 1 not in removed_lines and break_cut(number - 1):
            last = number
            while last + 1 in removed_lines:
                last += 1
            keeps_break.add(last)
    intervals = [(bounds[n][0], bounds[n][1] if n in keeps_break else bounds[n][2]) for n in removed_lines] + spans
    merged = _merge(intervals)
    if not merged:
        return text, 0
    pieces: list[str] = []
    junctions: list[int] = []  # positions in the output where a removal happened
    position = 0
    length = 0
    for start, end in merged:
        piece = text[position:start]
        pieces.append(piece)
        length += len(piece)
        junctions.append(length)
        position = end
    pieces.append(text[position:])
    cleaned = "".join(pieces)
    # A removed last line leaves the previous line's break dangling; the original ended without one there.
    if merged[-1][1] == len(text) and not _BREAK.search(text[-2:] if text.endswith("\r\n") else text[-1:]):
        stripped = cleaned.rstrip("\r\n")
        if len(stripped) < len(cleaned):
            junctions = [min(j, len(stripped)) for j in junctions]
            cleaned = stripped
    cleaned = _tidy(cleaned, junctions)
    return cleaned, len(text) - len(cleaned)


#: What a cut may leave of a line and still take the line: spaces, punctuation and separator symbols
#: ("Log in | Register" with both phrases cut leaves " | "). Letters, digits and other symbols keep it.
_SEPARATORS = frozenset("|｜¦•·・/\\<>«»›‹→←")


def _only_residue(rest: str) -> bool:
    return all(char.isspace() or char in _SEPARATORS or unicodedata.category(char).startswith("P") for char in rest)


# The break ending a line, then one or more blank lines (spaces allowed on them; at the very start of the
# text the first blank line may hold spaces too). The previous line's trailing spaces are no part of it:
# they are text the cut did not touch. A lone \r only when no \n follows: backtracking would otherwise
# split one \r\n into two breaks.
_ONE_BREAK = r"(?:\r\n|\n|\r(?!\n))"
_BLANK_RUN = re.compile(rf"(?:\A[ \t]*)?{_ONE_BREAK}(?:[ \t]*{_ONE_BREAK})+")


def _tidy(text: str, junctions: list[int]) -> str:
    """Collapse runs of blank lines touching a junction to one, and drop blank lines a cut left at either end."""
    if not junctions:
        return text
    pieces: list[str] = []
    position = 0
    for found in _BLANK_RUN.finditer(text):
        start, end = found.span()
        if not any(start <= junction <= end for junction in junctions):
            continue
        # Keep the line break that ends the previous line plus one blank line, in the text's own break style.
        breaks = _BREAK.findall(found.group())
        keep = breaks[0] + breaks[1] if start > 0 and end < len(text) else ""
        if start == 0 or end == len(text):
            keep = "" if start == 0 else breaks[0]
        pieces.append(text[position:start])
        pieces.append(keep)
        position = end
    pieces.append(text[position:])
    tidied = "".join(pieces)
    if junctions and junctions[0] == 0:
        tidied = tidied.lstrip("\r\n")
    return tidied
