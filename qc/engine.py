"""The engine: run a rule set over canonical batches and return the findings frame.

``check_batch`` is pure and partition-local (the same function runs in a process pool or on a Dask
worker); ``run`` streams batches from the loader, does the two passes corpus-level rules need, and
aggregates findings. Kinds never see I/O or executors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qc.batch import Batch
from qc.config import Config
from qc.errors import InputError
from qc.load import InputFile, LoadLog, RawBatch, canonicalise, field_mapping, iter_batches, resolve_inputs
from qc.matcher import Prefilter
from qc.registry import RuleSet
from qc.rulespec import RuleSpec
from qc.schemas import (
    FINDINGS_COLUMNS,
    coerce_findings,
    empty_findings,
    problems_to_findings,
    validate_posts,
)


class Checker:
    """A rule set compiled once (prefilter database, rule order) and applied to any number of batches."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.rules: list[RuleSpec] = list(ruleset)
        self.prefilter = Prefilter([p for rule in self.rules for p in rule.scan_patterns()])
        self.corpus_rules = [rule for rule in self.rules if rule.CORPUS_LEVEL]

    def make_batch(self, frame: pd.DataFrame) -> Batch:
        """Prefilter every scan pattern over the batch's text columns in one pass per field."""
        batch = Batch(frame=frame)
        columns = {name: batch.utf8(name) for name in self.prefilter.fields if name in frame.columns}
        batch.candidates = self.prefilter.candidates(columns)
        return batch

    def observe(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Pass one for corpus-level rules on one batch: their per-batch states, by rule code."""
        if not self.corpus_rules:
            return {}
        batch = Batch(frame=frame)
        return {rule.code: rule.observe(batch) for rule in self.corpus_rules}

    def merge(self, states: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """Combine pass-one states from every batch (and every process or worker)."""
        collected: dict[str, list[Any]] = {rule.code: [] for rule in self.corpus_rules}
        for state in states:
            for code, value in state.items():
                collected[code].append(value)
        return {rule.code: rule.merge_states(collected[rule.code]) for rule in self.corpus_rules}

    def check_frame(self, frame: pd.DataFrame, corpus_state: dict[str, Any] | None = None) -> pd.DataFrame:
        """Findings for the checkable rows of one canonical batch (index 0..n-1)."""
        if frame.empty or not self.rules:
            return empty_findings()
        batch = self.make_batch(frame)
        rows: list[int] = []
        rule_index: list[int] = []
        fields: list[str | None] = []
        starts: list[int | None] = []
        ends: list[int | None] = []
        matches: list[str] = []
        messages: list[str] = []
        for k, rule in enumerate(self.rules):
            state = (corpus_state or {}).get(rule.code)
            for found in rule.evaluate(batch, state):
                rows.append(found.row)
                rule_index.append(k)
                fields.append(found.field or rule.field)
                starts.append(found.start)
                ends.append(found.end)
                matches.append(found.match)
                messages.append(found.message)
        if not rows:
            return empty_findings()
        # Per-finding Python stops here: the row-level columns are gathered with one take per column.
        take = np.asarray(rows, dtype=np.int64)
        which = np.asarray(rule_index, dtype=np.int64)
        codes = np.array([rule.code for rule in self.rules], dtype=object)
        families = np.array([rule.family for rule in self.rules], dtype=object)
        severities = np.array([rule.severity.value for rule in self.rules], dtype=object)
        sites = frame["site"].to_numpy()[take] if "site" in frame.columns else [None] * len(rows)
        found_frame = pd.DataFrame({
            "doc_id": frame["doc_id"].to_numpy()[take],
            "rule": codes[which],
            "family": families[which],
            "severity": severities[which],
            "field": fields,
            "start": pd.array(starts, dtype="Int64"),
            "end": pd.array(ends, dtype="Int64"),
            "match": matches,
            "message": messages,
            "source_path": frame["source_path"].to_numpy()[take],
            "source_line": frame["source_line"].to_numpy()[take].astype(np.int64),
            "site": sites,
        }, columns=FINDINGS_COLUMNS)
        return coerce_findings(found_frame)


@dataclass
class RunStats:
    """What a run saw: documents, sites, timing and the loader's log."""

    documents: int = 0
    checked: int = 0
    sites: set[str] = field(default_factory=set)
    seconds: float = 0.0
    load: LoadLog = field(default_factory=LoadLog)


def checked_rows(raw: RawBatch, seen_ids: set[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate one raw batch: (schema findings, the rows rules can check, re-indexed 0..n-1)."""
    problems, checkable = validate_posts(raw.frame, seen_ids)
    schema_findings = problems_to_findings([*raw.problems, *problems])
    frame = raw.frame[checkable.to_numpy()].reset_index(drop=True)
    return schema_findings, frame


def frame_batches(frame: pd.DataFrame, config: Config, batch_rows: int, log: LoadLog,
                  source: str = "<dataframe>") -> Iterator[RawBatch]:
    """Canonical batches from an in-memory frame (the Python API's input)."""
    mapping = field_mapping([str(c) for c in frame.columns], config.fields)
    if "text" not in mapping:
        raise InputError(f"no text column (columns found: {', '.join(map(str, frame.columns))})", path=source,
                         field="text")
    log.files.append(source)
    log.mappings[source] = dict(mapping)
    for start in range(0, max(len(frame), 1), batch_rows):
        part = frame.iloc[start : start + batch_rows].reset_index(drop=True)
        if "source_line" not in part.columns:
            part = part.assign(source_line=range(start + 1, start + 1 + len(part)))
        if "doc_id" not in mapping:
            part = part.assign(doc_id=[f"row-{n}" for n in part["source_line"].tolist()])
            mapping = {**mapping, "doc_id": "doc_id"}
        canonical = canonicalise(part, mapping, source, default_tz=config.default_timezone,
                                 dayfirst=config.dayfirst, dayfirst_sites=tuple(config.dayfirst_sites))
        log.records += len(canonical)
        yield RawBatch(canonical, [])


def run(inputs: Iterable[str | Path] | pd.DataFrame, checker: Checker, config: Config,
        on_batch: Callable[[int], None] | None = None,
        on_checked: Callable[[pd.DataFrame, pd.DataFrame], None] | None = None) -> tuple[pd.DataFrame, RunStats]:
    """Check a corpus and return (findings frame, stats). File-level input errors land in ``stats.load``.

    ``on_checked(frame, findings)`` sees each checked batch with its rule findings (reports keep bounded
    text excerpts from it; the engine itself keeps no texts).
    """
    import time

    started = time.perf_counter()
    stats = RunStats()
    files: list[InputFile] | None = None
    if not isinstance(inputs, pd.DataFrame):
        files = resolve_inputs(list(inputs))
        if not files:
            raise InputError("no input files found", path=", ".join(map(str, inputs)))

    def batches(log: LoadLog) -> Iterator[RawBatch]:
        if isinstance(inputs, pd.DataFrame):
            return frame_batches(inputs, config, config.batch_rows, log)
        assert files is not None
        return iter_batches(files, field_map=config.fields, batch_rows=config.batch_rows,
                            default_tz=config.default_timezone, dayfirst=config.dayfirst, log=log,
                            dayfirst_sites=tuple(config.dayfirst_sites))

    corpus_state: dict[str, Any] = {}
    if checker.corpus_rules:  # pass one: bounded per-rule state, merged across batches
        seen_pass1: set[int] = set()
        states = []
        for raw in batches(LoadLog()):
            _, frame = checked_rows(raw, seen_pass1)
            states.append(checker.observe(frame))
        corpus_state = checker.merge(states)

    seen_ids: set[int] = set()
    parts: list[pd.DataFrame] = []
    for raw in batches(stats.load):
        schema_findings, frame = checked_rows(raw, seen_ids)
        stats.documents += len(raw.frame)
        stats.checked += len(frame)
        stats.sites.update(s for s in frame["site"].dropna().unique().tolist() if isinstance(s, str))
        if not schema_findings.empty:
            parts.append(schema_findings)
        found = checker.check_frame(frame, corpus_state)
        if not found.empty:
            parts.append(found)
        if on_checked is not None:
            on_checked(frame, found)
        if on_batch is not None:
            on_batch(len(raw.frame))
    findings = pd.concat(parts, ignore_index=True) if parts else empty_findings()
    stats.seconds = time.perf_counter() - started
    return coerce_findings(findings), stats
