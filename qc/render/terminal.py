"""The terminal report (rich): verdict first, then tables per family and rule, worst rules with examples.

Corpus text is never parsed as markup: it only ever goes into :class:`rich.text.Text` objects, so a post
containing ``[bold]`` or ``[/]`` prints literally. Nor is it ever printed raw: every value from the corpus,
the rule files or a baseline goes through :mod:`qc.safe_text` first (controls shown as ``\\x1b``), and the
lines written pass a :class:`~qc.safe_text.WorkflowCommandGuard`, so a report read in a CI log cannot start a
workflow command.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from qc.render.model import Example, ReportModel, context_parts, report_model, severity_headline
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


def words(value: str, style: str = "") -> Text:
    """Text that wraps only between words, however narrow its column: a word wider than the column ends in
    "…" instead of being split, except in CJK text, which may break between any two characters (and has no
    spaces to break at)."""
    return Text(value, style=style, overflow="fold" if cell_len(value) > len(value) else "ellipsis")


def tail(value: str, cells: int) -> str:
    """``value`` (a path) cut from the left to fit ``cells``, at a ``/`` where one fits: ``…/dir/f.txt:12``.

    A location's end (file name, line) is what tells one finding from the next, so that is what stays."""
    if cell_len(value) <= cells:
        return value
    parts = value.split("/")
    for i in range(1, len(parts)):
        candidate = "…/" + "/".join(parts[i:])
        if cell_len(candidate) <= cells:
            return candidate
    kept = parts[-1]
    while kept and cell_len(kept) + 1 > cells:
        kept = kept[1:]
    return "…" + kept


def _fits(console: Console, table: Table) -> bool:
    """Whether ``table`` fits the console without wrapping any cell."""
    natural = Measurement.get(console, console.options.update_width(1 << 16), table)  # unclamped by the console
    return natural.maximum <= console.width


def plural(count: int, word: str) -> str:
    """``1 document``, ``2 documents``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def verdict_text(result: CheckResult) -> Text:
    """The one-line verdict (what ``--quiet`` prints)."""
    gate = result.gate
    mark, word, style = ("✓", "PASSED", "bold green") if gate.passed else ("✗", "FAILED", "bold red")
    line = Text.assemble((f"{mark} gate {word}", style), f"  fail-on={gate.fail_on} · ", *severity_counts(result))
    baseline = result.baseline
    if baseline is not None:
        line.append(f" · baseline: {baseline.new} new, {baseline.known} known, {len(baseline.absent)} gone")
    return line


def severity_counts(result: CheckResult) -> list[Text]:
    """The headline counts by severity (:func:`~qc.render.model.severity_headline`), errors in red."""
    parts: list[Text] = []
    for text, severity in severity_headline(result.summary):
        if parts:
            parts.append(Text(" · "))
        parts.append(Text(text, style=SEVERITY_STYLE[severity] if severity == "error" else ""))
    return parts


def _header(result: CheckResult, model: ReportModel) -> Panel:
    gate, summary = result.gate, result.summary
    lines: list[RenderableType] = [verdict_text(result)]
    for reason in gate.reasons:  # a hanging indent: a wrapped reason stays right of its bullet
        bullet = Table.grid(padding=(0, 1, 0, 0))
        bullet.add_column(no_wrap=True)
        bullet.add_column()
        bullet.add_row(Text("  •", style="red"), words(visible(reason), "red"))
        lines.append(bullet)
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


def _rule_table(console: Console, result: CheckResult, show_all: bool) -> Table:
    """Rules by documents hit. When the names would have to wrap (80 columns), the family column goes: the
    code's prefix and the family table above say it, and the names are what a reader needs whole."""
    rows = [rule for rule in sorted(result.summary.rules, key=lambda r: (-r["documents"], r["code"]))
            if rule["findings"] or show_all]
    table = _rule_table_with(rows, with_family=True)
    return table if _fits(console, table) else _rule_table_with(rows, with_family=False)


def _rule_table_with(rows: list[dict[str, Any]], *, with_family: bool) -> Table:
    table = Table(title="By rule", title_justify="left")
    names = ("rule", "name", *(("family",) if with_family else ()), "severity", "documents", "share", "findings")
    for name in names:
        table.add_column(name, justify="right" if name in ("documents", "share", "findings") else "left",
                         no_wrap=name != "name")
    for rule in rows:
        severity = str(rule["severity"])
        table.add_row(Text(visible(rule["code"])), words(visible(rule["name"])),
                      *((words(visible(rule["family"])),) if with_family else ()),
                      Text(severity, style=SEVERITY_STYLE.get(severity, "")),
                      str(rule["documents"]), f"{rule['rate']:.1%}", str(rule["findings"]))
    return table


def _examples(console: Console, model: ReportModel) -> None:
    if not model.worst_rules:
        return
    console.print(Text("Worst rules", style="bold"))
    width = max(console.width - 8, 30)
    for rule in model.worst_rules:
        console.print(Padding(Text.assemble(
            (visible(rule["code"]), SEVERITY_STYLE.get(rule["severity"], "")), " ",
            words(visible(rule["name"]), "bold"),
            f"  {plural(rule['documents'], 'document')}, {plural(rule['findings'], 'finding')}"), (0, 0, 0, 2)))
        url = model.rule_info.get(rule["code"], {}).get("url")
        if url:  # the rule's page: what it does, why, how to silence it (a link is never cut: it must work)
            console.print(Text(f"    docs: {url}", style="dim"), overflow="fold")
        for example in model.examples.get(rule["code"], []):
            console.print(Padding(_example_heading(example, console.width - 4), (0, 0, 0, 4)))
            if example.before is None and example.after is None:
                # No text context (a whole-record finding, or no excerpts kept): the message says it all.
                line = words(visible(example.message, "mark"))
            else:
                before, match, after = context_parts(example, width)
                line = words(before)
                line.append(match, style=MATCH_STYLE)
                line.append(after)
                line.overflow = words(line.plain).overflow
            console.print(Padding(line, (0, 0, 0, 6)))  # wrapped lines keep the indent


