"""Renderers: each lays out the findings frame and the summary computed once; none recomputes findings."""

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

    @property
    def is_human_readable(self) -> bool:
        """Whether progress and decoration belong in this format."""
        return self is OutputFormat.terminal


def renderer(fmt: OutputFormat) -> Callable[[CheckResult, TextIO], None]:
    """The function that writes ``fmt`` for a result to a text stream."""
    from qc.render import github, html, junit, sarif, terminal
    from qc.render import json as json_render

    table: dict[OutputFormat, Callable[[CheckResult, TextIO], None]] = {
        OutputFormat.terminal: terminal.render,
        OutputFormat.json: json_render.render,
        OutputFormat.junit: junit.render,
        OutputFormat.github: github.render,
        OutputFormat.sarif: sarif.render,
        OutputFormat.html: html.render,
    }
    return table[fmt]
