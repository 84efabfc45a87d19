"""Terminal injection: escape sequences, controls and bidi overrides in corpus text, doc_id, site, url, match,
message, file names, rule files and labels never reach the terminal raw, in the report, ``--verbose``, the
one-line errors, ``qc eval``, the progress bar or ``qc rules``. Each run is the real ``qc`` under a colour
terminal's environment, so rich renders as it would for a person."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from qc.safe_text import visible

from .conftest import REPO, write_jsonl
from .hostile import (
    assert_no_raw_controls,
    assert_no_workflow_commands,
    digests,
    hostile_name,
    hostile_text,
    run_qc_env,
    terminal_env,
    without_colours,
)

# Each example runs qc twice (seconds each on a busy machine): few examples, many hostile records in each.
# No shrinking: each step of it would be two more runs; the failing example is reported as drawn.
SLOW = settings(max_examples=4, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def shown(value: str) -> str:
    """How a value appears on the terminal: controls escaped, and ``##[`` defused (see qc.safe_text)."""
    return visible(value).replace("##[", "#\\x23[")


def _records(texts: list[str], names: list[str]) -> list[dict[str, str]]:
    # Every record is defective ({{first_name}} is an error finding), so every one must show in the report.
    return [{"id": f"{name}#{i}", "text": f"{text} Dear {{{{first_name}}}}, {text}", "site": f"{name}.example",
             "url": f"https://{name}/{i}"} for i, (text, name) in enumerate(zip(texts, names, strict=True))]


@SLOW
@given(texts=st.lists(hostile_text, min_size=3, max_size=12), data=st.data())
def test_report_and_verbose_show_controls_escaped(texts: list[str], data: st.DataObject) -> None:
    names = data.draw(st.lists(hostile_name, min_size=len(texts), max_size=len(texts)))
    file_name = data.draw(hostile_name)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / f"{file_name}.jsonl"
        records = _records(texts, names)
        write_jsonl(corpus, records)
        before = digests([corpus])
        env = terminal_env(COLUMNS="2000")  # wide enough that no table folds a value across lines
        run = run_qc_env("check", corpus, "--verbose", "--jobs", "1", env=env)
        assert run.code == 1, run.stderr
        assert run.stderr == ""
        assert "\x1b[" in run.stdout, "a colour terminal gets colour: the test renders as a terminal would"
        assert_no_raw_controls(run.stdout, "the terminal report")
        assert_no_workflow_commands(run.stdout, "the terminal report")
        plain = without_colours(run.stdout)
        for record in records:  # every doc_id is listed, its controls shown, not dropped
            assert shown(record["id"]) in plain, record["id"]
        assert shown(str(corpus)) in plain

        report = run_qc_env("check", corpus, "--format", "json", "--jobs", "1", env=env)
        assert report.code == 1, report.stderr
        body = report.json()
        assert body["summary"]["documents"] == len(records)
        flagged = {f["doc_id"] for f in body["findings"] if f["rule"] == "PH001"}
        assert flagged == {r["id"] for r in records}, "every record checked, its doc_id kept exactly"
        assert digests([corpus]) == before


def test_fixed_escapes_are_shown_visibly(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        {"id": "d\x1b]0;pwned\x07", "text": "Dear {{first_name}}, \x1b[2J\u202egnp.exe\x9b31m end",
         "site": "s\x1b[5mite"}])
    run = run_qc_env("check", corpus, "--jobs", "1", env=terminal_env())
    assert run.code == 1
    plain = without_colours(run.stdout)
    assert "d\\x1b]0;pwned\\x07" in plain
    assert "\\x1b[2J\\u202egnp.exe\\x9b31m end" in plain
    assert "s\\x1b[5mite" in plain
    assert_no_raw_controls(run.stdout, "the terminal report")


