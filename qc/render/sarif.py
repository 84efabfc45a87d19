"""``--format sarif``: SARIF 2.1.0, one rule entry per rule (summary and help), results at file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

import pandas as pd

from qc import __version__
from qc.baseline import fingerprints
from qc.render.model import report_model

if TYPE_CHECKING:
    from qc.api import CheckResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a corpus path (spaces and the like percent-encoded)."""
    return quote(PurePath(path).as_posix(), safe="/")


def _rule_entry(info: dict[str, Any]) -> dict[str, Any]:
    why = str(info.get("why", "")).strip()
    summary = str(info.get("summary", "")).strip() or info["name"]
    return {
        "id": info["code"],
        "name": info["name"],
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} {why}".strip()},
        "help": {"text": why or summary, "markdown": f"**{info['name']}** ({info['code']})\n\n{why or summary}"},
        **({"helpUri": info["url"]} if info.get("url") else {}),  # the rule's page (qc.ruledocs)
        "defaultConfiguration": {"level": LEVEL.get(str(info["severity"]), "warning")},
        "properties": {"tags": [str(info["family"]), str(info["kind"])]},
    }


def _results(result: CheckResult, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    """One SARIF result per finding, read chunk by chunk from the store."""
    is_new = result.baseline.is_new.to_numpy() if result.baseline is not None else None
    for findings in result.store.chunks():
        # One fingerprint per record (rule, doc_id, match): code scanning treats equal fingerprints as one alert.
        prints = fingerprints(findings, version=1).tolist()
        positions = findings.index.to_numpy()
        for fp, position, row in zip(prints, positions, findings.itertuples(index=False), strict=True):
            physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(str(row.source_path))}}
            if not pd.isna(row.source_line) and int(row.source_line) >= 1:
                physical["region"] = {"startLine": int(row.source_line)}
            properties: dict[str, Any] = {"doc_id": None if pd.isna(row.doc_id) else str(row.doc_id),
                                          "match": str(row.match), "family": str(row.family)}
            if not pd.isna(row.start):
                properties.update({"start": int(row.start), "end": int(row.end), "field": str(row.field)})
            if not pd.isna(row.site):
                properties["site"] = str(row.site)
            entry: dict[str, Any] = {
                "ruleId": str(row.rule), "level": LEVEL.get(str(row.severity), "warning"),
                "message": {"text": str(row.message)}, "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {"corpusQc/v1": fp}, "properties": properties,
            }
            if row.rule in index:
                entry["ruleIndex"] = index[str(row.rule)]
            if is_new is not None:
                entry["baselineState"] = "new" if bool(is_new[position]) else "unchanged"
            yield entry


def _log(result: CheckResult, results: Any) -> tuple[dict[str, Any], dict[str, int]]:
    model = report_model(result)
    codes = [r["code"] for r in result.summary.rules]
    rules = [_rule_entry(model.rule_info[code]) for code in codes if code in model.rule_info]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "corpus-qc", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "invocations": [{"executionSuccessful": not result.input_errors,
                             "properties": {"gatePassed": result.gate.passed, "gateReasons": result.gate.reasons}}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return log, index


def sarif_dict(result: CheckResult) -> dict[str, Any]:
    """The SARIF log as a dict (every result in memory: :func:`render` streams them instead)."""
    log, index = _log(result, [])
    log["runs"][0]["results"] = list(_results(result, index))
    return log


_RESULTS_SLOT = "\x00corpus-qc-results\x00"


def render(result: CheckResult, out: TextIO) -> None:
    """Write the SARIF log, streaming the results array from the findings store."""
    log, index = _log(result, _RESULTS_SLOT)
    head, tail = json.dumps(log, ensure_ascii=False, indent=1).split(json.dumps(_RESULTS_SLOT), 1)
    out.write(head + "[")
    for n, entry in enumerate(_results(result, index)):
        out.write(("\n" if n == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
    out.write("]" + tail + "\n")
