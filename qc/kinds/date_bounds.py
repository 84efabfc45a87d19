"""``date_bounds``: a posted/captured value that is no usable date, or no plausible one.

Each value of ``fields`` is judged alone, in the order of ``checks``; the first problem is the finding:

- ``unparseable``: a value is present but is no date in any supported shape (never a crash, never dropped);
- ``impossible``: a numeric calendar date that does not exist (2020-02-30, 2020-13-01);
- ``sentinel``: a placeholder date a system writes when it has none (1970-01-01, 1900-01-01), in any zone;
- ``minimum``: before ``min_date`` (default 1991-08-06, the first web page);
- ``future``: later than any honest capture can be: after ``max_date`` (default 2100-01-01) plus
  ``future_tolerance``. "The future" means after the capture, never after the machine's clock, so findings
  never change from one day to the next on the same corpus: a posted value later than its own capture is
  ``date_order``'s finding (one defect, one finding), and a capture time has nothing later to be judged
  against but this fixed horizon (and the far-future sentinels, 9999-12-31 and the like).
Values recovered from chrome are judged too, with their span as evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from qc.batch import Batch
from qc.chrome_dates import evidence, show
from qc.dates import date_status
from qc.kinds.date_order import check_duration, duration
from qc.rulespec import DATES, FindingRow, RuleSpec

CHECKS = ("unparseable", "impossible", "sentinel", "minimum", "future")
TARGETS = {"posted_at": "posted", "captured_at": "captured"}


def check_date_fields(values: list[str]) -> list[str]:
    """Validator shared by the date kinds: every name is a date field they can read."""
    for value in values:
        if value not in TARGETS:
            raise ValueError(f"unknown date field {value!r} (known: {', '.join(TARGETS)})")
    return values


class Spec(RuleSpec):
    """A rule that flags date values that do not parse, do not exist or are not plausible."""

    KIND: ClassVar[str] = "date_bounds"
    FEATURES: ClassVar[frozenset[str]] = frozenset({DATES})

    fields: list[str] = Field(default_factory=lambda: ["posted_at", "captured_at"], min_length=1)
    """Date fields judged: posted_at, captured_at."""
    checks: list[str] = Field(default_factory=lambda: list(CHECKS), min_length=1)
    """Checks in order (the first failed one is the finding): unparseable, impossible, sentinel, minimum, future."""
    min_date: str = "1991-08-06"
    """Earliest plausible date (default: the first web page)."""
    max_date: str = "2100-01-01"
    """Latest plausible date: later is in the future of any honest capture."""
    sentinels: list[str] = Field(default_factory=lambda: ["1970-01-01", "1900-01-01"])
    """Placeholder dates systems write when they have none."""
    future_tolerance: str = "1d"
    """How far past max_date a date may be before it is in the future (a duration)."""

    _check_tolerance = field_validator("future_tolerance")(check_duration)

    _check_fields = field_validator("fields")(check_date_fields)

    @field_validator("checks")
    @classmethod
    def _check_checks(cls, values: list[str]) -> list[str]:
        for value in values:
            if value not in CHECKS:
                raise ValueError(f"unknown check {value!r} (known: {', '.join(CHECKS)})")
        return values

    @field_validator("min_date", "max_date")
    @classmethod
    def _check_min_date(cls, value: str) -> str:
        try:
            pd.Timestamp(value)
        except ValueError:
            raise ValueError(f"not a date: {value!r}") from None
        return value

    @field_validator("sentinels")
    @classmethod
    def _check_sentinels(cls, values: list[str]) -> list[str]:
        for value in values:
            cls._check_min_date(value)
        return values

    def _problems(self, frame: pd.DataFrame, target: str) -> pd.Series:
        """Per row, the first failed check's name (or "").

        Only this rule's checks are computed: the parse status (a per-value pass over the raw strings) is
        needed by ``unparseable``/``impossible`` alone, the timestamp comparisons by the others.
        """
        raw = frame[f"{target}_at"]
        ts = frame[f"{target}_ts"]
        found = pd.Series("", index=frame.index, dtype="str")
        tests: dict[str, pd.Series] = {}
        if "unparseable" in self.checks or "impossible" in self.checks:
            status = date_status(raw, ts)
            tests["unparseable"] = status == "unparseable"
            tests["impossible"] = status == "impossible"
        if "sentinel" in self.checks:
            # A sentinel written in any zone lands within a day of its UTC midnight.
            tests["sentinel"] = pd.Series(np.zeros(len(frame), dtype=bool), index=frame.index)
            for sentinel in self.sentinels:
                midnight = pd.Timestamp(sentinel, tz="UTC")
                near = ((ts - midnight).abs() < pd.Timedelta(days=1)).fillna(False)
                tests["sentinel"] = tests["sentinel"] | near
        if "minimum" in self.checks:
            tests["minimum"] = (ts < pd.Timestamp(self.min_date, tz="UTC")).fillna(False)
        if "future" in self.checks:
            # A fixed horizon, never the machine's clock: the same corpus gets the same findings every day.
            horizon = pd.Timestamp(self.max_date, tz="UTC") + duration(self.future_tolerance)
            tests["future"] = (ts > horizon).fillna(False)
            if target == "posted":  # a post with a capture time is judged against it, by date_order
                tests["future"] = tests["future"] & frame["captured_ts"].isna()
        for check in reversed(self.checks):  # earlier checks win
            found = found.mask(tests[check].astype(bool), check)
        return found

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield one finding per field value that fails a check."""
        frame = batch.frame
        for name in self.fields:
            target = TARGETS[name]
            problems = self._problems(frame, target)
            rows = np.flatnonzero((problems != "").to_numpy())
            # The flagged rows' values, each column in one go (no per-row frame lookups).
            checks = problems.iloc[rows].tolist()
            raws = frame[f"{target}_at"].iloc[rows].tolist()
            stamps = frame[f"{target}_ts"].iloc[rows].tolist()
            for row, check, raw, stamp in zip(rows.tolist(), checks, raws, stamps, strict=True):
                if check in ("unparseable", "impossible"):
                    field_name, start, end, match = f"{target}_at", None, None, str(raw)
                    value = f"{check} {name}"
                else:
                    field_name, start, end, match = evidence(frame, target, row)
                    value = f"{check} {name} {show(stamp)}"
                yield FindingRow(row=row, start=start, end=end, match=match, field=field_name,
                                 message=self.format_message(match, value=value, field_name=name))
