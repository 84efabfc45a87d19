"""Read a copyright notice as a person reads it: which years it claims, whether it is open, whose it is.

``COPYRIGHT_RE`` (RE2) finds a notice: a mark (©, ⓒ, (c), Copyright, 版权所有…) and the rest of its line,
or a year list written just before the mark ("2019 © Example"). :func:`read_notice` then reads that short
span with Python's ``re`` (per notice, never per document):

- ranges with every dash (- – — ‐ － ～ 〜 至), words ("2002 to 2006", "2002 bis 2006") and short ends
  ("2023-24" is 2024, "2000-5" is 2005; "2019-11" is a month, not a range to 2011);
- year lists ("2002, 2003"): the newest year speaks for the notice;
- open ranges, kept current and never stale: "© 1996-", "2000–present", "since 2010", "seit 2010",
  "2000至今", "2010 to Infinity";
- the vendor's notice of the forum or site *software* ("Powered by Discuz! X3.4 © 2001-2013 Comsenz Inc.",
  "vBulletin® v3.8.7, Copyright ©2000-2013, vBulletin Solutions", "Forum software by XenForo® © 2010-2019
  XenForo Ltd."): it dates the software's release, not the site, so it is not the site's footer.

Dates in a notice ("Copyright © 19.12.2019 - 12:14 h") are read as their year; numbers that continue a
longer number (licence numbers such as 豫B2-20041234) are not years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The marks a notice starts with. ⓒ is the Korean web's usual sign.
MARK = r"(?:©|ⓒ|Ⓒ|\([cC]\)|&copy;|(?i:copyright|copr\.)|版权所有|版權所有|著作権)"
#: RE2: an optional year list right before the mark ("2019 © Example", "2004-2024 版权所有"), the mark, and
#: the rest of the notice's line (bounded). The span is read by :func:`read_notice`.
#: Marks that close a notice ("2004-2019 某某网 版权所有", "2019 Example Inc. All rights reserved"): the year
#: list may sit up to 60 characters before them.
TRAILING_MARK = r"(?:版权所有|版權所有|(?i:all\s+rights\s+reserved))"
COPYRIGHT_RE = (
    r"(?:(?:19|20)\d{2}(?:\s*[-–—~～－至,]\s*(?:19|20)?\d{2})?[ \t]{0,3})?(?P<mark>" + MARK + r")[^\n]{0,160}"
    + r"|(?:19|20)\d{2}[^\n©]{0,60}?(?P<tail>" + TRAILING_MARK + r")[^\n]{0,100}"
)

#: RE2, no groups: where a notice may be (its mark); the notice itself is read from the mark's line.
MARK_ONLY_RE = MARK + "|" + TRAILING_MARK
#: The notice regex for Python's ``re``, run on one short line at a time.
NOTICE_RE = re.compile(COPYRIGHT_RE.replace(r"\d", "[0-9]"))

_YEAR = r"(?:19|20)[0-9]{2}"
_SEP = r"(?:\s*(?:[-–—‐‑‒―－~～〜/,，、&+]|至|\b(?:to|till|until|thru|through|bis|au|à|a|al|and|und|et|e|y|tot)\b)\s*)"
_OPEN_WORDS = (
    r"present|now|today|date|infinity|forever|onwards?|beyond|heute|jetzt|aujourd['’]hui|présent|presente|hoy|oggi"
    r"|atual|hoje|heden|nu|obecnie|dziś|настоящее|наст\.?|今|现在|現在|今日"
)
#: A year list: a first year (not inside a longer number or a date), then ranges/lists to full or short years.
_YEAR_LIST = re.compile(
    r"(?P<since>(?i:\b(?:since|seit|depuis|desde|dal|dall['’]|dai|sinds|od|с|from|ab)\s+|自|始于))?"
    r"(?<![0-9])(?<![0-9] )(?P<first>" + _YEAR + r")(?![0-9])(?! [0-9]{3})"
    r"(?P<rest>(?:" + _SEP + r"(?:" + _YEAR + r"|[0-9]{1,2})(?![0-9])(?![-/.:][0-9]))*)"
)
_LIST_PART = re.compile(r"(?<![0-9])(" + _YEAR + r"|[0-9]{1,2})(?![0-9])")
#: What follows the list when the range is left open: a dash with nothing after it on the line, a dash
#: glued to the year ("© 1996- The Post"), or a word for "now" ("2000 - present", "2000至今").
_OPEN_AFTER = re.compile(
    r"(?:\s*[-–—‐－~～〜]\s*(?:$|[|·•,;:)\]]))"
    r"|(?:[-–—‐－~～〜](?=\s))"
    r"|(?:\s*(?:[-–—‐－~～〜]|\bto\b|\bbis\b|\bà\b|\bhasta\b|\bal\b|至)?\s*(?i:" + _OPEN_WORDS + r")\b)"
    r"|(?:\s*(?:至今|以来|迄今))"
    r"|(?:\s*(?:[-–—]\s*)?∞)",
)
_OPEN_WORDS_AFTER = re.compile(
    r"\s*(?:[-–—‐－~～〜]|\bto\b|\bbis\b|至)?\s*(?i:" + _OPEN_WORDS + r")\b|\s*(?:至今|以来|迄今)")
#: Words on the notice's line, before its mark, that say the notice is the software's ("Powered by …
#: ©", "Forum software by …", "vBulletin® v3.8.7, Copyright ©…").
_VENDOR_LEAD = re.compile(
    r"(?i:powered\s+by|forum\s+software|software\s+by|theme\s+by|template\s+by|skin\s+by|style\s+by|"
    r"built\s+(?:with|on)|proudly\s+powered|\bv(?:ersion)?\s*\d+(?:\.\d+)+)"
)
#: Forum, blog and CMS software and their vendors: a notice whose owner is one of these is the software's.
SOFTWARE_VENDORS = (
    "discuz", "comsenz", "phpbb", "vbulletin", "jelsoft", "mh sub i", "internet brands", "xenforo", "invision",
    "ips, inc", "ips inc", "simple machines", "smf", "mybb", "phpwind", "dvbbs", "crossday", "punbb", "fluxbb",
    "bbpress", "woltlab", "burning board", "vanilla forums", "discourse", "nodebb", "yabb", "ubb.threads",
    "ikonboard", "e107", "php-nuke", "phpnuke", "joomla", "open source matters", "drupal", "wordpress",
    "automattic", "typepad", "six apart", "movable type", "blogger", "ghost foundation", "squarespace", "wix.com",
    "weebly", "jimdo", "studiopress", "genesis framework", "elegant themes", "themeforest", "diythemes",
    "tencent cloud", "dedecms", "织梦", "帝国cms", "phpcms", "pbootcms", "empirecms", "powereasy", "动易",
)
_VENDOR_OWNER = re.compile(
    r"^\W*(?:" + "|".join(re.escape(v) for v in SOFTWARE_VENDORS) + r")(?:[\s!®™.,]*(?:x?\d[\w.]*|inc|ltd|llc|limited|"
    r"team|group|solutions|software|enterprises|corp(?:oration)?|gmbh|co|foundation|services|power services|"
    r"holdings|technologies))*[\s!®™.,]*(?:$|[|·•\-–—]|all\s+rights)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Notice:
    """What a notice claims: its newest year (None when the range is open) and whose notice it is."""

    newest: int | None
    open: bool
    vendor: bool
    #: Offsets of the year list within the notice's span (the evidence a finding quotes).
    start: int
    end: int


def _expand(first: int, part: str, previous: int) -> int | None:
    """A range end as a full year: "24" after 2023 is 2024; None when it is not a later year (a month)."""
    if len(part) == 4:
        return int(part)
    width = 10 ** len(part)
    year = first - first % width + int(part)
    return year if year > previous else None


def _owner(text: str) -> str:
    """Owner text with leading marks and punctuation dropped ("© 2001-2013 Comsenz Inc." -> "Comsenz Inc.")."""
    return re.sub(r"^(?:\W|(?i:copyright|\(c\)))*", "", text)


def read_notice(span: str, mark_at: int, mark_end: int, line_before: str = "", previous_line: str = "",
                trailing: bool = False) -> Notice | None:
    """Read the notice ``span`` (its mark at ``span[mark_at:mark_end]``) into a :class:`Notice`, or None when
    it names no year.

    ``line_before`` is the text of the notice's line before the span; ``previous_line`` the nearest non-blank
    line above it (the Discuz! footer puts "Powered by Discuz!" on the line above its "© 2001-2013 Comsenz").
    ``trailing`` says the mark closes the notice (版权所有, All rights reserved): its year list comes first.
    """
    found = None
    for match in _YEAR_LIST.finditer(span):
        if match.end() <= mark_at and mark_at - match.end() > (60 if trailing else 3):
            continue  # a list before the mark must sit right against it ("2019 © Example")
        if match.start() > mark_end + 50:
            break  # a year far along the line is prose or a date, not the notice's own
        found = match
        break
    if found is None:
        return None
    first = int(found.group("first"))
    years = [first]
    for part in _LIST_PART.findall(found.group("rest") or ""):
        year = _expand(first, part, years[-1])
        if year is None:
            break
        years.append(year)
    after = span[found.end():]
    if found.group("since"):
        is_open = True
    elif len(years) == 1:
        is_open = _OPEN_AFTER.match(after) is not None
    else:  # "2009-2021- Fundacja" is a closed range and a separator; "2009-2021 to present" is open
        is_open = _OPEN_WORDS_AFTER.match(after) is not None
    owners = [_owner(after)] if found.start() >= mark_at else []
    owners.append(_owner(span[mark_end:found.start()] if found.start() >= mark_end else span[mark_end:]))
    vendor = (
        bool(_VENDOR_LEAD.search(line_before + span[:mark_at]))
        or any(_VENDOR_OWNER.match(owner) for owner in owners)
        or (not (line_before + span[:mark_at]).strip() and len(previous_line) <= 80
            and re.match(r"\s*(?i:powered\s+by)\b", previous_line) is not None)
    )
    return Notice(newest=None if is_open else max(years), open=is_open, vendor=vendor,
                  start=min(mark_at, found.start()), end=max(found.end(), mark_end))
