"""``--format gitlab``: GitLab Code Quality JSON whose severities agree with the gate."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .conftest import CLEAN_EN, PLACEHOLDER, post, run_qc, write_jsonl

ERROR_TEXT = PLACEHOLDER                                         # PH001, error
WARNING_TEXT = "The results show TODO: add the figures here."    # PH005, warning
INFO_TEXT = "The article.\nShare"                                # BP090, info

#: GitLab's documented Code Quality entry (a subset of the Code Climate spec), strictly.
CODE_QUALITY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object", "additionalProperties": False, "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "not": {"pattern": "^/"}},
                    "lines": {"type": "object", "additionalProperties": False, "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def _gitlab(corpus: Path, *args: str | Path, absolute: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """Run in the corpus's folder, as a CI job runs in its checkout (paths relative to it)."""
    target = corpus.resolve() if absolute else corpus.name
    run = run_qc("check", target, *args, "--format", "gitlab", cwd=corpus.parent)
    assert run.code in (0, 1), run.stderr
    entries: list[dict[str, Any]] = json.loads(run.stdout)
    jsonschema.validate(entries, CODE_QUALITY_SCHEMA)
    fingerprints = [e["fingerprint"] for e in entries]
    assert len(fingerprints) == len(set(fingerprints)), "fingerprints are unique"
    return run.code, entries


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "c.jsonl", [post("e1", ERROR_TEXT), post("w1", WARNING_TEXT),
                                              post("i1", INFO_TEXT), post("ok", CLEAN_EN)])


def _by_rule(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for entry in entries:
        out.setdefault(entry["check_name"], set()).add(entry["severity"])
    return out


@pytest.mark.parametrize(("fail_on", "expected", "code"), [
    ("error", {"PH001": {"critical"}, "PH005": {"minor"}, "BP090": {"info"}}, 1),
    ("warning", {"PH001": {"critical"}, "PH005": {"major"}, "BP090": {"info"}}, 1),
    ("info", {"PH001": {"critical"}, "PH005": {"major"}, "BP090": {"major"}}, 1),
    ("never", {"PH001": {"minor"}, "PH005": {"minor"}, "BP090": {"info"}}, 0),
])
def test_severity_follows_the_gate(mixed: Path, fail_on: str, expected: dict[str, set[str]], code: int) -> None:
    exit_code, entries = _gitlab(mixed, "--fail-on", fail_on)
    assert exit_code == code
    assert _by_rule(entries) == expected
    gating = [e for e in entries if e["severity"] in ("major", "critical")]
    assert bool(gating) == (code == 1)  # the report fails what failed the pipeline, and nothing else


def test_one_entry_per_finding_at_its_file_and_line(mixed: Path) -> None:
    report = run_qc("check", mixed.name, "--format", "json", cwd=mixed.parent).json()
    _, entries = _gitlab(mixed)
    assert len(entries) == len(report["findings"])
    located = Counter((e["check_name"], e["location"]["path"], e["location"]["lines"]["begin"]) for e in entries)
    expected = Counter((f["rule"], f["source_path"], f["source_line"]) for f in report["findings"])
    assert located == expected
    first = next(e for e in entries if e["check_name"] == "PH001")
    assert first["description"].startswith("PH001 (e1): Unfilled template variable: '{{first_name}}'")


def test_gating_findings_come_first(mixed: Path) -> None:
    _, entries = _gitlab(mixed, "--fail-on", "warning")
    ranks = [e["severity"] in ("major", "critical") for e in entries]
    assert ranks == sorted(ranks, reverse=True)


def test_fingerprints_are_stable_when_lines_move(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [post("p1", f"{ERROR_TEXT} {ERROR_TEXT}"), post("p2", WARNING_TEXT)])
    _, before = _gitlab(first)
    write_jsonl(first, [post("new", CLEAN_EN), post("p1", f"{ERROR_TEXT} {ERROR_TEXT}"), post("p2", WARNING_TEXT)])
    _, after = _gitlab(first)
    assert [e["fingerprint"] for e in after] == [e["fingerprint"] for e in before]
    assert [e["location"]["lines"]["begin"] for e in after] == [e["location"]["lines"]["begin"] + 1 for e in before]
    # Two equal matches in one document are two entries with two fingerprints.
    assert sum(e["check_name"] == "PH001" for e in before) == 2


def test_baseline_known_findings_do_not_count(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("old", ERROR_TEXT)])
    baseline = tmp_path / "baseline.json"
    assert run_qc("check", corpus, "--write-baseline", baseline).code == 0
    write_jsonl(corpus, [post("old", ERROR_TEXT), post("fresh", "Hello ${user.name}, welcome back.")])
    code, entries = _gitlab(corpus, "--baseline", baseline)
    assert code == 1
    severity = {e["description"].split(":")[0]: e["severity"] for e in entries}
    assert severity == {"PH001 (old)": "minor", "PH001 (fresh)": "critical"}


def test_capped_with_a_final_entry_naming_what_was_left_out(tmp_path: Path) -> None:
    # Warnings first in the corpus, errors after: the errors (what fails the gate) are still all listed.
    records = [post(f"w{n}", WARNING_TEXT) for n in range(700)] + [post(f"e{n}", ERROR_TEXT) for n in range(600)]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    _, entries = _gitlab(corpus, "--ignore", "BP030")  # (the repeated text is also a repeated line)
    assert len(entries) == 1001
    listed, note = entries[:-1], entries[-1]
    assert Counter(e["check_name"] for e in listed) == {"PH001": 600, "PH005": 400}
    assert note["check_name"] == "corpus-qc/left-out"
    assert note["description"].startswith("corpus-qc: 300 more findings not listed here (0 of them count toward "
                                          "the gate); the first 1000 are.")
    assert note["severity"] == "info"
    assert note["location"] == {"path": "c.jsonl", "lines": {"begin": 401}}  # the first left-out finding


def test_absolute_paths_under_the_working_directory_become_relative(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("e1", ERROR_TEXT)])
    _, entries = _gitlab(corpus, absolute=True)
    assert entries[0]["location"]["path"] == "c.jsonl"
