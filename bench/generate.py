"""Generate a synthetic scraped corpus (JSON Lines) for the benchmark.

Half Chinese forum/news posts, half English blog/news posts, 300 to several thousand characters, with
defects at rates in the range seen on real crawls: site chrome left in (about 1 post in 4), unfilled
placeholders (about 1 in 30), template variables and lorem ipsum (rare), and date problems (posted after
captured, 1970-01-01 epochs, stale copyright footers, unresolved relative dates). Deterministic for a seed.

    python bench/generate.py --posts 250000 --out bench/data/corpus.jsonl
    python bench/generate.py --size-mb 1024 --out bench/data/corpus-1g.jsonl
    python bench/generate.py --profile real-pages --size-mb 200 --out bench/data/real-pages-200mb.jsonl

``--profile real-pages`` matches what the built-in rules find per document on the real pages of
``../shared/corpus/real-dev.jsonl`` (1,571 pages, measured 2026-12-04, see bench/RESULTS.md): about 11
findings a page, nearly all boilerplate (English menus and site chrome on most pages), dates 0.2 and
placeholders 0.16 a page, longer texts (mean about 8,600 characters), mostly English. Each knob is also
an option (``--zh-share``, ``--chrome-rate``, ``--menu-lines``, ``--placeholder-rate``, ``--date-defect-rate``,
``--mean-chars``, ``--max-chars``), overriding the profile.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ZH_SENTENCES = [
    "会议总结了去年的工作，全年完成植树造林1.2万亩，森林覆盖率提高到41.5%。",
    "市林业局负责人介绍，今年将重点推进城市绿道建设，计划到2027年建成绿道300公里。",
    "下面，我讲三层意思，第一，要提高政治站位，切实增强做好工作的责任感和使命感。",
    "各区县要在4月底前完成今年的任务，并加强对新植苗木的管护。",
    "据统计，一季度全市地区生产总值同比增长5.3%，规模以上工业增加值增长6.1%。",
    "学校组织全体教师开展了为期两天的业务培训，内容涵盖课堂教学和学生管理。",
    "村里的道路修好以后，游客明显多了起来，农家乐的生意也越来越红火。",
    "他表示，要坚持问题导向，聚焦群众急难愁盼，推动各项政策落地见效。",
    "本次活动共吸引了三百余名市民参加，现场气氛热烈。",
    "专家建议，老年人在换季时要注意保暖，适当进行户外活动。",
    "公司去年实现营业收入12.6亿元，净利润同比增长18%。",
    "我觉得这个方案还可以再优化一下，大家有什么意见可以在下面留言。",
]
EN_SENTENCES = [
    "The council approved the new budget on Tuesday after a long debate about road repairs.",
    "Researchers found that the treatment reduced symptoms in about a third of the patients.",
    "I have been using this setup for two years and it still works better than anything else I tried.",
    "The company said revenue grew 12% year over year, driven by strong demand in Asia.",
    "Local volunteers planted more than 400 trees along the river during the weekend.",
    "If you want to reproduce the results, start with the default settings and change one thing at a time.",
    "The museum will reopen in spring with a new wing dedicated to modern photography.",
    "Critics argued that the plan does little to address the underlying housing shortage.",
    "She moved to the city in 2015 and opened a small bakery that quickly became popular.",
    "The update fixes several bugs and makes the app noticeably faster on older phones.",
    "Attendance at the festival was the highest since the event began a decade ago.",
    "Please read the documentation carefully before filing a new issue on the tracker.",
]
ZH_HEAD_CHROME = ("找回密码\n免费注册\nQQ登录\n只需一步,快速开始\n查看: 2525|回复: 0\n打印 上一主题 下一主题\n"
                  "[复制链接]\n跳转到指定楼层\n楼主\n只看该作者 回帖奖励 |倒序浏览 |阅读模式\n")
ZH_TAIL_CHROME = ("\n分享到: QQ好友和群\n收藏收藏 分享分享 顶 踩\n使用道具 举报\n"
                  "您需要登录后才可以回帖 登录 | 免费注册\n本版积分规则\n快速回复 返回顶部 返回列表\n")
EN_HEAD_CHROME = "Skip to content\nLog in | Register\nHome  News  About\n"
EN_TAIL_CHROME = ("\nShare on Facebook Share on Twitter\nLeave a comment\nSubscribe to our newsletter\n"
                  "We use cookies to improve your experience. Accept cookies\nPrivacy Policy | Terms of Use\n")
ZH_PLACEHOLDERS = ["地区生产总值x亿元，增长x%。", "xx市委提出了“xx”发展战略体系。", "某某这几年发展很快。",
                   "收入比从xx优化为xx。", "20xx年要完成某某大花园建设。"]
EN_PLACEHOLDERS = ["Dear {{first_name}}, thank you for your order.", "Hello ${user.name}, your code is ready.",
                   "Lorem ipsum dolor sit amet, consectetur adipiscing elit."]
#: Menu lines of English site navigation, one item a line (what BP011 and BP020 find on real pages).
EN_MENU = ["Home", "News", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Entertainment",
           "Opinion", "Travel", "Video", "Podcasts", "Newsletters", "Subscribe", "Sign in", "Contact us",
           "About us", "Careers", "Advertise", "Help", "Site map", "Privacy policy", "Terms of use"]
ZH_SITES = ["bbs.example.cn", "forum.example.com.cn", "news.example.cn", "edu.example.cn"]
EN_SITES = ["blog.example.com", "news.example.org", "forum.example.net", "www.example.co.uk"]


@dataclass(frozen=True)
class Profile:
    """The corpus's shape: language mix, lengths and defect rates (per post)."""

    zh_share: float = 0.5
    """Share of Chinese posts (the rest English)."""
    chrome_rate: float = 0.25
    """Share of posts with site chrome (head and tail blocks) left in."""
    menu_lines: int = 0
    """Navigation menu lines (one item each) added at the head of an English post with chrome."""
    tail_share: float = 1.0
    """Share of the posts with chrome that have the tail block (share bars, cookie notice) too."""
    placeholder_rate: float = 0.03
    """Share of posts with an unfilled placeholder."""
    date_defect_rate: float = 0.05
    """Share of posts with a bad posted_at (after capture, an epoch, a relative date)."""
    copyright_rate: float = 0.10
    """Share of posts ending in a stale copyright footer."""
    mean_chars: int = 1200
    """Mean body length beyond the 300-character minimum (exponential)."""
    max_chars: int = 6000
    """Longest body."""


