"""``body_dates``' row filter and check order: the same findings as the unfiltered scan, on varied texts."""

from __future__ import annotations

import random

import pandas as pd
import pytest

import qc
from qc.kinds import body_dates
from qc.kinds.body_dates import CLAUSE_DELIMITERS, later_year_regex, past_cue_regex

#: Pieces that make mentions of every shape (some split by newlines or long runs of spaces), cues with and
#: without word boundaries around them, clause delimiters and chrome.
PIECES = [
    "2023年", "2024年5月", "2025 年 3 月 9 日", "2023\n年", "2024-05-16", "2025/1/2", "2026.13.01",
    "May 16, 2024", "May\n16, 2025", "16 Sept. 2024", "March 2025", "in 2024", "since 2023", "x2024y",
    "了", "已经", "完成", "去年", "was", "swas", "wasn't", "had", "ago", "last", "took place",
    "将", "预计", "计划到", "will", "by", "plans", "expected",
    "。", "！", "？", "；", ";", "!", "?", "\n", ". ", ".", ",", "，", " ", "  ", "   ",
    "我市", "the plant", "增长", "sales", "https://example.com/2024/05/", "发表于 ", "updated ",
    "© 2013-2025 Example", "GMT+8, 2026-01-01 12:00", "a" * 120, "字" * 150,
]


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def _findings(texts: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({
        "id": [f"d{i}" for i in range(len(texts))],
        "text": texts,
        "posted_at": ["2022-05-16 17:53:04" if i % 3 else "2024-02-01" for i in range(len(texts))],
        "captured_at": ["2023-06-01T00:00:00Z" if i % 2 else "2025-01-01T00:00:00Z" for i in range(len(texts))],
    })
    found = qc.check(frame, {"select": ["DT020", "DT021"], "fail-on": "never"}, excerpts=False).findings
    found = found[found["rule"].isin(["DT020", "DT021"])]
    return found.sort_values(["doc_id", "rule", "start"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_row_filter_leaves_out_no_finding(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts(400, seed)
    filtered = _findings(texts)
    # The year filter alone (what every row went through before the past-cue filter): a cue-free stretch.
    monkeypatch.setattr(body_dates, "past_cue_regex", lambda year: "")
    unfiltered = _findings(texts)
    assert len(unfiltered) > 20 and set(unfiltered["rule"]) == {"DT020", "DT021"}  # the test has teeth
    pd.testing.assert_frame_equal(filtered, unfiltered)


def test_row_filter_drops_rows_whose_later_years_are_plans() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array([
        "计划到2027年建成绿道300公里。今年已经完成了一半。",  # the past cue is in another sentence
        "2027年,我市已经完成了任务。",
        "The plant will open in 2027; it was a good year.",
        "The plant was opened in 2027.",
        "In 2019 we had record sales.",  # an earlier year
    ])
    hits = pc.match_substring_regex(texts, past_cue_regex(2022)).to_pylist()
    assert hits == [False, True, False, True, False]
    plain = pc.match_substring_regex(texts, later_year_regex(2022)).to_pylist()
    assert plain == [True, True, True, True, False]


def test_clause_gap_stops_at_every_sentence_stop_no_mention_holds() -> None:
    stops = {d for d in CLAUSE_DELIMITERS if len(d) == 1 and d != "\n"}
    assert stops == set(body_dates._CLAUSE_GAP[2:-2])


def test_chrome_checks_run_only_for_cued_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = body_dates.Spec._skipped_spans

    def counting(batch: object, row: int, text: str) -> list[tuple[int, int]]:
        calls.append(row)
        return original(batch, row, text)  # type: ignore[arg-type]

    monkeypatch.setattr(body_dates.Spec, "_skipped_spans", staticmethod(counting))
    found = _findings(["2027年,我市已经完成了任务。", "计划到2027年,已经启动了。", "© 2027年 Example 已完成"])
    assert found["doc_id"].tolist() == ["d0", "d0"]  # DT020 and DT021 on the first text only
    assert sorted(set(calls)) == [0, 2]  # the future-cued mention never needed its chrome spans
