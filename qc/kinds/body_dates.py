"""``body_dates``: dates in the text that are later than the post yet told as past.

A post cannot report what had not happened when it was posted: "2023年,我市完成了…" in a post dated 2020 is
a re-dated template or a wrong ``posted_at``. Mentions are dates and years in Chinese and English
("2023年5月", "2023-05-16", "May 16, 2023", "16 May 2023", "in 2023"), compared with ``posted_at`` (or the
date recovered from chrome) at their own precision: a year with the post's year, a month with its month,
a day with its day plus one day of time-zone slack. Mentions without a year ("3月29日") cannot be placed and
are left alone.

Future plans and targets are fine: a mention whose clause holds a future cue (到2035年, 预计, 计划, 将,
by 2030, will, expected…) is skipped. Chrome is not the body: dates inside the chrome stamps, copyright
footers, URLs and right after "发表于 / 编辑于 / updated / posted" are skipped. With ``require_past_cue`` the
clause must also tell the date as past (了, 已, 完成, was, had, ago, last…), which is what makes the
finding stronger. With ``compare_with: captured`` the mention is compared with the capture instead: a
date told as past that is later than the capture itself cannot be true of any page. Keys:
``require_past_cue``, ``compare_with`` (posted|captured), ``limit`` (findings per document).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pydantic import Field

from qc.batch import Batch
from qc.chrome_dates import arrow_texts
from qc.kinds.copyright_stale import COPYRIGHT_RE
from qc.matcher import compile_re2
from qc.rulespec import FindingRow, RuleSpec, ScanPattern

_Y = r"(?:19|20)\d{2}"
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
_MONTH_NAMES = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def mention_regex(year: str = _Y) -> str:
    """The mention regex, with ``year`` as the year sub-pattern.

    One alternation, most precise shapes first (RE2 is leftmost-first); years must not continue a number.
    """
    return (
        r"(?P<zy>" + year + r")\s*年(?:\s*(?P<zm>\d{1,2})\s*月(?:\s*(?P<zd>\d{1,2})\s*[日号])?)?"
        r"|(?P<iy>" + year + r")[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?:\D|$)"
        r"|(?P<em>" + _MON + r")[a-z]*\.?\s+(?P<ed>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<ey>" + year + r")(?:\D|$)"
        r"|(?P<fd>\d{1,2})(?:st|nd|rd|th)?\s+(?P<fm>" + _MON + r")[a-z]*\.?,?\s+(?P<fy>" + year + r")(?:\D|$)"
        r"|(?P<gm>" + _MONTH_NAMES + r")\s+(?P<gy>" + year + r")(?:\D|$)"
        r"|\b(?i:in|since|during|throughout)\s+(?P<hy>" + year + r")(?:\D|$)"
    )


MENTION_RE = mention_regex()


def years_from(year: int) -> str:
    """A regex matching any year from ``year`` to 2099 (so earlier mentions are never even matched)."""
    return "(?:" + "|".join(str(y) for y in range(max(year, 1900), 2100)) + ")"


#: Text right before a mention that makes it a chrome stamp, not the body's own date.
CHROME_CUE_RE = (
    r"(?i:发表于|发表|编辑于|编辑|更新于|更新|修改|发布于|发布|最后|访问|updated|posted|published|edited|modified"
    r"|retrieved|accessed|archived|GMT)(?:\s*(?i:on|at|于))?\W{0,3}$"
)
FUTURE_CUE_RE = (
    r"到|至|预计|计划|将|力争|争取|目标|[年底]前|以前|之前|届时|展望|规划|有望|预期|要|拟|准备|即将|未来|明年|远景|愿景|起"
    r"|(?i:\b(?:will|would|shall|by|until|till|through|plans?|planned|planning|expects?|expected|forecasts?"
    r"|projected|projections?|scheduled?|targets?|goals?|aims?|upcoming|next|future|set to|due|slated|coming"
    r"|could|may|might|should|hopes?|intends?|proposed?|deadline|before|ahead|outlook|estimated?|predicts?"
    r"|predicted|season|elections?|budget|fiscal|start|starts|starting|begin|begins|beginning|from|able to)\b)"
)
PAST_CUE_RE = (
    r"了|已|曾|完成|取得|同比|较上年|比上年|回顾|去年|过去"
    # Event verbs only: "he said" dates the statement, not the event it mentions.
    r"|(?i:\b(?:was|were|had|did|happened|occurred|took place|ago|last|earlier|previously|released|launched"
    r"|opened|closed|completed|died|won|lost|became|founded)\b)"
)
#: Clause delimiters: a future/past cue counts only in the mention's own clause (at most 200 chars each side).
CLAUSE_DELIMITERS = ("。", "！", "？", "；", ";", "!", "?", "\n", ". ")
CLAUSE_REACH = 200


def _in_url(text: str, start: int) -> bool:
    """True when the mention continues a URL or path token (…/2019/11/18/slug is a link, not a claim)."""
    token_start = max(text.rfind(c, max(0, start - 200), start) for c in " \n\t") + 1
    prefix = text[token_start:start]
    return "/" in prefix or "www." in prefix


def _clause(text: str, start: int, end: int) -> str:
    """The clause around text[start:end]: from the previous delimiter to the next one (plain str scans)."""
    lo = max(0, start - CLAUSE_REACH)
    left = max((text.rfind(d, lo, start) + len(d) for d in CLAUSE_DELIMITERS if text.rfind(d, lo, start) >= 0),
               default=lo)
    hi = min(len(text), end + CLAUSE_REACH)
    right = min((i for i in (text.find(d, end, hi) for d in CLAUSE_DELIMITERS) if i >= 0), default=hi)
    return text[left:right]


def _mention_date(groups: dict[str, str | None]) -> tuple[int, int | None, int | None] | None:
    """(year, month or None, day or None) of a mention, or None when the fields are no calendar date."""
    def num(name: str) -> int | None:
        value = groups.get(name)
        return int(value) if value else None

    def month(name: str) -> int | None:
        value = groups.get(name)
        return MONTHS.get(value[:3].lower()) if value else None

    for y, m, d, named in (("zy", "zm", "zd", False), ("iy", "im", "id", False), ("ey", "em", "ed", True),
                           ("fy", "fm", "fd", True), ("gy", "gm", "", True), ("hy", "", "", False)):
        year = num(y)
        if year is None:
            continue
        mon = (month(m) if named else num(m)) if m else None
        day = num(d) if d else None
        if mon is not None and not 1 <= mon <= 12:
            return None
        if day is not None:
            try:
                date(year, mon or 1, day)
            except ValueError:
                return None
        return year, mon, day
    return None


def is_later(mention: tuple[int, int | None, int | None], posted: pd.Timestamp) -> bool:
    """True when the mention, at its own precision, is after the post (a day of slack for time zones)."""
    year, mon, day = mention
    if mon is None:
        return year > posted.year
    if day is None:
        return (year, mon) > (posted.year, posted.month)
    return date(year, mon, day) > (posted + timedelta(days=1)).date()


class Spec(RuleSpec):
    """A rule that flags dates in the body that are later than the post and not told as future."""

    KIND: ClassVar[str] = "body_dates"

    require_past_cue: bool = False
    compare_with: str = Field(default="posted", pattern="^(posted|captured)$")
    limit: int = Field(default=5, ge=1)

    def scan_patterns(self) -> list[ScanPattern]:
        """The mention regex, prefiltered over the text column."""
        return [ScanPattern(key=f"{self.code}#0", regex=MENTION_RE, field="text")]

    @staticmethod
    def _skipped_spans(chrome: list[tuple[pd.Series, pd.Series]], row: int, text: str) -> list[tuple[int, int]]:
        """Chrome spans in the text (copyright footers, the post and capture stamps) that are not the body."""
        spans = [(m.start(), m.end()) for m in compile_re2(COPYRIGHT_RE).finditer(text)]
        for starts, ends in chrome:
            start = starts.iat[row]
            if not pd.isna(start):
                spans.append((int(start), int(ends.iat[row])))
        return spans

    def _rows_with_later_years(self, batch: Batch) -> list[int]:
        """Candidate rows whose text names a year no earlier than their reference year.

        Vectorised: rows are grouped by reference year and each group is matched once, through pyarrow's
        RE2 kernel, against one regex for "any year from Y to 2099"; only survivors are scanned per row.
        """
        rows = batch.candidates.get(f"{self.code}#0")
        if rows is None or len(rows) == 0:
            return []
        reference = batch.frame[f"{self.compare_with}_ts"].iloc[rows]
        keep = reference.notna().to_numpy()
        rows, years = rows[keep], reference[keep].dt.year.to_numpy()
        texts = batch.frame["text"]
        survivors: list[int] = []
        for year in np.unique(years).tolist():
            group = rows[years == year]
            column = arrow_texts(texts.iloc[group])
            regex = r"(?:^|\D)" + years_from(year) + r"(?:\D|$)"
            hits = pc.fill_null(pc.match_substring_regex(column, regex), False).to_numpy(zero_copy_only=False)
            survivors.extend(group[hits].tolist())
        return sorted(survivors)

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield later-than-post mentions (outside chrome, not future-cued), at most ``limit`` per document."""
        frame = batch.frame
        chrome_cue = compile_re2(CHROME_CUE_RE)
        future_cue = compile_re2(FUTURE_CUE_RE)
        past_cue = compile_re2(PAST_CUE_RE)
        reference = frame[f"{self.compare_with}_ts"]
        sources = frame[f"{self.compare_with}_source"]
        texts = frame["text"]
        chrome = [(frame[f"{t}_chrome_start"], frame[f"{t}_chrome_end"]) for t in ("posted", "captured")]
        for row in self._rows_with_later_years(batch):
            posted = reference.iat[row]
            text = texts.iat[row]
            skipped: list[tuple[int, int]] | None = None
            emitted = 0
            regex = compile_re2(mention_regex(years_from(posted.year)))
            for match in regex.finditer(text):
                groups = {k: v for k, v in match.groupdict().items() if v}
                mention = _mention_date(groups)
                if mention is None or not is_later(mention, posted):
                    continue
                start = match.start()
                # Chinese mentions end with their own 年/月/日; the others end at their last field (the
                # trailing non-digit guard is not evidence).
                end = match.end() if "zy" in groups else max(match.end(regex.groupindex[g]) for g in groups)
                if skipped is None:
                    skipped = self._skipped_spans(chrome, row, text)
                if any(s < end and e > start for s, e in skipped):
                    continue
                if chrome_cue.search(text[max(0, start - 12) : start]) or _in_url(text, start):
                    continue
                clause = _clause(text, start, end)
                if future_cue.search(clause):
                    continue
                if self.require_past_cue and not past_cue.search(clause):
                    continue
                found = text[start:end]
                basis = "post" if self.compare_with == "posted" else "capture"
                source = sources.iat[row]
                value = f"{found} is after the {basis} ({posted.strftime('%Y-%m-%d')}, {source})"
                yield FindingRow(row=row, start=start, end=end, match=found,
                                 message=self.format_message(found, value=value))
                emitted += 1
                if emitted >= self.limit:
                    break
