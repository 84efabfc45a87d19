"""Which findings ``qc fix`` cuts out of a text, and how: findings frame rows to :class:`Cut` values.

A finding is cut when its rule's effective action is ``strip`` (the rule's ``action`` key, else its
family's default); the cut is the finding's span, widened to its whole lines when the rule's evidence is a
line (:attr:`qc.rulespec.RuleSpec.strips_lines`). Findings without a span (document-level checks) and
findings of rules the rule set does not hold (the loader's input checks) are never cut.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from qc.fixing.strip import Cut
from qc.registry import RuleSet
from qc.rulespec import Action, RuleSpec

#: A family's action when its rule sets none (placeholders: see :func:`effective_action`).
FAMILY_ACTIONS: dict[str, Action] = {"boilerplate": "strip", "date": "flag"}


def effective_action(rule: RuleSpec, overrides: Mapping[str, Action] | None = None) -> Action:
    """What ``qc fix`` does with ``rule``'s findings: ``overrides`` (the config's ``[tool.qc.actions]``,
    keyed by rule code or family; the code wins), else the rule's ``action`` key, else the family default.

    Defaults: boilerplate is cut out (strip), an unfilled placeholder at error severity makes the record
    unusable (drop) and at a lower severity is listed (flag), dates are listed (flag), and so is anything
    in a family corpus-qc has no default for.
    """
    if overrides:
        for key in (rule.code, rule.family):
            if key in overrides:
                return overrides[key]
    if rule.action is not None:
        return rule.action
    if rule.family == "placeholder":
        return "drop" if rule.severity == "error" else "flag"
    return FAMILY_ACTIONS.get(rule.family, "flag")


def cuts_for(findings: pd.DataFrame, ruleset: RuleSet, overrides: Mapping[str, Action] | None = None) -> list[Cut]:
    """The cuts of ``findings`` (rows of a findings frame, all on one text) whose rule strips
    (:func:`effective_action`, with the config's ``overrides``).

    Each cut is the finding's ``[start, end)`` span, whole-line when its rule strips lines. The caller
    groups findings by record and field (:func:`cuts_by_text` does that for a whole frame).
    """
    cuts: list[Cut] = []
    if findings.empty:
        return cuts
    rules = findings["rule"].tolist()
    starts = findings["start"].tolist()
    ends = findings["end"].tolist()
    for code, start, end in zip(rules, starts, ends, strict=True):
        if start is None or end is None or pd.isna(start) or pd.isna(end):
            continue
        rule = ruleset.by_code.get(code)
        if rule is None or effective_action(rule, overrides) != "strip":
            continue
        cuts.append(Cut(int(start), int(end), rule.strips_lines))
    return cuts


def cuts_by_text(findings: pd.DataFrame, ruleset: RuleSet, keys: Sequence[str] = ("doc_id", "field"),
                 overrides: Mapping[str, Action] | None = None) -> dict[tuple[Hashable, ...], list[Cut]]:
    """:func:`cuts_for` of every text in a findings frame, keyed by the values of ``keys`` (default: the
    record's ``doc_id`` and the finding's ``field``); texts with nothing to cut are absent."""
    grouped: dict[tuple[Hashable, ...], list[Cut]] = defaultdict(list)
    if findings.empty:
        return {}
    codes = set(findings["rule"].unique().tolist())
    stripping = [code for code in codes
                 if (rule := ruleset.by_code.get(code)) is not None and effective_action(rule, overrides) == "strip"]
    chosen = findings[findings["rule"].isin(stripping) & findings["start"].notna() & findings["end"].notna()]
    for key, group in chosen.groupby(list(keys), sort=False, dropna=False):
        cuts = cuts_for(group, ruleset, overrides)
        if cuts:
            grouped[key if isinstance(key, tuple) else (key,)].extend(cuts)
    return dict(grouped)