def test_newlines_keep_the_report_convention(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a\nb", "text": "Dear {{first_name}},\r\nYour\rorder"}])
    run = run_qc_env("check", corpus, "--jobs", "1", env=terminal_env())
    plain = without_colours(run.stdout)
    assert "{{first_name}},⏎Your⏎order" in plain, "contexts show line breaks as ⏎"
    assert "a\\nb" in plain, "a doc_id stays on one line"


@SLOW
@given(names=st.lists(hostile_name, min_size=1, max_size=3, unique=True))
def test_input_errors_are_one_escaped_line_each(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_jsonl(folder / "good.jsonl", [{"id": "g1", "text": "Dear {{first_name}}, hi."},
                                            {"id": "g2", "text": "A clean post about the weather."}])
        bad = []
        for n, name in enumerate(names):  # a file without a text column: an input error naming the file
            bad.append(write_jsonl(folder / f"{name}-{n}.jsonl", [{"id": "x", "body2": 1}]))
        before = digests(folder.iterdir())
        env = terminal_env()
        run = run_qc_env("check", folder, "--jobs", "1", env=env)
        assert run.code == 2
        lines = run.stderr.splitlines()
        assert len(lines) == len(bad), run.stderr
        assert all(line.startswith("qc: error: ") for line in lines)
        for path in bad:
            assert sum(shown(str(path)) in line for line in lines) == 1
        assert_no_raw_controls(run.stderr, "stderr")
        assert_no_raw_controls(run.stdout, "the terminal report")
        assert_no_workflow_commands(run.stdout + run.stderr, "the output")
        report = run_qc_env("check", folder, "--format", "json", "--jobs", "1", env=env)
        assert report.code == 2
        assert report.json()["summary"]["documents"] == 2, "the good file is still checked"
        assert len(report.json()["inputs"]["errors"]) == len(bad)
        assert digests(folder.iterdir()) == before


def test_missing_path_error_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no\x1b[2Jsuch\n::error::x\u202e"
    run = run_qc_env("check", missing, env=terminal_env())
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("qc: error: "), run.stderr
    assert "no\\x1b[2Jsuch\\n::error::x\\u202e" in run.stderr
    assert_no_raw_controls(run.stderr, "stderr")


def test_progress_bar_and_errors_on_a_terminal(tmp_path: Path) -> None:
    """stderr a real pseudo-terminal: the progress bar draws, and nothing from the corpus goes through raw."""
    write_jsonl(tmp_path / "a\x1b]0;T\x07.jsonl", [{"id": f"d\x1b]0;x\x07{i}", "text": "Dear {{first_name}}."}
                                                   for i in range(50)])
    bad = write_jsonl(tmp_path / "bad\x1b]8;;x\x1b\\\u202e.jsonl", [{"id": "x", "body2": 1}])
    leader, follower = pty.openpty()
    env = terminal_env()
    try:
        proc = subprocess.run([sys.executable, "-m", "qc", "check", str(tmp_path), "--jobs", "1", "--format", "json"],
                              stdout=subprocess.PIPE, stderr=follower, cwd=REPO, env=env, timeout=300)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child's side is closed and everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    err = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 2
    assert "qc: error: " in err and visible(str(bad)) in err
    for raw in ("\x1b]", "\x07", "\u202e", "\x9b", "\x1b[2J"):
        assert raw not in err, f"{raw!r} on the terminal"
    assert json.loads(proc.stdout)["summary"]["documents"] == 50


def _hostile_rule_pack(root: Path) -> Path:
    pack = root / "pack"
    pack.mkdir()
    (pack / "XX001-hostile.yaml").write_text(
        "code: XX001\nname: hostile-rule\nfamily: placeholder\nkind: pattern\nseverity: error\n"
        "message: \"found \\e]0;title\\a {match}\"\n"
        "summary: \"Summary \\e[2J with \\u202e bidi and \\x9b31m C1\"\n"
        "why: \"Why \\e]8;;https://evil.example/\\e\\\\link\\e]8;;\\e\\\\ and \\a bell\\nsecond line\"\n"
        "patterns: ['ZZTOP']\n"
        "examples:\n"
        "  fail: [\"ZZTOP \\e[5mblink\", {text: \"ZZTOP two\", note: \"\\e]0;x\\a\"}]\n"
        "  pass: [\"clean \\e[2J\", \"ZZTOP \\e[2J passes?\"]\n",
        encoding="utf-8")
    return pack


def test_rules_show_list_and_test_escape_user_rule_files(tmp_path: Path) -> None:
    pack = _hostile_rule_pack(tmp_path)
    before = digests(pack.iterdir())
    env = terminal_env()
    show = run_qc_env("rules", "show", "XX001", "--rules", pack, env=env)
    assert show.code == 0, show.stderr
    plain = without_colours(show.stdout)
    assert "Summary \\x1b[2J with \\u202e bidi and \\x9b31m C1" in plain
    assert "\\x07 bell\nsecond line" in plain, "prose keeps its line breaks"
    assert "note: \\x1b]0;x\\x07" in plain
    listing = run_qc_env("rules", "list", "--rules", pack, "--select", "XX001", env=env)
    assert listing.code == 0, listing.stderr
    assert "\\x1b[2J" in without_colours(listing.stdout)
    tested = run_qc_env("rules", "test", pack, env=env)
    assert tested.code == 1, "the second pass example holds the pattern: it fails"
    assert "FAIL" in tested.stdout and "ZZTOP \\x1b[2J passes?" in without_colours(tested.stdout)
    for run in (show, listing, tested):
        assert_no_raw_controls(run.stdout + run.stderr, "qc rules")
        assert_no_workflow_commands(run.stdout + run.stderr, "qc rules")
    assert digests(pack.iterdir()) == before


def test_rule_file_error_is_one_escaped_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "XX002-bad.yaml").write_text(
        "code: XX002\nname: bad-rule\nfamily: placeholder\nkind: pattern\nseverity: error\nmessage: m\n"
        "summary: s\nwhy: w\npatterns: ['a']\n\"bad\\e]0;t\\akey\\n::error::x\": 1\n"
        "examples: {fail: [a], pass: [b]}\n", encoding="utf-8")
    run = run_qc_env("rules", "test", pack, env=terminal_env())
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("qc: error: "), run.stderr
    assert "XX002-bad.yaml:10: bad\\x1b]0;t\\x07key\\n::error::x: unknown key" in run.stderr
    assert_no_raw_controls(run.stderr, "stderr")
    assert_no_workflow_commands(run.stderr, "stderr")


def test_eval_escapes_doc_ids_families_and_evidence(tmp_path: Path) -> None:
    hostile = ["e\x1b]0;t\x07", "f\u202e\x9b", "g\n::error::x"]
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        {"id": hostile[0], "text": "Dear {{first_name}}, \x1b[2J hi."},  # flagged, labelled clean: an FP
        {"id": hostile[1], "text": "A clean post."},                      # labelled placeholder: an FN
        {"id": hostile[2], "text": "Lorem ipsum dolor sit amet \x07."},
    ])
    labels = write_jsonl(tmp_path / "labels.jsonl", [
        {"doc_id": hostile[0], "labels": []}, {"doc_id": hostile[1], "labels": ["placeholder"]},
        {"doc_id": hostile[2], "labels": ["placeholder"]}, {"doc_id": "gone\x1b[5m", "labels": []}])
    before = digests([corpus, labels])
    env = terminal_env()
    run = run_qc_env("eval", corpus, "--labels", labels, env=env)
    assert run.code == 0, run.stderr
    plain = without_colours(run.stdout)
    assert "e\\x1b]0;t\\x07" in plain and "f\\u202e\\x9b" in plain
    assert_no_raw_controls(run.stdout + run.stderr, "qc eval")
    assert_no_workflow_commands(run.stdout + run.stderr, "qc eval")
    as_json = run_qc_env("eval", corpus, "--labels", labels, "--format", "json", env=env)
    assert as_json.code == 0
    assert_no_raw_controls(as_json.stdout.replace("\n", ""), "qc eval --format json")
    assert json.loads(as_json.stdout)["documents"] == 3
    assert digests([corpus, labels]) == before
