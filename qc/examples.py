"""Run every rule's own examples: ``fail`` texts must yield a finding of that rule, ``pass`` texts none."""

from __future__ import annotations

import pandas as pd

from qc.config import Config
from qc.engine import Checker, run
from qc.registry import RuleSet
from qc.rulespec import RuleExampleResult


def run_examples(ruleset: RuleSet) -> list[RuleExampleResult]:
    """Check each rule alone against its examples (each example is one document)."""
    results: list[RuleExampleResult] = []
    for rule in ruleset:
        cases = [("fail", i, e) for i, e in enumerate(rule.examples.fail)]
        cases += [("pass", i, e) for i, e in enumerate(rule.examples.pass_)]
        records = []
        for n, (_, _, example) in enumerate(cases):
            record = {"doc_id": f"{rule.code}-example-{n}", **example.as_record()}
            records.append(record)
        frame = pd.DataFrame.from_records(records)
        # Examples of date rules give dates in UTC unless they say otherwise.
        store, _ = run(frame, Checker(RuleSet([rule])), Config())
        findings = store.to_frame(["rule", "doc_id"])
        hits = findings[findings["rule"] == rule.code].groupby("doc_id").size()
        for n, (expectation, index, example) in enumerate(cases):
            count = int(hits.get(f"{rule.code}-example-{n}", 0))
            ok = count > 0 if expectation == "fail" else count == 0
            results.append(RuleExampleResult(rule.code, expectation, index, example.text, count, ok))
    return results
