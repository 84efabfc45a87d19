"""``date_order``: a post stamped after its own capture.

A page cannot show a post that did not exist yet, so ``posted_at`` later than ``captured_at`` means a
wrong field, a wrong time zone or a re-dated post. Both values are compared in UTC (naive values were read
in the configured ``default-timezone``), and ``tolerance`` absorbs clock skew and minute-precision stamps.
Values recovered from chrome are compared too, with their span as evidence. Keys: ``tolerance`` (a
duration such as ``5min``, ``1h``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import field_validator

from qc.batch import Batch
from qc.chrome_dates import evidence, show
from qc.rulespec import DATES, FindingRow, RuleSpec


def duration(value: str) -> pd.Timedelta:
    """A duration string such as ``30s``, ``5min``, ``36h`` or ``2d`` as a Timedelta."""
    text = value.strip()
    if text.endswith("d") and text[:-1].strip().replace(".", "", 1).isdigit():
        text = text[:-1] + "D"  # pandas deprecates lower-case days; users write 2d
    return pd.Timedelta(text)


def check_duration(value: str) -> str:
    """Validate a duration string such as ``5min`` or ``36h`` (pandas Timedelta syntax)."""
    try:
        delta = duration(value)
    except ValueError:
        raise ValueError(f"not a duration: {value!r} (e.g. 30s, 5min, 36h, 2d)") from None
    if pd.isna(delta) or delta < pd.Timedelta(0):
        raise ValueError(f"not a non-negative duration: {value!r}")
    return value


class Spec(RuleSpec):
    """A rule that flags posts whose posted time is after their capture time."""

    KIND: ClassVar[str] = "date_order"
    FEATURES: ClassVar[frozenset[str]] = frozenset({DATES})

    tolerance: str = "5min"
    """Posted may be this much after captured before it is a finding (a duration: 30s, 5min, 1h, 2d)."""

    _check_tolerance = field_validator("tolerance")(check_duration)

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield a finding per post stamped more than ``tolerance`` after its capture."""
        frame = batch.frame
        gap = frame["posted_ts"] - frame["captured_ts"]
        late = (gap > duration(self.tolerance)).fillna(False).to_numpy(dtype=bool)
        rows = np.flatnonzero(late)
        # The late rows' values, each column in one go (no per-row frame lookups).
        posted, captured, sources = (frame[name].iloc[rows].tolist()
                                     for name in ("posted_ts", "captured_ts", "captured_source"))
        for row, posted_ts, captured_ts, source in zip(rows.tolist(), posted, captured, sources, strict=True):
            field_name, start, end, match = evidence(frame, "posted", row)
            value = f"posted {show(posted_ts)}, captured {show(captured_ts)} ({source})"
            yield FindingRow(row=row, start=start, end=end, match=match, field=field_name,
                             message=self.format_message(match, value=value, field_name=field_name))
