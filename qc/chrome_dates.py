"""Recover posted_at / captured_at from forum and blog chrome left in the text.

Scraped posts often lose their date fields but keep the page's own stamps: Discuz!'s "发表于 2020-5-16
17:53:04" above the first post, a blog's "Posted on 12/25/2019", and Discuz!'s footer "GMT+8, 2024-11-29
12:32", which is the time the page was rendered, i.e. the capture. :func:`recover` finds them with one
vectorised RE2 pass over the text column (pyarrow), parses only the rows that hit, fills a missing field
from the chrome and records where every value came from (``posted_source`` / ``captured_source`` =
``field`` | ``chrome``). The chrome value and its span are kept beside the field so the date rules can
quote the evidence and flag a chrome date that contradicts the field.

The footer's "GMT+8" is the page's time zone, so it also applies to the page's other (naive) stamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qc.dates import parse_in, present
from qc.matcher import compile_re2

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
_CLOCK = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
_ZH_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?(?:\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?"
_EN_DATE = (
    _WEEKDAY
    + r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|"
    + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+\d{4})"
    + _CLOCK
)

#: Chrome that stamps the post itself. The first match on the page is the opening post.
POSTED_CHROME = (
    r"(?:发表于|发表时间|发布时间|发帖时间|发布于)\s*[:：]?\s*(?P<date>" + _ZH_DATE + ")"
    # WordPress "Posted on May 16, 2020", "Posted by admin on …", phpBB "Posted: Sat Jan 19, 2019 10:29 am".
    r"|(?i:\b(?:posted|published)(?:\s+by\s+[^\n]{1,40}?)?(?:\s+on|\s*:)?\s+)(?P<date2>" + _EN_DATE + ")"
)
#: The page render time, i.e. the capture: Discuz!'s footer (with the page's UTC offset) and phpBB's
#: "It is currently Sat Jan 19, 2019 10:29 am".
CAPTURED_CHROME = (
    r"GMT\s*(?P<offset>[+-]\d{1,2}(?::?\d{2})?)\s*,\s*(?P<date>\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)"
    r"|(?i:\bit is currently\s+)(?P<date2>" + _EN_DATE + ")"
)
TARGETS = {"posted": POSTED_CHROME, "captured": CAPTURED_CHROME}


@dataclass(frozen=True)
class ChromeDate:
    """One chrome stamp: where it is in the text, the date text, and its page offset if it names one."""

    start: int
    end: int
    date: str
    offset: tzinfo | None


def _offset(value: str | None) -> tzinfo | None:
    if not value:
        return None
    sign = -1 if value.startswith("-") else 1
    digits = value[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes >= 60:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def find_chrome(regex: str, text: str, last: bool = False) -> ChromeDate | None:
    """The first (or last) chrome stamp of ``regex`` in ``text``, or None."""
    compiled = compile_re2(regex)
    found = None
    for match in compiled.finditer(text):
        groups = match.groupdict()
        name = "date" if groups.get("date") else "date2"
        found = ChromeDate(match.start(), match.end(), groups[name], _offset(groups.get("offset")))
        if not last:
            break
    return found


def arrow_texts(texts: pd.Series) -> pa.Array:
    """The text column as an Arrow array (straight from pyarrow-backed strings; non-strings become null)."""
    try:
        return pa.array(texts, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column mixing strings and other values
        values = texts.where(texts.map(lambda v: isinstance(v, str)), None)
        return pa.array(values.tolist(), type=pa.large_string())


def _candidates(column: pa.Array, regex: str) -> np.ndarray:
    """Rows whose text may hold the chrome: one vectorised RE2 pass over the Arrow column."""
    mask = pc.fill_null(pc.match_substring_regex(column, regex), False)
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


def empty_columns(frame: pd.DataFrame) -> None:
    """Add the recovery columns to ``frame`` with nothing recovered (for empty or text-less frames)."""
    for target in TARGETS:
        frame[f"{target}_source"] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
        frame[f"{target}_chrome_ts"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
        frame[f"{target}_chrome_start"] = pd.array([None] * len(frame), dtype="Int64")
        frame[f"{target}_chrome_end"] = pd.array([None] * len(frame), dtype="Int64")


def recover(frame: pd.DataFrame, default_tz: str = "UTC", dayfirst: bool | pd.Series = False) -> None:
    """Add chrome stamps and value sources to a canonical frame; fill missing posted_ts/captured_ts.

    Needs ``text``, ``posted_at``/``captured_at`` (raw) and ``posted_ts``/``captured_ts`` (parsed).
    """
    empty_columns(frame)
    for target in TARGETS:
        frame.loc[present(frame[f"{target}_at"]), f"{target}_source"] = "field"
    if frame.empty:
        return
    texts = frame["text"]
    page_tz: dict[int, tzinfo] = {}
    flags = dayfirst if isinstance(dayfirst, pd.Series) else pd.Series(dayfirst, index=frame.index)
    fallback = ZoneInfo(default_tz)
    column = arrow_texts(texts)
    for target in ("captured", "posted"):  # captured first: its GMT offset is the page's zone
        rows = _candidates(column, TARGETS[target])
        if len(rows) == 0:
            continue
        ts: list[pd.Timestamp | None] = [None] * len(rows)
        starts: list[int | None] = [None] * len(rows)
        ends: list[int | None] = [None] * len(rows)
        for i, row in enumerate(rows.tolist()):
            stamp = find_chrome(TARGETS[target], texts.iat[row], last=target == "captured")
            if stamp is None:
                continue
            if stamp.offset is not None:
                page_tz[row] = stamp.offset
            zone = stamp.offset or page_tz.get(row) or fallback
            ts[i] = parse_in(stamp.date, zone, bool(flags.iat[row]))
            starts[i], ends[i] = stamp.start, stamp.end
        index = frame.index[rows]
        frame.loc[index, f"{target}_chrome_ts"] = pd.Series(ts, index=index, dtype="datetime64[us, UTC]")
        frame.loc[index, f"{target}_chrome_start"] = pd.array(starts, dtype="Int64")
        frame.loc[index, f"{target}_chrome_end"] = pd.array(ends, dtype="Int64")
        chrome = frame[f"{target}_chrome_ts"]
        fill = frame[f"{target}_source"].isna() & chrome.notna()
        if fill.any():
            frame.loc[fill, f"{target}_ts"] = chrome[fill]
            frame.loc[fill, f"{target}_source"] = "chrome"


def evidence(frame: pd.DataFrame, target: str, row: int) -> tuple[str, int | None, int | None, str]:
    """Where a posted/captured value came from, for a finding: (field, start, end, matched text).

    A field value is quoted as it was given (no span); a value recovered from chrome points at its span.
    """
    if frame[f"{target}_source"].iat[row] == "chrome":
        start = int(frame[f"{target}_chrome_start"].iat[row])
        end = int(frame[f"{target}_chrome_end"].iat[row])
        return "text", start, end, str(frame["text"].iat[row])[start:end]
    return f"{target}_at", None, None, str(frame[f"{target}_at"].iat[row])


def show(ts: pd.Timestamp) -> str:
    """A timestamp as findings print it: UTC, to the second."""
    return ts.strftime("%Y-%m-%d %H:%M:%SZ")
