"""The date rule kinds on real files: order, bounds, body dates, copyright footers, relative stamps, chrome."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

import qc

SEED = Path(__file__).resolve().parents[1] / "samples" / "forum-pages" / "000_69e4dce93f7814c5.txt"


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def date_findings(path: Path, **config: Any) -> pd.DataFrame:
    result = qc.check(path, {"select": ["date"], **config})
    return result.findings


def rules_of(findings: pd.DataFrame, doc_id: str) -> set[str]:
    return set(findings.loc[findings["doc_id"] == doc_id, "rule"])


def test_posted_after_capture_compares_in_utc_with_tolerance(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "one-second", "text": "ok", "posted_at": "2020-05-16T17:53:04+08:00",
         "captured_at": "2020-05-16T09:53:05Z"},
        {"id": "day-late", "text": "late", "posted_at": "2024-03-02T10:00:00Z", "captured_at": "2024-03-01T10:00:00Z"},
        {"id": "naive-shanghai", "text": "ok", "posted_at": "2020-05-16 17:53:04",
         "captured_at": "2020-05-16T09:54:00Z"},
        {"id": "epoch", "text": "late", "posted_at": "1589622784000", "captured_at": "1589600000"},
    ])
    findings = date_findings(path, default_timezone="Asia/Shanghai")
    order = findings[findings["rule"] == "DT001"]
    assert sorted(order["doc_id"]) == ["day-late", "epoch"]
    row = order[order["doc_id"] == "day-late"].iloc[0]
    assert row["field"] == "posted_at" and row["match"] == "2024-03-02T10:00:00Z"
    assert "captured 2024-03-01 10:00:00Z" in row["message"]
    # Read in UTC instead, the naive post is eight hours after its capture.
    assert "naive-shanghai" in set(date_findings(path)["doc_id"])


def test_unparseable_and_impossible_values_are_findings_not_crashes(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "garbage", "text": "a", "posted_at": "sometime last spring"},
        {"id": "feb30", "text": "b", "posted_at": "2020-02-30"},
        {"id": "month13", "text": "c", "posted_at": "2020-01-01", "captured_at": "2020-13-01 10:00"},
        {"id": "fine", "text": "d", "posted_at": "2020年5月16日 17:53", "captured_at": "May 17, 2020"},
        {"id": "number", "text": "e", "posted_at": 20200516},
    ])
    findings = date_findings(path)
    unusable = findings[findings["rule"] == "DT002"].set_index("doc_id")
    assert "unparseable posted_at" in unusable.loc["garbage", "message"]
    assert "impossible posted_at" in unusable.loc["feb30", "message"]
    assert unusable.loc["month13", "field"] == "captured_at"
    assert "impossible captured_at" in unusable.loc["month13", "message"]
    assert "fine" not in set(findings["doc_id"]) and "number" not in set(findings["doc_id"])


def test_sentinels_pre_web_and_future_dates_are_implausible(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "epoch0", "text": "a", "posted_at": "1970-01-01 08:00:00+08:00"},
        {"id": "excel", "text": "b", "posted_at": "1900-01-01"},
        {"id": "old", "text": "c", "posted_at": "1985-06-01"},
        {"id": "future", "text": "d", "captured_at": "2999-01-01T00:00:00Z"},
        {"id": "epoch-seconds-zero", "text": "e", "posted_at": "0000000000"},
        {"id": "ok", "text": "f", "posted_at": "1996-03-01", "captured_at": "2020-01-01"},
    ])
    findings = date_findings(path)
    implausible = findings[findings["rule"] == "DT003"].set_index("doc_id")["message"]
    assert "sentinel posted_at" in implausible["epoch0"]
    assert "sentinel posted_at" in implausible["excel"]
    assert "minimum posted_at" in implausible["old"]
    assert "future captured_at" in implausible["future"]
    assert "sentinel posted_at" in implausible["epoch-seconds-zero"]
    assert "ok" not in implausible.index


def test_body_dates_flag_later_past_mentions_but_not_plans(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "redated", "text": "工作回顾。\n2023年,我市地区生产总值增长了6%。", "posted_at": "2020-05-16 17:53:04",
         "captured_at": "2020-06-01T00:00:00Z"},
        {"id": "plans", "text": "到2035年基本实现现代化。预计2025年完成一期工程。The firm will hire staff by 2030.",
         "posted_at": "2020-05-16 17:53:04", "captured_at": "2020-06-01T00:00:00Z"},
        {"id": "earlier", "text": "2019年,全市完成了植树任务。3月29日至4月1日召开了会议。",
         "posted_at": "2020-05-16 17:53:04"},
    ])
    findings = date_findings(path)
    later = findings[findings["rule"] == "DT020"]
    assert later["doc_id"].tolist() == ["redated"]
    row = later.iloc[0]
    text = "工作回顾。\n2023年,我市地区生产总值增长了6%。"
    assert text[row["start"] : row["end"]] == row["match"] == "2023年"
    # ...and later than the capture too, which is a warning.
    assert rules_of(findings, "redated") >= {"DT020", "DT021"}
    assert not rules_of(findings, "plans") and not rules_of(findings, "earlier")


def test_copyright_footer_against_post_then_capture_year(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "vs-post", "text": "Body.\n\nCopyright © 2016 Example", "posted_at": "2018-10-12T06:43:54+00:00",
         "captured_at": "2018-11-01T00:00:00Z"},
        {"id": "vs-capture", "text": "Body.\n\n© 2010-2012 Example", "captured_at": "2017-02-22T09:39:17+00:00"},
        {"id": "recent-vs-capture", "text": "Body.\n\n© 2014 Example", "captured_at": "2017-02-22T09:39:17+00:00"},
        {"id": "open-range", "text": "Body.\n\nCopyright © 2000- Example, LLC.", "captured_at": "2020-01-24T10:13:32Z"},
        {"id": "newest-wins", "text": "Body.\n\n© STATS 2016\n© 2019 Example", "posted_at": "2019-11-18"},
        {"id": "licence-number", "text": "Body.\n\n版权所有 经营许可证编号：豫B2-20041234", "posted_at": "2019-11-18"},
    ])
    findings = date_findings(path)
    stale = findings[findings["rule"] == "DT010"].set_index("doc_id")
    assert sorted(stale.index) == ["vs-capture", "vs-post"]
    assert stale.loc["vs-post", "match"] == "Copyright © 2016"
    assert "2 years before the post year 2018" in stale.loc["vs-post", "message"]
    assert stale.loc["vs-capture", "match"] == "© 2010-2012"
    assert "5 years before the capture year 2017" in stale.loc["vs-capture", "message"]


def test_relative_stamps_resolve_against_the_capture(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "undated", "text": "楼主 发表于 3 天前 | 只看该作者\n正文", "captured_at": "2024-11-29T04:32:00Z"},
        {"id": "dated", "text": "Published 1 day ago\nBody", "posted_at": "2019-11-19T00:00:00",
         "captured_at": "2020-01-24T10:13:32Z"},
        {"id": "narrative", "text": "The suspect left about two hours ago, a police spokesman said at the scene."},
    ])
    findings = date_findings(path)
    undated = findings[(findings["doc_id"] == "undated") & (findings["rule"] == "DT030")].iloc[0]
    assert undated["match"] == "3 天前"
    assert "2024-11-26 04:32:00Z" in undated["message"]
    assert rules_of(findings, "dated") == {"DT031"}  # chrome on a dated post: info only
    assert not rules_of(findings, "narrative")


def test_chrome_stamp_contradicting_the_field_is_flagged(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "wrong-year", "text": "楼主 发表于 2020-5-16 17:53:04\n正文", "posted_at": "2021-05-16T17:53:04+08:00"},
        {"id": "agrees", "text": "楼主 发表于 2020-5-16 17:53:04\n正文\nGMT+8, 2024-11-29 12:32",
         "posted_at": "2020-05-16T17:53:04+08:00", "captured_at": "2024-11-29T04:32:30Z"},
    ])
    findings = date_findings(path)
    conflict = findings[findings["rule"] == "DT040"]
    assert conflict["doc_id"].tolist() == ["wrong-year"]
    assert conflict.iloc[0]["match"] == "发表于 2020-5-16 17:53:04"
    assert not rules_of(findings, "agrees")


def test_relative_stamps_in_both_languages_resolve_to_the_right_moment(tmp_path: Path) -> None:
    captured = "2024-11-29T04:32:00Z"
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "yesterday-clock", "text": "回复于 昨天 12:30\n说得好", "captured_at": captured},
        {"id": "half-hour", "text": "发表于 半小时前\n正文", "captured_at": captured},
        {"id": "hours", "text": "Posted 2 hours ago by admin\nBody text", "captured_at": captured},
        {"id": "no-capture", "text": "发表于 3 天前\n正文"},
    ])
    messages = date_findings(path).query("rule == 'DT030'").set_index("doc_id")["message"]
    assert "2024-11-28 12:30" in messages["yesterday-clock"]
    assert "2024-11-29 04:02:00Z" in messages["half-hour"]
    assert "2024-11-29 02:32:00Z" in messages["hours"]
    assert "cannot be resolved: no capture time" in messages["no-capture"]


def test_capture_stamp_contradicting_captured_at(tmp_path: Path) -> None:
    text = "正文\nGMT+8, 2024-11-29 12:32 , Processed in 0.031 second(s)"
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "other-crawl", "text": text, "captured_at": "2023-01-01T00:00:00Z"},
        {"id": "same-crawl", "text": text, "captured_at": "2024-11-29T04:32:41Z"},
    ])
    findings = date_findings(path)
    conflict = findings[findings["rule"] == "DT040"]
    assert conflict["doc_id"].tolist() == ["other-crawl"]
    assert "the page says 2024-11-29 04:32:00Z, captured_at says 2023-01-01 00:00:00Z" in conflict["message"].iat[0]


def test_dates_in_csv_are_judged_like_any_other_input(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("id,text,posted_at,captured_at\n"
                    "a,Body,2020-02-30,2020-03-01\n"
                    "b,Body,16/05/2020,1589700000\n"
                    "c,Body,2020-05-16 17:53:04,2020-05-15T00:00:00Z\n", encoding="utf-8")
    findings = date_findings(path)
    assert rules_of(findings, "a") == {"DT002"}
    assert not rules_of(findings, "b")
    assert rules_of(findings, "c") == {"DT001"}
    assert findings.query("doc_id == 'c'")["source_line"].tolist() == [4]


def test_body_dates_skip_links_and_edit_stamps(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "link", "text": "Read more: https://example.com/2023/05/16/story was the source.",
         "posted_at": "2020-01-01", "captured_at": "2020-02-01"},
        {"id": "edited", "text": "This page was last edited on 24 February 2023, at 20:33 (UTC).",
         "posted_at": "2020-01-01", "captured_at": "2020-02-01"},
    ])
    assert date_findings(path).query("rule in ['DT020', 'DT021']").empty
