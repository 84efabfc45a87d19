"""Features on demand: a run selecting only a pattern rule parses no date, recovers no page date stamp and
splits no line; its findings are the full run's findings of that rule (issue 10)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import qc.kinds.line_runs
import qc.kinds.repeated_lines
import qc.load
from qc.api import check, resolve_ruleset
from qc.config import Config
from qc.engine import Checker
from qc.rulespec import DATES

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
    selected = check(files, _config(select=["PH001"]))
    assert calls and not any(calls.values()), calls
    assert (selected.findings["rule"] == "PH001").sum() >= 13

    full = check(files, _config())
    # The counters do count: the full run parses dates, recovers stamps and splits lines.
    assert all(calls.values()), calls
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
