"""The engine: run a rule set over canonical batches and stream the findings into a store.

``check_frame`` is pure and partition-local (the same function runs in a process pool or on a Dask
worker); ``run`` streams batches from the loader, does the two passes corpus-level rules need, and
appends each batch's findings, in corpus order, to a :class:`qc.store.FindingsStore` (bounded memory).
Kinds never see I/O or executors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from qc.batch import Batch
from qc.config import Config
from qc.consolidate import consolidate
from qc.errors import InputError
from qc.ignores import NO_IGNORES, CompiledIgnores, compile_ignores
from qc.lines import finding_lines
from qc.load import (
    DOC_ID_IS_NUMBER,
    SPLIT_BYTES,
    InputFile,
    LoadLog,
    Problem,
    RawBatch,
    Unit,
    canonicalise,
    field_mapping,
    iter_units,
    limited_units,
    resolve_inputs,
    sample_batch,
    unit_batches,
)
from qc.matcher import Prefilter
from qc.registry import RuleSet
from qc.rulespec import DATES, NO_SPAN, FindingColumns, RuleSpec
from qc.schemas import (
    FINDINGS_COLUMNS,
    SeenIds,
    coerce_findings,
    duplicate_problems,
    empty_findings,
    problems_to_findings,
    validate_findings,
    validate_posts,
)
from qc.store import FindingsStore
from qc.tally import FindingsTally
from qc.verdicts import VerdictStore, batch_verdicts


def _str_column(values: pa.ChunkedArray) -> pd.Series:
    """Arrow strings as pandas' default ``str`` column, without a Python object per value."""
    return values.to_pandas(types_mapper=lambda _: pd.StringDtype(na_value=np.nan))


