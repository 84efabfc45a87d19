"""``ExcerptCollector`` with cells taken per column: per-rule caps across batches, other fields, date order."""

from __future__ import annotations

import pandas as pd

from qc.excerpts import ExcerptCollector


def _frame(first_line: int, texts: list[str]) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame({
        "source_path": ["p.jsonl"] * n,
        "source_line": list(range(first_line, first_line + n)),
        "doc_id": [f"d{first_line + i}" for i in range(n)],
        "title": [f"Title {first_line + i}" for i in range(n)],
        "text": texts,
        "posted_ts": pd.to_datetime(["2020-01-01"] * n, utc=True),
        "captured_ts": pd.to_datetime(["2021-01-01"] * (n - 1) + [None], utc=True),
    })


def _found(rows: list[tuple[int, str, str | None, int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "source_path": ["p.jsonl"] * len(rows),
        "source_line": [r[0] for r in rows],
        "rule": [r[1] for r in rows],
        "field": [r[2] for r in rows],
        "start": pd.array([r[3] for r in rows], dtype="Int64"),
        "end": pd.array([r[4] for r in rows], dtype="Int64"),
        "family": [r[5] for r in rows],
    })


def test_caps_per_rule_across_batches_and_cells_of_other_fields() -> None:
    collector = ExcerptCollector(per_rule=2, window=3, max_date_points=3)
    first = _frame(1, ["aaaXbbb", "cccYddd", "eeeZfff"])
    collector(first, _found([(1, "A", None, 3, 4, "x"), (2, "A", "text", 3, 4, "x"), (3, "A", None, 3, 4, "x"),
                             (3, "B", "title", 0, 5, "date")]))
    second = _frame(4, ["gggQhhh", "iiiRjjj", "kkkSlll"])
    collector(second, _found([(4, "A", None, 3, 4, "x"), (5, "B", None, 3, 4, "x"), (6, "B", None, 3, 4, "x")]))
    contexts = collector.excerpts.contexts
    assert contexts == {
        ("p.jsonl", 1, "A", 3, 4): ("aaa", "bbb"),
        ("p.jsonl", 2, "A", 3, 4): ("ccc", "ddd"),
        ("p.jsonl", 3, "B", 0, 5): ("", " 3"),  # the title's cell, not the text's
        ("p.jsonl", 5, "B", 3, 4): ("iii", "jjj"),  # B's second span is in the second batch
    }
    assert list(collector.excerpts.documents) == [("p.jsonl", 1), ("p.jsonl", 2), ("p.jsonl", 5)]
    # Dated rows only (the last row of a batch has no capture), flagged (date-family) documents first.
    hits = [(str(p.date()), flagged) for p, _, flagged in collector.excerpts.dates]
    assert hits == [("2020-01-01", False), ("2020-01-01", False), ("2020-01-01", False)]
    assert len(collector.excerpts.dates) == 3


def test_date_sample_puts_flagged_documents_first() -> None:
    collector = ExcerptCollector(max_date_points=2)
    frame = _frame(1, ["a", "b", "c", "d"])
    frame["posted_ts"] = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"], utc=True)
    collector(frame, _found([(3, "DT001", "posted_at", 0, 1, "date")]))
    got = [(str(p.date()), flagged) for p, _, flagged in collector.excerpts.dates]
    assert got == [("2020-01-03", True), ("2020-01-01", False)]
