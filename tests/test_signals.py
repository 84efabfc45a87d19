"""SIGINT and SIGTERM stop a run cleanly; SIGKILL of the run takes its workers down too.

Each test starts the real ``qc check --jobs 2`` on a generated corpus that takes seconds, with ``TMPDIR``
a fresh empty folder and a marker in the environment (every process the run starts inherits it), signals
it once it is under way, and asserts: the documented exit code (130 / 143) and one stderr line, the pipes
reach end-of-file (no worker holds them: ``qc … | tail`` returns), no process with the marker is left, the
temporary folder is empty again (findings spill, multiprocessing), no output under its final name or as a
temporary file, and the corpus byte-identical. SIGTERM while checking and SIGKILL run in the default suite;
SIGINT, signals while writing and the clean normal run are ``scale`` (``make test-slow``).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
import weakref
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.safety import digest, marked_processes, qc_env, temporary_outputs, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find processes")

SENTENCE = ("the council voted on tuesday to add protected bike lanes across the city by next spring "
            "Dear {{first_name}} lorem ipsum dolor sit amet 找回密码 免费注册 Log in | Register")
WORDS = SENTENCE.split(" ")


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40,000 posts, most with findings: checking takes seconds, writing the reports seconds more."""
    path = tmp_path_factory.mktemp("signals") / "corpus.jsonl"
    rng = random.Random(9)
    with path.open("w", encoding="utf-8") as out:
        for i in range(40_000):
            text = " ".join(rng.choice(WORDS) for _ in range(40))
            out.write(json.dumps({"id": f"d{i}", "text": text, "posted_at": "2020-01-02",
                                  "captured_at": "2020-01-03"}, ensure_ascii=False) + "\n")
    return path


class Running:
    """A ``qc`` process started with a marker and a private TMPDIR."""

    def __init__(self, tmp_path: Path, *args: str | Path) -> None:
        self.marker = f"QC_SIGNAL_TEST={uuid.uuid4().hex}"
        # A short private TMPDIR: the fork server's Unix socket lives there, and pytest's tmp_path can be too
        # long for one (qc then spawns its workers instead, which test_a_long_tmpdir_still_checks_in_workers
        # covers); these tests time their signals against the fork server's quick start.
        self.tmpdir = Path(tempfile.mkdtemp(prefix="qcsig-", dir="/tmp"))
        weakref.finalize(self, shutil.rmtree, self.tmpdir, True)
        key, value = self.marker.split("=")
        config = tmp_path / "qc.toml"  # a small in-memory share, so the findings spill to TMPDIR
        config.write_text("findings-memory-rows = 5000\nbatch-rows = 2000\n", encoding="utf-8")
        env = qc_env(TMPDIR=str(self.tmpdir), QC_CACHE_DIR=str(tmp_path / "cache"), **{key: value})
        self.proc = subprocess.Popen([sys.executable, "-m", "qc", "check", "--config", config, *map(str, args)],
                                     cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def processes(self) -> list[int]:
        return marked_processes(self.marker)

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        """Wait for exit and for end-of-file on both pipes (a leftover worker would hold them open)."""
        _, stderr = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, stderr.decode("utf-8", "replace")

    def assert_nothing_left(self) -> None:
        assert wait_until(lambda: not self.processes(), 30), f"processes left: {self.processes()}"
        assert sorted(os.listdir(self.tmpdir)) == []


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _workers_started(run: Running) -> bool:
    """Both workers are up: two marked processes whose parent (the fork server) is itself marked."""
    if run.proc.poll() is not None:
        return True
    marked = set(run.processes())
    workers = [pid for pid in marked if _parent(pid) in marked - {run.proc.pid}]
    return len(workers) >= 2


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143),
                                               pytest.param(signal.SIGINT, 130, marks=pytest.mark.scale)])
