"""Rule documentation: one Markdown page per rule (``docs/rules/CODE.md``), generated from its YAML.

A page says what the rule does and why (``summary``, ``why``), shows its fail and pass examples, lists
its kind's options with their defaults and descriptions (the docstrings of the kind's ``Spec`` fields),
the values the rule itself sets, and how to silence it. The input checks of the ``schema`` family
(``SC001``…, found by the loader, not YAML rules) get a page too, so every finding a report shows can
link to one. ``qc rules docs DIR`` writes the pages; the built-in ones are checked in under
``docs/rules/`` and a test fails when they are stale.

Every report links a finding's rule to :func:`rule_url`: ``<docs-url>CODE.md``. With ``docs-url`` unset
only rules that have a page here get a link (the built-in rules and the schema checks), to
:func:`qc.paths.default_docs_url`: this checkout's ``docs/rules/``, else the repository's. A team that
publishes its own pages (``qc rules docs`` with ``--rules``) sets ``docs-url`` to where they live, and then
every rule links.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic.fields import FieldInfo

from qc.fielddocs import documented
from qc.paths import builtin_rules_dir, default_docs_url
from qc.registry import RuleSet
from qc.rulespec import RuleSpec
from qc.schemas import SCHEMA_CHECKS, SchemaCheck

#: Keys every rule has (documented once, in the page header), as opposed to its kind's options.
SHARED_KEYS = frozenset(RuleSpec.model_fields)
INDEX_PAGE = "README.md"


def is_builtin(rule: RuleSpec) -> bool:
    """Whether ``rule`` was loaded from the built-in packs (so it has a page in this repository's docs)."""
    try:
        Path(rule.source).resolve().relative_to(builtin_rules_dir().resolve())
    except ValueError:
        return False
    return bool(rule.source)


def rule_url(code: str, docs_url: str, *, has_page: bool) -> str | None:
    """The URL of ``code``'s page, or None when there is none.

    ``has_page``: the rule is built-in or a schema check. ``docs_url`` empty (not configured): such a rule
    links to :func:`~qc.paths.default_docs_url`, any other has no page. Under a ``docs-url`` the user
    chose, every rule links (they publish the pages of their own packs there).
    """
    if docs_url:
        return f"{docs_url}{code}.md"
    base = default_docs_url()
    return f"{base}{code}.md" if has_page and base else None


def ruleset_urls(ruleset: RuleSet, docs_url: str) -> dict[str, str]:
    """Code → page URL for every rule of ``ruleset`` and every schema check that has one."""
    urls = {code: url for code in SCHEMA_CHECKS if (url := rule_url(code, docs_url, has_page=True))}
    for rule in ruleset:
        url = rule_url(rule.code, docs_url, has_page=is_builtin(rule))
        if url is not None:
            urls[rule.code] = url
    return urls


# -- Markdown helpers: rule text comes from YAML files (a custom pack is anyone's), so it is escaped. -------

def _cell(value: object) -> str:
    """Text safe in a Markdown table cell: one line, pipes and markup escaped."""
    text = " ".join(str(value).split())
    for char in "\\`*_[]<>|":
        text = text.replace(char, "\\" + char)
    return text


def _prose(value: str) -> str:
    """A paragraph from YAML prose: HTML and link syntax neutralised, inline `code` kept."""
    text = " ".join(value.split())
    for char in "\\<>[]":
        text = text.replace(char, "\\" + char)
    return text


def _fence(text: str, info: str = "text") -> str:
    """``text`` in a fenced block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _inline(value: object) -> str:
    """A value as inline code (backticks inside get a longer delimiter)."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    tick = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(str(member.value) for member in annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return f"list of {_type_name(item)}"
    if origin is dict:
        return "mapping"
    args = [a for a in get_args(annotation) if a is not type(None)]
    if args and len(args) < len(get_args(annotation)):  # X | None
        return f"{_type_name(args[0])} (optional)"
    if isinstance(annotation, type):
        return {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}.get(annotation.__name__,
                                                                                                annotation.__name__)
    return str(annotation)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = _plain(field.get_default(call_default_factory=True))
    return "none" if value is None else _inline(json.dumps(value, ensure_ascii=False))


def rule_options(rule: RuleSpec) -> list[tuple[str, Any, str]]:
    """The options of the rule's kind (key, the rule's value, the kind's default as JSON or ``required``),
    shared keys left out: what ``qc rules show`` lists."""
    spec = type(rule)
    out = []
    for name, field in spec.model_fields.items():
        if name in SHARED_KEYS:
            continue
        default = "required" if field.is_required() else json.dumps(
            _plain(field.get_default(call_default_factory=True)), ensure_ascii=False)
        out.append((field.alias or name, _plain(getattr(rule, name)), default))
    return out


def _options_table(spec: type[RuleSpec]) -> list[str]:
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    for name, field in documented(spec).model_fields.items():
        if name in SHARED_KEYS:
            continue
        key = field.alias or name
        rows.append(f"| `{key}` | {_type_name(field.annotation)} | {_default(field)} | "
                    f"{_cell(field.description or '')} |")
    return rows if len(rows) > 2 else []


def _example_block(example: Any) -> str:
    extra = example.model_extra or {}
    if not extra:
        return _fence(example.text)
    record = yaml.safe_dump({"text": example.text, **extra}, allow_unicode=True, sort_keys=False, width=100).rstrip()
    return _fence(record, "yaml")


def _source_label(rule: RuleSpec) -> str:
    path = Path(rule.source)
    if is_builtin(rule):
        return (Path("rules") / path.resolve().relative_to(builtin_rules_dir().resolve())).as_posix()
    return path.name


def _fix_line(rule: RuleSpec) -> list[str]:
    """What ``qc fix`` does with the rule's findings unless ``[tool.qc.actions]`` says otherwise."""
    from qc.fixing.actions import rule_action

    fix = rule_action(rule)
    origin = "the rule's `action` key" if fix.origin == "rule" else f"the {_inline(rule.family)} family's default"
    scope = "every line a finding touches" if fix.whole_line else "the match only"
    return [f"`qc fix`: **{fix.action}** ({origin}); strip scope: {fix.scope} ({scope}). Change it with "
            f'`[tool.qc.actions] {rule.code} = "flag"` (strip, drop, flag or keep).']


def rule_page(rule: RuleSpec) -> str:
    """The Markdown page of one rule."""
    spec = type(rule)
    out = [f"<!-- Generated from {_source_label(rule)} by `qc rules docs`; edit the YAML, not this page. -->",
           f"# {rule.code} {rule.name}", "",
           "| family | kind | severity | status |", "|---|---|---|---|",
           f"| {_cell(rule.family)} | {_cell(rule.kind)} | {rule.severity.value} | {_cell(rule.status)} |", "",
           *_fix_line(rule), "",
           "## What it does", "", _prose(rule.summary), "",
           "## Why is this bad?", "", _prose(rule.why), "",
           "## Examples", "", "Flagged:", ""]
    for example in rule.examples.fail:
        out += [_example_block(example), ""]
    out += ["Left alone:", ""]
    for example in rule.examples.pass_:
        out += [_example_block(example), ""]
    out += ["## Options", ""]
    own = {name: _plain(getattr(rule, name)) for name in sorted(rule.model_fields_set - SHARED_KEYS)}
    if own:
        aliased = {(spec.model_fields[name].alias or name): value for name, value in own.items()}
        out += ["This rule sets:", "",
                _fence(yaml.safe_dump(aliased, allow_unicode=True, sort_keys=False, width=100).rstrip(), "yaml"), ""]
    table = _options_table(spec)
    if table:
        out += [f"Options of the `{rule.kind}` kind (a key the rule does not set takes its default):", "",
                *table, ""]
    else:
        out += [f"The `{rule.kind}` kind has no options.", ""]
    out += ["## How to silence it", "",
            f"- For one run: `qc check PATH --ignore {rule.code}` (or the family: `--ignore {rule.family}`).",
            f'- Always: `ignore = ["{rule.code}"]` under `[tool.qc]` in `pyproject.toml` (or in `qc.toml`).',
            "- Keep today's findings and gate only on new ones: `qc check PATH --write-baseline "
            "qc-baseline.json` once, then `qc check PATH --baseline qc-baseline.json`.",
            f"- To change an option, copy the rule file into your own pack with a new code and name, edit it, "
            f"run it with `--rules DIR`, and ignore `{rule.code}`.", ""]
    return "\n".join(out)


def schema_check_page(check: SchemaCheck) -> str:
    """The Markdown page of one input check of the ``schema`` family."""
    return "\n".join([
        "<!-- Generated from qc/schemas.py by `qc rules docs`; edit SCHEMA_CHECKS, not this page. -->",
        f"# {check.code} {check.name}", "",
        "| family | kind | severity |", "|---|---|---|",
        f"| schema | input check | {check.severity} |", "",
        "## What it does", "", _prose(check.summary), "",
        "## Why is this bad?", "",
        "The record cannot be checked as it is: the loader reports it with its file and line and goes on "
        "with the other records, so one bad record never hides the good ones.", "",
        "## How to silence it", "",
        "Input checks are not rules: `--select`, `--ignore` and the config's `ignore` do not apply to "
        "them. Fix or drop the record at its file and line (the finding names both), or keep today's "
        "findings with `--write-baseline FILE` and gate with `--baseline FILE`.", "",
    ])


def index_page(ruleset: RuleSet) -> str:
    """``README.md`` of the docs folder: every rule with its summary, by family, then the input checks."""
    out = ["<!-- Generated by `qc rules docs`; do not edit. -->", "# Rules", "",
           "One page per rule, generated from its YAML file. Select or ignore rules by code, code prefix, "
           "family or name (`--select`, `--ignore`, `[tool.qc]` `select`/`ignore`).", ""]
    for family in ruleset.families():
        out += [f"## {_cell(family)}", "", "| code | name | severity | summary |", "|---|---|---|---|"]
        for rule in ruleset:
            if rule.family == family:
                out.append(f"| [{rule.code}]({rule.code}.md) | {_cell(rule.name)} | {rule.severity.value} | "
                           f"{_cell(rule.summary)} |")
        out.append("")
    out += ["## schema (input checks)", "", "| code | name | severity | summary |", "|---|---|---|---|"]
    for check in SCHEMA_CHECKS.values():
        out.append(f"| [{check.code}]({check.code}.md) | {_cell(check.name)} | {check.severity} | "
                   f"{_cell(check.summary)} |")
    out.append("")
    return "\n".join(out)


def docs_pages(ruleset: RuleSet) -> dict[str, str]:
    """File name → Markdown for every page: one per rule, one per schema check, and the index."""
    pages = {f"{rule.code}.md": rule_page(rule) for rule in ruleset}
    pages.update({f"{code}.md": schema_check_page(check) for code, check in SCHEMA_CHECKS.items()})
    pages[INDEX_PAGE] = index_page(ruleset)
    return pages


def write_docs(ruleset: RuleSet, directory: Path) -> tuple[list[Path], list[Path]]:
    """Write every page into ``directory``; remove generated pages of rules that no longer exist.

    Returns (written, removed). Only ``*.md`` files carrying the generated marker are removed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    pages = docs_pages(ruleset)
    written = []
    for name, text in pages.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    removed = []
    for stale in sorted(directory.glob("*.md")):
        if stale.name not in pages and "by `qc rules docs`" in stale.read_text(encoding="utf-8").split("\n", 1)[0]:
            stale.unlink()
            removed.append(stale)
    return written, removed

