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

    @property
    def is_human_readable(self) -> bool:
        """Whether progress and decoration belong in this format."""
        return self is OutputFormat.terminal


def renderer(fmt: OutputFormat) -> Callable[[CheckResult, TextIO], None]:
    """The function that writes ``fmt`` for a result to a text stream."""
    from qc.render import json as json_render
    from qc.render import terminal

    table: dict[OutputFormat, Callable[[CheckResult, TextIO], None]] = {
        OutputFormat.terminal: terminal.render,
        OutputFormat.json: json_render.render,
    }
    return table[fmt]
