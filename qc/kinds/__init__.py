"""Rule kinds: one small module per kind, registered explicitly here (as yamllint's ``_RULES``).

Each module defines ``Spec``, a :class:`qc.rulespec.RuleSpec` subclass with ``KIND`` set, its own keys,
the features it reads (``FEATURES``) and its evaluation (``evaluate_columns`` returning
:class:`qc.rulespec.FindingColumns`, or ``evaluate`` yielding ``FindingRow`` objects). Adding a kind means
adding a module and one line below.
"""

from __future__ import annotations

from qc.kinds import (
    body_dates,
    chrome_blocks,
    chrome_date,
    copyright_stale,
    date_bounds,
    date_order,
    line_runs,
    pattern,
    phrases,
    relative_date,
    repeated_lines,
)
from qc.rulespec import RuleSpec

KINDS: dict[str, type[RuleSpec]] = {
    pattern.Spec.KIND: pattern.Spec,
    phrases.Spec.KIND: phrases.Spec,
    line_runs.Spec.KIND: line_runs.Spec,
    repeated_lines.Spec.KIND: repeated_lines.Spec,
    date_order.Spec.KIND: date_order.Spec,
    date_bounds.Spec.KIND: date_bounds.Spec,
    copyright_stale.Spec.KIND: copyright_stale.Spec,
    body_dates.Spec.KIND: body_dates.Spec,
    relative_date.Spec.KIND: relative_date.Spec,
    chrome_date.Spec.KIND: chrome_date.Spec,
    chrome_blocks.Spec.KIND: chrome_blocks.Spec,
}
