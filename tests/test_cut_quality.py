"""Quality of the cut: the strip action keeps the article and removes the chrome, measured on gold/naive pairs.

The figures are those of ``bench/cut_quality.py`` (and docs/accuracy.md). The issue's targets are kept
>= 0.99 and removed >= 0.80 on the naive records, kept >= 0.995 on the gold records. kept and gold kept
are asserted at their targets; removed is asserted at the figure the built-in rules reach (0.470 on the
full development set, 0.515 on the vendored sample), a little below it, because the 0.80 target is not
reached: see docs/accuracy.md, "Quality of the cut".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import qc
from qc.fixing.cuts import cuts_by_text, cuts_for, effective_action
from qc.fixing.quality import (
    QualityReport,
    c4_clean,
    c4_keep_line,
    gold_quality,
    load_pairs,
    measure,
    normalise_lines,
    pair_quality,
)
from qc.fixing.strip import Cut, strip_text
from qc.registry import load_rules

from .conftest import DEV_SAMPLE, DevSet, full_dev_set

#: The issue's targets.
KEPT_TARGET = 0.99
GOLD_KEPT_TARGET = 0.995
REMOVED_TARGET = 0.80
#: What the built-in rules reach (measured; the floor sits just under it so a regression fails).
REMOVED_FULL = 0.46
REMOVED_SAMPLE = 0.50


def strip_report(dev: DevSet) -> QualityReport:
    """Check the corpus with every built-in rule, strip each record's findings, and score the cleaned texts."""
    texts, pairs = load_pairs(dev.corpus, dev.labels)
    result = qc.check(dev.corpus, {}, excerpts=False)
    findings = result.findings
    cuts = cuts_by_text(findings[findings["field"] == "text"], result.ruleset, keys=("doc_id",))
    return measure(texts, pairs, lambda doc_id: strip_text(texts[doc_id], cuts.get((doc_id,), []))[0])


def test_full_dev_set_keeps_the_article_and_removes_chrome() -> None:
    measured = strip_report(full_dev_set())
    report, gold = measured.naive["all"], measured.gold["all"]
    assert report.pairs > 500
    assert report.kept >= KEPT_TARGET, report
    assert gold.kept >= GOLD_KEPT_TARGET, gold
    # Target 0.80 is not reached (docs/accuracy.md): this holds the figure reached.
    assert report.removed >= REMOVED_FULL, report


def test_vendored_sample_keeps_the_article_and_removes_chrome() -> None:
    report = strip_report(DEV_SAMPLE)
    naive, gold = report.naive["all"], report.gold["all"]
    assert naive.pairs >= 100  # readability, scrapinghub and zhcwe pairs of the sample
    assert naive.kept >= KEPT_TARGET, naive
    assert gold.kept >= GOLD_KEPT_TARGET, gold
    assert naive.removed >= REMOVED_SAMPLE, naive
    assert set(report.naive) == {"all", "readability", "scrapinghub", "zhcwe"}


def test_strip_beats_c4_on_kept_and_c4_removes_more() -> None:
    # The comparison docs/accuracy.md reports, on the vendored sample: C4's line filter cuts far more
    # of the article (it drops every headline, list item and Chinese line) for its higher removal.
    texts, pairs = load_pairs(DEV_SAMPLE.corpus, DEV_SAMPLE.labels)
    c4 = measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id])).naive["all"]
    ours = strip_report(DEV_SAMPLE).naive["all"]
    assert c4.kept < 0.95 < ours.kept
    assert c4.removed > ours.removed


# -- the measure itself ---------------------------------------------------------------------------------------


def test_lines_are_compared_after_whitespace_folding() -> None:
    assert normalise_lines("  Two   words \r\n\n\tTwo words\nother") == {"Two words": 2, "other": 1}


def test_pair_quality_counts_kept_gold_and_removed_chrome() -> None:
    gold = "Headline\nThe article's only paragraph, long enough."
    naive = "Home\nNews\n" + gold + "\nShare this\nA gold line the naive text lacks is not here."
    cleaned = "News\nThe article's only paragraph, long enough.\nShare"
    quality = pair_quality(gold, naive, cleaned)
    assert quality.gold_chars == len("Headline") + len("The article's only paragraph, long enough.")
    assert quality.gold_in_naive == quality.gold_chars
    assert quality.gold_kept == len("The article's only paragraph, long enough.")  # the headline was cut
    chrome = len("Home") + len("News") + len("Share this") + len("A gold line the naive text lacks is not here.")
    assert quality.noise_chars == chrome
    # "News" is left whole, "Share" is what a span cut left of "Share this": both count as not removed.
    assert quality.noise_left == len("News") + len("Share")
    assert quality.removed == pytest.approx(1 - 9 / chrome)


