"""The progress bar on stderr while checking: only on a terminal, never under CI=true, NO_COLOR or a pipe."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
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
        """``12,345 documents · 8,000 docs/s`` (the rate once a batch is done)."""
        elapsed = task.elapsed or 0.0
        rate = f" · {task.completed / elapsed:,.0f} docs/s" if task.completed and elapsed > 0 else ""
        return Text(f"{task.completed:,.0f} documents{rate}", style="cyan")


@contextmanager
def checking_progress(console: Console | None) -> Iterator[Callable[[int], None] | None]:
    """Yield an ``on_batch(n_documents)`` callback that advances a bar on ``console`` (None: no bar)."""
    if console is None:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("checking"), CountRateColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("checking", total=None)

        def advance(documents: int) -> None:
            bar.advance(task, documents)

        yield advance