class Checker:
    """A rule set compiled once (prefilter database, rule order) and applied to any number of batches."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.rules: list[RuleSpec] = list(ruleset)
        patterns = [(rule, p) for rule in self.rules for p in rule.scan_patterns()]
        # The rules' own examples vouch for a cached prefilter database before it is trusted.
        self.prefilter = Prefilter([p for _, p in patterns],
                                   probes={p.key: rule.example_values(p.field) for rule, p in patterns})
        self.corpus_rules = [rule for rule in self.rules if rule.CORPUS_LEVEL]
        self.observes_dates = any(rule.OBSERVES_DATES for rule in self.corpus_rules)
        #: The features the selected rules declare (:attr:`RuleSpec.FEATURES`): what pass two computes.
        self.features: frozenset[str] = frozenset().union(*(rule.FEATURES for rule in self.rules))
        #: Whether pass two parses dates and recovers the page's date stamps (only for a rule that reads them).
        self.needs_dates = DATES in self.features

    def compile(self) -> Checker:
        """Compile the prefilter now (it compiles on first use otherwise); a compiled checker pickles with
        its Hyperscan databases serialised, so worker processes receive them instead of compiling."""
        _ = self.prefilter.fields
        return self

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

    def merge(self, states: Iterable[dict[str, Any]], group: int = 32) -> dict[str, Any]:
        """Combine pass-one states from every batch (and every process or worker), folding as they come.

        States are merged ``group`` at a time into a running state (``merge_states`` is associative), so
        the parent holds one merged state plus a few batch states, never every batch's state at once.
        """
        rules = {rule.code: rule for rule in self.corpus_rules}
        merged: dict[str, Any] = {}
        pending: dict[str, list[Any]] = {code: [] for code in rules}

        def fold(code: str) -> None:
            parts = ([merged[code]] if code in merged else []) + pending[code]
            merged[code] = rules[code].merge_states(parts)
            pending[code] = []

        for state in states:
            for code, value in state.items():
                pending[code].append(value)
                if len(pending[code]) >= group:
                    fold(code)
        for code in rules:
            if pending[code] or code not in merged:
                fold(code)
        return {code: rules[code].finish_state(merged[code]) for code in rules}

    def check_frame(self, frame: pd.DataFrame, corpus_state: dict[str, Any] | None = None) -> pd.DataFrame:
        """Findings for the checkable rows of one canonical batch (index 0..n-1), in document order.

        Each document's findings are contiguous, its rules in rule-set order: reports count documents
        in one pass over the findings because of it.
        """
        if frame.empty or not self.rules:
            return empty_findings()
        batch = self.make_batch(frame)
        parts: list[tuple[int, FindingColumns]] = []
        for k, rule in enumerate(self.rules):
            found = rule.evaluate_columns(batch, (corpus_state or {}).get(rule.code))
            if len(found):
                parts.append((k, found))
        if not parts:
            return empty_findings()
        # Columns all the way: each rule's findings are arrays, its messages one vectorised format; the
        # findings of all rules are put in document order by one stable sort (rules ran one after another,
        # so a document's findings stay in rule order) and every column is gathered with one take.
        rows = np.concatenate([found.rows for _, found in parts])
        order = np.argsort(rows, kind="stable")
        take = rows[order]
        which = np.concatenate([np.full(len(found), k, dtype=np.int64) for k, found in parts])[order]
        starts = np.concatenate([found.starts for _, found in parts])[order]
        ends = np.concatenate([found.ends for _, found in parts])[order]
        arrow_order = pa.array(order)
        matches = pa.chunked_array([found.matches for _, found in parts], type=pa.large_string()).take(arrow_order)
        messages = pa.chunked_array([self.rules[k].format_messages(found) for k, found in parts],
                                    type=pa.large_string()).take(arrow_order)
        fields = np.concatenate([
            np.full(len(found), self.rules[k].field, dtype=object) if found.fields is None else
            np.asarray([f or self.rules[k].field for f in found.fields], dtype=object)
            for k, found in parts])[order]
        start_column = pd.array(starts, dtype="Int64")
        start_column[starts == NO_SPAN] = pd.NA
        end_column = pd.array(ends, dtype="Int64")
        end_column[ends == NO_SPAN] = pd.NA
        codes = np.array([rule.code for rule in self.rules], dtype=object)
        families = np.array([rule.family for rule in self.rules], dtype=object)
        severities = np.array([rule.severity.value for rule in self.rules], dtype=object)
        sites = frame["site"].to_numpy()[take] if "site" in frame.columns else [None] * len(take)
        found_frame = pd.DataFrame({
            "doc_id": frame["doc_id"].to_numpy()[take],
            "rule": codes[which],
            "family": families[which],
            "severity": severities[which],
            "field": fields,
            "start": start_column,
            "end": end_column,
            "match": _str_column(matches),
            "message": _str_column(messages),
            "source_path": frame["source_path"].to_numpy()[take],
            "source_line": frame["source_line"].to_numpy()[take].astype(np.int64),
            "site": sites,
            # Where each finding is: one vectorised pass per field whose newlines are physical (qc.lines).
            "line": finding_lines(frame, take, fields, start_column),
        }, columns=FINDINGS_COLUMNS)
        return consolidate(coerce_findings(found_frame), frame, take, self.ruleset.max_findings_per_document)


@dataclass
class RunStats:
    """What a run saw: documents, sites, timing, the loader's log, and how much it held at once."""

    documents: int = 0
    checked: int = 0
    sites: set[str] = field(default_factory=set)
    seconds: float = 0.0
    load: LoadLog = field(default_factory=LoadLog)
    jobs: int = 1
    #: The most input rows held at once (units read, in flight or being checked): bounded by the batch size.
    max_rows_held: int = 0


def frame_batches(frame: pd.DataFrame, config: Config, batch_rows: int, log: LoadLog,
                  source: str = "<dataframe>", *, dates: bool = True) -> Iterator[RawBatch]:
    """Canonical batches from an in-memory frame (the Python API's input); ``dates``: see
    :func:`qc.load.canonicalise`."""
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
        problems: list[Problem] = []
        canonical = canonicalise(part, mapping, source, default_tz=config.default_timezone,
                                 dayfirst=config.dayfirst, dayfirst_sites=tuple(config.dayfirst_sites),
                                 dates=dates, problems=problems)
        log.records += len(canonical)
        yield RawBatch(canonical, problems)


