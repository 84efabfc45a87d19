"""``--format json``: a versioned object described by ``reports/json-report.schema.json``.

Text is written as UTF-8, but C1 controls, bidi overrides and lone surrogates as ``\\uXXXX`` escapes
(:func:`qc.safe_text.json_dumps`): the same data, and safe to print on a terminal.

The findings array is written chunk by chunk from the findings store, so the report's size, not the
process's memory, grows with the number of findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd
import pyarrow as pa

from qc import __version__
from qc.config import settings_document
from qc.safe_text import json_dumps

if TYPE_CHECKING:
    from qc.api import CheckResult

#: 1.1 added ``settings``: the effective settings, as ``qc config --format json`` prints them.
#: 1.2 added each finding's ``locator`` and the inputs' ``skipped`` records (by reason) and ``notes``.
SCHEMA_VERSION = "1.2"


def findings_records(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """The findings frame as JSON-ready dicts with exactly the frame's columns (missing values as None)."""
    if findings.empty:
        return []
    # Arrow turns pandas' missing markers (NA, NaN, None) into None and numpy scalars into Python ones.
    return pa.Table.from_pandas(findings, preserve_index=False).to_pylist()


def report_dict(result: CheckResult, *, with_findings: bool = True) -> dict[str, Any]:
    """The whole JSON report as a dict (``with_findings=False``: everything but the findings array)."""
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "corpus-qc", "version": __version__},
        "inputs": {
            "paths": result.inputs,
            "files": result.stats.load.files,
            "field_mappings": result.stats.load.mappings,
            "errors": [str(e) for e in result.input_errors],
            "skipped": dict(result.stats.load.skipped),
            "notes": list(result.stats.load.notes),
        },
        "summary": result.summary.as_dict(),
        "gate": result.gate.as_dict(),
        "settings": settings_document(result.config, len(result.ruleset)),
        **({"baseline": result.baseline.as_dict()} if result.baseline is not None else {}),
    }
    if with_findings:
        report["findings"] = list(_report_findings(result))
    return report


def _report_findings(result: CheckResult) -> Iterator[dict[str, Any]]:
    """The report's finding objects, chunk by chunk; with a baseline, each says whether it is new."""
    is_new = result.baseline.is_new.to_numpy() if result.baseline is not None else None
    for chunk in result.store.chunks():
        records = findings_records(chunk)
        if is_new is not None:  # chunks are indexed by position in the run, as the baseline's flags are
            for record, new in zip(records, is_new[chunk.index.to_numpy()].tolist(), strict=True):
                record["baseline_status"] = "new" if new else "unchanged"
        yield from records


def render(result: CheckResult, out: TextIO) -> None:
    """Write the JSON report, streaming the findings array from the store."""
    head = json_dumps(report_dict(result, with_findings=False), indent=2)
    out.write(head[: head.rfind("}")].rstrip() + ',\n  "findings": [')
    first = True
    for record in _report_findings(result):
        out.write(("\n    " if first else ",\n    ") + json_dumps(record))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")
