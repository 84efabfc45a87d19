"""The progress bar as a user sees it: ``qc check`` run in a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r")


def _run_in_pty(*args: str) -> tuple[int, str]:
    """Run ``python -m qc ARGS`` with stdout and stderr on a pty; return the exit code and what it drew."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "GITHUB_ACTIONS")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "160", "LINES": "40"})
    proc = subprocess.Popen([sys.executable, "-m", "qc", *args], stdin=follower, stdout=follower, stderr=follower,
                            cwd=REPO, env=env, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_the_bar_ends_on_the_true_count_and_never_shows_zero(tmp_path: Path) -> None:
    corpus = tmp_path / "posts.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"p{n}", "text": f"Post number {n} about the harbour."}) + "\n"
                              for n in range(1234)), encoding="utf-8")
    code, screen = _run_in_pty("check", str(corpus), "--jobs", "1", "--batch-rows", "100")
    assert code == 0, screen
    plain = ANSI.sub("", screen)
    assert "checked 1,234 documents in" in plain, plain
    assert not re.search(r"(?<![\d,])0 documents", plain), "no '0 documents' while the first batch is read"
