"""Editor JSON Schemas: one for a rule YAML file, one for ``[tool.qc]`` / ``qc.toml``.

Both are generated from the pydantic models that validate them when a pack or config is loaded: each
rule kind's ``Spec`` (:mod:`qc.kinds`, keys shared by :class:`qc.rulespec.RuleSpec`) and
:class:`qc.config.Config`; the descriptions are the fields' docstrings. The files are checked in under
``schemas/`` (``qc rules schemas schemas/`` rewrites them; a test fails when they drift from the models),
shipped in the wheel, and published at :func:`qc.paths.schemas_url` for editors.

The rule schema is a union discriminated by ``kind``: ``kind`` must name a known kind, and ``allOf`` holds
one ``if kind == K then <K's schema>`` per kind. That is the same set of documents a ``oneOf`` over the
kinds accepts, but a validator can say what is wrong ("'phrasez' was unexpected", "'x' is not of type
'integer'") instead of "not valid under any of the given schemas", which is all a ``oneOf`` yields.
The pydantic validators the schema cannot express (a regex RE2 cannot compile, a message placeholder)
are still checked by ``qc rules test``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qc.config import Config
from qc.fielddocs import documented
from qc.kinds import KINDS
from qc.paths import schemas_url
from qc.rulespec import RuleSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
RULE_SCHEMA = "rule.schema.json"
CONFIG_SCHEMA = "config.schema.json"


def _kind_title(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) + "Rule"


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of one rule file, every kind's keys under an ``if kind == …`` branch."""
    defs: dict[str, Any] = {}
    branches = []
    for kind in sorted(KINDS):
        schema = documented(KINDS[kind]).model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            if defs.setdefault(name, sub) != sub:  # Examples, Severity, Region… are shared: one definition
                raise ValueError(f"two rule kinds define {name} differently")
        title = _kind_title(kind)
        schema["title"] = f"{kind} rule"
        schema["properties"]["kind"] = {"const": kind, "description": f"This rule's kind: {kind}."}
        defs[title] = schema
        branches.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                         "then": {"$ref": f"#/$defs/{title}"}})
    kind_field = documented(RuleSpec).model_fields["kind"]
    return {
        "$schema": DIALECT,
        "$id": schemas_url() + RULE_SCHEMA,
        "title": "corpus-qc rule",
        "description": "One corpus-qc rule (a YAML file in a rule pack). The keys beyond the shared ones depend "
                       "on kind.",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": sorted(KINDS), "description": kind_field.description}},
        "allOf": branches,
        "$defs": dict(sorted(defs.items())),
    }


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the ``[tool.qc]`` table of pyproject.toml, or of a whole ``qc.toml``."""
    schema = documented(Config).model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    return {"$schema": DIALECT, "$id": schemas_url() + CONFIG_SCHEMA, **schema,
            "title": "corpus-qc configuration ([tool.qc] in pyproject.toml, or qc.toml)"}


def schema_documents() -> dict[str, dict[str, Any]]:
    """File name → schema, for every published schema."""
    return {RULE_SCHEMA: rule_schema(), CONFIG_SCHEMA: config_schema()}


def schema_text(schema: dict[str, Any]) -> str:
    """The schema as the checked-in file holds it (stable formatting, so a diff shows only real drift)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schema_documents().items():
        path = directory / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
