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

import functools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from qc.batch import Batch
from qc.copyright_notices import COPYRIGHT_RE
from qc.matcher import _UNANCHORED, _re2_binding, compile_re2
from qc.rulespec import DATES, FindingRow, RuleSpec, ScanPattern

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
    hi = min(len(text), end + CLAUSE_REACH)
    left, right = lo, hi
    for d in CLAUSE_DELIMITERS:  # one rfind and one find per delimiter, no generators (this runs per mention)
        i = text.rfind(d, lo, start)
        if i >= 0 and i + len(d) > left:
            left = i + len(d)
        i = text.find(d, end, hi)
        if 0 <= i < right:
            right = i
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
        return _calendar(year, mon, num(d) if d else None)
    return None


def _calendar(year: int, mon: int | None, day: int | None) -> tuple[int, int | None, int | None] | None:
    """The mention's fields when they name a real calendar date (2020-02-30 and month 13 do not)."""
    if mon is not None and not 1 <= mon <= 12:
        return None
    if day is not None:
        try:
            date(year, mon or 1, day)
        except ValueError:
            return None
    return year, mon, day


def is_later(mention: tuple[int, int | None, int | None], posted: pd.Timestamp) -> bool:
    """True when the mention, at its own precision, is after the post (a day of slack for time zones)."""
    year, mon, day = mention
    if mon is None:
        return year > posted.year
    if day is None:
        return (year, mon) > (posted.year, posted.month)
    return date(year, mon, day) > (posted + timedelta(days=1)).date()


#: PAST_CUE_RE without its word boundaries: wherever a cue matches inside a clause, this matches in the text.
_PAST_CUE_ANYWHERE = "(?:" + PAST_CUE_RE.replace(r"\b", "") + ")"
#: Text between a mention's year and a cue in its clause: no sentence stop (clauses end at one, and no mention
#: holds one). Newlines may fall inside a mention ("May\n16, 2023"), so they are allowed here.
_CLAUSE_GAP = "[^。！？；;!?]*"


def later_year_regex(year: int) -> str:
    """A year from ``year`` on, not inside a longer number: a row without one is never scanned."""
    return r"(?:^|\D)" + years_from(year) + r"(?:\D|$)"


@functools.lru_cache(maxsize=256)
def past_cue_regex(year: int) -> str:
    """A year from ``year`` on and a past cue in one stretch of text with no sentence stop between them.

    A mention's year and the past cue of its clause always are (in either order), so with ``require_past_cue``
    the rows that do not match cannot have a finding, and most rows, whose later years are all plans and
    targets, are left out before any per-row work.
    """
    years = years_from(year)
    return years + _CLAUSE_GAP + _PAST_CUE_ANYWHERE + "|" + _PAST_CUE_ANYWHERE + _CLAUSE_GAP + years


#: A parsed mention: (start, end) in characters and its (year, month or None, day or None).
Mention = tuple[int, int, tuple[int, int | None, int | None]]

#: Per alternative of :func:`mention_regex`: the group numbers of (year, month, day) (0 = absent) and whether
#: the month is a name. Group numbers follow the regex's left-to-right order (it has no unnamed groups).
_ALTERNATIVES = ((1, 2, 3, False), (4, 5, 6, False), (9, 7, 8, True), (12, 11, 10, True), (14, 13, 0, True),
                 (15, 0, 0, False))


@functools.lru_cache(maxsize=256)
def _mention_re(year: int) -> Any:
    """The compiled mention regex for years from ``year`` on (built and compiled once per year)."""
    compiled = compile_re2(mention_regex(years_from(year)))
    names = ("zy", "zm", "zd", "iy", "im", "id", "em", "ed", "ey", "fd", "fm", "fy", "gm", "gy", "hy")
    assert [compiled.groupindex[n] for n in names] == list(range(1, 16))  # _ALTERNATIVES relies on it
    return compiled


def _mention_fields(data: bytes, spans: list[tuple[int, int]]) -> tuple[int, int | None, int | None] | None:
    """:func:`_mention_date` on one match's raw group spans (UTF-8 byte offsets into ``data``)."""
    for y, m, d, named in _ALTERNATIVES:
        ys, ye = spans[y]
        if ye <= ys:
            continue
        year = int(data[ys:ye])
        mon = day = None
        if m and spans[m][1] > spans[m][0]:
            value = data[spans[m][0] : spans[m][1]]
            mon = MONTHS.get(value[:3].decode().lower()) if named else int(value)
        if d and spans[d][1] > spans[d][0]:
            day = int(data[spans[d][0] : spans[d][1]])
        return _calendar(year, mon, day)
    return None