# -- units: what a worker process (or this one, at --jobs 1) does with one piece of the corpus ----------


@dataclass
class BatchOutcome:
    """One checked batch, before duplicate doc_ids (which need the whole corpus, in order) are found."""

    problems: list[Problem]  # the reader's record-level problems
    schema: list[Problem]  # PostsSchema problems (duplicates excepted)
    ids: pd.DataFrame  # doc_id (and whether it was a number), source_path, source_line of every row
    findings: pd.DataFrame
    documents: int
    checked: int
    sites: list[str]
    frame: pd.DataFrame | None = None  # the checked frame (or its excerpt rows) for ``on_checked``
    #: The batch's verdicts, made where the batch was checked (in the worker) from its findings with the
    #: reader's and schema problems merged and the ignores applied, at ``verdicts_fail_on``. The merger uses
    #: them unless it finds duplicate doc_ids in the batch (known only in corpus order): then it makes them.
    verdicts: pd.DataFrame | None = None
    verdicts_fail_on: str | None = None


@dataclass
class UnitOutcome:
    """What one unit produced: batch outcomes (pass two) or corpus-level states (pass one)."""

    source: str
    batches: list[BatchOutcome] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    error: InputError | None = None
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    records: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # records not checked, by reason (WARC record types)
    notes: list[str] = field(default_factory=list)  # for --verbose: how a file was read


@dataclass
class UnitContext:
    """Everything a worker needs to check units: the compiled checker, the config, the pass-one state."""

    checker: Checker
    config: Config
    corpus_state: dict[str, Any]
    #: Send each checked frame back for ``on_checked``: None (no), ALL_ROWS, or the span rows per rule to keep.
    keep_rows: int | None = None
    #: Make each batch's verdicts here (worker processes: the parent merges them), with these ignores.
    verdicts: bool = False
    ignores: CompiledIgnores = NO_IGNORES


#: ``keep_rows`` value: the whole checked frame goes back.
ALL_ROWS = -1


def worker_context(rules: Checker | RuleSet, config: Config, corpus_state: dict[str, Any],
                   keep_rows: int | None = None, verdicts: bool = False) -> UnitContext:
    """A worker's context, made once per worker (pool initializer or Dask worker).

    Given a :class:`Checker`, the worker uses it as it arrives: its prefilter pickles as Hyperscan's
    serialised database, so no worker compiles it again. Given a rule set, the worker compiles it.
    ``verdicts``: the worker makes each batch's verdicts (the run keeps them), so the parent need not.
    """
    checker = rules if isinstance(rules, Checker) else Checker(rules)
    ignores = run_ignores(checker, config) if verdicts else NO_IGNORES
    return UnitContext(checker, config, corpus_state, keep_rows, verdicts, ignores)


def _local_context(checker: Checker, config: Config, corpus_state: dict[str, Any],
                   keep_rows: int | None = None) -> UnitContext:
    return UnitContext(checker, config, corpus_state, keep_rows)


