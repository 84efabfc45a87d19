"""Helpers for the hostile-input tests (readers): run ``qc check`` for real and check what every such run must keep.

Every run on hostile input must: exit with the expected code, print exactly one stderr line per bad file
(and no traceback), check every good record (each good record here holds a placeholder, so PH001 names
it), and leave every input byte-identical.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .conftest import Run, run_qc

PLACEHOLDER = "Dear {{first_name}}, your order has shipped."


def digests(paths: list[Path]) -> dict[Path, str]:
    """sha256 of every regular file under ``paths`` (links and special files are not read)."""
    found: dict[Path, str] = {}
    for path in paths:
        files = [path] if not path.is_dir() else [p for p in sorted(path.rglob("*")) if not p.is_symlink()]
        for file in files:
            if file.is_file() and not file.is_symlink():
                found[file] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


@dataclass
class Checked:
    """A finished ``qc check --format json`` run and its report."""

    run: Run
    report: dict[str, Any]

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.report["findings"])

    def schema(self) -> set[tuple[str, int, str | None]]:
        """(rule, source_line, field) of every schema finding."""
        return {(f["rule"], f["source_line"], f["field"]) for f in self.findings if f["family"] == "schema"}

    def checked_ids(self, rule: str = "PH001") -> set[str]:
        """doc_ids ``rule`` found something in: the good records that were checked."""
        return {f["doc_id"] for f in self.findings if f["rule"] == rule}

    def error_lines(self) -> list[str]:
        """The run's stderr lines (one per bad file is the promise)."""
        return [line for line in self.run.stderr.splitlines() if line.strip()]


def check(*inputs: Path, expect: int, extra: tuple[str, ...] = (), report: bool = True, jobs: int = 1,
          batch_rows: int | None = None) -> Checked:
    """``qc check INPUTS --format json``: assert the exit code, no traceback, inputs unchanged.

    ``report=False``: the run writes no report (nothing could be checked). ``jobs`` > 1 checks the
    batches in worker processes (the same readers run there); a small ``batch_rows`` cuts a file into
    many blocks (a hostile record at a block's edge).
    """
    before = digests(list(inputs))
    sizes = ("--batch-rows", str(batch_rows)) if batch_rows else ()
    run = run_qc("check", *inputs, "--format", "json", "--jobs", str(jobs), *sizes, *extra)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code == expect, (run.code, run.stderr)
    assert digests(list(inputs)) == before, "an input file was modified"
    leftovers = [p for root in inputs for p in (root if root.is_dir() else root.parent).rglob(".*.part")]
    assert not leftovers, f"temporary outputs left behind: {leftovers}"
    import json

    return Checked(run, json.loads(run.stdout) if report else {"findings": [], "summary": {}})
