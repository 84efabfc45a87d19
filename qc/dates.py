"""Parse the date shapes scraped posts arrive in into tz-aware UTC timestamps.

Vectorised first: ISO 8601 (with or without offset) and epoch seconds/milliseconds go through pandas in
one call each; everything else ("2020年5月16日 17:53", "May 16, 2020", "16/05/2020") is parsed once per
distinct value with dateutil. Naive values are read in ``default_tz``. A value that does not parse is NaT,
never dropped: the raw column stays beside it so the date rules can report it.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

ISO_RE = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
OFFSET_RE = r"(?:Z|[+-]\d{2}:?\d{2})$"
EPOCH_RE = r"^\d{9,13}(?:\.\d+)?$"
_CJK_DATE = re.compile(r"(\d{2,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CJK_TIME_WORDS = re.compile(r"(上午|下午|晚上|凌晨|中午)")


def _normalise(value: str) -> str:
    value = value.strip()
    value = _CJK_DATE.sub(lambda m: f"{m.group(1)}-{m.group(2)}-{m.group(3)} ", value)
    value = value.replace("时", ":").replace("分", "").replace("秒", "")
    value = _CJK_TIME_WORDS.sub(" ", value)
    return " ".join(value.split())


def parse_one(value: str, default_tz: str = "UTC", dayfirst: bool = False) -> pd.Timestamp | None:
    """Parse one date string (any supported shape) to a UTC timestamp, or None if it does not parse."""
    text = _normalise(value)
    if not text:
        return None
    if re.match(EPOCH_RE, text):
        number = float(text)
        unit = "ms" if number >= 1e11 else "s"
        return pd.Timestamp(number, unit=unit, tz="UTC")
    try:
        parsed: datetime = dateutil_parser.parse(text, dayfirst=dayfirst, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
    try:
        return pd.Timestamp(parsed).tz_convert("UTC")
    except (ValueError, OverflowError):
        return None


def parse_timestamps(values: pd.Series, default_tz: str = "UTC", dayfirst: bool = False) -> pd.Series:
    """Parse a column of raw date values into ``datetime64[ns, UTC]`` (NaT where missing or unparseable)."""
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if len(values) == 0:
        return result
    text = values.astype("str").where(values.notna(), "").str.strip()
    present = text != ""
    if not present.any():
        return result
    iso = present & text.str.match(ISO_RE)
    with_offset = iso & text.str.contains(OFFSET_RE)
    naive = iso & ~with_offset
    if with_offset.any():
        result[with_offset] = pd.to_datetime(text[with_offset], format="ISO8601", utc=True, errors="coerce")
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        result[naive] = local.dt.tz_localize(default_tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    epoch = present & ~iso & text.str.match(EPOCH_RE)
    if epoch.any():
        numbers = pd.to_numeric(text[epoch], errors="coerce")
        millis = numbers >= 1e11
        seconds = np.where(millis, numbers / 1000.0, numbers)
        result[epoch] = pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")
    rest = present & ~iso & ~epoch
    if rest.any():
        cache = {v: parse_one(v, default_tz, dayfirst) for v in pd.unique(text[rest])}
        result[rest] = text[rest].map(cache).astype("datetime64[ns, UTC]")
    return result


def unparseable(values: pd.Series, parsed: pd.Series) -> pd.Series:
    """Rows whose raw value is present but did not parse."""
    raw = values.astype("str").where(values.notna(), "").str.strip()
    return (raw != "") & parsed.isna()
