"""The summary and the gate, computed once from the findings frame; every report renders these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from qc.config import Config
from qc.registry import RuleSet
from qc.rulespec import Severity
from qc.schemas import SCHEMA_CHECKS


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


def _doc_key(findings: pd.DataFrame) -> pd.Series:
    # Schema findings for records without a doc_id still name a distinct record by file and line.
    return findings["doc_id"].fillna(findings["source_path"] + ":" + findings["source_line"].astype("str"))


def summarise(findings: pd.DataFrame, documents: int, checked: int, sites: int, ruleset: RuleSet,
              seconds: float = 0.0) -> Summary:
    """Per-rule and per-family document counts and rates (rate = documents hit / documents read)."""
    denominator = max(documents, 1)
    keyed = findings.assign(_doc=_doc_key(findings)) if not findings.empty else findings.assign(_doc=[])
    by_rule = keyed.groupby("rule", observed=True).agg(findings=("rule", "size"), documents=("_doc", "nunique"))
    rules: list[dict[str, Any]] = []
    for rule in ruleset:
        hits = by_rule.loc[rule.code] if rule.code in by_rule.index else None
        docs = int(hits["documents"]) if hits is not None else 0
        rules.append({
            "code": rule.code, "name": rule.name, "family": rule.family, "severity": rule.severity.value,
            "documents": docs, "findings": int(hits["findings"]) if hits is not None else 0,
            "rate": docs / denominator,
        })
    for code, check in SCHEMA_CHECKS.items():
        if code in by_rule.index:
            docs = int(by_rule.loc[code, "documents"])
            rules.append({"code": code, "name": check.name, "family": "schema", "severity": check.severity,
                          "documents": docs, "findings": int(by_rule.loc[code, "findings"]),
                          "rate": docs / denominator})
    by_family = keyed.groupby("family", observed=True).agg(findings=("family", "size"),
                                                          documents=("_doc", "nunique"))
    family_names = list(dict.fromkeys([*ruleset.families(), *by_family.index.tolist()]))
    families = [
        {
            "family": name,
            "documents": int(by_family.loc[name, "documents"]) if name in by_family.index else 0,
            "findings": int(by_family.loc[name, "findings"]) if name in by_family.index else 0,
            "rate": (int(by_family.loc[name, "documents"]) if name in by_family.index else 0) / denominator,
        }
        for name in family_names
    ]
    return Summary(
        documents=documents, checked=checked, sites=sites, findings=len(findings),
        documents_with_findings=int(keyed["_doc"].nunique()) if len(keyed) else 0,
        rules=rules, families=families, seconds=seconds,
    )


def evaluate_gate(findings: pd.DataFrame, summary: Summary, config: Config) -> Gate:
    """Fail on findings at or above ``fail_on`` and on any rate above its configured maximum."""
    reasons: list[str] = []
    threshold = config.fail_on_rank
    if threshold is not None and not findings.empty:
        ranks = findings["severity"].map(lambda s: Severity(s).rank)
        counts = findings[ranks >= threshold].groupby("severity").size()
        for severity in ("error", "warning", "info"):
            if severity in counts.index and counts[severity] > 0:
                reasons.append(f"{int(counts[severity])} {severity} finding(s) at or above fail-on={config.fail_on}")
    rates = {r["family"]: r["rate"] for r in summary.families}
    rates.update({r["code"]: r["rate"] for r in summary.rules})
    for key, maximum in config.max_doc_rate.items():
        matched = {k: v for k, v in rates.items() if k == key or (key.isupper() and k.startswith(key))}
        for name, rate in sorted(matched.items()):
            if rate > maximum:
                reasons.append(f"{name} document rate {rate:.2%} exceeds maximum {maximum:.2%}")
    return Gate(passed=not reasons, reasons=reasons, fail_on=config.fail_on)
