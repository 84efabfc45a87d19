"""The terminal report reads cleanly: plurals, doc_ids once, excerpts cut at words; `qc rules show` explains
options and how to silence a rule."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import post, run_qc, write_jsonl

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
         "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor",
         "whiskey", "xray", "yankee", "zulu"]


def test_one_document_and_one_finding_are_singular(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "posts.jsonl", [post("a", "Dear {{first_name}}, welcome to the club.")])
    run = run_qc("check", corpus)
    assert "1 finding in 1 of 1 document" in run.stdout
    assert "1 file)" in run.stdout
    assert not re.search(r"\b1 (documents|findings|files|sites)\b", run.stdout)


def test_a_text_folders_doc_id_is_printed_once(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.txt").write_text("Dear {{first_name}}, welcome to the club.\n", "utf-8")
    run = run_qc("check", folder, cwd=tmp_path)
    heading = [line for line in run.stdout.splitlines() if "page.txt:1" in line]
    assert heading and all(line.count("page.txt") == 1 for line in heading)


def test_excerpts_are_cut_at_a_word_with_an_ellipsis(tmp_path: Path) -> None:
    text = " ".join(WORDS * 4) + " Dear {{first_name}}, " + " ".join(WORDS * 4)
    corpus = write_jsonl(tmp_path / "posts.jsonl", [post("a", text)])
    run = run_qc("check", corpus, env={"COLUMNS": "160"})
    line = next(line for line in run.stdout.splitlines() if "{{first_name}}" in line and "…" in line).strip()
    assert line.startswith("…") and line.endswith("…")
    first, last = line[1:].split()[0], line[:-1].split()[-1]
    assert first in WORDS and last in WORDS, f"cut mid-word: {line!r}"


def test_rules_show_indents_examples_lists_options_and_says_how_to_silence(tmp_path: Path) -> None:
    run = run_qc("rules", "show", "BP020")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    marks = [n for n, line in enumerate(lines) if line.startswith(("  ✗ ", "  ✓ "))]
    assert marks
    after_mark = lines[marks[0] + 1]
    assert after_mark.startswith("    ") and after_mark.strip(), "a multi-line example's next line is indented"
    options = lines.index(next(line for line in lines if line.startswith("Options")))
    assert re.match(r"  min_run: \d+ +\(default: 6\)", lines[options + 3]) or any(
        re.match(r"  min_run: \d+ +\(default: 6\)", line) for line in lines[options:])
    assert "qc check --ignore BP020" in run.stdout and 'ignore = ["BP020"]' in run.stdout
