"""``relative_date``: a relative time stamp left unresolved ("发表于 3 天前", "昨天 12:30", "2 hours ago").

A relative stamp means nothing once the page is stored: "3 天前" is a different day for every reader. The
scraper should have resolved it against the capture time. Each finding says what it resolves to when
``captured_at`` is known (from the field or the page's own chrome), so the fix is in the message.

Narrative is not a stamp: "三年前我来到这里" and "he left two hours ago" are prose. A match counts when a
posting cue precedes it on its line (发表于, 回复于, posted, updated…), when it has a clock time (昨天 12:30,
yesterday at 9:15), or when its line is short (at most ``max_line_chars``), as stamps stand alone in
scraped chrome. With ``require_cue`` only cued stamps count: "发表于 3 天前" is the post's own date left
unresolved, while a bare "2 hours ago" is usually a sidebar or a comment. With ``only_undated`` a post
that has an absolute date (field or chrome) is skipped: its relative stamps are chrome, not its only date.
Keys: ``require_cue``, ``only_undated``, ``max_line_chars``, ``limit`` (findings per document).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from qc.batch import Batch
from qc.chrome_dates import show
from qc.lines import previous_line
from qc.matcher import compile_re2
from qc.rulespec import DATES, FindingRow, RuleSpec, ScanPattern

_ZH_NUM = r"(?:\d+|[一二两三四五六七八九十半几]+)"
_EN_NUM = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)"
_EN_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y)"
RELATIVE_RE = (
    # Compound ages are read whole: "1 hour 19 minutes ago", "4 years, 4 months ago", "1天2小时前".
    r"(?P<zc>(?:" + _ZH_NUM + r"\s*(?:秒钟|秒|分钟|个小时|小时|天|周|星期|个月|年)\s*(?:零|又)?\s*)+)前"
    r"|(?P<zday>今天|昨天|前天)\s*(?P<zclock>\d{1,2}:\d{2})"
    r"|(?i:\b(?P<ec>(?:" + _EN_NUM + r"\s*" + _EN_UNIT + r"\b,?\s*(?:and\s+)?)+)ago\b)"
    r"|(?i:\b(?P<eday>yesterday|today)\s+at\s+(?P<eclock>\d{1,2}:\d{2}))"
)
#: Cues that date the post itself: a relative stamp after one is the post's own date left unresolved.
POSTING_CUE_RE = r"(?i:发表于|发布于|回复于|发表|发布|posted|published|asked|answered|replied|submitted|veröffentlicht)"
#: Cues of a later edit: "modified 3 days ago" is not the post's date, and is never counted as its cue.
EDIT_CUE_RE = r"(?i:更新于|编辑于|修改于|updated|modified|edited|active|viewed|last\s+seen)\W{0,3}$"
#: A byline before the stamp on its line: "By Jane Doe – 1 day ago", "Jane Doe • 29 minutes ago",
#: "Chris Atkinson | 6 mins ago |", "Alex Perry 1 day ago" (one to four capitalised words).
BYLINE_BEFORE_RE = (
    r"(?:^|\n)[ \t]*(?:(?i:by|von|par|por|di|door)\s+[^\n]{1,60}?[\s,|•·–—-]*"
    r"|[^\n]{1,60}?\s*[|•·–—]\s*"
    r"|\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*){0,3}\s+)$"
)
#: A byline alone on the line above a stamp: "By Sandee LaMotte, CNN" or a bare name ("Suzanne Gamboa").
BYLINE_LINE_RE = (
    r"^(?:(?i:by|von|par|por|di|door)\s+\S[^\n]{0,60}"
    r"|\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*){1,3})$"
)
_UNIT_PART = re.compile(
    r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|[一二两三四五六七八九十半几]+)"
    r"\s*([a-z]+|秒钟|秒|分钟|个小时|小时|天|周|星期|个月|年)", re.IGNORECASE)
_UNITS = {
    "秒钟": "s", "秒": "s", "分钟": "min", "个小时": "h", "小时": "h", "天": "D", "周": "W", "星期": "W",
    "个月": "M", "年": "Y", "second": "s", "sec": "s", "minute": "min", "min": "min", "hour": "h", "hr": "h",
    "h": "h", "day": "D", "d": "D", "week": "W", "wk": "W", "w": "W", "month": "M", "mo": "M", "year": "Y",
    "yr": "Y", "y": "Y",
}
_EN_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
             "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2, "today": 0, "yesterday": 1}


def _count(value: str) -> float | None:
    if value.isdigit():
        return float(value)
    if value.lower() in _EN_WORDS:
        return _EN_WORDS[value.lower()]
    if value == "半":
        return 0.5
    if value in _ZH_DIGITS:
        return float(_ZH_DIGITS[value])
    if len(value) == 2 and value[0] == "十" and value[1] in _ZH_DIGITS:  # 十五
        return 10.0 + _ZH_DIGITS[value[1]]
    if len(value) == 2 and value[1] == "十" and value[0] in _ZH_DIGITS:  # 二十
        return 10.0 * _ZH_DIGITS[value[0]]
    return None  # 几天前: a few days, not a number


def _unit(word: str) -> str | None:
    word = word.lower()
    return _UNITS.get(word) or (_UNITS.get(word[:-1]) if word.endswith("s") else None)


def resolve(groups: dict[str, str], captured: pd.Timestamp) -> str | None:
    """The date a relative stamp points to, seen from ``captured`` (UTC), or None if it is vague.

    A compound age ("1 hour 19 minutes", "4 years, 4 months") is the sum of its parts.
    """
    day = groups.get("zday") or groups.get("eday")
    if day:
        return (captured - pd.Timedelta(days=_DAYS_BACK[day.lower()])).strftime("%Y-%m-%d") + " " + (
            groups.get("zclock") or groups.get("eclock") or "")
    parts = _UNIT_PART.findall(groups.get("zc") or groups.get("ec") or "")
    if not parts:
        return None
    months = 0
    seconds = 0.0
    for number, word in parts:
        amount, unit = _count(number), _unit(word)
        if amount is None or unit is None:
            return None  # 几天前, "a few days ago": vague
        if unit in ("M", "Y"):
            months += int(amount * (12 if unit == "Y" else 1))
        else:
            seconds += amount * {"s": 1, "min": 60, "h": 3600, "D": 86400, "W": 604800}[unit]
    when = captured - pd.DateOffset(months=months) - pd.Timedelta(seconds, unit="s")
    return when.strftime("%Y-%m") if months and not seconds else show(when)


class Spec(RuleSpec):
    """A rule that flags relative time stamps the scraper left unresolved."""

    KIND: ClassVar[str] = "relative_date"
    FEATURES: ClassVar[frozenset[str]] = frozenset({DATES})

    max_line_chars: int = Field(default=30, ge=1)
    """A relative stamp alone on a line this short counts without a cue or clock."""
    require_cue: bool = False
    """Only stamps after a posting cue (发表于, 回复于, posted, updated…) count."""
    byline: bool = False
    """Also count the page's first stamp after the author's byline ("By Jane Doe – 1 day ago"): the post's date."""
    only_undated: bool = False
    """Skip posts that have an absolute date (field or chrome)."""
    limit: int = Field(default=5, ge=1)
    """Findings per document, at most."""

    def scan_patterns(self) -> list[ScanPattern]:
        """The relative-stamp regex, prefiltered over the text column."""
        return [ScanPattern(key=f"{self.code}#0", regex=RELATIVE_RE, field="text")]

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield stamp-like relative dates (cue, clock or a short line), at most ``limit`` per document."""
        frame = batch.frame
        rows = batch.candidates.get(f"{self.code}#0")
        if rows is None:
            return
        relative = compile_re2(RELATIVE_RE)
        cue = compile_re2(POSTING_CUE_RE)
        edit = compile_re2(EDIT_CUE_RE)
        byline_before = compile_re2(BYLINE_BEFORE_RE)
        byline_line = compile_re2(BYLINE_LINE_RE)
        for row in rows.tolist():
            text = frame["text"].iat[row]
            if not isinstance(text, str):
                continue
            captured = frame["captured_ts"].iat[row]
            if self.only_undated and not pd.isna(frame["posted_ts"].iat[row]):
                continue
            emitted = 0
            for index, match in enumerate(relative.finditer(text)):
                start, end = match.start(), match.end()
                groups = {k: v for k, v in match.groupdict().items() if v}
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", end)
                line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
                before = text[line_start:start]
                if edit.search(before):
                    continue  # "modified 3 days ago" dates an edit, not the post
                cued = cue.search(text[max(line_start, start - 20) : start]) is not None
                # A byline stamp is the post's own: the first relative stamp of the page, after the author's
                # name on its line, or alone on its line under a byline.
                byline = self.byline and index == 0 and (
                    byline_before.search(before) is not None
                    or (line == text[start:end] and byline_line.search(previous_line(text, line_start)) is not None))
                stamp_like = cued or byline or (not self.require_cue and (
                    "zclock" in groups or "eclock" in groups or len(line) <= self.max_line_chars))
                if not stamp_like:
                    continue
                found = text[start:end]
                if pd.isna(captured):
                    value = f"'{found}' cannot be resolved: no capture time"
                else:
                    target = resolve(groups, captured)
                    when = f"{show(captured)} ({frame['captured_source'].iat[row]})"
                    value = (f"'{found}' is about {target} as seen from the capture {when}" if target else
                             f"'{found}' is vague even from the capture {when}")
                yield FindingRow(row=row, start=start, end=end, match=found,
                                 message=self.format_message(found, value=value))
                emitted += 1
                if emitted >= self.limit:
                    break
