"""Editor JSON Schemas (schemas/): current with the pydantic models, accepting every built-in rule and the
README's config, and rejecting what corpus-qc rejects with a message that names the problem."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import best_match

from .conftest import REPO, post, run_qc, write_jsonl

SCHEMAS = REPO / "schemas"


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / name).read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _problem(schema: dict[str, Any], instance: Any) -> tuple[str, list[Any]] | None:
    """The message and path a validator (and so an editor) shows first, or None when the instance is valid."""
    error = best_match(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    return None if error is None else (error.message, list(error.absolute_path))


def test_checked_in_schemas_equal_the_models(tmp_path: Path) -> None:
    run = run_qc("rules", "schemas", tmp_path / "out")
    assert run.code == 0, run.stderr
    for name in ("rule.schema.json", "config.schema.json"):
        fresh = (tmp_path / "out" / name).read_text("utf-8")
        assert fresh == (SCHEMAS / name).read_text("utf-8"), f"{name} drifted: run qc rules schemas schemas"


def test_schemas_describe_every_key_from_the_models() -> None:
    from qc.config import Config
    from qc.fielddocs import documented
    from qc.kinds import KINDS

    rule = _schema("rule.schema.json")
    assert rule["properties"]["kind"]["enum"] == sorted(KINDS)
    for kind, spec in KINDS.items():
        branch = rule["$defs"]["".join(p.capitalize() for p in kind.split("_")) + "Rule"]
        assert branch["additionalProperties"] is False
        assert branch["properties"]["kind"] == {"const": kind, "description": f"This rule's kind: {kind}."}
        for key, field in documented(spec).model_fields.items():
            prop = branch["properties"][field.alias or key]
            assert prop.get("description") == field.description or key == "kind", (kind, key)
    config = _schema("config.schema.json")
    assert config["additionalProperties"] is False
    assert "source" not in config["properties"]  # not a TOML key
    assert sorted(config["properties"]) == sorted(f.alias or k for k, f in Config.model_fields.items()
                                                  if k != "source")


def test_every_builtin_rule_validates() -> None:
    schema = _schema("rule.schema.json")
    files = [p for p in sorted((REPO / "rules").rglob("*.yaml")) if p.name != "pack.yaml"]
    assert len(files) > 30
    for path in files:
        assert _problem(schema, yaml.safe_load(path.read_text("utf-8"))) is None, path


def _readme_configs() -> list[str]:
    """Every ```toml block of the README that holds a [tool.qc] table."""
    blocks = re.findall(r"```toml\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S)
    found = [block for block in blocks if "[tool.qc]" in block]
    assert found, "the README has a [tool.qc] example"
    return found


def test_readme_config_example_validates_and_is_what_qc_accepts(tmp_path: Path) -> None:
    schema = _schema("config.schema.json")
    for n, block in enumerate(_readme_configs()):
        table = tomllib.loads(block)["tool"]["qc"]
        assert _problem(schema, table) is None
        # The same block is a working qc.toml: corpus-qc loads it and checks with it.
        work = tmp_path / str(n)
        for folder in table.get("rules", []):
            run = run_qc("rules", "new", "XY001", "--kind", "phrases", "--dir", work / folder)
            assert run.code == 0, run.stderr
            rule = work / folder / "XY001.yaml"
            rule.write_text(rule.read_text("utf-8").replace('"TODO a text with the defect"', '"say replace me"'))
        (work / "qc.toml").write_text(block, encoding="utf-8")
        write_jsonl(work / "c.jsonl", [{"id": "a", "content": "The council met on Tuesday.",
                                        "crawl_time": "2024-03-01T10:00:00Z"}])
        run = run_qc("check", "c.jsonl", "--format", "json", "--jobs", "1", cwd=work)
        assert run.code == 0, run.stderr
        report = run.json()
        assert report["gate"]["fail_on"] == table.get("fail-on", "error")
        assert report["summary"]["documents"] == 1


PHRASES_RULE = yaml.safe_load((REPO / "rules/core/placeholder/PH002-lorem-ipsum.yaml").read_text("utf-8"))

