"""``copyright_stale``: a copyright footer older than the post it frames.

A footer such as "© 2013-2016 Example Inc." is site template; when its newest year is older than the
post, the template (and often the whole page) was not maintained, and the scrape kept chrome from a stale
page. Notices are read as a person reads them (:mod:`qc.copyright_notices`): short range ends ("2023-24"),
every dash, "2002 to 2006", open ranges ("© 1996-", "since 2010", "2000至今") kept current and never stale,
and the software vendor's notice ("Powered by Discuz! © 2001-2013 Comsenz") left out, since it dates the
forum software, not the site.

Where a footer counts: in the tail of the text (the last ``tail_fraction`` of it, or its last
``tail_lines`` lines), or anywhere past the head (the first ``head_lines`` non-blank lines) on a line
shaped like a footer: it starts with the mark or says "all rights reserved" in one of the common languages,
since a naive page may carry a comment thread, a sidebar or a script dump after its footer. An author's
"© 2002 Jane Doe" under a title is a credit, and a long line about copyright is prose: only lines of at most
``max_line_chars`` count. On a page with several notices the newest year speaks for the template.

The reference is the post year (``posted_at``, or the date recovered from the page's own stamp) when known:
stale when the footer ends more than ``max_years_before_post`` years before it. Without a post date it is the
capture year, with ``max_years_before_capture``. Keys: those two, ``tail_fraction``, ``tail_lines``,
``head_lines``, ``max_line_chars``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from qc.batch import Batch
from qc.copyright_notices import COPYRIGHT_RE, MARK_ONLY_RE, NOTICE_RE, read_notice
from qc.lines import previous_line
from qc.matcher import compile_re2
from qc.region import head_limit
from qc.rulespec import DATES, FindingRow, RuleSpec, ScanPattern

#: Words that make a notice line a footer wherever it is: a rights-reserved phrase in the common languages.
_RIGHTS = re.compile(
    r"(?i:all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|tous\s+droits\s+réservés|todos\s+los\s+derechos"
    r"|tutti\s+i\s+diritti|todos\s+os\s+direitos|alle\s+rechten\s+voorbehouden|wszelkie\s+prawa"
    r"|все\s+права|版权所有|版權所有|無断転載|저작권)"
)
#: A footer's usual neighbours: legal and contact links, alone on their line.
_LEGAL_LINK = re.compile(
    r"^\W{0,3}(?i:impressum|imprint|datenschutz\w*|privacy(?:\s+policy)?|terms(?:\s+of\s+(?:use|service))?"
    r"|kontakt|contact(?:\s+us)?|about(?:\s+us)?|über\s+uns|agb|legal|disclaimer|sitemap|cookies?\b.{0,20}"
    r"|mentions\s+légales|aviso\s+legal|política\s+de\s+privacidad|note\s+legali|colofon|免责声明|联系我们"
    r"|关于我们|隐私政策|网站地图)\W{0,3}$"
)


def _footer_context(text: str, line_start: int, line_end: int, reach: int = 3) -> bool:
    """True when the notice's line says "all rights reserved", or a legal/contact link line sits within
    ``reach`` non-blank lines of it (a footer in the middle of a naive page, above a cookie banner)."""
    if _RIGHTS.search(text, line_start, line_end):
        return True
    above = text[max(0, line_start - 400) : line_start].split("\n")
    below = text[line_end : line_end + 400].split("\n")
    near = [ln for ln in reversed(above) if ln.strip()][:reach] + [ln for ln in below if ln.strip()][:reach]
    return any(len(ln) <= 60 and _LEGAL_LINK.match(ln.strip()) for ln in near)


class Spec(RuleSpec):
    """A rule that flags copyright footers whose newest year is older than the post (or the capture)."""

    KIND: ClassVar[str] = "copyright_stale"
    FEATURES: ClassVar[frozenset[str]] = frozenset({DATES})

    max_years_before_post: int = Field(default=0, ge=0)
    """Years the newest footer year may lag the post year."""
    max_years_before_capture: int = Field(default=3, ge=0)
    """Years it may lag the capture year when the post has no date."""
    tail_fraction: float = Field(default=0.5, gt=0.0, le=1.0)
    """A footer counts in this last share of the text, or in the last tail_lines lines."""
    tail_lines: int = Field(default=5, ge=0)
    """A footer counts in these last lines, or in the last tail_fraction of the text."""
    head_lines: int = Field(default=5, ge=0)
    """Past these first non-blank lines, a footer-shaped line (the mark first, or all rights reserved) counts."""
    max_line_chars: int = Field(default=300, ge=1)
    """Longest footer line (a longer one is prose about copyright)."""

    def scan_patterns(self) -> list[ScanPattern]:
        """The copyright notice regex, prefiltered over the text column with every other pattern."""
        return [ScanPattern(key=f"{self.code}#0", regex=COPYRIGHT_RE, field="text")]

    def _notices(self, text: str) -> list[tuple[int, int, str, int | None]]:
        """The site's notices in ``text`` that count as footers: (start, end, evidence, newest year or None).

        RE2 finds the marks (a regex without groups: its fast path); each mark's line, short by then, is read
        with Python's ``re``. Vendor notices are left out; an open notice has no newest year.
        """
        tail_start = int(len(text) * (1.0 - self.tail_fraction))
        head_end = head_limit(text, self.head_lines, None) if self.head_lines else 0
        found: list[tuple[int, int, str, int | None]] = []
        seen_lines: set[int] = set()
        for mark_match in compile_re2(MARK_ONLY_RE).finditer(text):
            line_start = text.rfind("\n", 0, mark_match.start()) + 1
            if line_start in seen_lines:
                continue
            seen_lines.add(line_start)
            line_end = text.find("\n", mark_match.start())
            line_end = line_end if line_end >= 0 else len(text)
            if line_end - line_start > self.max_line_chars:
                continue  # a footer is a short line; a long one is prose about copyright
            line = text[line_start:line_end]
            above: str | None = None
            for match in NOTICE_RE.finditer(line):
                start = line_start + match.start()
                in_tail = start >= tail_start or text.count("\n", start) <= self.tail_lines
                if not in_tail and (start < head_end or not _footer_context(text, line_start, line_end)):
                    continue
                if above is None:
                    above = previous_line(text, line_start)
                group = "mark" if match.start("mark") >= 0 else "tail"
                span = match.group(0)
                notice = read_notice(span, match.start(group) - match.start(), match.end(group) - match.start(),
                                     line_before=line[: match.start()], previous_line=above,
                                     trailing=group == "tail")
                if notice is None or notice.vendor:
                    continue
                found.append((start + notice.start, start + notice.end, span[notice.start : notice.end],
                              notice.newest))
        return found

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield one finding per document whose newest footer is older than its reference year."""
        frame = batch.frame
        footers: dict[int, list[tuple[int, int, str, int | None]]] = {}
        for pattern in self.scan_patterns():
            rows = batch.candidates.get(pattern.key)
            if rows is None:
                continue
            # The candidates' texts become Python strings in one go (no per-row frame lookups).
            for row, text in zip(rows.tolist(), frame["text"].iloc[rows].tolist(), strict=True):
                if not isinstance(text, str):
                    continue
                notices = self._notices(text)
                if notices:
                    footers[row] = notices
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
