"""The built-in date pack: every rule's own examples, accuracy on the shared dev set, and no clock in verdicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import qc
from qc.examples import run_examples
from qc.registry import load_rules

from .conftest import DevSet, full_dev_set, post, run_qc, write_jsonl

SOURCES = ("readability", "scrapinghub", "zhcwe", "dragnet", "trafilatura")
#: (precision, recall) floors per development set, a little below what the packs score: the vendored sample
#: (301 records of the copyable sources) 1.00 / 1.00 (20 of 20), the full shared set 0.915 / 1.00 (54 of 54).
FLOORS = {"sample": (0.95, 0.95), "full": (0.88, 0.95)}


def test_every_date_rule_passes_its_own_examples() -> None:
    ruleset = load_rules([], include_builtin=True).select(["date"], [])
    kinds = {rule.kind for rule in ruleset}
    assert kinds >= {"date_order", "date_bounds", "body_dates", "copyright_stale", "relative_date", "chrome_date"}
    failures = [r for r in run_examples(ruleset) if not r.ok]
    assert failures == []


def test_date_family_precision_and_recall_on_the_dev_set(dev_set: DevSet) -> None:
    gold = {label["doc_id"] for label in dev_set.label_lines() if "date" in label["labels"]}
    findings = qc.check(dev_set.corpus, {"select": ["date"]}).findings
    flagged = findings[findings["severity"].isin(["warning", "error"])]
    predicted = set(flagged["doc_id"])
    hits = len(predicted & gold)
    precision = hits / len(predicted)
    recall = hits / len(gold)
    min_precision, min_recall = FLOORS[dev_set.name]
    assert len(gold) >= 10
    assert precision >= min_precision, sorted(predicted - gold)
    assert recall >= min_recall, sorted(gold - predicted)


def evaluate(tmp_path: Path, family: str, dev: DevSet) -> dict[str, Any]:
    """``qc eval`` on the whole dev set for one family, as a user runs it (JSON report)."""
    out = tmp_path / f"{family}.json"
    result = run_qc("eval", dev.corpus, "--labels", dev.labels, "--select", family, "--format", "json",
                    "--output", out)
    assert result.code == 0, result.stderr
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert report["documents"] == 1571
    return report


def per_source(report: dict[str, Any], family: str, dev: DevSet) -> dict[str, tuple[int, int, int]]:
    """(tp, fp, fn) per source of the dev set, from the report's misses and the labels."""
    labels = dev.label_lines()
    source = {label["doc_id"]: label["source"] for label in labels}
    gold: dict[str, int] = {}
    for label in labels:
        if family in label["labels"]:
            gold[label["source"]] = gold.get(label["source"], 0) + 1
    counts = {}
    for name in SOURCES:
        fp = sum(1 for m in report["false_positives"] if m["family"] == family and source[m["doc_id"]] == name)
        fn = sum(1 for m in report["false_negatives"] if m["family"] == family and source[m["doc_id"]] == name)
        counts[name] = (gold.get(name, 0) - fn, fp, fn)
    return counts


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def test_date_family_f1_and_recall_on_the_whole_dev_set(tmp_path: Path) -> None:
    dev = full_dev_set()
    report = evaluate(tmp_path, "date", dev)
    score = next(f for f in report["families"] if f["family"] == "date")
    assert score["tp"] + score["fn"] == 54
    assert score["f1"] >= 0.92, score
    assert score["recall"] >= 0.9, score
    assert score["precision"] >= 0.88, score
    for name, (tp, fp, fn) in per_source(report, "date", dev).items():
        assert f1(tp, fp, fn) >= 0.9, (name, tp, fp, fn)
    rules = {r["name"]: r for r in report["rules"]}
    assert rules["DT010"]["tp"] >= 44 and rules["DT030"]["tp"] >= 7  # footers and relative bylines both found


def test_future_means_after_the_capture_never_after_the_machine_clock(tmp_path: Path) -> None:
    soon = datetime.now(UTC) + timedelta(days=10)  # after today's clock, before no capture
    later = soon + timedelta(days=30)
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        post("soon", "A capture ten days after today's clock.", captured_at=soon.isoformat()),
        post("post-soon", "An undated capture; the post is ten days after today.", posted_at=soon.isoformat()),
        post("in-order", "Both next month, in order.", posted_at=soon.isoformat(), captured_at=later.isoformat()),
        post("after", "Posted after its own capture.", posted_at=later.isoformat(), captured_at=soon.isoformat()),
        post("far", "A capture no crawler made.", captured_at="2999-01-01T00:00:00Z"),
        post("end-of-time", "A database's end-of-time value.", posted_at="9999-12-31T23:59:59Z"),
    ])
    out = tmp_path / "r.json"
    result = run_qc("check", corpus, "--select", "DT001", "--select", "DT003", "--format", "json",
                    "--output", out, "--fail-on", "never")
    assert result.code == 0, result.stderr
    found = {(f["doc_id"], f["rule"]) for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    assert found == {("after", "DT001"), ("far", "DT003"), ("end-of-time", "DT003")}


def test_a_compound_relative_byline_is_resolved_whole_against_the_capture(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        post("byline", "Title\nBy Jane Example | Example News – 1 hour 19 minutes ago\n\nThe story.",
             captured_at="2012-11-07T20:00:00Z"),
        post("dated", "Published May 3, 2012\nBy Jane Example – updated 2 hours ago\n\nThe story.",
             captured_at="2012-11-07T20:00:00Z"),
        post("sidebar", "The story.\n\nMost read\nMarkets rally on rate hopes\n2 hours ago",
             captured_at="2012-11-07T20:00:00Z"),
    ])
    out = tmp_path / "r.json"
    result = run_qc("check", corpus, "--select", "DT030", "--format", "json", "--output", out, "--fail-on", "never")
    assert result.code == 0, result.stderr
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert [f["doc_id"] for f in findings] == ["byline"]
    assert "is about 2012-11-07 18:41:00Z" in findings[0]["message"]


def test_rules_show_prints_the_date_fields_of_examples() -> None:
    result = run_qc("rules", "show", "DT001")
    assert result.code == 0, result.stderr
    assert "posted_at: 2024-03-02T10:00:00Z" in result.stdout
    assert "captured_at: 2024-03-01T10:00:00Z" in result.stdout
