"""``qc fix --diff``: what a fix would change, as a coloured unified diff per record (rich).

The terminal report's conventions: colour only on a terminal, never under ``NO_COLOR`` or ``CI=true``
(:func:`qc.render.terminal.make_console`); scraped text goes into :class:`rich.text.Text` only (never parsed
as markup) and through :func:`qc.safe_text.visible` (controls shown as escapes), and every line passes a
:class:`~qc.safe_text.WorkflowCommandGuard`. A dropped record shows its first lines as removed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.text import Text

from qc.fixing.edit import Change
from qc.render.terminal import make_console, plural
from qc.safe_text import WorkflowCommandGuard, visible

#: Lines of a dropped record's text shown (the rest is counted).
DROPPED_LINES = 12
#: Unchanged lines of context around each change.
CONTEXT = 2


def _styled(line: str) -> Text:
    shown = visible(line)
    if line.startswith(("+++", "---")):
        return Text(shown, style="bold")
    if line.startswith("@@"):
        return Text(shown, style="cyan")
    if line.startswith("+"):
        return Text(shown, style="green")
    if line.startswith("-"):
        return Text(shown, style="red")
    return Text(shown)


def _change(console: Console, change: Change) -> None:
    where = f"{change.source_path}:{change.source_line}"
    verb, style = ("dropped", "bold red") if change.dropped else ("stripped", "bold yellow")
    title = Text.assemble((visible(where), "bold"), f"  doc_id {visible(change.doc_id or '?')}  ", (verb, style),
                          f" by {visible(', '.join(change.rules))}")
    console.print(title)
    for column, (before, after) in change.fields.items():
        lines = before.splitlines()
        if after is None:
            console.print(_styled(f"--- {where} {column}"))
            console.print(_styled("+++ (quarantined)"))
            for line in lines[:DROPPED_LINES]:
                console.print(_styled(f"-{line}"))
            if len(lines) > DROPPED_LINES:
                console.print(Text(f"  … {plural(len(lines) - DROPPED_LINES, 'more line')}", style="dim"))
            continue
        diff = difflib.unified_diff(lines, after.splitlines(), fromfile=f"{where} {column}",
                                    tofile=f"{where} {column} (cleaned)", lineterm="", n=CONTEXT)
        for line in diff:
            console.print(_styled(line))
    console.print()


def render_diff(changes: Iterable[Change], out: TextIO) -> int:
    """Write the diff of each change; return how many records were shown."""
    guard = WorkflowCommandGuard(out)
    shown = 0
    try:
        console = make_console(guard)  # type: ignore[arg-type]  # a TextIO in all but name
        console.soft_wrap = True  # a diff line is never folded: it would read as two lines
        for change in changes:
            _change(console, change)
            shown += 1
        if not shown:
            console.print("qc fix: nothing to change")
    finally:
        guard.close()
    return shown
