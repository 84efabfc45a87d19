"""The Python API: ``qc.check(paths_or_frame, config=None)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qc.config import Config, load_config
from qc.engine import Checker, RunStats, run
from qc.errors import ConfigError, InputError
from qc.excerpts import ExcerptCollector, Excerpts
from qc.fixing.actions import check_action_keys
from qc.ignores import check_selectors, known_rules
from qc.load import is_dask_frame
from qc.registry import RuleSet, load_rules, with_rule_options, with_severities
from qc.schemas import validate_findings
from qc.store import FindingsStore
from qc.summary import Gate, Summary, evaluate_gate, summarise
from qc.tally import FindingsTally
from qc.verdicts import VerdictStore

if TYPE_CHECKING:
    from qc.baseline import BaselineOutcome
    from qc.fixing.run import FixReport


@dataclass
class CheckResult:
    """What a check produced: the findings (in a store), their tally, the summary, the gate and run stats."""

    store: FindingsStore
    tally: FindingsTally
    summary: Summary
    gate: Gate
    stats: RunStats
    ruleset: RuleSet
    config: Config
    inputs: list[str]
    #: Bounded text excerpts (contexts, a few documents, a date sample) for the reports; optional.
    excerpts: Excerpts | None = None
    #: Set by :func:`qc.baseline.apply_baseline`: which findings are new and which entries are gone.
    baseline: BaselineOutcome | None = None
    #: One verdict per record read, in corpus order (:mod:`qc.verdicts`): ``.chunks()`` or ``.to_frame()``.
    verdicts: VerdictStore | None = None

    @property
    def findings(self) -> pd.DataFrame:
        """Every finding as one frame (built on each access; reports read ``store.chunks()`` instead)."""
        return self.store.to_frame()

    @property
    def input_errors(self) -> list[InputError]:
        """File-level input problems met during the run (they make the CLI exit 2)."""
        return self.stats.load.errors


def resolve_ruleset(config: Config) -> RuleSet:
    """Load the packs the config names and apply its select/ignore selectors."""
    ruleset = load_rules([Path(p) for p in config.rules], include_builtin=config.builtin_rules)
    if config.severity:
        ruleset = with_severities(ruleset, config.severity, config.source)
    if config.rule_options:
        ruleset = with_rule_options(ruleset, config.rule_options, config.source)
    check_action_keys(config.actions, ruleset, config.source)  # qc check refuses a typo qc fix would
    rules = known_rules(ruleset)
    check_selectors(config.per_site_ignores, "per-site-ignores", rules, config.source)
    check_selectors(config.per_path_ignores, "per-path-ignores", rules, config.source)
    chosen = ruleset.select(config.select, config.ignore)
    return replace(chosen, max_findings_per_document=config.max_findings_per_document)


def _check_rate_keys(config: Config, ruleset: RuleSet) -> None:
    known = set(ruleset.families()) | {"schema"} | {r.code for r in ruleset}
    for key in config.max_doc_rate:
        if key not in known and not any(code.startswith(key) for code in known if key.isupper()):
            raise ConfigError(f"{key!r} is neither a family nor a rule code", field="max-doc-rate")


def check(inputs: str | Path | Iterable[str | Path] | pd.DataFrame | Any, config: Config | dict[str, Any] | None = None,
          *, ruleset: RuleSet | None = None, on_batch: Callable[[int], None] | None = None,
          excerpts: bool = True) -> CheckResult:
    """Check a corpus (paths, directories, globs, or a DataFrame) and return findings, summary and gate.

    ``config`` is a :class:`Config`, a dict of config keys, or None to use the discovered config file.
    Raises :class:`qc.errors.QcError` for usage, config, rule or input errors (exit 2 in the CLI); an
    empty corpus is an :class:`InputError`, never a passing gate. ``excerpts`` keeps bounded text
    context for the reports (see :mod:`qc.excerpts`). Findings stream into ``result.store`` (bounded
    memory, spilled to disk past ``findings-memory-rows``); ``result.findings`` builds the whole frame.
    """
    if config is None:
        config = load_config()
    elif isinstance(config, dict):
        config = load_config(search=False, overrides=config)
    ruleset = ruleset if ruleset is not None else resolve_ruleset(config)
    _check_rate_keys(config, ruleset)
    checker = Checker(ruleset)
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    frame_input = isinstance(inputs, pd.DataFrame) or is_dask_frame(inputs)
    source: Any = inputs if frame_input else list(inputs)
    collector = ExcerptCollector() if excerpts else None
    tally = new_tally(ruleset)  # filled as batches arrive: no second pass over the findings
    verdicts = VerdictStore(config.findings_memory_rows)
    if config.engine == "dask" or is_dask_frame(inputs):
        from qc.distributed import run_dask  # the optional extra is imported only when asked for

        store, stats = run_dask(source, checker, config, on_batch=on_batch, on_checked=collector, tally=tally,
                                verdicts=verdicts)
    else:
        store, stats = run(source, checker, config, on_batch=on_batch, on_checked=collector, tally=tally,
                           verdicts=verdicts)
    names = ["<dataframe>"] if frame_input else [str(i) for i in source]
    if stats.documents == 0 and not stats.load.errors:
        raise InputError("the corpus has no records", path=", ".join(names))
    summary = summarise(tally, stats.documents, stats.checked, len(stats.sites), ruleset, stats.seconds)
    gate = evaluate_gate(tally, summary, config)
    return CheckResult(store, tally, summary, gate, stats, ruleset, config, names,
                       excerpts=collector.excerpts if collector is not None else None, verdicts=verdicts)


def new_tally(ruleset: RuleSet) -> FindingsTally:
    """An empty tally that knows the rule set's repeated-lines rules (their matches name leaked lines)."""
    return FindingsTally(repeated_codes=frozenset(rule.code for rule in ruleset if rule.kind == "repeated_lines"))


