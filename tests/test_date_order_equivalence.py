"""``date_order`` takes the late rows' values per column: each finding still tells its own row's dates."""

from __future__ import annotations

import pandas as pd

import qc


def test_each_late_post_reports_its_own_times() -> None:
    frame = pd.DataFrame({
        "id": ["a", "b", "c"],
        "text": ["one", "two", "three"],
        "posted_at": ["2024-03-01T10:00:00Z", "2024-01-01T00:00:00Z", "2024-05-09T08:30:00Z"],
        "captured_at": ["2024-02-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-05-01T00:00:00Z"],
    })
    found = qc.check(frame, {"select": ["DT001"], "fail-on": "never"}, excerpts=False).findings
    found = found[found["rule"] == "DT001"]
    assert found["doc_id"].tolist() == ["a", "c"]
    first, second = found["message"].tolist()
    assert "posted 2024-03-01" in first and "captured 2024-02-01" in first
    assert "posted 2024-05-09" in second and "captured 2024-05-01" in second
