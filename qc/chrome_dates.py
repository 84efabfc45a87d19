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
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qc.dates import parse_in, present
from qc.matcher import compile_re2
from qc.stamps import CUED_STAMP, PUBLISH_CUE, ambiguous_day_month, english_date, reads_day_first

#: Chrome that stamps the post itself (see :mod:`qc.stamps`): a publication cue in one of the common
#: languages, an optional "by whom / in which section", then the date. The first stamp on the page is the
#: opening post's (comments come after it). A bare date line or a byline without a cue is not taken: a
#: sidebar, an event or a comment dates too many of those.
POSTED_CHROME = CUED_STAMP
_CLOCK_EN = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
_EN_DATE = (
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    + _CLOCK_EN
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
        found = _chrome_date(match)
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
        # The post's stamp regex is large (month names of a dozen languages): the column is prefiltered on its
        # cue words alone, and the rows that hit are searched with the whole regex.
        rows = _candidates(column, PUBLISH_CUE if target == "posted" else TARGETS[target])
        if len(rows) == 0:
            continue
        ts: list[pd.Timestamp | None] = [None] * len(rows)
        starts: list[int | None] = [None] * len(rows)
        ends: list[int | None] = [None] * len(rows)
        fields = frame[f"{target}_ts"].where(frame[f"{target}_source"] == "field").iloc[rows].tolist()
        for i, (row, field) in enumerate(zip(rows.tolist(), fields, strict=True)):
            text = texts.iat[row]
            # The capture's last stamp; the post's first one that parses (a later one when it does not).
            stamps = _stamps(TARGETS[target], text, limit=1 if target == "captured" else 3,
                             last=target == "captured")
            for stamp in stamps:
                if stamp.offset is not None:
                    page_tz[row] = stamp.offset
                zone = stamp.offset or page_tz.get(row) or fallback
                parsed = _read_stamp(text[stamp.start : stamp.end], stamp.date, zone, bool(flags.iat[row]), field)
                if parsed is None:
                    continue
                ts[i] = parsed
                starts[i], ends[i] = stamp.start, stamp.end
                break
        index = frame.index[rows]
        frame.loc[index, f"{target}_chrome_ts"] = pd.Series(ts, index=index, dtype="datetime64[us, UTC]")
        frame.loc[index, f"{target}_chrome_start"] = pd.array(starts, dtype="Int64")
        frame.loc[index, f"{target}_chrome_end"] = pd.array(ends, dtype="Int64")
        chrome = frame[f"{target}_chrome_ts"]
        fill = frame[f"{target}_source"].isna() & chrome.notna()
        if fill.any():
            frame.loc[fill, f"{target}_ts"] = chrome[fill]
            frame.loc[fill, f"{target}_source"] = "chrome"


def _read_stamp(stamp: str, date: str, zone: tzinfo, dayfirst: bool, field: pd.Timestamp | None
                ) -> pd.Timestamp | None:
    """The stamp's date as a timestamp. A numeric date that reads either way (05/06/2020) is read the way
    the record's own field reads it when there is one; otherwise dotted dates and dates under a non-English
    cue are day first (:func:`qc.stamps.reads_day_first`) and the rest follow the configuration."""
    text = english_date(date)
    if ambiguous_day_month(date) and field is not None and not pd.isna(field):
        readings = [t for t in (parse_in(text, zone, True), parse_in(text, zone, False)) if t is not None]
        return min(readings, key=lambda t: abs(t - field)) if readings else None
    order = reads_day_first(stamp, date)
    return parse_in(text, zone, dayfirst if order is None else order)


def _stamps(regex: str, text: str, limit: int, last: bool = False) -> list[ChromeDate]:
    """The first ``limit`` stamps of ``regex`` in ``text`` (with ``last``: the last one only)."""
    if last:
        stamp = find_chrome(regex, text, last=True)
        return [stamp] if stamp is not None else []
    found: list[ChromeDate] = []
    for match in compile_re2(regex).finditer(text):
        found.append(_chrome_date(match))
        if len(found) >= limit:
            break
    return found


def _chrome_date(match: Any) -> ChromeDate:
    """A regex match of a stamp as a :class:`ChromeDate` (its date group, its span without edge blanks)."""
    groups = match.groupdict()
    name = "date" if groups.get("date") else "date2"
    matched = match.group(0)
    start = match.start() + len(matched) - len(matched.lstrip())
    for cue in ("cue", "cue2", "cue3"):  # the evidence starts at the stamp's cue, not at the words before it
        if groups.get(cue):
            start = match.start(match.re.groupindex[cue])
            break
    end = match.end() - (len(matched) - len(matched.rstrip()))
    return ChromeDate(start, end, groups[name], _offset(groups.get("offset")))


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