def tally_store(store: FindingsStore, ruleset: RuleSet, keep: Any = None, *, validate: bool = True
                ) -> FindingsTally:
    """Tally stored findings in one pass, validating each chunk against :class:`qc.schemas.FindingsSchema`.

    ``keep`` (a boolean array over the run's findings) tallies only those findings (e.g. the new ones).
    """
    tally = new_tally(ruleset)
    for chunk in store.chunks(whole_documents=True):
        if validate:
            validate_findings(chunk)
        tally.add(chunk if keep is None else chunk[keep[chunk.index.to_numpy()]])
    return tally


def fix(paths: str | Path | Iterable[str | Path], out: Path | None, config: Config | dict[str, Any] | None = None,
        *, overwrite: bool = False, diff_limit: int | None = None, on_batch: Callable[[int], None] | None = None
        ) -> tuple[CheckResult, FixReport]:
    """Check a corpus, then write its cleaned copy, quarantine and manifest under ``out`` (see
    :mod:`qc.fixing.run`); with ``out`` None, collect the first ``diff_limit`` changes instead (a dry run).

    ``out`` is refused before the check when it is, holds or lies in an input's folder, or exists and is
    not empty without ``overwrite`` (:class:`qc.errors.OutputError`).
    """
    from qc.fixing.run import check_out_dir, check_writers, fix_corpus, plan_files

    if config is None:
        config = load_config()
    elif isinstance(config, dict):
        config = load_config(search=False, overrides=config)
    specs = [str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    planned = plan_files(specs)
    if out is not None:
        check_out_dir(out, specs, planned, overwrite)
    check_writers(planned)
    # Every finding is acted on: a per-document cap would leave some of them in the cleaned text.
    fixing = config.model_copy(update={"max_findings_per_document": 0})
    result = check(specs, fixing, ruleset=_unlimited(resolve_ruleset(fixing), config), on_batch=on_batch,
                   excerpts=False)
    report = fix_corpus(specs, result.store, result.ruleset, config, result.stats.load.mappings,
                        result.input_errors, out, records_read=result.stats.documents, diff_limit=diff_limit)
    return result, report


#: The per-document finding limit of the rules qc fix cuts with: every occurrence is cut in one run.
FIX_LIMIT = 1_000_000


def _unlimited(ruleset: RuleSet, config: Config) -> RuleSet:
    """``ruleset`` with no per-document ``limit`` on the rules whose findings ``qc fix`` strips or drops
    (unless ``rule-options`` sets one): a limit would leave occurrences for a second run to cut."""
    from qc.fixing.actions import ActionPlan
    from qc.registry import kind_options

    plan = ActionPlan.build(ruleset, config.actions)
    options = {rule.code: {"limit": FIX_LIMIT} for rule in ruleset
               if plan.get(rule.code).action in ("strip", "drop") and "limit" in kind_options(rule)
               and "limit" not in config.rule_options.get(rule.code, {})}
    return replace(with_rule_options(ruleset, options), max_findings_per_document=0) if options else ruleset