def _mentions(text: str, year: int) -> list[Mention]:
    """Every calendar mention of a year from ``year`` on in ``text``, as ``finditer`` over
    :func:`mention_regex` finds them (mentions that are no calendar date are left out).

    Runs RE2 on the UTF-8 bytes through the binding's matcher: one call per match returns every group's
    span, with none of the per-match ``groupdict`` work of the public API. The regex never matches empty, so
    each search resumes where the last match ended, as ``finditer`` does.
    """
    compiled = _mention_re(year)
    if _re2_binding is None:  # pragma: no cover - an older or different re2 binding
        return _mentions_public(compiled, text)
    match = compiled._regexp.Match
    data = text.encode("utf-8")
    ascii_only = len(data) == len(text)
    to_chars = _re2_binding.BytesToCharLen
    out: list[Mention] = []
    pos, size = 0, len(data)
    last_byte = last_char = 0
    while True:
        spans = match(_UNANCHORED, data, pos, size)
        start, pos = spans[0]
        if start < 0:
            return out
        fields = _mention_fields(data, spans)
        if fields is None:
            continue
        # Chinese mentions end with their own 年/月/日; the others end at their last field (the trailing
        # non-digit guard is not evidence).
        end = pos if spans[1][1] > spans[1][0] else max(e for s, e in spans[1:] if e > s)
        if ascii_only:
            out.append((start, end, fields))
            continue
        char_start = last_char + to_chars(data, last_byte, start)
        char_end = char_start + to_chars(data, start, end)
        last_byte, last_char = end, char_end
        out.append((char_start, char_end, fields))


def _mentions_public(compiled: Any, text: str) -> list[Mention]:
    """:func:`_mentions` through the public ``finditer`` API (the fallback, and the reference in tests)."""
    out: list[Mention] = []
    for match in compiled.finditer(text):
        groups = {k: v for k, v in match.groupdict().items() if v}
        mention = _mention_date(groups)
        if mention is None:
            continue
        end = match.end() if "zy" in groups else max(match.end(compiled.groupindex[g]) for g in groups)
        out.append((match.start(), end, mention))
    return out


def _matches(column: pa.Array, regex: str) -> np.ndarray:
    """Per value of ``column``, whether ``regex`` matches anywhere in it (nulls never do): one RE2 pass."""
    return np.asarray(pc.fill_null(pc.match_substring_regex(column, regex), False).to_numpy(zero_copy_only=False))


def _search(compiled: Any, text: str) -> bool:
    """``compiled.search(text) is not None``, through the binding's matcher when it is there (no Match object)."""
    if _re2_binding is None:  # pragma: no cover - an older or different re2 binding
        return compiled.search(text) is not None
    data = text.encode("utf-8")
    return bool(compiled._regexp.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0)


