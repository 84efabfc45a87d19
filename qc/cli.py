"""The ``qc`` command: check a corpus, explain and test rules.

Exit codes: 0 the gate passed, 1 the gate failed, 2 a usage, config, rule, input or output error or any
crash (one line on stderr, no traceback unless ``--debug``), 130 / 143 stopped by SIGINT / SIGTERM.
Only a verdict exits 1 (see :func:`main`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from qc import __version__, interrupts
from qc.errors import QcError, RuleErrors
from qc.safe_text import WorkflowCommandGuard, one_line, visible

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="qc",
    help="corpus-qc: find boilerplate leakage, unfilled placeholders and date problems in scraped corpora.",
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)
rules_app = typer.Typer(help="List, explain and test rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

#: ``verdict``: a command decided exit 1 itself (a failed gate, a rule example that disagrees); any other
#: exit 1 is click's (a closed pipe, "Aborted!") and :func:`main` turns it into 2.
_state = {"debug": False, "verdict": False}
err_console = Console(stderr=True, highlight=False)


def _fail(exc: BaseException) -> typer.Exit:
    """Print one line for an error and return the exit to raise."""
    if _state["debug"]:
        import traceback

        traceback.print_exception(exc)
    if isinstance(exc, RuleErrors):  # every problem of the rule packs, one line each
        for error in exc.errors:
            _print_error(error)
        return typer.Exit(EXIT_ERROR)
    message = str(exc) if isinstance(exc, QcError) else f"internal error: {type(exc).__name__}: {exc}"
    _print_error(message)
    return typer.Exit(EXIT_ERROR)


def _verdict(passed: bool) -> typer.Exit:
    """The exit for a verdict: 0 passed, 1 failed (the only way to exit 1)."""
    _state["verdict"] = True
    return typer.Exit(EXIT_OK if passed else EXIT_FAIL)


class _Crashed(BaseException):
    """Carries an unexpected exception from a command past click to :func:`main`: click would print
    "Aborted!" for an EOFError, or nothing for a closed pipe, and exit 1, a failed gate's code."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def _guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Let only ``typer.Exit`` leave a command: any other exception goes to :func:`main` as :class:`_Crashed`."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, interrupts.Interrupted):
            raise
        except Exception as exc:
            raise _Crashed(exc) from None

    return run


def _print_error(message: object) -> None:
    """``qc: error: MESSAGE`` on stderr as one physical line: file names and record text in an error are
    hostile, so controls and line breaks are shown escaped and no workflow command can start in it."""
    err_console.print(f"qc: error: {escape(one_line(message))}", soft_wrap=True)


@contextlib.contextmanager
def _stdout_console() -> Iterator[Console]:
    """A console on stdout for the ``rules`` commands, whose lines cannot start a workflow command."""
    guard = WorkflowCommandGuard(sys.stdout)
    try:
        yield Console(file=guard, highlight=False)  # type: ignore[arg-type]  # a TextIO in all but name
    finally:
        guard.close()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corpus-qc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    _state["debug"] = debug


# Options shared by the commands that run a check (``check`` and ``eval``).
RulesOption = Annotated[list[Path] | None, typer.Option("--rules", help="Extra rule-pack directory (repeatable).",
                                                         rich_help_panel="Rule selection")]
SelectOption = Annotated[list[str] | None, typer.Option("--select", help="Code, prefix, family, name or ALL.",
                                                         rich_help_panel="Rule selection")]
IgnoreOption = Annotated[list[str] | None, typer.Option("--ignore", help="Selectors to leave out.",
                                                         rich_help_panel="Rule selection")]
NoBuiltinOption = Annotated[bool, typer.Option("--no-builtin", help="Do not load the built-in packs.",
                                               rich_help_panel="Rule selection")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Config file (qc.toml or pyproject.toml).")]
OutputOption = Annotated[Path | None, typer.Option("--output", help="Write the report to FILE instead of stdout.",
                                                   rich_help_panel="Output")]
TimezoneOption = Annotated[str | None, typer.Option("--timezone", help="Time zone for naive timestamps.")]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).",
                                                rich_help_panel="Scale")]
EngineOption = Annotated[str | None, typer.Option("--engine", help="local or dask.", rich_help_panel="Scale")]
SchedulerOption = Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).",
                                                     rich_help_panel="Scale")]
