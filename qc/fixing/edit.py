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

import functools
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


@dataclass
class Pending:
    """A record waiting for its outcome: its line, its findings and how to read it."""

    line: int
    findings: list[Finding]
    record: Callable[[], Mapping[str, Any]]


@dataclass
class _Stripping:
    """A record being stripped pass after pass: the original, the text so far, the findings to cut next."""

    original: Mapping[str, Any]
    current: dict[str, Any]
    strips: list[Finding]
    changed: dict[str, str] = field(default_factory=dict)
    rules: set[str] = field(default_factory=set)


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
    #: Findings of the record-level strip/drop rules on cleaned records: (path, [(line, record)]) -> the
    #: findings of each record.
    recheck: Callable[[str, list[tuple[int, Mapping[str, Any]]]], list[list[Finding]]] | None = None
    records: Counter[str] = field(default_factory=Counter)
    rules: dict[str, RuleTally] = field(default_factory=dict)

    def _tally(self, finding: Finding) -> RuleTally:
        tally = self.rules.get(finding.rule)
        if tally is None:
            tally = self.rules[finding.rule] = RuleTally(self.plan.get(finding.rule).action)
        return tally

    def _count(self, findings: list[Finding], action: str | None = None, seen: set[str] | None = None) -> None:
        """Count findings (of one action, or all) and each rule's record once (``seen``: rules this record
        was already counted for, in an earlier strip pass)."""
        seen = set() if seen is None else seen
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
        """The outcome of one record (see :meth:`edit_window`)."""
        return self.edit_window(path, [Pending(line, findings, record)], mapping)[0]

    def edit_window(self, path: str, window: list[Pending], mapping: Mapping[str, str]) -> list[Outcome]:
        """The outcome of each record of ``window`` (consecutive records of the file ``path``, in order):
        ``record()`` reads one (only when an action needs it); ``mapping`` names the source column of each
        canonical field.

        After a strip, :attr:`recheck` (when set) checks the cleaned records again, the whole window in one
        batch: what a cut brought into a rule's reach (a head region now holding the next menu line, two
        short lines now a run) is cut too, until nothing is left to strip or drop, so ``qc fix`` on its own
        output changes nothing. The quarantine and the diff hear of the records in their order.
        """
        outcomes: list[Outcome] = [UNCHANGED] * len(window)
        events: list[list[Callable[[], None]]] = [[] for _ in window]
        active: dict[int, _Stripping] = {}
        for index, item in enumerate(window):
            findings = item.findings
            if not findings:
                continue
            if any(f.rule in REJECTED for f in findings):
                self.orphan((path, item.line, findings))
                continue
            actions = [self.plan.get(f.rule).action for f in findings]
            if "drop" in actions:
                outcomes[index] = self._drop(path, item.line, findings, item.record(), mapping, "drop",
                                             events[index])
                continue
            self._flag(path, item.line, findings)
            strips = [f for f, action in zip(findings, actions, strict=True) if action == "strip"]
            if strips:
                original = item.record()
                active[index] = _Stripping(original, dict(original), strips)
        for _ in range(MAX_PASSES):
            recheck: list[int] = []
            for index, state in list(active.items()):
                fields, _ = self._strip(state.strips, state.current, mapping, state.rules)
                state.changed.update(fields)
                state.current.update(fields)
                text = state.current.get(mapping.get("text", "text"))
                if fields and isinstance(text, str) and not text.strip():
                    outcomes[index] = self._drop(path, window[index].line, window[index].findings, state.original,
                                                 mapping, "blank after strip", events[index], count=False)
                    del active[index]
                elif fields and self.recheck is not None:
                    recheck.append(index)
            for index in set(active) - set(recheck):
                outcomes[index] = self._finish(path, window[index], active.pop(index), events[index])
            if not recheck:
                break
            assert self.recheck is not None
            found = self.recheck(path, [(window[i].line, active[i].current) for i in recheck])
            for index, again in zip(recheck, found, strict=True):
                again = [f for f in again if self.plan.get(f.rule).action in ("strip", "drop")]
                state = active[index]
                if any(self.plan.get(f.rule).action == "drop" for f in again):
                    outcomes[index] = self._drop(path, window[index].line, again, state.original, mapping,
                                                 "drop after strip", events[index])
                    del active[index]
                elif not again:
                    outcomes[index] = self._finish(path, window[index], active.pop(index), events[index])
                else:
                    state.strips = again
        for index in list(active):  # MAX_PASSES reached: what is cut so far is kept
            outcomes[index] = self._finish(path, window[index], active.pop(index), events[index])
        for pending in events:
            for event in pending:
                event()
        return outcomes

    def _finish(self, path: str, item: Pending, state: _Stripping, events: list[Callable[[], None]]) -> Outcome:
        changed = {column: text for column, text in state.changed.items() if text != state.original.get(column)}
        if not changed:
            return UNCHANGED
        self.records["changed"] += 1
        if self.on_change is not None:
            change = Change(path, item.line, _doc_id(item.findings), sorted(state.rules),
                            {column: (str(state.original[column]), text) for column, text in changed.items()})
            events.append(functools.partial(self.on_change, change))
        return Changed(changed)

    def _drop(self, path: str, line: int, findings: list[Finding], record: Mapping[str, Any],
              mapping: Mapping[str, str], reason: str, events: list[Callable[[], None]], *, count: bool = True
              ) -> Dropped:
        if count:
            self._count(findings, "drop")
        self.records["dropped"] += 1
        if self.quarantine is not None:
            entry = {"source_path": path, "source_line": line, "doc_id": _doc_id(findings), "reason": reason,
                     "record": dict(record),
                     "findings": [{**f.as_dict(), "action": self.plan.get(f.rule).action} for f in findings]}
            events.append(functools.partial(self.quarantine, entry))
        if self.on_change is not None:
            columns = {mapping.get(f.field or "text", f.field or "text") for f in findings}
            texts: dict[str, tuple[str, str | None]] = {
                column: (record[column], None) for column in columns if isinstance(record.get(column), str)}
            change = Change(path, line, _doc_id(findings), sorted({f.rule for f in findings}), texts, dropped=True)
            events.append(functools.partial(self.on_change, change))
        return DROPPED

    def _strip(self, strips: list[Finding], record: Mapping[str, Any], mapping: Mapping[str, str],
               counted: set[str]) -> tuple[dict[str, str], list[Finding]]:
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
        self._count(applied, seen=counted)  # adds the rules applied to ``counted``
        return changed, applied


def _doc_id(findings: list[Finding]) -> str | None:
    return next((f.doc_id for f in findings if f.doc_id is not None), None)
