"""Renderers: each lays out the findings (read from the store in chunks), the summary and the tally computed
once; none recomputes findings."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from qc.api import CheckResult


class OutputFormat(StrEnum):
    """Formats ``qc check --format`` accepts."""

    terminal = "terminal"
    json = "json"
    junit = "junit"
    github = "github"
    sarif = "sarif"
    html = "html"
    gitlab = "gitlab"

    @property
    def is_human_readable(self) -> bool:
        """Whether progress and decoration belong in this format."""
        return self is OutputFormat.terminal


def renderer(fmt: OutputFormat) -> Callable[[CheckResult, TextIO], None]:
    """The function that writes ``fmt`` for a result to a text stream."""
    import importlib

    # Only the chosen renderer is imported: the HTML one pulls in matplotlib, seconds a terminal run need not pay.
    module = importlib.import_module(f"qc.render.{fmt.value}")
    write: Callable[[CheckResult, TextIO], None] = module.render
    return write
