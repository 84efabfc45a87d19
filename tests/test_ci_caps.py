"""CI formats fit their consumers: SARIF within code scanning's 25,000 results, GitHub within the ~10
annotations per level a step shows, each saying what it left out and where every finding is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from .conftest import VENDORED, post, run_qc, write_jsonl

SLOTS = "Hi, {{first_name}}, your order {{order_id}} ships to {{city}} on {{date}}; reply to {{email}} please."
DOCUMENTS = 20_000  # five slots each: 100,000 error findings


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 error findings (five template slots in each of 20,000 posts) and a few warnings."""
    path = tmp_path_factory.mktemp("big") / "posts.jsonl"
    records = [post(f"d{i}", f"{SLOTS} Post {i}.") for i in range(DOCUMENTS)]
    records += [post(f"w{i}", f"Skip to content\nHome | Blog | About\nLog in | Register\nA plain post about "
                    f"the weather and the long walk we took by the river, number {i}.") for i in range(50)]
    return write_jsonl(path, records)


@pytest.mark.scale
def test_sarif_of_100000_findings_stays_within_code_scannings_limit_and_validates(big_corpus: Path,
                                                                                    tmp_path: Path) -> None:
    out = tmp_path / "qc.sarif"
    run = run_qc("check", big_corpus, "--format", "sarif", "--output", out, "--jobs", "1")
    assert run.code == 1, run.stderr
    log = json.loads(out.read_text("utf-8"))
    schema = json.loads((VENDORED / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert len(results) == 25_000
    assert {r["level"] for r in results} == {"error"}, "the most severe are kept"
    props = log["runs"][0]["invocations"][0]["properties"]
    assert props["resultsListed"] == 25_000
    warnings = props["resultsLeftOutByLevel"]["warning"]
    assert warnings >= 50
    by_level = props["resultsLeftOutByLevel"]
    assert by_level["error"] == 100_000 - 25_000
    assert props["resultsLeftOut"] == sum(by_level.values())
    assert "--findings FILE.parquet" in props["resultsLeftOutNote"]


@pytest.mark.scale
def test_github_annotates_at_most_ten_per_level_and_says_what_it_left_out(big_corpus: Path) -> None:
    run = run_qc("check", big_corpus, "--format", "github", "--jobs", "1")
    assert run.code == 1, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("::")]
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(errors) == 10 and len(warnings) == 10 and len(notices) == 10
    notices = [line for line in notices if line.startswith("::notice title=corpus-qc::")]
    assert len(notices) == 1
    # Five slots on one line of one record: one annotation with its count, not five.
    assert all("(5 findings here)" in line for line in errors)
    left = re.search(r"::(\d+) more findings at (\d+) locations not annotated \((\d+) of them count toward the "
                     r"gate\)", notices[0])
    assert left is not None
    assert int(left.group(3)) == 100_000 - 10 * 5
    assert "--findings FILE.parquet" in notices[0] and "HTML report" in notices[0]


def test_with_a_baseline_only_new_findings_are_errors(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "posts.jsonl", [post("a", "Dear {{first_name}}, welcome."),
                                                    post("b", "Lorem ipsum dolor sit amet, consectetur.")])
    baseline = tmp_path / "baseline.json"
    assert run_qc("check", corpus, "--write-baseline", baseline).code == 0
    write_jsonl(corpus, [post("a", "Dear {{first_name}}, welcome."),
                         post("b", "Lorem ipsum dolor sit amet, consectetur."),
                         post("c", "Hello {{user}}, your code is ready.")])
    run = run_qc("check", corpus, "--format", "github", "--baseline", baseline)
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "title=PH001 (c)" in errors[0]
    known = [line for line in run.stdout.splitlines() if line.startswith(("::warning ", "::notice "))]
    assert any("title=PH001 (a)" in line for line in known), "known findings are still shown, below error"