def excerpt_frame(frame: pd.DataFrame, found: pd.DataFrame, per_rule: int) -> pd.DataFrame:
    """``frame`` with string cells blanked except in rows holding one of the first ``per_rule`` span
    findings of a rule: the rows an excerpt collector may read, so texts cross processes only for them.
    Dates, numbers and ``source_path``/``source_line`` (how findings find their rows) stay whole.
    """
    spans = found[found["start"].notna() & found["end"].notna()]
    chosen = spans[spans.groupby("rule", observed=True).cumcount() < per_rule]
    wanted = pd.MultiIndex.from_arrays([chosen["source_path"].astype("str"), chosen["source_line"].astype("int64")])
    rows = pd.MultiIndex.from_arrays([frame["source_path"].astype("str"), frame["source_line"].astype("int64")])
    keep = rows.isin(wanted)
    if keep.all():
        return frame
    out = frame.copy()
    for name in out.columns:
        if name in ("source_path", "source_line"):
            continue
        column = out[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            out[name] = column.where(keep, None)
    return out


def _unit_raw_batches(ctx: UnitContext, unit: Unit, out: UnitOutcome, dates: bool = True) -> Iterator[RawBatch]:
    log = LoadLog()
    config = ctx.config
    try:
        for raw in unit_batches(unit, field_map=config.fields, default_tz=config.default_timezone,
                                dayfirst=config.dayfirst, log=log, dayfirst_sites=tuple(config.dayfirst_sites),
                                dates=dates, batch_rows=config.batch_rows, warc_text=config.warc_text):
            # The sample is chosen where the records are read, by their addresses: the same for every engine.
            yield sample_batch(raw, config.sample, config.seed, log) if config.sample is not None else raw
    except InputError as exc:
        out.error = exc
    out.mappings = log.mappings
    out.records = log.records
    out.skipped = log.skipped
    out.notes = log.notes


def check_unit(ctx: UnitContext, unit: Unit) -> UnitOutcome:
    """Pass two for one unit: validate (all but duplicates) and check every batch it holds."""
    out = UnitOutcome(unit.source)
    for raw in _unit_raw_batches(ctx, unit, out, dates=ctx.checker.needs_dates):
        problems, checkable = validate_posts(raw.frame, SeenIds())
        frame = raw.frame[checkable.to_numpy()].reset_index(drop=True)
        sites = [s for s in frame["site"].dropna().unique().tolist() if isinstance(s, str)]
        # Validated where it is made: in the worker, in parallel, batch by batch.
        found = validate_findings(ctx.checker.check_frame(frame, ctx.corpus_state))
        shown = None
        if ctx.keep_rows is not None:
            shown = frame if ctx.keep_rows == ALL_ROWS else excerpt_frame(frame, found, ctx.keep_rows)
        schema = [p for p in problems if p.code != "SC007"]  # duplicates are found in corpus order later
        ids = raw.frame[["doc_id", DOC_ID_IS_NUMBER, "source_path", "source_line"]]
        verdicts = None
        if ctx.verdicts:  # what the merger would make when the batch holds no duplicate doc_id (the usual case)
            merged = ctx.ignores.drop(merge_problems(found, [*raw.problems, *schema]))
            verdicts = batch_verdicts(ids, merged, ctx.config.fail_on)
        out.batches.append(BatchOutcome(
            problems=raw.problems, schema=schema, ids=ids, findings=found, documents=len(raw.frame),
            checked=len(frame), sites=sites, frame=shown, verdicts=verdicts,
            verdicts_fail_on=ctx.config.fail_on if ctx.verdicts else None,
        ))
    return out


def observe_unit(ctx: UnitContext, unit: Unit) -> UnitOutcome:
    """Pass one for one unit: the corpus-level rules' states for each of its batches."""
    out = UnitOutcome(unit.source)
    for raw in _unit_raw_batches(ctx, unit, out, dates=ctx.checker.observes_dates):
        _, checkable = validate_posts(raw.frame, SeenIds())
        out.states.append(ctx.checker.observe(raw.frame[checkable.to_numpy()].reset_index(drop=True)))
    return out


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings in document order: a stable sort by (source_path, source_line), rules in rule-set order.

    Each batch's findings are put in this order as they are merged, and batches arrive in corpus order, so
    every engine reports the same order however it cuts the corpus into batches (or partitions). Within one
    document and rule the order is the rule's own, which never depends on batching.
    """
    if findings.empty:
        return findings.reset_index(drop=True)
    order = findings.sort_values(["source_path", "source_line"], kind="stable", na_position="first")
    return order.reset_index(drop=True)


def merge_problems(found: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """A batch's findings with its record-level problems as schema findings, a record's schema findings
    before its rule findings (in :func:`sort_findings` order)."""
    if not problems:
        return found
    schema = validate_findings(problems_to_findings(problems))
    return sort_findings(pd.concat([schema, found], ignore_index=True))


class OutcomeMerger:
    """Folds unit outcomes, in corpus order, into the findings store and stats (duplicates found here)."""

    def __init__(self, stats: RunStats, on_batch: Callable[[int], None] | None,
                 on_checked: Callable[[pd.DataFrame, pd.DataFrame], None] | None = None,
                 store: FindingsStore | None = None, tally: FindingsTally | None = None,
                 verdicts: VerdictStore | None = None, fail_on: str = "error", *,
                 ignores: CompiledIgnores = NO_IGNORES) -> None:
        self.stats = stats
        self.ignores = ignores
        self.tally = tally
        self.on_batch = on_batch
        self.on_checked = on_checked
        self.seen_ids = SeenIds()
        self.failed: set[str] = set()
        self.store = store if store is not None else FindingsStore()
        #: One verdict per record read, built from each batch's ids and merged findings (None: not kept).
        self.verdicts = verdicts
        self.fail_on = fail_on

    def add(self, out: UnitOutcome) -> None:
        log = self.stats.load
        if out.source and out.source in self.failed:
            return  # sequential reading would have stopped at the file's error
        for source, mapping in out.mappings.items():
            log.mappings.setdefault(source, mapping)
        log.records += out.records
        for reason, count in out.skipped.items():
            log.skip(reason, count)
        log.notes.extend(note for note in out.notes if note not in log.notes)
        for batch in out.batches:
            duplicates = duplicate_problems(batch.ids, self.seen_ids)
            found = merge_problems(batch.findings, [*batch.problems, *duplicates, *batch.schema])
            found = self.ignores.drop(found)  # per-site/per-path ignores: before the store and the tally
            # Indexed by position in the run: what the tally's heads and a baseline's flags are keyed by.
            found = found.set_axis(pd.RangeIndex(len(self.store), len(self.store) + len(found)))
            self.store.append(found)
            if self.verdicts is not None:
                made = batch.verdicts is not None and not duplicates and batch.verdicts_fail_on == self.fail_on
                self.verdicts.append(batch.verdicts if made else batch_verdicts(batch.ids, found, self.fail_on))
            if self.tally is not None:  # a batch holds whole documents: the summary is counted as it goes
                self.tally.add(found)
            self.stats.documents += batch.documents
            self.stats.checked += batch.checked
            self.stats.sites.update(batch.sites)
            if self.on_checked is not None and batch.frame is not None:
                self.on_checked(batch.frame, batch.findings)
            if self.on_batch is not None:
                self.on_batch(batch.documents)
        if out.error is not None:
            log.errors.append(out.error)
            self.failed.add(out.source)


def run_ignores(checker: Checker, config: Config) -> CompiledIgnores:
    """The config's per-site and per-path ignores compiled against the rules this run checks."""
    return compile_ignores(config.per_site_ignores, config.per_path_ignores, checker.rules)


def merge_observations(checker: Checker, outcomes: Iterable[Any]) -> dict[str, Any]:
    """Merge pass one's per-unit states, in order, for every engine (processes or Dask).

    Units of a file after one that failed are skipped, so a truncated file contributes exactly the records
    pass two will check.
    """
    def states() -> Iterator[dict[str, Any]]:
        failed: set[str] = set()
        for out in outcomes:
            if out.source and out.source in failed:
                continue
            yield from out.states
            if out.error is not None:
                failed.add(out.source)

    return checker.merge(states())


def run(inputs: Iterable[str | Path] | pd.DataFrame, checker: Checker, config: Config,
        on_batch: Callable[[int], None] | None = None,
        on_checked: Callable[[pd.DataFrame, pd.DataFrame], None] | None = None,
        jobs: int | None = None, store: FindingsStore | None = None,
        tally: FindingsTally | None = None, verdicts: VerdictStore | None = None
        ) -> tuple[FindingsStore, RunStats]:
    """Check a corpus and return (findings store, stats). File-level input errors land in ``stats.load``.

    Findings stream into ``store`` (a new :class:`FindingsStore` by default) batch by batch, in corpus order,
    and are folded into ``tally`` (when given) as they arrive; ``verdicts`` (when given) receives one
    verdict per record read (:mod:`qc.verdicts`), in the same order.

    ``on_checked(frame, findings)`` sees each checked batch with its rule findings, in corpus order (reports
    keep bounded text excerpts from it; the engine itself keeps no texts). From worker processes the frame
    comes back with its string cells blanked except in the rows of the first ``on_checked.per_rule`` span
    findings of each rule (when the callback has that attribute): what the excerpt collector reads.

    ``jobs`` worker processes (default: ``config.jobs``, else 1: in this process, because worker processes
    re-import a script's ``__main__``, which needs the ``if __name__ == "__main__":`` guard; the CLI
    defaults to every core) check units in parallel; findings are identical, in the same order, for every
    ``jobs``. Corpus-level rules take two passes: states observed in parallel and merged here, then the
    check, in parallel, with the merged state.
    """
    import time

    from qc.parallel import InFlight, ordered_map

    started = time.perf_counter()
    jobs = jobs or config.jobs or 1
    stats = RunStats(jobs=jobs)
    files: list[InputFile] | None = None
    if not isinstance(inputs, pd.DataFrame):
        files = resolve_inputs(list(inputs))
        if not files:
            raise InputError("no input files found", path=", ".join(map(str, inputs)))

    def units(log: LoadLog, dates: bool) -> Iterator[Unit]:
        # Batches made here (a frame, Parquet, CSV, text files) get dates only when the pass needs them.
        if isinstance(inputs, pd.DataFrame):
            return (Unit("<dataframe>", len(raw.frame), batch=raw)
                    for raw in frame_batches(inputs, config, config.batch_rows, log, dates=dates))
        assert files is not None
        # Worker processes read within a file (the readers' splits); this process only plans them.
        read = iter_units(files, field_map=config.fields, batch_rows=config.batch_rows,
                          default_tz=config.default_timezone, dayfirst=config.dayfirst, log=log,
                          dayfirst_sites=tuple(config.dayfirst_sites), dates=dates,
                          split_bytes=SPLIT_BYTES if jobs > 1 else None, warc_text=config.warc_text)
        return limited_units(read, config, log, dates) if config.limit is not None else read

    def fan_out(fn: Callable[[UnitContext, Unit], UnitOutcome], log: LoadLog, state: dict[str, Any],
                held: InFlight) -> Iterator[UnitOutcome]:
        dates = checker.observes_dates if fn is observe_unit else checker.needs_dates
        # In this process the whole frame is at hand; from workers, only what the callback reads comes back.
        keep = None if on_checked is None else ALL_ROWS if jobs <= 1 else getattr(on_checked, "per_rule", ALL_ROWS)
        if jobs <= 1:
            return ordered_map(fn, units(log, dates), jobs=1, setup=_local_context,
                               setup_args=(checker, config, state, keep), rows_of=lambda u: u.rows, in_flight=held)
        # Workers make the verdicts of their batches (when the run keeps them): less serial work here.
        return ordered_map(fn, units(log, dates), jobs=jobs, setup=worker_context,
                           setup_args=(checker.compile(), config, state, keep, verdicts is not None),
                           rows_of=lambda u: u.rows, in_flight=held)

    held = InFlight()
    corpus_state: dict[str, Any] = {}
    if checker.corpus_rules:  # pass one: bounded per-rule state, merged across units and processes
        corpus_state = merge_observations(checker, fan_out(observe_unit, LoadLog(), {}, held))

    store = store if store is not None else FindingsStore(config.findings_memory_rows)
    merger = OutcomeMerger(stats, on_batch, on_checked, store, tally, verdicts, config.fail_on,
                           ignores=run_ignores(checker, config))
    for out in fan_out(check_unit, stats.load, corpus_state, held):
        merger.add(out)
    stats.max_rows_held = held.max_rows
    stats.seconds = time.perf_counter() - started
    return merger.store, stats
