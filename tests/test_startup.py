"""Start-up: a local one-document ``qc check`` never imports dask (pandera's model classes would, via
``pandera.typing.dask``, whenever dask is installed: about 1.3 s of a pre-commit hook's run)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, post, write_jsonl


def test_a_local_check_never_imports_dask(tmp_path: Path) -> None:
    assert importlib.util.find_spec("dask") is not None, "dask is installed: the test would prove nothing otherwise"
    corpus = write_jsonl(tmp_path / "one.jsonl", [post("a", "Hi {{first_name}}, welcome.")])
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "qc", "check", str(corpus), "--jobs", "1"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]  # the placeholder fails the gate: the rules really ran
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "qc.schemas" in imported and "pandera" in imported
    assert not {name for name in imported if name == "dask" or name.startswith(("dask.", "pandera.typing.dask"))}
