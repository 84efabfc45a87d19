"""How good a cut is: characters of the article kept and characters of the chrome removed, at line level.

A page scraped two ways gives a pair: the **gold** text (what a good extractor keeps: the article) and the
**naive** text (every visible text node: the article with the site's menus, footers and widgets). A fixer
cleans the naive text; comparing its lines with the gold lines says how much of the article survived
and how much of the chrome went. Lines are compared after whitespace normalisation (runs of whitespace
folded to one space, ends trimmed, blank lines ignored), as multisets: a line the gold text holds twice
is kept twice only if the cleaned text holds it twice.

- **kept**: of the gold text's line characters that the naive text holds too, the share the cleaned text
  still holds. Gold lines that are not naive lines at all (an annotator joined or trimmed a paragraph, the
  extractor's own whitespace) cannot be kept or cut by any line-level fixer, so they are out of the
  denominator; :attr:`CutQuality.gold_coverage` says how many gold characters that leaves out.
- **removed**: of the naive text's line characters that are not gold lines (the chrome), the share the
  cleaned text no longer holds. A line a span cut shortened counts with its remaining characters.
- For a gold record cleaned on its own, kept is the share of its line characters left unchanged: a fix must
  leave clean text nearly untouched.

Counts add up over pairs (micro averages): a long page weighs more than a short one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_BREAK = re.compile(r"\r\n|\n|\r")


def normalise_lines(text: str) -> Counter[str]:
    """The text's non-blank lines, whitespace folded and trimmed, as a multiset."""
    lines: Counter[str] = Counter()
    for line in _BREAK.split(text):
        folded = " ".join(line.split())
        if folded:
            lines[folded] += 1
    return lines


def _chars(lines: Counter[str]) -> int:
    return sum(len(line) * count for line, count in lines.items())


@dataclass
class CutQuality:
    """Character counts of one or more (gold, naive, cleaned) triples; the rates are properties."""

    #: Gold line characters (all of them).
    gold_chars: int = 0
    #: Gold line characters the naive text holds too (the kept denominator).
    gold_in_naive: int = 0
    #: Of those, the characters the cleaned text still holds.
    gold_kept: int = 0
    #: Naive line characters that are not gold lines (the chrome; the removed denominator).
    noise_chars: int = 0
    #: Non-gold line characters the cleaned text still holds.
    noise_left: int = 0
    pairs: int = 0

    def add(self, other: CutQuality) -> None:
        """Add another triple's (or sum's) counts to this one."""
        self.gold_chars += other.gold_chars
        self.gold_in_naive += other.gold_in_naive
        self.gold_kept += other.gold_kept
        self.noise_chars += other.noise_chars
        self.noise_left += other.noise_left
        self.pairs += other.pairs

    @property
    def kept(self) -> float:
        """Share of the gold characters present in the naive text that the cleaned text still holds."""
        return self.gold_kept / self.gold_in_naive if self.gold_in_naive else 1.0

    @property
    def kept_of_all_gold(self) -> float:
        """The same against every gold character (lines the naive text lacks count as lost)."""
        return self.gold_kept / self.gold_chars if self.gold_chars else 1.0

    @property
    def removed(self) -> float:
        """Share of the naive text's non-gold characters the cleaning removed."""
        if not self.noise_chars:
            return 1.0
        return max(0.0, 1.0 - self.noise_left / self.noise_chars)

    @property
    def gold_coverage(self) -> float:
        """Share of the gold characters that are naive lines at all (what a line-level fixer can act on)."""
        return self.gold_in_naive / self.gold_chars if self.gold_chars else 1.0


def pair_quality(gold: str, naive: str, cleaned: str) -> CutQuality:
    """Kept and removed counts for a naive text and its cleaned version, against the page's gold text."""
    g, n, c = normalise_lines(gold), normalise_lines(naive), normalise_lines(cleaned)
    gold_in_naive = sum(len(line) * min(count, n[line]) for line, count in g.items())
    gold_kept = sum(len(line) * min(count, n[line], c[line]) for line, count in g.items())
    noise = sum(len(line) * max(0, count - g[line]) for line, count in n.items())
    noise_left = sum(len(line) * max(0, count - g[line]) for line, count in c.items())
    return CutQuality(_chars(g), gold_in_naive, gold_kept, noise, min(noise, noise_left), 1)


def gold_quality(gold: str, cleaned: str) -> CutQuality:
    """Counts for a gold text cleaned on its own: kept is the share of its lines left as they were."""
    g, c = normalise_lines(gold), normalise_lines(cleaned)
    chars = _chars(g)
    kept = sum(len(line) * min(count, c[line]) for line, count in g.items())
    return CutQuality(chars, chars, kept, 0, 0, 1)


