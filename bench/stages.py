"""Where a ``--jobs 1`` run spends its CPU: seconds per stage and per rule, for a profile table in RESULTS.md.

    .venv/bin/python bench/stages.py bench/data/corpus-100mb.jsonl
    .venv/bin/python bench/stages.py bench/data/corpus-200mb.jsonl bench/data/real-pages-200mb.jsonl --write

With ``--write`` the tables go into the ``stages`` section of bench/RESULTS.md (``bench/run.py`` keeps it).

Runs ``qc.api.check`` in this process (``--jobs 1``, every built-in rule) with a CPU-time counter around
each stage: reading JSON Lines blocks, canonicalising (site, dates when a rule needs them), validating
posts, the prefilter, each rule's pass one (``observe``) and pass two (``evaluate_columns``), building the
findings frame, consolidating, validating findings. Stages nest (canonicalising is inside reading, rules
inside ``check_frame``), so the table gives each stage's own time: its total minus the stages inside it.
Process CPU time (``time.process_time``): on a shared machine that is the work done, not the waiting.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # this checkout's qc, and bench/startup.py

_own: dict[str, float] = defaultdict(float)
_calls: dict[str, int] = defaultdict(int)
_stack: list[list[float]] = []  # per open stage: [time of the stages inside it]


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _stack.append([0.0])
        started = time.process_time()
        try:
            result = fn(*args, **kwargs)
        finally:
            total = time.process_time() - started
            inner = _stack.pop()[0]
            _own[name] += total - inner
            _calls[name] += 1
            if _stack:
                _stack[-1][0] += total
        return result

    return wrapper


def _patch(owner: Any, attribute: str, name: str) -> None:
    setattr(owner, attribute, _timed(name, getattr(owner, attribute)))


BEGIN = "<!-- stages:begin -->"
END = "<!-- stages:end -->"


def profile(corpus: Path) -> list[str]:
    """Profile one run over ``corpus``; the table as Markdown lines."""
    _own.clear()
    _calls.clear()
    started = time.process_time()
    import qc.consolidate
    import qc.engine
    import qc.load
    import qc.schemas
    from qc.api import check, resolve_ruleset
    from qc.config import Config

    imported = time.process_time() - started
    config = Config.model_validate({"fail-on": "never", "jobs": 1})
    _patch(qc.load, "jsonl_block_frame", "read: parse JSON Lines blocks")
    _patch(qc.load, "canonicalise", "read: canonicalise (site, dates when needed)")
    _patch(qc.engine, "validate_posts", "validate posts")
    _patch(qc.engine, "validate_findings", "validate findings")
    _patch(qc.engine, "consolidate", "consolidate findings")
    _patch(qc.engine.Checker, "make_batch", "prefilter (Hyperscan + RE2 fallbacks)")
    _patch(qc.engine.Checker, "check_frame", "findings frame (sort, take, messages, lines)")
    kinds = {type(rule) for rule in resolve_ruleset(config)}
    for kind in kinds:
        label = kind.KIND
        _patch(kind, "evaluate_columns", f"rule kind {label}: evaluate")
        if kind.CORPUS_LEVEL:
            _patch(kind, "observe", f"rule kind {label}: observe (pass one)")
    run_started = time.process_time()
    result = check([str(corpus)], config)
    total = time.process_time() - run_started
    documents = result.summary.documents
    lines = [f"`{corpus.name}`: {corpus.stat().st_size / 1e6:,.0f} MB, {documents:,} documents, "
             f"{len(result.findings):,} findings ({len(result.findings) / max(documents, 1):.1f} a document); "
             f"CPU {total:.2f} s for the run (+ {imported:.2f} s imports)", "",
             "| stage | CPU s (own) | share | calls |", "|---|---:|---:|---:|"]
    accounted = 0.0
    for name, seconds in sorted(_own.items(), key=lambda item: -item[1]):
        accounted += seconds
        lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.0%} | {_calls[name]} |")
    rest = total - accounted
    lines.append(f"| the rest (merging, duplicate ids, verdicts, tally, store, excerpts) | {rest:.2f} | "
                 f"{rest / total:.0%} | |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Profile each corpus (each in its own process) and print the tables, or write them to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="+")
    parser.add_argument("--write", action="store_true", help="write the tables into bench/RESULTS.md")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.one:
        print("\n".join(profile(args.corpus[0])))
        return 0
    import subprocess

    tables = []
    for corpus in args.corpus:
        proc = subprocess.run([sys.executable, __file__, str(corpus), "--one"], capture_output=True, text=True,
                              check=True)
        tables.append(proc.stdout.strip())
    load = os.getloadavg()
    section = "\n".join([
        BEGIN, "## Where the time goes (profile per stage)", "",
        f"Written by `bench/stages.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: one `--jobs 1` "
        "run in one process, all built-in rules, CPU seconds (`time.process_time`) of each stage's own work "
        "(nested stages subtracted). Load average at the start: "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (2 cores, shared).", "",
        *[table + "\n" for table in tables], END])
    print(section)
    if args.write:
        from startup import write_section

        write_section(HERE / "RESULTS.md", section, BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
