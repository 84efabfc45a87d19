"""The qc command end to end: gate exit codes, JSON report, selection, config, rules commands."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from qc.paths import reports_dir

from .conftest import CLEAN_EN, CLEAN_ZH, LOREM, PLACEHOLDER, REPO, post, run_qc, write_jsonl


def test_sample_corpus_fails_the_gate_with_spans() -> None:
    result = run_qc("check", "samples/", "--format", "json")
    assert result.code == 1
    report = result.json()
    assert report["gate"]["passed"] is False
    spans = [f for f in report["findings"] if f["start"] is not None]
    assert spans, "findings carry character spans"
    texts = {}
    for line in (REPO / "samples" / "posts.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts[record["id"]] = record["text"]
    for finding in spans:
        if finding["doc_id"] in texts:
            assert texts[finding["doc_id"]][finding["start"] : finding["end"]] == finding["match"]


def test_sample_terminal_report_exits_1() -> None:
    result = run_qc("check", "samples/")
    assert result.code == 1
    assert "FAILED" in result.stdout
    assert "PH001" in result.stdout


def test_clean_subset_passes(tmp_path: Path) -> None:
    clean = [json.loads(line) for line in (REPO / "samples" / "posts.jsonl").read_text("utf-8").splitlines()
             if json.loads(line)["id"].startswith(("en-clean-001", "en-clean-002", "zh-clean-001", "zh-clean-002"))]
    assert len(clean) == 4
    write_jsonl(tmp_path / "clean.jsonl", clean)
    result = run_qc("check", tmp_path / "clean.jsonl", "--format", "json")
    assert result.code == 0, result.stdout
    assert result.json()["gate"] == {"passed": True, "fail_on": "error", "reasons": [], "failing_rules": [],
                                     "failing_families": [], "rate_failures": [], "next_command": None}


def test_json_report_validates_against_its_schema(corpus_dir: Path) -> None:
    result = run_qc("check", corpus_dir, "--format", "json")
    schema = json.loads((reports_dir() / "json-report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(result.json(), schema)
    report = result.json()
    assert report["schema_version"] == "1.2"
    assert report["summary"]["documents"] == 4
    assert set(report["findings"][0]) == {"doc_id", "rule", "family", "severity", "field", "start", "end", "match",
                                          "message", "source_path", "source_line", "site", "line", "locator"}


def test_output_file(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.json"
    result = run_qc("check", corpus_dir, "--format", "json", "--output", out)
    assert result.code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["gate"]["passed"] is False


def test_select_ignore_and_fail_on(corpus_dir: Path) -> None:
    only_ph001 = run_qc("check", corpus_dir, "--select", "PH001", "--format", "json").json()
    assert {f["rule"] for f in only_ph001["findings"]} == {"PH001"}
    no_placeholders = run_qc("check", corpus_dir, "--ignore", "placeholder", "--format", "json")
    assert no_placeholders.code == 0
    assert all(f["family"] != "placeholder" for f in no_placeholders.json()["findings"])
    prefix = run_qc("check", corpus_dir, "--select", "PH", "--format", "json").json()
    assert {f["rule"] for f in prefix["findings"]} == {"PH001", "PH002"}
    assert run_qc("check", corpus_dir, "--fail-on", "never").code == 0
    unknown = run_qc("check", corpus_dir, "--select", "NOPE999")
    assert unknown.code == 2 and "matches no rule" in unknown.stderr


def test_max_doc_rate(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", [post(str(i), CLEAN_EN) for i in range(9)] + [post("x", LOREM)])
    # 1 of 10 documents has a placeholder: 10% > 5% fails, 10% <= 20% passes (with fail-on never).
    strict = run_qc("check", tmp_path, "--fail-on", "never", "--max-doc-rate", "placeholder=0.05", "--format", "json")
    assert strict.code == 1
    assert "placeholder document rate 10.00% exceeds maximum 5.00%" in strict.json()["gate"]["reasons"]
    assert run_qc("check", tmp_path, "--fail-on", "never", "--max-doc-rate", "PH002=0.2").code == 0
    bad = run_qc("check", tmp_path, "--max-doc-rate", "placeholder")
    assert bad.code == 2 and "FAMILY_OR_CODE=RATE" in bad.stderr


def test_config_discovered_upward_and_overridden_by_flags(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.qc]\nfail-on = "never"\nignore = ["PH002"]\n', encoding="utf-8")
    work = tmp_path / "sub" / "dir"
    work.mkdir(parents=True)
    write_jsonl(work / "c.jsonl", [post("p", PLACEHOLDER), post("l", LOREM)])
    from_config = run_qc("check", "c.jsonl", "--format", "json", cwd=work)
    assert from_config.code == 0  # fail-on = never from the pyproject two levels up
    assert {f["rule"] for f in from_config.json()["findings"]} == {"PH001"}
    assert run_qc("check", "c.jsonl", "--fail-on", "error", cwd=work).code == 1


def test_qc_toml_field_map_and_bad_key(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", [{"key": "k", "article": "x", "words": PLACEHOLDER}])
    (tmp_path / "qc.toml").write_text('[fields]\ndoc_id = "key"\ntext = "words"\n', encoding="utf-8")
    report = run_qc("check", "c.jsonl", "--format", "json", cwd=tmp_path).json()
    assert [(f["doc_id"], f["rule"]) for f in report["findings"]] == [("k", "PH001")]
    assert report["inputs"]["field_mappings"]["c.jsonl"]["text"] == "words"
    (tmp_path / "qc.toml").write_text('fail_onn = "error"\n', encoding="utf-8")
    result = run_qc("check", "c.jsonl", cwd=tmp_path)
    assert result.code == 2
    assert "qc.toml: fail_onn: unknown key" in result.stderr


def test_rules_list_show_and_test(tmp_path: Path) -> None:
    listing = run_qc("rules", "list")
    assert listing.code == 0 and "PH001" in listing.stdout and "BP001" in listing.stdout
    shown = run_qc("rules", "show", "PH001")
    assert shown.code == 0
    assert "What it does" in shown.stdout and "{{first_name}}" in shown.stdout
    assert run_qc("rules", "show", "ZZ999").code == 2
    pack = tmp_path / "pack"
    pack.mkdir()
    rule = (
        "code: XX001\nname: todo-marker\nfamily: placeholder\nkind: pattern\nseverity: error\n"
        "message: 'found {match}'\nsummary: s\nwhy: w\npatterns: ['TODO']\n"
        "examples:\n  fail: ['TODO: write']\n  pass: ['done', 'a TODO here']\n"
    )
    (pack / "XX001-todo-marker.yaml").write_text(rule, encoding="utf-8")
    result = run_qc("rules", "test", pack)
    assert result.code == 1  # 'a TODO here' is a pass example the rule flags
    assert "XX001 pass[1]" in result.stdout
    assert "2 passed, 1 failed" in result.stdout


def test_python_api_accepts_a_frame() -> None:
    import pandas as pd

    import qc

    frame = pd.DataFrame({"id": ["a", "b"], "content": [CLEAN_ZH, PLACEHOLDER]})
    result = qc.check(frame, {"fail-on": "error"})
    assert result.findings["doc_id"].tolist() == ["b"]
    assert result.findings["source_line"].tolist() == [2]
    assert result.gate.passed is False
    placeholder = next(f for f in result.summary.families if f["family"] == "placeholder")
    assert (placeholder["documents"], placeholder["rate"]) == (1, 0.5)
