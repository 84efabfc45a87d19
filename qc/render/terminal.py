"""The terminal report (rich). Corpus text is markup-escaped: a post containing ``[bold]`` prints literally."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from qc.api import CheckResult

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(result: CheckResult, out: TextIO, console: Console | None = None) -> None:
    """Write the verdict, the per-family and per-rule tables and examples with their spans."""
    console = console or Console(file=out, highlight=False, soft_wrap=False)
    summary, gate = result.summary, result.gate
    verdict = Text("PASSED" if gate.passed else "FAILED", style="bold green" if gate.passed else "bold red")
    console.print(Text.assemble("corpus-qc gate: ", verdict, f"  (fail-on={gate.fail_on})"))
    for reason in gate.reasons:
        console.print(f"  - {escape(reason)}")
    console.print(
        f"{summary.documents} documents from {len(result.stats.load.files)} file(s), {summary.sites} site(s); "
        f"{summary.findings} findings in {summary.documents_with_findings} documents; {summary.seconds:.2f}s"
    )
    families = Table(title="By family")
    for name in ("family", "documents", "rate", "findings"):
        families.add_column(name, justify="left" if name == "family" else "right")
    for fam in summary.families:
        families.add_row(escape(fam["family"]), str(fam["documents"]), f"{fam['rate']:.1%}", str(fam["findings"]))
    console.print(families)
    rules = Table(title="By rule")
    for name in ("rule", "name", "family", "severity", "documents", "rate", "findings"):
        rules.add_column(name, justify="right" if name in ("documents", "rate", "findings") else "left")
    for rule in sorted(summary.rules, key=lambda r: (-r["documents"], r["code"])):
        if rule["findings"] == 0:
            continue
        rules.add_row(rule["code"], escape(rule["name"]), rule["family"],
                      Text(rule["severity"], style=SEVERITY_STYLE.get(rule["severity"], "")),
                      str(rule["documents"]), f"{rule['rate']:.1%}", str(rule["findings"]))
    console.print(rules)
    if not result.findings.empty:
        table = Table(title="Findings (first 50)")
        for name in ("location", "doc_id", "rule", "severity", "span", "match"):
            table.add_column(name)
        for row in result.findings.head(50).itertuples(index=False):
            span = "" if pd.isna(row.start) else f"{row.start}-{row.end}"
            table.add_row(escape(f"{row.source_path}:{row.source_line}"), escape(str(row.doc_id)), row.rule,
                          Text(row.severity, style=SEVERITY_STYLE.get(row.severity, "")), span,
                          Text(str(row.match).replace("\n", "⏎")[:60]))
        console.print(table)
    for error in result.input_errors:
        console.print(Text(f"input error: {error}", style="red"))