# (change to a valid rule, what the schema says first, what qc says): both must reject it.
BROKEN_RULES = [
    ({"phrasez": ["x"]}, ("Additional properties are not allowed ('phrasez' was unexpected)", []),
     "phrasez: unknown key"),
    ({"limit": "many"}, ("'many' is not of type 'integer'", ["limit"]), "limit: Input should be a valid integer"),
    ({"limit": 0}, ("0 is less than the minimum of 1", ["limit"]), "limit: Input should be greater than or equal to 1"),
    ({"kind": "patern"}, ("'patern' is not one of ['body_dates', 'chrome_blocks', 'chrome_date', 'copyright_stale', "
                          "'date_bounds', 'date_order', 'line_runs', 'pattern', 'phrases', 'relative_date', "
                          "'repeated_lines']",
                          ["kind"]), "kind: unknown rule kind 'patern'"),
    ({"severity": "fatal"}, ("'fatal' is not one of ['info', 'warning', 'error']", ["severity"]), "severity:"),
    ({"code": "ph1"}, ("'ph1' does not match '^[A-Z]{1,4}[0-9]{3}$'", ["code"]), "code: must be 1-4 capital"),
    ({"region": "middle"}, ("'middle' is not one of ['any', 'head', 'tail', 'edges']", ["region"]), "region:"),
    ({"why": None}, ("'why' is a required property", []), "why: required key is missing"),
    ({"examples": {"fail": ["x"]}}, ("'pass' is a required property", ["examples"]), "examples.pass"),
    ({"examples": {"fail": [], "pass": ["x"]}}, ("[] should be non-empty", ["examples", "fail"]), "examples.fail"),
]


@pytest.mark.parametrize(("change", "schema_says", "qc_says"), BROKEN_RULES, ids=[str(c) for c, _, _ in BROKEN_RULES])
def test_a_broken_rule_is_rejected_by_the_schema_and_by_qc_alike(tmp_path: Path, change: dict[str, Any],
                                                                 schema_says: tuple[str, list[Any]], qc_says: str
                                                                 ) -> None:
    rule = {**PHRASES_RULE, **change}
    rule = {k: v for k, v in rule.items() if v is not None}
    assert _problem(_schema("rule.schema.json"), rule) == schema_says
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "XY001.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    run = run_qc("rules", "test", tmp_path / "pack")
    assert run.code == 2
    assert qc_says in run.stderr and run.stderr.count("\n") == 1, run.stderr


BROKEN_CONFIGS = [
    ('fial-on = "warning"', ("Additional properties are not allowed ('fial-on' was unexpected)", []),
     "fial-on: unknown key"),
    ('fail-on = "sometimes"', ("'sometimes' is not one of ['error', 'warning', 'info', 'never']", ["fail-on"]),
     "fail-on: must be one of"),
    ("batch-rows = 0", ("0 is less than the minimum of 1", ["batch-rows"]), "batch-rows:"),
    ('[fields]\ntxt = "content"', ("'txt' is not one of ['doc_id', 'text', 'url', 'site', 'title', 'author', "
                                   "'posted_at', 'captured_at', 'lang']", ["fields"]), "unknown canonical field"),
    ("[max-doc-rate]\nboilerplate = 2", ("2 is greater than the maximum of 1", ["max-doc-rate", "boilerplate"]),
     "rate must be between 0 and 1"),
    ("select = \"PH001\"", ("'PH001' is not of type 'array'", ["select"]), "select:"),
]


@pytest.mark.parametrize(("toml", "schema_says", "qc_says"), BROKEN_CONFIGS, ids=[t for t, _, _ in BROKEN_CONFIGS])
def test_a_broken_config_is_rejected_by_the_schema_and_by_qc_alike(tmp_path: Path, toml: str,
                                                                   schema_says: tuple[str, list[Any]], qc_says: str
                                                                   ) -> None:
    text = f"[tool.qc]\n{toml.replace('[', '[tool.qc.', 1) if toml.startswith('[') else toml}\n"
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    assert _problem(_schema("config.schema.json"), tomllib.loads(text)["tool"]["qc"]) == schema_says
    write_jsonl(tmp_path / "c.jsonl", [post("a", "The council met on Tuesday.")])
    run = run_qc("check", "c.jsonl", cwd=tmp_path)
    assert run.code == 2
    assert qc_says in run.stderr and run.stderr.count("\n") == 1, run.stderr
