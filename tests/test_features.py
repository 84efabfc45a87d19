"""Features on demand: a run selecting only a pattern rule parses no date, recovers no page date stamp and
splits no line; its findings are the full run's findings of that rule; rules reading lines share one split
per batch (issue 10). Counted by :data:`qc.features.computed` (what the feature code itself counts) and by
counters wrapped around the functions that compute them."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import qc.features
import qc.kinds.line_runs
import qc.kinds.repeated_lines
import qc.load
from qc.api import check, resolve_ruleset
from qc.config import Config
from qc.engine import Checker, run
from qc.kinds import repeated_lines
from qc.registry import RuleSet
from qc.rulespec import DATES, LINES

from .conftest import post, write_jsonl


def _corpus(tmp_path: Path) -> list[Path]:
    chrome = "Home | News | Forum\nPosted on 2024-03-01 10:00\n"
    jsonl = write_jsonl(tmp_path / "posts.jsonl", [
        post(f"p{n}", f"{chrome}Hi {{{{first_name}}}}, post {n} is here.\nLine two.\nLine three.",
             url=f"https://forum.example.com/t/{n}", posted_at="2024-03-01T10:00:00Z",
             captured_at="2023-01-01T00:00:00Z")
        for n in range(12)
    ] + [post("clean", "Nothing to see.", posted_at="yesterday", captured_at="2024-05-01")])
    table = tmp_path / "posts.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "posted_at", "captured_at"])
        writer.writerow(["c1", "Dear {{ user.name }},\nwelcome.", "2024-01-02", "2024-01-01"])
        writer.writerow(["c2", "Plain text.\nSecond line.", "2020-01-01", "2024-01-01"])
    return [jsonl, table]


def _counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, calls: dict[str, int]) -> None:
    original: Callable[..., Any] = getattr(owner, name)
    key = f"{getattr(owner, '__name__', owner)}.{name}"
    calls[key] = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[key] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counters on the date parser, the chrome-date recovery and every line splitter of the rule kinds."""
    counts: dict[str, int] = {}
    _counting(monkeypatch, qc.load, "parse_timestamps", counts)
    _counting(monkeypatch, qc.load, "recover_chrome_dates", counts)
    _counting(monkeypatch, qc.kinds.repeated_lines, "normalise_lines", counts)
    _counting(monkeypatch, qc.kinds.repeated_lines.Spec, "_lines", counts)
    _counting(monkeypatch, qc.kinds.line_runs.Spec, "runs", counts)
    return counts


def _config(**keys: Any) -> Config:
    return Config.model_validate({"fail-on": "never", "jobs": 1, **keys})


def test_selecting_a_pattern_rule_parses_no_date_and_splits_no_line(tmp_path: Path, calls: dict[str, int]) -> None:
    files = _corpus(tmp_path)
    before = dict(qc.features.computed)
    selected = check(files, _config(select=["PH001"]))
    assert calls and not any(calls.values()), calls
    assert dict(qc.features.computed) == before  # no feature at all was computed
    assert (selected.findings["rule"] == "PH001").sum() >= 13

    full = check(files, _config())
    # The counters do count: the full run parses dates, recovers stamps and splits lines.
    assert all(calls.values()), calls
    assert qc.features.computed["dates"] > before.get("dates", 0)
    assert qc.features.computed["lines"] > before.get("lines", 0)
    want = full.findings[full.findings["rule"] == "PH001"].reset_index(drop=True)
    got = selected.findings[selected.findings["rule"] == "PH001"].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert set(selected.findings["rule"]) <= {"PH001"} | {r for r in full.findings["rule"] if r.startswith("SC")}


def test_a_dataframe_input_with_a_pattern_rule_parses_no_date(tmp_path: Path, calls: dict[str, int]) -> None:
    frame = pd.DataFrame([{"id": "a", "text": "Hi {{name}}", "posted_at": "2024-01-01", "captured_at": "2023-01-01"}])
    result = check(frame, _config(select=["PH001"]))
    assert list(result.findings["rule"]) == ["PH001"]
    assert calls["qc.load.parse_timestamps"] == 0 and calls["qc.load.recover_chrome_dates"] == 0


def test_date_kinds_declare_the_dates_feature() -> None:
    ruleset = resolve_ruleset(_config())
    checker = Checker(ruleset)
    assert checker.needs_dates
    date_kinds = {"body_dates", "chrome_date", "copyright_stale", "date_bounds", "date_order", "relative_date"}
    for rule in ruleset:
        assert (DATES in rule.FEATURES) == (rule.kind in date_kinds), rule.code
    assert not Checker(ruleset.select(["PH001"], [])).needs_dates
    assert Checker(ruleset.select(["date"], [])).needs_dates


def _repeats(code: str, name: str, **keys: Any) -> repeated_lines.Spec:
    return repeated_lines.Spec.model_validate({
        "family": "boilerplate", "kind": "repeated_lines", "severity": "warning",
        "message": "seen in {value} documents: '{match}'", "summary": "s", "why": "w",
        "examples": {"fail": ["x"], "pass": ["y"]}, **keys, "code": code, "name": name,
    })


def test_two_line_rules_split_each_batch_once(tmp_path: Path) -> None:
    header, footer = "Quillfeather Weekly, stories from the valley", "Printed on recycled pixels by the collective"
    corpus = write_jsonl(tmp_path / "posts.jsonl", [
        post(f"q{n}", f"{header}\nThis post tells a story about {word} of its own.\n{footer}", site="quill.example")
        for n, word in enumerate(["apples", "bridges", "comets", "dunes", "embers", "ferns", "glaciers", "harbours"])
    ])
    config = Config.model_validate({"batch-rows": 3, "jobs": 1})  # three batches per pass
    first = _repeats("TS201", "repeats-a", min_documents=3)
    # Another family: findings of one family on one span would be merged into one (qc.consolidate).
    second = _repeats("TS202", "repeats-b", min_documents=4, min_chars=12, family="template")

    def lines_split(rules: list[repeated_lines.Spec]) -> tuple[int, pd.DataFrame]:
        before = qc.features.computed["lines"]
        found = run([str(corpus)], Checker(RuleSet(list(rules))), config)[0].to_frame()
        return qc.features.computed["lines"] - before, found

    one, alone = lines_split([first])
    two, both = lines_split([first, second])
    # Pass one and pass two each split every batch once (3 + 3), however many rules read the lines.
    assert one == two == 6
    assert set(both["rule"]) == {"TS201", "TS202"} and len(alone) == 16  # header and footer of 8 posts
    pd.testing.assert_frame_equal(both[both["rule"] == "TS201"].reset_index(drop=True), alone)
    assert (both["rule"] == "TS202").sum() == 16


def test_line_kinds_declare_the_lines_feature() -> None:
    ruleset = resolve_ruleset(_config())
    for rule in ruleset:
        line_kinds = {"repeated_lines", "line_runs", "chrome_blocks", "phrases"}
        assert (LINES in rule.FEATURES) == (rule.kind in line_kinds), rule.code
    assert LINES not in Checker(ruleset.select(["PH001"], [])).features
    assert LINES in Checker(ruleset.select(["BP030"], [])).features
