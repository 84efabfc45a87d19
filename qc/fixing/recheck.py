"""Checking a cleaned record again, so that one ``qc fix`` leaves nothing a second one would cut.

A cut can bring text into a rule's reach: a ``head`` region now holds the next menu line, a rule that stops
at ``limit`` findings per document finds the ones after them, two short lines left by a cut now make a run.
:class:`Rechecker` checks the cleaned record with the selected record-level rules whose action is
``strip`` or ``drop`` (the record canonicalised as the loader does, with the run's field map and time zone),
and :class:`qc.fixing.edit.Editor` cuts again until nothing is left. Corpus-level rules (repeated lines
across a site) are not re-run: their evidence is the whole corpus, fixed once per run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from qc.config import Config
from qc.engine import Checker, run_ignores
from qc.fixing.actions import ActionPlan
from qc.fixing.findings import Finding
from qc.load import LoadLog, canonical_batches
from qc.registry import RuleSet


class Rechecker:
    """The record-level strip and drop rules of a run, applied to one cleaned record at a time."""

    def __init__(self, ruleset: RuleSet, plan: ActionPlan, config: Config) -> None:
        rules = [rule for rule in ruleset
                 if not rule.CORPUS_LEVEL and plan.get(rule.code).action in ("strip", "drop")]
        self.checker = Checker(RuleSet(rules)) if rules else None
        self.config = config
        # The run's per-site and per-path ignores hold here too: an ignored finding is never cut.
        self.ignores = run_ignores(self.checker, config) if self.checker is not None else None

    def __call__(self, path: str, records: list[tuple[int, Mapping[str, Any]]]) -> list[list[Finding]]:
        """The findings of each record (its source columns, and the line it starts on in ``path``), checked
        as one batch."""
        found: list[list[Finding]] = [[] for _ in records]
        if self.checker is None or not records:
            return found
        frame = pd.DataFrame([{**record, "source_line": line} for line, record in records])
        at = {line: n for n, (line, _) in enumerate(records)}
        config = self.config
        batches = canonical_batches(iter([(frame, [])]), path, config.fields, config.default_timezone,
                                    config.dayfirst, LoadLog(), tuple(config.dayfirst_sites),
                                    dates=self.checker.needs_dates)
        for batch in batches:
            findings = self.checker.check_frame(batch.frame)
            if self.ignores is not None:
                findings = self.ignores.drop(findings)
            for row in findings.itertuples(index=False):
                found[at[int(row.source_line)]].append(
                    Finding(str(row.rule), str(row.family), str(row.severity),
                            row.field if isinstance(row.field, str) else None,
                            None if pd.isna(row.start) else int(row.start),
                            None if pd.isna(row.end) else int(row.end), str(row.match), str(row.message),
                            row.doc_id if isinstance(row.doc_id, str) else None))
        return found
