"""Hostile records: one bad record is a finding on its line; it never rejects its file or hides the others.

Each case writes a real file with good records around one hostile record and runs the real ``qc`` command:
the hostile record gets its schema finding (rule, line, field), every good record is checked (each holds
a placeholder, so PH001 names it, and the JSON report counts it), nothing crashes, no input changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import run_qc
from .hostile_inputs import PLACEHOLDER, check

P = PLACEHOLDER.encode()
DEEP = b"[" * 100_000 + b"]" * 100_000


def good(doc_id: str) -> bytes:
    return json.dumps({"id": doc_id, "text": f"{PLACEHOLDER} ({doc_id})"}).encode()


# name -> (the hostile line, its schema finding (rule, field) or None, whether the record is still checked)
HOSTILE_LINES: dict[str, tuple[bytes, tuple[str, str | None] | None, bool]] = {
    "raw NUL byte": (b'{"id": "bad", "text": "a\x00b ' + P + b'"}', ("SC001", None), False),
    "lone high surrogate": (b'{"id": "bad", "text": "half \\ud83d emoji ' + P + b'"}', ("SC010", "text"), True),
    "lone low surrogate": (b'{"id": "bad", "text": "\\udc00 ' + P + b'"}', ("SC010", "text"), True),
    "surrogate in a title": (b'{"id": "bad", "text": "' + P + b'", "title": "x\\ud800"}', ("SC010", "title"), True),
    "nested 100,000 levels": (b'{"id": "bad", "text": "' + P + b'", "meta": ' + DEEP + b"}", ("SC001", None), False),
    "text is a list": (json.dumps({"id": "bad", "text": [PLACEHOLDER]}).encode(), ("SC006", "text"), False),
    "text is an object": (json.dumps({"id": "bad", "text": {"body": PLACEHOLDER}}).encode(), ("SC006", "text"),
                          False),
    "title is a list": (json.dumps({"id": "bad", "text": PLACEHOLDER, "title": [PLACEHOLDER]}).encode(),
                        ("SC009", "title"), True),
    "url is an object": (json.dumps({"id": "bad", "text": PLACEHOLDER, "url": {"href": "x"}}).encode(),
                         ("SC009", "url"), True),
    "posted_at is a boolean": (json.dumps({"id": "bad", "text": PLACEHOLDER, "posted_at": True}).encode(),
                               ("SC009", "posted_at"), True),
    "doc_id is an object": (json.dumps({"id": {"n": 1}, "text": PLACEHOLDER}).encode(), ("SC008", "doc_id"), False),
    "doc_id is a boolean": (json.dumps({"id": False, "text": PLACEHOLDER}).encode(), ("SC008", "doc_id"), False),
    "byte-order mark on a later line": (b"\xef\xbb\xbf" + json.dumps({"id": "bad", "text": PLACEHOLDER}).encode(),
                                        None, True),
    "invalid UTF-8": (b'{"id": "bad", "text": "caf\xe9 ' + P + b'"}', ("SC003", None), True),
    "escaped NUL": (b'{"id": "bad", "text": "a\\u0000b ' + P + b'"}', None, True),
    "not an object": (b"[1, 2, 3]", ("SC002", None), False),
    "cut-off line": (b'{"id": "bad", "text": ', ("SC001", None), False),
}


@pytest.mark.parametrize("name", list(HOSTILE_LINES))
def test_one_hostile_jsonl_record_first_in_its_file_is_a_finding_on_its_line(tmp_path: Path, name: str) -> None:
    line, expected, still_checked = HOSTILE_LINES[name]
    lines = [line, *(good(f"g{i}") for i in range(4))]
    bad_line = 1
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = check(path, expect=1)
    assert result.error_lines() == []  # a bad record is not a bad file
    expected_schema = set() if expected is None else {(expected[0], bad_line, expected[1])}
    assert result.schema() == expected_schema
    assert {f"g{i}" for i in range(4)} <= result.checked_ids()
    assert result.report["summary"]["documents_checked"] == 4 + still_checked
    assert ("bad" in result.checked_ids()) == (still_checked and b'"id": "bad"' in line)
    # A list or object is never checked as its JSON dump, in any field.
    assert not [f for f in result.findings if f["field"] in ("title", "url") and f["family"] != "schema"]


def test_every_hostile_record_between_good_ones_in_one_file(tmp_path: Path) -> None:
    lines: list[bytes] = [good("g0")]
    expected: set[tuple[str, int, str | None]] = set()
    for n, (line, finding, _) in enumerate(HOSTILE_LINES.values()):
        lines.append(line.replace(b'"bad"', f'"bad{n}"'.encode()))
        if finding is not None:
            expected.add((finding[0], len(lines), finding[1]))
        lines.append(good(f"g{n + 1}"))
    path = tmp_path / "all.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = check(path, expect=1)
    assert result.error_lines() == []
    assert result.schema() == expected
    assert {f"g{n}" for n in range(len(HOSTILE_LINES) + 1)} <= result.checked_ids()
    assert result.report["summary"]["documents_checked"] == len(HOSTILE_LINES) + 1 + sum(
        checked for _, _, checked in HOSTILE_LINES.values())


def test_slow_path_keeps_a_leading_byte_order_mark_off_line_one(tmp_path: Path) -> None:
    # The bad second line sends the block line by line; the BOM must not make line 1 malformed there.
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good("first") + b"\n" + b'{"id": "x", "text": \n' + good("third") + b"\n")
    result = check(path, expect=1)
    assert result.schema() == {("SC001", 2, None)}
    assert {"first", "third"} <= result.checked_ids()


def test_a_surrogate_in_a_mapped_column_is_reported_under_its_canonical_name(tmp_path: Path) -> None:
    path = tmp_path / "mapped.jsonl"
    path.write_bytes(b'{"post_id": "a", "content": "x ' + P + b'"}\n'
                     b'{"post_id": "b", "content": "\\udc00 ' + P + b'"}\n')
    result = check(path, expect=1)
    assert result.schema() == {("SC010", 2, "text")}
    assert next(f for f in result.findings if f["rule"] == "SC010")["doc_id"] == "b"
    assert result.checked_ids() == {"a", "b"}


def test_a_number_doc_id_and_the_same_digits_as_a_string_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    records = [{"id": 1, "text": PLACEHOLDER}, {"id": "1", "text": PLACEHOLDER}, {"id": 1.0, "text": PLACEHOLDER},
               {"id": "1", "text": PLACEHOLDER}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = check(path, expect=1)
    duplicates = [f for f in result.findings if f["rule"] == "SC007"]
    # 1.0 repeats the number 1; the second "1" repeats the string: two duplicates, not three.
    assert [(f["source_line"], f["message"]) for f in duplicates] == [(3, "duplicate doc_id 1"),
                                                                       (4, "duplicate doc_id '1'")]
    assert result.report["summary"]["documents_checked"] == 4


def test_number_doc_ids_on_the_fast_path_are_checked_and_typed(tmp_path: Path) -> None:
    # A block whose ids are all numbers is read by pyarrow in one go (int64 column).
    path = tmp_path / "ints.jsonl"
    path.write_text("".join(json.dumps({"id": n, "text": PLACEHOLDER}) + "\n" for n in (7, 8, 7)), encoding="utf-8")
    other = tmp_path / "strings.jsonl"
    other.write_text(json.dumps({"id": "7", "text": PLACEHOLDER}) + "\n", encoding="utf-8")
    result = check(path, other, expect=1)
    assert [(f["source_line"], f["message"]) for f in result.findings if f["rule"] == "SC007"] == \
        [(3, "duplicate doc_id 7")]
    assert result.report["summary"]["documents_checked"] == 4


def test_csv_ragged_rows_and_latin1_bytes_are_findings_on_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        b"id,text\n"                                   # 1
        b'c1,"two\nlines ' + P.replace(b",", b"") + b'"\n'  # 2-3
        b"c2,too,many,fields\n"                         # 4
        b"\n"                                           # 5 (blank: skipped)
        b"c3,caf\xe9 " + P.replace(b",", b"") + b"\n"   # 6
        b"c4\n"                                         # 7 (too few)
        b"c5,r\xe9sum\xe9,and,more\n"                   # 8 (too many, and Latin-1)
        b'c6,"a\x00b ' + P.replace(b",", b"") + b'"\n'  # 9 (a NUL inside a value: kept as text)
    )
    result = check(path, expect=1)
    assert result.error_lines() == []
    assert result.schema() == {("SC011", 4, None), ("SC003", 6, "text"), ("SC011", 7, None), ("SC011", 8, None)}
    assert result.checked_ids() == {"c1", "c3", "c6"}
    assert result.report["summary"]["documents_checked"] == 3
    latin1 = next(f for f in result.findings if f["rule"] == "SC003")
    assert "\ufffd" in latin1["match"]


def test_tsv_with_a_latin1_byte_on_a_later_line_of_a_quoted_field(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_bytes(b'id\ttitle\ttext\nt1\t"a\nb"\t"first\nsecond caf\xe9 ' + P + b'"\nt2\tx\t' + P + b"\n")
    result = check(path, expect=1)
    bad = [f for f in result.findings if f["rule"] == "SC003"]
    assert [(f["source_line"], f["line"], f["field"]) for f in bad] == [(2, 4, "text")]
    assert result.checked_ids() == {"t1", "t2"}


def test_a_lone_surrogate_still_writes_every_output_format(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(good("g1") + b'\n{"id": "s\\ud800", "text": "half \\ud83d ' + P + b'", "site": "\\udfff"}\n')
    html, findings, sarif = tmp_path / "r.html", tmp_path / "f.parquet", tmp_path / "r.sarif"
    result = check(path, expect=1, extra=("--html", str(html), "--findings", str(findings)))
    assert {(f["rule"], f["field"]) for f in result.findings if f["rule"] == "SC010"} == \
        {("SC010", "doc_id"), ("SC010", "text"), ("SC010", "site")}
    assert {"g1", "s\ufffd"} <= result.checked_ids()
    assert "\ufffd" in html.read_text(encoding="utf-8")
    table = pq.read_table(findings)
    assert "s\ufffd" in table.column("doc_id").to_pylist()
    for fmt, out in (("sarif", sarif), ("junit", tmp_path / "r.xml"), ("github", tmp_path / "gh.txt"),
                     ("terminal", tmp_path / "t.txt"), ("html", tmp_path / "stdout.html")):
        run = run_qc("check", path, "--format", fmt, "--output", out, "--jobs", "1")
        assert run.code == 1 and "Traceback" not in run.stderr, (fmt, run.stderr)
        assert out.read_text(encoding="utf-8").strip(), fmt
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]


# -- generated files: any mix of good and hostile records ---------------------------------------------------

KINDS = ["good", *HOSTILE_LINES]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=12), jobs=st.sampled_from([1, 2]))
def test_generated_jsonl_mixes_every_record_reported_or_checked(tmp_path: Path, kinds: list[str], jobs: int) -> None:
    lines: list[bytes] = []
    expected: set[tuple[str, int, str | None]] = set()
    goods: set[str] = set()
    for number, kind in enumerate(kinds, start=1):
        if kind == "good":
            lines.append(good(f"g{number}"))
            goods.add(f"g{number}")
            continue
        line, finding, _ = HOSTILE_LINES[kind]
        lines.append(line.replace(b'"bad"', f'"bad{number}"'.encode()))
        if finding is not None:
            expected.add((finding[0], number, finding[1]))
    path = tmp_path / f"mix{len(kinds)}-{abs(hash(tuple(kinds)))}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    readable = [k for k in kinds if k == "good" or HOSTILE_LINES[k][1] is None or
                HOSTILE_LINES[k][1][0] not in ("SC001", "SC002")]
    # A file of bad records is not a bad file; only a corpus with no record at all is exit 2.
    result = check(path, expect=1 if readable else 2, report=bool(readable), jobs=jobs, batch_rows=3)
    errors = result.error_lines()
    if not readable:
        assert len(errors) == 1 and "no records" in errors[0], errors
        return
    assert errors == []
    assert {f for f in result.schema() if f[0] != "SC007"} == expected
    assert goods <= result.checked_ids()
    assert result.report["summary"]["documents_checked"] == len(goods) + sum(
        HOSTILE_LINES[k][2] for k in kinds if k != "good")
