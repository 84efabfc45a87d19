"""The progress bar on stderr while checking: only on a terminal, never under CI=true, NO_COLOR or a pipe."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


def progress_wanted(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Whether to draw a progress bar on ``stream``."""
    env = os.environ if env is None else env
    if env.get("CI", "").lower() in ("true", "1") or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class CountRateColumn(ProgressColumn):
    """Documents checked so far and documents per second since the start."""

    def render(self, task: Task) -> Text:
        """``12,345 documents · 8,000 docs/s`` (the rate once a batch is done); ``reading…`` before that."""
        if not task.completed:  # the first batch is still being read and checked: "0 documents" would mislead
            return Text("reading and checking the first batch…", style="cyan")
        elapsed = task.elapsed or 0.0
        rate = f" · {task.completed / elapsed:,.0f} docs/s" if elapsed > 0 else ""
        return Text(f"{_documents(int(task.completed))}{rate}", style="cyan")


def _documents(count: int) -> str:
    return f"{count:,} document" + ("" if count == 1 else "s")


@contextmanager
def checking_progress(console: Console | None, total: int | None = None) -> Iterator[Callable[[int], None] | None]:
    """Yield an ``on_batch(n_documents)`` callback that advances a bar on ``console`` (None: no bar).

    With ``total`` (an estimate, see :func:`estimate_documents`) the bar shows a percentage and an ETA. The
    bar is transient; when the check ends it leaves one line with the true count, so the last number seen is
    never a stale refresh below it.
    """
    if console is None:
        yield None
        return
    columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn("checking"), CountRateColumn(), TimeElapsedColumn()]
    if total:
        columns[2:2] = [BarColumn(), TaskProgressColumn()]
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("checking", total=total or None)

        def advance(documents: int) -> None:
            state = bar.tasks[task]
            if state.total is not None and state.completed + documents > state.total:
                bar.update(task, total=None)  # the estimate was short: counts and rate from here on
            bar.advance(task, documents)

        yield advance
        state = bar.tasks[task]
        checked, elapsed = int(state.completed), state.elapsed or 0.0
    rate = f" · {checked / elapsed:,.0f} docs/s" if checked and elapsed > 0 else ""
    console.print(Text(f"checked {_documents(checked)} in {elapsed:.1f}s{rate}", style="dim"))


#: How much of the first line-based input is read to estimate bytes per record.
SAMPLE_BYTES = 1 << 20


def estimate_documents(paths: Iterable[str | Path]) -> int | None:
    """Roughly how many records the inputs hold (for the ETA): their size over the bytes per record of the
    first uncompressed JSON Lines file's head, or one per file for text folders. None when unknown."""
    from qc.load import resolve_inputs

    try:
        files = resolve_inputs(list(paths))
    except Exception:  # the run itself reports bad inputs; the bar only goes without a total
        return None
    total = 0
    per_record: float | None = None
    for src in files:
        try:
            size = src.path.stat().st_size
        except OSError:
            continue
        total += size
        if per_record is None and src.fmt == "jsonl" and not src.path.name.endswith((".gz", ".zst")):
            with open(src.path, "rb") as handle:
                head = handle.read(SAMPLE_BYTES)
            if head.count(b"\n"):
                per_record = len(head) / head.count(b"\n")
    if all(src.fmt == "text" for src in files):
        return len(files) or None
    if per_record is None or total == 0:
        return None
    return max(1, int(total / per_record))
