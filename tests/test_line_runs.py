"""The ``line_runs`` kind: menu-like runs of short lines at a post's edges, in any language."""

from __future__ import annotations

from typing import Any

import pandas as pd

from qc.config import Config
from qc.engine import Checker, run
from qc.kinds import line_runs
from qc.registry import RuleSet

PROSE = "\n".join(
    f"Paragraph {i} is a full sentence that reads as prose rather than as a menu entry." for i in range(8)
)


def spec(**keys: Any) -> line_runs.Spec:
    return line_runs.Spec.model_validate({
        "code": "TS100", "name": "runs", "family": "boilerplate", "kind": "line_runs", "severity": "warning",
        "message": "{value} items: '{match}'", "summary": "s", "why": "w",
        "examples": {"fail": ["x"], "pass": ["y"]}, **keys,
    })


def test_head_menu_in_german_is_found_with_its_span() -> None:
    menu = "Startseite\nPolitik\nWirtschaft\nSport\nKultur\nWetter"
    text = f"{menu}\n{PROSE}"
    runs = spec().runs(text)
    assert runs == [(0, len(menu), 6)]


def test_tail_footer_with_a_dated_line_inside_is_one_run() -> None:
    footer = "Impressum\nDatenschutz\n© 2019 Beispiel GmbH\nKontakt\nAGB\nJobs\nPresse"
    text = f"{PROSE}\n{footer}\n"
    (start, end, items), = spec().runs(text)
    assert text[start:end] == footer
    assert items == 6  # the dated line neither counts nor breaks the run


def test_one_line_menus_count_each_item() -> None:
    text = "首页|艺术快讯|当代艺术\n艺术史论|艺术设计|艺术专题\n" + PROSE
    assert spec().runs(text)[0][2] == 6


def test_prose_lists_and_repeated_items_are_not_menus() -> None:
    numbered = "\n".join(f"{i}. Item" for i in range(1, 12))
    repeated = "Links\n" + "link\n" * 8 + "Images"
    sentences = "\n".join(["Yes.", "No.", "Maybe.", "Later.", "Never.", "Always."])
    for head in (numbered, repeated, sentences):
        assert spec().runs(f"{head}\n{PROSE}") == [], head


def test_run_must_start_near_the_edge() -> None:
    menu = "Home\nNews\nSport\nWeather\nTravel\nCulture"
    text = f"{PROSE}\n{menu}\n{PROSE}"
    assert spec().runs(text) == []
    assert spec(region="head").runs(f"{menu}\n{PROSE}") != []
    assert spec(region="head").runs(f"{PROSE}\n{menu}") == []


def test_findings_through_the_engine() -> None:
    frame = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Home\nNews\nSport\nWeather\nTravel\nCulture\n" + PROSE,
                                                          PROSE]})
    found = run(frame, Checker(RuleSet([spec()])), Config())[0].to_frame()
    assert list(found["doc_id"]) == ["a"]
    assert found["message"].iloc[0].startswith("6 items:")


def _random_texts(count: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    pieces = ["Home", "News", "Sport", "Contact us", "首页", "新闻", "体育", "登录注册", "Home | News | Sport",
              "[ Home ] [ News ] [ Help ]", "a :: b :: c", "one / two / three", "© 2019 Example", "Page 2",
              "Sign up for our newsletter today", "This is a full sentence that ends here.", "短句。",
              "A long line of text without any sentence end that goes on and on past every item limit",
              "", "   ", "\t", "\u3000Kontakt\u3000", "Menu:", "１２３", "»", "Jobs", "Presse", "AGB", "x"]
    texts = []
    for _ in range(count):
        lines = [rng.choice(pieces) for _ in range(rng.randint(0, 16))]
        texts.append("\n".join(lines) + rng.choice(["", "\n", "\n\n"]))
    return texts


def test_candidate_rows_hold_every_row_the_exact_walk_flags() -> None:
    from qc.batch import Batch

    texts = _random_texts(1500, seed=11)
    frame = pd.DataFrame({"text": pd.array(texts, dtype="str")})
    variants = [spec(), spec(region="head"), spec(region="tail", min_run=3), spec(within_lines=5, min_run=2),
                spec(soft_words=6, soft_chars=40, soft_cjk_chars=12, min_run=4)]
    flagged_somewhere = 0
    for rule in variants:
        batch = Batch(frame=frame)
        candidates = set(rule.candidate_rows(batch).tolist())
        flagged = {row for row, text in enumerate(texts) if rule.runs(text)}
        flagged_somewhere += len(flagged)
        assert flagged <= candidates, sorted(flagged - candidates)[:5]
        assert len(candidates) < len(texts)  # the filter leaves rows out
        # And the kind's findings are the exact walk's over every row.
        got = [(f.row, f.start, f.end) for f in rule.evaluate_columns(batch).to_rows(rule)]
        want = [(row, start, end) for row, text in enumerate(texts) for start, end, _ in rule.runs(text)]
        assert got == want
    assert flagged_somewhere > 100
