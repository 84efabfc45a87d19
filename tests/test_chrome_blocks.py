"""The ``chrome_blocks`` kind: site chrome above and below the article, found from line shape alone."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pandas as pd

from qc.batch import Batch
from qc.fixing.strip import Cut, strip_text
from qc.kinds import chrome_blocks
from qc.registry import load_rules

from .conftest import DEV_SAMPLE

ARTICLE = (
    "Night trains return to the valley line\n"
    "The regional rail company will run a night train between the two cities again from December, "
    "ten years after the last one was cancelled for lack of passengers.\n"
    "Tickets go on sale next month, and the company expects most of them to be bought by students and "
    "by people who work late shifts at the hospital.\n"
    "Local councils have agreed to pay for the first two years, after which the line must cover its costs."
)
HEADER = "Home\nNews\nRegion\nSport\nCulture\nContact"
FOOTER = "Share\nPrint\nEmail\nMore on this\nAbout us\nImprint\nPrivacy"


def spec(**keys: Any) -> chrome_blocks.Spec:
    """The built-in BP040 (the settings the figures in docs/accuracy.md are for), with ``keys`` changed."""
    rule = load_rules().get("BP040")
    assert isinstance(rule, chrome_blocks.Spec)
    return chrome_blocks.Spec.model_validate({**rule.model_dump(by_alias=True, exclude_unset=True), **keys})


def findings(texts: list[str], rule: chrome_blocks.Spec | None = None) -> list[tuple[int, int, int, str]]:
    batch = Batch(pd.DataFrame({"text": texts}))
    return [(f.row, f.start or 0, f.end or 0, f.match) for f in (rule or spec()).evaluate(batch)]


def test_header_and_footer_blocks_are_found_with_their_spans() -> None:
    text = f"{HEADER}\n{ARTICLE}\n{FOOTER}"
    found = findings([text])
    # The headline (a short line) and the two lines above it are kept as a possible title and byline; the
    # menu above them goes.
    assert [match for _, _, _, match in found] == ["Home\nNews\nRegion\nSport", FOOTER]
    for _, start, end, match in found:
        assert text[start:end] == match
    cleaned, _ = strip_text(text, [Cut(start, end, True) for _, start, end, _ in found])
    assert ARTICLE in cleaned
    assert "Privacy" not in cleaned and "Home" not in cleaned


def test_after_a_footer_even_prose_is_chrome() -> None:
    teaser = "Another story from this site, told as one prose sentence."
    text = f"{ARTICLE}\nRelated\nMost read\nTop stories\nVideo\nPodcasts\nWeather\n{teaser}\nAbout us\nImprint"
    (_, start, _, match), = findings([text])
    assert match.startswith("Related") and match.endswith("Imprint") and teaser in match
    assert text[:start].rstrip("\n") == ARTICLE


def test_clean_text_and_text_without_prose_are_left_alone() -> None:
    listing = ("What to pack\nA good hiking trip starts with a short list, and the list below has served us well "
               "on every trip.\nWater\nMap\nRain jacket\nEverything else is a matter of taste and of how much "
               "weight you are willing to carry.\nDay 1: 12 km\nDay 2: 15 km\nDay 3: 9 km")
    assert findings([ARTICLE, listing, "Home\nNews\nSport\nContact", ""]) == []


def test_offsets_are_per_document_in_a_batch_and_survive_crlf() -> None:
    crlf = f"{HEADER}\n{ARTICLE}\n{FOOTER}".replace("\n", "\r\n")
    texts = ["Home\nNews\nSport", "  ", crlf, f"{ARTICLE}\n{FOOTER}"]
    found = findings(texts)
    assert sorted({row for row, _, _, _ in found}) == [2, 3]
    for row, start, end, match in found:
        assert texts[row][start:end] == match
        assert not match.startswith(("\r", "\n")) and not match.endswith(("\r", "\n"))


def test_cjk_characters_weigh_more_so_a_chinese_paragraph_is_prose() -> None:
    article = ("今天上午，市里召开了春季植树动员会，会议总结了去年的造林绿化工作，部署了今年的任务。\n"
               "会议要求各区抓紧落实，确保按时完成植树任务，并做好后期养护。")
    text = f"首页\n新闻\n体育\n财经\n娱乐\n{article}\n分享到\n微博\n关于我们\n联系我们"
    found = findings([text])
    assert found and all(article not in match for _, _, _, match in found)
    assert found[-1][3] == "分享到\n微博\n关于我们\n联系我们"


def test_stripping_the_blocks_leaves_nothing_to_find() -> None:
    texts = [f"{HEADER}\n{ARTICLE}\n{FOOTER}", f"{ARTICLE}\nRelated\nMost read\nA teaser.\nAbout us\nImprint"]
    cleaned = []
    for row, text in enumerate(texts):
        cuts = [Cut(start, end, True) for r, start, end, _ in findings(texts) if r == row]
        cleaned.append(strip_text(text, cuts)[0])
    assert findings(cleaned) == []


def test_the_builtin_rule_is_info_and_strips_lines() -> None:
    rule = load_rules().get("BP040")
    assert rule is not None and rule.severity == "info" and rule.strips_lines


def kadane(scores: list[int]) -> tuple[int, int] | None:
    """Reference maximum-score run (first best end, latest start), or None when no run scores above 0."""
    best, current, start, found = 0, 0, 0, None
    for index, value in enumerate(scores):
        if current <= 0:
            current, start = 0, index
        current += value
        if current > best:
            best, found = current, (start, index)
    return found


def test_vectorised_article_runs_match_a_plain_maximum_subarray() -> None:
    rng = random.Random(7)
    for _ in range(200):
        docs = [[rng.choice([-12, -12, -2, 0, 40, 90, 150]) for _ in range(rng.randint(1, 12))]
                for _ in range(rng.randint(1, 6))]
        lines = object.__new__(chrome_blocks._Lines)
        lines.rows = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
        lines.score = np.concatenate([np.array(d, dtype=np.int64) for d in docs])
        rows, firsts, begins, lasts = lines.articles()
        got = {int(r): (int(b - f), int(last - f)) for r, f, b, last in zip(rows, firsts, begins, lasts, strict=True)}
        want = {row: run for row, doc in enumerate(docs) if (run := kadane(doc)) is not None}
        assert got == want, docs


def test_stripping_is_a_fixpoint_on_the_vendored_sample() -> None:
    # What qc fix's idempotence needs from this kind: its cuts, applied, leave nothing for it to find.
    texts = [json.loads(line)["text"] or "" for line in DEV_SAMPLE.corpus.read_text("utf-8").splitlines() if line]
    first = findings(texts)
    assert len({row for row, _, _, _ in first}) > 50  # most naive pages of the sample have chrome blocks
    cleaned = list(texts)
    for row in {row for row, _, _, _ in first}:
        cleaned[row] = strip_text(texts[row], [Cut(s, e, True) for r, s, e, _ in first if r == row])[0]
    assert findings(cleaned) == []
