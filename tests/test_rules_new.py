"""``qc rules new``: a skeleton with the editor schema line, valid for the schema and the loader, that
passes ``qc rules test`` once its examples are written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from qc.kinds import KINDS
from qc.paths import schemas_url
from qc.rulespec import RuleSpec

from .conftest import REPO, run_qc

RULE_SCHEMA = json.loads((REPO / "schemas" / "rule.schema.json").read_text("utf-8"))
SCHEMA_LINE = f"# yaml-language-server: $schema={schemas_url()}rule.schema.json"


def _builtin_of_kind(kind: str) -> dict[str, Any]:
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if isinstance(data, dict) and data.get("kind") == kind:
            return data
    raise AssertionError(f"no built-in rule of kind {kind}")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_skeleton_of_every_kind_is_valid_and_passes_once_its_examples_are_written(tmp_path: Path, kind: str) -> None:
    pack = tmp_path / "pack"
    run = run_qc("rules", "new", "XY001", "--kind", kind, "--dir", pack, "--name", "my-check")
    assert run.code == 0, run.stderr
    path = pack / "XY001-my-check.yaml"
    assert f"wrote {path}" in run.stdout
    text = path.read_text("utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    data = yaml.safe_load(text)
    jsonschema.validate(data, RULE_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert (data["code"], data["name"], data["kind"], data["family"]) == ("XY001", "my-check", kind, "custom")

    # As written, its placeholder examples do not hold: qc rules test says so (exit 1), no load error.
    unfilled = run_qc("rules", "test", pack)
    assert unfilled.code == 1, unfilled.stderr
    assert "FAIL XY001 fail[0]" in unfilled.stdout

    # Every commented option, uncommented, is a valid key with a valid default.
    options = [line for line in text.splitlines() if re.match(r"# [a-z_]+: ", line)]
    optional_keys = {f.alias or k for k, f in KINDS[kind].model_fields.items()
                     if k not in RuleSpec.model_fields and not f.is_required()}
    assert {line[2:].split(":")[0] for line in options} == optional_keys
    uncommented = "\n".join(line[2:] if line in options else line for line in text.splitlines()) + "\n"
    path.write_text(uncommented, encoding="utf-8")
    assert run_qc("rules", "test", pack).code == 1  # loads (exit 1 for the examples, not 2)

    # Written examples (and the kind's options, from a built-in rule of that kind): the pack passes.
    builtin = _builtin_of_kind(kind)
    filled = {**yaml.safe_load(uncommented),
              **{k: v for k, v in builtin.items() if k not in {"code", "name", "family", "message", "summary", "why"}}}
    path.write_text(SCHEMA_LINE + "\n" + yaml.safe_dump(filled, allow_unicode=True, sort_keys=False), encoding="utf-8")
    passed = run_qc("rules", "test", pack)
    assert passed.code == 0, passed.stdout + passed.stderr
    assert re.search(r"\d+ passed, 0 failed", passed.stdout)


def test_a_pattern_skeleton_with_its_examples_written_by_hand(tmp_path: Path) -> None:
    run = run_qc("rules", "new", "ORD001", "--kind", "pattern", "--dir", tmp_path / "qc-rules",
                 "--severity", "error", "--family", "orders", "--name", "order-stub")
    assert run.code == 0, run.stderr
    path = tmp_path / "qc-rules" / "ORD001-order-stub.yaml"
    text = path.read_text("utf-8")
    text = text.replace('"REPLACE-ME"', '"ORDER-\\\\d+"')
    text = text.replace('"TODO a text with the defect"', '"Your order ORDER-123 has shipped."')
    text = text.replace('"TODO a similar text without it"', '"Your order 123 has shipped."')
    path.write_text(text, encoding="utf-8")
    run = run_qc("rules", "test", tmp_path / "qc-rules")
    assert run.code == 0, run.stdout + run.stderr
    assert "2 passed, 0 failed" in run.stdout
    shown = run_qc("rules", "show", "ORD001", "--rules", tmp_path / "qc-rules")
    assert "order-stub (ORD001)" in shown.stdout and "severity: error" in shown.stdout


def test_default_folder_and_name(tmp_path: Path) -> None:
    run = run_qc("rules", "new", "AB123", "--kind", "phrases", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert (tmp_path / "qc-rules" / "AB123.yaml").is_file()
    assert yaml.safe_load((tmp_path / "qc-rules" / "AB123.yaml").read_text("utf-8"))["name"] == "ab123"


def test_never_overwrites(tmp_path: Path) -> None:
    assert run_qc("rules", "new", "AB123", "--kind", "phrases", "--dir", tmp_path).code == 0
    (tmp_path / "AB123.yaml").write_text("my work\n", encoding="utf-8")
    run = run_qc("rules", "new", "AB123", "--kind", "phrases", "--dir", tmp_path)
    assert run.code == 2
    assert run.stderr == f"qc: error: {tmp_path / 'AB123.yaml'}: file exists; not overwritten\n"
    assert (tmp_path / "AB123.yaml").read_text("utf-8") == "my work\n"


@pytest.mark.parametrize(("args", "message"), [
    (["AB123", "--kind", "regex"], "--kind: unknown rule kind 'regex' (known: body_dates, chrome_blocks, chrome_date,"),
    (["ab1", "--kind", "pattern"], "CODE: bad rule code 'ab1': 1-4 capital letters then 3 digits"),
    (["AB123", "--kind", "pattern", "--name", "Bad Name"], "--name: bad rule name 'Bad Name': kebab-case"),
    (["AB123", "--kind", "pattern", "--family", "schema"], "--family: bad family 'schema'"),
    (["AB123", "--kind", "pattern", "--severity", "fatal"], "--severity: bad severity 'fatal'"),
])
def test_bad_arguments_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    run = run_qc("rules", "new", *args, "--dir", tmp_path)
    assert run.code == 2
    assert run.stderr.startswith(f"qc: error: {message}") and run.stderr.count("\n") == 1, run.stderr
    assert not list(tmp_path.iterdir())