def _example_heading(example: Example, cells: int) -> Text:
    """``doc_id  path:line`` in ``cells``: the path is cut from the left (its end names the file and line)."""
    path = str(example.source_path)
    if example.doc_id and (path == example.doc_id or path.endswith("/" + str(example.doc_id))):
        doc = ""  # a text folder's doc_id is the file's path: once is enough
    else:
        doc = (visible(example.doc_id) if example.doc_id else "(no doc_id)") + "  "
    location = visible(located(path, example.source_line, example.line, example.locator))
    where = tail(location, max(cells - cell_len(doc), min(cells // 2, 48), 24))
    if doc and cell_len(doc) + cell_len(where) > cells:  # a long doc_id gives way: the location must show
        doc = visible(example.doc_id)[:max(cells - cell_len(where) - 3, 8)] + "…  "
    return Text(doc + where, style="dim", overflow="ellipsis", no_wrap=True)


def _sites(console: Console, model: ReportModel) -> None:
    if not model.sites:
        return
    source = ("repeated lines, else most frequent boilerplate matches"
              if model.leaked_lines_source == "repeated_lines" else "most frequent boilerplate matches")
    table = Table(title=f"Sites contributing most ({source})", title_justify="left")
    table.add_column("site")
    table.add_column("documents", justify="right", no_wrap=True)
    table.add_column("findings", justify="right", no_wrap=True)
    table.add_column("most leaked lines")
    for site in model.sites:
        lines = Text()
        for i, (text, count) in enumerate(site.lines):
            if i:
                lines.append("\n")
            lines.append(f"{count}× ", style="dim")
            lines.append(visible(text[:80], "mark"))
        lines.overflow = words(lines.plain).overflow
        table.add_row(words(visible(site.site)), str(site.documents), str(site.findings), lines)
    console.print(table)


def _baseline(console: Console, result: CheckResult) -> None:
    baseline = result.baseline
    if baseline is None or not baseline.absent:
        return
    console.print(Text(f"{len(baseline.absent)} baseline entries no longer occur (first 10):", style="bold"))
    for entry in baseline.absent[:10]:
        key = entry.get("key", entry.get("doc_id", ""))  # version 1 baselines key on doc_id
        console.print(Padding(words(f"{visible(entry['rule'])}  {visible(key)}  {visible(entry['match'], 'mark')}"),
                              (0, 0, 0, 2)))


def _all_findings(console: Console, result: CheckResult) -> None:
    """Every finding (``--verbose``): where (``path:line``, or ``path@offset`` for a web-archive record, and
    the doc_id under it unless it is the path), rule and severity, span, match; only the match wraps,
    between words, so the table reads at 80 columns."""
    # One table per chunk of the store: a table is laid out whole, so one table over millions would not be.
    columns = ["source_path", "source_line", "line", "locator", "doc_id", "rule", "severity", "start", "end", "match"]
    is_new = result.baseline.is_new.to_numpy() if result.baseline is not None else None
    where_cells = max(console.width // 3, 20)
    for n, chunk in enumerate(result.store.chunks(columns, chunk_rows=5_000)):
        chunk = chunk.assign(**{name: visible_column(chunk[name]) for name in ("source_path", "doc_id", "rule")},
                             match=visible_column(chunk["match"], "mark"))
        title = f"All findings ({result.summary.findings:,})" if n == 0 else None
        table = Table(title=title, title_justify="left")
        table.add_column("location", no_wrap=True)
        table.add_column("rule")  # "BP001 warning", or the two stacked when narrow
        table.add_column("span", no_wrap=True)
        table.add_column("match", ratio=1)
        if is_new is not None:
            table.add_column("baseline", no_wrap=True)
        flags = is_new[chunk.index.to_numpy()].tolist() if is_new is not None else [None] * len(chunk)
        for row, new in zip(chunk.itertuples(index=False), flags, strict=True):
            path, doc_id = str(row.source_path), str(row.doc_id)
            line = None if pd.isna(row.line) else int(row.line)
            record = None if pd.isna(row.source_line) else int(row.source_line)
            where = Text(tail(located(path, record, line, str(row.locator)), where_cells))
            if doc_id and path != doc_id and not path.endswith("/" + doc_id):
                where.append("\n" + tail(doc_id, where_cells), style="dim")
            rule = Text.assemble(row.rule, " ", (row.severity, SEVERITY_STYLE.get(row.severity, "")))
            span = "" if pd.isna(row.start) else f"{row.start}-{row.end}"
            status = () if new is None else (Text("new", style="bold red") if new else Text("known", style="dim"),)
            table.add_row(where, rule, span, words(str(row.match)), *status)
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
        console.print(verdict_text(result), soft_wrap=True)  # --quiet: one line, however long
        return
    model = report_model(result)
    console.print(_header(result, model))
    if model.quick_look:  # part of the corpus only: said before any figure is read
        console.print(Text(model.quick_look, style="bold yellow"))
    if model.skipped:
        console.print(Text("not checked: " + ", ".join(f"{n} {visible(reason)}" for reason, n in model.skipped.items()),
                           style="dim"), overflow="fold")
    console.print(_family_table(result))
    console.print(_rule_table(console, result, show_all=verbosity > 0))
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

