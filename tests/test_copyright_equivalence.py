"""``copyright_stale``'s fast paths: Python ``re`` years agree with RE2's, and findings need no per-row lookups."""

from __future__ import annotations

import pandas as pd

import qc
from qc.kinds.copyright_stale import _YEARS, COPYRIGHT_RE
from qc.matcher import compile_re2


def test_python_years_match_re2_years_on_footer_year_lists() -> None:
    regex = compile_re2(COPYRIGHT_RE)
    texts = ["© 2013-2016 Example", "Copyright 1999, 2001 至 2020 to 2024 x", "(c) 2019～2021", "版权所有 2000至今",
             "© 2013 – 2016 — 2018 ", "© 20011-2019", "© 1899-1901 2101"]
    years = compile_re2(r"(?:19|20)\d{2}")
    for text in texts:
        for match in regex.finditer(text):
            span = match.group("first") + (match.group("rest") or "")
            assert _YEARS.findall(span) == years.findall(span)


def test_findings_use_each_rows_own_reference() -> None:
    frame = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "text": ["正文。\n© 2013-2016 Example", "Body.\n© 2019 Site", "Body.\n© 2010-2012 Old", "Body.\n© 2005-"],
        "posted_at": ["2020-05-16", None, "2014-01-01", "2020-01-01"],
        "captured_at": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", None, None],
    })
    found = qc.check(frame, {"select": ["DT010"], "fail-on": "never"}, excerpts=False).findings
    found = found[found["rule"] == "DT010"]
    assert found["doc_id"].tolist() == ["a", "b", "c"]  # d's footer is open ("2005-"), so it is kept current
    messages = found["message"].tolist()
    assert "footer ends 2016, 4 years before the post year 2020 (field)" in messages[0]
    assert "footer ends 2019, 5 years before the capture year 2024 (field)" in messages[1]
    assert "footer ends 2012, 2 years before the post year 2014 (field)" in messages[2]
