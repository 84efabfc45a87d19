"""What counts toward the gate, per finding: the one test every CI format uses to decide what it shows as
failing (so ``::error`` lines, SARIF ``error`` results and GitLab ``critical``/``major`` entries add up to
the gate's count)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from qc.summary import counts_toward_gate

if TYPE_CHECKING:
    from qc.api import CheckResult

SEVERITIES = ("error", "warning", "info")


def gating_mask(result: CheckResult, chunk: pd.DataFrame) -> np.ndarray:
    """Per finding of ``chunk`` (indexed by run position), whether it counts toward the gate: severity at or
    above ``fail-on`` and, with a baseline, new since it."""
    fail_on = result.gate.fail_on
    severe = {s: counts_toward_gate(s, fail_on) for s in SEVERITIES}
    flags = chunk["severity"].astype("object").map(severe).fillna(False).to_numpy(dtype=bool)
    if result.baseline is not None:
        flags = flags & result.baseline.is_new.to_numpy()[chunk.index.to_numpy()]
    return flags
