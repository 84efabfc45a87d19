"""``copyright_stale``: a copyright footer older than the post it frames.

A footer such as "© 2013-2016 Example Inc." is site template; when its newest year is older than the
post, the template (and often the whole page) was not maintained, and the scrape kept chrome from a stale
page. Only footers in the tail of the text count (the last ``tail_fraction`` of it, or its last
``tail_lines`` lines, on a line of at most ``max_line_chars``): an author's "© 2002 Jane Doe" under a
title is a credit, and a long sentence about copyright is prose, not chrome. On a page with
several footers the newest year speaks for the template; an open range ("© 2000-", "2000-present",
"2000至今") is kept current and is never stale.

The reference is the post year (``posted_at``, or the date recovered from chrome) when known: stale when
the footer ends more than ``max_years_before_post`` years before it. Without a post date it is the
capture year, with ``max_years_before_capture``. Keys: those two, ``tail_fraction``, ``tail_lines``,
``max_line_chars``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from qc.batch import Batch
from qc.matcher import compile_re2
from qc.rulespec import FindingRow, RuleSpec, ScanPattern

_YEAR = r"(?:19|20)\d{2}"
#: A copyright mark, up to 40 characters of owner text, then a year, a year list or a year range. The
#: year must not continue a longer number (licence numbers such as 豫B2-20041234 are not years).
COPYRIGHT_RE = (
    r"(?i:©|\(c\)|&copy;|copyright|版权所有)(?:[^\n]{0,40}?[^\d\n])?"
    r"(?P<first>" + _YEAR + r")"
    r"(?P<rest>(?:\s*(?:[-–—~～,，至]|to)\s*" + _YEAR + r")*)"
    r"(?P<open>(?:-|–|—)(?:\s|$)|\s*[-–—]\s*(?i:present|now|today)|至今)?"
    r"(?:\D|$)"
)
#: The years of a footer's matched year list. Those are ASCII digits and separators only (RE2's ``\d`` is ASCII),
#: so Python's ``re`` with ``[0-9]`` finds the same years, without a round trip through the RE2 binding.
_YEARS = re.compile(r"(?:19|20)[0-9]{2}")


class Spec(RuleSpec):
    """A rule that flags copyright footers whose newest year is older than the post (or the capture)."""

    KIND: ClassVar[str] = "copyright_stale"

    max_years_before_post: int = Field(default=0, ge=0)
    """Years the newest footer year may lag the post year."""
    max_years_before_capture: int = Field(default=3, ge=0)
    """Years it may lag the capture year when the post has no date."""
    tail_fraction: float = Field(default=0.5, gt=0.0, le=1.0)
    """A footer counts in this last share of the text, or in the last tail_lines lines."""
    tail_lines: int = Field(default=5, ge=0)
    """A footer counts in these last lines, or in the last tail_fraction of the text."""
    max_line_chars: int = Field(default=300, ge=1)
    """Longest footer line (a longer one is prose about copyright)."""

    def scan_patterns(self) -> list[ScanPattern]:
        """The copyright footer regex, prefiltered over the text column with every other pattern."""
        return [ScanPattern(key=f"{self.code}#0", regex=COPYRIGHT_RE, field="text")]

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield one finding per document whose newest tail footer is older than its reference year."""
        frame = batch.frame
        footers: dict[int, list[tuple[int, int, str, int | None]]] = {}
        regex = compile_re2(COPYRIGHT_RE)
        groups = regex.groupindex
        for pattern in self.scan_patterns():
            rows = batch.candidates.get(pattern.key)
            if rows is None:
                continue
            # The candidates' texts become Python strings in one go (no per-row frame lookups).
            for row, text in zip(rows.tolist(), frame["text"].iloc[rows].tolist(), strict=True):
                if not isinstance(text, str):
                    continue
                tail_start = int(len(text) * (1.0 - self.tail_fraction))
                for match in regex.finditer(text):
                    if match.start() < tail_start and text.count("\n", match.start()) > self.tail_lines:
                        continue
                    line_start = text.rfind("\n", 0, match.start()) + 1
                    line_end = text.find("\n", match.start())
                    if (line_end if line_end >= 0 else len(text)) - line_start > self.max_line_chars:
                        continue  # a footer is a short line; a long one is prose about copyright
                    is_open = bool(match.group("open"))
                    # The trailing non-digit guard is not part of the evidence.
                    end = max(match.end(groups["first"]), match.end(groups["rest"]))
                    newest = None if is_open else max(
                        int(y) for y in _YEARS.findall(match.group("first") + (match.group("rest") or "")))
                    footers.setdefault(row, []).append(
                        (match.start(), end, text[match.start() : end], newest))
        stale = [(row, found) for row, found in sorted(footers.items())
                 if not any(newest is None for *_, newest in found)]
        # The reference columns for those rows only, each in one go.
        take = [row for row, _ in stale]
        posted_ts, captured_ts, posted_src, captured_src = (frame[name].iloc[take].tolist() for name in (
            "posted_ts", "captured_ts", "posted_source", "captured_source"))
        for (row, found), posted, captured, posted_source, captured_source in zip(
                stale, posted_ts, captured_ts, posted_src, captured_src, strict=True):
            start, end, text, newest = max(found, key=lambda f: (f[3] or 0, -f[0]))
            assert newest is not None
            if not pd.isna(posted):
                gap, limit, basis = posted.year - newest, self.max_years_before_post, "post"
                ref = f"{posted.year} ({posted_source})"
            elif not pd.isna(captured):
                gap, limit, basis = captured.year - newest, self.max_years_before_capture, "capture"
                ref = f"{captured.year} ({captured_source})"
            else:
                continue
            if gap > limit:
                value = f"footer ends {newest}, {gap} years before the {basis} year {ref}"
                yield FindingRow(row=row, start=start, end=end, match=text,
                                 message=self.format_message(text, value=value))
