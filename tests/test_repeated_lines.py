"""``repeated_lines``: template lines found across a corpus split over several files, in two passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qc.api import check
from qc.batch import Batch
from qc.config import Config
from qc.engine import Checker, run
from qc.kinds import repeated_lines
from qc.registry import RuleSet

# Template lines of an invented site, in no lexicon of the built-in packs.
WORDS = ["apples", "bridges", "comets", "dunes", "embers", "ferns", "glaciers", "harbours"]
HEADER = "Quillfeather Weekly — stories from the valley"
FOOTER = "Printed on recycled pixels since 2011 by the Quillfeather collective"


def spec(**keys: Any) -> repeated_lines.Spec:
    return repeated_lines.Spec.model_validate({
        "code": "TS200", "name": "repeats", "family": "boilerplate", "kind": "repeated_lines",
        "severity": "warning", "message": "seen in {value} documents: '{match}'", "summary": "s", "why": "w",
        "examples": {"fail": ["x"], "pass": ["y"]}, **keys,
    })


def write_corpus(tmp_path: Path) -> list[Path]:
    """Six posts of one site across three files, two posts of another site, two without a site."""
    files = []
    for part in range(3):
        records = [
            {"id": f"q{part}{n}", "site": "quill.example",
             "text": f"{HEADER}\nThis post tells its own story about {WORDS[part * 2 + n]}.\n"
                     f"{FOOTER.replace('2011', str(2011 + part))}"}
            for n in range(2)
        ]
        if part == 0:
            records += [{"id": f"o{n}", "site": "other.example", "text": f"{HEADER}\nOther site post {n}."}
                        for n in range(2)]
        if part == 1:
            records += [{"id": f"n{n}", "text": f"Shared unsited line here\nLoose post about {WORDS[n]}."}
                        for n in range(2)]
        path = tmp_path / f"part-{part}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        files.append(path)
    return files


def test_template_lines_are_found_across_files(tmp_path: Path) -> None:
    files = write_corpus(tmp_path)
    rule = spec(min_documents=3, min_fraction=0.5)
    config = Config(batch_rows=2)  # several batches per file too: the state must merge across all of them
    found = run([str(p) for p in files], Checker(RuleSet([rule])), config)[0].to_frame()
    quill = found[found["site"] == "quill.example"]
    assert set(quill["doc_id"]) == {f"q{p}{n}" for p in range(3) for n in range(2)}
    assert set(quill["match"]) == {HEADER} | {FOOTER.replace("2011", str(y)) for y in (2011, 2012, 2013)}
    # The other site has the same header in only two documents, below min_documents.
    assert found[found["site"] == "other.example"].empty
    # Spans point at the line itself.
    texts = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    for row in found.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.match


def test_records_without_a_site_are_grouped_together(tmp_path: Path) -> None:
    files = write_corpus(tmp_path)
    found = run([str(p) for p in files], Checker(RuleSet([spec(min_documents=2)])), Config())[0].to_frame()
    unsited = found[found["doc_id"].isin(["n0", "n1"])]
    assert set(unsited["match"]) == {"Shared unsited line here"}
    assert unsited["site"].isna().all()


def test_state_holds_hashes_and_merges_by_addition() -> None:
    rule = spec()
    frame = pd.DataFrame({"text": [f"{HEADER}\nbody one", f"{HEADER}\nbody two"], "site": ["s", "s"]})
    one = rule.observe(Batch(frame=frame))
    for keys, counts in (one["pairs"], one["docs"]):  # 64-bit hashes and counts, no strings kept
        assert keys.dtype == np.uint64 and counts.dtype == np.int64 and list(keys) == sorted(keys)
    merged = rule.merge_states([one, one, None])
    assert merged["docs"][1].sum() == 4
    assert merged["pairs"][1].max() == 4
    # Merged states merge again (the engine folds them a group at a time): the same totals either way.
    again = rule.merge_states([rule.merge_states([one, one]), one])
    assert again["pairs"][1].max() == 6 and len(again["pairs"][0]) == len(merged["pairs"][0])


def test_merge_prunes_single_document_pairs_past_the_cap() -> None:
    rule = spec(max_pairs=1000)
    # Digits are masked, so lines differ by letters: "unique line aaa", "unique line baa", ...
    names = ["".join(chr(97 + (i // 26**k) % 26) for k in range(3)) for i in range(1200)]
    frame = pd.DataFrame({"text": [f"unique line {name}\n{HEADER}" for name in names]})
    merged = rule.merge_states([rule.observe(Batch(frame=frame))])
    assert len(merged["pairs"][0]) == 1  # only the header, seen in every document, survives
    assert merged["pairs"][1].tolist() == [1200]


def test_builtin_rule_reports_lines_per_site_through_the_api(tmp_path: Path) -> None:
    block = f"{HEADER}\nQuillfeather archive and back issues\nLetters to the Quillfeather desk"
    records = [{"id": f"d{n}", "site": "quill.example", "text": f"{block}\nA story about {WORDS[n]} only."}
               for n in range(6)]
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = check(path, {"select": ["BP030"]})
    found = result.findings
    assert len(found) == 18
    assert set(found["match"]) == set(block.split("\n"))
    assert set(found["site"]) == {"quill.example"}
    top = found.groupby(["site", "match"]).size().sort_values(ascending=False)
    assert top.index[0][0] == "quill.example" and top.iloc[0] == 6


def test_min_lines_spares_a_post_whose_only_recurring_lines_are_its_own_title_and_byline() -> None:
    title, byline = "Harvest festival draws record crowds", "by Ada Lovel on 12 October 2012"
    related = f"{title}\n{byline}"
    # Five pages carry the header block and, in a related list, the title and byline of a sixth post.
    pages = [f"{HEADER}\n{FOOTER}\nLetters to the desk\nStory {WORDS[n]}.\n{related}" for n in range(5)]
    own = f"{title}\n{byline}\nThe festival opened on Friday with a parade."
    frame = pd.DataFrame({"doc_id": [f"p{n}" for n in range(6)], "text": [*pages, own], "site": ["s"] * 6})
    for min_lines, flagged in ((1, {f"p{n}" for n in range(6)}), (3, {f"p{n}" for n in range(5)})):
        found = run(frame, Checker(RuleSet([spec(min_documents=5, min_lines=min_lines)])), Config())[0].to_frame()
        assert set(found["doc_id"]) == flagged, min_lines
        if min_lines == 3:  # the pages are flagged whole: every recurring line, the related list's too
            assert set(found.loc[found["doc_id"] == "p0", "match"]) == {HEADER, FOOTER, "Letters to the desk",
                                                                       title, byline}
