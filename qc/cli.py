"""The ``qc`` command: check a corpus, explain and test rules.

Exit codes: 0 the gate passed, 1 the gate failed, 2 a usage, config, rule or input error (one line on
stderr, no traceback unless ``--debug``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qc import __version__
from qc.errors import QcError

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

_state = {"debug": False}
err_console = Console(stderr=True, highlight=False)


def _fail(exc: BaseException) -> typer.Exit:
    """Print one line for an error and return the exit to raise."""
    if _state["debug"]:
        import traceback

        traceback.print_exception(exc)
    message = str(exc) if isinstance(exc, QcError) else f"internal error: {type(exc).__name__}: {exc}"
    err_console.print(f"qc: error: {escape(message)}", soft_wrap=True)
    return typer.Exit(EXIT_ERROR)


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


def _load_config(config_file: Path | None, overrides: dict[str, Any], rules: list[Path] | None,
                 no_builtin: bool) -> Any:
    """The config file (given or discovered) with command-line overrides and extra rule packs applied."""
    from qc.config import load_config

    config = load_config(config_file, overrides=overrides)
    if rules:
        config.rules = [*config.rules, *map(str, rules)]
    if no_builtin:
        config.builtin_rules = False
    return config


def _write_report(write: Any, payload: Any, output: Path | None) -> None:
    """Render ``payload`` with ``write`` to ``--output`` FILE (parent folders made), or to stdout."""
    if output is None:
        write(payload, sys.stdout)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as handle:
        write(payload, handle)


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
    timezone: Annotated[str | None, typer.Option("--timezone", help="Time zone for naive timestamps.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Terminal report: the verdict line only.",
                                        rich_help_panel="Output")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Terminal report: every finding.",
                                          rich_help_panel="Output")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report to FILE.",
                                              rich_help_panel="Output")] = None,
    findings_file: Annotated[Path | None, typer.Option("--findings", help="Also write the findings frame to "
                                                       "FILE.parquet or FILE.jsonl.", rich_help_panel="Output")
                             ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Gate only on findings not in this "
                                                  "baseline file.", rich_help_panel="CI")] = None,
    write_baseline: Annotated[Path | None, typer.Option("--write-baseline", help="Record the current findings "
                                                        "as a baseline FILE.", rich_help_panel="CI")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).",
                                             rich_help_panel="Scale")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="local or dask.", rich_help_panel="Scale")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).",
                                                  rich_help_panel="Scale")] = None,
    batch_rows: Annotated[int | None, typer.Option("--batch-rows", min=1, help="Records per batch (memory bound).",
                                                   rich_help_panel="Scale")] = None,
    reports: Annotated[list[str] | None, typer.Option("--report", help="Also write the report in FORMAT to FILE "
                                                      "(FORMAT=FILE, repeatable): one run, every CI report.",
                                                      rich_help_panel="Output")] = None,
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
        }
        config = _load_config(config_file, overrides, rules, no_builtin)
        if max_doc_rate:
            config.max_doc_rate = {**config.max_doc_rate, **_parse_rates(max_doc_rate)}
        try:
            fmt = OutputFormat(config.format)
        except ValueError:
            from qc.errors import ConfigError

            choices = ", ".join(f.value for f in OutputFormat)
            raise ConfigError(f"unknown format {config.format!r} (choose {choices})", field="--format") from None
        result = _run_checked(run_check, paths, config, quiet)
        result = _extra_outputs(result, html, findings_file, baseline, write_baseline)
        _write_extra_reports(result, extra_reports)
        write = renderer(fmt)
        if fmt is OutputFormat.terminal and (quiet or verbose):
            write = _terminal_writer(-1 if quiet else 1)
        _write_report(write, result, output)
    except QcError as exc:
        raise _fail(exc) from None
    for error in result.input_errors:
        err_console.print(f"qc: error: {escape(str(error))}", soft_wrap=True)
    if result.input_errors:
        raise typer.Exit(EXIT_ERROR)
    if write_baseline is not None:
        raise typer.Exit(EXIT_OK)  # recording a baseline accepts today's findings: it is not a gate run
    raise typer.Exit(EXIT_OK if result.gate.passed else EXIT_FAIL)


@app.command("eval")
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
        truth = load_labels(labels)
        result = run_check(paths, config)
        report = evaluate(result.findings, truth, result.ruleset, corpus_doc_ids(paths, config))
        write = render_json if output_format == "json" else render_terminal
        _write_report(write, report, output)
    except QcError as exc:
        raise _fail(exc) from None
    for error in result.input_errors:
        err_console.print(f"qc: error: {escape(str(error))}", soft_wrap=True)
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
                   write_baseline: Path | None) -> Any:
    """Apply ``--baseline`` and write ``--write-baseline``, ``--findings`` and ``--html`` files."""
    from qc.baseline import apply_baseline
    from qc.baseline import write_baseline as record_baseline

    if write_baseline is not None:
        with _writing(write_baseline, "--write-baseline"):
            count = record_baseline(result.store, write_baseline)
        err_console.print(f"qc: wrote {count} baseline entries to {escape(str(write_baseline))}", soft_wrap=True)
    if baseline is not None:
        result = apply_baseline(result, baseline)
    if findings_file is not None:
        from qc.render.findings_file import write_findings

        with _writing(findings_file, "--findings"):
            write_findings(result.store, findings_file)
    if html is not None:
        from qc.render import html as html_render

        with _writing(html, "--html"):
            html.parent.mkdir(parents=True, exist_ok=True)
            with html.open("w", encoding="utf-8") as handle:
                html_render.render(result, handle)
    return result


@contextmanager
def _writing(path: Path, option: str) -> Iterator[None]:
    """Turn a failure to write an output file into one usage-error line naming the file (exit 2)."""
    from qc.errors import ConfigError

    try:
        yield
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}", field=option) from None


def _terminal_writer(verbosity: int) -> Any:
    from qc.render import terminal

    def write(result: Any, out: Any) -> None:
        terminal.render(result, out, verbosity=verbosity)

    return write


def _ruleset(rules: list[Path] | None, no_builtin: bool = False) -> Any:
    from qc.registry import load_rules

    return load_rules(rules or [], include_builtin=not no_builtin)


@rules_app.command("list")
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
    for rule in ruleset:
        table.add_row(rule.code, rule.name, rule.family, rule.kind, rule.severity.value, escape(rule.summary))
    Console().print(table)


@rules_app.command("show")
def rules_show(
    code: Annotated[str, typer.Argument(help="Rule code or name.")],
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="Extra rule-pack directory.")] = None,
) -> None:
    """Explain one rule: what it does, why it matters, and its examples."""
    from qc.errors import ConfigError

    try:
        ruleset = _ruleset(rules)
        rule = ruleset.get(code)
        if rule is None:
            raise ConfigError(f"no rule with code or name {code!r}", field="CODE")
    except QcError as exc:
        raise _fail(exc) from None
    console = Console(highlight=False)
    console.print(f"[bold]{rule.name}[/bold] ({rule.code})")
    console.print(f"family: {rule.family}   kind: {rule.kind}   severity: {rule.severity.value}   "
                  f"status: {rule.status}   source: {escape(rule.source)}")
    console.print("\n[bold]What it does[/bold]")
    console.print(escape(rule.summary))
    console.print("\n[bold]Why is this bad?[/bold]")
    console.print(escape(rule.why))
    console.print("\n[bold]Flagged (fail examples)[/bold]")
    for example in rule.examples.fail:
        console.print(f"  ✗ {escape(example.text)}")
        _print_example_fields(console, example)
    console.print("\n[bold]Left alone (pass examples)[/bold]")
    for example in rule.examples.pass_:
        console.print(f"  ✓ {escape(example.text)}")
        _print_example_fields(console, example)


def _print_example_fields(console: Console, example: Any) -> None:
    """An example's other fields (posted_at, captured_at…): date rules' examples mean nothing without them."""
    for key, value in (example.model_extra or {}).items():
        console.print(f"      [dim]{escape(str(key))}: {escape(str(value))}[/dim]")


@rules_app.command("test")
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
    console = Console(highlight=False)
    failed = [r for r in results if not r.ok]
    for result in failed:
        console.print(f"[red]FAIL[/red] {result.rule} {result.expectation}[{result.index}]: "
                      f"expected {'a finding' if result.expectation == 'fail' else 'no finding'}, "
                      f"got {result.findings}: {escape(result.text[:80])}")
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)


# -- qc config: the effective settings and where each came from ---------------------------------------------

@app.command("config")
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
    from qc.config import explain_config
    from qc.errors import ConfigError

    overrides = {"select": select or None, "ignore": ignore or None, "fail_on": fail_on,
                 "default_timezone": timezone}
    try:
        if output_format not in ("terminal", "json"):
            raise ConfigError(f"unknown format {output_format!r} (choose terminal, json)", field="--format")
        settings = explain_config(config_file, overrides=overrides)
        config = _load_config(config_file, overrides, None, False)
        ruleset = resolve_ruleset(config)  # selectors and severity overrides must name real rules
    except QcError as exc:
        raise _fail(exc) from None
    if output_format == "json":
        typer.echo(json.dumps({"config_file": config.source, "rules_selected": len(ruleset),
                               "settings": {key: {"value": value, "source": origin}
                                            for key, value, origin in settings}}, indent=2, ensure_ascii=False))
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
    from qc.render import renderer

    for fmt, path in reports:
        with _writing(path, "--report"):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as handle:
                renderer(fmt)(result, handle)


# -- Authoring: rule pages, editor schemas, new rule files (qc.ruledocs, qc.jsonschemas, qc.skeleton) --------

@rules_app.command("docs")
def rules_docs(
    directory: Annotated[Path, typer.Argument(help="Folder to write CODE.md pages into (docs/rules).")],
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="Also document this rule pack.")] = None,
    no_builtin: NoBuiltinOption = False,
) -> None:
    """Write one Markdown page per rule (what, why, options, examples, how to silence) and an index."""
    from qc.ruledocs import write_docs

    try:
        with _writing(directory, "DIRECTORY"):
            written, removed = write_docs(_ruleset(rules, no_builtin), directory)
    except QcError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {len(written)} pages to {directory}" + (f", removed {len(removed)} stale" if removed else ""))


@rules_app.command("schemas")
def rules_schemas(
    directory: Annotated[Path, typer.Argument(help="Folder to write the JSON Schemas into (schemas).")],
) -> None:
    """Write the JSON Schemas of a rule file and of [tool.qc] (for editors and validators)."""
    from qc.jsonschemas import write_schemas

    try:
        with _writing(directory, "DIRECTORY"):
            written = write_schemas(directory)
    except QcError as exc:
        raise _fail(exc) from None
    for path in written:
        typer.echo(f"wrote {path}")


@rules_app.command("new")
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # last resort: never a traceback without --debug
        if _state["debug"]:
            raise
        err_console.print(f"qc: error: internal error: {type(exc).__name__}: {escape(str(exc))}")
        sys.exit(EXIT_ERROR)
