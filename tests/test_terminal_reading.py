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
    assert "1 error in 1 of 1 document" in run.stdout
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


LONG_NAME = "extraordinarily-long-custom-rule-name-for-narrow-terminals"
LONG_WORD = "https://tracker.example.com/campaign/ZZUNFILLEDZZ/landing-page-with-a-long-path?utm=x"
LONG_RULE = f"""code: PH901
name: {LONG_NAME}
family: placeholder
kind: pattern
severity: error
message: "Unfilled campaign slot: '{{match}}'"
summary: A test rule with a very long name whose matches are long.
why: A rule name and matches longer than a narrow terminal's columns must not be split mid-word.
patterns:
  - 'https://\\S+ZZUNFILLEDZZ\\S+'
  - 'ZZPHRASE(?: [a-z]+){{12}}'
examples:
  fail:
    - "see https://x.test/ZZUNFILLEDZZ/y now"
  pass:
    - "see https://x.test/ now"
"""


def _fragments(text: str, whole: str) -> list[str]:
    """Pieces of ``whole`` (at least 5 characters) on a line that are not ``whole`` itself nor a cut that
    ends in "…": what a split mid-word leaves."""
    bad = []
    for token in re.split(r"[\s│┃]+", text):
        core = token.strip("(),'\"")
        if len(core) >= 5 and core != whole and core in whole and not core.endswith("…"):
            bad.append(core)
        if core.endswith("…") and not whole.startswith(core[:-1].lstrip("…")) and core[:-1] in whole:
            bad.append(core)
    return bad


def test_at_80_columns_long_names_and_matches_are_never_split_mid_word(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / f"PH901-{LONG_NAME}.yaml").write_text(LONG_RULE, "utf-8")
    phrase = "ZZPHRASE " + " ".join(WORDS[:12])
    text = f"Intro words here. Visit {LONG_WORD} today. And {phrase} then the end of it all."
    corpus = write_jsonl(tmp_path / "posts.jsonl", [post("a", text), post("b", "Fine text " + LONG_WORD)])
    for verbose in ((), ("--verbose",)):
        run = run_qc("check", corpus, "--rules", pack, "--select", "PH901", *verbose, env={"COLUMNS": "80"})
        assert run.code == 1, run.stderr
        lines = run.stdout.splitlines()
        assert LONG_NAME in run.stdout, "the name is whole where there is room (the worst-rules heading)"
        from rich.cells import cell_len
        assert max(cell_len(line) for line in lines) <= 80
        for line in lines:
            assert not _fragments(line, LONG_NAME), f"rule name split mid-word: {line!r}"
            assert not _fragments(line, LONG_WORD), f"long match split mid-word: {line!r}"
        # The twelve-word match wraps between words: every word of it is printed whole.
        shown = {token.strip("…│┃") for line in lines for token in line.split()}
        if verbose:
            assert set(WORDS[:12]) <= shown, "a long match in the findings table wraps at spaces"


def test_the_headline_counts_by_severity_and_the_verdict_names_families(tmp_path: Path) -> None:
    """Info findings never count as broken documents in the headline (terminal and step summary), and a
    failing verdict names each failing family with its count."""
    from .conftest import REPO

    run = run_qc("check", REPO / "samples", "--format", "json", "--jobs", "1")
    report = run.json()
    severities, documents = report["summary"]["severities"], report["summary"]["documents"]
    expected = (f"{severities['error']['findings']} errors in {severities['error']['documents']} of "
                f"{documents} documents · {severities['warning']['findings']} warnings in "
                f"{severities['warning']['documents']} · {severities['info']['findings']} info in "
                f"{severities['info']['documents']}")
    quiet = run_qc("check", REPO / "samples", "--quiet", "--jobs", "1", env={"COLUMNS": "80"})
    assert expected in quiet.stdout and quiet.stdout.count("\n") == 1, "one line, however narrow"
    summary = tmp_path / "summary.md"
    run_qc("check", REPO / "samples", "--format", "github", "--jobs", "1", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert expected in summary.read_text("utf-8")
    reasons = " ".join(report["gate"]["reasons"])
    for family in report["gate"]["failing_families"]:
        assert re.search(rf"\bfamil(y|ies)\b[^:]*\b{family['family']}\b", reasons), (family, reasons)

    info_only = write_jsonl(tmp_path / "posts.jsonl", [post("a", "A clean post about rivers. Share"),
                                                       post("b", "Another clean post on lakes.")])
    headline = run_qc("check", info_only, "--select", "BP090", "--quiet").stdout
    assert re.search(r"· \d+ info in \d+ of 2 documents", headline) and "errors in" not in headline, headline
