"""Every CI format shows as failing exactly what fails the gate, at every ``fail-on``; the verdict names the rules."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import REPO, run_qc

SAMPLES = REPO / "samples"
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@pytest.fixture(scope="module")
def sample_report() -> dict:
    run = run_qc("check", SAMPLES, "--format", "json", "--fail-on", "never", "--jobs", "1")
    assert run.code == 0, run.stderr
    return run.json()


def _expected(report: dict, fail_on: str) -> tuple[int, int, set[str]]:
    """Findings and (rule, record) pairs that count toward the gate at ``fail_on``, and their rules."""
    if fail_on == "never":
        return 0, 0, set()
    counted = [f for f in report["findings"] if SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[fail_on]]
    pairs = {(f["rule"], f["source_path"], f["source_line"]) for f in counted}
    return len(counted), len(pairs), {f["rule"] for f in counted}


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_junit_and_json_fail_exactly_what_the_gate_counts(sample_report: dict, fail_on: str, tmp_path: Path) -> None:
    findings, pairs, rules = _expected(sample_report, fail_on)
    assert fail_on == "never" or findings > 0, "the sample corpus has findings at every severity"
    run = run_qc("check", SAMPLES, "--format", "json", "--fail-on", fail_on, "--jobs", "1")
    gate = run.json()["gate"]
    assert run.code == (1 if findings else 0)
    assert {r["code"] for r in gate["failing_rules"]} == rules
    assert sum(r["findings"] for r in gate["failing_rules"]) == findings
    assert sum(r["documents"] for r in gate["failing_rules"]) == pairs
    if rules:
        worst = gate["failing_rules"][0]
        assert gate["next_command"] == f"qc rules show {worst['code']}"
        assert all(r["code"] in " ".join(gate["reasons"]) for r in gate["failing_rules"][:5])

    junit = tmp_path / "junit.xml"
    run_qc("check", SAMPLES, "--format", "junit", "--output", junit, "--fail-on", fail_on, "--jobs", "1")
    root = ET.parse(junit).getroot()
    failed_cases = [case for case in root.iter("testcase") if case.find("failure") is not None]
    assert len(failed_cases) == pairs
    assert sum(int(s.get("failures", "0")) for s in root.iter("testsuite")) == pairs
    failed_rules = {s.get("name", "").split(" ")[0] for s in root.iter("testsuite") if s.get("failures") != "0"}
    assert failed_rules == rules
    # Findings below fail-on are still in the XML, as passing testcases that carry them.
    below = [case for case in root.iter("testcase") if case.find("failure") is None
             and "below fail-on" in (case.findtext("system-out") or "")]
    if fail_on != "info":
        assert below, "findings below fail-on are reported, not dropped"


def test_the_verdict_names_the_failing_rules_in_every_report(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    summary = tmp_path / "summary.md"
    terminal = run_qc("check", SAMPLES, "--html", page, "--jobs", "1")
    assert terminal.code == 1
    report = run_qc("check", SAMPLES, "--format", "json", "--jobs", "1").json()
    worst = report["gate"]["failing_rules"][0]["code"]
    assert f"qc rules show {worst}" in terminal.stdout
    assert worst in terminal.stdout.split("inputs:")[0], "the verdict panel names the rule"
    html = page.read_text("utf-8")
    banner = html.split("<main>", 1)[0]
    assert worst in banner and f"qc rules show {worst}" in banner
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    run_qc("check", SAMPLES, "--format", "github", "--jobs", "1", env=env)
    assert worst in summary.read_text("utf-8") and f"qc rules show {worst}" in summary.read_text("utf-8")


def test_a_rate_over_its_maximum_is_a_failing_testcase(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    run = run_qc("check", SAMPLES, "--format", "junit", "--output", junit, "--fail-on", "never",
                 "--max-doc-rate", "placeholder=0.01", "--jobs", "1")
    assert run.code == 1
    root = ET.parse(junit).getroot()
    rates = [s for s in root.iter("testsuite") if s.get("name") == "document rates"]
    assert len(rates) == 1 and rates[0].get("failures") == "1"
    assert "placeholder document rate" in (rates[0].find("testcase/failure").get("message") or "")
    report = run_qc("check", SAMPLES, "--format", "json", "--fail-on", "never", "--max-doc-rate",
                    "placeholder=0.01", "--jobs", "1").json()
    assert [r["name"] for r in report["gate"]["rate_failures"]] == ["placeholder"]
    assert json.dumps(report["gate"]["failing_rules"]) == "[]"


ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _annotations(stdout: str) -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group("props"), m.group("message"))
            for m in map(ANNOTATION.match, stdout.splitlines()) if m]


def _count_here(message: str) -> int:
    found = re.search(r"\((\d+) findings here\)", message)
    return int(found.group(1)) if found else 1


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_github_sarif_and_gitlab_fail_exactly_what_the_gate_counts(sample_report: dict, fail_on: str,
                                                                     tmp_path: Path) -> None:
    findings, _, rules = _expected(sample_report, fail_on)
    gate = run_qc("check", SAMPLES, "--format", "json", "--fail-on", fail_on, "--jobs", "1").json()["gate"]
    assert sum(r["findings"] for r in gate["failing_rules"]) == findings

    github = run_qc("check", SAMPLES, "--format", "github", "--fail-on", fail_on, "--jobs", "1")
    annotations = _annotations(github.stdout)
    levels = [level for level, _, _ in annotations]
    for level in ("error", "warning", "notice"):
        assert levels.count(level) <= 10, f"GitHub shows about 10 {level} annotations per step"
    errors = [(_count_here(message), message.split(":", 1)[0]) for level, _, message in annotations
              if level == "error"]
    assert {rule for _, rule in errors} <= rules
    assert [n for n, _ in errors] == sorted((n for n, _ in errors), reverse=True), "most frequent first"
    left_out = [m for level, props, m in annotations if level == "notice" and props == "title=corpus-qc"]
    gating_left_out = int(re.search(r"\((\d+) of them count toward the gate\)", left_out[0]).group(1)) \
        if left_out else 0
    assert sum(n for n, _ in errors) + gating_left_out == findings
    if left_out:
        assert "--findings FILE.parquet" in left_out[0]
    # One annotation per rule and location: no two share rule, file and line.
    keys = [(message.split(":", 1)[0], props.rsplit(",title=", 1)[0]) for _, props, message in annotations]
    assert len(keys) == len(set(keys))

    sarif = run_qc("check", SAMPLES, "--format", "sarif", "--fail-on", fail_on, "--jobs", "1").json()
    results = sarif["runs"][0]["results"]
    assert sum(r["level"] == "error" for r in results) == findings
    assert {r["ruleId"] for r in results if r["level"] == "error"} == rules
    rank = {"error": 0, "warning": 1, "note": 2}
    assert [rank[r["level"]] for r in results] == sorted(rank[r["level"]] for r in results), "most severe first"

    gitlab = json.loads(run_qc("check", SAMPLES, "--format", "gitlab", "--fail-on", fail_on, "--jobs", "1").stdout)
    failing = [e for e in gitlab if e["severity"] in ("critical", "major") and e["check_name"] != "corpus-qc/left-out"]
    assert len(failing) == findings
    assert {e["check_name"] for e in failing} == rules
