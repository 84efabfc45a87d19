"""What ``qc fix`` does with each rule's findings: the effective action and strip scope per rule.

The action of a finding is, first match wins: the config's ``[tool.qc.actions]`` (a key naming the rule's
code, then its name, then its family), the rule YAML's ``action`` key, then the family's default:

- ``boilerplate``: ``strip`` (leaked chrome is cut out, the post kept);
- ``placeholder``: ``drop`` at error severity (an unfilled template is no post), else ``flag``;
- ``date``, ``schema`` (input problems) and any other family: ``flag`` (the text is right, a field is not).

``strip`` takes every line a finding touches when the rule's evidence is a line (:attr:`RuleSpec.strips_lines`),
else only its span. An input problem (the ``schema`` family) cannot be stripped: it has no span in the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qc.errors import ConfigError
from qc.registry import RuleSet
from qc.rulespec import Action, RuleSpec, Severity
from qc.schemas import SCHEMA_CHECKS

ACTIONS: tuple[Action, ...] = ("strip", "drop", "flag", "keep")
#: The family of the loader's input checks (SC001...), which have no rule file.
SCHEMA_FAMILY = "schema"


@dataclass(frozen=True)
class RuleAction:
    """One rule's effective action, whether ``strip`` takes whole lines, and where the action came from."""

    code: str
    action: Action
    whole_line: bool
    origin: str  # "config", "rule" or "default"

    @property
    def scope(self) -> str:
        """``line`` or ``span``: what ``strip`` removes (shown even when the action is not ``strip``)."""
        return "line" if self.whole_line else "span"


def family_default(family: str, severity: Severity | str) -> Action:
    """The action a family's findings get when neither the config nor the rule says."""
    if family == "boilerplate":
        return "strip"
    if family == "placeholder":
        return "drop" if str(severity) == "error" else "flag"
    return "flag"


def _configured(actions: Mapping[str, str], code: str, name: str | None, family: str) -> str | None:
    for key in (code, name, family):
        if key is not None and key in actions:
            return actions[key]
    return None


def rule_action(rule: RuleSpec, actions: Mapping[str, str] | None = None) -> RuleAction:
    """The effective action of ``rule`` under the config's ``[tool.qc.actions]``."""
    configured = _configured(actions or {}, rule.code, rule.name, rule.family)
    if configured is not None:
        action, origin = configured, "config"
    elif rule.action is not None:
        action, origin = rule.action, "rule"
    else:
        action, origin = family_default(rule.family, rule.severity), "default"
    return RuleAction(rule.code, action, rule.strips_lines, origin)  # type: ignore[arg-type]


def schema_action(code: str, actions: Mapping[str, str] | None = None) -> RuleAction:
    """The effective action of an input check (SC001...): ``flag`` unless the config says otherwise."""
    check = SCHEMA_CHECKS.get(code)
    configured = _configured(actions or {}, code, check.name if check else None, SCHEMA_FAMILY)
    return RuleAction(code, configured or "flag", False, "config" if configured else "default")  # type: ignore[arg-type]


def check_action_keys(actions: Mapping[str, str], ruleset: RuleSet, source: str | None = None) -> None:
    """Refuse a ``[tool.qc.actions]`` key that names no rule, rule name or family (with "did you mean"),
    and ``strip`` for input checks (they have no span to cut)."""
    from qc.config import did_you_mean

    known = {*(r.code for r in ruleset), *(r.name for r in ruleset), *ruleset.families(), SCHEMA_FAMILY,
             *SCHEMA_CHECKS, *(c.name for c in SCHEMA_CHECKS.values())}
    schema_keys = {SCHEMA_FAMILY, *SCHEMA_CHECKS, *(c.name for c in SCHEMA_CHECKS.values())}
    for key, action in actions.items():
        if key not in known:
            raise ConfigError(f"{key!r} is not a rule code, rule name or family{did_you_mean(key, sorted(known))}",
                              path=source or "command line", field=f"actions.{key}")
        if key in schema_keys and action == "strip":
            raise ConfigError("input checks have no span to strip (choose drop, flag or keep)",
                              path=source or "command line", field=f"actions.{key}")


@dataclass(frozen=True)
class ActionPlan:
    """Every rule's effective action for one run (rules of the rule set and the input checks)."""

    by_code: dict[str, RuleAction]

    @classmethod
    def build(cls, ruleset: RuleSet, actions: Mapping[str, str] | None = None) -> ActionPlan:
        """The plan for ``ruleset`` under ``[tool.qc.actions]``. The keys are checked against every loaded
        rule when the rule set is resolved (:func:`check_action_keys`), not here: a key may name a rule this
        run does not select."""
        actions = actions or {}
        plan = {rule.code: rule_action(rule, actions) for rule in ruleset}
        plan.update({code: schema_action(code, actions) for code in SCHEMA_CHECKS})
        return cls(plan)

    def get(self, code: str) -> RuleAction:
        """The action of a rule code (a code the plan does not know, from a newer loader, is flagged)."""
        found = self.by_code.get(code)
        return found if found is not None else RuleAction(code, "flag", False, "default")
