"""``qc rules new``: a rule file to start from, with the editor schema line and every option of its kind.

The skeleton loads as it is (so the editor and ``qc rules test`` see a valid rule) but its examples are
placeholders, so ``qc rules test`` fails until the author writes real ones. The kind's optional keys are
listed as comments with their defaults and descriptions, taken from the kind's ``Spec`` fields.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qc.errors import ConfigError
from qc.fielddocs import documented
from qc.jsonschemas import RULE_SCHEMA
from qc.kinds import KINDS
from qc.paths import default_docs_url, schemas_url
from qc.rulespec import CODE_RE, FAMILY_RE, NAME_RE, RuleSpec, Severity

#: Starter values for a kind's required keys (a kind with a required key missing here is a bug: tested).
STARTERS: dict[str, Any] = {"patterns": ["REPLACE-ME"], "phrases": ["replace me"]}
#: Kinds whose examples need date fields beside the text.
DATE_KINDS = frozenset({"date_order", "date_bounds", "copyright_stale", "body_dates", "relative_date",
                        "chrome_date"})


def _flow(value: Any) -> str:
    """A value as one line of YAML (JSON is valid YAML flow style)."""
    return json.dumps(value.value if hasattr(value, "value") else value, ensure_ascii=False)


def skeleton(code: str, kind: str, *, name: str | None = None, family: str = "custom",
             severity: str = "warning") -> str:
    """The YAML text of a new rule of ``kind``; raises :class:`ConfigError` for a bad code, kind or name."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ConfigError(f"unknown rule kind {kind!r} (known: {', '.join(sorted(KINDS))})", field="--kind")
    if not CODE_RE.match(code):
        raise ConfigError(f"bad rule code {code!r}: 1-4 capital letters then 3 digits, e.g. XY001", field="CODE")
    name = name or code.lower()
    if not NAME_RE.match(name):
        raise ConfigError(f"bad rule name {name!r}: kebab-case, e.g. unfilled-order-number", field="--name")
    if not FAMILY_RE.match(family) or family == "schema":
        raise ConfigError(f"bad family {family!r}: a lowercase identifier other than schema", field="--family")
    if severity not in {s.value for s in Severity}:
        raise ConfigError(f"bad severity {severity!r} (choose error, warning, info)", field="--severity")
    lines = [
        f"# yaml-language-server: $schema={schemas_url()}{RULE_SCHEMA}",
        f"# A corpus-qc rule of kind {kind}. Write real examples, then run: qc rules test <this folder>",
        "# Every key is described by the schema above; the built-in rules, one page each: "
        f"{default_docs_url() or 'qc rules show CODE'}",
        f"code: {code}",
        f"name: {name}",
        f"family: {family}",
        f"kind: {kind}",
        f"severity: {severity}",
        "message: \"TODO say what is wrong: '{match}'\"",
        "summary: TODO one line saying what the rule finds.",
        "why: TODO why a finding matters to whoever reads the report.",
    ]
    optional = []
    for key, field in documented(spec).model_fields.items():
        if key in RuleSpec.model_fields:
            continue
        alias = field.alias or key
        if field.is_required():
            if key not in STARTERS:
                raise ValueError(f"no starter value for the required key {key!r} of kind {kind!r}")
            lines.append(f"{alias}:")
            lines += [f"  - {_flow(item)}" for item in STARTERS[key]]
        else:
            default = field.get_default(call_default_factory=True)
            shown = "null" if default is None else _flow(default)
            optional.append(f"# {alias}: {shown}  # {field.description or ''}".rstrip(" #"))
    if optional:
        lines += [f"# Options of the {kind} kind, with their defaults (uncomment to change one):", *optional]
    if kind in DATE_KINDS:
        lines.append('# This kind reads dates: give them beside the text, e.g. - {text: "…", posted_at: '
                     '"2024-03-02T10:00:00Z", captured_at: "2024-03-01T10:00:00Z"}')
    lines += [
        "examples:",
        "  fail:  # texts the rule must flag",
        '    - "TODO a text with the defect"',
        "  pass:  # texts the rule must leave alone",
        '    - "TODO a similar text without it"',
    ]
    return "\n".join(lines) + "\n"


def write_skeleton(directory: Path, code: str, kind: str, **options: Any) -> Path:
    """Write the skeleton as ``directory/CODE-name.yaml``; never overwrites a file."""
    text = skeleton(code, kind, **options)
    name = options.get("name") or code.lower()
    path = directory / f"{code}-{name}.yaml" if name != code.lower() else directory / f"{code}.yaml"
    if path.exists():
        raise ConfigError("file exists; not overwritten", path=str(path))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the rule file: {exc.strerror or exc}", path=str(path)) from None
    return path
