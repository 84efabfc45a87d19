"""``date_bounds`` computes only its own checks: the same first problem per row as computing them all."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from qc.dates import date_status
from qc.kinds.date_bounds import CHECKS, Spec
from qc.kinds.date_order import duration
from qc.registry import load_rules


def _all_checks_problems(spec: Spec, frame: pd.DataFrame, target: str) -> pd.Series:
    """The first failed check per row, every check computed (the plain version of ``_problems``)."""
    ts = frame[f"{target}_ts"]
    status = date_status(frame[f"{target}_at"], ts)
    tests = {
        "unparseable": status == "unparseable",
        "impossible": status == "impossible",
        "sentinel": pd.Series(np.zeros(len(frame), dtype=bool), index=frame.index),
        "minimum": (ts < pd.Timestamp(spec.min_date, tz="UTC")).fillna(False),
        "future": (ts > pd.Timestamp(spec.max_date, tz="UTC") + duration(spec.future_tolerance)).fillna(False),
    }
    if target == "posted":
        tests["future"] = tests["future"] & frame["captured_ts"].isna()
    for sentinel in spec.sentinels:
        near = ((ts - pd.Timestamp(sentinel, tz="UTC")).abs() < pd.Timedelta(days=1)).fillna(False)
        tests["sentinel"] = tests["sentinel"] | near
    found = pd.Series("", index=frame.index, dtype="str")
    for check in reversed(spec.checks):
        found = found.mask(tests[check].astype(bool), check)
    return found


def test_only_the_rules_checks_give_the_same_problems() -> None:
    raw = ["2020-02-30", "yesterday", "1970-01-01", "1980-05-05", "2999-01-01", "2020-05-16", None, ""]
    frame = pd.DataFrame({
        "posted_at": raw,
        "posted_ts": pd.to_datetime(["NaT", "NaT", "1970-01-01", "1980-05-05", "2262-01-01", "2020-05-16", "NaT",
                                     "NaT"], utc=True),
        "captured_at": raw[::-1],
        "captured_ts": pd.to_datetime(["NaT"] * 2 + ["2020-05-16", "2262-01-01", "1980-05-05", "1970-01-01"]
                                      + ["NaT"] * 2, utc=True),
    })
    base = next(iter(load_rules().select(["DT002"])))
    assert isinstance(base, Spec)
    seen: set[str] = set()
    for size in (1, 2, 5):
        for checks in itertools.permutations(CHECKS, size):
            spec = base.model_copy(update={"checks": list(checks)})
            for target in ("posted", "captured"):
                got = spec._problems(frame, target)
                pd.testing.assert_series_equal(got, _all_checks_problems(spec, frame, target))
                seen.update(got.tolist())
    assert seen == {"", *CHECKS}  # every check fires somewhere, so every branch is compared