# -- pairs of a labelled corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """The gold and naive records of one page (same URL), by ``id``, and the benchmark they came from."""

    gold: str
    naive: str
    source: str


def load_pairs(corpus: Path, labels: Path) -> tuple[dict[str, str], list[Pair]]:
    """Every record's text by id, and the (gold, naive) pairs: records of one URL whose label lines say
    ``variant: gold`` and ``variant: naive``. Pages with one variant only (or no URL) give no pair."""
    variants: dict[str, tuple[str, str]] = {}
    with labels.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                label = json.loads(line)
                variants[str(label["doc_id"])] = (str(label.get("variant", "")), str(label.get("source", "")))
    texts: dict[str, str] = {}
    by_url: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            doc_id = str(record["id"])
            texts[doc_id] = str(record.get("text") or "")
            variant, source = variants.get(doc_id, ("", ""))
            url = record.get("url")
            if url and variant in ("gold", "naive"):
                by_url.setdefault(str(url), {})[variant] = doc_id
                sources[str(url)] = source
    pairs = [Pair(ids["gold"], ids["naive"], sources[url])
             for url, ids in by_url.items() if "gold" in ids and "naive" in ids]
    return texts, pairs


@dataclass
class QualityReport:
    """Kept/removed on naive records and kept on gold records, overall and per source."""

    naive: dict[str, CutQuality]
    gold: dict[str, CutQuality]

    def as_dict(self) -> dict[str, Any]:
        """Rates rounded to four places, per source (``all`` first)."""
        return {source: {
            "pairs": self.naive[source].pairs,
            "kept": round(self.naive[source].kept, 4),
            "kept_of_all_gold": round(self.naive[source].kept_of_all_gold, 4),
            "removed": round(self.naive[source].removed, 4),
            "gold_coverage": round(self.naive[source].gold_coverage, 4),
            "gold_kept": round(self.gold[source].kept, 4),
        } for source in self.naive}


def measure(texts: dict[str, str], pairs: list[Pair], cleaned: Callable[[str], str]) -> QualityReport:
    """Score ``cleaned`` (record id to its cleaned text) on every pair, and on every paired gold record."""
    naive: dict[str, CutQuality] = {"all": CutQuality()}
    gold: dict[str, CutQuality] = {"all": CutQuality()}
    for pair in sorted(pairs, key=lambda p: p.source):
        for source in ("all", pair.source):
            naive.setdefault(source, CutQuality())
            gold.setdefault(source, CutQuality())
        on_naive = pair_quality(texts[pair.gold], texts[pair.naive], cleaned(pair.naive))
        on_gold = gold_quality(texts[pair.gold], cleaned(pair.gold))
        for source in ("all", pair.source):
            naive[source].add(on_naive)
            gold[source].add(on_gold)
    return QualityReport(naive, gold)


# -- the C4 line filter, the simplest well-known baseline ---------------------------------------------------

#: Sentence ends C4 keeps a line for (period, exclamation and question marks, a closing quote).
C4_TERMINAL = (".", "!", "?", '"', "”", "'", "’")
#: The same with the Chinese/Japanese full-width marks, for a fair comparison on CJK pages.
CJK_TERMINAL = ("。", "！", "？", "」", "』", "…")
_C4_BAD = ("javascript", "cookie", "lorem ipsum", "{", "}")
_C4_POLICY = ("terms of use", "privacy policy")
_CJK_CHAR = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def c4_keep_line(line: str, cjk: bool = False, min_words: int = 3) -> bool:
    """Whether C4's line filter keeps ``line``: it ends in terminal punctuation, holds ``min_words`` words
    (a CJK line counts as long enough when ``cjk``), and mentions none of javascript, cookie, lorem ipsum,
    curly brackets, terms of use, privacy policy."""
    folded = line.strip()
    lower = folded.casefold()
    if any(bad in lower for bad in _C4_BAD + _C4_POLICY):
        return False
    ends = C4_TERMINAL + CJK_TERMINAL if cjk else C4_TERMINAL
    if not folded.endswith(ends):
        return False
    return (cjk and _CJK_CHAR.search(folded) is not None) or len(folded.split()) >= min_words


def c4_clean(text: str, cjk: bool = False, page_rules: bool = False) -> str:
    """``text`` with the lines :func:`c4_keep_line` rejects removed. With ``page_rules``, C4's page-level
    rules too: a page mentioning lorem ipsum or holding a curly bracket goes whole, and so does a page
    left with fewer than three sentence-ending lines (C4 asks for five sentences; lines are what is
    counted here)."""
    if page_rules and ("{" in text or "lorem ipsum" in text.casefold()):
        return ""
    kept = [line for line in _BREAK.split(text) if c4_keep_line(line, cjk)]
    if page_rules and len(kept) < 3:
        return ""
    return "\n".join(kept)
