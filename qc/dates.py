"""Parse the date shapes scraped posts arrive in into tz-aware UTC timestamps.

Vectorised first: ISO 8601 (with or without offset) and epoch seconds/milliseconds go through pandas in
one call each; everything else ("2020年5月16日 17:53", "May 16, 2020", "16/05/2020") is parsed once per
distinct value with dateutil. Naive values are read in ``default_tz``. A value that does not parse is NaT,
never dropped: the raw column stays beside it so the date rules can report it, and :func:`date_status`
tells an impossible calendar date (2020-02-30) from unparseable garbage.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

ISO_RE = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
OFFSET_RE = r"(?:Z|[+-]\d{2}:?\d{2})$"
EPOCH_RE = r"^\d{9,13}(?:\.\d+)?$"
#: A value dateutil may read must name a year: without one it silently fills today's year, month or day.
_HAS_YEAR = re.compile(r"\d{4}")
_CJK_DATE = re.compile(r"(\d{2,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CJK_TIME_WORDS = re.compile(r"(上午|下午|晚上|凌晨|中午)")
_EN_AT = re.compile(r",?\s+at\s+", re.IGNORECASE)
_EN_MERIDIEM = re.compile(r"\s*\b([ap])\.m\.?", re.IGNORECASE)
#: Numeric calendar shapes, used only to tell an impossible date from garbage: (year, month, day) groups.
_YMD = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_DMY = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?!\d)")
#: dateutil fills missing fields from this default, so "2020" is 2020-01-01, not 2020-<today>.
_DEFAULT = datetime(2000, 1, 1)


def _normalise(value: str) -> str:
    value = value.strip()
    value = _CJK_DATE.sub(lambda m: f"{m.group(1)}-{m.group(2)}-{m.group(3)} ", value)
    value = value.replace("时", ":").replace("分", "").replace("秒", "")
    meridiem = _CJK_TIME_WORDS.search(value)
    value = _CJK_TIME_WORDS.sub(" ", value)
    if meridiem and re.search(r"\d:\d", value):  # 下午5:53 is 17:53; dateutil reads "5:53 PM"
        value += " PM" if meridiem.group(1) in ("下午", "晚上", "中午") else " AM"
    # Blog stamps: "April 21, 2015, at 11:29 a.m." reads as "April 21, 2015 11:29 AM".
    value = _EN_AT.sub(" ", value)
    value = _EN_MERIDIEM.sub(lambda m: " " + m.group(1).upper() + "M", value)
    return " ".join(value.split())


def parse_one(value: str, default_tz: str = "UTC", dayfirst: bool = False) -> pd.Timestamp | None:
    """Parse one date string (any supported shape) to a UTC timestamp, or None if it does not parse."""
    return parse_in(value, ZoneInfo(default_tz), dayfirst)


def parse_in(value: str, zone: tzinfo, dayfirst: bool = False) -> pd.Timestamp | None:
    """Like :func:`parse_one`, reading a naive value in ``zone`` (a page's own UTC offset, say)."""
    text = _normalise(value)
    if not text:
        return None
    if re.match(EPOCH_RE, text):
        number = float(text)
        unit = "ms" if number >= 1e11 else "s"
        return pd.Timestamp(number, unit=unit, tz="UTC")
    if not _HAS_YEAR.search(text):
        return None
    if _YMD.match(text):
        # Year first is always year-month-day; dateutil would otherwise read 2020-13-01 as 13 January.
        if _impossible(text):
            return None
        dayfirst = False
    try:
        with warnings.catch_warnings():
            # An unknown zone name ("CST" is China or US Central) leaves the value naive: default_tz applies.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            parsed: datetime = dateutil_parser.parse(text, dayfirst=dayfirst, yearfirst=True, fuzzy=False,
                                                     default=_DEFAULT)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return pd.Timestamp(parsed).tz_convert("UTC")
    except (ValueError, OverflowError):
        return None


#: Strings that mean "no value" (CSV exports, stringified nulls): treated as missing, not as bad dates.
NULL_WORDS = ("nan", "nat", "null", "none", "n/a", "na")


def _as_text(values: pd.Series) -> pd.Series:
    text = values.astype("str").where(values.notna(), "").str.strip()
    return text.where(~text.str.lower().isin(NULL_WORDS), "")


def _put(result: pd.Series, mask: pd.Series, values: pd.Series) -> None:
    """Store parsed values in the microsecond column: nanoseconds are floored, never a lossy-cast error."""
    if values.dtype != result.dtype:
        values = values.dt.floor("us").astype(result.dtype)
    result[mask] = values


