"""Outputs never harm the user: never over an input, never half-written, one line when they cannot be written.

Every test drives the real ``qc`` command and checks the exit code, that stderr is one line naming the option
and the path, that the inputs are byte-identical afterwards, and that no temporary file is left behind.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import CLEAN_EN, LOREM, PLACEHOLDER, REPO, post, run_qc, write_jsonl
from tests.safety import digest, qc_env, run_qc_with, temporary_outputs


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder (two JSON Lines files, defects in both) beside, not around, the output folder."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [post("a1", CLEAN_EN), post("a2", PLACEHOLDER)])
    write_jsonl(folder / "b.jsonl", [post("b1", LOREM)])
    return folder


def many_findings(path: Path, documents: int = 1000) -> Path:
    """A corpus whose reports are tens of kilobytes (every document has a placeholder)."""
    return write_jsonl(path, [post(f"d{i}-{i * 7919 % 10007:x}", f"{PLACEHOLDER} {LOREM} #{i * 104729}")
                              for i in range(documents)])


def one_error_line(stderr: str, *parts: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("qc: error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for part in parts:
        assert part in lines[0], (part, stderr)
    return lines[0]


# -- refused before any work ----------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--output", "--html", "--findings", "--verdicts", "--write-baseline"])
def test_an_output_on_an_input_file_is_refused(corpus: Path, option: str) -> None:
    before = digest(corpus)
    target = corpus / "a.jsonl"
    run = run_qc("check", corpus, "--format", "json", option, target)
    assert run.code == 2
    one_error_line(run.stderr, option, str(target), "input file")
    assert run.stdout == ""  # refused before any work: no report either
    assert digest(corpus) == before
    assert temporary_outputs(corpus) == []


def test_a_symlink_or_hard_link_to_an_input_is_refused(corpus: Path, tmp_path: Path) -> None:
    before = digest(corpus)
    link = tmp_path / "report.json"
    link.symlink_to(corpus / "b.jsonl")
    hard = tmp_path / "findings.jsonl"
    os.link(corpus / "a.jsonl", hard)
    run = run_qc("check", corpus, "--output", link)
    assert run.code == 2
    one_error_line(run.stderr, "--output", str(link), str(corpus / "b.jsonl"))
    run = run_qc("check", corpus / "a.jsonl", "--findings", hard)
    assert run.code == 2
    one_error_line(run.stderr, "--findings", str(hard), "the same file by another name")
    assert digest(corpus) == before and link.is_symlink()


def test_an_input_matched_by_a_glob_is_refused(corpus: Path) -> None:
    before = digest(corpus)
    run = run_qc("check", str(corpus / "*.jsonl"), "--html", corpus / "b.jsonl")
    assert run.code == 2
    one_error_line(run.stderr, "--html", "b.jsonl")
    assert digest(corpus) == before


def test_rule_files_config_and_labels_are_inputs_too(corpus: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    rule = REPO / "rules" / "core" / "placeholder"
    source = next(rule.glob("PH001-*.yaml"))
    (pack / "PH901-copy.yaml").write_text(source.read_text("utf-8").replace("PH001", "PH901").replace(
        "name: unfilled-template-variable", "name: copied-template-variable"), encoding="utf-8")
    config = tmp_path / "qc.toml"
    config.write_text('fail-on = "warning"\n', encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    write_jsonl(labels, [{"doc_id": "a2", "labels": ["placeholder"]}])
    before = {**digest(pack), **digest(config), **digest(labels)}

    run = run_qc("check", corpus, "--rules", pack, "--write-baseline", pack / "PH901-copy.yaml")
    assert run.code == 2
    one_error_line(run.stderr, "--write-baseline", "rule file")
    run = run_qc("check", corpus, "--config", config, "--format", "json", "--output", config)
    assert run.code == 2
    one_error_line(run.stderr, "--output", "config file")
    run = run_qc("eval", corpus, "--labels", labels, "--output", labels)
    assert run.code == 2
    one_error_line(run.stderr, "--output", "--labels")
    assert {**digest(pack), **digest(config), **digest(labels)} == before


def test_two_outputs_on_one_path_are_refused(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.json"
    run = run_qc("check", corpus, "--format", "json", "--output", out, "--html", out)
    assert run.code == 2
    one_error_line(run.stderr, "--html", str(out), "--output")
    assert not out.exists()


def test_baseline_and_write_baseline_may_name_one_file(corpus: Path, tmp_path: Path) -> None:
    """A ratchet: the old baseline is read first, then replaced whole by the current findings."""
    baseline = tmp_path / "baseline.json"
    assert run_qc("check", corpus, "--write-baseline", baseline).code == 0  # recording is not a gate run
    first = json.loads(baseline.read_text("utf-8"))
    write_jsonl(corpus / "c.jsonl", [post("c1", "Hi {{last_name}}, your invoice is ready.")])
    assert run_qc("check", corpus, "--baseline", baseline).code == 1  # the new finding fails the gate
    run = run_qc("check", corpus, "--format", "json", "--baseline", baseline, "--write-baseline", baseline)
    assert run.code == 0, run.stderr
    report = run.json()  # compared with the old baseline (read first)…
    assert report["baseline"]["new"] >= 1 and report["baseline"]["known"] == sum(
        entry["count"] for entry in first["entries"].values())
    second = json.loads(baseline.read_text("utf-8"))  # …which now records the new finding too
    assert set(first["entries"]) < set(second["entries"])
    assert run_qc("check", corpus, "--baseline", baseline).code == 0
    assert temporary_outputs(tmp_path) == []


# -- written whole --------------------------------------------------------------------------------


def test_every_output_is_complete_with_the_usual_mode_and_no_temporary_file(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    kept = out / "report.json"
    kept.parent.mkdir()
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o600)  # an existing output keeps its mode
    before = digest(corpus)
    run = run_qc_with("check", corpus, "--format", "json", "--output", kept, "--html", out / "r.html",
                      "--findings", out / "f.parquet", "--write-baseline", out / "deep" / "b.json",
                      preexec=lambda: os.umask(0o022))
    assert run.code == 0, run.stderr  # --write-baseline: exit 0
    report = json.loads(kept.read_text("utf-8"))
    assert len(report["findings"]) == pq.read_table(out / "f.parquet").num_rows >= 2
    assert (out / "r.html").read_text("utf-8").rstrip().endswith("</html>")
    assert json.loads((out / "deep" / "b.json").read_text("utf-8"))["entries"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    for made in (out / "r.html", out / "f.parquet", out / "deep" / "b.json"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o644  # what open() gives under umask 022, not mkstemp's 0600
    assert temporary_outputs(tmp_path) == []
    assert digest(corpus) == before


def test_an_output_through_a_symlink_replaces_its_target_and_keeps_the_link(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    run = run_qc("check", corpus, "--format", "json", "--output", link)
    assert run.code == 1, run.stderr
    assert link.is_symlink() and json.loads(target.read_text("utf-8"))["findings"]


# -- cannot be written: one line, exit 2, the previous file intact ----------------------------------


def _file_size_limit(limit: int) -> None:
    """Child set-up: writes past ``limit`` bytes fail with EFBIG (a full disk, as the write path sees it)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # otherwise the kernel kills the process instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize(("option", "name"), [("--output", "report.json"), ("--html", "report.html"),
                                              ("--findings", "f.parquet"), ("--findings", "f.jsonl"),
                                              ("--verdicts", "v.parquet"), ("--verdicts", "v.jsonl"),
                                              ("--write-baseline", "baseline.json")])
