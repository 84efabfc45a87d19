"""Machine formats: JUnit against its XSD, SARIF against the 2.1.0 schema, GitHub annotations, findings files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
import xmlschema

from qc.render.github import escape_data, escape_property, markdown_cell

from .conftest import REPO, post, run_qc, write_jsonl

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Defects in two files, one with XML-hostile text (control characters, markup) and a comma path.

    Module-scoped: no test writes into it (outputs go to each test's own tmp_path).
    """
    folder = tmp_path_factory.mktemp("ci") / "in put"
    folder.mkdir()
    write_jsonl(folder / "a,b.jsonl", [
        post("a1", "Dear {{first_name}}, your order \x01\x0b has <shipped> & \"arrived\"."),
        post("a2", "Plain clean text about the weather."),
        post("a3", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\nDear {{name}}"),
    ])
    write_jsonl(folder / "c.jsonl", [post("c1", "Another {{first_name}} left in.")])
    return folder


@pytest.fixture(scope="module")
def json_report(corpus: Path) -> dict[str, Any]:
    """The JSON report of ``corpus``, the reference the other formats are compared with (run once)."""
    run = run_qc("check", corpus, "--format", "json")
    assert run.code == 1, run.stderr
    report: dict[str, Any] = run.json()
    return report


def test_junit_validates_one_suite_per_rule_one_case_per_document(
        corpus: Path, tmp_path: Path, json_report: dict[str, Any]) -> None:
    out = tmp_path / "junit.xml"
    run = run_qc("check", corpus, "--format", "junit", "--output", out)
    assert run.code == 1, run.stderr
    xmlschema.XMLSchema(DATA / "JUnit.xsd").validate(out)
    root = ET.parse(out).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == len(json_report["summary"]["rules"])
    by_name = {s.get("name", "").split(" ")[0]: s for s in suites}
    ph001 = by_name["PH001"]
    failing = ph001.findall("testcase")
    assert len(failing) == 3, "a1, a3 and c1 each fail PH001 once, whatever their finding count"
    assert ph001.get("failures") == "3" and ph001.get("tests") == "3"
    assert all(case.find("failure") is not None for case in failing)
    assert any("a1" in (case.get("name") or "") for case in failing)
    clean = by_name["BP001"]
    assert clean.get("failures") == "0"
    assert clean.findall("testcase")[0].find("failure") is None


def test_sarif_validates_with_rules_and_locations(corpus: Path, json_report: dict[str, Any]) -> None:
    run = run_qc("check", corpus, "--format", "sarif")
    assert run.code == 1, run.stderr
    log = json.loads(run.stdout)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    sarif_run = log["runs"][0]
    rules = sarif_run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "PH001" in ids and "PH002" in ids
    ph001 = rules[ids.index("PH001")]
    assert ph001["shortDescription"]["text"] and ph001["help"]["text"]
    results = sarif_run["results"]
    assert len(results) == len(json_report["findings"])
    first = next(r for r in results if r["properties"]["doc_id"] == "c1")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("in%20put/c.jsonl")
    assert location["region"]["startLine"] == 1
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "PH001"
    assert first["level"] == "error"


def test_sarif_schema_rejects_a_broken_log() -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                                            "results": [{"level": "fatal",
                                                                         "message": {"text": "m"}}]}]}, schema)


def test_github_annotations_and_step_summary(corpus: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n", encoding="utf-8")
    run = run_qc("check", corpus, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 1, run.stderr
    lines = run.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert errors, run.stdout
    c1 = next(line for line in errors if "c1" in line)
    props, message = c1[len("::error "):].split("::", 1)
    fields = dict(p.split("=", 1) for p in props.split(","))
    assert fields["file"].endswith("in put/c.jsonl") and fields["line"] == "1"
    assert fields["title"] == "PH001 (c1)"
    assert "{{first_name}}" in message
    comma = next(line for line in errors if "a1" in line)
    assert "a%2Cb.jsonl" in comma, "commas in properties are escaped"
    assert lines[-1].startswith("corpus-qc gate failed")
    text = summary.read_text("utf-8")
    assert text.startswith("previous step\n"), "the summary is appended, never overwritten"
    assert "corpus-qc gate failed" in text and "| PH001 |" in text


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c\n") == "a%3Ab%2Cc%0A"


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_findings_file_round_trips(corpus: Path, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / "out" / f"findings{suffix}"
    run = run_qc("check", corpus, "--format", "json", "--findings", target)
    assert run.code == 1, run.stderr
    report = run.json()
    frame = pd.read_parquet(target) if suffix == ".parquet" else pd.read_json(target, lines=True, dtype=False)
    assert list(frame.columns) == list(report["findings"][0].keys())
    assert len(frame) == len(report["findings"])
    assert sorted(frame["doc_id"].unique().tolist()) == sorted({f["doc_id"] for f in report["findings"]})
    # Joins back to the corpus: spans index the original text.
    texts = {json.loads(line)["id"]: json.loads(line)["text"]
             for line in (corpus / "a,b.jsonl").read_text("utf-8").splitlines()}
    row = frame[frame["doc_id"] == "a1"].iloc[0]
    assert texts["a1"][int(row["start"]):int(row["end"])] == row["match"]


def test_findings_file_with_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    run = run_qc("check", REPO / "samples", "--findings", tmp_path / "out.csv")
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0
    assert "out.csv" in run.stderr and ".parquet or .jsonl" in run.stderr
    assert "Traceback" not in run.stderr


def test_unwritable_output_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    for option in ("--html", "--findings", "--write-baseline"):
        target = blocker / ("out.jsonl" if option == "--findings" else "out.html")
        run = run_qc("check", REPO / "samples", option, target)
        assert run.code == 2, (option, run.stderr)
        assert run.stderr.strip().count("\n") == 0
        assert f"{option}: cannot write {target}" in run.stderr and "Traceback" not in run.stderr


def test_markdown_cells_are_inert() -> None:
    cell = markdown_cell("<img src=x onerror=alert(1)> | **bold** [x](javascript:alert(1))\nnext")
    assert "<" not in cell.replace("\\<", "") and "|" not in cell.replace("\\|", "")
    assert "\n" not in cell and "\\*\\*bold\\*\\*" in cell

