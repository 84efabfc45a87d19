"""The terminal report through rich's recording console: verdict first, tables, highlighted examples."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

import qc
from qc.api import CheckResult
from qc.render import terminal
from qc.render.model import report_model
from qc.render.progress import checking_progress, progress_wanted

from .conftest import REPO, post, run_qc, write_jsonl


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def sample_result() -> CheckResult:
    return qc.check(REPO / "samples", {})


def record(result: CheckResult, width: int, verbosity: int = 0, color: bool = True) -> tuple[str, str]:
    """(plain text, text with ANSI styles) of the report at ``width`` columns."""
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True, no_color=not color,
                      color_system="truecolor" if color else None, highlight=False)
    terminal.render(result, io.StringIO(), console=console, verbosity=verbosity)
    styled = console.export_text(styles=True, clear=False)
    return console.export_text(), styled


@pytest.mark.parametrize("width", [80, 140])
def test_sample_report_verdict_tables_and_examples(sample_result: CheckResult, width: int) -> None:
    text, styled = record(sample_result, width)
    lines = text.splitlines()
    assert "✗ gate FAILED" in lines[1], "the verdict is the first line inside the header panel"
    assert max(cell_len(line) for line in lines) <= width
    for heading in ("By family", "By rule", "Worst rules", "Sites contributing most"):
        assert heading in text
    for code in ("PH001", "PH010", "BP001", "DT001"):
        assert code in text
    # Worst rules are errors first: PH rules come before the first warning rule in the examples.
    examples = text[text.index("Worst rules"):text.index("Sites contributing most")]
    assert "PH0" in examples
    if "BP0" in examples:
        assert examples.index("PH0") < examples.index("BP0")
    # A newline inside a context is shown as ⏎ and the match itself is highlighted.
    assert "{{first_name}},⏎Your order" in text
    assert "\x1b[1;30;43m{{first_name}}" in styled or "{{first_name}}\x1b[0m" in styled
    assert "samples/posts.jsonl:13" in text


def test_widths_change_layout_not_content(sample_result: CheckResult) -> None:
    narrow, _ = record(sample_result, 80)
    wide, _ = record(sample_result, 140)
    assert max(cell_len(line) for line in wide.splitlines()) > 80
    summary = sample_result.summary
    errors = summary.severities["error"]
    counts = f"{errors['findings']} errors in {errors['documents']} of {summary.documents} documents"
    for needle in ("masked-number-zh", "bbs.example.cn", counts):
        assert needle in narrow.replace("\n", "") or needle in narrow
        assert needle in wide


def test_no_color_has_no_colour_codes(sample_result: CheckResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    coloured = FakeTTY()
    terminal.render(sample_result, coloured)
    assert "\x1b[" in coloured.getvalue(), "a terminal gets colour"
    for name, value in (("NO_COLOR", "1"), ("CI", "true")):
        monkeypatch.setenv(name, value)
        out = FakeTTY()
        terminal.render(sample_result, out)
        text = out.getvalue()
        assert "gate FAILED" in text and "By rule" in text
        assert "\x1b[" not in text
        monkeypatch.delenv(name)


def test_quiet_is_one_line_and_verbose_lists_every_finding(sample_result: CheckResult) -> None:
    quiet, _ = record(sample_result, 200, verbosity=-1)
    assert quiet.strip().count("\n") == 0
    assert quiet.startswith("✗ gate FAILED")
    verbose, _ = record(sample_result, 200, verbosity=1)
    assert f"All findings ({sample_result.summary.findings:,})" in verbose
    assert verbose.count("samples/posts.jsonl:9") > 10


def test_corpus_markup_prints_literally(tmp_path: Path) -> None:
    hostile = "Hi [bold red]alert[/] and [link=https://x.test]click[/link] {{first_name}} [/] end"
    write_jsonl(tmp_path / "m.jsonl", [post("[red]doc[/red]", hostile, url="https://[b]x[/b].example/p")])
    result = qc.check(tmp_path, {})
    text, _ = record(result, 200)
    assert "[red]doc[/red]" in text
    assert "Hi [bold red]alert[/] and [link=https://x.test]click[/link] {{first_name}} [/] end" in text


def test_cli_quiet_and_verbose(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [post("a1", "Dear {{first_name}}, hello."), post("a2", "Fine text here.")])
    quiet = run_qc("check", tmp_path, "--quiet")
    assert quiet.code == 1
    assert quiet.stdout.strip().splitlines() == [quiet.stdout.strip()]
    assert "gate FAILED" in quiet.stdout
    verbose = run_qc("check", tmp_path, "--verbose")
    assert "All findings (1)" in verbose.stdout
    assert "\x1b[" not in verbose.stdout + verbose.stderr, "NO_COLOR and a pipe: no escape codes, no bar"


def test_progress_only_on_an_interactive_terminal() -> None:
    assert progress_wanted(FakeTTY(), {}) is True
    assert progress_wanted(io.StringIO(), {}) is False, "a pipe"
    assert progress_wanted(FakeTTY(), {"CI": "true"}) is False
    assert progress_wanted(FakeTTY(), {"NO_COLOR": "1"}) is False


def test_progress_counts_documents() -> None:
    out = FakeTTY()
    console = Console(file=out, force_terminal=True, width=100)
    with checking_progress(console) as advance:
        assert advance is not None
        advance(1500)
        advance(500)
        console.print("")
    with checking_progress(None) as nothing:
        assert nothing is None
    assert "2,000 documents · " in out.getvalue() and "docs/s" in out.getvalue()


def test_whole_record_findings_show_their_message(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "bad.jsonl", [post("ok", "Dear {{first_name}}, hi."), '{"id": "broken", "text": ',
                                         post("ok", "A duplicate id.")])
    result = qc.check(tmp_path, {})
    text, _ = record(result, 120)
    worst = text[text.index("Worst rules"):]
    assert "SC001" in worst and "bad.jsonl:2" in worst
    assert "SC007" in worst and "duplicate doc_id 'ok'" in worst



def test_sites_show_repeated_lines_else_boilerplate_matches(tmp_path: Path) -> None:
    # BP030 wants a block of template lines (three distinct ones), as a site header and footer are.
    gazette = [post(f"g{i}", f"Welcome to the Riverside Gazette portal\nStory number {i} is here.\n"
                             "Letters to the Gazette desk\nThe Gazette archive of back issues",
                    site="riverside.example") for i in range(6)]
    blog = [post("b1", "A post.\nShare on Facebook\nShare on Twitter", site="blog.example"),
            post("b2", "Another post.\nShare on Facebook", site="blog.example")]
    write_jsonl(tmp_path / "p.jsonl", gazette + blog)
    result = qc.check(tmp_path, {})
    model = report_model(result)
    by_site = {s.site: s for s in model.sites}
    assert model.leaked_lines_source == "repeated_lines"
    assert ("Welcome to the Riverside Gazette portal", 6) in by_site["riverside.example"].lines
    assert "Share on Facebook" in [t for t, _ in by_site["blog.example"].lines], "else boilerplate matches"
    text, _ = record(result, 120)
    assert "6× Welcome to the Riverside Gazette portal" in text


def test_sites_fold_case_and_leaked_lines_group_by_normal_form(tmp_path: Path) -> None:
    """``Business`` and ``business`` are one site; "11 References" and "7 References" are one leaked line."""
    posts = [post(f"b{i}", f"A story about {word} markets.\n{n} References\nPage {n} of 40\nComments ({n + 1})",
                  site="Business" if i % 2 else "business")
             for i, (n, word) in enumerate(zip((11, 7, 3, 11, 25, 2, 4, 9, 13, 30),
                                               ("bond", "stock", "oil", "gold", "tea", "rice", "corn", "gas", "tin",
                                                "zinc"), strict=True))]
    write_jsonl(tmp_path / "p.jsonl", posts)
    result = qc.check(tmp_path, {})
    model = report_model(result)
    assert [s.site for s in model.sites] == ["business"], "one site, shown as first written"
    (site,) = model.sites
    assert site.documents == 10
    counts = dict(site.lines)
    assert counts.get("11 References") == 10, counts
    assert [line for line in counts if line.endswith("References")] == ["11 References"], "one line, any number"
