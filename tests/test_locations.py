"""Where findings are: ``source_line`` is the record's first physical line, ``line`` the line of the finding.

CSV records are numbered by physical line (a quoted field may span lines, blank lines are skipped), and a
finding in a field that spans lines (CSV, text posts) is at the line of its start offset. The files are
built here piece by piece, so the expected line of every placeholder is counted from the bytes written.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qc.lines import CsvRecordLines

from .conftest import run_qc
from .hostile_inputs import check

MARK = "{{name}}"  # PH001 finds it: a placeholder whose position we know


def breaks(data: bytes) -> int:
    """Line breaks as editors count them: \\n, \\r\\n (once) and a lone \\r."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def line_at(data: bytes, offset: int) -> int:
    return 1 + breaks(data[:offset])


def located(result_findings: list[dict], rule: str = "PH001") -> dict[str, tuple[int, int]]:
    return {f["doc_id"]: (f["source_line"], f["line"]) for f in result_findings if f["rule"] == rule}


def test_csv_lines_after_multiline_fields_blank_lines_and_crlf(tmp_path: Path) -> None:
    data = (b"\xef\xbb\xbfid,title,text\r\n"            # 1 (a BOM, CRLF endings)
            b'a,"two\r\nline title","' + MARK.encode() + b' first"\r\n'  # 2-3: mark on line 3 (after the title)
            b"\r\n"                                      # 4: blank
            b'b,t,"one\ntwo\nthree ' + MARK.encode() + b'"\r\n'          # 5-7: mark on line 7
            b'c,"5"" screen",' + MARK.encode() + b"\r\n"  # 8
            b'd,5" screen,x ' + MARK.encode() + b"\n")   # 9: a literal quote in an unquoted field
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    result = check(path, expect=1)
    assert located(result.findings) == {"a": (2, 3), "b": (5, 7), "c": (8, 8), "d": (9, 9)}


def test_text_post_findings_are_at_their_own_line(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "lf.txt").write_bytes(b"title\n\nbody line\n" + MARK.encode() + b" here\n")
    (folder / "crlf.md").write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\nthree " + MARK.encode() + b"\r\n")
    (folder / "cr.txt").write_bytes(b"one\rtwo " + MARK.encode())
    (folder / "first.html").write_bytes(MARK.encode() + b"\n\n\n")
    (folder / "wide.txt").write_text("😀 中文\n\u2028x\n😀😀 " + MARK, encoding="utf-8")  # U+2028 is no break here
    result = check(folder, expect=1)
    assert located(result.findings) == {"lf.txt": (1, 4), "crlf.md": (1, 3), "cr.txt": (1, 2), "first.html": (1, 1),
                                        "wide.txt": (1, 3)}
    # Every finding of a document keeps the document's address: one document each.
    assert result.report["summary"]["documents_with_findings"] == 5


def test_jsonl_and_parquet_findings_are_at_the_record(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n" + json.dumps({"id": "j", "text": f"one\ntwo\nthree {MARK}"}) + "\n", encoding="utf-8")
    table = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": ["x", f"a\nb\n{MARK}"]}), table)
    result = check(path, table, expect=1)
    assert located(result.findings) == {"j": (2, 2), "p2": (2, 2)}


def test_ci_formats_point_at_the_findings_line(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    post = folder / "a.txt"
    post.write_bytes(b"first\nsecond\n" + MARK.encode() + b"\n")
    sarif = run_qc("check", folder, "--format", "sarif", "--jobs", "1")
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    hit = next(r for r in results if r["ruleId"] == "PH001")
    assert hit["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    github = run_qc("check", folder, "--format", "github", "--jobs", "1")
    assert any(line.startswith("::error ") and "line=3," in line and "PH001" in line
               for line in github.stdout.splitlines()), github.stdout


def test_schema_findings_on_later_lines_keep_their_record(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "latin1.txt").write_bytes(b"fine\nalso fine\ncaf\xe9\n")
    result = check(folder, expect=0)
    bad = next(f for f in result.findings if f["rule"] == "SC003")
    assert (bad["source_line"], bad["line"]) == (1, 3)


# -- generated CSV: every record's line and every placeholder's line, counted from the bytes ----------------

FIELD = st.text(alphabet='ab ,"\n\r\t', max_size=8)


def csv_row(fields: list[str], terminator: str, quote_all: bool) -> bytes:
    """One CSV row: a field holding a delimiter, quote, CR or LF is quoted (RFC 4180), others when asked."""
    def one(value: str) -> str:
        if quote_all or any(ch in value for ch in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return (",".join(one(v) for v in fields) + terminator).encode()


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, int, int | None]]]:
    """A CSV with quoted multi-line fields and blank lines; (doc_id, record line, mark line or None)."""
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    data = csv_row(["id", "title", "text"], terminator, draw(st.booleans()))
    expected: list[tuple[str, int, int | None]] = []
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        if draw(st.booleans()):
            data += terminator.encode()  # a blank line
        title, before, after = draw(FIELD), draw(FIELD), draw(FIELD)
        marked = draw(st.booleans())
        text = before + (MARK if marked else "") + after + "."  # never blank: no SC005 to muddle the count
        start = len(data)
        data += csv_row([f"r{n}", title, text], terminator, draw(st.booleans()))
        mark = data.find(MARK.encode(), start) if marked else -1
        expected.append((f"r{n}", line_at(data, start), line_at(data, mark) if marked else None))
    return data, expected


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=csv_files())
def test_generated_csv_findings_are_at_their_physical_lines(tmp_path: Path,
                                                            generated: tuple[bytes, list[tuple[str, int, int | None]]]
                                                            ) -> None:
    data, expected = generated
    path = tmp_path / f"g{abs(hash(data))}.csv"
    path.write_bytes(data)
    marked = {doc: (record, mark) for doc, record, mark in expected if mark is not None}
    result = check(path, expect=1 if marked else 0, jobs=2)
    assert result.report["summary"]["documents_checked"] == len(expected)
    assert located(result.findings) == marked


@settings(max_examples=200, deadline=None)
@given(generated=csv_files(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_csv_record_lines_agree_with_the_bytes_however_the_stream_is_cut(
        generated: tuple[bytes, list[tuple[str, int, int | None]]], seed: int) -> None:
    data, expected = generated
    scanner = CsvRecordLines(",")
    rng = random.Random(seed)
    position = 0
    while position < len(data):  # cut anywhere: inside a quote pair, between \r and \n, ...
        step = rng.randint(1, 7)
        scanner.feed(data[position : position + step])
        position += step
    scanner.finish()
    lines = scanner.lines(np.arange(scanner.records)).tolist()
    assert lines == [1] + [record for _, record, _ in expected]
    assert scanner.complete_until == len(data)
    # And the records are pyarrow's rows, one for one.
    table = pcsv.read_csv(io.BytesIO(data), parse_options=pcsv.ParseOptions(newlines_in_values=True),
                          convert_options=pcsv.ConvertOptions(column_types={"id": pa.string()}))
    assert table.column("id").to_pylist() == [doc for doc, _, _ in expected]
