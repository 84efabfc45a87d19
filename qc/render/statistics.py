"""``qc check --statistics``: only the per-rule counts, one line per rule that found something (as ruff's
``--statistics``), most findings first; with ``--format json`` the same rows as a JSON array."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from qc.safe_text import WorkflowCommandGuard, json_dumps, one_line

if TYPE_CHECKING:
    from qc.api import CheckResult


def rows(result: CheckResult) -> list[dict[str, Any]]:
    """Rules with findings: code, name, family, severity, findings, documents; most findings first."""
    hit = [rule for rule in result.summary.rules if rule["findings"]]
    hit.sort(key=lambda rule: (-rule["findings"], rule["code"]))
    return [{key: rule[key] for key in ("code", "name", "family", "severity", "findings", "documents")}
            for rule in hit]


def render(result: CheckResult, out: TextIO) -> None:
    """``   31  BP002  forum-thread-chrome  warning  (2 documents)``: counts right-aligned, one rule a line."""
    table = rows(result)
    width = max((len(f"{row['findings']:,}") for row in table), default=1)
    code_width = max((len(one_line(row["code"])) for row in table), default=5)
    name_width = max((len(one_line(row["name"])) for row in table), default=4)
    guard = WorkflowCommandGuard(out)  # rule names come from rule files: no line may start a workflow command
    try:
        for row in table:
            documents = f"{row['documents']:,} document{'' if row['documents'] == 1 else 's'}"
            code, name = one_line(row["code"]), one_line(row["name"])
            guard.write(f"{row['findings']:>{width},}  {code:<{code_width}}  {name:<{name_width}}"
                        f"  {row['severity']:<7}  ({documents})\n")
    finally:
        guard.close()


def render_json(result: CheckResult, out: TextIO) -> None:
    """The rows of :func:`rows` as a JSON array."""
    out.write(json_dumps(rows(result), indent=2) + "\n")