BatchRowsOption = Annotated[int | None, typer.Option("--batch-rows", min=1, help="Records per batch (memory bound).",
                                                     rich_help_panel="Scale")]


def _load_config(config_file: Path | None, overrides: dict[str, Any], rules: list[Path] | None,
                 no_builtin: bool) -> Any:
    """The config file (given or discovered) with command-line overrides and extra rule packs applied."""
    from qc.config import load_config

    config = load_config(config_file, overrides=overrides)
    if rules:
        config.rules = [*config.rules, *map(str, rules)]
        config.mark_flag("rules")
    if no_builtin:
        config.builtin_rules = False
        config.mark_flag("builtin-rules")
    return config


def _write_report(write: Any, payload: Any, output: Path | None) -> None:
    """Render ``payload`` with ``write`` to ``--output`` FILE (whole or not at all), or to stdout."""
    from qc.outputs import atomic_output, write_stdout

    if output is None:
        write_stdout(lambda out: write(payload, out))
        return
    with atomic_output(output, "--output") as handle:
        write(payload, handle)


def _check_outputs(paths: list[str], config: Any, outputs: dict[str, Path | None],
                   reads: dict[str, Path | None], may_replace: dict[str, Path | None] | None = None) -> None:
    """Refuse, before any work, an output that would write over the corpus, a rule, the config or another
    file the run reads (see :mod:`qc.outputs`)."""
    from qc.outputs import ReadFile, check_outputs, corpus_reads, rule_reads
    from qc.paths import builtin_rules_dir

    named = {**reads, "config file": Path(config.source) if config.source else None}

    def everything_read() -> list[ReadFile]:
        rule_paths = [*([builtin_rules_dir()] if config.builtin_rules else []), *config.rules]
        return [*corpus_reads(paths), *rule_reads(rule_paths),
                *(ReadFile(role, path) for role, path in named.items() if path is not None)]

    check_outputs(outputs, everything_read, may_replace)


def _parse_rates(values: list[str]) -> dict[str, float]:
    from qc.errors import ConfigError

    rates: dict[str, float] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        try:
            if not sep or not key:
                raise ValueError
            rates[key.strip()] = float(raw)
        except ValueError:
            raise ConfigError(f"expected FAMILY_OR_CODE=RATE, got {item!r}", field="--max-doc-rate") from None
    return rates


