"""``copyright_stale``'s fast paths: Python ``re`` years agree with RE2's, and findings need no per-row lookups."""

from __future__ import annotations

import pandas as pd

import qc

#: Footers as a person reads them: (footer line, the year it ends, or None when it is open or the software's).
READINGS = [
    ("© 2013-2016 Example", 2016),
    ("© 2023-24 Example Radio", 2024),
    ("© 2000-5 Example", 2005),
    ("Copyright 2002 to 2006 Example Press", 2006),
    ("Copyright © 2002 bis 2006 Beispiel", 2006),
    ("© 2013～2016 某某网", 2016),
    ("2004－2019 某某信息网 版权所有", 2019),
    ("© 2002, 2003 Jamie Zawinski", 2003),
    ("2018 © Jagd Example | Impressum", 2018),
    ("ⓒ 2015 조선일보", 2015),
    ("Copyright © 19.12.2015 - 12:14 h by Example GmbH", 2015),
    ("© 2015-11 Example", 2015),  # a month, not a range to 2011
    ("© 1996- The Example Post", None),
    ("© since 2010 by C. Example", None),
    ("© seit 2010 Beispiel", None),
    ("© 2010 to Infinity Example", None),
    ("Copyright © 2005 – present Example", None),
    ("2000至今 某某网 版权所有", None),
    ("Powered by Discuz! X3.4 © 2001-2013 Comsenz Inc.", None),
    ("Forum software by XenForo® © 2010-2019 XenForo Ltd.", None),
    ("vBulletin® v3.8.7, Copyright ©2000-2013, vBulletin Solutions, Inc.", None),
    ("©NEOS Kontakt Impressum IBAN: AT90 3636 2000 0018 5009", None),  # a bank number is no year
]


def test_footers_are_read_as_a_person_reads_them() -> None:
    texts = [f"The post.\n\n{footer}" for footer, _ in READINGS]
    frame = pd.DataFrame({"id": [f"d{i}" for i in range(len(texts))], "text": texts,
                          "posted_at": ["2030-01-01"] * len(texts)})
    found = qc.check(frame, {"select": ["DT010"], "fail-on": "never"}, excerpts=False).findings
    ends = {doc: message for doc, message in zip(found["doc_id"], found["message"], strict=True)}
    for i, (footer, year) in enumerate(READINGS):
        if year is None:
            assert f"d{i}" not in ends, (footer, ends.get(f"d{i}"))
        else:
            assert f"footer ends {year}," in ends.get(f"d{i}", ""), (footer, ends.get(f"d{i}"))


def test_a_stamp_shown_in_the_page_dates_an_undated_post() -> None:
    frame = pd.DataFrame({"id": ["en", "de", "zh", "none"], "text": [
        "Kevin Jones, Example Today\n\nPublished 7:07 PM EST Nov 19, 2019\n\nThe story.\n\n© Copyright Example 2018",
        "Veröffentlicht am 14.01.2021\nDer Artikel.\n\n© 2020 Beispiel GmbH",
        "发布于 2024-02-24\n正文。\n\n© 2023 某某网",
        "The study was published in Nature on 3 March 2021, the authors said.\n\n© 2020 Example Science",
    ]})
    found = qc.check(frame, {"select": ["DT010"], "fail-on": "never"}, excerpts=False).findings
    assert found["doc_id"].tolist() == ["en", "de", "zh"]
    assert "before the post year 2019 (chrome)" in found["message"].iat[0]


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
