"""Publication stamps a page shows, in the common languages of the web, and how to read their dates.

A post whose ``posted_at`` is empty usually still shows when it was published: "Posted by admin on January
14, 2005", "Published 7:07 PM EST Nov 19, 2019", "By Jane Doe, 18 August 2010", "Veröffentlicht am 14.
Januar 2005", "Publié le 14 janvier 2005", "发布于 2024-02-24", or a line that is only a date above the
post ("Monday, October 22, 2012"). The regexes here are RE2 (run vectorised over the text column by
:mod:`qc.chrome_dates`); :func:`english_date` rewrites a matched date so dateutil reads it (month names of a
dozen languages to English, 年/월 to dashes), so parsing stays with the kept parser.

Edits are not publication: "Updated", "Last modified", "aktualisiert", "mis à jour", "更新于", "编辑于" never
start a stamp, since a page's last edit is later than its post and would make its footer look stale.
"""

from __future__ import annotations

import re

#: Month names (full and usual abbreviations, nominative and genitive) by month number, per language.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "genn", "gen", "janeiro",
        "januari", "stycznia", "styczeń", "styczen", "января", "январь", "янв", "leden", "ledna", "január", "januára",
        "ocak", "tammikuuta"),
    2: ("february", "feb", "februar", "feber", "février", "févr", "fevrier", "febrero", "febbraio", "fevereiro", "fev",
        "februari", "lutego", "luty", "февраля", "февраль", "фев", "únor", "února", "február", "februára", "şubat",
        "helmikuuta"),
    3: ("march", "mar", "märz", "mars", "marzo", "março", "marco", "maart", "marca", "marzec", "марта", "март",
        "březen", "března", "március", "marec", "marca", "mart", "maaliskuuta"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "kwiecień", "апреля", "апрель", "апр",
        "duben", "dubna", "április", "apríla", "nisan", "huhtikuuta"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maja", "maj", "мая", "май", "květen", "května",
        "május", "mája", "mayıs", "toukokuuta"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "czerwiec", "июня", "июнь",
        "červen", "června", "június", "júna", "haziran", "kesäkuuta"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "lipiec", "июля",
        "июль", "červenec", "července", "július", "júla", "temmuz", "heinäkuuta"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "sierpnia", "sierpień", "августа", "август",
        "авг", "srpen", "srpna", "augusztus", "augusta", "ağustos", "elokuuta"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "set", "settembre", "setembro", "września",
        "wrzesień", "сентября", "сентябрь", "сен", "září", "szeptember", "septembra", "eylül", "syyskuuta"),
    10: ("october", "oct", "oktober", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "października",
         "październik", "октября", "октябрь", "окт", "říjen", "října", "október", "októbra", "ekim", "lokakuuta"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopada", "listopad", "ноября", "ноябрь",
         "нояб", "listopadu", "kasım", "marraskuuta"),
    12: ("december", "dec", "dezember", "dez", "décembre", "déc", "diciembre", "dic", "dicembre", "dezembro",
         "grudnia", "grudzień", "декабря", "декабрь", "дек", "prosinec", "prosince", "decembra", "aralık",
         "joulukuuta"),
}
_MONTH_NUMBER = {name: number for number, names in MONTH_NAMES.items() for name in names}
_ENGLISH = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December")

#: Any month name, longest first (RE2 is leftmost-first: "juni" before "jun"), case-insensitive.
MONTH = "(?i:" + "|".join(sorted((re.escape(n) for n in _MONTH_NUMBER), key=len, reverse=True)) + r")\.?"
WEEKDAY = (
    r"(?i:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|montag|dienstag|mittwoch|donnerstag"
    r"|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles"
    r"|jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|segunda-feira|terça-feira"
    r"|quarta-feira|quinta-feira|sexta-feira|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)\.?,?"
)
_Y = r"(?:19|20)\d{2}"
_D = r"(?:[12]\d|3[01]|0?[1-9])"
CLOCK = r"(?:\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s*(?:Uhr|h))?)"
TZ = r"(?:[A-Z]{2,4}T?|UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?"
#: One calendar date with a year: numeric (2024-02-24, 24.02.2024, 02/24/2024, 2024年2月24日, 2024년 2월 24일)
#: or with a month name in any of the languages above (Nov 19, 2019; 19 November 2019; 14. Januar 2005;
#: 14 de enero de 2005).
DATE = (
    r"(?:" + _Y + r"\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?"
    + r"|" + _Y + r"\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일"
    + r"|" + _D + r"\s*[./-]\s*\d{1,2}\s*[./-]\s*" + _Y
    + r"|" + MONTH + r"\s+" + _D + r"(?i:st|nd|rd|th)?,?\s+" + _Y
    + r"|" + _D + r"(?i:st|nd|rd|th)?\.?,?\s*(?:de\s+)?" + MONTH + r",?\s+(?:de\s+)?" + _Y
    + r")"
)
#: A date with an optional weekday before it and clock/zone after it ("Sunday, October 28, 2012 at 12:48 PM").
FULL_DATE = (r"(?:" + WEEKDAY + r"\s*)?" + DATE + r"(?:,?\s*(?i:at|um|à|a las|alle|om|в)?\s*" + CLOCK + r")?"
             + r"(?:\s*" + TZ + r")?")