#: What the built-in rules find on ../shared/corpus/real-dev.jsonl (``qc check --jobs 1``, 2026-12-04), which
#: the ``real-pages`` profile is tuned to (bench/RESULTS.md prints this next to its figures).
REAL_PAGES_MEASURED = (
    "real-dev.jsonl (1,571 real pages, 15.9 MB): 11.3 findings a page: boilerplate 10.9 (BP011 4.9, BP010 2.4, "
    "BP013 1.1, BP020 0.68, BP090 0.47, BP014 0.41, BP012 0.25, BP030 0.24, others 0.4), date 0.21, "
    "placeholder 0.16; pages with a finding of the family: boilerplate 62 %, date 14 %, placeholder 3 %. "
    "The generated real-pages corpus (20 MB sample, seed 42): 10.8 a page: boilerplate 10.6 (BP011 4.0, BP010 3.1, "
    "BP090 1.4, BP030 0.65, BP020 0.60), date 0.16, placeholder 0.08; pages with boilerplate 63 %, date 14 %, "
    "placeholder 5 %"
)

PROFILES = {
    "bench": Profile(),
    # Measured on ../shared/corpus/real-dev.jsonl with the built-in rules: 11.3 findings a page (boilerplate
    # 10.9, date 0.21, placeholder 0.16), 62 % of pages with boilerplate, 14 % with a date finding, 3 % with a
    # placeholder; 9 % Chinese; mean text 8,600 characters (median 5,500).
    "real-pages": Profile(zh_share=0.09, chrome_rate=0.62, menu_lines=9, tail_share=0.2, placeholder_rate=0.05,
                          date_defect_rate=0.10, copyright_rate=0.06, mean_chars=8000, max_chars=60000),
}


