"""Lay out a ``qc eval`` result (:class:`qc.evaluate.EvalReport`) for the terminal or as JSON."""

from __future__ import annotations

import json
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qc import __version__
from qc.evaluate import EvalReport, Score


def _table(title: str, scores: list[Score], by_rule: bool) -> Table:
    table = Table(title=title)
    labels = ("rule", "family") if by_rule else ("family",)
    for column in (*labels, "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column in labels else "right")
    for s in scores:
        names = (s.name, s.family) if by_rule else (s.family,)
        table.add_row(*names, str(s.tp), str(s.fp), str(s.fn), rate_text(s.precision), rate_text(s.recall),
                      rate_text(s.f1))
    return table


def rate_text(rate: float | None) -> str:
    """A rate to three places, or ``n/a`` where it is undefined (a rule that flagged nothing)."""
    return "n/a" if rate is None else f"{rate:.3f}"


def render_terminal(report: EvalReport, out: TextIO) -> None:
    """Tables per family and per rule, then every false positive and false negative with its evidence."""
    console = Console(file=out, highlight=False, soft_wrap=True)
    console.print(f"{report.documents} labelled documents; only warning and error findings count.")
    if report.not_in_corpus or report.unlabelled:
        console.print(f"Not scored: {report.not_in_corpus} labelled doc_id(s) not in the corpus, "
                      f"{report.unlabelled} corpus document(s) without labels.")
    console.print(_table("Families (document level)", report.families, by_rule=False))
    console.print(_table("Rules (document level, against the rule's family)", report.rules, by_rule=True))
    for kind, title in (("false_positive", "False positives"), ("false_negative", "False negatives")):
        misses = [m for m in report.misses if m.kind == kind]
        console.print(f"\n[bold]{title}[/bold] ({len(misses)})")
        for miss in misses:
            console.print(f"  {escape(miss.doc_id)} {escape(f'[{miss.family}]')} {escape('; '.join(miss.evidence))}")


def render_json(report: EvalReport, out: TextIO) -> None:
    """The evaluation as one JSON object."""
    payload = {"tool": {"name": "corpus-qc", "version": __version__}, **report.as_dict()}
    json.dump(payload, out, ensure_ascii=False, indent=2)
    out.write("\n")
