"""A batch of posts as the rule kinds see it: the canonical frame plus the shared prefilter's hits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from qc.matcher import find_spans
from qc.rulespec import ScanPattern


@dataclass
class Batch:
    """Posts (index 0..n-1) and, per scan-pattern key, the rows that may match it."""

    frame: pd.DataFrame
    candidates: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    def texts(self, field_name: str) -> pd.Series:
        """The field as strings (missing values as empty strings)."""
        if field_name not in self.frame.columns:
            return pd.Series([""] * len(self.frame), dtype="str")
        return self.frame[field_name].fillna("").astype("str")

    def spans(self, pattern: ScanPattern) -> Iterator[tuple[int, int, int, str]]:
        """Yield (row, start, end, matched text) for ``pattern``, searching candidate rows only."""
        rows = self.candidates.get(pattern.key)
        if rows is None or len(rows) == 0 or pattern.field not in self.frame.columns:
            return
        column = self.frame[pattern.field]
        for row in rows.tolist():
            value = column.iat[row]
            if not isinstance(value, str) or not value:
                continue
            for start, end, text in find_spans(pattern.regex, pattern.ignorecase, value):
                yield row, start, end, text
