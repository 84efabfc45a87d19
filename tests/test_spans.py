"""Span search shortcuts: ASCII rows skip offset conversion, phrase rows stop at ``limit`` — same findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qc.batch import Batch
from qc.config import Config
from qc.engine import Checker, run
from qc.kinds import phrases
from qc.matcher import find_spans, iter_spans_utf8
from qc.registry import RuleSet
from qc.rulespec import ScanPattern

BASE: dict[str, Any] = {
    "code": "TS001", "name": "test-rule", "family": "boilerplate", "severity": "warning",
    "message": "hit '{match}'", "summary": "s", "why": "w",
    "examples": {"fail": ["x"], "pass": ["y"]},
}


def test_ascii_only_offsets_equal_the_general_path() -> None:
    text = "ab 12 cd 345 x6 " * 20
    regex = r"[a-z](?P<hit>[0-9]+)|x"
    data = memoryview(text.encode())
    assert list(iter_spans_utf8(regex, False, data, ascii_only=True)) == find_spans(regex, False, text)
    assert list(iter_spans_utf8(regex, False, data)) == find_spans(regex, False, text)


def test_batch_spans_on_mixed_rows_give_character_offsets() -> None:
    texts = ["plain ascii 2024 row", "中文 2024 行 2025", None, "", "café 1999 and 2000", "x" * 50 + " 2001"]
    pattern = ScanPattern(key="k#0", regex=r"\d{4}", field="text")
    batch = Batch(frame=pd.DataFrame({"text": pd.array(texts, dtype="str")}),
                  candidates={"k#0": np.arange(len(texts))})
    got = list(batch.spans(pattern))
    want = [(row, *span) for row, text in enumerate(texts) if text for span in find_spans(r"\d{4}", False, text)]
    assert got == want
    assert (1, 3, 7, "2024") in got and (4, 5, 9, "1999") in got


def _findings(rule: Any, texts: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    store, _ = run(frame, Checker(RuleSet([rule])), Config())
    return store.to_frame()


def test_limit_does_not_stop_before_min_distinct_is_known() -> None:
    # The third distinct phrase comes after ``limit`` spans: the document is still flagged, with the
    # first ``limit`` spans only.
    rule = phrases.Spec.model_validate({**BASE, "kind": "phrases", "phrases": ["alpha", "beta", "gamma"],
                                        "min_distinct": 3, "limit": 2})
    found = _findings(rule, ["alpha beta alpha beta alpha gamma", "alpha beta alpha beta", "gamma"])
    assert found["doc_id"].tolist() == ["d0", "d0"]
    assert found["match"].tolist() == ["alpha", "beta"]
    assert found["start"].tolist() == [0, 6]


def test_limit_with_region_counts_only_region_spans() -> None:
    body = "\n".join(["Share"] + ["body line"] * 10 + ["Share", "Login"])
    rule = phrases.Spec.model_validate({**BASE, "kind": "phrases", "phrases": ["Share", "Login"],
                                        "region": "tail", "within_lines": 2, "limit": 1, "min_distinct": 2})
    found = _findings(rule, [body])
    assert found["match"].tolist() == ["Share"]
    assert found["start"].tolist() == [body.rindex("Share")]
