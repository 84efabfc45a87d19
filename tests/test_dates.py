"""Date parsing: every supported shape, naive vs tz-aware, epoch values, day-first sites, bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from qc.config import load_config
from qc.dates import date_status, parse_timestamps
from qc.load import load_corpus

UTC = "UTC"


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2020-05-16T17:53:04+08:00", UTC, "2020-05-16 09:53:04"),
        ("2020-05-16T09:53:04Z", "Asia/Shanghai", "2020-05-16 09:53:04"),
        ("2020-05-16T17:53:04", "Asia/Shanghai", "2020-05-16 09:53:04"),
        ("2020-5-16 17:53:04", "Asia/Shanghai", "2020-05-16 09:53:04"),
        ("2020-5-16T17:53:04+08:00", UTC, "2020-05-16 09:53:04"),
        ("2020年5月16日 17:53", "Asia/Shanghai", "2020-05-16 09:53:00"),
        ("2020年5月16日 下午5:53", UTC, "2020-05-16 17:53:00"),
        ("2020/05/16", UTC, "2020-05-16 00:00:00"),
        ("May 16, 2020", UTC, "2020-05-16 00:00:00"),
        ("May 16, 2020, at 5:53 p.m.", UTC, "2020-05-16 17:53:00"),
        ("16/05/2020", UTC, "2020-05-16 00:00:00"),
        ("1589622784", UTC, "2020-05-16 09:53:04"),
        ("1589622784000", UTC, "2020-05-16 09:53:04"),
        ("1589622784.5", UTC, "2020-05-16 09:53:04.5"),
    ],
)
def test_every_shape_parses_to_utc(raw: str, zone: str, expected: str) -> None:
    parsed = parse_timestamps(pd.Series([raw]), default_tz=zone)
    assert parsed.iat[0] == ts(expected)


def test_naive_values_are_read_in_the_default_zone_and_aware_ones_keep_their_offset() -> None:
    values = pd.Series(["2020-05-16 17:53:04", "2020-05-16 17:53:04+00:00"])
    shanghai = parse_timestamps(values, default_tz="Asia/Shanghai")
    assert shanghai.iat[0] == ts("2020-05-16 09:53:04")
    assert shanghai.iat[1] == ts("2020-05-16 17:53:04")


def test_a_post_at_1753_beijing_captured_at_095305z_is_one_second_old() -> None:
    posted = parse_timestamps(pd.Series(["2020-05-16T17:53:04+08:00"])).iat[0]
    captured = parse_timestamps(pd.Series(["2020-05-16T09:53:05Z"])).iat[0]
    assert captured - posted == pd.Timedelta(seconds=1)


def test_ambiguous_slashed_dates_follow_the_day_first_flag() -> None:
    values = pd.Series(["05/06/2020", "05/06/2020"])
    assert parse_timestamps(values).iat[0] == ts("2020-05-06")
    per_row = parse_timestamps(values, dayfirst=pd.Series([True, False]))
    assert per_row.tolist() == [ts("2020-06-05"), ts("2020-05-06")]


def test_year_first_values_never_become_day_first() -> None:
    parsed = parse_timestamps(pd.Series(["2020-13-01"]), dayfirst=True)
    assert pd.isna(parsed.iat[0])


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("2020-02-30", "impossible"),
        ("2020年2月30日", "impossible"),
        ("2020-13-01 10:00", "impossible"),
        ("31/04/2021", "impossible"),
        ("garbage", "unparseable"),
        ("12", "unparseable"),
        ("Posted 2020", "unparseable"),
        ("", "missing"),
        ("2020-02-29", "ok"),
    ],
)
def test_impossible_calendar_dates_are_told_from_garbage(raw: str, status: str) -> None:
    values = pd.Series([raw])
    assert date_status(values, parse_timestamps(values)).iat[0] == status


def test_far_future_values_parse_instead_of_overflowing() -> None:
    assert parse_timestamps(pd.Series(["2999-01-01T00:00:00Z"])).iat[0] == ts("2999-01-01")


def test_dayfirst_sites_config_applies_to_listed_sites_and_subdomains(tmp_path: Path) -> None:
    records = [
        {"id": "uk", "url": "https://news.example.co.uk/a", "text": "x", "posted_at": "05/06/2020"},
        {"id": "us", "url": "https://example.com/a", "text": "x", "posted_at": "05/06/2020"},
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    (tmp_path / "qc.toml").write_text('dayfirst-sites = ["example.co.uk"]\n', encoding="utf-8")
    config = load_config(tmp_path / "qc.toml")
    frame = load_corpus([path], dayfirst_sites=tuple(config.dayfirst_sites))
    posted = dict(zip(frame["doc_id"], frame["posted_ts"], strict=True))
    assert posted["uk"] == ts("2020-06-05")
    assert posted["us"] == ts("2020-05-06")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-05-16T17:53:04.123456789+08:00", "2020-05-16 09:53:04.123456"),  # nanoseconds are floored
        ("2020-05-16 17:53:04 +0800", "2020-05-16 09:53:04"),
        ("Tue, 15 Oct 2019 09:11:00 GMT", "2019-10-15 09:11:00"),
        ("9999999999999", "2286-11-20 17:46:39.999"),
    ],
)
def test_odd_but_valid_shapes_parse_without_errors(raw: str, expected: str) -> None:
    assert parse_timestamps(pd.Series([raw])).iat[0] == ts(expected)


def test_stringified_nulls_are_missing_not_bad_dates() -> None:
    values = pd.Series(["NaN", "null", "None", "n/a", None])
    assert date_status(values, parse_timestamps(values)).tolist() == ["missing"] * 5
