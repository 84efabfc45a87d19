"""The qc fix command: where it may write, --overwrite, --diff (colour rules), the manifest and quarantine."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, run_qc
from tests.fixing import SAMPLES
from tests.safety import digest, qc_env


def _samples(tmp_path: Path) -> Path:
    copy = tmp_path / "samples"
    shutil.copytree(SAMPLES, copy)
    return copy


def test_fix_writes_corpus_quarantine_and_manifest_with_matching_hashes(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    before = digest(samples)
    out = tmp_path / "fixed"
    run = run_qc("fix", samples, "--out", out, "-j", "1")
    assert run.code == 0, run.stderr
    assert "qc fix: wrote 1 file" in run.stderr and "4 dropped" in run.stderr
    assert digest(samples) == before  # the inputs are never touched
    manifest = json.loads((out / ".qc" / "manifest.json").read_text("utf-8"))
    assert manifest["tool"]["name"] == "corpus-qc" and manifest["tool"]["version"]
    for entry in manifest["outputs"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    for entry in manifest["inputs"]:
        data = Path(entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    quarantine = (out / ".qc" / "quarantine.jsonl").read_bytes()
    assert manifest["quarantine"]["sha256"] == hashlib.sha256(quarantine).hexdigest()
    entries = [json.loads(line) for line in quarantine.splitlines()]
    assert len(entries) == manifest["records"]["dropped"] == 4
    # The seed forum page: masked numbers (PH010, error) drop it; it is in the quarantine, not the output.
    assert any(e["source_path"].endswith("000_69e4dce93f7814c5.txt") for e in entries)
    assert not (out / "forum-pages").exists()
    assert manifest["records"]["read"] == 19 and manifest["records"]["written"] == 15
    rules = manifest["rules"]
    assert rules["BP010"]["action"] == "strip" and rules["BP010"]["chars_removed"] > 0
    assert rules["PH001"]["action"] == "drop" and rules["DT001"]["action"] == "flag"
    assert {r["code"] for r in manifest["rule_set"]} >= {"BP001", "PH001", "DT001"}
    actions = manifest["actions"]
    assert set(actions) == {"strip", "drop", "flag"}
    assert actions["strip"]["findings"] == sum(r["findings"] for r in rules.values() if r["action"] == "strip")
    assert actions["strip"]["chars_removed"] > 0 and actions["drop"]["chars_removed"] == 0
    assert manifest["config"]["settings"]["select"]["value"] == ["ALL"]
    flagged = {(f["doc_id"], tuple(f["rules"])) for f in manifest["flagged"]}
    assert ("zh-date-001", ("DT001",)) in flagged or any("DT001" in rules for _, rules in flagged)


def test_out_may_not_be_in_or_hold_an_input_folder(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    before = digest(samples)
    for out in (samples, samples / "fixed", tmp_path, samples / "posts.jsonl"):
        run = run_qc("fix", samples, "--out", out, "-j", "1")
        assert run.code == 2, (out, run.stderr)
        assert run.stderr.startswith("qc: error: --out:") and len(run.stderr.splitlines()) == 1
    run = run_qc("fix", samples / "posts.jsonl", "--out", samples / "posts.jsonl", "-j", "1")
    assert run.code == 2 and "never writes over its input" in run.stderr
    assert digest(samples) == before


def test_existing_out_needs_overwrite(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    out = tmp_path / "fixed"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    run = run_qc("fix", samples, "--out", out, "-j", "1")
    assert run.code == 2 and "--overwrite" in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    run = run_qc("fix", samples, "--out", out, "-j", "1", "--overwrite")
    assert run.code == 0, run.stderr
    assert (out / "posts.jsonl").is_file() and (out / "notes.txt").read_text("utf-8") == "mine"


def test_out_or_diff_is_required_and_not_both(tmp_path: Path) -> None:
    run = run_qc("fix", SAMPLES, "-j", "1")
    assert run.code == 2 and "--out" in run.stderr
    run = run_qc("fix", SAMPLES, "--diff", "--out", tmp_path / "x", "-j", "1")
    assert run.code == 2 and "--diff" in run.stderr and not (tmp_path / "x").exists()


def test_unknown_action_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    config = tmp_path / "qc.toml"
    config.write_text('[actions]\nBP01 = "flag"\nboilerplat = "keep"\n', encoding="utf-8")
    run = run_qc("fix", SAMPLES, "--out", tmp_path / "o", "--config", config, "-j", "1")
    assert run.code == 2 and "actions.BP01" in run.stderr and "did you mean" in run.stderr
    config.write_text('[actions]\nboilerplate = "flag"\nPH001 = "strip"\n', encoding="utf-8")
    run = run_qc("fix", SAMPLES, "--out", tmp_path / "o", "--config", config, "-j", "1")
    assert run.code == 0, run.stderr
    manifest = json.loads((tmp_path / "o" / ".qc" / "manifest.json").read_text("utf-8"))
    assert manifest["rules"]["BP010"]["action"] == "flag" and manifest["rules"]["BP010"]["chars_removed"] == 0
    assert manifest["rules"]["PH001"]["action"] == "strip"
    # A key may name a rule the run does not select.
    run = run_qc("fix", SAMPLES, "--out", tmp_path / "o2", "--config", config, "--select", "BP010", "-j", "1")
    assert run.code == 0, run.stderr
    config.write_text('[actions]\nSC001 = "strip"\n', encoding="utf-8")
    run = run_qc("check", SAMPLES, "--config", config, "-j", "1")
    assert run.code == 2 and "no span to strip" in run.stderr


def test_rules_show_prints_the_effective_action(tmp_path: Path) -> None:
    run = run_qc("rules", "show", "BP020")
    assert run.code == 0 and "qc fix: strip" in run.stdout and "strip scope: line" in run.stdout
    (tmp_path / "qc.toml").write_text('[actions]\nplaceholder = "flag"\n', encoding="utf-8")
    run = run_qc("rules", "show", "PH001", cwd=tmp_path)
    assert run.code == 0 and "qc fix: flag" in run.stdout and "set by actions in" in run.stdout


def test_diff_on_a_pipe_is_plain_and_writes_nothing(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    before = digest(tmp_path)
    run = run_qc("fix", samples, "--diff", "--limit", "2", "-j", "1")
    assert run.code == 0, run.stderr
    assert "\x1b[" not in run.stdout
    assert run.stdout.count("stripped by") + run.stdout.count("dropped by") == 2
    assert "-Skip to content" in run.stdout and "--- " in run.stdout and "@@ " in run.stdout
    assert digest(tmp_path) == before


def test_diff_is_coloured_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    script = ("import os, pty, sys\n"
              "pid, fd = pty.fork()\n"
              "if pid == 0:\n"
              "    os.execv(sys.executable, [sys.executable, '-m', 'qc', 'fix', sys.argv[1], '--diff', '--limit', '1',"
              " '-j', '1'])\n"
              "out = b''\n"
              "while True:\n"
              "    try:\n"
              "        chunk = os.read(fd, 65536)\n"
              "    except OSError:\n"
              "        break\n"
              "    if not chunk:\n"
              "        break\n"
              "    out += chunk\n"
              "os.waitpid(pid, 0)\n"
              "sys.stdout.buffer.write(out)\n")
    env = {k: v for k, v in qc_env().items() if k not in ("NO_COLOR", "CI")}
    coloured = subprocess.run([sys.executable, "-c", script, str(SAMPLES)], capture_output=True, cwd=REPO, env=env,
                              timeout=300)
    assert b"\x1b[31m" in coloured.stdout or b"\x1b[1;31m" in coloured.stdout  # removed lines in red
    plain = subprocess.run([sys.executable, "-c", script, str(SAMPLES)], capture_output=True, cwd=REPO,
                           env={**env, "NO_COLOR": "1"}, timeout=300)
    assert b"stripped by" in plain.stdout and b"\x1b[3" not in plain.stdout


def test_hostile_text_in_a_diff_is_shown_escaped(tmp_path: Path) -> None:
    corpus = tmp_path / "in" / "posts.jsonl"
    corpus.parent.mkdir()
    text = "Skip to content\n::error::owned \x1b[31mred\nThe post itself is here and is long enough.\nLog in | Register"
    corpus.write_text(json.dumps({"id": "h1", "text": text}) + "\n", encoding="utf-8")
    run = run_qc("fix", corpus, "--diff", "-j", "1")
    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stdout and "\\x1b" in run.stdout
    assert not any(line.startswith("::") for line in run.stdout.splitlines())


def test_a_format_without_a_writer_is_refused_before_the_check(tmp_path: Path) -> None:
    import pytest

    from qc.errors import OutputError
    from qc.fixing.run import Planned, check_out_dir, check_writers
    from qc.fixing.writers import writer_for
    from qc.load import InputFile

    assert all(writer_for(fmt) is not None for fmt in ("jsonl", "parquet", "csv", "tsv", "text"))
    archive = tmp_path / "in" / "crawl.warc.gz"
    archive.parent.mkdir()
    archive.write_bytes(b"WARC/1.0\r\n")
    planned = [Planned(InputFile(archive, "warc"), Path(archive.name))]
    with pytest.raises(OutputError, match="no writer for warc files"):
        check_out_dir(tmp_path / "out", [str(archive)], planned, overwrite=False)
    with pytest.raises(OutputError, match="no writer for warc files"):  # --diff reads through the writer too
        check_writers(planned)
    assert not (tmp_path / "out").exists()


def test_overwrite_removes_what_the_previous_fix_wrote_and_this_one_does_not(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "clean.txt").write_text("The council voted on Tuesday to add bike lanes.", encoding="utf-8")
    (folder / "later.txt").write_text("A second post about the weather this spring.", encoding="utf-8")
    out = tmp_path / "fixed"
    assert run_qc("fix", folder, "--out", out, "-j", "1").code == 0
    assert (out / "later.txt").is_file()
    (out / "mine.txt").write_text("a file of my own", encoding="utf-8")
    # The post now holds an unfilled template variable: this fix drops it.
    (folder / "later.txt").write_text("Dear {{first_name}}, your order has shipped.", encoding="utf-8")
    run = run_qc("fix", folder, "--out", out, "-j", "1", "--overwrite")
    assert run.code == 0, run.stderr
    assert not (out / "later.txt").exists() and (out / "clean.txt").is_file()
    assert (out / "mine.txt").read_text("utf-8") == "a file of my own"
    manifest = json.loads((out / ".qc" / "manifest.json").read_text("utf-8"))
    assert manifest["removed"] == ["later.txt"]


def test_a_file_that_cannot_be_read_is_not_written_and_exits_2(tmp_path: Path) -> None:
    import gzip

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "posts.jsonl", folder / "posts.jsonl")
    whole = gzip.compress((SAMPLES / "posts.jsonl").read_bytes())
    (folder / "broken.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # a truncated gzip stream
    out = tmp_path / "out"
    run = run_qc("fix", folder, "--out", out, "-j", "1")
    assert run.code == 2
    assert "broken.jsonl.gz" in run.stderr and "truncated" in run.stderr
    assert (out / "posts.jsonl").is_file() and not (out / "broken.jsonl.gz").exists()
    manifest = json.loads((out / ".qc" / "manifest.json").read_text("utf-8"))
    assert any("broken.jsonl.gz" in error for error in manifest["errors"])
    broken = next(e for e in manifest["inputs"] if e["path"].endswith("broken.jsonl.gz"))
    assert "error" in broken and "sha256" not in broken
