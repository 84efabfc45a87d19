"""``line_runs``' faster scan (lines read in one loop, single-part lines unsplit, suffix runs skipped) finds
exactly the runs of the plain scan it replaced, on varied texts."""

from __future__ import annotations

import random
import re

import pytest

from qc.kinds import line_runs
from qc.region import Region

from .test_line_runs import spec

_SEPARATORS = re.compile(r"\s*[|｜·•]\s*")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _plain_items(rule: line_runs.Spec, line: str) -> list[str] | None:
    def short(item: str) -> bool:
        cjk = len(_CJK.findall(item))
        if cjk * 3 > len(item):
            return len(item) <= rule.max_cjk_chars
        return len(item) <= rule.max_chars and len(item.split()) <= rule.max_words

    if len(line) > 3 and line.endswith(tuple(".!?。！？…;；,，\"”」")):
        return None
    if re.search("[0-9０-９]", line):
        return []
    parts = [p for p in _SEPARATORS.split(line) if p]
    if len(parts) >= 3:
        return [p.casefold() for p in parts] if all(short(p) for p in parts) else None
    return [line.casefold()] if short(line) else None


def _plain_lines(text: str, from_end: bool) -> list[tuple[int, int, str]]:
    """Every non-blank line the scan reads from one edge, eagerly, with its stripped span."""
    out: list[tuple[int, int, str]] = []
    pos, done = (len(text), not text) if from_end else (0, not text)
    while not done:
        if from_end:
            newline = text.rfind("\n", 0, pos)
            begin, end, pos = newline + 1, pos, newline
            done = newline < 0 or len(text) - newline > line_runs.SCAN_CHARS
        else:
            newline = text.find("\n", pos)
            begin, end = pos, (len(text) if newline < 0 else newline)
            pos = newline + 1
            done = newline < 0 or newline > line_runs.SCAN_CHARS
        raw = text[begin:end]
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            out.append((begin + lead, begin + lead + len(raw.strip()), raw.strip()))
    return out


def _plain_best(rule: line_runs.Spec, text: str, from_end: bool) -> list[tuple[int, int, int]]:
    lines = _plain_lines(text, from_end)
    items = [_plain_items(rule, line[2]) for line in lines]
    best = None
    for begin in range(min(rule.within_lines, len(lines))):
        if not items[begin]:
            continue
        last, seen, index = 0, set(), begin
        while index < len(lines) and items[index] is not None:
            found = items[index]
            assert found is not None
            index += 1
            if found:
                last = index - begin
            seen.update(found)
        if len(seen) >= rule.min_run and (best is None or len(seen) > best[2]):
            first, end = lines[begin], lines[begin + last - 1]
            if from_end:
                first, end = end, first
            best = (first[0], end[1], len(seen))
    return [best] if best else []


def _plain_runs(rule: line_runs.Spec, text: str) -> list[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = []
    if rule.region in (Region.head, Region.edges, Region.any):
        found += _plain_best(rule, text, False)
    if rule.region in (Region.tail, Region.edges, Region.any):
        found += [r for r in _plain_best(rule, text, True) if not any(r[0] < f[1] and f[0] < r[1] for f in found)]
    return found


PIECES = ["Home", "News", "Sport", "首页", "新闻|体育|财经", "A · B · C", "Log in | Register", "Contact us",
          "© 2019 Site", "12", "Page 3 of 9", "This is prose.", "这是一个完整的句子。", "Share", "Share",
          "a very long line of words that is not a menu item at all", "  ", "\u3000", " \t", "x" * 40,
          "短", "Über uns", "Jobs", "AGB", "Presse", "Impressum", "Datenschutz", "•", "|", "Menu |"]


@pytest.mark.parametrize("seed", [3, 4])
def test_scan_finds_the_runs_of_the_plain_scan(seed: int) -> None:
    rng = random.Random(seed)
    rules = [spec(), spec(region="head", within_lines=1, min_run=2), spec(region="tail", min_run=3, max_chars=12),
             spec(region="any", within_lines=4, min_run=4, max_words=2, max_cjk_chars=3)]
    found = 0
    for _ in range(1500):
        lines = [rng.choice(PIECES) for _ in range(rng.randint(0, 18))]
        text = "\n".join(rng.choice(["", " ", "  "]) + line + rng.choice(["", " ", "\t"]) for line in lines)
        for rule in rules:
            runs = rule.runs(text)
            assert runs == _plain_runs(rule, text), (text, rule.region)
            found += len(runs)
    assert found > 500  # the texts do hold runs, so both scans are really compared


def test_deep_edges_stop_at_the_scan_window() -> None:
    menu = "\n".join(["Home", "News", "Sport", "Kultur", "Wetter", "Jobs"])
    text = "\n".join([menu, "x" * (line_runs.SCAN_CHARS + 10), menu])
    for rule in (spec(), spec(min_run=2, within_lines=3)):
        assert rule.runs(text) == _plain_runs(rule, text)
        assert len(rule.runs(text)) == 2