@app.command()
@_guarded
def check(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or globs to check.")],
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    no_builtin: NoBuiltinOption = False,
    config_file: ConfigOption = None,
    output_format: Annotated[str | None, typer.Option("--format", help="terminal, json, junit, github, gitlab, "
                                                      "sarif or html.", rich_help_panel="Output")] = None,
    output: OutputOption = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="error, warning, info or never.",
                                                rich_help_panel="CI")] = None,
    max_doc_rate: Annotated[list[str] | None, typer.Option("--max-doc-rate", help="FAMILY_OR_CODE=RATE (0-1).",
                                                           rich_help_panel="CI")] = None,
    timezone: TimezoneOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Terminal report: the verdict line only.",
                                        rich_help_panel="Output")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Terminal report: every finding.",
                                          rich_help_panel="Output")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report to FILE.",
                                              rich_help_panel="Output")] = None,
    findings_file: Annotated[Path | None, typer.Option("--findings", help="Also write the findings frame to "
                                                       "FILE.parquet or FILE.jsonl.", rich_help_panel="Output")
                             ] = None,
    verdicts_file: Annotated[Path | None, typer.Option("--verdicts", help="Also write one verdict per record "
                                                       "(worst severity, rules, passes) to FILE.parquet or "
                                                       "FILE.jsonl.", rich_help_panel="Output")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Gate only on findings not in this "
                                                  "baseline file.", rich_help_panel="CI")] = None,
    write_baseline: Annotated[Path | None, typer.Option("--write-baseline", help="Record the current findings "
                                                        "as a baseline FILE.", rich_help_panel="CI")] = None,
    jobs: JobsOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
    batch_rows: BatchRowsOption = None,
    reports: Annotated[list[str] | None, typer.Option("--report", help="Also write the report in FORMAT to FILE "
                                                      "(FORMAT=FILE, repeatable): one run, every CI report.",
                                                      rich_help_panel="Output")] = None,
    warc_text: Annotated[str | None, typer.Option("--warc-text", help="HTML in WARC files: naive (every visible "
                                                  "text node) or main (main content).", rich_help_panel="Input")
                         ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Check only the first N records.",
                                              rich_help_panel="Input")] = None,
    sample: Annotated[float | None, typer.Option("--sample", help="Check a deterministic sample of this share "
                                                 "(0-1] of records.", rich_help_panel="Input")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of --sample.", rich_help_panel="Input")] = None,
) -> None:
    """Check a corpus and gate on the result (exit 0 pass, 1 fail, 2 error)."""
    if jobs != 1 and engine in (None, "local"):
        from qc.parallel import start_early

        start_early()  # worker processes' imports overlap ours
    from qc.api import check as run_check
    from qc.render import OutputFormat, renderer

    try:
        extra_reports = _parse_reports(reports or [])
        overrides: dict[str, Any] = {
            "select": select or None,
            "ignore": ignore or None,
            "fail_on": fail_on,
            "format": output_format,
            "default_timezone": timezone,
            "jobs": jobs,
            "engine": engine,
            "scheduler": scheduler,
            "batch_rows": batch_rows,
            "warc_text": warc_text,
            "limit": limit,
            "sample": sample,
            "seed": seed,
        }
        config = _load_config(config_file, overrides, rules, no_builtin)
        if max_doc_rate:
            config.max_doc_rate = {**config.max_doc_rate, **_parse_rates(max_doc_rate)}
            config.mark_flag("max-doc-rate")
        try:
            fmt = OutputFormat(config.format)
        except ValueError:
            from qc.errors import ConfigError

            choices = ", ".join(f.value for f in OutputFormat)
            raise ConfigError(f"unknown format {config.format!r} (choose {choices})", field="--format") from None
        if findings_file is not None:
            from qc.render.findings_file import findings_suffix

            findings_suffix(findings_file)
        if verdicts_file is not None:
            from qc.render.findings_file import findings_suffix

            findings_suffix(verdicts_file, "--verdicts")
        _check_outputs(paths, config, {"--output": output, "--html": html, "--findings": findings_file,
                                       "--verdicts": verdicts_file,
                                       "--write-baseline": write_baseline,
                                       **{f"--report {fmt.value}={target}": target for fmt, target in extra_reports}},
                       {"--baseline": baseline}, may_replace={"--write-baseline": baseline})
        result = _run_checked(run_check, paths, config, quiet)
        result = _extra_outputs(result, html, findings_file, baseline, write_baseline, verdicts_file)
        _write_extra_reports(result, extra_reports)
        write = renderer(fmt)
        if fmt is OutputFormat.terminal and (quiet or verbose):
            write = _terminal_writer(-1 if quiet else 1)
        _write_report(write, result, output)
    except QcError as exc:
        raise _fail(exc) from None
    for error in result.input_errors:
        _print_error(error)
    if result.input_errors:
        raise typer.Exit(EXIT_ERROR)
    if write_baseline is not None:
        raise typer.Exit(EXIT_OK)  # recording a baseline accepts today's findings: it is not a gate run
    raise _verdict(result.gate.passed)


