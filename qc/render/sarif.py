"""``--format sarif``: SARIF 2.1.0, one rule entry per rule (summary and help), results at file and line.

Locations: a corpus file under the working directory is a relative URI against the ``%SRCROOT%`` base
(declared in ``originalUriBaseIds`` as the working directory's ``file://`` URI), which is what code-scanning
upload resolves against the checkout; any other file (``..`` leading out, another tree) is an absolute
``file://`` URI. Both are percent-encoded from the file name's bytes (RFC 3986), so spaces, ``%``, ``#``,
``:``, backslashes and non-UTF-8 names stay valid URIs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote_from_bytes

import pandas as pd

from qc import __version__
from qc.baseline import fingerprints
from qc.render.gating import SEVERITIES, gating_mask
from qc.render.model import report_model
from qc.safe_text import json_dumps

if TYPE_CHECKING:
    from qc.api import CheckResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
#: A result's level when it does not count toward the gate (what does is ``error``, whatever its severity).
NOT_GATING_LEVEL = {"error": "warning", "warning": "warning", "info": "note"}
#: Code scanning keeps at most 25,000 results per run; the rest are left out, most severe kept first.
MAX_RESULTS = 25_000


#: The uriBaseId of paths under the working directory.
SRCROOT = "%SRCROOT%"


def _path_bytes(path: str) -> bytes:
    try:
        return os.fsencode(path)  # the name's own bytes (non-UTF-8 names round-trip through surrogateescape)
    except UnicodeEncodeError:  # a lone surrogate that no file name decoded to
        return path.encode("utf-8", "surrogatepass")


def artifact_location(path: str, root: str) -> dict[str, str]:
    """A SARIF ``artifactLocation`` for a corpus path: relative to ``%SRCROOT%`` (``root``, an absolute
    directory) when the file is under it, else an absolute ``file://`` URI."""
    absolute = os.path.abspath(path)  # lexically: "a/../b" is b, as the user wrote it
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # pragma: no cover - another drive on Windows
        relative = os.pardir
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
        return {"uri": quote_from_bytes(_path_bytes(PurePath(relative).as_posix()), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": _file_uri(absolute)}


def _file_uri(absolute: str) -> str:
    """``file://`` URI of an absolute path, percent-encoded from its bytes."""
    posix = PurePath(absolute).as_posix()
    if not posix.startswith("/"):  # pragma: no cover - Windows: C:/data → /C:/data
        posix = "/" + posix
    return "file://" + quote_from_bytes(_path_bytes(posix), safe="/:" if os.name == "nt" else "/")


def _root_uri(root: str) -> str:
    uri = _file_uri(root)
    return uri if uri.endswith("/") else uri + "/"


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
        # Tags must be unique (the schema says so): a schema check's family and kind are both "schema".
        "properties": {"tags": list(dict.fromkeys([str(info["family"]), str(info["kind"])]))},
    }


#: The order results are listed in: what counts toward the gate first, then by severity.
PASSES = [(gating, severity) for gating in (True, False) for severity in SEVERITIES]


def result_counts(result: CheckResult) -> dict[tuple[bool, str], int]:
    """Findings per (counts toward the gate, severity), from one pass over the store's severity column."""
    counts = dict.fromkeys(PASSES, 0)
    for chunk in result.store.chunks(["severity"]):
        gating = gating_mask(result, chunk)
        severity = chunk["severity"].astype("object")
        for key in PASSES:
            counts[key] += int(((gating == key[0]) & (severity == key[1]).to_numpy(dtype=bool)).sum())
    return counts


def quotas(counts: dict[tuple[bool, str], int], limit: int) -> dict[tuple[bool, str], int]:
    """How many results of each pass are listed within ``limit``, in :data:`PASSES` order."""
    room, taken = limit, {}
    for key in PASSES:
        taken[key] = min(counts[key], room)
        room -= taken[key]
    return taken


def left_out_properties(counts: dict[tuple[bool, str], int], limit: int) -> dict[str, Any]:
    """The invocation's account of the cap: results listed and left out (by level) and where the rest are."""
    taken = quotas(counts, limit)
    left = {key: counts[key] - taken[key] for key in PASSES}
    by_level: dict[str, int] = {}
    for (gating, severity), n in left.items():
        if n:
            level = "error" if gating else NOT_GATING_LEVEL[severity]
            by_level[level] = by_level.get(level, 0) + n
    return {"resultsLimit": limit, "resultsListed": sum(taken.values()), "resultsLeftOut": sum(left.values()),
            "resultsLeftOutByLevel": by_level,
            **({"resultsLeftOutNote": f"{sum(left.values())} findings beyond code scanning's {limit:,} results "
                "per run are left out (most severe are kept); write them all with --findings FILE.parquet or "
                "see the HTML report (--html)"} if sum(left.values()) else {})}


def _results(result: CheckResult, index: dict[str, int], root: str,
             quota: dict[tuple[bool, str], int] | None = None) -> Iterator[dict[str, Any]]:
    """One SARIF result per finding, read chunk by chunk from the store (paths relative to ``root``): what
    counts toward the gate first (level ``error``), then the rest by severity, at most ``quota`` of each."""
    for key in PASSES:
        room = None if quota is None else quota[key]
        if room == 0:
            continue
        for entry in _pass_results(result, index, root, key):
            if room is not None:
                if room == 0:
                    break
                room -= 1
            yield entry


def _pass_results(result: CheckResult, index: dict[str, int], root: str,
                  key: tuple[bool, str]) -> Iterator[dict[str, Any]]:
    locations: dict[str, dict[str, str]] = {}  # one per corpus file, not per finding
    is_new = result.baseline.is_new.to_numpy() if result.baseline is not None else None
    level = "error" if key[0] else NOT_GATING_LEVEL[key[1]]
    for findings in result.store.chunks():
        wanted = (gating_mask(result, findings) == key[0]) & (findings["severity"] == key[1]).to_numpy(dtype=bool)
        findings = findings[wanted]
        if findings.empty:
            continue
        # One fingerprint per record (rule, doc_id, match): code scanning treats equal fingerprints as one alert.
        prints = fingerprints(findings, version=1).tolist()
        positions = findings.index.to_numpy()
        for fp, position, row in zip(prints, positions, findings.itertuples(index=False), strict=True):
            source = str(row.source_path)
            location = locations.get(source)
            if location is None:
                location = locations[source] = artifact_location(source, root)
            physical: dict[str, Any] = {"artifactLocation": dict(location)}
            if str(row.locator) == "offset" and not pd.isna(row.source_line):  # a WARC record: its byte offset
                physical["region"] = {"byteOffset": int(row.source_line)}
            elif not pd.isna(row.line) and int(row.line) >= 1:  # where the finding is, not its record's start
                physical["region"] = {"startLine": int(row.line)}
            properties: dict[str, Any] = {"doc_id": None if pd.isna(row.doc_id) else str(row.doc_id),
                                          "match": str(row.match), "family": str(row.family)}
            if not pd.isna(row.start):
                properties.update({"start": int(row.start), "end": int(row.end), "field": str(row.field)})
            if not pd.isna(row.site):
                properties["site"] = str(row.site)
            entry: dict[str, Any] = {
                "ruleId": str(row.rule), "level": level,
                "message": {"text": str(row.message)}, "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {"corpusQc/v1": fp}, "properties": properties,
            }
            if row.rule in index:
                entry["ruleIndex"] = index[str(row.rule)]
            if is_new is not None:
                entry["baselineState"] = "new" if bool(is_new[position]) else "unchanged"
            yield entry


def _log(result: CheckResult, results: Any, root: str,
         counts: dict[tuple[bool, str], int]) -> tuple[dict[str, Any], dict[str, int]]:
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
                             "properties": {"gatePassed": result.gate.passed, "gateReasons": result.gate.reasons,
                                            **left_out_properties(counts, MAX_RESULTS)}}],
            "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root)}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return log, index


def sarif_dict(result: CheckResult) -> dict[str, Any]:
    """The SARIF log as a dict, capped as :func:`render` is (every listed result in memory)."""
    root = os.getcwd()
    counts = result_counts(result)
    log, index = _log(result, [], root, counts)
    log["runs"][0]["results"] = list(_results(result, index, root, quotas(counts, MAX_RESULTS)))
    return log


_RESULTS_SLOT = "\x00corpus-qc-results\x00"


def render(result: CheckResult, out: TextIO) -> None:
    """Write the SARIF log, streaming the results array from the findings store."""
    root = os.getcwd()
    counts = result_counts(result)
    log, index = _log(result, _RESULTS_SLOT, root, counts)
    head, tail = json_dumps(log, indent=1).split(json.dumps(_RESULTS_SLOT), 1)
    out.write(head + "[")
    for n, entry in enumerate(_results(result, index, root, quotas(counts, MAX_RESULTS))):
        out.write(("\n" if n == 0 else ",\n") + json_dumps(entry))
    out.write("]" + tail + "\n")
