"""Recovery of posted_at / captured_at from chrome in the text, and where each value came from."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from qc.load import load_corpus


def load(tmp_path: Path, records: list[dict[str, object]], **options: object) -> pd.DataFrame:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return load_corpus([path], **options).set_index("doc_id")


def test_missing_fields_are_filled_from_chrome_and_sources_recorded(tmp_path: Path) -> None:
    frame = load(tmp_path, [
        {"id": "discuz",
         "text": "楼主\n发表于 2020-5-16 17:53:04 | 只看该作者\n正文\nGMT+8, 2024-11-29 12:32 , Processed in 0.03 s"},
        {"id": "blog", "text": "Posted on 12/25/2019 by admin\nMerry Christmas!"},
        {"id": "blog-long", "text": "Posted on April 21, 2015, at 11:29 a.m.\nBody"},
        {"id": "cn-news", "text": "发布时间：2004年12月27日 12:40\n正文"},
        {"id": "field", "text": "发表于 2020-5-16 17:53:04", "posted_at": "2020-05-16T17:53:04+08:00"},
        {"id": "none", "text": "No stamps here."},
    ], default_tz="Asia/Shanghai")
    assert frame.loc["discuz", "posted_ts"] == pd.Timestamp("2020-05-16 09:53:04", tz="UTC")
    assert frame.loc["discuz", "captured_ts"] == pd.Timestamp("2024-11-29 04:32", tz="UTC")
    assert frame.loc["blog", "posted_ts"] == pd.Timestamp("2019-12-24 16:00", tz="UTC")  # naive: Shanghai
    assert frame.loc["blog-long", "posted_ts"] == pd.Timestamp("2015-04-21 03:29", tz="UTC")
    assert frame.loc["cn-news", "posted_ts"] == pd.Timestamp("2004-12-27 04:40", tz="UTC")
    assert frame.loc["discuz", "posted_source"] == "chrome"
    assert frame.loc["field", "posted_source"] == "field"
    assert pd.isna(frame.loc["none", "posted_source"]) and pd.isna(frame.loc["none", "posted_ts"])
    text = frame.loc["discuz", "text"]
    start, end = frame.loc["discuz", "posted_chrome_start"], frame.loc["discuz", "posted_chrome_end"]
    assert text[start:end] == "发表于 2020-5-16 17:53:04"


def test_a_present_field_is_kept_and_its_chrome_kept_beside_it(tmp_path: Path) -> None:
    frame = load(tmp_path, [
        {"id": "both", "text": "发表于 2020-5-16 17:53:04\n正文", "posted_at": "2021-01-01T00:00:00Z"},
        {"id": "garbage-field", "text": "发表于 2020-5-16 17:53:04", "posted_at": "not a date"},
    ])
    assert frame.loc["both", "posted_ts"] == pd.Timestamp("2021-01-01", tz="UTC")
    assert frame.loc["both", "posted_chrome_ts"] == pd.Timestamp("2020-05-16 17:53:04", tz="UTC")
    # A present but unparseable field is reported as such, not silently replaced by the chrome.
    assert pd.isna(frame.loc["garbage-field", "posted_ts"])
    assert frame.loc["garbage-field", "posted_source"] == "field"


def test_the_first_post_stamp_and_the_last_footer_stamp_win(tmp_path: Path) -> None:
    frame = load(tmp_path, [
        {"id": "thread", "text": "发表于 2020-5-16 17:53:04\n楼主正文\n发表于 2020-6-01 08:00:00\n回复\n"
                                 "GMT+8, 2024-11-29 12:32\n"},
    ])
    assert frame.loc["thread", "posted_ts"] == pd.Timestamp("2020-05-16 09:53:04", tz="UTC")


def test_a_stringified_null_field_counts_as_missing_and_is_recovered(tmp_path: Path) -> None:
    frame = load(tmp_path, [{"id": "null", "text": "发表于 2020-5-16 17:53:04\n正文", "posted_at": "null"}])
    assert frame.loc["null", "posted_source"] == "chrome"
    assert frame.loc["null", "posted_ts"] == pd.Timestamp("2020-05-16 17:53:04", tz="UTC")


def test_wordpress_and_phpbb_stamps(tmp_path: Path) -> None:
    frame = load(tmp_path, [
        {"id": "by-author", "text": "Posted by Jane Doe on May 16, 2020\nBody"},
        {"id": "phpbb",
         "text": "Re: help\nPosted: Sat Jan 19, 2019 10:29 am\nBody\nIt is currently Mon Jan 21, 2019 8:05 pm"},
        {"id": "no-date", "text": "This was posted on Quora.\n\nEven posh hotels mislabel things."},
    ])
    assert frame.loc["by-author", "posted_ts"] == pd.Timestamp("2020-05-16", tz="UTC")
    assert frame.loc["phpbb", "posted_ts"] == pd.Timestamp("2019-01-19 10:29", tz="UTC")
    assert frame.loc["phpbb", "captured_ts"] == pd.Timestamp("2019-01-21 20:05", tz="UTC")
    assert frame.loc["phpbb", "captured_source"] == "chrome"
    assert pd.isna(frame.loc["no-date", "posted_ts"])