def test_gold_lines_missing_from_the_naive_text_are_out_of_the_kept_denominator() -> None:
    gold = "A paragraph the annotator rewrote.\nA paragraph both texts hold."
    naive = "A paragraph the annotator wrote.\nA paragraph both texts hold."
    quality = pair_quality(gold, naive, naive)
    assert quality.kept == 1.0
    assert quality.gold_coverage == pytest.approx(len("A paragraph both texts hold.") / quality.gold_chars)
    assert quality.kept_of_all_gold == pytest.approx(quality.gold_coverage)


def test_gold_quality_is_the_share_of_lines_left_unchanged() -> None:
    gold = "Line one of the post.\nLine two of the post."
    assert gold_quality(gold, gold).kept == 1.0
    assert gold_quality(gold, "Line one of the post.").kept == pytest.approx(0.5)


def test_c4_keeps_sentences_and_drops_menus_code_and_policy_lines() -> None:
    assert c4_keep_line("The council voted on Tuesday to add bike lanes.")
    assert not c4_keep_line("Home")
    assert not c4_keep_line("Please enable JavaScript to view the comments.")
    assert not c4_keep_line("This site uses cookies to improve your experience.")
    assert not c4_keep_line("function f() { return 1; }")
    assert not c4_keep_line("Done.")  # under three words
    assert not c4_keep_line("今天上午，市里召开了春季植树动员会。")
    assert c4_keep_line("今天上午，市里召开了春季植树动员会。", cjk=True)
    assert c4_clean("Lorem ipsum dolor sit amet.\nA real sentence is here.", page_rules=True) == ""


# -- findings to cuts ---------------------------------------------------------------------------------------


def test_effective_actions_default_per_family_and_follow_the_rule() -> None:
    rules = load_rules()
    assert effective_action(rules.get("BP011")) == "strip"
    assert effective_action(rules.get("BP090")) == "flag"  # a weak signal: listed, never cut
    assert effective_action(rules.get("PH001")) == ("drop" if rules.get("PH001").severity == "error" else "flag")
    assert effective_action(rules.get("DT010")) == "flag"
    assert rules.get("BP040").strips_lines and rules.get("BP010").strips_lines
    # The config's [tool.qc.actions]: a rule code beats its family, both beat the rule's own key.
    overrides: dict[str, Any] = {"boilerplate": "flag", "BP011": "keep", "BP090": "strip"}
    assert effective_action(rules.get("BP011"), overrides) == "keep"
    assert effective_action(rules.get("BP010"), overrides) == "flag"
    assert effective_action(rules.get("BP090"), overrides) == "strip"


def test_cuts_for_keeps_strip_findings_with_a_span_only(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    text = ("Home\nNews\nSport\nContact us\nThe article starts here and tells its story in full sentences.\n"
            "Dear {{first_name}}, the order has shipped.\n© 2009 Example Ltd")
    corpus.write_text(json.dumps({"id": "a", "text": text, "posted_at": "2020-05-01"}) + "\n", encoding="utf-8")
    result = qc.check(corpus, {}, excerpts=False)
    findings = result.findings
    cuts = cuts_for(findings, result.ruleset)
    strips = [effective_action(result.ruleset.by_code[code]) == "strip" if code in result.ruleset.by_code else False
              for code in findings["rule"]]
    expected = [Cut(int(row.start), int(row.end), result.ruleset.by_code[row.rule].strips_lines)
                for row, chosen in zip(findings.itertuples(), strips, strict=True) if chosen and pd.notna(row.start)]
    assert expected and cuts == expected
    assert len(cuts) < len(findings)  # the placeholder and date findings are not cuts
    assert all(isinstance(cut, Cut) for cut in cuts)
    cleaned, removed = strip_text(text, cuts)
    assert "Contact us" not in cleaned and "The article starts here" in cleaned
    assert "{{first_name}}" in cleaned  # a placeholder is dropped or flagged, never cut out of the text
    assert removed == len(text) - len(cleaned)
    assert cuts_by_text(findings, result.ruleset)[("a", "text")] == cuts
    assert cuts_for(findings, result.ruleset, {"boilerplate": "flag"}) == []
