"""Bounded excerpts: the engine hands each checked batch to the collector, which keeps only what is capped."""

from __future__ import annotations

from pathlib import Path

from qc.api import resolve_ruleset
from qc.config import load_config
from qc.engine import Checker, run
from qc.excerpts import ExcerptCollector

from .conftest import post, write_jsonl


def test_caps_hold_across_batches_and_contexts_surround_the_span(tmp_path: Path) -> None:
    posts = [post(f"d{i}", f"Intro number {i}.\nDear {{{{first_name}}}}, and {{{{last_name}}}} too. Bye {i}.",
                  posted_at="2026-01-02", captured_at="2026-01-03") for i in range(40)]
    write_jsonl(tmp_path / "p.jsonl", posts)
    # DT001 (posted after capture: none here) reads parsed dates, so the batches carry them and the date
    # sample fills; with PH001 alone no date is parsed and there is no sample (features on demand).
    config = load_config(search=False, overrides={"batch_rows": 7, "select": ["PH001", "DT001"]})
    collector = ExcerptCollector(per_rule=5, max_documents=2, docs_per_rule=3, window=12, max_date_points=9)
    store, stats = run([tmp_path / "p.jsonl"], Checker(resolve_ruleset(config)), config, on_checked=collector)
    findings = store.to_frame()
    excerpts = collector.excerpts
    assert len(findings) == 80 and stats.documents == 40
    assert len(excerpts.contexts) == 5, "the first five PH001 spans, though batches hold seven documents"
    assert len(excerpts.documents) == 2
    assert len(excerpts.dates) == 9
    first = findings.iloc[0]
    before, after = excerpts.context(first["source_path"], int(first["source_line"]), "PH001",
                                     int(first["start"]), int(first["end"]))
    assert before == "ber 0.\nDear " and after == ", and {{last", "twelve characters either side"
    kept = excerpts.documents[(first["source_path"], 1)]
    assert kept.doc_id == "d0" and kept.text == posts[0]["text"] and not kept.truncated


def test_long_documents_are_cut(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "p.jsonl", [post("long", "Dear {{first_name}}, " + "x" * 5000)])
    config = load_config(search=False, overrides={"select": ["PH001"]})
    collector = ExcerptCollector(max_doc_chars=100)
    run([tmp_path / "p.jsonl"], Checker(resolve_ruleset(config)), config, on_checked=collector)
    (kept,) = collector.excerpts.documents.values()
    assert len(kept.text) == 100 and kept.truncated


def test_a_long_document_keeps_its_head_and_the_text_around_its_spans() -> None:
    from qc.excerpts import kept_pieces

    text = "h" * 1000 + "x" * 40_000 + "{{first_name}}" + "y" * 10_000
    span = (41_000, 41_014)
    pieces = kept_pieces(text, [span], budget=2_000, context=100)
    assert pieces[0] == (0, "h" * 500), "the head: a quarter of the budget"
    assert any(offset <= span[0] and span[1] <= offset + len(piece) for offset, piece in pieces)
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces), "offsets are the field's"
    assert sum(len(piece) for _, piece in pieces) <= 2_000
    assert kept_pieces("short", [(0, 5)], budget=2_000) == [(0, "short")]
