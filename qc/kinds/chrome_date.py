"""``chrome_date``: what the page's own date stamps say about posted_at / captured_at.

With ``report: recovered`` a finding records each value recovered from chrome because the field was
missing, so a reader sees where the post and capture dates came from. With ``report: conflict``: when a
field is present and the text also carries the page's stamp ("发表于 2020-5-16 17:53:04" for the
post, Discuz!'s "GMT+8, 2024-11-29 12:32" render time for the capture, see :mod:`qc.chrome_dates`), the
two should agree. A gap beyond ``tolerance`` means the field was taken from the wrong element, the wrong
time zone, or another page. Findings point at the chrome in the text. Keys: ``report``, ``fields``
(posted_at, captured_at), ``tolerance`` (default 1 day: chrome is often minute- or day-precise and,
without a GMT marker, in an unknown zone).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from qc.batch import Batch
from qc.chrome_dates import show
from qc.kinds.date_bounds import TARGETS, check_date_fields
from qc.kinds.date_order import check_duration, duration
from qc.rulespec import DATES, FindingRow, RuleSpec


class Spec(RuleSpec):
    """A rule that reports dates recovered from the page's stamps, or fields that the stamps contradict."""

    KIND: ClassVar[str] = "chrome_date"
    FEATURES: ClassVar[frozenset[str]] = frozenset({DATES})

    report: str = Field(default="conflict", pattern="^(conflict|recovered)$")
    """conflict: a field its chrome stamp contradicts; recovered: each value recovered from chrome."""
    fields: list[str] = Field(default_factory=lambda: ["posted_at", "captured_at"], min_length=1)
    """Date fields compared with their chrome stamps: posted_at, captured_at."""
    tolerance: str = "1d"
    """Gap between field and stamp tolerated (a duration; chrome is often day-precise and zone-less)."""

    _check_tolerance = field_validator("tolerance")(check_duration)

    _check_fields = field_validator("fields")(check_date_fields)

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield a finding per recovered value, or per field its chrome stamp contradicts beyond ``tolerance``."""
        frame = batch.frame
        for name in self.fields:
            target = TARGETS[name]
            if self.report == "recovered":
                yield from self._recovered(frame, name, target)
                continue
            field_ts = frame[f"{target}_ts"].where(frame[f"{target}_source"] == "field")
            chrome_ts = frame[f"{target}_chrome_ts"]
            gap = (field_ts - chrome_ts).abs()
            conflict = (gap > duration(self.tolerance)).fillna(False).to_numpy(dtype=bool)
            for row in np.flatnonzero(conflict).tolist():
                start = int(frame[f"{target}_chrome_start"].iat[row])
                end = int(frame[f"{target}_chrome_end"].iat[row])
                found = str(frame["text"].iat[row])[start:end]
                value = f"the page says {show(chrome_ts.iat[row])}, {name} says {show(field_ts.iat[row])}"
                yield FindingRow(row=row, start=start, end=end, match=found,
                                 message=self.format_message(found, value=value, field_name=name))

    def _recovered(self, frame: pd.DataFrame, name: str, target: str) -> Iterator[FindingRow]:
        recovered = (frame[f"{target}_source"] == "chrome").to_numpy(dtype=bool)
        for row in np.flatnonzero(recovered).tolist():
            start = int(frame[f"{target}_chrome_start"].iat[row])
            end = int(frame[f"{target}_chrome_end"].iat[row])
            found = str(frame["text"].iat[row])[start:end]
            value = show(frame[f"{target}_ts"].iat[row])
            yield FindingRow(row=row, start=start, end=end, match=found,
                             message=self.format_message(found, value=value, field_name=name))