@app.command("fix")
@_guarded
def fix_command(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or globs to clean.")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write the cleaned corpus, .qc/quarantine.jsonl "
                                             "and .qc/manifest.json into.", rich_help_panel="Output")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Write into an existing, non-empty --out.",
                                            rich_help_panel="Output")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print what would change (a unified diff), write nothing.",
                                       rich_help_panel="Output")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="--diff: records to show.",
                                       rich_help_panel="Output")] = 5,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    no_builtin: NoBuiltinOption = False,
    config_file: ConfigOption = None,
    timezone: TimezoneOption = None,
    jobs: JobsOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
    batch_rows: BatchRowsOption = None,
) -> None:
    """Write a cleaned copy of a corpus: boilerplate stripped, broken records quarantined, a manifest (exit 0, or 2).

    Each rule's findings are stripped, dropped, flagged or kept ([tool.qc.actions]; qc rules show CODE says
    which). The check runs as qc check would, with the same inputs, rules and config.
    """
    from qc.api import fix as run_fix
    from qc.errors import ConfigError

    try:
        if diff and out is not None:
            raise ConfigError("--diff writes nothing: leave out --out (or --diff)", field="--diff")
        if not diff and out is None:
            raise ConfigError("say where the cleaned corpus goes (--out DIR), or preview it with --diff",
                              field="--out")
        overrides: dict[str, Any] = {"select": select or None, "ignore": ignore or None, "default_timezone": timezone,
                                     "jobs": jobs, "engine": engine, "scheduler": scheduler,
                                     "batch_rows": batch_rows}
        config = _load_config(config_file, overrides, rules, no_builtin)
        result, report = _fixed(run_fix, paths, out, config, overwrite, limit if diff else None)
    except QcError as exc:
        raise _fail(exc) from None
    if diff:
        from qc.outputs import write_stdout
        from qc.render.fix_diff import render_diff

        def show(stream: Any) -> None:
            render_diff(report.changes, stream)

        write_stdout(show)
    else:
        assert out is not None
        records = report.records
        err_console.print(
            f"qc fix: wrote {len(report.outputs)} file{'s' if len(report.outputs) != 1 else ''} to "
            f"{escape(one_line(out))}: {result.stats.documents} records read, {records['changed']} changed, "
            f"{records['dropped']} dropped (.qc/quarantine.jsonl), {records['flagged']} flagged, "
            f"{records['unreadable']} unreadable passed through; manifest: .qc/manifest.json", soft_wrap=True)
    for error in result.input_errors:
        _print_error(error)
    raise typer.Exit(EXIT_ERROR if result.input_errors else EXIT_OK)


def _fixed(run_fix: Any, paths: list[str], out: Path | None, config: Any, overwrite: bool,
           diff_limit: int | None) -> Any:
    """Run the fix with a progress bar on stderr when stderr is a terminal, as :func:`_run_checked`."""
    from qc.parallel import default_jobs
    from qc.render.progress import checking_progress, estimate_documents, progress_wanted

    if config.jobs is None and config.engine == "local":
        config.jobs = default_jobs()
    show = progress_wanted(sys.stderr)
    total = estimate_documents(paths) if show else None
    with checking_progress(err_console if show else None, total=total) as on_batch:
        return run_fix(paths, out, config, overwrite=overwrite, diff_limit=diff_limit, on_batch=on_batch)


@app.command("eval")
@_guarded
def eval_command(
    paths: Annotated[list[str], typer.Argument(help="Corpus files, directories or globs.")],
    labels: Annotated[Path, typer.Option("--labels", help='JSON Lines: {"doc_id": ..., "labels": [...]}.')],
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    no_builtin: NoBuiltinOption = False,
    config_file: ConfigOption = None,
    output_format: Annotated[str, typer.Option("--format", help="terminal or json.",
                                               rich_help_panel="Output")] = "terminal",
    output: OutputOption = None,
) -> None:
    """Measure rules against labels: precision, recall and F1 per family and per rule (exit 0, or 2)."""
    from qc.api import check as run_check
    from qc.errors import ConfigError
    from qc.evaluate import corpus_doc_ids, evaluate, load_labels
    from qc.render.evaluation import render_json, render_terminal

    try:
        if output_format not in ("terminal", "json"):
            raise ConfigError(f"unknown format {output_format!r} (choose terminal, json)", field="--format")
        config = _load_config(config_file, {"select": select or None, "ignore": ignore or None}, rules, no_builtin)
        _check_outputs(paths, config, {"--output": output}, {"--labels": labels})
        truth = load_labels(labels)
        result = run_check(paths, config)
        report = evaluate(result.findings, truth, result.ruleset, corpus_doc_ids(paths, config))
        write = render_json if output_format == "json" else render_terminal
        _write_report(write, report, output)
    except QcError as exc:
        raise _fail(exc) from None
    for error in result.input_errors:
        _print_error(error)
    raise typer.Exit(EXIT_ERROR if result.input_errors else EXIT_OK)


def _run_checked(run_check: Any, paths: list[str], config: Any, quiet: bool) -> Any:
    """Run the check with a progress bar on stderr when stderr is a terminal (and not CI/NO_COLOR)."""
    from qc.parallel import default_jobs
    from qc.render.progress import checking_progress, estimate_documents, progress_wanted

    if config.jobs is None and config.engine == "local":
        config.jobs = default_jobs()  # the CLI uses every core unless told otherwise
    show = not quiet and progress_wanted(sys.stderr)
    total = estimate_documents(paths) if show else None
    with checking_progress(err_console if show else None, total=total) as on_batch:
        return run_check(paths, config, on_batch=on_batch)