def _post(rng: random.Random, n: int, profile: Profile = PROFILES["bench"]) -> dict[str, object]:
    zh = rng.random() < profile.zh_share
    sentences = ZH_SENTENCES if zh else EN_SENTENCES
    # Lengths: mostly short to medium posts with a long tail, 300 to ``max_chars`` characters.
    target = min(profile.max_chars, 300 + int(rng.expovariate(1 / profile.mean_chars)))
    body: list[str] = []
    size = 0
    while size < target:
        s = sentences[rng.randrange(len(sentences))]
        body.append(s)
        size += len(s)
        if rng.random() < 0.15:
            body.append("\n\n")
    if rng.random() < profile.placeholder_rate:  # unfilled placeholders
        body.insert(rng.randrange(len(body) + 1), rng.choice(ZH_PLACEHOLDERS if zh else EN_PLACEHOLDERS))
    text = "".join(body)
    if rng.random() < profile.chrome_rate:  # site chrome around the post
        head = ZH_HEAD_CHROME if zh else EN_HEAD_CHROME
        if profile.menu_lines and not zh:
            start = rng.randrange(len(EN_MENU))
            menu = [EN_MENU[(start + k) % len(EN_MENU)] for k in range(profile.menu_lines)]
            head += "\n".join(menu) + "\n"
        tail = (ZH_TAIL_CHROME if zh else EN_TAIL_CHROME) if profile.tail_share >= 1.0 or \
            rng.random() < profile.tail_share else ""
        text = head + text + tail
    captured = datetime(2024, 11, 29, tzinfo=UTC) - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
    posted = captured - timedelta(minutes=rng.randrange(10, 60 * 24 * 365 * 4))
    roll = rng.random() / (profile.date_defect_rate / 0.05) if profile.date_defect_rate else 1.0
    posted_at = posted.strftime("%Y-%m-%d %H:%M:%S")
    if roll < 0.02:
        posted_at = (captured + timedelta(days=rng.randrange(1, 400))).strftime("%Y-%m-%d %H:%M:%S")
    elif roll < 0.03:
        posted_at = "1970-01-01 00:00:00"
    elif roll < 0.05:
        posted_at = "3天前" if zh else "3 days ago"
    if rng.random() < profile.copyright_rate:  # stale copyright footer
        text += f"\n© 2013-{rng.randrange(2014, 2019)} {'版权所有' if zh else 'All rights reserved.'}"
    site = rng.choice(ZH_SITES if zh else EN_SITES)
    return {
        "doc_id": f"doc-{n:09d}",
        "url": f"https://{site}/thread-{n}-1-1.html",
        "site": site,
        "title": ("关于做好春季工作的通知" if zh else "Notes from the council meeting") + f" #{n}",
        "author": "admin" if rng.random() < 0.3 else f"user{rng.randrange(10000)}",
        "posted_at": posted_at,
        "captured_at": captured.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "lang": "zh" if zh else "en",
        "text": text,
    }


def generate(out: Path, posts: int | None = None, size_mb: float | None = None, seed: int = 42,
             profile: Profile = PROFILES["bench"]) -> tuple[int, int]:
    """Write the corpus; stop after ``posts`` records or ``size_mb`` megabytes. Return (posts, bytes)."""
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    limit = int(size_mb * 1_000_000) if size_mb else None
    written = n = 0
    with out.open("wb") as handle:
        lines: list[bytes] = []
        while (posts is None or n < posts) and (limit is None or written < limit):
            line = json.dumps(_post(rng, n, profile), ensure_ascii=False).encode() + b"\n"
            lines.append(line)
            written += len(line)
            n += 1
            if len(lines) >= 4096:
                handle.write(b"".join(lines))
                lines.clear()
        handle.write(b"".join(lines))
    return n, written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--posts", type=int)
    parser.add_argument("--size-mb", type=float)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="bench",
                        help="the corpus shape: bench (the default) or real-pages (real-dev.jsonl's finding density)")
    for knob in fields(Profile):
        parser.add_argument(f"--{knob.name.replace('_', '-')}", type=type(knob.default), default=None,
                            help=f"override the profile's {knob.name}")
    args = parser.parse_args(argv)
    if args.posts is None and args.size_mb is None:
        parser.error("give --posts or --size-mb")
    overrides = {knob.name: getattr(args, knob.name) for knob in fields(Profile)
                 if getattr(args, knob.name) is not None}
    profile = replace(PROFILES[args.profile], **overrides)
    n, size = generate(args.out, args.posts, args.size_mb, args.seed, profile)
    print(f"wrote {n} posts, {size / 1e6:.1f} MB to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
