"""The terminal report (rich): verdict first, then tables per family and rule, worst rules with examples.

Corpus text is never parsed as markup: it only ever goes into :class:`rich.text.Text` objects, so a post
containing ``[bold]`` or ``[/]`` prints literally. Nor is it ever printed raw: every value from the corpus,
the rule files or a baseline goes through :mod:`qc.safe_text` first (controls shown as ``\\x1b``), and the
lines written pass a :class:`~qc.safe_text.WorkflowCommandGuard`, so a report read in a CI log cannot start a
workflow command.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

import pandas as pd
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from qc.render.model import ReportModel, context_parts, report_model
from qc.render.model import where as located
from qc.safe_text import WorkflowCommandGuard, visible, visible_column

if TYPE_CHECKING:
    from qc.api import CheckResult

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MATCH_STYLE = "bold black on yellow"


def make_console(out: TextIO) -> Console:
    """A console for ``out``: colour only on a terminal, never under NO_COLOR; width from the terminal."""
    plain = bool(os.environ.get("NO_COLOR")) or os.environ.get("CI", "").lower() == "true"
    return Console(file=out, highlight=False, soft_wrap=False, no_color=plain, emoji=False,
                   force_terminal=False if plain else None)


def plural(count: int, word: str) -> str:
    """``1 document``, ``2 documents``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def verdict_text(result: CheckResult) -> Text:
    """The one-line verdict (what ``--quiet`` prints)."""
    gate, summary = result.gate, result.summary
    mark, word, style = ("✓", "PASSED", "bold green") if gate.passed else ("✗", "FAILED", "bold red")
    line = Text.assemble((f"{mark} gate {word}", style),
                         f"  fail-on={gate.fail_on} · {plural(summary.findings, 'finding')} in "
                         f"{summary.documents_with_findings} of {plural(summary.documents, 'document')}")
    baseline = result.baseline
    if baseline is not None:
        line.append(f" · baseline: {baseline.new} new, {baseline.known} known, {len(baseline.absent)} gone")
    return line


def _header(result: CheckResult, model: ReportModel) -> Panel:
    gate, summary = result.gate, result.summary
    lines: list[Text] = [verdict_text(result)]
    for reason in gate.reasons:
        lines.append(Text(f"  • {visible(reason)}", style="red"))
    if gate.next_command:
        lines.append(Text.assemble("  see the examples: ", (gate.next_command, "bold")))
    inputs = ", ".join(map(visible, model.inputs))
    lines.append(Text(f"inputs: {inputs}  ({plural(model.files, 'file')})", style="dim"))
    lines.append(Text(f"{plural(summary.documents, 'document')} · {plural(summary.sites, 'site')} · "
                      f"{plural(summary.findings, 'finding')} · "
                      f"{summary.seconds:.2f}s · corpus-qc {model.tool_version}", style="dim"))
    return Panel(Group(*lines), title="corpus-qc", title_align="left",
                 border_style="green" if gate.passed else "red")


def _family_table(result: CheckResult) -> Table:
    table = Table(title="By family", title_justify="left")
    for name in ("family", "documents", "share", "findings"):
        table.add_column(name, justify="left" if name == "family" else "right")
    for fam in result.summary.families:
        table.add_row(Text(visible(fam["family"])), str(fam["documents"]), f"{fam['rate']:.1%}", str(fam["findings"]))
    return table


def _rule_table(result: CheckResult, show_all: bool) -> Table:
    table = Table(title="By rule", title_justify="left")
    for name in ("rule", "name", "family", "severity", "documents", "share", "findings"):
        table.add_column(name, justify="right" if name in ("documents", "share", "findings") else "left",
                         overflow="fold" if name == "name" else "ellipsis")
    rows = sorted(result.summary.rules, key=lambda r: (-r["documents"], r["code"]))
    for rule in rows:
        if rule["findings"] == 0 and not show_all:
            continue
        table.add_row(Text(visible(rule["code"])), Text(visible(rule["name"])), Text(visible(rule["family"])),
                      Text(rule["severity"], style=SEVERITY_STYLE.get(rule["severity"], "")),
                      str(rule["documents"]), f"{rule['rate']:.1%}", str(rule["findings"]))
    return table


def _examples(console: Console, model: ReportModel) -> None:
    if not model.worst_rules:
        return
    console.print(Text("Worst rules", style="bold"))
    width = max(console.width - 8, 30)
    for rule in model.worst_rules:
        console.print(Text.assemble(
            ("  " + visible(rule["code"]), SEVERITY_STYLE.get(rule["severity"], "")), " ",
            (visible(rule["name"]), "bold"),
            f"  {plural(rule['documents'], 'document')}, {plural(rule['findings'], 'finding')}"))
        url = model.rule_info.get(rule["code"], {}).get("url")
        if url:  # the rule's page: what it does, why, how to silence it
            console.print(Text(f"    docs: {url}", style="dim"), overflow="fold")
        for example in model.examples.get(rule["code"], []):
            where = visible(located(example.source_path, example.source_line, example.line, example.locator))
            path = str(example.source_path)
            if example.doc_id and (path == example.doc_id or path.endswith("/" + str(example.doc_id))):
                heading = where  # a text folder's doc_id is the file's path: once is enough
            else:
                heading = f"{visible(example.doc_id) if example.doc_id else '(no doc_id)'}  {where}"
            console.print(Text(f"    {heading}", style="dim"), overflow="fold")
            line = Text("      ")
            if example.before is None and example.after is None:
                # No text context (a whole-record finding, or no excerpts kept): the message says it all.
                line.append(visible(example.message, "mark"))
            else:
                before, match, after = context_parts(example, width)
                line.append(before)
                line.append(match, style=MATCH_STYLE)
                line.append(after)
            console.print(line, overflow="fold")