def _extra_outputs(result: Any, html: Path | None, findings_file: Path | None, baseline: Path | None,
                   write_baseline: Path | None, verdicts_file: Path | None = None) -> Any:
    """Apply ``--baseline``, then write ``--write-baseline``, ``--findings``, ``--verdicts`` and ``--html``
    files (each whole).

    The baseline is read before the new one is written, so both options may name one file (a ratchet).
    """
    from qc.baseline import apply_baseline
    from qc.baseline import write_baseline as record_baseline
    from qc.outputs import atomic_output

    if baseline is not None:
        result = apply_baseline(result, baseline)
    if write_baseline is not None:
        with atomic_output(write_baseline, "--write-baseline") as handle:
            count = record_baseline(result.store, handle)
        err_console.print(f"qc: wrote {count} baseline entries to {escape(one_line(write_baseline))}",
                          soft_wrap=True)
    if findings_file is not None:
        from qc.render.findings_file import write_findings

        write_findings(result.store, findings_file)
    if verdicts_file is not None and result.verdicts is not None:
        from qc.render.verdicts_file import write_verdicts

        write_verdicts(result.verdicts, verdicts_file)
    if html is not None:
        from qc.render import html as html_render

        with atomic_output(html, "--html") as handle:
            html_render.render(result, handle)
    return result


def _terminal_writer(verbosity: int) -> Any:
    from qc.render import terminal

    def write(result: Any, out: Any) -> None:
        terminal.render(result, out, verbosity=verbosity)

    return write


def _ruleset(rules: list[Path] | None, no_builtin: bool = False) -> Any:
    from qc.registry import load_rules

    return load_rules(rules or [], include_builtin=not no_builtin)


@rules_app.command("list")
@_guarded
def rules_list(
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="Extra rule-pack directory.")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="Selectors to show.")] = None,
) -> None:
    """A table of the rules: code, name, family, kind, severity and summary."""
    try:
        ruleset = _ruleset(rules).select(select or ["ALL"])
    except QcError as exc:
        raise _fail(exc) from None
    table = Table(title=f"{len(ruleset)} rules")
    for name in ("code", "name", "family", "kind", "severity", "summary"):
        table.add_column(name)
    for rule in ruleset:  # rule files are untrusted too: every value shown with its controls escaped
        table.add_row(*(Text(visible(value, "mark")) for value in (rule.code, rule.name, rule.family, rule.kind,
                                                                   rule.severity.value, rule.summary)))
    with _stdout_console() as console:
        console.print(table)


