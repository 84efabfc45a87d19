"""Region, density and whole-line options of the lexicon and pattern kinds, and precise hit spans."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qc.config import Config
from qc.engine import Checker, run
from qc.kinds import pattern, phrases
from qc.region import RegionOptions, head_limit, tail_limit
from qc.registry import RuleSet

BASE: dict[str, Any] = {
    "code": "TS001", "name": "test-rule", "family": "boilerplate", "severity": "warning",
    "message": "hit '{match}'", "summary": "s", "why": "w",
    "examples": {"fail": ["x"], "pass": ["y"]},
}

BODY = "\n".join(f"Body sentence number {i} talks about many things." for i in range(40))


def findings(rule: Any, texts: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    found = run(frame, Checker(RuleSet([rule])), Config())[0].to_frame()
    return found


def lexicon(**keys: Any) -> phrases.Spec:
    return phrases.Spec.model_validate({**BASE, "kind": "phrases", **keys})


def test_head_and_tail_limits_count_non_blank_lines() -> None:
    text = "a\n\nb\nc\n\n\nd\ne"
    assert text[: head_limit(text, 2, None)] == "a\n\nb"
    assert text[tail_limit(text, 2, None):] == "d\ne"
    assert head_limit(text, None, 3) == 3
    assert tail_limit(text, None, 3) == len(text) - 3
    # Both keys given: the hit must satisfy both, so the tighter one wins.
    assert head_limit(text, 5, 2) == 2


def test_region_edges_ignores_a_mention_in_the_body() -> None:
    rule = lexicon(phrases=["register", "copyright"], ignorecase=True, region="edges", within_lines=3,
                   min_distinct=2)
    in_body = f"{BODY}\nPlease register your copyright claim with the office.\n{BODY}"
    at_tail = f"{BODY}\nRegister\nCopyright"
    found = findings(rule, [in_body, at_tail])
    assert set(found["doc_id"]) == {"d1"}
    assert sorted(found["match"]) == ["Copyright", "Register"]


def test_region_head_only_and_within_chars() -> None:
    rule = lexicon(phrases=["Sign in"], region="head", within_chars=20)
    found = findings(rule, ["Sign in\n" + BODY, BODY + "\nSign in", "x" * 30 + " Sign in"])
    assert list(found["doc_id"]) == ["d0"]
    assert (found["start"].iloc[0], found["end"].iloc[0]) == (0, 7)


def test_min_distinct_counts_only_hits_inside_the_region() -> None:
    rule = lexicon(phrases=["Home", "Contact"], region="head", within_lines=2, min_distinct=2)
    found = findings(rule, [f"Home\n{BODY}\nContact", "Home Contact\n" + BODY])
    assert set(found["doc_id"]) == {"d1"}


def test_whole_line_phrases_report_the_phrase_not_the_padding() -> None:
    rule = lexicon(phrases=["Contact us", "Home", "首页"], ignorecase=True, whole_line=True, min_distinct=2)
    text = "  HOME \nContact us:\r\nWelcome home, said the contact.\n\u3000首页"
    found = findings(rule, [text, "Home is where the contact us form lives."])
    assert set(found["doc_id"]) == {"d0"}
    spans = {(int(s), int(e), m) for s, e, m in zip(found["start"], found["end"], found["match"], strict=True)}
    assert spans == {(2, 6, "HOME"), (8, 18, "Contact us"), (len(text) - 2, len(text), "首页")}
    for start, end, match in spans:
        assert text[start:end] == match


def test_pattern_hit_group_gives_the_defect_span_only() -> None:
    rule = pattern.Spec.model_validate({
        **BASE, "kind": "pattern", "family": "placeholder",
        "patterns": [r"(?:^|[^A-Za-z0-9_])(?P<hit>[xX]{1,3}(?:亿元|%))"],
    })
    text = "总值x亿元,增长x%,x86架构"
    found = findings(rule, [text])
    assert list(found["match"]) == ["x亿元", "x%"]
    assert [text[s:e] for s, e in zip(found["start"], found["end"], strict=True)] == ["x亿元", "x%"]


def test_pattern_region_and_min_distinct() -> None:
    rule = pattern.Spec.model_validate({
        **BASE, "kind": "pattern", "patterns": [r"ICP备[0-9]+号", r"版权所有"], "region": "tail",
        "within_lines": 2, "min_distinct": 2,
    })
    found = findings(rule, [f"{BODY}\n版权所有 京ICP备123号", f"版权所有 京ICP备123号\n{BODY}", f"{BODY}\nICP备1号"])
    assert set(found["doc_id"]) == {"d0"}


def test_region_any_is_the_default() -> None:
    assert RegionOptions().region_bounds("anything") is None
    assert RegionOptions.in_bounds(None, 5, 6)


def test_batch_bounds_equal_the_per_text_bounds() -> None:
    """Every row's (head end, tail start) from the batch's lines is what region_bounds gives on its text."""
    import random

    from qc.batch import Batch

    rng = random.Random(3)
    pieces = ["Home", "", "  ", "\t", "\u3000", "A body sentence that goes on for a while.", "首页", "x", " y "]
    texts = ["\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    texts += ["", "\n", "one line", "\n\n\nlast"]
    frame = pd.DataFrame({"text": pd.array(texts, dtype="str")})
    checked = 0
    for keys in [{"region": "edges"}, {"region": "head", "within_lines": 3}, {"region": "tail", "within_lines": 2},
                 {"region": "edges", "within_chars": 25}, {"region": "edges", "within_lines": 4, "within_chars": 30},
                 {"region": "head", "within_chars": 7}, {"region": "any"}]:
        rule = lexicon(phrases=["Home"], **keys)
        batch = Batch(frame=frame)
        bounds = rule.batch_bounds(batch.lines("text"), batch.trimmed_lines("text"))
        if rule.region_bounds(texts[0]) is None:
            assert bounds is None
            continue
        assert bounds is not None
        got = list(zip(bounds[0].tolist(), bounds[1].tolist(), strict=True))
        assert got == [rule.region_bounds(text) for text in texts], keys
        checked += 1
    assert checked == 6
