"""``--format gitlab``: GitLab Code Quality JSON, the report a merge request shows as new and fixed findings.

An array of ``{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}``. What
counts toward the gate (severity at or above ``fail-on``, and new since the baseline when one is given)
is ``critical`` (an error) or ``major``; what does not is ``minor`` (an error or warning) or ``info``, so
GitLab's widget ranks first what failed the pipeline. Gating findings are listed first, then the others,
at most :data:`MAX_ENTRIES` in all; one more entry says how many were left out.

Fingerprints are unique and stable across runs: the finding's SARIF fingerprint (rule, doc_id, match)
with the occurrence number of that fingerprint, so two equal matches in one document stay two entries
and GitLab can tell which ones a merge request fixed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd

from qc.baseline import fingerprints
from qc.render.gating import gating_mask

if TYPE_CHECKING:
    from qc.api import CheckResult

#: Entries listed; the merge-request widget pages slowly past a few thousand, and --findings has them all.
MAX_ENTRIES = 1_000
GATING = {"error": "critical", "warning": "major", "info": "major"}
NOT_GATING = {"error": "minor", "warning": "minor", "info": "info"}
COLUMNS = ["rule", "doc_id", "severity", "match", "message", "source_path", "source_line", "locator"]


def report_path(path: str, cwd: str | None = None) -> str:
    """A corpus path as GitLab wants it: relative to the repository (the job's working directory), POSIX."""
    pure = PurePath(path)
    if pure.is_absolute() and pure.is_relative_to(cwd or os.getcwd()):
        pure = pure.relative_to(cwd or os.getcwd())
    return pure.as_posix()


def _entry(row: Any, fp: str, occurrence: int, gating: bool) -> dict[str, Any]:
    offset = str(row.locator) == "offset"  # a WARC record: GitLab wants a line, the offset goes in the text
    line = 1 if offset or pd.isna(row.source_line) or int(row.source_line) < 1 else int(row.source_line)
    doc = "" if pd.isna(row.doc_id) else f" ({row.doc_id}{f' at byte offset {row.source_line}' if offset else ''})"
    return {
        "description": f"{row.rule}{doc}: {row.message}",
        "check_name": str(row.rule),
        "fingerprint": hashlib.sha256(f"{fp}\x1f{occurrence}".encode()).hexdigest()[:32],
        "severity": (GATING if gating else NOT_GATING).get(str(row.severity), "info"),
        "location": {"path": report_path(str(row.source_path)), "lines": {"begin": line}},
    }


def code_quality(result: CheckResult, limit: int = MAX_ENTRIES) -> Iterator[dict[str, Any]]:
    """Every entry of the report: gating findings first, then the others (corpus order within each), at most
    ``limit``, then one entry saying how many were left out. Left-out findings are only counted."""
    seen: Counter[str] = Counter()
    listed = 0
    left_out = {True: 0, False: 0}
    where: dict[str, Any] | None = None  # the first left-out finding's location
    for gating in (True, False):
        for chunk in result.store.chunks(COLUMNS):
            rows = chunk[gating_mask(result, chunk) == gating]
            room = limit - listed
            if room < len(rows):
                left_out[gating] += len(rows) - room
                if where is None:
                    first = rows.iloc[room]
                    line = first["source_line"]
                    where = {"path": report_path(str(first["source_path"])),
                             "lines": {"begin": 1 if pd.isna(line) or int(line) < 1 else int(line)}}
                rows = rows.iloc[:room]
            if rows.empty:
                continue
            for fp, row in zip(fingerprints(rows, version=1).tolist(), rows.itertuples(index=False), strict=True):
                seen[fp] += 1
                yield _entry(row, fp, seen[fp], gating)
            listed += len(rows)
    if where is not None:
        total = left_out[True] + left_out[False]
        yield {
            "description": f"corpus-qc: {total} more findings not listed here ({left_out[True]} of them count "
                           f"toward the gate); the first {limit} are. Write every finding with "
                           "--findings FILE.parquet or --format json.",
            "check_name": "corpus-qc/left-out",
            "fingerprint": hashlib.sha256(b"corpus-qc/left-out").hexdigest()[:32],
            "severity": "major" if left_out[True] else "info",
            "location": where,
        }


def render(result: CheckResult, out: TextIO) -> None:
    """Write the Code Quality report, one entry per line, streamed from the findings store."""
    out.write("[")
    for n, entry in enumerate(code_quality(result)):
        out.write(("\n" if n == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
    out.write("\n]\n")