def test_a_full_disk_is_one_line_and_leaves_the_previous_file(tmp_path: Path, option: str, name: str) -> None:
    corpus = many_findings(tmp_path / "corpus.jsonl")
    out = tmp_path / "out" / name
    out.parent.mkdir()
    out.write_bytes(b"previous contents")
    before = digest(corpus)
    extra = ["--format", "json"] if option == "--output" else []
    run = run_qc_with("check", corpus, "--jobs", "1", *extra, option, out,
                      preexec=lambda: _file_size_limit(4096), env=qc_env(QC_CACHE_DIR=str(tmp_path / "cache")))
    assert run.code == 2, run.stderr
    one_error_line(run.stderr, option, str(out), "File too large")
    assert out.read_bytes() == b"previous contents"
    assert temporary_outputs(tmp_path) == []
    assert digest(corpus) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's always-full device")
def test_a_device_that_is_full_is_one_line(corpus: Path) -> None:
    run = run_qc("check", corpus, "--format", "json", "--output", "/dev/full")
    assert run.code == 2
    one_error_line(run.stderr, "--output", "/dev/full", "No space left on device")
    assert Path("/dev/full").is_char_device()  # written in place, never renamed over


def test_an_output_that_is_a_directory_is_one_line(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for option in ("--html", "--findings"):
        path = folder if option == "--html" else tmp_path / "b-folder.jsonl"
        path.mkdir(exist_ok=True)
        run = run_qc("check", corpus, option, path)
        assert run.code == 2
        one_error_line(run.stderr, option, str(path), "is a directory")
        assert run.stdout == ""  # refused before any work, not after a long run
    assert list(folder.iterdir()) == []


def test_an_output_under_a_file_is_one_line(corpus: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "sub" / "report.json"
    run = run_qc("check", corpus, "--format", "json", "--output", out)
    assert run.code == 2
    one_error_line(run.stderr, "--output", str(out), f"{blocker} is not a directory")
    assert blocker.read_text("utf-8") == "x"


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="/sys is Linux's read-only-to-everyone file system")
def test_an_output_in_a_folder_nobody_may_write_is_one_line(corpus: Path) -> None:
    run = run_qc("check", corpus, "--html", "/sys/corpus-qc-report.html")
    assert run.code == 2
    one_error_line(run.stderr, "--html", "/sys/corpus-qc-report.html", "Permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders (the /sys test covers it)")
def test_an_output_in_a_read_only_folder_is_one_line(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        run = run_qc("check", corpus, "--findings", folder / "f.parquet")
    finally:
        folder.chmod(0o700)
    assert run.code == 2
    one_error_line(run.stderr, "--findings", str(folder / "f.parquet"), "Permission denied")
    assert list(folder.iterdir()) == []


def test_a_closed_stdout_pipe_is_one_line_and_exit_2(corpus: Path) -> None:
    """``qc check … | head`` with the reader gone: not a failed gate (1), and no traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "qc", "check", corpus, "--format", "json"], cwd=REPO,
                            env=qc_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before qc writes its report
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 2
    one_error_line(stderr.decode(), "stdout", "Broken pipe")


def test_a_findings_file_of_unknown_type_is_refused_before_any_work(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    run = run_qc("check", corpus, "--findings", out)
    assert run.code == 2 and run.stdout == ""
    one_error_line(run.stderr, "--findings", str(out), ".parquet or .jsonl")
    assert not out.exists()
