"""Scale: identical findings for every --jobs, bounded memory, corpus-level rules in every mode."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import re2

from qc.api import CheckResult, check, resolve_ruleset
from qc.batch import Batch
from qc.config import Config
from qc.engine import Checker, run, sort_findings
from qc.load import count_lines, iter_batches, jsonl_blocks, jsonl_ranges, resolve_inputs
from qc.matcher import find_spans, find_spans_utf8
from qc.parallel import InFlight, ordered_map
from qc.render.progress import checking_progress, estimate_documents, progress_wanted

from . import scale_fixtures
from .conftest import run_qc


def _config(**keys: object) -> Config:
    return Config.model_validate({"fail-on": "never", **{k.replace("_", "-"): v for k, v in keys.items()}})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return scale_fixtures.write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def by_jobs(corpus: list[Path]) -> tuple[CheckResult, CheckResult]:
    """One check of the corpus in process and one with two worker processes, shared by the tests that compare them."""
    return check(corpus, _config(jobs=1, batch_rows=7)), check(corpus, _config(jobs=2, batch_rows=7))


@pytest.mark.scale
def test_jobs_give_identical_findings_in_the_same_order(by_jobs: tuple[CheckResult, CheckResult]) -> None:
    one, two = by_jobs
    pd.testing.assert_frame_equal(one.findings, two.findings)
    rules = set(one.findings["rule"])
    assert {"SC001", "SC002", "SC005", "SC007", "BP001", "PH001"} <= rules
    assert one.stats.documents == two.stats.documents == 248
    assert one.stats.load.mappings == two.stats.load.mappings
    assert two.stats.jobs == 2


def test_findings_do_not_depend_on_the_batch_size(corpus: list[Path]) -> None:
    small = check(corpus, _config(jobs=1, batch_rows=5))
    large = check(corpus, _config(jobs=1, batch_rows=100_000))
    # The same findings in the same order (each batch in document order, batches in corpus order).
    pd.testing.assert_frame_equal(small.findings, large.findings)
    pd.testing.assert_frame_equal(sort_findings(small.findings), small.findings)
    # The duplicate is the later record (b.jsonl.gz), found across files whatever the batching.
    duplicate = small.findings[small.findings["rule"] == "SC007"]
    assert duplicate["source_path"].tolist() == [str(corpus[1])]


@pytest.mark.scale
def test_memory_follows_the_batch_size_not_the_corpus(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(scale_fixtures.post(n)) + "\n" for n in range(3000)), encoding="utf-8")
    for jobs in (1, 2):
        result = check([path], _config(jobs=jobs, batch_rows=40))
        assert result.stats.documents == 3000
        # One unit at a time in process; at most two per worker in flight with a pool.
        assert 0 < result.stats.max_rows_held <= (40 if jobs == 1 else 2 * jobs * 40)
    whole = check([path], _config(jobs=1, batch_rows=10_000))
    assert whole.stats.max_rows_held == 3000
    pd.testing.assert_frame_equal(sort_findings(result.findings), sort_findings(whole.findings))


def test_jsonl_blocks_are_cut_by_lines_and_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("".join(f'{{"doc_id": "{n}", "text": "t{n}"}}\n' for n in range(25)), encoding="utf-8")
    [src] = resolve_inputs([path])
    blocks = list(jsonl_blocks(src, max_lines=10))
    assert [(first, lines) for _, first, lines in blocks] == [(1, 10), (11, 10), (21, 5)]
    lines = [line for batch in iter_batches([path], batch_rows=10) for line in batch.frame["source_line"]]
    assert lines == list(range(1, 26))
    ranges = jsonl_ranges(src, 100)
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size and len(ranges) > 3
    assert sum(count_lines(src, *r) for r in ranges) == 25
    first = 1
    for byte_range in ranges:  # ranges read on their own number their lines as the whole file does
        for block, start, n in jsonl_blocks(src, byte_range=byte_range, first_line=first):
            assert json.loads(block.splitlines()[0])["doc_id"] == str(start - 1)
            first = start + n


@pytest.mark.scale
def test_corpus_level_rule_in_one_and_two_processes(corpus: list[Path]) -> None:
    ruleset = scale_fixtures.ruleset_with_corpus_rule(resolve_ruleset(_config()))
    one = check(corpus, _config(jobs=1, batch_rows=9), ruleset=ruleset)
    two = check(corpus, _config(jobs=2, batch_rows=9), ruleset=ruleset)
    pd.testing.assert_frame_equal(one.findings, two.findings)
    repeated = one.findings[one.findings["rule"] == "TST001"]
    # Every fourth generated post starts with the banner; batches of 9 never see more than three of them.
    assert (repeated["match"] == "Repeated banner line").sum() == 60
    assert repeated.groupby("match").size().min() >= 2  # only lines that repeat across the corpus
    assert not any(match.startswith("The council") for match in repeated["match"])  # unique lines (#n)


def test_ordered_map_keeps_order_and_bounds_what_is_in_flight() -> None:
    held = InFlight()
    out = list(ordered_map(_square, range(20), jobs=2, setup=_setup, setup_args=(3,), rows_of=lambda _: 10,
                           in_flight=held))
    assert out == [3 * n * n for n in range(20)]
    assert held.max_rows == 40 and held.rows == 0


def _setup(factor: int) -> int:
    return factor


def _square(factor: int, n: int) -> int:
    return factor * n * n


@pytest.mark.parametrize("regex,text", [
    (r"x亿元|x%", "地区生产总值x亿元，增长x%，从x调整为x"),
    (r"\bshare on \w+", "🙂 Share on Facebook share on twitter"),
    (r"a*", "baaac"),
    (r"(?m)^\s*$", "a\n\n  \nb"),
    (r"©\s*\d{4}", "页脚 © 2013-2016 版权所有 ©2020"),
    (r"[^\]\n]{0,5}", "ab]cd\nef"),
])
def test_spans_on_utf8_bytes_equal_re2_finditer(regex: str, text: str) -> None:
    for ignorecase in (False, True):
        expected = find_spans(regex, ignorecase, text)
        assert find_spans_utf8(regex, ignorecase, text.encode()) == expected
        assert find_spans_utf8(regex, ignorecase, memoryview(b"xx" + text.encode())[2:]) == expected
    assert re2.compile(regex)  # the pattern itself is RE2


def test_batch_spans_read_candidate_rows_from_the_arrow_buffer() -> None:
    frame = pd.DataFrame({"text": ["no", None, "找回密码 and 免费注册", "", "免费注册"]})
    checker = Checker(resolve_ruleset(_config(select=["BP001"])))
    batch = checker.make_batch(frame)
    [pattern] = checker.rules[0].scan_patterns()
    assert [(row, text) for row, _, _, text in batch.spans(pattern)] == [(2, "找回密码"), (2, "免费注册"),
                                                                        (4, "免费注册")]
    assert batch.values("text", [4, 0, 1]) == ["免费注册", "no", None]
    assert isinstance(batch, Batch)


def test_run_on_a_dataframe_in_two_processes_matches_one() -> None:
    frame = pd.DataFrame([scale_fixtures.post(n) for n in range(90)])
    checker = Checker(resolve_ruleset(_config()))
    one = run(frame, checker, _config(batch_rows=8), jobs=1)[0].to_frame()
    store, stats = run(frame, checker, _config(batch_rows=8), jobs=2)
    two = store.to_frame()
    pd.testing.assert_frame_equal(one, two)
    assert stats.documents == 90 and not one.empty


@pytest.mark.scale
def test_cli_jobs_one_and_two_report_the_same_findings(corpus: list[Path]) -> None:
    reports = []
    for jobs in ("1", "2"):
        result = run_qc("check", *corpus, "--jobs", jobs, "--batch-rows", "6", "--format", "json",
                        "--fail-on", "never")
        assert result.code == 0, result.stderr
        assert result.stderr == ""  # no progress bar when stderr is a pipe
        reports.append(result.json())
    assert reports[0]["findings"] == reports[1]["findings"] and reports[0]["findings"]
    assert reports[0]["summary"]["documents"] == 248


def test_cli_rejects_an_unknown_engine(corpus: list[Path]) -> None:
    result = run_qc("check", corpus[0], "--engine", "spark")
    assert result.code == 2
    assert "engine" in result.stderr and "Traceback" not in result.stderr


def test_progress_bar_with_an_estimated_total(tmp_path: Path) -> None:
    from rich.console import Console

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_wanted(Terminal(), {}) is True
    assert progress_wanted(Terminal(), {"CI": "true"}) is False
    assert progress_wanted(io.StringIO(), {}) is False
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(scale_fixtures.post(n)) + "\n" for n in range(200)), encoding="utf-8")
    estimate = estimate_documents([path])
    assert estimate is not None and 150 <= estimate <= 250
    screen = Terminal()
    seen: list[int] = []
    with checking_progress(Console(file=screen, force_terminal=True, width=160), total=estimate) as advance:
        assert advance is not None
        result = check([path], _config(batch_rows=30), on_batch=lambda n: (seen.append(n), advance(n)))
    assert sum(seen) == result.stats.documents == 200
    assert "docs/s" in screen.getvalue() and "ETA" in screen.getvalue()


@pytest.mark.parametrize("text", ["ok", "", " ", "\x1c\x1f", "\u3000\u00a0", "\u200b", "\u2028", "\u0085", None, 5])
@pytest.mark.parametrize("doc_id", ["a", None, 7])
def test_fast_validation_agrees_with_pandera(text: object, doc_id: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from qc import schemas

    frame = pd.DataFrame({"doc_id": ["x", doc_id], "text": ["fine", text], "source_path": ["f", "f"],
                          "source_line": [1, 2]})
    for dtype in ("object", "str"):
        typed = frame.assign(text=frame["text"].astype(dtype)) if isinstance(text, str) or text is None else frame
        fast = schemas.validate_posts(typed, schemas.SeenIds())
        with monkeypatch.context() as patched:
            patched.setattr(schemas, "_all_rows_valid", lambda _frame: False)
            slow = schemas.validate_posts(typed, schemas.SeenIds())
        assert fast[0] == slow[0]
        assert fast[1].tolist() == slow[1].tolist()


@pytest.mark.scale
def test_report_excerpts_are_the_same_from_worker_processes(by_jobs: tuple[CheckResult, CheckResult]) -> None:
    one, two = by_jobs
    assert one.excerpts is not None and two.excerpts is not None
    assert one.excerpts.contexts and one.excerpts.documents and one.excerpts.dates
    assert two.excerpts.contexts == one.excerpts.contexts
    assert two.excerpts.documents == one.excerpts.documents
    assert two.excerpts.dates == one.excerpts.dates


def test_excerpt_frame_keeps_texts_only_where_the_collector_reads(corpus: list[Path]) -> None:
    from qc.engine import excerpt_frame

    [raw] = list(iter_batches([corpus[0]], batch_rows=1000))[:1]
    checker = Checker(resolve_ruleset(_config()))
    found = checker.check_frame(raw.frame)
    reduced = excerpt_frame(raw.frame, found, per_rule=1)
    kept = reduced["text"].notna()
    assert 0 < kept.sum() <= found["rule"].nunique() < len(reduced)
    assert reduced["posted_ts"].equals(raw.frame["posted_ts"])
    assert reduced["source_line"].equals(raw.frame["source_line"])
