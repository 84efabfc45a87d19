"""Rule kinds: one small module per kind, registered explicitly here (as yamllint's ``_RULES``).

Each module defines ``Spec``, a :class:`qc.rulespec.RuleSpec` subclass with ``KIND`` set, its own keys,
and ``evaluate``. Adding a kind means adding a module and one line below.
"""

from __future__ import annotations

from qc.kinds import line_runs, pattern, phrases, repeated_lines
from qc.rulespec import RuleSpec

KINDS: dict[str, type[RuleSpec]] = {
    pattern.Spec.KIND: pattern.Spec,
    phrases.Spec.KIND: phrases.Spec,
    line_runs.Spec.KIND: line_runs.Spec,
    repeated_lines.Spec.KIND: repeated_lines.Spec,
}
