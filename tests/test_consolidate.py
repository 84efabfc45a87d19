"""Less noise: overlapping findings of one family are one finding naming its rules; a rule's findings per
document are capped, the true count still visible."""

from __future__ import annotations

from pathlib import Path

from .conftest import post, run_qc, write_jsonl

CHROME = "Skip to content\nHome | Blog | About\nLog in | Register\nA plain post about the long walk by the river."


def _findings(tmp_path: Path, records: list[dict], *extra: str) -> list[dict]:
    corpus = write_jsonl(tmp_path / "posts.jsonl", records)
    run = run_qc("check", corpus, "--format", "json", "--fail-on", "never", *extra, cwd=tmp_path)
    assert run.code == 0, run.stderr
    return run.json()["findings"]


def test_overlapping_findings_of_one_family_are_one_finding_that_lists_its_rules(tmp_path: Path) -> None:
    found = _findings(tmp_path, [post("a", CHROME)])
    spans = [(f["field"], f["start"], f["end"]) for f in found if f["start"] is not None]
    for i, (field, start, end) in enumerate(spans):  # no two boilerplate spans overlap any more
        for other_field, other_start, other_end in spans[i + 1:]:
            assert field != other_field or end <= other_start or other_end <= start
    merged = [f for f in found if "(also " in f["message"]]
    assert merged, "BP010 and BP090 both find 'Log in | Register'"
    for finding in merged:
        assert CHROME[finding["start"]:finding["end"]] == finding["match"]
        also = finding["message"].rsplit("(also ", 1)[1].rstrip(")").split(", ")
        assert finding["rule"] not in also and all(code[:2] == finding["rule"][:2] for code in also)


def test_the_more_severe_rule_keeps_the_finding(tmp_path: Path) -> None:
    found = _findings(tmp_path, [post("a", CHROME)])
    login = [f for f in found if "Log in" in f["match"]]
    assert len(login) == 1 and login[0]["rule"] == "BP010" and login[0]["severity"] == "warning"
    assert "BP090" in login[0]["message"]


def test_a_rules_findings_per_document_are_capped_with_the_true_count(tmp_path: Path) -> None:
    text = " ".join(f"Hello {{{{slot_{i}}}}}, and" for i in range(12)) + " goodbye."
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