def _sites(console: Console, model: ReportModel) -> None:
    if not model.sites:
        return
    source = ("repeated lines, else most frequent boilerplate matches"
              if model.leaked_lines_source == "repeated_lines" else "most frequent boilerplate matches")
    table = Table(title=f"Sites contributing most ({source})", title_justify="left")
    table.add_column("site", overflow="fold")
    table.add_column("documents", justify="right")
    table.add_column("findings", justify="right")
    table.add_column("most leaked lines", overflow="fold")
    for site in model.sites:
        lines = Text()
        for i, (text, count) in enumerate(site.lines):
            if i:
                lines.append("\n")
            lines.append(f"{count}× ", style="dim")
            lines.append(visible(text[:80], "mark"))
        table.add_row(Text(visible(site.site)), str(site.documents), str(site.findings), lines)
    console.print(table)


def _baseline(console: Console, result: CheckResult) -> None:
    baseline = result.baseline
    if baseline is None or not baseline.absent:
        return
    console.print(Text(f"{len(baseline.absent)} baseline entries no longer occur (first 10):", style="bold"))
    for entry in baseline.absent[:10]:
        key = entry.get("key", entry.get("doc_id", ""))  # version 1 baselines key on doc_id
        console.print(Text(f"  {visible(entry['rule'])}  {visible(key)}  {visible(entry['match'], 'mark')}"),
                      overflow="fold")


def _all_findings(console: Console, result: CheckResult) -> None:
    # One table per chunk of the store: a table is laid out whole, so one table over millions would not be.
    columns = ["source_path", "line", "doc_id", "rule", "severity", "start", "end", "match"]
    is_new = result.baseline.is_new.to_numpy() if result.baseline is not None else None
    for n, chunk in enumerate(result.store.chunks(columns, chunk_rows=5_000)):
        chunk = chunk.assign(**{name: visible_column(chunk[name]) for name in ("source_path", "doc_id", "rule")},
                             match=visible_column(chunk["match"], "mark"))
        title = f"All {result.summary.findings} findings" if n == 0 else None
        table = Table(title=title, title_justify="left")
        names = ("location", "doc_id", "rule", "severity", "span", "match", *(("baseline",) if is_new is not None
                                                                               else ()))
        for name in names:
            table.add_column(name, overflow="fold")
        flags = is_new[chunk.index.to_numpy()].tolist() if is_new is not None else [None] * len(chunk)
        for row, new in zip(chunk.itertuples(index=False), flags, strict=True):
            span = "" if pd.isna(row.start) else f"{row.start}-{row.end}"
            status = () if new is None else (Text("new", style="bold red") if new else Text("known", style="dim"),)
            table.add_row(Text(f"{row.source_path}:{row.line}"), Text(str(row.doc_id)), Text(row.rule),
                          Text(row.severity, style=SEVERITY_STYLE.get(row.severity, "")), span,
                          Text(str(row.match)), *status)
        console.print(table)


def render(result: CheckResult, out: TextIO, console: Console | None = None, *, verbosity: int = 0) -> None:
    """Write the report: ``verbosity`` -1 prints the verdict line only, 1 adds every finding."""
    if console is not None:
        _render(result, console, verbosity)
        return
    guard = WorkflowCommandGuard(out)
    try:
        _render(result, make_console(guard), verbosity)  # type: ignore[arg-type]  # a TextIO in all but name
    finally:
        guard.close()


def _render(result: CheckResult, console: Console, verbosity: int) -> None:
    if verbosity < 0:
        console.print(verdict_text(result))
        return
    model = report_model(result)
    console.print(_header(result, model))
    if model.quick_look:  # part of the corpus only: said before any figure is read
        console.print(Text(model.quick_look, style="bold yellow"))
    if model.skipped:
        console.print(Text("not checked: " + ", ".join(f"{n} {visible(reason)}" for reason, n in model.skipped.items()),
                           style="dim"), overflow="fold")
    console.print(_family_table(result))
    console.print(_rule_table(result, show_all=verbosity > 0))
    _examples(console, model)
    _sites(console, model)
    _baseline(console, result)
    if verbosity > 0:  # how each file was read: split or not, and why (a compressed file is one split)
        for note in result.stats.load.notes:
            console.print(Text(f"input: {visible(note)}", style="dim"), overflow="fold")
    if verbosity > 0 and not result.store.empty:
        _all_findings(console, result)
    for error in result.input_errors:
        console.print(Text(f"input error: {visible(error)}", style="red"))
    console.print(verdict_text(result))

