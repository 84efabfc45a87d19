"""Start-up (issue 10): what a one-document ``qc check`` and ``qc --version`` import, and what they must not.

Not a timed test (timings live in bench/RESULTS.md, from bench/startup.py): it asserts which modules are
never imported, which is what the time depends on. A local check never imports dask (pandera's model
classes would, via ``pandera.typing.dask``), nor pandera itself when its batches pass the vectorised
checks; ``qc --version`` imports neither pandas nor pyarrow nor the engine.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, post, write_jsonl


def _imported(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "qc", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return proc, imported


def test_a_local_check_imports_neither_dask_nor_pandera(tmp_path: Path) -> None:
    assert importlib.util.find_spec("dask") is not None, "dask is installed: the test would prove nothing otherwise"
    assert importlib.util.find_spec("pandera") is not None
    corpus = write_jsonl(tmp_path / "one.jsonl", [post("a", "Hi {{first_name}}, welcome.")])
    proc, imported = _imported(["check", str(corpus), "--jobs", "1"], tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]  # the placeholder fails the gate: the rules really ran
    assert "PH001" in proc.stdout
    # The findings were validated (qc.schemas) by the vectorised check, so pandera was never needed.
    assert {"qc.schemas", "qc.engine", "pandas", "pyarrow"} <= imported
    assert not {name for name in imported if name in ("dask", "pandera", "hypothesis")
                or name.startswith(("dask.", "pandera.", "hypothesis."))}


def test_a_record_pandera_must_judge_still_imports_it(tmp_path: Path) -> None:
    # The shortcut only skips pandera when it has nothing to say: a blank text is pandera's SC005.
    corpus = write_jsonl(tmp_path / "blank.jsonl", [post("a", "   ")])
    proc, imported = _imported(["check", str(corpus), "--jobs", "1"], tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "SC005" in proc.stdout
    assert "pandera" in imported


def test_version_imports_no_data_library(tmp_path: Path) -> None:
    proc, imported = _imported(["--version"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "corpus-qc 0.1.0", proc.stderr[-2000:]
    assert "typer" in imported  # the command line really was parsed
    heavy = {"pandas", "pyarrow", "numpy", "pandera", "pydantic", "qc.api", "qc.engine", "qc.load"}
    assert not heavy & imported, sorted(heavy & imported)