@rules_app.command("show")
@_guarded
def rules_show(
    code: Annotated[str, typer.Argument(help="Rule code or name.")],
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="Extra rule-pack directory.")] = None,
) -> None:
    """Explain one rule: what it does, why it matters, its examples, its effective options and how to silence it."""
    from qc.config import load_config
    from qc.errors import ConfigError
    from qc.examples import run_examples
    from qc.fixing.actions import rule_action
    from qc.registry import RuleSet, with_rule_options
    from qc.ruledocs import rule_options

    try:
        config = load_config()  # the discovered config's [tool.qc.rule-options] are part of the rule shown
        ruleset = _ruleset([*(Path(p) for p in config.rules), *(rules or [])], not config.builtin_rules)
        if config.rule_options:
            ruleset = with_rule_options(ruleset, config.rule_options, config.source)
        rule = ruleset.get(code)
        if rule is None:
            raise ConfigError(f"no rule with code or name {code!r}", field="CODE")
        overridden = config.rule_options.get(rule.code, {})
        # An override may change what the rule's own examples show: say so instead of refusing it.
        disagree = [r for r in run_examples(RuleSet([rule])) if not r.ok] if overridden else []
    except QcError as exc:
        raise _fail(exc) from None
    def shown(value: object, newlines: Any = "escape") -> str:  # rule files are untrusted: no markup, no controls
        return escape(visible(value, newlines))

    with _stdout_console() as console:
        console.print(f"[bold]{shown(rule.name)}[/bold] ({shown(rule.code)})")
        console.print(f"family: {shown(rule.family)}   kind: {shown(rule.kind)}   severity: {rule.severity.value}"
                      f"   status: {shown(rule.status)}   source: {shown(rule.source)}")
        fix = rule_action(rule, config.actions)
        origin = {"config": f"set by actions in {shown(config.source)}", "rule": "set by the rule's action key",
                  "default": f"the {shown(rule.family)} family's default"}[fix.origin]
        console.print(f"qc fix: {fix.action}   [dim]({origin})[/dim]   strip scope: {fix.scope} "
                      f"[dim]({'every line a finding touches' if fix.whole_line else 'the match only'})[/dim]")
        console.print("\n[bold]What it does[/bold]")
        console.print(shown(rule.summary, "keep"))
        console.print("\n[bold]Why is this bad?[/bold]")
        console.print(shown(rule.why, "keep"))
        for result in disagree:
            console.print(f"  [yellow]with these options the {result.expectation} example {result.index + 1} "
                          f"{'is no longer flagged' if result.expectation == 'fail' else 'is now flagged'}:"
                          f"[/yellow] {shown(result.text[:80], 'mark')}")
        console.print("\n[bold]Flagged (fail examples)[/bold]")
        for example in rule.examples.fail:
            _print_example(console, "✗", example)
        console.print("\n[bold]Left alone (pass examples)[/bold]")
        for example in rule.examples.pass_:
            _print_example(console, "✓", example)
        console.print(f"\n[bold]Options[/bold] (of the {shown(rule.kind)} kind: this rule's value, then the default)")
        options = rule_options(rule)
        for key, value, default in options:
            origin = f", set by rule-options in {shown(config.source)}" if key in overridden else ""
            console.print(f"  {shown(key)}: {shown(json.dumps(value, ensure_ascii=False, default=str))}"
                          f"   [dim](default: {shown(default)}{origin})[/dim]", overflow="fold")
        if not options:
            console.print("  none beyond the shared keys")
        console.print("\n[bold]Silence it[/bold]")
        console.print(f"  one run:  qc check --ignore {shown(rule.code)} …")
        console.print(f'  always:   ignore = ["{shown(rule.code)}"] under \\[tool.qc] in pyproject.toml or qc.toml')
        console.print(f'  demote:   \\[tool.qc.severity] {shown(rule.code)} = "info"')


def _print_example(console: Console, mark: str, example: Any) -> None:
    """One example, every line of a multi-line text indented under its mark (not flush left)."""
    lines = visible(example.text, "keep").splitlines() or [""]
    console.print(f"  {mark} {escape(lines[0])}")
    for line in lines[1:]:
        console.print(f"    {escape(line)}")
    _print_example_fields(console, example)


def _print_example_fields(console: Console, example: Any) -> None:
    """An example's other fields (posted_at, captured_at…): date rules' examples mean nothing without them."""
    for key, value in (example.model_extra or {}).items():
        console.print(f"      [dim]{escape(visible(key))}: {escape(visible(value))}[/dim]")


@rules_app.command("test")
@_guarded
def rules_test(
    path: Annotated[Path, typer.Argument(help="A rule-pack directory or rule file.")],
) -> None:
    """Run every rule's fail/pass examples in a pack; exit 1 if any example disagrees."""
    from qc.examples import run_examples
    from qc.registry import load_rules

    try:
        ruleset = load_rules([path], include_builtin=False)
        results = run_examples(ruleset)
    except QcError as exc:
        raise _fail(exc) from None
    failed = [r for r in results if not r.ok]
    with _stdout_console() as console:
        for result in failed:
            console.print(f"[red]FAIL[/red] {escape(visible(result.rule))} {result.expectation}[{result.index}]: "
                          f"expected {'a finding' if result.expectation == 'fail' else 'no finding'}, "
                          f"got {escape(visible(result.findings))}: {escape(visible(result.text[:80], 'mark'))}")
        console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    raise _verdict(not failed)


#: Memory set aside at start-up and given back on a crash, so that after a MemoryError there is room to
#: print the one line and exit 2.
_RESERVE_BYTES = 8 << 20


# -- qc config: the effective settings and where each came from ---------------------------------------------

