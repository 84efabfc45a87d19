"""Hostile files: compressed streams read whole or failing loudly, binary files told from text by more
than one byte, FIFOs and other special files never opened.

Every case runs the real ``qc`` command beside a good file: a bad file is exactly one stderr line naming
it and exit 2; the good file's records (and the bad file's records before any damage) are still checked
and counted in the JSON report; no input changes.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from .conftest import REPO
from .hostile_inputs import PLACEHOLDER, check


def jsonl(ids: list[str]) -> bytes:
    return "".join(json.dumps({"id": i, "text": f"{PLACEHOLDER} {i}"}) + "\n" for i in ids).encode()


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.jsonl"
    path.write_bytes(jsonl(["ok"]))
    return path


# -- compressed streams: every member or frame, or a loud error ---------------------------------------------


@pytest.mark.parametrize("kind", ["zst", "gz"])
def test_every_frame_or_member_of_a_concatenated_stream_is_read(tmp_path: Path, kind: str) -> None:
    pack = zst if kind == "zst" else gzip.compress
    path = tmp_path / f"c.jsonl.{kind}"
    # What `zstd file >> all.zst` and `cat a.gz b.gz` make: three frames/members, one stream.
    path.write_bytes(pack(jsonl(["a1", "a2"])) + pack(jsonl(["b1"])) + pack(jsonl(["c1", "c2"])))
    result = check(path, expect=1)
    assert result.error_lines() == []
    assert result.checked_ids() == {"a1", "a2", "b1", "c1", "c2"}
    assert result.report["summary"]["documents_checked"] == 5
    assert [f["source_line"] for f in result.findings if f["rule"] == "PH001"] == [1, 2, 3, 4, 5]


def test_a_frame_split_across_read_steps_is_read(tmp_path: Path) -> None:
    # Frames larger than one read step (1 MiB) and a frame boundary inside a step.
    ids = [f"r{i}" for i in range(30_000)]
    path = tmp_path / "big.jsonl.zst"
    path.write_bytes(zst(jsonl(ids[:20_000])) + zst(jsonl(ids[20_000:])))
    result = check(path, expect=1)
    assert result.report["summary"]["documents_checked"] == 30_000


@pytest.mark.parametrize("kind", ["zst", "gz"])
def test_trailing_bytes_after_the_last_frame_fail_loudly_after_the_records(tmp_path: Path, kind: str) -> None:
    pack = zst if kind == "zst" else gzip.compress
    # Garbage, zero padding, a cut-off frame header of either kind: one file each, one error line each.
    tails = [b"garbage!", b"\x00\x00\x00\x00", b"\x28\xb5\x2f\xfd\x00", b"\x1f\x8b\x08"]
    paths = []
    for n, tail in enumerate(tails):
        path = tmp_path / f"t{n}.jsonl.{kind}"
        path.write_bytes(pack(jsonl([f"t{n}a", f"t{n}b"])) + pack(jsonl([f"t{n}c"])) + tail)
        paths.append(path)
    result = check(*paths, good_file(tmp_path), expect=2)
    errors = result.error_lines()
    assert len(errors) == len(paths), errors
    for path, line in zip(paths, errors, strict=True):
        assert str(path) + ":" in line and "records before it were checked" in line, line
    assert result.checked_ids() == {f"t{n}{x}" for n in range(len(tails)) for x in "abc"} | {"ok"}
    assert len(result.report["inputs"]["errors"]) == len(paths)


@pytest.mark.parametrize("kind", ["zst", "gz"])
def test_a_truncated_last_frame_fails_loudly_after_the_records(tmp_path: Path, kind: str) -> None:
    pack = zst if kind == "zst" else gzip.compress
    last = pack(jsonl([f"b{i}" for i in range(2000)]))
    path = tmp_path / f"c.jsonl.{kind}"
    path.write_bytes(pack(jsonl(["a1"])) + last[: len(last) // 2])
    result = check(path, good_file(tmp_path), expect=2)
    errors = result.error_lines()
    assert len(errors) == 1 and str(path) in errors[0] and "truncated" in errors[0], errors
    assert {"a1", "ok"} <= result.checked_ids()


def test_a_csv_stream_reads_every_member_and_stops_at_damage(tmp_path: Path) -> None:
    header, rows = b"id,text\n", [f"c{i},{PLACEHOLDER.replace(',', '')}\n".encode() for i in range(3)]
    whole = tmp_path / "c.csv.gz"
    whole.write_bytes(gzip.compress(header + rows[0]) + gzip.compress(rows[1] + rows[2]))
    broken = tmp_path / "d.csv.zst"
    broken.write_bytes(zst(header + b"d0,x " + PLACEHOLDER.replace(",", "").encode() + b"\n") + b"junk")
    result = check(whole, broken, expect=2)
    errors = result.error_lines()
    assert len(errors) == 1 and str(broken) in errors[0], errors
    assert result.checked_ids() == {"c0", "c1", "c2", "d0"}


# -- binary or text: more than one byte decides -------------------------------------------------------------


def test_a_nul_byte_early_in_a_jsonl_file_is_one_bad_record_not_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"id": "n", "te\x00xt": "x"}\n' + jsonl(["a", "b", "c"]))
    result = check(path, expect=1)
    assert result.error_lines() == []
    assert result.schema() == {("SC001", 1, None)}
    assert "NUL" in next(f["message"] for f in result.findings if f["rule"] == "SC001")
    assert result.checked_ids() == {"a", "b", "c"}


def _parquet_bytes(tmp_path: Path) -> bytes:
    target = tmp_path / "real.parquet"
    pq.write_table(pa.table({"id": ["p"], "text": ["x"]}), target)
    data = target.read_bytes()
    target.unlink()
    return data


BINARIES = {
    "png": lambda tmp: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "parquet named .jsonl": _parquet_bytes,
    "gzip named .jsonl": lambda tmp: gzip.compress(jsonl(["hidden"])),
    "zip": lambda tmp: b"PK\x03\x04" + bytes(200),
    "pdf": lambda tmp: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02" + bytes(100),
    "utf-16": lambda tmp: "\ufeff".encode("utf-16-le") + json.dumps({"id": "u", "text": "x"}).encode("utf-16-le"),
    "utf-16 without a byte-order mark": lambda tmp: (json.dumps({"id": "u", "text": "x"}) * 20).encode("utf-16-le"),
    "random bytes": lambda tmp: bytes((i * 7919 + 13) % 256 for i in range(9000)),
}


def test_binary_files_are_one_error_each_and_the_rest_is_checked(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = []
    for n, make in enumerate(BINARIES.values()):
        for suffix in (".jsonl", ".csv", ".txt"):  # every reader sniffs
            path = folder / f"bin{n}{suffix}"
            path.write_bytes(make(tmp_path))
            bad.append(path)
    (folder / "good.jsonl").write_bytes(jsonl(["ok"]))
    (folder / "post.txt").write_text(f"A post. {PLACEHOLDER}", encoding="utf-8")
    result = check(folder, expect=2)
    errors = result.error_lines()
    assert len(errors) == len(bad), errors
    for path in bad:
        assert sum(f"{path}:" in line and "binary" in line for line in errors) == 1, (path, errors)
    assert result.checked_ids() == {"ok", "post.txt"}


def test_a_text_post_with_a_stray_nul_is_still_a_post(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"one\x00stray byte. " + PLACEHOLDER.encode())
    result = check(folder, expect=1)
    assert result.error_lines() == []
    assert result.checked_ids() == {"a.txt"}


# -- FIFOs, sockets, devices, dangling links: said on stderr, never opened ----------------------------------


def _run_with_deadline(*args: str | Path, seconds: int = 120) -> subprocess.CompletedProcess[str]:
    """``qc`` with a short deadline: a run that opens a FIFO blocks until it is killed."""
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "qc", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=seconds)


def test_a_fifo_on_the_command_line_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    good = good_file(tmp_path)
    proc = _run_with_deadline("check", fifo, good, "--format", "json", "--jobs", "1")
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and str(fifo) in errors[0] and "FIFO" in errors[0], errors
    assert {f["doc_id"] for f in json.loads(proc.stdout)["findings"]} == {"ok"}


def test_a_fifo_is_not_opened_by_the_dask_planner_either(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the Dask engine is an optional extra: pip install 'corpus-qc[dask]'")
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    from qc.distributed import plan_partitions
    from qc.load import resolve_inputs

    (part,) = plan_partitions(resolve_inputs([fifo]))
    assert part.byte_range is None and part.file.problem is not None


def test_special_files_in_a_folder_are_named_one_line_each(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(jsonl(["a"]))
    (folder / "sub" / "b.txt").write_text(f"post b {PLACEHOLDER}", encoding="utf-8")
    os.mkfifo(folder / "pipe.jsonl")
    os.mkfifo(folder / "sub" / "pipe.txt")
    (folder / "gone.csv").symlink_to(tmp_path / "does-not-exist.csv")
    (folder / "null.jsonl").symlink_to("/dev/null")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "sock.ndjson"))
        (folder / "notes.bin").write_bytes(b"\x00")  # not an input type: ignored, as before
        os.mkfifo(folder / "other.fifo")  # nor is this one
        proc = _run_with_deadline("check", folder, "--format", "json", "--jobs", "1")
    finally:
        server.close()
    assert proc.returncode == 2, proc.stderr
    errors = sorted(line for line in proc.stderr.splitlines() if line.strip())
    expected = {
        folder / "gone.csv": "dangling symbolic link",
        folder / "null.jsonl": "a device",
        folder / "pipe.jsonl": "FIFO",
        folder / "sock.ndjson": "a socket",
        folder / "sub" / "pipe.txt": "FIFO",
    }
    assert len(errors) == len(expected), errors
    for path, what in expected.items():
        assert sum(str(path) + ":" in line and what in line for line in errors) == 1, (path, errors)
    report = json.loads(proc.stdout)
    assert {f["doc_id"] for f in report["findings"] if f["rule"] == "PH001"} == {"a", "sub/b.txt"}
    assert report["summary"]["documents_checked"] == 2


def test_a_dangling_link_on_the_command_line_says_so(tmp_path: Path) -> None:
    link = tmp_path / "c.jsonl"
    link.symlink_to(tmp_path / "missing.jsonl")
    proc = _run_with_deadline("check", link)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"qc: error: {link}: dangling symbolic link (its target does not "
                                                "exist)"]
