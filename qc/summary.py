"""The summary and the gate, computed once from the findings tally; every report renders these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qc.config import Config
from qc.registry import RuleSet
from qc.rulespec import Severity
from qc.schemas import SCHEMA_CHECKS
from qc.tally import FindingsTally


@dataclass
class Gate:
    """The CI verdict: passed, and why not."""

    passed: bool
    reasons: list[str] = field(default_factory=list)
    fail_on: str = "error"


@dataclass
class Summary:
    """Document counts and rates per rule and per family."""

    documents: int
    checked: int
    sites: int
    findings: int
    documents_with_findings: int
    rules: list[dict[str, Any]]
    families: list[dict[str, Any]]
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "documents": self.documents,
            "documents_checked": self.checked,
            "sites": self.sites,
            "findings": self.findings,
            "documents_with_findings": self.documents_with_findings,
            "seconds": round(self.seconds, 3),
            "rules": self.rules,
            "families": self.families,
        }


def summarise(tally: FindingsTally, documents: int, checked: int, sites: int, ruleset: RuleSet,
              seconds: float = 0.0) -> Summary:
    """Per-rule and per-family document counts and rates (rate = documents hit / documents read).

    A document is a record (file and line): two records sharing a doc_id count twice, as they were read twice.
    """
    denominator = max(documents, 1)
    rules: list[dict[str, Any]] = []
    for rule in ruleset:
        docs = tally.rule_documents[rule.code]
        rules.append({
            "code": rule.code, "name": rule.name, "family": rule.family, "severity": rule.severity.value,
            "documents": docs, "findings": tally.rule_findings[rule.code], "rate": docs / denominator,
        })
    for code, check in SCHEMA_CHECKS.items():
        if tally.rule_findings[code]:
            docs = tally.rule_documents[code]
            rules.append({"code": code, "name": check.name, "family": "schema", "severity": check.severity,
                          "documents": docs, "findings": tally.rule_findings[code], "rate": docs / denominator})
    family_names = list(dict.fromkeys([*ruleset.families(), *sorted(tally.family_findings)]))
    families = [
        {"family": name, "documents": tally.family_documents[name], "findings": tally.family_findings[name],
         "rate": tally.family_documents[name] / denominator}
        for name in family_names
    ]
    return Summary(
        documents=documents, checked=checked, sites=sites, findings=tally.findings,
        documents_with_findings=tally.documents_with_findings, rules=rules, families=families, seconds=seconds,
    )


def evaluate_gate(tally: FindingsTally, summary: Summary, config: Config) -> Gate:
    """Fail on findings at or above ``fail_on`` and on any rate above its configured maximum."""
    reasons: list[str] = []
    threshold = config.fail_on_rank
    if threshold is not None:
        for severity in ("error", "warning", "info"):
            count = tally.severity_findings[severity]
            if count > 0 and Severity(severity).rank >= threshold:
                reasons.append(f"{count} {severity} finding(s) at or above fail-on={config.fail_on}")
    rates = {r["family"]: r["rate"] for r in summary.families}
    rates.update({r["code"]: r["rate"] for r in summary.rules})
    for key, maximum in config.max_doc_rate.items():
        matched = {k: v for k, v in rates.items() if k == key or (key.isupper() and k.startswith(key))}
        for name, rate in sorted(matched.items()):
            if rate > maximum:
                reasons.append(f"{name} document rate {rate:.2%} exceeds maximum {maximum:.2%}")
    return Gate(passed=not reasons, reasons=reasons, fail_on=config.fail_on)
