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

from collections.abc import Iterator
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from qc.batch import Batch
from qc.chrome_dates import show
from qc.matcher import compile_re2
from qc.rulespec import FindingRow, RuleSpec, ScanPattern

_ZH_NUM = r"(?:\d+|[一二两三四五六七八九十半几]+)"
RELATIVE_RE = (
    r"(?P<zn>" + _ZH_NUM + r")\s*(?P<zu>秒钟|秒|分钟|个小时|小时|天|周|星期|个月|年)前"
    r"|(?P<zday>今天|昨天|前天)\s*(?P<zclock>\d{1,2}:\d{2})"
    r"|(?i:\b(?P<en>\d+|an?|one)\s+(?P<eu>second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago\b)"
    r"|(?i:\b(?P<eday>yesterday|today)\s+at\s+(?P<eclock>\d{1,2}:\d{2}))"
)
POSTING_CUE_RE = r"(?i:发表于|发布于|回复于|更新于|编辑于|发表|发布|posted|updated|published|edited|replied|modified)"
_UNITS = {
    "秒钟": "s", "秒": "s", "分钟": "min", "个小时": "h", "小时": "h", "天": "D", "周": "W", "星期": "W",
    "个月": "M", "年": "Y", "second": "s", "sec": "s", "minute": "min", "min": "min", "hour": "h", "hr": "h",
    "day": "D", "week": "W", "month": "M", "year": "Y",
}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2, "today": 0, "yesterday": 1}


def _count(value: str) -> float | None:
    if value.isdigit():
        return float(value)
    if value.lower() in ("a", "an", "one"):
        return 1.0
    if value == "半":
        return 0.5
    if value in _ZH_DIGITS:
        return float(_ZH_DIGITS[value])
    if len(value) == 2 and value[0] == "十" and value[1] in _ZH_DIGITS:  # 十五
        return 10.0 + _ZH_DIGITS[value[1]]
    if len(value) == 2 and value[1] == "十" and value[0] in _ZH_DIGITS:  # 二十
        return 10.0 * _ZH_DIGITS[value[0]]
    return None  # 几天前: a few days, not a number


def resolve(groups: dict[str, str], captured: pd.Timestamp) -> str | None:
    """The date a relative stamp points to, seen from ``captured`` (UTC), or None if it is vague."""
    day = groups.get("zday") or groups.get("eday")
    if day:
        return (captured - pd.Timedelta(days=_DAYS_BACK[day.lower()])).strftime("%Y-%m-%d") + " " + (
            groups.get("zclock") or groups.get("eclock") or "")
    amount = _count(groups.get("zn") or groups.get("en") or "")
    unit = _UNITS.get((groups.get("zu") or groups.get("eu") or "").lower())
    if amount is None or unit is None:
        return None
    if unit in ("M", "Y"):
        months = amount * (12 if unit == "Y" else 1)
        return (captured - pd.DateOffset(months=int(months))).strftime("%Y-%m")
    delta = pd.Timedelta(amount * {"s": 1, "min": 60, "h": 3600, "D": 86400, "W": 604800}[unit], unit="s")
    return show(captured - delta)


class Spec(RuleSpec):
    """A rule that flags relative time stamps the scraper left unresolved."""

    KIND: ClassVar[str] = "relative_date"

    max_line_chars: int = Field(default=30, ge=1)
    """A relative stamp alone on a line this short counts without a cue or clock."""
    require_cue: bool = False
    """Only stamps after a posting cue (发表于, 回复于, posted, updated…) count."""
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
        for row in rows.tolist():
            text = frame["text"].iat[row]
            if not isinstance(text, str):
                continue
            captured = frame["captured_ts"].iat[row]
            if self.only_undated and not pd.isna(frame["posted_ts"].iat[row]):
                continue
            emitted = 0
            for match in relative.finditer(text):
                start, end = match.start(), match.end()
                groups = {k: v for k, v in match.groupdict().items() if v}
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", end)
                line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
                cued = cue.search(text[max(line_start, start - 20) : start]) is not None
                stamp_like = cued or (not self.require_cue and (
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
