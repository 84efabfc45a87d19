"""The seed page: the date findings its README lists, and none of the speech's own dates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import qc

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "forum-pages" / "000_69e4dce93f7814c5.txt"
#: The speech's own dates: all before the post and consistent with it.
SPEECH_DATES = ("1月中下旬", "2月中旬", "3月29日至4月1日", "4月10日", "2019年")


def seed_inputs(tmp_path: Path) -> dict[str, Path]:
    text = SEED.read_text(encoding="utf-8")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / SEED.name).write_text(text, encoding="utf-8")
    jsonl = tmp_path / "seed.jsonl"  # a record without any date field
    jsonl.write_text(json.dumps({"id": "seed", "url": "http://bbs.example.cn/thread-1.html", "text": text},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    return {"text": folder, "jsonl": jsonl}


@pytest.mark.parametrize("shape", ["text", "jsonl"])
def test_seed_date_findings_match_the_readme(tmp_path: Path, shape: str) -> None:
    path = seed_inputs(tmp_path)[shape]
    findings = qc.check(path, {"select": ["date"]}).findings
    text = SEED.read_text(encoding="utf-8")
    for row in findings.itertuples():
        assert text[row.start : row.end] == row.match  # every finding's span is its evidence
    by_rule = {rule: group for rule, group in findings.groupby("rule")}

    recovered = by_rule["DT041"].set_index(by_rule["DT041"]["message"].str.split().str[0])
    assert recovered.loc["posted_at", "match"] == "发表于 2020-5-16 17:53:04"
    # The footer's GMT+8 is the page's zone: 17:53:04 there is 09:53:04 UTC.
    assert "2020-05-16 09:53:04Z" in recovered.loc["posted_at", "message"]
    assert recovered.loc["captured_at", "match"] == "GMT+8, 2024-11-29 12:32"
    assert "2024-11-29 04:32:00Z" in recovered.loc["captured_at", "message"]

    stale = by_rule["DT010"]
    assert stale["match"].tolist() == ["© 2013-2016"]
    assert stale["severity"].tolist() == ["warning"]
    assert "4 years before the post year 2020" in stale["message"].iat[0]

    flagged = findings[findings["severity"].isin(["warning", "error"])]
    assert flagged["rule"].tolist() == ["DT010"]
    for quoted in SPEECH_DATES:
        assert not findings["match"].str.contains(quoted, regex=False).any()


def test_seed_dates_from_chrome_are_marked_as_such() -> None:
    frame = qc.load_corpus([SEED])
    row = frame.iloc[0]
    assert (row["posted_source"], row["captured_source"]) == ("chrome", "chrome")
    assert row["posted_ts"] == pd.Timestamp("2020-05-16 09:53:04", tz="UTC")
    assert row["captured_ts"] == pd.Timestamp("2024-11-29 04:32:00", tz="UTC")