class Spec(RuleSpec):
    """A rule that flags dates in the body that are later than the post and not told as future."""

    KIND: ClassVar[str] = "body_dates"
    FEATURES: ClassVar[frozenset[str]] = frozenset({DATES})

    require_past_cue: bool = False
    """The mention's clause must also tell it as past (了, 已, 完成, was, had, ago, last…)."""
    compare_with: str = Field(default="posted", pattern="^(posted|captured)$")
    """Compare mentions with the post date (posted) or the capture (captured)."""
    limit: int = Field(default=5, ge=1)
    """Findings per document, at most."""

    def scan_patterns(self) -> list[ScanPattern]:
        """The mention regex, prefiltered over the text column."""
        return [ScanPattern(key=f"{self.code}#0", regex=MENTION_RE, field="text")]

    @staticmethod
    def _skipped_spans(batch: Batch, row: int, text: str) -> list[tuple[int, int]]:
        """Chrome spans in the text (copyright footers, the post and capture stamps) that are not the body."""
        spans = [(m.start(), m.end()) for m in compile_re2(COPYRIGHT_RE).finditer(text)]
        chrome: list[tuple[np.ndarray, np.ndarray]] | None = batch.memo.get("body_dates.chrome")
        if chrome is None:  # the stamp columns as plain arrays, once per batch (no per-row pandas lookups)
            frame = batch.frame
            chrome = batch.memo["body_dates.chrome"] = [
                (frame[f"{t}_chrome_start"].to_numpy(dtype="float64", na_value=np.nan),
                 frame[f"{t}_chrome_end"].to_numpy(dtype="float64", na_value=np.nan))
                for t in ("posted", "captured")
            ]
        for starts, ends in chrome:
            start = starts[row]
            if not np.isnan(start):
                spans.append((int(start), int(ends[row])))
        return spans

    def _rows_with_later_years(self, batch: Batch) -> list[int]:
        """Candidate rows whose text names a year no earlier than their reference year (and, when the rule
        requires a past cue, has such a year and a past cue in one clause; see :func:`past_cue_regex`).

        Vectorised: with a past cue required, the batch's text column is first matched once against the
        past-cue regex for any year (shared by the kind's rules); then rows are grouped by reference year and
        each group is matched, through pyarrow's RE2 kernel, against one regex for "any year from Y to 2099"
        (then the past-cue one for Y); only survivors are scanned per row.
        """
        rows = batch.candidates.get(f"{self.code}#0")
        if rows is None or len(rows) == 0:
            return []
        column = batch.utf8("text")
        if self.require_past_cue:
            cued: np.ndarray | None = batch.memo.get("body_dates.cued")
            if cued is None:
                cued = batch.memo["body_dates.cued"] = _matches(column, past_cue_regex(1900))
            rows = rows[cued[rows]]
        reference = batch.frame[f"{self.compare_with}_ts"].iloc[rows]
        keep = reference.notna().to_numpy()
        rows, years = rows[keep], reference[keep].dt.year.to_numpy()
        survivors: list[int] = []
        for year in np.unique(years).tolist():
            group = rows[years == year]
            for regex in (later_year_regex(year), past_cue_regex(year)) if self.require_past_cue else (
                    later_year_regex(year),):
                if len(group) == 0:
                    break
                group = group[_matches(column.take(pa.array(group, type=pa.int64())), regex)]
            survivors.extend(group.tolist())
        return sorted(survivors)

    @staticmethod
    def _cues(batch: Batch, row: int, text: str, start: int, end: int) -> tuple[bool, bool]:
        """(told as future, told as past) for the mention text[start:end] of ``row``, from its clause.

        Depends on the text alone, not on the rule, so it is memoised on the batch: every ``body_dates`` rule
        (DT020 against the post, DT021 against the capture) judges a mention once.
        """
        key = ("body_dates.cues", row, start, end)
        cues: tuple[bool, bool] | None = batch.memo.get(key)
        if cues is None:
            clause = _clause(text, start, end)
            cues = batch.memo[key] = (_search(compile_re2(FUTURE_CUE_RE), clause),
                                      _search(compile_re2(PAST_CUE_RE), clause))
        return cues

    @staticmethod
    def _is_body(batch: Batch, row: int, text: str, start: int, end: int) -> bool:
        """False when the mention text[start:end] of ``row`` is chrome: a footer or stamp, a link, a dated edit.

        Memoised on the batch like :meth:`_cues`, and asked only for mentions whose cues already make a finding:
        the row's chrome spans (a copyright search over the whole text) are found only where they can matter.
        """
        key = ("body_dates.body", row, start, end)
        body: bool | None = batch.memo.get(key)
        if body is not None:
            return body
        skipped_key = ("body_dates.skipped", row)
        skipped: list[tuple[int, int]] | None = batch.memo.get(skipped_key)
        if skipped is None:
            skipped = batch.memo[skipped_key] = Spec._skipped_spans(batch, row, text)
        body = batch.memo[key] = not (
            any(s < end and e > start for s, e in skipped)
            or _search(compile_re2(CHROME_CUE_RE), text[max(0, start - 12) : start])
            or _in_url(text, start))
        return body

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield later-than-post mentions (outside chrome, not future-cued), at most ``limit`` per document.

        Cost is kept to the rows and mentions that can matter: rows are prefiltered by year and, when a past
        cue is required, by a year and a past cue in one clause (vectorised); each row's mentions are parsed
        once per reference year and shared between the kind's rules (batch memo); the clause cues are looked at
        only for mentions later than the reference, and the chrome and link checks only for cued ones.
        """
        frame = batch.frame
        rows = self._rows_with_later_years(batch)
        # Only the surviving rows' values become Python objects, each column in one go.
        references = frame[f"{self.compare_with}_ts"].iloc[rows].tolist()
        sources = frame[f"{self.compare_with}_source"].iloc[rows].tolist()
        texts = frame["text"].iloc[rows].tolist()
        basis = "post" if self.compare_with == "posted" else "capture"
        for row, posted, source, text in zip(rows, references, sources, texts, strict=True):
            key = ("body_dates.mentions", row, posted.year)
            mentions: list[Mention] | None = batch.memo.get(key)
            if mentions is None:
                mentions = batch.memo[key] = _mentions(text, posted.year)
            slack = (posted + timedelta(days=1)).date()
            year_month = (posted.year, posted.month)
            emitted = 0
            for start, end, (year, mon, day) in mentions:
                # is_later(), inlined: the reference's parts are computed once per row, not per mention.
                if mon is None:
                    later = year > posted.year
                elif day is None:
                    later = (year, mon) > year_month
                else:
                    later = date(year, mon, day) > slack
                if not later:
                    continue
                # Cheap rejects first: the clause cues, then the chrome checks (a search over the whole text).
                future, past = self._cues(batch, row, text, start, end)
                if future or (self.require_past_cue and not past):
                    continue
                if not self._is_body(batch, row, text, start, end):
                    continue
                found = text[start:end]
                value = f"{found} is after the {basis} ({posted.strftime('%Y-%m-%d')}, {source})"
                yield FindingRow(row=row, start=start, end=end, match=found,
                                 message=self.format_message(found, value=value))
                emitted += 1
                if emitted >= self.limit:
                    break