def parse_timestamps(values: pd.Series, default_tz: str = "UTC", dayfirst: bool | pd.Series = False
                     ) -> pd.Series:
    """Parse a column of raw date values into ``datetime64[us, UTC]`` (NaT where missing or unparseable).

    Microsecond resolution, so a far-future value (2999-01-01) is a date the rules can judge, not an
    overflow.

    ``dayfirst`` is one flag for the column or a boolean Series (per row, e.g. from the post's site):
    it only decides ambiguous slashed dates such as 05/06/2020.
    """
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    if len(values) == 0:
        return result
    text = _as_text(values)
    present = text != ""
    if not present.any():
        return result
    iso = present & text.str.match(ISO_RE)
    with_offset = iso & text.str.contains(OFFSET_RE)
    naive = iso & ~with_offset
    if with_offset.any():
        _put(result, with_offset, pd.to_datetime(text[with_offset], format="ISO8601", utc=True, errors="coerce"))
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        _put(result, naive, local.dt.tz_localize(default_tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC"))
    epoch = present & ~iso & text.str.match(EPOCH_RE)
    if epoch.any():
        numbers = pd.to_numeric(text[epoch], errors="coerce").to_numpy(dtype="float64")
        micros = np.where(numbers >= 1e11, numbers * 1e3, numbers * 1e6)  # ms or s -> microseconds
        stamps = pd.Series(np.rint(micros).astype("int64").astype("datetime64[us]"), index=text[epoch].index)
        _put(result, epoch, stamps.dt.tz_localize("UTC"))
    # ISO-looking values pandas refused (single-digit fields it dislikes) get the per-value path too.
    rest = present & ~epoch & (~iso | result.isna())
    if rest.any():
        flags = dayfirst if isinstance(dayfirst, pd.Series) else pd.Series(dayfirst, index=values.index)
        keys = list(zip(text[rest].tolist(), flags[rest].astype(bool).tolist(), strict=True))
        cache = {key: parse_one(key[0], default_tz, key[1]) for key in set(keys)}
        parsed = [cache[key] for key in keys]
        _put(result, rest, pd.Series(parsed, index=text[rest].index, dtype="datetime64[us, UTC]"))
    return result


def dayfirst_mask(sites: pd.Series, dayfirst: bool, dayfirst_sites: Iterable[str]) -> bool | pd.Series:
    """Per-row day-first flags: the global flag, or True where the site is (a subdomain of) a listed site."""
    listed = tuple(s.lower().removeprefix("www.") for s in dayfirst_sites)
    if dayfirst or not listed:
        return dayfirst
    host = sites.astype("str").where(sites.notna(), "").str.lower()
    mask = pd.Series(False, index=sites.index)
    for site in listed:
        mask |= (host == site) | host.str.endswith("." + site)
    return mask


def _impossible(value: str) -> bool:
    """True when ``value`` has a numeric calendar shape whose fields name no real day (2020-02-30)."""
    text = _normalise(value)
    for regex, order in ((_YMD, (0, 1, 2)), (_DMY, (2, 1, 0))):
        match = regex.match(text)
        if match is None:
            continue
        year, month, day = (int(match.group(i + 1)) for i in order)
        candidates = [(year, month, day)]
        if order == (2, 1, 0):  # 02/30/2020 may be month-first
            candidates.append((year, day, month))
        for y, m, d in candidates:
            try:
                datetime(y, m, d)
                return False
            except ValueError:
                continue
        return True
    return False


def date_status(values: pd.Series, parsed: pd.Series) -> pd.Series:
    """Per row: ``missing``, ``ok``, ``impossible`` (a calendar date that does not exist) or ``unparseable``."""
    text = _as_text(values)
    status = pd.Series("ok", index=values.index, dtype="str")
    status[text == ""] = "missing"
    bad = (text != "") & parsed.isna()
    if bad.any():
        status[bad] = text[bad].map(lambda v: "impossible" if _impossible(v) else "unparseable")
    return status


def present(values: pd.Series) -> pd.Series:
    """Rows that hold a value at all (not null, blank or a stringified null such as "NaN")."""
    return _as_text(values) != ""


def unparseable(values: pd.Series, parsed: pd.Series) -> pd.Series:
    """Rows whose raw value is present but did not parse."""
    raw = _as_text(values)
    return (raw != "") & parsed.isna()
