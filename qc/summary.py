"""The summary and the gate, computed once from the findings tally; every report renders these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qc.config import Config
from qc.registry import RuleSet
from qc.rulespec import Severity
from qc.schemas import SCHEMA_CHECKS
from qc.tally import FindingsTally

#: Rules named in a reason line before "and N more" (the JSON report's ``failing_rules`` lists them all).
REASON_RULES = 5


@dataclass
class Gate:
    """The CI verdict: passed, and why not.

    ``failing_rules`` lists every rule whose findings count toward the gate (at or above ``fail_on``), most
    findings first, so a reviewer sees which rules failed it and ``next_command`` shows their examples.
    """

    passed: bool
    reasons: list[str] = field(default_factory=list)
    fail_on: str = "error"
    failing_rules: list[dict[str, Any]] = field(default_factory=list)
    failing_families: list[dict[str, Any]] = field(default_factory=list)
    #: Families or rules whose document rate exceeds its configured maximum (``max-doc-rate``).
    rate_failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def next_command(self) -> str | None:
        """The one command that shows the examples of the rule that failed the gate most."""
        return f"qc rules show {self.failing_rules[0]['code']}" if self.failing_rules else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the JSON report's ``gate``)."""
        return {"passed": self.passed, "fail_on": self.fail_on, "reasons": self.reasons,
                "failing_rules": self.failing_rules, "failing_families": self.failing_families,
                "rate_failures": self.rate_failures, "next_command": self.next_command}


def counts_toward_gate(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` counts toward the gate at ``fail_on`` (never: nothing counts).

    Every CI format shows as failing exactly what this says, so the reports and the exit code agree.
    """
    if fail_on == "never":
        return False
    return Severity(severity).rank >= Severity(fail_on).rank


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
    #: severity -> {"findings": n, "documents": n}, for error, warning and info (headlines count by severity).
    severities: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "documents": self.documents,
            "documents_checked": self.checked,
            "sites": self.sites,
            "findings": self.findings,
            "documents_with_findings": self.documents_with_findings,
            "seconds": round(self.seconds, 3),
            "severities": self.severities,
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
    severities = {name: {"findings": tally.severity_findings[name], "documents": tally.severity_documents[name]}
                  for name in ("error", "warning", "info")}
    return Summary(
        documents=documents, checked=checked, sites=sites, findings=tally.findings,
        documents_with_findings=tally.documents_with_findings, rules=rules, families=families, seconds=seconds,
        severities=severities,
    )


def evaluate_gate(tally: FindingsTally, summary: Summary, config: Config) -> Gate:
    """Fail on findings at or above ``fail_on`` and on any rate above its configured maximum."""
    reasons: list[str] = []
    failing = sorted((rule for rule in summary.rules
                      if rule["findings"] and counts_toward_gate(rule["severity"], config.fail_on)),
                     key=lambda rule: (-Severity(rule["severity"]).rank, -rule["findings"], rule["code"]))
    failing_rules = [{key: rule[key] for key in ("code", "name", "family", "severity", "findings", "documents")}
                     for rule in failing]
    for severity in ("error", "warning", "info"):
        of_severity = [rule for rule in failing_rules if rule["severity"] == severity]
        if of_severity:
            count = sum(rule["findings"] for rule in of_severity)
            named = ", ".join(f"{rule['code']} {rule['name']} ({_plural(rule['findings'], 'finding')} in "
                              f"{_plural(rule['documents'], 'document')})" for rule in of_severity[:REASON_RULES])
            unnamed = len(of_severity) - REASON_RULES
            more = f" and {_plural(unnamed, 'more rule')}" if unnamed > 0 else ""
            by_family: dict[str, int] = {}
            for rule in of_severity:
                by_family[rule["family"]] = by_family.get(rule["family"], 0) + rule["findings"]
            families = ", ".join(name if len(by_family) == 1 else f"{name} {found:,}"
                                 for name, found in sorted(by_family.items(), key=lambda kv: (-kv[1], kv[0])))
            reasons.append(f"{_plural(count, severity + ' finding')} at or above fail-on={config.fail_on} "
                           f"({'family' if len(by_family) == 1 else 'families'} {families}): {named}{more}")
    family_findings: dict[str, int] = {}
    family_rules: dict[str, list[str]] = {}
    for rule in failing_rules:
        family_findings[rule["family"]] = family_findings.get(rule["family"], 0) + rule["findings"]
        family_rules.setdefault(rule["family"], []).append(rule["code"])
    family_docs = {fam["family"]: fam["documents"] for fam in summary.families}
    failing_families = [{"family": name, "findings": count, "documents": family_docs.get(name, 0),
                         "rules": family_rules[name]}
                        for name, count in sorted(family_findings.items(), key=lambda kv: (-kv[1], kv[0]))]
    rate_failures: list[dict[str, Any]] = []
    rates = {r["family"]: r["rate"] for r in summary.families}
    rates.update({r["code"]: r["rate"] for r in summary.rules})
    for key, maximum in config.max_doc_rate.items():
        matched = {k: v for k, v in rates.items() if k == key or (key.isupper() and k.startswith(key))}
        for name, rate in sorted(matched.items()):
            if rate > maximum:
                reasons.append(f"{name} document rate {rate:.2%} exceeds maximum {maximum:.2%}")
                rate_failures.append({"name": name, "rate": rate, "maximum": maximum})
    return Gate(passed=not reasons, reasons=reasons, fail_on=config.fail_on, failing_rules=failing_rules,
                failing_families=failing_families, rate_failures=rate_failures)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
