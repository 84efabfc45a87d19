"""``qc eval``: document-level precision, recall and F1 per family and rule, with misses and evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qc.api import check
from qc.cli import app
from qc.errors import InputError
from qc.evaluate import evaluate, load_labels

POSTS = [
    # doc, text, labels
    ("chrome", "找回密码\n免费注册\nQQ登录\n正文内容很长。", ["boilerplate"]),
    ("clean", "今天天气很好，我们去公园散步。", []),
    ("filler", "Lorem ipsum dolor sit amet.", ["placeholder"]),
    ("missed", "Dear [Customer Name], hello.\nShare", ["placeholder", "boilerplate"]),
    ("wrong", "Connecting to %s", []),
]


def write(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "posts.jsonl"
    labels = tmp_path / "labels.jsonl"
    corpus.write_text("".join(json.dumps({"id": d, "text": t}) + "\n" for d, t, _ in POSTS), encoding="utf-8")
    labels.write_text("".join(json.dumps({"doc_id": d, "labels": lab, "note": "x"}) + "\n" for d, _, lab in POSTS),
                      encoding="utf-8")
    return corpus, labels


def test_scores_and_misses(tmp_path: Path) -> None:
    corpus, labels = write(tmp_path)
    result = check(corpus, {})
    report = evaluate(result.findings, load_labels(labels), result.ruleset)
    bp = report.family("boilerplate")
    assert (bp.tp, bp.fp, bp.fn) == (1, 0, 1)  # "missed" has only an info-level "Share"
    assert bp.precision == 1.0 and bp.recall == 0.5
    ph = report.family("placeholder")
    assert (ph.tp, ph.fp, ph.fn) == (2, 1, 0)
    assert ph.precision == pytest.approx(2 / 3) and ph.f1 == pytest.approx(0.8)
    fn = next(m for m in report.misses if m.kind == "false_negative" and m.family == "boilerplate")
    assert fn.doc_id == "missed" and fn.rules == ["BP090"] and "Share" in fn.evidence[0]
    fp = next(m for m in report.misses if m.kind == "false_positive")
    assert fp.doc_id == "wrong" and fp.rules == ["PH003"] and "%s" in fp.evidence[0]
    rule = next(r for r in report.rules if r.name == "PH002")
    assert (rule.tp, rule.fp, rule.fn) == (1, 0, 1)


def test_cli_json_and_terminal(tmp_path: Path) -> None:
    corpus, labels = write(tmp_path)
    runner = CliRunner()
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["eval", str(corpus), "--labels", str(labels), "--format", "json",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    families = {f["family"]: f for f in data["families"]}
    assert families["placeholder"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert [m["doc_id"] for m in data["false_positives"]] == ["wrong"]
    assert {m["doc_id"] for m in data["false_negatives"]} == {"missed"}
    text = runner.invoke(app, ["eval", str(corpus), "--labels", str(labels)])
    assert text.exit_code == 0
    assert "False negatives" in text.output and "[boilerplate]" in text.output
    # A rule that flagged nothing has no precision: n/a (null), never a perfect 1.000.
    silent = next(r for r in data["rules"] if r["tp"] + r["fp"] == 0)
    assert silent["precision"] is None
    silent_row = next(line for line in text.output.splitlines() if line.strip().startswith(f"│ {silent['name']} "))
    assert "n/a" in silent_row and "1.000" not in silent_row.split("│")[6]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"doc_id": "a", "labels": []}\nnot json\n', "labels.jsonl:2: not valid JSON"),
        ('{"labels": []}\n', "labels.jsonl:1: doc_id: missing"),
        ('{"doc_id": "a", "labels": "boilerplate"}\n', "labels.jsonl:1: labels: labels must be a list"),
        ('{"doc_id": "a", "labels": []}\n{"doc_id": "a", "labels": []}\n', "labels.jsonl:2: doc_id: duplicate"),
        ("\n", "labels.jsonl: the labels file has no records"),
    ],
)
def test_bad_labels_are_one_clear_line(tmp_path: Path, content: str, expected: str) -> None:
    corpus, _ = write(tmp_path)
    bad = tmp_path / "labels.jsonl"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_labels(bad)
    assert expected in str(info.value)
    result = CliRunner().invoke(app, ["eval", str(corpus), "--labels", str(bad)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_labels_outside_the_corpus_are_counted_not_scored(tmp_path: Path) -> None:
    corpus, labels = write(tmp_path)
    extra = labels.read_text(encoding="utf-8") + json.dumps({"doc_id": "ghost", "labels": ["boilerplate"]}) + "\n"
    labels.write_text(extra, encoding="utf-8")
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(app, ["eval", str(corpus), "--labels", str(labels), "--format", "json",
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["documents"] == len(POSTS)
    assert data["labelled_not_in_corpus"] == 1
    assert "ghost" not in {m["doc_id"] for m in data["false_negatives"]}


def test_labels_matching_no_document_are_an_error(tmp_path: Path) -> None:
    corpus, labels = write(tmp_path)
    labels.write_text(json.dumps({"doc_id": "ghost", "labels": []}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(corpus), "--labels", str(labels)])
    assert result.exit_code == 2
    assert "no labelled doc_id occurs in the corpus" in result.output


def test_missing_labels_file_and_bad_format(tmp_path: Path) -> None:
    corpus, labels = write(tmp_path)
    runner = CliRunner()
    missing = runner.invoke(app, ["eval", str(corpus), "--labels", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "cannot read labels" in missing.output
    bad = runner.invoke(app, ["eval", str(corpus), "--labels", str(labels), "--format", "xml"])
    assert bad.exit_code == 2 and "unknown format" in bad.output
