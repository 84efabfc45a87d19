"""Accuracy of the built-in boilerplate and placeholder packs on the shared development set."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qc.cli import app

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
THRESHOLD = 0.95


def test_dev_set_precision_and_recall(tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(app, [
        "eval", str(CORPUS / "real-dev.jsonl"), "--labels", str(CORPUS / "real-dev.labels.jsonl"),
        "--format", "json", "--output", str(out),
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["documents"] == 707
    families = {f["family"]: f for f in report["families"]}
    for family in ("boilerplate", "placeholder"):
        score = families[family]
        assert score["precision"] >= THRESHOLD, (family, score)
        assert score["recall"] >= THRESHOLD, (family, score)
    # Hard negatives the labels call out must not be placeholder verdicts.
    flagged = {m["doc_id"] for m in report["false_positives"] if m["family"] == "placeholder"}
    for doc in ("d44083e36952c377", "03f402e3c81b9e3f", "7ddd869b1fee07f3", "b8c6395a84d8a4e8"):
        assert doc not in flagged
