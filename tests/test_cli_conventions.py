"""CLI conventions as ruff users expect them (issue 15): ``--output-format`` is ``--format``'s long name,
``--help`` lists the choices of every choice option, ``--statistics`` prints only the per-rule counts."""

from __future__ import annotations

import re

from qc.config import CHOICES
from qc.kinds import KINDS
from qc.render import OutputFormat

from .conftest import REPO, run_qc

SAMPLES = REPO / "samples"


def _option_help(help_text: str, option: str) -> str:
    """The help row of ``option`` in a rich ``--help`` table (its first cell lists the option's names)."""
    rows = " ".join(help_text.split()).split("│")
    names = [[name for name in row.split() if name != "*"][:1] for row in rows]  # "*" marks a required one
    return next(row for row, first in zip(rows, names, strict=True) if first and option in first[0].split(","))


def test_output_format_is_the_long_name_of_format() -> None:
    short = run_qc("check", SAMPLES, "--format", "json", "--jobs", "1")
    long = run_qc("check", SAMPLES, "--output-format", "json", "--jobs", "1")
    assert short.code == long.code == 1
    drop = {"seconds", "generated_at"}
    assert {k: v for k, v in long.json()["summary"].items() if k not in drop} == \
        {k: v for k, v in short.json()["summary"].items() if k not in drop}
    for command in (("eval", "--help"), ("config", "--help")):
        assert "--output-format" in run_qc(*command, env={"COLUMNS": "200"}).stdout


def test_help_lists_the_choices_of_every_choice_option() -> None:
    check = run_qc("check", "--help", env={"COLUMNS": "250"}).stdout
    options = {"--format": [f.value for f in OutputFormat],
               **{f"--{key.replace('_', '-')}": list(values) for key, values in CHOICES.items()}}
    for option, choices in options.items():
        line = _option_help(check, option)
        assert all(re.search(rf"\b{re.escape(choice)}\b", line) for choice in choices), (option, line)
    new = run_qc("rules", "new", "--help", env={"COLUMNS": "250"}).stdout
    kind_help = _option_help(new, "--kind")
    assert all(kind in kind_help for kind in KINDS), kind_help
    severity_help = _option_help(new, "--severity")
    assert all(word in severity_help for word in ("error", "warning", "info"))


def test_statistics_prints_only_the_per_rule_counts() -> None:
    report = run_qc("check", SAMPLES, "--format", "json", "--jobs", "1").json()
    expected = sorted(((r["findings"], r["code"]) for r in report["summary"]["rules"] if r["findings"]),
                      key=lambda pair: (-pair[0], pair[1]))
    run = run_qc("check", SAMPLES, "--statistics", "--jobs", "1")
    assert run.code == 1, "the exit code is still the gate's"
    lines = run.stdout.splitlines()
    assert [(int(line.split()[0].replace(",", "")), line.split()[1]) for line in lines] == expected
    assert "gate" not in run.stdout and "By rule" not in run.stdout, "nothing but the counts"
    as_json = run_qc("check", SAMPLES, "--statistics", "--output-format", "json", "--jobs", "1").json()
    assert [(row["findings"], row["code"]) for row in as_json] == expected
    assert {"name", "severity", "documents"} <= set(as_json[0])
