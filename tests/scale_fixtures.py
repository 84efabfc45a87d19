"""Shared fixtures for the scale tests: a multi-file corpus on disk and a tiny corpus-level rule kind.

The corpus-level kind lives here (a module, not a test file) so worker processes and Dask workers can
import it by name when they unpickle the rule set.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from qc.batch import Batch
from qc.registry import RuleSet
from qc.rulespec import FindingRow, RuleSpec

ZH = "找回密码\n免费注册\nQQ登录\n地区生产总值x亿元，增长x%。会议总结了去年的工作。"
EN = "Skip to content\nLog in | Register\nDear {{first_name}}, the council met. Share on Facebook"
CLEAN = "The council approved the new budget on Tuesday after a long debate about road repairs."


def post(n: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
    """One record; every fourth post repeats a first line so the corpus-level kind has work to do."""
    body = text if text is not None else [ZH, EN, CLEAN][n % 3] + f" #{n}"
    if text is None and n % 4 == 0:
        body = "Repeated banner line\n" + body
    record: dict[str, Any] = {"doc_id": f"d{n}", "url": f"https://s{n % 5}.example.com/p/{n}", "text": body,
                              "posted_at": "2024-01-02 03:04:05", "captured_at": "2024-02-01T00:00:00+00:00"}
    record.update(extra)
    return record


def write_corpus(root: Path, posts: int = 240) -> list[Path]:
    """A multi-file corpus: plain and gzipped JSON Lines, Parquet and a text folder, with schema problems.

    It holds a malformed line, a duplicate doc_id across files, an empty text and a record that is not
    an object, so every merge path (schema and rule findings, duplicates in corpus order) is exercised.
    """
    root.mkdir(parents=True, exist_ok=True)
    third = posts // 3
    lines = [json.dumps(post(n), ensure_ascii=False) for n in range(third)]
    lines.insert(5, "{not json")
    lines.insert(9, "[1, 2]")
    lines.append(json.dumps(post(10_000, text="   ")))
    (root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = [json.dumps(post(n), ensure_ascii=False) for n in range(third, 2 * third)]
    second.append(json.dumps(post(3)))  # duplicate of a doc_id in a.jsonl
    with gzip.open(root / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(second) + "\n")
    pd.DataFrame([post(n) for n in range(2 * third, posts)]).to_parquet(root / "c.parquet")
    pages = root / "pages"
    pages.mkdir(exist_ok=True)
    for n in range(6):
        (pages / f"{n:03d}.txt").write_text(ZH if n % 2 else EN, encoding="utf-8")
    return [root / "a.jsonl", root / "b.jsonl.gz", root / "c.parquet", pages]


class RepeatedFirstLine(RuleSpec):
    """Corpus-level test kind: flags documents whose first line occurs in at least two documents."""

    KIND: ClassVar[str] = "test_repeated_first_line"
    CORPUS_LEVEL: ClassVar[bool] = True

    @staticmethod
    def _first_lines(batch: Batch) -> Iterator[tuple[int, str]]:
        for row, value in enumerate(batch.texts("text").tolist()):
            yield row, value.split("\n", 1)[0]

    def observe(self, batch: Batch) -> Any:
        """Count first lines in this batch."""
        return Counter(line for _, line in self._first_lines(batch))

    def merge_states(self, states: list[Any]) -> Any:
        """Sum the counts of every batch (associative: a merged count merges again)."""
        total: Counter[str] = Counter()
        for state in states:
            total.update(state)
        return total

    def finish_state(self, state: Any) -> Any:
        """The first lines seen at least twice."""
        return {line for line, count in state.items() if count >= 2}

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Flag a document whose first line repeats across the corpus."""
        for row, line in self._first_lines(batch):
            if state and line in state:
                yield FindingRow(row=row, start=0, end=len(line), match=line, message=self.format_message(line))


def corpus_rule() -> RepeatedFirstLine:
    """An instance of the test kind, as if loaded from YAML."""
    rule = RepeatedFirstLine(
        code="TST001", name="repeated-first-line", family="boilerplate", kind=RepeatedFirstLine.KIND,
        severity="warning", message="first line repeats across the corpus: '{match}'",
        summary="Repeated first line.", why="Site chrome repeats.",
        examples={"fail": ["a\nb"], "pass": ["c"]},
    )
    rule.bind_source("tests/scale_fixtures.py", "test")
    return rule


def ruleset_with_corpus_rule(builtin: RuleSet) -> RuleSet:
    """The built-in rules plus the corpus-level test rule, as a test-local rule set."""
    return RuleSet([*builtin, corpus_rule()])
