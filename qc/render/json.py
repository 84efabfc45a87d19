"""``--format json``: a versioned object described by ``reports/json-report.schema.json``."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd

from qc import __version__

if TYPE_CHECKING:
    from qc.api import CheckResult

SCHEMA_VERSION = "1.0"


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def findings_records(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """The findings frame as JSON-ready dicts with exactly the frame's columns."""
    columns = list(findings.columns)
    return [
        {name: _plain(value) for name, value in zip(columns, row, strict=True)}
        for row in findings.itertuples(index=False, name=None)
    ]


def report_dict(result: CheckResult) -> dict[str, Any]:
    """The whole JSON report as a dict."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "corpus-qc", "version": __version__},
        "inputs": {
            "paths": result.inputs,
            "files": result.stats.load.files,
            "field_mappings": result.stats.load.mappings,
            "errors": [str(e) for e in result.input_errors],
        },
        "summary": result.summary.as_dict(),
        "gate": {"passed": result.gate.passed, "fail_on": result.gate.fail_on, "reasons": result.gate.reasons},
        **({"baseline": result.baseline.as_dict()} if result.baseline is not None else {}),
        "findings": findings_records(result.findings),
    }


def render(result: CheckResult, out: TextIO) -> None:
    """Write the JSON report."""
    json.dump(report_dict(result), out, ensure_ascii=False, indent=2)
    out.write("\n")
