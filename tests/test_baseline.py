"""Baselines: write, add one defective post, and only the new finding fails the gate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd

from qc.baseline import compare, fingerprint, normalise_match
from qc.paths import reports_dir
from qc.store import FindingsStore

from .conftest import CLEAN_EN, LOREM, PLACEHOLDER, post, run_qc, write_jsonl


def test_round_trip_only_the_new_finding_fails(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [post("p1", PLACEHOLDER), post("p2", LOREM), post("c1", CLEAN_EN)]
    write_jsonl(corpus / "posts.jsonl", records)
    baseline = tmp_path / "qc-baseline.json"

    first = run_qc("check", corpus, "--write-baseline", baseline, "--format", "json")
    assert first.code == 0, "writing a baseline accepts today's findings: exit 0"
    assert first.json()["gate"]["passed"] is False, "the report still shows the gate as it stands"
    written = json.loads(baseline.read_text("utf-8"))
    assert written["version"] == 2
    assert {e["key"] for e in written["entries"].values()} == {"p1", "p2"}, "no site: keyed on doc_id"

    same = run_qc("check", corpus, "--baseline", baseline, "--format", "json")
    assert same.code == 0, same.stdout
    assert same.json()["baseline"] == {"path": str(baseline), "known": len(first.json()["findings"]), "new": 0,
                                       "absent": []}

    # Reordered lines and one new defective post: only the new post's finding counts.
    write_jsonl(corpus / "posts.jsonl", [records[1], records[0], records[2], post("n1", "Hello {{user}}!")])
    grown = run_qc("check", corpus, "--baseline", baseline, "--format", "json")
    assert grown.code == 1
    report = grown.json()
    assert report["baseline"]["new"] == 1
    assert report["gate"]["reasons"] == ["1 error finding at or above fail-on=error (family placeholder): "
                                         "PH001 unfilled-template-variable (1 finding in 1 document) "
                                         "(new since baseline)"]
    statuses = {(f["doc_id"], f["baseline_status"]) for f in report["findings"]}
    assert ("n1", "new") in statuses and all(s == "unchanged" for d, s in statuses if d != "n1")
    assert len(report["findings"]) == len(first.json()["findings"]) + 1, "reports still show every finding"
    schema = json.loads((reports_dir() / "json-report.schema.json").read_text("utf-8"))
    jsonschema.validate(report, schema)
    page = tmp_path / "report.html"  # written by the SARIF run: one run gives both reports
    sarif = json.loads(run_qc("check", corpus, "--baseline", baseline, "--format", "sarif", "--html", page).stdout)
    states = [r["baselineState"] for r in sarif["runs"][0]["results"]]
    assert states.count("new") == 1 and states.count("unchanged") == len(states) - 1
    github = run_qc("check", corpus, "--baseline", baseline, "--format", "github").stdout.splitlines()
    errors = [line for line in github if line.startswith("::error ")]
    assert len(errors) == 1 and "title=PH001 (n1)" in errors[0], "only the new finding is an error"
    known = [line for line in github if line.startswith(("::warning ", "::notice "))]
    assert known and not any("(n1)" in line for line in known), "known findings are shown below error"
    data = json.loads(page.read_text("utf-8").split('id="qc-data">', 1)[1].split("</script>", 1)[0])
    new_column = data["columns"].index("new")
    assert [row[0] for row in data["findings"] if row[new_column]] == ["n1"]
    assert 'id="f-new"' in page.read_text("utf-8")

    # Fixing a baselined post: its entries are reported as no longer occurring, and the gate passes.
    write_jsonl(corpus / "posts.jsonl", [records[0], records[2]])
    fixed = run_qc("check", corpus, "--baseline", baseline, "--format", "json")
    assert fixed.code == 0
    absent = fixed.json()["baseline"]["absent"]
    assert absent and {e["key"] for e in absent} == {"p2"}
    terminal = run_qc("check", corpus, "--baseline", baseline)
    assert "baseline entries no longer occur" in terminal.stdout
    assert "1 new" not in terminal.stdout and "0 new" in terminal.stdout


def test_a_recrawl_with_new_doc_ids_keeps_site_findings_known(tmp_path: Path) -> None:
    """A re-crawl gives pages new doc_ids; findings keyed on site + rule + match stay known."""
    def crawl(prefix: str, extra: list[dict[str, str]] = ()) -> Path:  # type: ignore[assignment]
        path = tmp_path / f"{prefix}.jsonl"
        write_jsonl(path, [post(f"{prefix}-{n}", f"{PLACEHOLDER} Story {n}.", url=f"https://news.example/{n}")
                           for n in range(3)] + list(extra))
        return path

    baseline = tmp_path / "bl.json"
    assert run_qc("check", crawl("old"), "--write-baseline", baseline, "--quiet").code == 0
    entries = json.loads(baseline.read_text("utf-8"))["entries"]
    assert [(e["key"], e["count"]) for e in entries.values()] == [("site:news.example", 3)]
    again = run_qc("check", crawl("new"), "--baseline", baseline, "--format", "json")
    assert again.code == 0, again.stdout
    assert again.json()["baseline"]["new"] == 0
    other = post("other-1", PLACEHOLDER, url="https://elsewhere.example/1")
    grown = run_qc("check", crawl("newer", [other]), "--baseline", baseline, "--format", "json")
    assert grown.code == 1 and grown.json()["baseline"]["new"] == 1
    assert [f["doc_id"] for f in grown.json()["findings"] if f["baseline_status"] == "new"] == ["other-1"]


def test_a_version_1_baseline_is_still_read(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER, url="https://a.example/1")])
    fp = fingerprint("PH001", "p1", "{{first_name}}")  # version 1 keyed on doc_id even with a site
    old = tmp_path / "v1.json"
    old.write_text(json.dumps({"version": 1, "entries": {fp: {"rule": "PH001", "doc_id": "p1",
                                                               "match": "{{first_name}}", "count": 1}}}), "utf-8")
    run = run_qc("check", corpus, "--baseline", old, "--format", "json")
    assert run.code == 0, run.stdout
    assert run.json()["baseline"]["known"] == 1


def test_fingerprint_ignores_cosmetic_differences() -> None:
    assert normalise_match("  Share\u3000on\n FACEBOOK ") == "share on facebook"
    assert fingerprint("BP010", "d1", "Share on Facebook") == fingerprint("BP010", "d1", "share  on\tfacebook")
    assert fingerprint("BP010", "d1", "x") != fingerprint("BP010", "d2", "x")
    assert fingerprint("BP010", "d1", "x") != fingerprint("BP011", "d1", "x")


def test_a_second_copy_of_a_known_finding_is_new() -> None:
    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame({"rule": ["PH001"] * n, "doc_id": ["d"] * n, "match": ["{{x}}"] * n,
                             "source_path": ["f"] * n, "source_line": [1] * n, "site": [None] * n})

    fp = fingerprint("PH001", "d", "{{x}}")
    outcome = compare(FindingsStore.of(frame(2)), {fp: {"rule": "PH001", "doc_id": "d", "match": "{{x}}", "count": 1}})
    assert outcome.is_new.tolist() == [False, True]
    assert (outcome.known, outcome.new, outcome.absent) == (1, 1, [])


def test_bad_baseline_file_is_one_line_exit_2(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", [post("c1", CLEAN_EN)])
    broken = tmp_path / "bl.json"
    broken.write_text('{"version": 1, "entries": ', encoding="utf-8")
    run = run_qc("check", tmp_path / "c.jsonl", "--baseline", broken)
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "bl.json:1" in run.stderr and "Traceback" not in run.stderr
    missing = run_qc("check", tmp_path / "c.jsonl", "--baseline", tmp_path / "nope.json")
    assert missing.code == 2 and "nope.json: baseline file not found" in missing.stderr


def test_every_format_marks_the_one_new_finding(tmp_path: Path) -> None:
    """One run with a baseline and one new defect: the terminal's --verbose table marks it new (the rest
    known), JUnit fails only its testcase, GitLab ranks only it as failing the pipeline."""
    import xml.etree.ElementTree as ET

    corpus = write_jsonl(tmp_path / "posts.jsonl", [post("p1", PLACEHOLDER), post("p2", LOREM)])
    baseline = tmp_path / "baseline.json"
    assert run_qc("check", corpus, "--write-baseline", baseline, "--quiet").code == 0
    write_jsonl(corpus, [post("p1", PLACEHOLDER), post("p2", LOREM), post("n1", "Hello {{user}}, hi.")])
    junit, gitlab = tmp_path / "junit.xml", tmp_path / "gl.json"
    run = run_qc("check", corpus, "--baseline", baseline, "--verbose", "--report", f"junit={junit}",
                 "--report", f"gitlab={gitlab}", env={"COLUMNS": "160"})
    assert run.code == 1, run.stderr
    table = run.stdout.split("All findings", 1)[1]
    rows = [line for line in table.splitlines() if "posts.jsonl:" in line]
    new_rows = [line for line in rows if line.rstrip(" │").endswith("new")]
    assert len(new_rows) == 1 and "posts.jsonl:3" in new_rows[0], table
    assert all(line.rstrip(" │").endswith("known") for line in rows if line not in new_rows)
    failed = [case for case in ET.parse(junit).getroot().iter("testcase") if case.find("failure") is not None]
    assert len(failed) == 1 and "n1" in (failed[0].get("name") or "") + (failed[0].get("classname") or "")
    entries = json.loads(gitlab.read_text("utf-8"))
    failing = [e for e in entries if e["severity"] in ("critical", "major")]
    assert len(failing) == 1 and failing[0]["location"]["lines"]["begin"] == 3
