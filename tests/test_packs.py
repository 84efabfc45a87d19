"""The built-in packs on real-looking posts written for these tests, in Chinese and English."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from qc.api import check

CLEAN_ZH = """杭州市发布新一轮数字经济发展规划
记者 李明 报道
3月12日，杭州市政府召开新闻发布会，介绍今年数字经济发展情况。去年全市数字经济核心产业增加值达到5675亿元，同比增长10.6%。
会上，市经信局负责人表示，企业可以通过政务网站免费注册并在线申报扶持资金，平均办理时间缩短到3个工作日。
该负责人还提醒，申报材料涉及的版权与专利信息须真实有效，如发现弄虚作假，群众可以拨打热线举报。
据介绍，采用x86架构的服务器集群已覆盖全市主要数据中心，以x轴表示年份的统计图显示，算力规模五年增长了三倍。
海康威视、网易等企业代表出席发布会，并就人才引进、分享数据资源等问题回答了记者提问。"""

CLEAN_EN = """How we made our build 3x faster
By Dana Whitfield
Last spring our CI pipeline took forty minutes. We profiled it on an x86 box and on an iPhone X test rig.
The biggest win was caching: the 3x3 matrix of platforms no longer rebuilds everything from scratch.
If you want to try it, register for the beta and share your numbers with us; our privacy policy explains
what we collect. Chapter XX of the manual, written in the spirit of Louis XIV's court, covers the rest.
Copyright questions go to the legal team, who answered within a day."""

SCRAPED_EN = """Skip to content
Home
News
Sport
Business
Contact us
We use cookies to improve your experience. Accept cookies
How we made our build faster
Last spring our CI pipeline took forty minutes, and we set out to fix it for good.
Leave a comment
Share on Facebook
Share on Twitter
Privacy Policy
Terms of Use
© 2024 Example Media Ltd. All rights reserved."""

WECHAT = """标题：春季养生指南
展开全文
春天万物复苏，饮食宜清淡，多吃时令蔬菜。
早睡早起，适当运动，保持心情舒畅。
阅读原文
喜欢此内容的人还喜欢"""

COURT = """浙江省杭州市中级人民法院刑事判决书
被告人王某某，男，1980年出生。
经审理查明，2019年3月，被告人王某某伙同黄某某实施诈骗，骗取被害人周某某人民币5万元。"""

TEMPLATE_ZH = """关于xx市20xx年国民经济和社会发展计划执行情况的报告
全市实现地区生产总值x亿元，增长x%；一般公共预算收入x亿元。
XX公司等重点企业完成投资____万元。兹邀请【单位名称】参加会议。"""

TEMPLATE_EN = """Dear {{first_name}},
Thank you for ordering from [Company Name]. Your order total is $X million (XXX) XXX-XXXX.
Connecting to %s
TODO: add the delivery date. Lorem ipsum dolor sit amet."""


POSTS = {"zh": CLEAN_ZH, "en": CLEAN_EN, "page": SCRAPED_EN, "wx": WECHAT, "court": COURT, "tzh": TEMPLATE_ZH,
         "ten": TEMPLATE_EN}


@pytest.fixture(scope="module")
def found() -> pd.DataFrame:
    """All the posts checked together once (each post is its own document)."""
    frame = pd.DataFrame({"doc_id": list(POSTS), "text": list(POSTS.values())})
    return check(frame, {"select": ["boilerplate", "placeholder"]}).findings


def verdicts(found: pd.DataFrame, doc: str, family: str) -> pd.DataFrame:
    rows = found[(found["doc_id"] == doc) & (found["family"] == family)]
    return rows[rows["severity"].isin(["warning", "error"])]


def test_clean_posts_get_no_warning(found: pd.DataFrame) -> None:
    loud = found[found["doc_id"].isin(["zh", "en"]) & found["severity"].isin(["warning", "error"])]
    assert loud.empty, loud[["doc_id", "rule", "match"]].to_dict("records")


def test_scraped_english_page_is_boilerplate(found: pd.DataFrame) -> None:
    loud = verdicts(found, "page", "boilerplate")
    # Overlapping findings of one family are one finding that names the other rules: "(also BP011)".
    also = {code for message in loud["message"] for code in re.findall(r"\b(BP\d{3})\b",
                                                                      message.rsplit("(also ", 1)[-1])
            if "(also " in message}
    assert {"BP010", "BP011", "BP012"} <= set(loud["rule"]) | also
    assert verdicts(found, "page", "placeholder").empty


def test_wechat_chrome(found: pd.DataFrame) -> None:
    assert set(verdicts(found, "wx", "boilerplate")["match"]) >= {"展开全文", "阅读原文", "喜欢此内容的人还喜欢"}


def test_court_anonymisation_is_at_most_info(found: pd.DataFrame) -> None:
    court = found[(found["doc_id"] == "court") & (found["family"] == "placeholder")]
    assert set(court["severity"]) == {"info"}
    assert set(court["match"]) == {"王某某", "黄某某", "周某某"}


def test_chinese_template_slots(found: pd.DataFrame) -> None:
    matches = set(verdicts(found, "tzh", "placeholder")["match"])
    assert {"20xx年", "x亿元", "x%", "XX公司", "____万元", "【单位名称】"} <= matches


def test_english_template_slots(found: pd.DataFrame) -> None:
    matches = set(verdicts(found, "ten", "placeholder")["match"])
    assert {"{{first_name}}", "[Company Name]", "$X", "(XXX) XXX-XXXX", "%s", "TODO", "Lorem ipsum"} <= matches
