"""The seed forum post (samples/forum-pages/): what its own README says a checker must and must not report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from qc.api import check

SEED = Path(__file__).resolve().parents[1] / "samples" / "forum-pages" / "000_69e4dce93f7814c5.txt"
TEXT = SEED.read_text(encoding="utf-8")

BOILERPLATE_HEAD = ["找回密码", "免费注册", "QQ登录", "只需一步,快速开始", "查看: 2525|回复: 0", "上一主题", "下一主题",
                    "复制链接", "跳转到指定楼层", "楼主", "只看该作者", "回帖奖励", "倒序浏览", "阅读模式"]
BOILERPLATE_TAIL = ["分享到", "收藏收藏", "分享分享", "使用道具", "举报", "您需要登录后才可以回帖", "本版积分规则",
                    "最新主题", "© 2013-2016", "快速回复", "返回顶部"]
PLACEHOLDERS = ["x亿元", "x%", "x元", "从x调整为x", "xx市委", "从xx优化为xx", "某某大花园", "某某这几年", "某某最突出"]
NOT_PLACEHOLDERS = ["炳泉", "正芳", "欧派", "永利百合", "海康威视",
                    "1月中下旬", "2月中旬", "3月29日", "4月10日", "2019年"]


def _seed_as_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "seed.jsonl"
    path.write_text(json.dumps({"id": "seed", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["text-file", "jsonl-record"], scope="module")
def findings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    source = SEED if request.param == "text-file" else _seed_as_jsonl(tmp_path_factory.mktemp("seed"))
    frame = check(source, {"select": ["boilerplate", "placeholder"]}).findings
    verdict = frame[frame["severity"].isin(["warning", "error"])]
    for row in verdict.itertuples():  # every span points at its match in the text
        assert TEXT[row.start:row.end] == row.match
    return verdict


def _covered(findings: pd.DataFrame, family: str, needle: str) -> bool:
    rows = findings[findings["family"] == family]
    at = TEXT.find(needle)
    assert at >= 0, needle
    return any(s < at + len(needle) and e > at for s, e in zip(rows["start"], rows["end"], strict=True))


def test_boilerplate_at_head_and_tail(findings: pd.DataFrame) -> None:
    missing = [n for n in BOILERPLATE_HEAD + BOILERPLATE_TAIL if not _covered(findings, "boilerplate", n)]
    assert not missing


def test_placeholders_are_reported_precisely(findings: pd.DataFrame) -> None:
    placeholders = findings[findings["family"] == "placeholder"]
    matches = set(placeholders["match"])
    assert set(PLACEHOLDERS) <= matches
    assert all(not m[0].isalnum() or m[0] in "x从某" for m in matches)  # no preceding character swallowed
    assert TEXT.count("x亿元") == int((placeholders["match"] == "x亿元").sum())


def test_real_names_and_the_speech_dates_are_not_reported(findings: pd.DataFrame) -> None:
    for needle in NOT_PLACEHOLDERS:
        start = 0
        while (at := TEXT.find(needle, start)) >= 0:
            hits = findings[(findings["start"] < at + len(needle)) & (findings["end"] > at)]
            assert hits.empty, (needle, hits[["rule", "match"]].to_dict("records"))
            start = at + 1