@app.command("config")
@_guarded
def config_command(
    config_file: ConfigOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="error, warning, info or never.")] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", help="Time zone for naive timestamps.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="terminal or json.")] = "terminal",
) -> None:
    """Print every setting's effective value and where it came from (default, the config file, or a flag)."""
    import json

    from qc.api import resolve_ruleset
    from qc.config import settings_document, settings_rows
    from qc.errors import ConfigError

    overrides = {"select": select or None, "ignore": ignore or None, "fail_on": fail_on,
                 "default_timezone": timezone}
    try:
        if output_format not in ("terminal", "json"):
            raise ConfigError(f"unknown format {output_format!r} (choose terminal, json)", field="--format")
        config = _load_config(config_file, overrides, None, False)
        settings = settings_rows(config)
        ruleset = resolve_ruleset(config)  # selectors and severity overrides must name real rules
    except QcError as exc:
        raise _fail(exc) from None
    if output_format == "json":
        typer.echo(json.dumps(settings_document(config, len(ruleset)), indent=2, ensure_ascii=False))
        return
    table = Table(title=f"config file: {escape(config.source or 'none found')} · {len(ruleset)} rules selected",
                  title_justify="left")
    for name in ("key", "value", "source"):
        table.add_column(name, overflow="fold")
    for key, value, origin in settings:
        table.add_row(key, escape(json.dumps(value, ensure_ascii=False)), escape(origin))
    Console(highlight=False).print(table)


# -- --report FORMAT=FILE: every report a CI job wants from one run -------------------------------------------

def _parse_reports(values: list[str]) -> list[tuple[Any, Path]]:
    """``FORMAT=FILE`` pairs, checked before the run so a typo costs no corpus pass."""
    from qc.errors import ConfigError
    from qc.render import OutputFormat

    parsed = []
    for item in values:
        name, sep, target = item.partition("=")
        try:
            fmt = OutputFormat(name.strip())
        except ValueError:
            fmt = None
        if not sep or not target or fmt is None:
            choices = ", ".join(f.value for f in OutputFormat)
            raise ConfigError(f"expected FORMAT=FILE with FORMAT one of {choices}, got {item!r}", field="--report")
        parsed.append((fmt, Path(target)))
    return parsed


def _write_extra_reports(result: Any, reports: list[tuple[Any, Path]]) -> None:
    """Each ``--report`` file, written whole (see :mod:`qc.outputs`)."""
    from qc.outputs import atomic_output
    from qc.render import renderer

    for fmt, path in reports:
        with atomic_output(path, "--report") as handle:
            renderer(fmt)(result, handle)


# -- Authoring: rule pages, editor schemas, new rule files (qc.ruledocs, qc.jsonschemas, qc.skeleton) --------

@contextlib.contextmanager
def _writing_into(directory: Path) -> Iterator[None]:
    """A failure to write generated files into ``directory`` as one output-error line (exit 2)."""
    from qc.errors import OutputError

    try:
        yield
    except OSError as exc:
        raise OutputError(f"cannot write into {directory}: {exc.strerror or exc}", field="DIRECTORY") from None


@rules_app.command("docs")
@_guarded
def rules_docs(
    directory: Annotated[Path, typer.Argument(help="Folder to write CODE.md pages into (docs/rules).")],
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="Also document this rule pack.")] = None,
    no_builtin: NoBuiltinOption = False,
) -> None:
    """Write one Markdown page per rule (what, why, options, examples, how to silence) and an index."""
    from qc.ruledocs import write_docs

    try:
        with _writing_into(directory):
            written, removed = write_docs(_ruleset(rules, no_builtin), directory)
    except QcError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {len(written)} pages to {directory}" + (f", removed {len(removed)} stale" if removed else ""))


@rules_app.command("schemas")
@_guarded
def rules_schemas(
    directory: Annotated[Path, typer.Argument(help="Folder to write the JSON Schemas into (schemas).")],
) -> None:
    """Write the JSON Schemas of a rule file and of [tool.qc] (for editors and validators)."""
    from qc.jsonschemas import write_schemas

    try:
        with _writing_into(directory):
            written = write_schemas(directory)
    except QcError as exc:
        raise _fail(exc) from None
    for path in written:
        typer.echo(f"wrote {path}")


