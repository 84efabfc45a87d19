"""The pre-commit hook, as ``pre-commit try-repo`` runs it: installed from this checkout into its own venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import CLEAN_EN, PLACEHOLDER, REPO, post, write_jsonl


def _pre_commit() -> str:
    beside = Path(sys.executable).parent / "pre-commit"  # the dev extra installs it next to the test's Python
    found = str(beside) if beside.is_file() else shutil.which("pre-commit")
    assert found, "pre-commit is in the dev extra: pip install -e '.[dev]'"
    return found


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "corpus-qc" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["qc", "check"]
    assert hook["require_serial"] is True


@pytest.mark.slow
def test_try_repo_fails_on_a_defect_and_passes_a_clean_corpus(tmp_path: Path) -> None:
    repo = tmp_path / "corpus-repo"
    repo.mkdir()
    write_jsonl(repo / "bad.jsonl", [post("a", PLACEHOLDER)])
    write_jsonl(repo / "good.jsonl", [post("b", CLEAN_EN)])
    (repo / "notes.md").write_text("Dear {{first_name}}: a Markdown file is not corpus.\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1",
           "PRE_COMMIT_COLOR": "never", "COLUMNS": "200"}
    env.pop("PYTHONPATH", None)  # the hook's own venv must provide qc
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([_pre_commit(), "try-repo", str(REPO), "corpus-qc", "--verbose", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    failed = try_repo("bad.jsonl", "good.jsonl", "notes.md")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "corpus-qc" in failed.stdout and "Failed" in failed.stdout
    assert "PH001" in failed.stdout and "inputs: bad.jsonl, good.jsonl" in failed.stdout

    passed = try_repo("good.jsonl", "notes.md")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout and "gate PASSED" in passed.stdout
    assert "inputs: good.jsonl" in passed.stdout  # the Markdown file was not handed to qc
