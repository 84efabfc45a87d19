"""SIGTERM while qc fix writes: exit 143, one line, no temporary file left, and every file under its final
name complete (byte-identical to the same file of an uninterrupted run); the inputs untouched."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.safety import digest, qc_env, temporary_outputs, wait_until

# The test sends SIGTERM to a running `qc fix`: POSIX signal semantics, which CI (Linux) has; elsewhere the
# behaviour under test does not exist, so the skip says why rather than passing.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs POSIX signals (SIGTERM)")

SENTENCE = ("the council voted on tuesday to add protected bike lanes across the city by next spring and the "
            "mayor said work starts soon")
WORDS = SENTENCE.split(" ")


def _corpus(folder: Path) -> Path:
    """24 files of 600 posts; one post in ten carries menu and footer lines to strip."""
    rng = random.Random(11)
    folder.mkdir()
    for number in range(24):
        with (folder / f"part-{number:02d}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(600):
                text = " ".join(rng.choice(WORDS) for _ in range(30)) + "."
                if i % 10 == 0:
                    text = f"Skip to content\nLog in | Register\n{text}\nShare on Facebook\nLeave a comment"
                out.write(json.dumps({"id": f"d{number}-{i}", "text": text}) + "\n")
    return folder


def _start(corpus: Path, out: Path, tmpdir: Path) -> subprocess.Popen[bytes]:
    env = qc_env(TMPDIR=str(tmpdir))
    return subprocess.Popen([sys.executable, "-m", "qc", "fix", str(corpus), "--out", str(out), "--jobs", "1",
                             "--select", "BP010", "--select", "BP011", "--select", "BP012"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigterm_while_writing_leaves_only_complete_files(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    before = digest(corpus)
    tmpdir = Path(tempfile.mkdtemp(prefix="qcfix-", dir="/tmp"))
    try:
        whole = tmp_path / "whole"
        finished = _start(corpus, whole, tmpdir)
        _, stderr = finished.communicate(timeout=600)
        assert finished.returncode == 0, stderr
        out = tmp_path / "out"
        run = _start(corpus, out, tmpdir)
        # Writing has begun once the first cleaned file (or its temporary file) is there.
        assert wait_until(lambda: run.poll() is not None or (out.is_dir() and any(out.glob("*.jsonl"))), 300)
        assert run.poll() is None, run.communicate()
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=120)
        assert run.returncode == 143, err
        assert err.decode().strip().splitlines() == ["qc: stopped by SIGTERM"]
        assert temporary_outputs(out) == []
        written = sorted(out.glob("*.jsonl"))
        assert 0 < len(written) < 24, "stopped part-way"
        for path in written:  # every file under its final name is whole
            assert path.read_bytes() == (whole / path.name).read_bytes(), path.name
        assert not (out / ".qc" / "manifest.json").exists()
        assert not (out / ".qc" / "quarantine.jsonl").exists()
        assert digest(corpus) == before
        assert list(tmpdir.iterdir()) == []
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