@rules_app.command("new")
@_guarded
def rules_new(
    code: Annotated[str, typer.Argument(help="Code of the new rule, e.g. XY001.")],
    kind: Annotated[str, typer.Option("--kind", help="Rule kind (qc rules kinds are the modules of qc/kinds).")],
    directory: Annotated[Path, typer.Option("--dir", help="Rule-pack folder to write into.")] = Path("qc-rules"),
    name: Annotated[str | None, typer.Option("--name", help="Kebab-case name (default: the code in lower case).")
                    ] = None,
    family: Annotated[str, typer.Option("--family", help="Family of the rule.")] = "custom",
    severity: Annotated[str, typer.Option("--severity", help="error, warning or info.")] = "warning",
) -> None:
    """Write a rule skeleton (with its editor schema line) to fill in, then check with qc rules test."""
    from qc.skeleton import write_skeleton

    try:
        path = write_skeleton(directory, code, kind, name=name, family=family, severity=severity)
    except QcError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {path}; write its examples, then run: qc rules test {directory}")


@app.command("init")
@_guarded
def init_command(
    pyproject: Annotated[bool, typer.Option("--pyproject/--toml",
                                            help="Write [tool.qc] into pyproject.toml (default) or a qc.toml.")
                         ] = True,
) -> None:
    """Write a commented starter [tool.qc] and a qc-rules/ folder with one example rule; never overwrites."""
    from qc.starter import RULES_DIR, init_project

    try:
        written = init_project(Path.cwd(), use_pyproject=pyproject)
    except QcError as exc:
        raise _fail(exc) from None
    for path in written:
        typer.echo(f"wrote {visible(path.relative_to(Path.cwd()))}")
    typer.echo(f"next: qc rules test {RULES_DIR}, then qc check <your corpus>")


def main() -> None:
    """Console-script entry point: exit 0 or 1 (the verdict), 2 (an error or any crash), 130/143 (signals).

    Nothing but a verdict exits 1: CI reads 1 as "the gate failed", and a crash is not that. Any exception a
    command does not turn into a one-line error (MemoryError, RecursionError, an EOFError click would call
    "Aborted!") is one line, ``qc: error: internal error: …``, and exit 2. SIGINT and SIGTERM unwind the
    run (:mod:`qc.interrupts`): workers stopped, temporary files removed, one line, exit 128 + signal.
    """
    reserve: bytearray | None = bytearray(_RESERVE_BYTES)
    try:
        interrupts.install()
        app()
    except SystemExit as exc:
        if exc.code == EXIT_FAIL and not _state["verdict"]:
            raise SystemExit(EXIT_ERROR) from None
        raise
    except interrupts.Interrupted as exc:
        _stop_workers()
        _last_line(f"qc: stopped by {exc.name}\n")
        raise SystemExit(exc.exit_code) from None
    except BaseException as exc:  # last resort: one line and exit 2, never a traceback (unless --debug)
        reserve = None  # noqa: F841 - released on purpose, for the lines below
        error = exc.error if isinstance(exc, _Crashed) else exc
        _stop_workers()
        _report_crash(error)
        raise SystemExit(EXIT_ERROR) from None
    finally:
        # The exit itself (atexit clean-up of temporary directories) must not be cut short by a late signal.
        interrupts.ignore()


def _stop_workers() -> None:
    """Terminate worker processes now, if any were started (they must not outlive the run)."""
    parallel = sys.modules.get("qc.parallel")
    if parallel is not None:
        parallel.stop_all_pools()


def _report_crash(error: BaseException) -> None:
    """Print one line for an unexpected exception; with ``--debug``, its traceback first."""
    name = type(error).__name__
    # The traceback holds the frames, and whatever filled memory with them: let them go before printing.
    if not _state["debug"]:
        _drop_tracebacks(error)
    try:
        _fail(error)
    except BaseException:  # printing failed too (no memory, a closed stderr): the bare minimum
        _last_line(f"qc: error: internal error: {name}\n")


def _drop_tracebacks(error: BaseException) -> None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__


def _last_line(text: str) -> None:
    """Write ``text`` (ASCII, from corpus-qc itself) to stderr without allocating much; never raises."""
    with contextlib.suppress(OSError):
        os.write(2, text.encode("ascii", "replace"))
