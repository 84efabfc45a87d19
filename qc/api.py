"""The Python API: ``qc.check(paths_or_frame, config=None)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qc.config import Config, load_config
from qc.engine import Checker, RunStats, run
from qc.errors import ConfigError, InputError
from qc.excerpts import ExcerptCollector, Excerpts
from qc.registry import RuleSet, load_rules
from qc.schemas import validate_findings
from qc.summary import Gate, Summary, evaluate_gate, summarise

if TYPE_CHECKING:
    from qc.baseline import BaselineOutcome


@dataclass
class CheckResult:
    """What a check produced: the validated findings frame, the summary, the gate and run stats."""

    findings: pd.DataFrame
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

    @property
    def input_errors(self) -> list[InputError]:
        """File-level input problems met during the run (they make the CLI exit 2)."""
        return self.stats.load.errors


def resolve_ruleset(config: Config) -> RuleSet:
    """Load the packs the config names and apply its select/ignore selectors."""
    ruleset = load_rules([Path(p) for p in config.rules], include_builtin=config.builtin_rules)
    return ruleset.select(config.select, config.ignore)


def _check_rate_keys(config: Config, ruleset: RuleSet) -> None:
    known = set(ruleset.families()) | {"schema"} | {r.code for r in ruleset}
    for key in config.max_doc_rate:
        if key not in known and not any(code.startswith(key) for code in known if key.isupper()):
            raise ConfigError(f"{key!r} is neither a family nor a rule code", field="max-doc-rate")


def is_dask_frame(value: Any) -> bool:
    """True for a dask DataFrame (checked without importing dask, an optional extra)."""
    return type(value).__module__.startswith("dask") and hasattr(value, "to_delayed")


def check(inputs: str | Path | Iterable[str | Path] | pd.DataFrame | Any, config: Config | dict[str, Any] | None = None,
          *, ruleset: RuleSet | None = None, on_batch: Callable[[int], None] | None = None,
          excerpts: bool = True) -> CheckResult:
    """Check a corpus (paths, directories, globs, or a DataFrame) and return findings, summary and gate.

    ``config`` is a :class:`Config`, a dict of config keys, or None to use the discovered config file.
    Raises :class:`qc.errors.QcError` for usage, config, rule or input errors (exit 2 in the CLI); an
    empty corpus is an :class:`InputError`, never a passing gate. ``excerpts`` keeps bounded text
    context for the reports (see :mod:`qc.excerpts`).
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
    if config.engine == "dask" or is_dask_frame(inputs):
        from qc.distributed import run_dask  # the optional extra is imported only when asked for

        findings, stats = run_dask(source, checker, config, on_batch=on_batch, on_checked=collector)
    else:
        findings, stats = run(source, checker, config, on_batch=on_batch, on_checked=collector)
    names = ["<dataframe>"] if frame_input else [str(i) for i in source]
    if stats.documents == 0 and not stats.load.errors:
        raise InputError("the corpus has no records", path=", ".join(names))
    findings = validate_findings(findings)
    summary = summarise(findings, stats.documents, stats.checked, len(stats.sites), ruleset, stats.seconds)
    gate = evaluate_gate(findings, summary, config)
    return CheckResult(findings, summary, gate, stats, ruleset, config, names,
                       excerpts=collector.excerpts if collector is not None else None)
