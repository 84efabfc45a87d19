"""Start-up figures: ``qc --version`` and a one-document ``qc check``, written into bench/RESULTS.md.

    .venv/bin/python bench/startup.py                        # this checkout
    .venv/bin/python bench/startup.py --compare /work/main   # and another checkout, for before/after

Each command runs ``--runs`` times as a fresh process (after one unmeasured run, which fills the compiled
pattern cache); the table shows the median and the fastest wall time. ``python -X importtime`` of the
one-document check gives the import time and whether dask was imported (a local run should not import
it). The figures go between the ``startup`` markers of RESULTS.md (``bench/run.py`` keeps that section).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BEGIN = "<!-- startup:begin -->"
END = "<!-- startup:end -->"
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)$")


@dataclass
class Figures:
    """What one checkout measured."""

    label: str
    version: list[float]
    check: list[float]
    import_seconds: float
    dask_imported: bool
    heaviest: list[tuple[str, float]]


def _timed(command: list[str], env: dict[str, str], runs: int, cwd: Path) -> list[float]:
    subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)  # warm: page and pattern cache
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
        seconds.append(time.perf_counter() - started)
    return seconds


def _imports(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bool, list[tuple[str, float]]]:
    """(total import seconds, whether dask was imported, the heaviest top-level imports)."""
    proc = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env, cwd=cwd, capture_output=True,
                          text=True, check=False)
    total = 0
    top: list[tuple[str, float]] = []
    dask = False
    for line in proc.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match is None:
            continue
        cumulative, indent, module = int(match.group(2)), len(match.group(3)), match.group(4)
        dask = dask or module == "dask" or module.startswith("dask.")
        if indent == 1:  # a top-level import of the run (not imported by another module)
            total += cumulative
            top.append((module, cumulative / 1e6))
    top.sort(key=lambda item: -item[1])
    return total / 1e6, dask, top[:5]


def measure(label: str, repo: Path, python: str, runs: int, document: Path) -> Figures:
    """Time ``qc --version`` and ``qc check DOCUMENT`` with ``repo`` first on the path.

    Run from the document's folder: ``python -m`` puts the working directory first on ``sys.path``, which
    would import the checkout the benchmark was started from instead of ``repo``.
    """
    env = {**os.environ, "PYTHONPATH": str(repo), "NO_COLOR": "1"}
    cwd = document.parent
    version = _timed([python, "-m", "qc", "--version"], env, runs, cwd)
    check = [python, "-m", "qc", "check", str(document), "--jobs", "1"]
    checked = _timed(check, env, runs, cwd)
    seconds, dask, heaviest = _imports(check, env, cwd)
    return Figures(label, version, checked, seconds, dask, heaviest)


def _section(figures: list[Figures], runs: int, python: str, load: tuple[float, float, float]) -> str:
    lines = [BEGIN, "## Start-up", "",
             f"Written by `bench/startup.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: each command "
             f"{runs} times as a fresh process after one warm-up run (compiled patterns cached); median (fastest) "
             "wall seconds. Import time is `python -X importtime` of the one-document check (top-level imports, "
             "cumulative). Targets (issue 10): `qc --version` under 0.3 s, a one-document `qc check` under 1 s. "
             f"Load average at the start: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min, 2 cores, "
             "shared with other work: import times grow with it).",
             "",
             "| checkout | `qc --version` s | one-document `qc check` s | imports s | dask imported "
             "| heaviest imports |",
             "|---|---:|---:|---:|---|---|"]
    for fig in figures:
        heavy = ", ".join(f"{name} {sec:.2f}" for name, sec in fig.heaviest)
        lines.append(f"| {fig.label} | {statistics.median(fig.version):.2f} ({min(fig.version):.2f}) | "
                     f"{statistics.median(fig.check):.2f} ({min(fig.check):.2f}) | {fig.import_seconds:.2f} | "
                     f"{'yes' if fig.dask_imported else 'no'} | {heavy} |")
    lines += ["", "Commands (`PYTHONPATH` = the checkout):", "", "```",
              f"{python} -m qc --version",
              f"{python} -m qc check one.jsonl --jobs 1        # one.jsonl: one post",
              f"{python} -X importtime -m qc check one.jsonl --jobs 1",
              "```", END]
    return "\n".join(lines)


def write_section(results: Path, section: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace the section between ``begin`` and ``end`` of ``results`` (or append it); by default the
    start-up section."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Measure this checkout (and any ``--compare`` ones) and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, action="append", default=[], help="another checkout to measure")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    python = sys.executable
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="qc-startup-") as folder:
        document = Path(folder) / "one.jsonl"
        document.write_text('{"id": "a", "text": "One short post about the weather."}\n', encoding="utf-8")
        figures = [measure(f"this checkout ({REPO.name})", REPO, python, args.runs, document)]
        figures += [measure(str(other), other, python, args.runs, document) for other in args.compare]
    section = _section(figures, args.runs, load=load,
                       python=Path(python).name if Path(python).is_absolute() else python)
    write_section(args.out, section)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
