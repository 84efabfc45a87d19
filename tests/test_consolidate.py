"""Less noise: boilerplate or placeholder findings on the same span are one finding naming its rules; a
rule's findings per document can be capped, the true count still visible."""

from __future__ import annotations

from pathlib import Path

from .conftest import post, run_qc, write_jsonl

CHROME = ("Skip to content\nHome\nNews\nSport\nWeather\nContact\nLog in | Register\n"
          "A plain post about the long walk by the river, told at length by a walker who likes rivers.")


def _findings(tmp_path: Path, records: list[dict], *extra: str) -> list[dict]:
    corpus = write_jsonl(tmp_path / "posts.jsonl", records)
    run = run_qc("check", corpus, "--format", "json", "--fail-on", "never", *extra, cwd=tmp_path)
    assert run.code == 0, run.stderr
    return run.json()["findings"]


def test_findings_of_one_family_on_one_span_are_one_finding_that_lists_its_rules(tmp_path: Path) -> None:
    found = _findings(tmp_path, [post("a", CHROME)])
    spans = [(f["family"], f["field"], f["start"], f["end"]) for f in found if f["start"] is not None]
    assert len(spans) == len(set(spans)), "no span is reported twice within a family"
    skip = [f for f in found if f["match"] == "Skip to content"]
    assert len(skip) == 1, "BP010 and BP011 both find 'Skip to content': one finding"
    assert skip[0]["rule"] == "BP010" and skip[0]["message"].endswith("(also BP011)")
    for finding in found:  # every match is exactly its span: nothing widened
        if finding["start"] is not None:
            assert CHROME[finding["start"]:finding["end"]] == finding["match"]
    assert {"BP011", "BP020"} <= {f["rule"] for f in found}, "nested and wider spans keep their own findings"


def test_a_rules_findings_per_document_are_capped_with_the_true_count(tmp_path: Path) -> None:
    text = " ".join(f"Hello {{{{slot_{i}}}}}, and" for i in range(12)) + " goodbye."
    (tmp_path / "qc.toml").write_text("[tool.qc]\nmax-findings-per-document = 5\n", "utf-8")
    found = _findings(tmp_path, [post("a", text), post("b", "Dear {{name}}, hi.")])
    in_a = [f for f in found if f["doc_id"] == "a" and f["rule"] == "PH001"]
    assert len(in_a) == 5
    assert in_a[-1]["message"].endswith("(+7 more in this document)")
    assert not any("more in this document" in f["message"] for f in in_a[:-1])
    assert [f["rule"] for f in found if f["doc_id"] == "b"] == ["PH001"]


def test_the_cap_is_configurable_and_zero_keeps_every_finding(tmp_path: Path) -> None:
    text = " ".join(f"Hello {{{{slot_{i}}}}}, and" for i in range(12)) + " goodbye."
    (tmp_path / "qc.toml").write_text("[tool.qc]\nmax-findings-per-document = 0\n", "utf-8")
    assert len([f for f in _findings(tmp_path, [post("a", text)]) if f["rule"] == "PH001"]) == 12
    (tmp_path / "qc.toml").write_text("[tool.qc]\nmax-findings-per-document = 2\n", "utf-8")
    capped = [f for f in _findings(tmp_path, [post("a", text)]) if f["rule"] == "PH001"]
    assert len(capped) == 2 and capped[-1]["message"].endswith("(+10 more in this document)")
    (tmp_path / "qc.toml").write_text("[tool.qc]\nmax-findings-per-document = -1\n", "utf-8")
    corpus = write_jsonl(tmp_path / "posts.jsonl", [post("a", text)])
    bad = run_qc("check", corpus, cwd=tmp_path)
    assert bad.code == 2 and "max-findings-per-document" in bad.stderr


def test_by_default_every_finding_is_kept_and_date_rules_stay_apart(tmp_path: Path) -> None:
    text = " ".join(f"Hello {{{{slot_{i}}}}}, and" for i in range(12)) + " goodbye."
    assert len([f for f in _findings(tmp_path, [post("a", text)]) if f["rule"] == "PH001"]) == 12