#: Words that open a publication stamp, per language (publishing, never editing).
_EN_CUES = ("posted", "published", "first published", "originally published", "written", "publication date",
            "date published")
_OTHER_CUES = ("veröffentlicht", "erschienen", "publiziert", "erstellt", "geschrieben", "publié", "mis en ligne",
               "publicado", "publicada", "pubblicato", "pubblicata", "gepubliceerd", "geplaatst", "opublikowano",
               "dodano", "opublikowany", "опубликовано", "publikováno", "publicerad", "publiseret", "publisert",
               "yayınlanma")
_CJK_CUES = ("发表于", "发布于", "发表时间", "发布时间", "发帖时间", "发布日期", "发稿时间",
             "公開日", "投稿日", "掲載日", "게시일", "작성일", "등록일")


def _alternation(words: tuple[str, ...], capitalised: bool = False) -> str:
    forms = [w[0].upper() + w[1:] for w in words] + [w.upper() for w in words] if capitalised else list(words)
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)


#: Words that open a publication stamp, per language (publishing, never editing), in any case.
PUBLISH_CUE = "(?i:" + _alternation(_EN_CUES + _OTHER_CUES) + ")|" + _alternation(_CJK_CUES)
#: The same words capitalised, as a stamp writes them after a byline on its line ("Kevin Johnson Published …").
_CAPITAL_CUE = _alternation(_EN_CUES + _OTHER_CUES, capitalised=True) + "|" + _alternation(_CJK_CUES)
#: Where a stamp starts: at a line start or after a separator, or after a short run of words with no sentence
#: punctuation when the cue is capitalised or reads "published on". "The study was published in Nature on 3
#: March 2020" is prose.
_STAMP_LEAD = (r"(?:(?:^|\n|[|·•»])[ \t]*(?P<cue>" + PUBLISH_CUE + r")"
               r"|(?:^|\n|[|·•»])[^\n.!?;,|·•»]{0,40}[ \t：:](?P<cue2>" + _CAPITAL_CUE + r")"
               # Movable Type's "This page contains a single entry by Byron published on November 3, 2012".
               r"|(?:^|\n)[^\n.!?;,|·•»]{0,60}[ \t](?P<cue3>(?i:posted|published)\s+on)\s)")
#: A stamp: its lead and cue, up to one short clause (by whom, in which section), then the date:
#: "Posted by admin on …", "Posted to News on …", "Published 7:07 PM EST Nov 19, 2019", "Veröffentlicht am
#: …", "发布于 …". A cue glued to a preceding word ("unpublished") does not count.
CUED_STAMP = (
    _STAMP_LEAD
    + r"(?:\s+(?i:by|to|in|von|par|por|da|door|przez)\s*:?\s+[^\n]{1,60}?)?"
    + r"(?:\s*(?i:on|at|am|le|el|em|il|op|dnia)?\s*[:：|,–—-]?\s*)"
    + r"(?:" + CLOCK + r"(?:\s*" + TZ + r")?,?\s+)?"
    + r"(?P<date>" + FULL_DATE + r")"
)
_ENGLISH_CUE = re.compile(r"(?i:" + _alternation(_EN_CUES) + r")")
_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*([./-])\s*(\d{1,2})\s*[./-]\s*\d{4}")


def reads_day_first(stamp: str, date: str) -> bool | None:
    """How a numeric day-month date of a stamp reads: True for day first, False for month first, None when
    only the configuration can say (an English cue with a slash: 12/25/2019 in the US, 25/12/2019 in the UK).

    Dotted dates (24.02.2024) are day first in every language that writes them; so is any numeric date
    under a non-English cue ("Publicado el 03/05/2022", "Veröffentlicht am 06.10.2023").
    """
    numeric = _NUMERIC.match(date)
    if numeric is None:
        return None
    if numeric.group(2) == ".":
        return True
    return None if _ENGLISH_CUE.search(stamp) else True


def ambiguous_day_month(date: str) -> bool:
    """True when a numeric date reads as a real date either way (05/06/2020)."""
    numeric = _NUMERIC.match(date)
    return numeric is not None and int(numeric.group(1)) <= 12 and int(numeric.group(3)) <= 12


_WEEKDAY = re.compile(r"\b" + WEEKDAY)
_DE_DAY = re.compile(r"(\d)\.\s*(?=[^\W\d])")  # "14. Januar" -> "14 Januar"
_WORDS = re.compile(r"[^\W\d_]+\.?", re.UNICODE)


def english_date(value: str) -> str:
    """``value`` with month names turned English and Korean/CJK markers turned into dashes, for dateutil."""
    text = re.sub(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일", r"\1-\2-\3", value)
    text = _WEEKDAY.sub(" ", text)
    text = re.sub(r"\b(?:de|del|г)\b\.?", " ", text, flags=re.IGNORECASE)
    text = _DE_DAY.sub(r"\1 ", text)
    text = re.sub(r"(?i)\b(?:um|à|a las|alle|om|в)\b", " ", text)
    text = re.sub(r"(\d)h(\d)", r"\1:\2", text)
    text = re.sub(r"\s*(?:Uhr)\b", "", text)

    def month(match: re.Match[str]) -> str:
        word = match.group(0).rstrip(".").lower()
        number = _MONTH_NUMBER.get(word)
        return _ENGLISH[number] if number else match.group(0)

    return " ".join(_WORDS.sub(month, text).split())
