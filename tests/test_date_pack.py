"""The built-in date pack: every rule's own fail/pass examples, and accuracy on the shared dev set."""

from __future__ import annotations

import json
import os
from pathlib import Path

import qc
from qc.examples import run_examples
from qc.registry import load_rules

from .conftest import run_qc

ROOT = Path(__file__).resolve().parents[1]
DEV = Path(os.environ.get("QC_DEV_CORPUS", ROOT.parent / "shared" / "corpus"))


def test_every_date_rule_passes_its_own_examples() -> None:
    ruleset = load_rules([], include_builtin=True).select(["date"], [])
    kinds = {rule.kind for rule in ruleset}
    assert kinds >= {"date_order", "date_bounds", "body_dates", "copyright_stale", "relative_date", "chrome_date"}
    failures = [r for r in run_examples(ruleset) if not r.ok]
    assert failures == []


def test_date_family_precision_and_recall_on_the_dev_set() -> None:
    corpus = DEV / "real-dev.jsonl"
    labels = [json.loads(line) for line in (DEV / "real-dev.labels.jsonl").read_text(encoding="utf-8").splitlines()]
    gold = {label["doc_id"] for label in labels if "date" in label["labels"]}
    findings = qc.check(corpus, {"select": ["date"]}).findings
    flagged = findings[findings["severity"].isin(["warning", "error"])]
    predicted = set(flagged["doc_id"])
    hits = len(predicted & gold)
    precision = hits / len(predicted)
    recall = hits / len(gold)
    assert len(gold) >= 10
    assert precision >= 0.95, sorted(predicted - gold)
    assert recall >= 0.95, sorted(gold - predicted)


def test_rules_show_prints_the_date_fields_of_examples() -> None:
    result = run_qc("rules", "show", "DT001")
    assert result.code == 0, result.stderr
    assert "posted_at: 2024-03-02T10:00:00Z" in result.stdout
    assert "captured_at: 2024-03-01T10:00:00Z" in result.stdout
