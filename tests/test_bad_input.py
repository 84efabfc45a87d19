"""Bad input: one clear line naming file/line/field, the right exit code, and the good records still checked."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from .conftest import CLEAN_EN, LOREM, PLACEHOLDER, post, run_qc, write_jsonl


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rules_hit(report: dict, doc_id: str) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["doc_id"] == doc_id}


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_qc("check", tmp_path / "nope.jsonl")
    line = _one_error_line(result.stderr)
    assert result.code == 2
    assert "nope.jsonl" in line and "no such file" in line


def test_empty_glob_exits_2(tmp_path: Path) -> None:
    result = run_qc("check", str(tmp_path / "*.jsonl"))
    assert result.code == 2
    assert "glob matched no files" in _one_error_line(result.stderr)


def test_file_with_no_records_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    result = run_qc("check", tmp_path / "empty.jsonl")
    assert result.code == 2
    assert "no records" in _one_error_line(result.stderr)


def test_malformed_line_is_a_schema_finding_and_neighbours_are_checked(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [post("before", PLACEHOLDER), '{"id": "broken", "text": ',
                                              post("after", LOREM), "[1, 2, 3]"])
    before = _digest(path)
    result = run_qc("check", path, "--format", "json")
    assert result.code == 1
    report = result.json()
    schema = [f for f in report["findings"] if f["family"] == "schema"]
    assert {(f["rule"], f["source_line"]) for f in schema} == {("SC001", 2), ("SC002", 4)}
    assert all(f["source_path"] == str(path) for f in schema)
    assert "PH001" in _rules_hit(report, "before")
    assert "PH002" in _rules_hit(report, "after")
    assert _digest(path) == before  # input files are never written


def test_invalid_utf8_is_decoded_with_replacement_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = json.dumps(post("good", PLACEHOLDER)).encode()
    bad = b'{"id": "bad", "text": "caf\xe9 ' + LOREM.encode() + b'"}'
    path.write_bytes(good + b"\n" + bad + b"\n")
    report = run_qc("check", path, "--format", "json").json()
    utf8 = [f for f in report["findings"] if f["rule"] == "SC003"]
    assert [(f["source_line"], f["severity"]) for f in utf8] == [(2, "warning")]
    assert "PH002" in _rules_hit(report, "bad")  # the record itself is still checked
    assert "PH001" in _rules_hit(report, "good")


def test_missing_text_column_names_the_columns_found(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "headline": "x", "summary": "y"}])
    write_jsonl(tmp_path / "b.jsonl", [post("ok", PLACEHOLDER)])
    result = run_qc("check", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--format", "json")
    assert result.code == 2
    line = _one_error_line(result.stderr)
    assert "a.jsonl" in line and "no text column" in line and "headline" in line and "summary" in line
    assert "PH001" in _rules_hit(result.json(), "ok")  # the good file's findings are still reported


def test_truncated_gzip_reports_file_and_keeps_earlier_records(tmp_path: Path) -> None:
    records = [post(f"r{i}", PLACEHOLDER + f" {i} " + "padding " * 50) for i in range(400)]
    data = gzip.compress(("\n".join(json.dumps(r) for r in records) + "\n").encode())
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    result = run_qc("check", path, "--format", "json")
    assert result.code == 2
    line = _one_error_line(result.stderr)
    assert "c.jsonl.gz" in line and "truncated" in line
    report = result.json()
    assert report["summary"]["documents"] > 0
    assert "PH001" in _rules_hit(report, "r0")


def test_binary_file_exits_2_and_other_files_are_checked(tmp_path: Path) -> None:
    (tmp_path / "img.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write_jsonl(tmp_path / "ok.jsonl", [post("ok", PLACEHOLDER)])
    result = run_qc("check", tmp_path / "img.jsonl", tmp_path / "ok.jsonl", "--format", "json")
    assert result.code == 2
    assert "img.jsonl" in _one_error_line(result.stderr)
    assert "PH001" in _rules_hit(result.json(), "ok")


def test_bad_records_are_schema_findings(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [post("dup", CLEAN_EN), post("dup", PLACEHOLDER), post("empty", "  "),
                                              {"id": "num", "text": 42}, post("fine", LOREM)])
    report = run_qc("check", path, "--format", "json").json()
    schema = {(f["rule"], f["source_line"]) for f in report["findings"] if f["family"] == "schema"}
    assert schema == {("SC007", 2), ("SC005", 3), ("SC006", 4)}
    assert "PH002" in _rules_hit(report, "fine")
    assert "PH001" in _rules_hit(report, "dup")  # the duplicate record is still checked


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [post("same", CLEAN_EN)])
    write_jsonl(tmp_path / "b.jsonl", [post("same", CLEAN_EN)])
    report = run_qc("check", tmp_path, "--format", "json").json()
    dups = [f for f in report["findings"] if f["rule"] == "SC007"]
    assert [(Path(f["source_path"]).name, f["source_line"]) for f in dups] == [("b.jsonl", 1)]


def _rule_file(directory: Path, body: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / "XX001-test-rule.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD_RULE = """\
code: XX001
name: test-rule
family: placeholder
kind: pattern
severity: error
message: "found {match}"
summary: test
why: test
patterns: ['TODO']
examples:
  fail: ["TODO: write this"]
  pass: ["done"]
"""


def test_rule_yaml_syntax_error(tmp_path: Path, corpus_dir: Path) -> None:
    _rule_file(tmp_path / "pack", GOOD_RULE.replace("summary: test", "summary: [unclosed"))
    result = run_qc("check", corpus_dir, "--rules", tmp_path / "pack")
    assert result.code == 2
    line = _one_error_line(result.stderr)
    assert "XX001-test-rule.yaml:" in line and "YAML syntax error" in line


def test_rule_unknown_key_names_file_line_and_key(tmp_path: Path, corpus_dir: Path) -> None:
    _rule_file(tmp_path / "pack", GOOD_RULE.replace("summary: test\n", "summary: test\nsevrity: high\n"))
    result = run_qc("check", corpus_dir, "--rules", tmp_path / "pack")
    assert result.code == 2
    line = _one_error_line(result.stderr)
    assert "XX001-test-rule.yaml:8: sevrity: unknown key" in line


def test_invalid_regex_names_the_rule(tmp_path: Path, corpus_dir: Path) -> None:
    _rule_file(tmp_path / "pack", GOOD_RULE.replace("['TODO']", "['(a)\\1', '(?=look)']"))
    result = run_qc("check", corpus_dir, "--rules", tmp_path / "pack")
    assert result.code == 2
    line = _one_error_line(result.stderr)
    assert "XX001-test-rule.yaml:9: patterns" in line and "RE2 cannot compile" in line


def test_catastrophic_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    # (a+)+$ backtracks exponentially in Python's re; RE2 and Hyperscan answer in linear time.
    _rule_file(tmp_path / "pack", GOOD_RULE.replace("['TODO']", "['(a+)+$']"))
    write_jsonl(tmp_path / "c.jsonl", [post("evil", "a" * 50_000 + "!")])
    result = run_qc("check", tmp_path / "c.jsonl", "--rules", tmp_path / "pack", "--no-builtin", "--format", "json")
    assert result.code == 0
    assert result.json()["findings"] == []


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_qc("--debug", "check", tmp_path / "nope.jsonl")
    assert result.code == 2
    assert "Traceback" in result.stderr
