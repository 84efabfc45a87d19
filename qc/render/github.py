"""``--format github``: workflow-command annotations at corpus file and line, and a Markdown summary
appended to ``$GITHUB_STEP_SUMMARY`` when that variable is set.

Every value from the corpus or the rules is escaped by GitHub's rules (so a newline in a file name cannot
end the annotation and start a command of its own) and has its other controls shown as ``\\x1b``
(:mod:`qc.safe_text`), so the log shows no escape sequence either."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

import pandas as pd

from qc.render.model import report_model
from qc.safe_text import defuse_legacy_commands, visible

if TYPE_CHECKING:
    from qc.api import CheckResult

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
#: GitHub shows only a few annotations per step; more only make the log long.
MAX_ANNOTATIONS = 200


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


def annotation_lines(result: CheckResult) -> list[str]:
    """The ``::error``/``::warning``/``::notice`` lines, most severe first, capped (new ones only with a
    baseline)."""
    tally = result.tally
    if result.baseline is not None and result.baseline.tally is not None:
        # With a baseline, only what is new deserves a mark on the pull request.
        tally = result.baseline.tally
    if tally.findings == 0:
        return []
    lines = []
    info = report_model(result).rule_info
    for row in tally.most_severe(MAX_ANNOTATIONS).itertuples(index=False):
        props = [f"file={escape_property(str(row.source_path))}"]
        if not pd.isna(row.line) and int(row.line) >= 1:  # where the finding is, not where its record starts
            props.append(f"line={int(row.line)}")
        props.append(f"title={escape_property(f'{row.rule} ({row.doc_id})')}")
        url = info.get(str(row.rule), {}).get("url")  # the rule's page, on the annotation's second line
        message = str(row.message) + (f"\nRule: {url}" if url else "")
        lines.append(f"::{LEVEL.get(row.severity, 'warning')} {','.join(props)}::{escape_data(message)}")
    if tally.findings > MAX_ANNOTATIONS:
        lines.append(f"::notice title=corpus-qc::{tally.findings - MAX_ANNOTATIONS} more findings not annotated; "
                     "see the HTML or JSON report")
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
