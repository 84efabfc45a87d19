"""``--format github``: workflow-command annotations at corpus file and line, and a Markdown summary
appended to ``$GITHUB_STEP_SUMMARY`` when that variable is set.

Every value from the corpus or the rules is escaped by GitHub's rules (so a newline in a file name cannot
end the annotation and start a command of its own) and has its other controls shown as ``\\x1b``
(:mod:`qc.safe_text`), so the log shows no escape sequence either."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

import numpy as np
import pandas as pd

from qc.render.gating import gating_mask
from qc.render.model import report_model
from qc.safe_text import defuse_legacy_commands, visible

if TYPE_CHECKING:
    from qc.api import CheckResult

#: The annotation level of a finding that does not count toward the gate (what does is an ``::error``).
NOT_GATING_LEVEL = {"error": "warning", "warning": "warning", "info": "notice"}
LEVELS = ("error", "warning", "notice")
#: GitHub shows about 10 error and 10 warning annotations per step (and as many notices); more are dropped.
MAX_PER_LEVEL = 10
COLUMNS = ["rule", "severity", "source_path", "line", "message", "doc_id", "source_line", "locator"]
#: ``offset``: a WARC record's byte offset (its findings have no line), so each record is its own annotation.
KEY = ["level", "rule", "source_path", "line", "offset"]


def escape_data(value: str) -> str:
    """Escape a workflow-command message: ``%``, CR and LF percent-encoded (GitHub's rules), other controls
    shown as ``\\x1b`` and a legacy ``##[`` command defused."""
    text = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return defuse_legacy_commands(visible(text, "keep"))


def escape_property(value: str) -> str:
    """Escape a workflow-command property value (also ``:`` and ``,``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def markdown_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no HTML, no pipes, no line breaks, no emphasis."""
    text = visible(value, "keep").replace("\r", " ").replace("\n", " ")
    for char in "\\`*_[]<>|&#!~":
        text = text.replace(char, "\\" + char)
    return text


def docs_link(url: str | None) -> str:
    """A Markdown link to a rule's page (the URL is the validated docs-url, never corpus text), or nothing."""
    return f"[page]({url})" if url else ""


def locations(result: CheckResult) -> pd.DataFrame:
    """One row per (level, rule, file, line) with its finding count, first message and doc_id, most severe
    level first, then most frequent. ``gating`` says whether its findings count toward the gate."""
    parts = []
    for chunk in result.store.chunks(COLUMNS):
        if chunk.empty:
            continue
        gating = gating_mask(result, chunk)
        level = np.where(gating, "error", chunk["severity"].astype("object").map(NOT_GATING_LEVEL).fillna("warning"))
        offset = chunk["source_line"].astype("Int64").where(chunk["locator"] == "offset", pd.NA)
        frame = chunk.drop(columns=["source_line", "locator"]).assign(level=level, line=chunk["line"].astype("Int64"),
                                                                      offset=offset)
        grouped = frame.groupby(KEY, dropna=False, sort=False, observed=True)
        parts.append(grouped.agg(findings=("rule", "size"), message=("message", "first"), doc_id=("doc_id", "first"))
                     .reset_index())
    if not parts:
        return pd.DataFrame(columns=[*KEY, "findings", "message", "doc_id", "gating"])
    every = pd.concat(parts, ignore_index=True)
    merged = (every.groupby(KEY, dropna=False, sort=False, observed=True)
              .agg(findings=("findings", "sum"), message=("message", "first"), doc_id=("doc_id", "first"))
              .reset_index())
    merged["gating"] = merged["level"] == "error"
    rank = merged["level"].map({name: n for n, name in enumerate(LEVELS)})
    order = np.lexsort((merged["rule"].astype(str).to_numpy(), -merged["findings"].to_numpy(), rank.to_numpy()))
    return merged.iloc[order].reset_index(drop=True)


def annotation_lines(result: CheckResult) -> list[str]:
    """The annotations: one per rule and location with its count, what counts toward the gate as ``::error``
    and the rest as ``::warning``/``::notice`` by severity, at most :data:`MAX_PER_LEVEL` per level (most
    frequent first), then one ``::notice`` saying what was left out and where every finding is."""
    table = locations(result)
    if table.empty:
        return []
    rank = table.groupby("level", sort=False).cumcount()
    left_out = table[rank >= MAX_PER_LEVEL]
    # The closing notice is a notice too: leave it room among the notices GitHub shows.
    notice_room = MAX_PER_LEVEL - (1 if len(left_out) else 0)
    shown = table[(rank < MAX_PER_LEVEL) & ((table["level"] != "notice") | (rank < notice_room))]
    left_out = table.drop(shown.index)
    info = report_model(result).rule_info
    lines = []
    for row in shown.itertuples(index=False):
        props = [f"file={escape_property(str(row.source_path))}"]
        if not pd.isna(row.line) and int(row.line) >= 1:  # where the finding is, not where its record starts
            props.append(f"line={int(row.line)}")
        doc = "" if pd.isna(row.doc_id) or str(row.doc_id) == str(row.source_path) else f" ({row.doc_id})"
        props.append(f"title={escape_property(f'{row.rule}{doc}')}")
        count = int(row.findings)
        here = f" ({count} findings here)" if count > 1 else ""
        if not pd.isna(row.offset):  # a WARC record: where to seek in the file
            here += f" (record at byte offset {int(row.offset)})"
        url = info.get(str(row.rule), {}).get("url")  # the rule's page, on the annotation's second line
        message = f"{row.rule}: {row.message}{here}" + (f"\nRule: {url}" if url else "")
        lines.append(f"::{row.level} {','.join(props)}::{escape_data(message)}")
    if len(left_out):
        gating = left_out[left_out["gating"]]
        lines.append(
            f"::notice title=corpus-qc::{int(left_out['findings'].sum())} more findings at {len(left_out)} "
            f"locations not annotated ({int(gating['findings'].sum())} of them count toward the gate); "
            "write them all with --findings FILE.parquet or see the HTML report (--html)")
    return lines


def step_summary(result: CheckResult) -> str:
    """The Markdown job summary."""
    model = report_model(result)
    gate, summary = result.gate, result.summary
    verdict = "✅ **corpus-qc gate passed**" if gate.passed else "❌ **corpus-qc gate failed**"
    out = [f"## {verdict}", "",
           f"{summary.documents} documents · {summary.sites} sites · {summary.findings} findings in "
           f"{summary.documents_with_findings} documents · fail-on={gate.fail_on}", ""]
    out += [f"- {markdown_cell(reason)}" for reason in gate.reasons]
    if gate.next_command:
        out += ["", f"See the examples: `{gate.next_command}`"]
    if result.baseline is not None:
        b = result.baseline
        out += ["", f"Baseline: {b.new} new, {b.known} known, {len(b.absent)} no longer occur."]
    out += ["", "| rule | name | severity | documents | share | findings | docs |", "|---|---|---|--:|--:|--:|---|"]
    for rule in sorted(summary.rules, key=lambda r: (-r["documents"], r["code"])):
        if rule["findings"]:
            url = model.rule_info.get(rule["code"], {}).get("url")  # a validated config URL, not corpus text
            out.append(f"| {rule['code']} | {markdown_cell(rule['name'])} | {rule['severity']} | "
                       f"{rule['documents']} | {rule['rate']:.1%} | {rule['findings']} | {docs_link(url)} |")
    if model.sites:
        out += ["", "| site | documents | findings | most leaked line |", "|---|--:|--:|---|"]
        for site in model.sites:
            line = site.lines[0][0][:80] if site.lines else ""
            out.append(f"| {markdown_cell(site.site)} | {site.documents} | {site.findings} | {markdown_cell(line)} |")
    return "\n".join(out) + "\n"


def render(result: CheckResult, out: TextIO) -> None:
    """Write annotations to ``out`` and append the summary to ``$GITHUB_STEP_SUMMARY`` if set."""
    for line in annotation_lines(result):
        out.write(line + "\n")
    verdict = "passed" if result.gate.passed else "failed"
    out.write(f"corpus-qc gate {verdict}: {result.summary.findings} findings in "
              f"{result.summary.documents_with_findings} of {result.summary.documents} documents\n")
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(step_summary(result))
