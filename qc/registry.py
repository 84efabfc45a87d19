"""Rule packs: find YAML rule files, validate them strictly, and select rules by code, prefix or family."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qc.errors import ConfigError, RuleErrors, RuleSpecError
from qc.kinds import KINDS
from qc.paths import builtin_rules_dir
from qc.rulespec import RuleSpec
from qc.yamlmarks import line_for, load_with_lines


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def parse_rule(data: Any, lines: dict[Any, int], path: str) -> RuleSpec:
    """Validate one rule's data against its kind's spec; errors name file, line and key."""
    if not isinstance(data, dict):
        raise RuleSpecError("a rule file must be a YAML mapping", path=path, line=1)
    kind = data.get("kind")
    if kind is None:
        raise RuleSpecError("required key is missing", path=path, line=1, field="kind")
    spec_cls = KINDS.get(str(kind))
    if spec_cls is None:
        raise RuleSpecError(
            f"unknown rule kind {kind!r} (known: {', '.join(sorted(KINDS))})",
            path=path, line=lines.get(("kind",)), field="kind",
        )
    try:
        return spec_cls.model_validate(data)
    except ValidationError as exc:
        errors = [_rule_error(dict(error), spec_cls, lines, path) for error in exc.errors()]
        raise (errors[0] if len(errors) == 1 else RuleErrors(errors)) from None


def _rule_error(error: dict[str, Any], spec_cls: type[RuleSpec], lines: dict[Any, int], path: str) -> RuleSpecError:
    """One pydantic error of a rule file as ``path:line: key: reason``."""
    loc = tuple(error.get("loc", ()))
    key = ".".join(str(p) for p in loc) or "(rule)"
    reason = _describe(error)
    if error.get("type") == "extra_forbidden" and len(loc) == 1:
        from qc.config import did_you_mean

        reason += did_you_mean(str(loc[0]), [f.alias or name for name, f in spec_cls.model_fields.items()])
    return RuleSpecError(reason, path=path, line=line_for(lines, loc), field=key)


def load_rule_file(path: Path, pack: str) -> list[RuleSpec]:
    """Load one YAML file holding a rule (a mapping) or several (a list under ``rules:``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSpecError(f"cannot read rule file: {exc}", path=str(path)) from None
    data, lines = load_with_lines(text, str(path))
    rule = parse_rule(data, lines, str(path))
    rule.bind_source(str(path), pack)
    return [rule]


RULE_SUFFIXES = (".yaml", ".yml")


def is_rule_file(path: Path) -> bool:
    """Whether loading a pack folder reads ``path`` as a rule (``*.yaml``/``*.yml``, not pack metadata)."""
    return path.suffix in RULE_SUFFIXES and path.name not in {"pack.yaml", "pack.yml"}


def iter_rule_files(directory: Path) -> Iterator[Path]:
    """Rule files under ``directory`` in a stable order (``*.yaml``/``*.yml``, pack metadata excluded)."""
    for path in sorted(directory.rglob("*")):
        if is_rule_file(path):
            yield path


@dataclass
class RuleSet:
    """An ordered collection of rules with unique codes and names."""

    rules: list[RuleSpec]
    #: A rule's findings kept per document (config ``max-findings-per-document``; 0: every one).
    max_findings_per_document: int = 0

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        duplicates: list[RuleSpecError] = []
        for rule in self.rules:
            for ident in (rule.code, rule.name):
                if ident in seen:
                    duplicates.append(RuleSpecError(
                        f"duplicate rule code or name {ident!r} (also in {seen[ident]})", path=rule.source))
                seen[ident] = rule.source
        if duplicates:
            raise duplicates[0] if len(duplicates) == 1 else RuleErrors(duplicates)
        self.by_code = {rule.code: rule for rule in self.rules}

    def __iter__(self) -> Iterator[RuleSpec]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, code_or_name: str) -> RuleSpec | None:
        """A rule by code (``PH001``) or name (``unfilled-template-variable``)."""
        if code_or_name in self.by_code:
            return self.by_code[code_or_name]
        return next((r for r in self.rules if r.name == code_or_name), None)

    def families(self) -> list[str]:
        """Families present, in first-seen order."""
        return list(dict.fromkeys(rule.family for rule in self.rules))

    def matches(self, selector: str, rule: RuleSpec) -> bool:
        """Whether ``selector`` (ALL, code, code prefix, family or name) picks ``rule``."""
        if selector == "ALL":
            return True
        return (
            rule.code == selector
            or rule.name == selector
            or rule.family == selector
            or (selector.isupper() and rule.code.startswith(selector))
        )

    def select(self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> RuleSet:
        """Rules picked by any ``select`` selector (default ALL) and by no ``ignore`` selector."""
        select = list(select or ["ALL"])
        ignore = list(ignore or [])
        for selector in [*select, *ignore]:
            if not any(self.matches(selector, rule) for rule in self.rules) and selector != "ALL":
                raise ConfigError(
                    f"selector {selector!r} matches no rule (use a code, code prefix, family, name or ALL)",
                    field="select",
                )
        chosen = [
            rule
            for rule in self.rules
            if any(self.matches(s, rule) for s in select) and not any(self.matches(s, rule) for s in ignore)
        ]
        return RuleSet(chosen, self.max_findings_per_document)


def with_severities(ruleset: RuleSet, severities: dict[str, Any], source: str | None = None) -> RuleSet:
    """``ruleset`` with the config's ``[tool.qc.severity]`` applied (code → severity); unknown codes are errors."""
    from qc.config import did_you_mean
    from qc.schemas import SCHEMA_CHECKS

    rules = list(ruleset)
    for code in severities:
        if code not in ruleset.by_code:
            why = (" (an input check: its severity is fixed)" if code in SCHEMA_CHECKS
                   else did_you_mean(code, sorted(ruleset.by_code)))
            raise ConfigError(f"no rule with code {code!r}{why}", path=source, field=f"severity.{code}")
    rules = [rule.model_copy(update={"severity": severities[rule.code]}) if rule.code in severities else rule
             for rule in rules]
    return RuleSet(rules, ruleset.max_findings_per_document)


def kind_options(rule: RuleSpec) -> list[str]:
    """The keys a rule's kind adds to the shared ones: what ``[tool.qc.rule-options.CODE]`` may change."""
    return [f.alias or name for name, f in type(rule).model_fields.items() if name not in RuleSpec.model_fields]


def with_rule_options(ruleset: RuleSet, options: dict[str, dict[str, Any]], source: str | None = None) -> RuleSet:
    """``ruleset`` with ``[tool.qc.rule-options.CODE]`` applied: each overridden rule re-validated by its kind."""
    from qc.config import did_you_mean
    from qc.schemas import SCHEMA_CHECKS

    for code, values in options.items():
        rule = ruleset.by_code.get(code)
        if rule is None:
            why = (" (an input check: it has no options)" if code in SCHEMA_CHECKS
                   else did_you_mean(code, sorted(ruleset.by_code)))
            raise ConfigError(f"no rule with code {code!r}{why}", path=source, field=f"rule-options.{code}")
        allowed = kind_options(rule)
        for key in values:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f" (options of kind {rule.kind}: {', '.join(allowed)})"
                raise ConfigError("unknown option" + hint, path=source, field=f"rule-options.{code}.{key}")
    rules = []
    for rule in ruleset:
        if rule.code not in options:
            rules.append(rule)
            continue
        merged = {**rule.model_dump(by_alias=True, exclude_unset=True), **options[rule.code]}
        try:
            changed = type(rule).model_validate(merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first.get("loc", ()))
            raise ConfigError(_describe(dict(first)), path=source, field=f"rule-options.{rule.code}.{key}") from None
        changed.bind_source(rule.source, rule.pack)
        rules.append(changed)
    return RuleSet(rules)


def load_rules(directories: Iterable[Path] = (), include_builtin: bool = True) -> RuleSet:
    """Load the built-in packs (unless disabled) and every pack directory given, strictly validated."""
    dirs: list[Path] = []
    if include_builtin:
        dirs.append(builtin_rules_dir())
    dirs.extend(Path(d) for d in directories)
    rules: list[RuleSpec] = []
    errors: list[RuleSpecError] = []  # every problem of every pack is reported, not only the first
    for directory in dirs:
        if not directory.exists():
            errors.append(RuleSpecError("rule directory does not exist", path=str(directory)))
            continue
        files = [directory] if directory.is_file() else list(iter_rule_files(directory))
        if not files:
            errors.append(RuleSpecError("no rule files (*.yaml) found", path=str(directory)))
        for path in files:
            pack = path.parent.name if path.parent != directory else directory.name
            try:
                rules.extend(load_rule_file(path, pack))
            except RuleErrors as exc:
                errors.extend(exc.errors)
            except RuleSpecError as exc:
                errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else RuleErrors(errors)
    return RuleSet(rules)
