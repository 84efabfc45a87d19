"""Deciding what happens to one record: findings and actions in, an outcome and the counts out.

A record with a ``drop`` finding is quarantined (whatever else was found in it); otherwise its ``strip``
findings are cut out of their fields (:func:`qc.fixing.strip.strip_text`, the one place a span becomes a
cleaned text) and its ``flag`` findings listed. A record the loader could not read (a malformed JSON line, a
CSV row with the wrong field count) passes through unchanged. A cut is made only where the field's text
still reads the finding's ``match`` at its offsets, so a finding never cuts text it was not found in;
one that cannot be applied is counted as ``not_applied``. A record whose text a strip would leave blank is
quarantined instead of written empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qc.fixing.actions import ActionPlan
from qc.fixing.findings import Finding, Group
from qc.fixing.strip import Cut, strip_text

#: Input checks meaning the loader could not read the record at all: it passes through unchanged.
REJECTED = frozenset({"SC001", "SC002", "SC011"})
#: Strip passes on one record at most (each one cuts what the previous cut brought into a rule's reach).
MAX_PASSES = 32
RECORD_COUNTS = ("changed", "dropped", "flagged", "unreadable")


@dataclass
class RuleTally:
    """What one rule's findings did in this run."""

    action: str
    findings: int = 0
    records: int = 0
    chars_removed: int = 0
    not_applied: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The tally as a JSON object (the manifest's per-rule counts)."""
        return {"action": self.action, "findings": self.findings, "records": self.records,
                "chars_removed": self.chars_removed, "not_applied": self.not_applied}


class Unchanged:
    """The record is written as it was read (raw bytes copied where the format allows)."""


class Dropped:
    """The record went to the quarantine and is not written."""


UNCHANGED = Unchanged()
DROPPED = Dropped()


@dataclass
class Changed:
    """The record is written with these source columns replaced by their cleaned text."""

    fields: dict[str, str]


Outcome = Unchanged | Dropped | Changed


@dataclass(frozen=True)
class Change:
    """One record's change, for ``qc fix --diff``: the old and new text of each changed field."""

    source_path: str
    source_line: int
    doc_id: str | None
    rules: list[str]
    fields: dict[str, tuple[str, str | None]]  # source column -> (before, after; None when dropped)
    dropped: bool = False


@dataclass
class Editor:
    """Applies the run's :class:`ActionPlan` record by record and counts what it did."""

    plan: ActionPlan
    quarantine: Callable[[dict[str, Any]], None] | None = None
    flagged: Callable[[dict[str, Any]], None] | None = None
    on_change: Callable[[Change], None] | None = None
    #: Findings of the record-level strip/drop rules on a cleaned record (path, line, record).
    recheck: Callable[[str, int, Mapping[str, Any]], list[Finding]] | None = None
    records: Counter[str] = field(default_factory=Counter)
    rules: dict[str, RuleTally] = field(default_factory=dict)

    def _tally(self, finding: Finding) -> RuleTally:
        tally = self.rules.get(finding.rule)
        if tally is None:
            tally = self.rules[finding.rule] = RuleTally(self.plan.get(finding.rule).action)
        return tally

    def _count(self, findings: list[Finding], action: str | None = None) -> None:
        """Count findings (of one action, or all) and each rule's record once."""
        seen: set[str] = set()
        for finding in findings:
            if action is not None and self.plan.get(finding.rule).action != action:
                continue
            tally = self._tally(finding)
            tally.findings += 1
            if finding.rule not in seen:
                tally.records += 1
                seen.add(finding.rule)

    def _flag(self, path: str, line: int | None, findings: list[Finding]) -> None:
        flags = [f for f in findings if self.plan.get(f.rule).action == "flag"]
        if not flags:
            return
        self._count(flags)
        self.records["flagged"] += 1
        if self.flagged is not None:
            self.flagged({"source_path": path, "source_line": line, "doc_id": _doc_id(flags),
                          "rules": sorted({f.rule for f in flags})})

    def orphan(self, group: Group) -> None:
        """Findings on a line no record was read from (a rejected line, a file-level problem)."""
        path, line, findings = group
        if any(f.rule in REJECTED for f in findings):
            self.records["unreadable"] += 1
        for finding in findings:  # nothing to strip or drop: every finding here is at most flagged
            if self.plan.get(finding.rule).action in ("strip", "drop"):
                self._tally(finding).not_applied += 1
        self._flag(path, line, findings)

    def edit(self, path: str, line: int, findings: list[Finding], record: Callable[[], Mapping[str, Any]],
             mapping: Mapping[str, str]) -> Outcome:
        """The outcome of the record at ``(path, line)``: ``record()`` reads it (only when an action needs
        it); ``mapping`` names the source column of each canonical field.

        After a strip, :attr:`recheck` (when set) checks the cleaned record again: what a cut brought into a
        rule's reach (a head region now holding the next menu line, findings past a rule's ``limit``) is cut
        too, until nothing is left to strip or drop, so ``qc fix`` on its own output changes nothing.
        """
        if not findings:
            return UNCHANGED
        if any(f.rule in REJECTED for f in findings):
            self.orphan((path, line, findings))
            return UNCHANGED
        actions = [self.plan.get(f.rule).action for f in findings]
        if "drop" in actions:
            return self._drop(path, line, findings, record(), mapping, "drop")
        self._flag(path, line, findings)
        strips = [f for f, action in zip(findings, actions, strict=True) if action == "strip"]
        if not strips:
            return UNCHANGED
        original = record()
        current: dict[str, Any] = dict(original)
        changed: dict[str, str] = {}
        rules: set[str] = set()
        for _ in range(MAX_PASSES):
            fields, applied = self._strip(strips, current, mapping)
            rules.update(f.rule for f in applied)
            if not fields:
                break
            changed.update(fields)
            current.update(fields)
            text = current.get(mapping.get("text", "text"))
            if isinstance(text, str) and not text.strip():
                return self._drop(path, line, findings, original, mapping, "blank after strip", count=False)
            if self.recheck is None:
                break
            again = [f for f in self.recheck(path, line, current)
                     if self.plan.get(f.rule).action in ("strip", "drop")]
            if any(self.plan.get(f.rule).action == "drop" for f in again):
                return self._drop(path, line, again, original, mapping, "drop after strip")
            strips = again
            if not strips:
                break
        changed = {column: text for column, text in changed.items() if text != original.get(column)}
        if not changed:
            return UNCHANGED
        self.records["changed"] += 1
        if self.on_change is not None:
            self.on_change(Change(path, line, _doc_id(findings), sorted(rules),
                                  {column: (str(original[column]), text) for column, text in changed.items()}))
        return Changed(changed)

    def _drop(self, path: str, line: int, findings: list[Finding], record: Mapping[str, Any],
              mapping: Mapping[str, str], reason: str, *, count: bool = True) -> Dropped:
        if count:
            self._count(findings, "drop")
        self.records["dropped"] += 1
        if self.quarantine is not None:
            self.quarantine({"source_path": path, "source_line": line, "doc_id": _doc_id(findings),
                             "reason": reason, "record": dict(record),
                             "findings": [{**f.as_dict(), "action": self.plan.get(f.rule).action}
                                          for f in findings]})
        if self.on_change is not None:
            columns = {mapping.get(f.field or "text", f.field or "text") for f in findings}
            texts: dict[str, tuple[str, str | None]] = {
                column: (record[column], None) for column in columns if isinstance(record.get(column), str)}
            self.on_change(Change(path, line, _doc_id(findings), sorted({f.rule for f in findings}), texts,
                                  dropped=True))
        return DROPPED

    def _strip(self, strips: list[Finding], record: Mapping[str, Any], mapping: Mapping[str, str]
               ) -> tuple[dict[str, str], list[Finding]]:
        """The cleaned text of each column the ``strip`` findings cut (only columns that changed), and the
        findings applied; counts each rule's findings and characters removed."""
        by_column: dict[str, list[Finding]] = {}
        for finding in strips:
            column = mapping.get(finding.field or "text", finding.field or "text")
            by_column.setdefault(column, []).append(finding)
        changed: dict[str, str] = {}
        applied: list[Finding] = []
        for column, found in by_column.items():
            value = record.get(column)
            cuts: dict[str, list[Cut]] = {}
            for finding in found:
                if (not isinstance(value, str) or finding.start is None or finding.end is None
                        or value[finding.start:finding.end] != finding.match):
                    self._tally(finding).not_applied += 1
                    continue
                whole = self.plan.get(finding.rule).whole_line
                cuts.setdefault(finding.rule, []).append(Cut(finding.start, finding.end, whole))
                self._tally(finding)
                applied.append(finding)
            if not cuts or not isinstance(value, str):
                continue
            cleaned, _ = strip_text(value, [cut for rule_cuts in cuts.values() for cut in rule_cuts])
            # Each rule's share: what its cuts alone remove (rules cutting the same text both count it).
            for rule, rule_cuts in cuts.items():
                self.rules[rule].chars_removed += strip_text(value, rule_cuts)[1]
            if cleaned != value:
                changed[column] = cleaned
        self._count(applied)
        return changed, applied


def _doc_id(findings: list[Finding]) -> str | None:
    return next((f.doc_id for f in findings if f.doc_id is not None), None)
