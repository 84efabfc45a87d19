"""Findings as columns (issue 10): a kind's :class:`FindingColumns` become the same findings, with the same
messages, as the :class:`FindingRow` objects they replace; the vectorised message formatter agrees with
``RuleSpec.format_message`` finding by finding."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from qc.batch import Batch
from qc.engine import Checker
from qc.kinds import pattern, phrases
from qc.registry import RuleSet
from qc.rulespec import NO_SPAN, FindingColumns, FindingRow, RuleSpec

MATCHES = ["short", "x" * 80, "y" * 81, "长" * 100 + "尾", "{match} and {{braces}}", "tab\there", ""]


def _rule(kind: Any, **keys: Any) -> Any:
    return kind.Spec.model_validate({
        "code": "TS300", "name": "columns", "family": "placeholder", "kind": kind.Spec.KIND, "severity": "error",
        "summary": "s", "why": "w", "examples": {"fail": ["x"], "pass": ["y"]}, **keys,
    })


def test_vectorised_messages_equal_format_message_for_every_template() -> None:
    templates = ["Found '{match}'", "{code} {name}: {value} in {field}", "{{literal}} {match}{match}",
                 "no placeholder at all", "{value}", "{match!r} padded {value:>12}"]
    values = [None, "3", None, "七", "v", None, "z"]
    for template in templates:
        rule = _rule(pattern, patterns=["x"], message=template)
        found = FindingColumns.of(range(len(MATCHES)), [0] * len(MATCHES), [1] * len(MATCHES), MATCHES, values)
        got = rule.format_messages(found).to_pylist()
        assert got == [rule.format_message(m, v) for m, v in zip(MATCHES, values, strict=True)], template


def test_columns_and_rows_round_trip_through_the_adapter() -> None:
    rule = _rule(pattern, patterns=["x"], message="m: {match}")
    rows = [FindingRow(row=2, start=None, end=None, match="doc", message="whole document", field="title"),
            FindingRow(row=0, start=3, end=5, match="ab", message="m: ab")]
    columns = FindingColumns.from_rows(rows)
    assert columns.starts.tolist() == [NO_SPAN, 3] and columns.fields == ["title", None]
    assert list(columns.to_rows(rule)) == rows
    assert len(FindingColumns.from_rows([])) == 0


class _RowsOnly(RuleSpec):
    """A kind written the old way (FindingRow objects), to prove the adapter keeps it working."""

    KIND = "rows_only"

    def evaluate(self, batch: Batch, state: Any = None) -> Any:
        for row, text in enumerate(batch.texts(self.field).tolist()):
            at = text.find("{{")
            if at >= 0:
                yield FindingRow(row=row, start=at, end=at + 2, match="{{", message=self.format_message("{{"))


def test_a_row_kind_and_a_column_kind_give_one_frame_in_document_order() -> None:
    frame = pd.DataFrame({
        "doc_id": ["a", "b", "c"], "text": ["Hi {{name}}, see Home", "Home", "nothing"],
        "source_path": "x.jsonl", "source_line": [1, 2, 3], "site": None,
    })
    lexicon = _rule(phrases, phrases=["Home"], message="menu word '{match}'", family="boilerplate", code="TS301",
                    name="menu")
    old = _RowsOnly.model_validate({"code": "TS302", "name": "old", "family": "placeholder", "kind": "rows_only",
                                    "severity": "warning", "message": "old {match}", "summary": "s", "why": "w",
                                    "examples": {"fail": ["x"], "pass": ["y"]}})
    found = Checker(RuleSet([lexicon, old])).check_frame(frame)
    assert found[["doc_id", "rule", "start", "end", "match", "message"]].values.tolist() == [
        ["a", "TS301", 17, 21, "Home", "menu word 'Home'"],
        ["a", "TS302", 3, 5, "{{", "old {{"],
        ["b", "TS301", 0, 4, "Home", "menu word 'Home'"],
    ]
    assert str(found["message"].dtype) == "str" and isinstance(found["start"].dtype, pd.Int64Dtype)
    assert pa.types.is_large_string(FindingColumns.empty().matches.type)


def test_validating_findings_takes_pandera_whenever_the_vectorised_check_is_not_sure() -> None:
    from qc.schemas import _findings_conform, coerce_findings, validate_findings

    rows = pd.DataFrame([{"doc_id": "a", "rule": "PH001", "family": "placeholder", "severity": "error",
                          "field": "text", "start": 3, "end": 9, "match": "{{x}}", "message": "m",
                          "source_path": "x.jsonl", "source_line": 1, "site": None, "line": 1}])
    canonical = coerce_findings(rows)
    assert _findings_conform(canonical) and validate_findings(canonical) is canonical
    other = canonical.astype({"rule": "string", "start": "float64"})  # pandera coerces these back
    assert not _findings_conform(other)
    pd.testing.assert_frame_equal(validate_findings(other), canonical)
    bad = canonical.assign(severity="fatal")
    assert not _findings_conform(bad)
    import pandera.errors

    with pytest.raises(pandera.errors.SchemaError, match="severity"):
        validate_findings(bad)
