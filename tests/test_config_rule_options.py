"""``[tool.qc.rule-options.CODE]``: a built-in rule's options changed without copying it, validated by its kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import post, run_qc, write_jsonl

MENU = ("Startseite\nPolitik\nWirtschaft\nSport\nKultur\nWetter\n"
        "Der Artikel beginnt hier und erzählt eine lange Geschichte.")


def _project(root: Path, table: str) -> Path:
    (root / "pyproject.toml").write_text("[tool.qc]\n" + table, encoding="utf-8")
    write_jsonl(root / "c.jsonl", [post("menu", MENU)])
    return root


def _bp020(root: Path) -> int:
    run = run_qc("check", "c.jsonl", "--format", "json", "--fail-on", "never", "--select", "BP020", cwd=root)
    assert run.code == 0, run.stderr
    return sum(f["rule"] == "BP020" for f in run.json()["findings"])


def test_override_changes_what_the_rule_flags(tmp_path: Path) -> None:
    assert _bp020(_project(tmp_path, "")) == 1  # six menu items: flagged by default (min_run 6)
    assert _bp020(_project(tmp_path, "[tool.qc.rule-options.BP020]\nmin_run = 8\n")) == 0


def test_rules_show_prints_the_effective_options_and_examples_it_breaks(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.qc.rule-options.BP020]\nmin_run = 8\n")
    run = run_qc("rules", "show", "BP020", cwd=root)
    assert run.code == 0, run.stderr
    assert "min_run: 8" in run.stdout and "set by rule-options in" in run.stdout
    assert "max_words: 4" in run.stdout  # options left alone are shown with the rule's own value
    assert "is no longer flagged" in run.stdout
    plain = run_qc("rules", "show", "BP020", cwd=_project(tmp_path, ""))
    assert "min_run: 6" in plain.stdout and "no longer flagged" not in plain.stdout


T = "[tool.qc.rule-options.BP020]\n"


@pytest.mark.parametrize(("table", "expected"), [
    (T + "min_rn = 8\n", "rule-options.BP020.min_rn: unknown option; did you mean 'min_run'?"),
    (T + "min_run = 1\n", "rule-options.BP020.min_run: Input should be greater than or equal to 2"),
    (T + "min_run = \"many\"\n", "rule-options.BP020.min_run:"),
    (T + "severity = \"info\"\n", "rule-options.BP020.severity: unknown option"),
    ("[tool.qc.rule-options.BP02]\nmin_run = 8\n", "rule-options.BP02: no rule with code 'BP02'"),
])
def test_bad_override_is_one_line_naming_file_and_key(tmp_path: Path, table: str, expected: str) -> None:
    root = _project(tmp_path, table)
    run = run_qc("check", "c.jsonl", cwd=root)
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "pyproject.toml" in run.stderr and expected in run.stderr
