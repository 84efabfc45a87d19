"""The ``body_dates`` fast paths agree with the plain ones they replace (same mentions, same findings)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import qc
from qc.kinds.body_dates import _mention_re, _mentions, _mentions_public, is_later

#: Mixed scripts (char offsets differ from UTF-8 byte offsets), every mention shape, and non-dates.
TEXTS = [
    "工作回顾。\n2023年5月16日,我市完成了任务;2024年,增长了6%。见 2019-13-01 与 2022/2/30。",
    "The plant was opened on March 3, 2022. 16 Sept. 2023 was busy; in 2024 it had record sales.",
    "中文 May 2025 和 since 2021, then 2020.1.2 and Feb 30, 2026 (no such day) 然后 1999年",
    "链接 https://example.com/2023/11/18/slug 发表于 2024-1-1 © 2013-2025 Example",
    "",
]


def test_binding_parser_matches_public_finditer() -> None:
    for text in TEXTS:
        for year in (1990, 2020, 2023, 2025):
            fast = _mentions(text, year)
            assert fast == _mentions_public(_mention_re(year), text)
            for start, end, _ in fast:  # character offsets: the slice is the mention itself
                assert text[start:end].strip() == text[start:end] and end > start
    assert [m[2] for m in _mentions(TEXTS[0], 2020)] == [(2023, 5, 16), (2024, None, None)]
    assert [text_span for *text_span, _ in _mentions(TEXTS[2], 2020)][:1] == [[3, 11]]


def test_is_later_matches_the_inlined_comparison() -> None:
    posted = pd.Timestamp("2020-05-16 23:00:00")
    assert not is_later((2020, None, None), posted) and is_later((2021, None, None), posted)
    assert not is_later((2020, 5, None), posted) and is_later((2020, 6, None), posted)
    assert not is_later((2020, 5, 17), posted) and is_later((2020, 5, 18), posted)


def test_shared_rules_give_the_same_findings_alone_and_together(tmp_path: Path) -> None:
    records = [
        {"id": f"d{i}", "text": text, "posted_at": "2020-05-16 17:53:04", "captured_at": "2023-06-01T00:00:00Z"}
        for i, text in enumerate(TEXTS)
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    together = qc.check(path, {"select": ["DT020", "DT021"], "fail-on": "never"}).findings
    alone = pd.concat([qc.check(path, {"select": [code], "fail-on": "never"}).findings for code in ("DT020", "DT021")])
    # The empty text's schema problem (SC005) is reported by every run: compare the rules' own findings.
    together, alone = (f[f["rule"].isin(["DT020", "DT021"])] for f in (together, alone))
    key = ["doc_id", "rule", "start"]
    pd.testing.assert_frame_equal(together.sort_values(key).reset_index(drop=True),
                                  alone.sort_values(key).reset_index(drop=True))
    assert set(together["rule"]) == {"DT020", "DT021"}  # both rules fire, so the memo is really shared
    assert set(together.loc[together["rule"] == "DT021", "match"]) >= {"2024年"}