def test_a_signal_while_checking_stops_everything(tmp_path: Path, big_corpus: Path, signum: int, code: int) -> None:
    before = digest(big_corpus)
    out = tmp_path / "out"
    run = Running(tmp_path, big_corpus, "--jobs", "2", "--format", "json", "--output", out / "report.json",
                  "--findings", out / "findings.parquet")
    assert wait_until(lambda: _workers_started(run), 120)
    assert run.proc.poll() is None, run.finish()
    run.proc.send_signal(signum)
    returncode, stderr = run.finish()
    assert returncode == code, stderr
    assert stderr.strip().splitlines() == [f"qc: stopped by {signal.Signals(signum).name}"], stderr
    run.assert_nothing_left()
    assert not out.exists() or (list(out.iterdir()) == [])
    assert digest(big_corpus) == before


def test_sigkill_of_the_run_takes_its_workers_down(tmp_path: Path, big_corpus: Path) -> None:
    run = Running(tmp_path, big_corpus, "--jobs", "2", "--quiet")
    assert wait_until(lambda: _workers_started(run), 120)
    assert run.proc.poll() is None, run.finish()
    run.proc.kill()
    returncode, _ = run.finish(timeout=60)  # returns only once no worker holds stdout and stderr open
    assert returncode == -signal.SIGKILL
    assert wait_until(lambda: not run.processes(), 30), f"processes left: {run.processes()}"


@pytest.mark.scale
@pytest.mark.parametrize(("signum", "option", "name"), [(signal.SIGTERM, "--output", "report.json"),
                                                        (signal.SIGINT, "--findings", "findings.jsonl")])
def test_a_signal_while_writing_leaves_the_previous_file(tmp_path: Path, big_corpus: Path, signum: int,
                                                         option: str, name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    final = out / name
    final.write_bytes(b"the previous report")
    run = Running(tmp_path, big_corpus, "--jobs", "2", "--format", "json", option, final)
    # The temporary file appears once checking is done and writing has begun.
    assert wait_until(lambda: bool(temporary_outputs(out)) or run.proc.poll() is not None, 300)
    assert run.proc.poll() is None, run.finish()
    run.proc.send_signal(signum)
    returncode, stderr = run.finish()
    assert returncode == 128 + signum, stderr
    assert stderr.strip().splitlines() == [f"qc: stopped by {signal.Signals(signum).name}"], stderr
    assert final.read_bytes() == b"the previous report"  # never truncated under the final name
    assert temporary_outputs(out) == []
    run.assert_nothing_left()


@pytest.mark.scale
def test_a_normal_parallel_run_leaves_nothing_behind(tmp_path: Path, big_corpus: Path) -> None:
    out = tmp_path / "out"
    run = Running(tmp_path, big_corpus, "--jobs", "2", "--quiet", "--findings", out / "findings.parquet")
    returncode, stderr = run.finish(timeout=600)
    assert returncode == 1, stderr
    run.assert_nothing_left()
    assert [p.name for p in out.iterdir()] == ["findings.parquet"]


def test_a_long_tmpdir_still_checks_in_workers(tmp_path: Path) -> None:
    """A TMPDIR too long for the fork server's Unix socket: workers are spawned instead, same findings."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"p{n}", "text": f"Dear {{{{first_name}}}}, note {n}."}) + "\n"
                              for n in range(300)), encoding="utf-8")
    env = qc_env(TMPDIR=str(deep), QC_CACHE_DIR=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-m", "qc", "check", str(corpus), "--jobs", str(jobs), "--batch-rows",
                            "50", "--format", "json"], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=300) for jobs in (2, 1)]
    assert [run.returncode for run in runs] == [1, 1], runs[0].stderr
    assert runs[0].stderr == ""
    assert json.loads(runs[0].stdout)["findings"] == json.loads(runs[1].stdout)["findings"]
    assert len(json.loads(runs[0].stdout)["findings"]) == 300
    assert list(deep.iterdir()) == [], "nothing left in TMPDIR"
