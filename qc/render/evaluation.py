"""Lay out a ``qc eval`` result (:class:`qc.evaluate.EvalReport`) for the terminal or as JSON."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from qc import __version__
from qc.evaluate import EvalReport, Score
from qc.safe_text import WorkflowCommandGuard, json_dumps, visible


def _table(title: str, scores: list[Score], by_rule: bool) -> Table:
    table = Table(title=title)
    labels = ("rule", "family") if by_rule else ("family",)
    for column in (*labels, "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column in labels else "right")
    for s in scores:
        names = (s.name, s.family) if by_rule else (s.family,)
        table.add_row(*(Text(visible(name)) for name in names), str(s.tp), str(s.fp), str(s.fn),
                      rate_text(s.precision), rate_text(s.recall), rate_text(s.f1))
    return table


def rate_text(rate: float | None) -> str:
    """A rate to three places, or ``n/a`` where it is undefined (a rule that flagged nothing)."""
    return "n/a" if rate is None else f"{rate:.3f}"


def render_terminal(report: EvalReport, out: TextIO) -> None:
    """Tables per family and per rule, then every false positive and false negative with its evidence.

    Doc ids and evidence come from the labels and the corpus: shown with their controls escaped."""
    guard = WorkflowCommandGuard(out)
    try:
        _render_terminal(report, Console(file=guard, highlight=False, soft_wrap=True))  # type: ignore[arg-type]
    finally:
        guard.close()


def _render_terminal(report: EvalReport, console: Console) -> None:
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
            evidence = "; ".join(visible(item, "mark") for item in miss.evidence)
            console.print(f"  {escape(visible(miss.doc_id))} {escape(f'[{visible(miss.family)}]')} {escape(evidence)}")


def render_json(report: EvalReport, out: TextIO) -> None:
    """The evaluation as one JSON object."""
    payload = {"tool": {"name": "corpus-qc", "version": __version__}, **report.as_dict()}
    out.write(json_dumps(payload, indent=2))
    out.write("\n")
