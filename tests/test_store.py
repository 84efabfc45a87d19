"""The findings store spills to disk past its memory budget and reads back exactly; the tally counts the
same whatever the chunking; a check with a tiny budget reports what a check without one reports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import qc
from qc.schemas import coerce_findings
from qc.store import FindingsStore
from qc.tally import tally_findings

from . import scale_fixtures


def _findings(documents: int, per_document: int, path: str = "c.jsonl") -> pd.DataFrame:
    rows = []
    for doc in range(documents):
        for k in range(per_document + doc % 3):
            rows.append({
                "doc_id": f"d{doc}", "rule": ("BP001", "PH001", "DT010")[k % 3],
                "family": ("boilerplate", "placeholder", "date")[k % 3],
                "severity": ("warning", "error", "info")[k % 3], "field": "text" if k % 3 != 2 else None,
                "start": k if k % 3 != 2 else None, "end": k + 4 if k % 3 != 2 else None,
                "match": f" 返回顶部 {doc % 5} ", "message": f"m{k}", "source_path": path, "source_line": doc + 1,
                "site": f"s{doc % 4}.example" if doc % 7 else None,
            })
    return coerce_findings(pd.DataFrame(rows))


def test_a_store_past_its_budget_spills_and_reads_back_the_same_rows_in_order() -> None:
    frame = _findings(400, 3)
    store = FindingsStore(memory_rows=100)
    for start in range(0, len(frame), 37):
        store.append(frame.iloc[start : start + 37].reset_index(drop=True))
    assert store.spilled >= len(frame) - 137 and len(store) == len(frame)
    pd.testing.assert_frame_equal(store.to_frame(), frame)
    chunks = list(store.chunks(chunk_rows=50))
    assert max(len(c) for c in chunks) <= 100  # read back in bounded pieces
    assert [c.index[0] for c in chunks] == sorted(c.index[0] for c in chunks)  # indexed by run position
    pd.testing.assert_frame_equal(store.to_frame(["rule", "source_line"]), frame[["rule", "source_line"]])
    # Appending after reading starts a new spill file; order is kept.
    store.append(frame.iloc[:150].reset_index(drop=True))
    pd.testing.assert_frame_equal(store.to_frame(), pd.concat([frame, frame.iloc[:150]], ignore_index=True))
    spill_dirs = {p.parent for p in store._files}
    store.close()
    assert spill_dirs and not any(d.exists() for d in spill_dirs)


def test_chunks_of_whole_documents_never_split_a_document() -> None:
    frame = _findings(300, 4)
    store = FindingsStore(memory_rows=64)
    store.append(frame)
    seen: set[int] = set()
    for chunk in store.chunks(whole_documents=True, chunk_rows=10):
        lines = set(chunk["source_line"].tolist())
        assert not lines & seen, "a document appeared in two chunks"
        seen |= lines
    assert seen == set(range(1, 301))


def test_the_tally_does_not_depend_on_how_the_findings_are_chunked() -> None:
    frame = _findings(500, 2)
    store = FindingsStore(memory_rows=50)
    store.append(frame)
    small = tally_findings(store.chunks(whole_documents=True, chunk_rows=7))
    whole = tally_findings([frame])
    for name in ("findings", "documents_with_findings", "rule_findings", "rule_documents", "family_documents",
                 "severity_findings", "severity_documents", "per_document", "site_findings", "site_documents",
                 "boilerplate_lines", "site_names", "line_names"):
        assert getattr(small, name) == getattr(whole, name), name
    assert whole.documents_with_findings == 500 and whole.rule_documents["BP001"] == 500
    assert whole.per_document == {2: 167, 3: 167, 4: 166}
    pd.testing.assert_frame_equal(small.heads(5), whole.heads(5))
    pd.testing.assert_frame_equal(small.examples("PH001"), whole.examples("PH001"))
    assert small.examples("PH001")["source_line"].tolist() == [1, 2, 3]  # one per document first
    assert small.most_severe(4)["severity"].tolist() == ["error"] * 4


@pytest.fixture(scope="module")
def spilled_and_held(tmp_path_factory: pytest.TempPathFactory) -> tuple[qc.CheckResult, qc.CheckResult]:
    """One corpus checked with a findings budget of 10 rows (it spills) and without; shared by each format."""
    path = tmp_path_factory.mktemp("spill") / "big.jsonl"
    path.write_text("".join(json.dumps(scale_fixtures.post(n)) + "\n" for n in range(600)), encoding="utf-8")
    base = {"fail-on": "never", "batch-rows": 50, "jobs": 1}
    return qc.check([path], {**base, "findings-memory-rows": 10}), qc.check([path], base)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_check_that_spills_reports_what_one_in_memory_reports(
        tmp_path: Path, fmt: str, spilled_and_held: tuple[qc.CheckResult, qc.CheckResult]) -> None:
    spilled, held = spilled_and_held
    assert spilled.store.spilled > 0 and held.store.spilled == 0
    pd.testing.assert_frame_equal(spilled.findings, held.findings)
    # The tally's heads are keyed by position in the run, in run order, whichever batch they came from.
    heads = spilled.tally.heads()
    assert heads.index.is_monotonic_increasing and heads["source_path"].nunique() == 1
    pd.testing.assert_frame_equal(heads, spilled.findings.loc[heads.index])
    assert heads["source_line"].max() > 50  # rows from more than the first batch
    spilled.summary.seconds = held.summary.seconds = 0.0
    assert spilled.summary == held.summary and spilled.gate == held.gate
    from qc.render import OutputFormat, renderer

    outputs = []
    for result in (spilled, held):
        out = tmp_path / f"{fmt}-{len(outputs)}.json"
        with out.open("w", encoding="utf-8") as handle:
            renderer(OutputFormat(fmt))(result, handle)
        outputs.append(json.loads(out.read_text(encoding="utf-8")))
    if fmt == "json":
        for report in outputs:  # the settings differ by design (findings-memory-rows); the findings may not
            report.pop("settings", None)
        assert outputs[0] == outputs[1] and len(outputs[0]["findings"]) == len(held.findings) > 10
    else:
        assert outputs[0]["runs"][0]["results"] == outputs[1]["runs"][0]["results"]


def test_seen_ids_find_repeats_within_and_across_batches_in_few_sorted_arrays() -> None:
    import numpy as np

    from qc.schemas import SeenIds

    seen = SeenIds()
    rng = np.random.default_rng(7)
    everything = rng.integers(0, 2**63, size=20_000, dtype=np.uint64)
    marks = [seen.mark(everything[start : start + 1000]) for start in range(0, 20_000, 1000)]
    assert not np.concatenate(marks).any() and len(seen) == 20_000
    assert len(seen._levels) <= 2 * int(np.log2(20)) + 1  # merged like a binary counter
    again = np.array([everything[5], 42, everything[19_999], 42], dtype=np.uint64)
    assert seen.mark(again).tolist() == [True, False, True, True]  # the second 42 repeats the first
    assert len(seen) == 20_001
