"""A verdict per record (``--verdicts``, ``CheckResult.verdicts``): one for every record read, naming exactly
the rules of its findings, identical for ``--jobs 1``, ``--jobs 2`` and the Dask engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from qc.api import check
from qc.config import Config
from qc.schemas import validate_verdicts

from . import scale_fixtures
from .conftest import post, run_qc, write_jsonl


def _corpus(tmp_path: Path) -> list[Path]:
    """Two files: clean posts, placeholder leaks, a malformed line, a blank text, a duplicate id, a warning."""
    first = write_jsonl(tmp_path / "a.jsonl", [
        post("a1", "A plain sentence about the weather today."),
        post("a2", "Hi {{first_name}}, your order has shipped."),
        "{not json at all",
        post("a4", "   "),
        post("a1", "Another plain sentence, but the id repeats."),
        post("a6", "Dear %%NAME%%, welcome aboard {{ user.name }}."),
        *(post(f"a{n}", f"Clean post number {n} with nothing wrong in it.") for n in range(7, 15)),
    ])
    second = write_jsonl(tmp_path / "b.jsonl", [
        post("b1", "Nothing wrong here either."),
        "[1, 2, 3]",
        post("b3", "Hello {{ name }}!"),
    ])
    return [first, second]


def _records(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def _findings_rules(findings: pd.DataFrame) -> dict[tuple[str, int], list[str]]:
    rules: dict[tuple[str, int], list[str]] = {}
    for row in findings.itertuples():
        named = rules.setdefault((row.source_path, int(row.source_line)), [])
        if row.rule not in named:
            named.append(row.rule)
    return rules


def _assert_agree(verdicts: pd.DataFrame, findings: pd.DataFrame) -> None:
    by_record = _findings_rules(findings)
    seen = set()
    for row in verdicts.itertuples():
        key = (row.source_path, int(row.source_line))
        assert list(row.rules) == by_record.get(key, []), key
        assert row.findings == int(((findings["source_path"] == key[0]) & (findings["source_line"] == key[1])).sum())
        assert (row.worst_severity is None or pd.isna(row.worst_severity)) == (row.findings == 0)
        seen.add(key)
    assert set(by_record) <= seen  # no finding without its record's verdict


def _run(tmp_path: Path, files: list[Path], jobs: int, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    out = tmp_path / f"jobs{jobs}"
    out.mkdir(exist_ok=True)
    run = run_qc("check", *files, "--jobs", str(jobs), "--batch-rows", "3", "--format", "json",
                 "--findings", out / "findings.parquet", "--verdicts", out / "verdicts.parquet", *extra)
    assert run.code in (0, 1), run.stderr
    verdicts = pq.read_table(out / "verdicts.parquet").to_pandas()
    findings = pq.read_table(out / "findings.parquet").to_pandas()
    return verdicts, findings, json.loads(run.stdout)


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_record_has_one_verdict_naming_exactly_its_rules(tmp_path: Path, jobs: int) -> None:
    files = _corpus(tmp_path)
    verdicts, findings, report = _run(tmp_path, files, jobs)
    _assert_agree(verdicts, findings)
    unparsed = 2  # "{not json at all" and "[1, 2, 3]": no document, but a schema finding and a verdict
    assert len(verdicts) == report["summary"]["documents"] + unparsed == sum(map(_records, files))
    # Corpus order: file by file, line by line.
    assert list(zip(verdicts["source_path"], verdicts["source_line"], strict=True)) == [
        (str(path), line) for path in files for line in range(1, _records(path) + 1)]
    malformed = verdicts[(verdicts["source_path"] == str(files[0])) & (verdicts["source_line"] == 3)].iloc[0]
    assert list(malformed["rules"]) == ["SC001"] and pd.isna(malformed["doc_id"]) and not malformed["passes"]
    leaked = verdicts[verdicts["doc_id"] == "a2"].iloc[0]
    assert "PH001" in list(leaked["rules"]) and "placeholder" in list(leaked["families"])
    assert leaked["worst_severity"] == "error" and not leaked["passes"]
    clean = verdicts[verdicts["doc_id"] == "a7"].iloc[0]
    assert clean["passes"] and clean["findings"] == 0 and list(clean["rules"]) == []
    repeated = verdicts[(verdicts["doc_id"] == "a1") & (verdicts["source_line"] == 5)].iloc[0]
    assert "SC007" in list(repeated["rules"])  # the duplicate id, found in corpus order by the merger


def test_verdicts_are_identical_for_one_and_two_jobs_and_jsonl_matches_parquet(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    one, _, _ = _run(tmp_path, files, 1)
    two, _, _ = _run(tmp_path, files, 2)
    pd.testing.assert_frame_equal(one, two)
    run = run_qc("check", *files, "--verdicts", tmp_path / "v.jsonl")
    assert run.code == 1, run.stderr
    rows = [json.loads(line) for line in (tmp_path / "v.jsonl").read_text().splitlines()]
    assert [row["rules"] for row in rows] == [list(r) for r in one["rules"]]
    assert [row["passes"] for row in rows] == one["passes"].tolist()
    assert set(rows[0]) == {"doc_id", "source_path", "source_line", "worst_severity", "families", "rules",
                            "findings", "passes", "locator"}
    assert {row["locator"] for row in rows} == {"line"}


def test_passes_follows_fail_on(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    never, findings, _ = _run(tmp_path, files, 1, "--fail-on", "never")
    assert never["passes"].all() and never["findings"].sum() == len(findings) > 0
    infos = tmp_path / "info"
    infos.mkdir()
    strict = run_qc("check", *files, "--fail-on", "info", "--verdicts", infos / "v.parquet")
    assert strict.code == 1
    verdicts = pq.read_table(infos / "v.parquet").to_pandas()
    assert (verdicts["passes"] == (verdicts["findings"] == 0)).all()


def test_verdicts_file_refuses_a_bad_suffix_and_an_input(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    bad = run_qc("check", *files, "--verdicts", tmp_path / "v.csv")
    assert bad.code == 2 and "--verdicts" in bad.stderr and "Traceback" not in bad.stderr
    over = run_qc("check", *files, "--verdicts", files[1])
    assert over.code == 2 and "--verdicts" in over.stderr
    assert files[1].read_text().startswith('{"id": "b1"')


def test_the_python_api_streams_verdicts_through_a_spilling_store(tmp_path: Path) -> None:
    files = _corpus(tmp_path)
    config = Config.model_validate({"fail-on": "warning", "batch-rows": 2, "findings-memory-rows": 3, "jobs": 1})
    result = check(files, config)
    assert result.verdicts is not None and result.verdicts.spilled > 0
    frame = validate_verdicts(result.verdicts.to_frame())
    chunks = list(result.verdicts.chunks(chunk_rows=4))
    pd.testing.assert_frame_equal(pd.concat(chunks).reset_index(drop=True), frame)
    _assert_agree(frame, result.findings)
    assert len(frame) == result.summary.documents + 2


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


@pytest.mark.dask
def test_dask_verdicts_equal_the_local_ones(cluster: object, tmp_path: Path) -> None:
    files = [*_corpus(tmp_path), *scale_fixtures.write_corpus(tmp_path / "scale", posts=120)]
    base = {"fail-on": "warning", "batch-rows": 7}
    local = check(files, Config.model_validate({**base, "jobs": 2}))
    remote = check(files, Config.model_validate({**base, "engine": "dask",
                                                 "scheduler": cluster.scheduler_address}))  # type: ignore[attr-defined]
    assert local.verdicts is not None and remote.verdicts is not None
    pd.testing.assert_frame_equal(local.verdicts.to_frame(), remote.verdicts.to_frame())
    pd.testing.assert_frame_equal(local.findings, remote.findings)  # the same findings, rows and order
    _assert_agree(remote.verdicts.to_frame(), remote.findings)
    _assert_agree(local.verdicts.to_frame(), local.findings)


def test_the_one_file_fast_path_equals_the_general_grouping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of one file with every finding on a row read take a shortcut; it gives what the general
    grouping gives, and the batches it cannot take (a malformed line's finding) still go the general way."""
    import qc.verdicts

    files = _corpus(tmp_path)
    extra = write_jsonl(tmp_path / "c.jsonl", [
        post(f"c{n}", f"Hi {{{{first_name}}}}, post {n}. Skip to content\nHome\nNews\nSport\nAbout\nContact\nJobs")
        for n in range(30)])
    config = Config.model_validate({"fail-on": "warning", "jobs": 1, "batch-rows": 7})
    taken: list[bool] = []
    original = qc.verdicts._one_file_rows

    def counted(ids: pd.DataFrame, findings: pd.DataFrame) -> object:
        found = original(ids, findings)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(qc.verdicts, "_one_file_rows", counted)
    fast = check([*files, extra], config).verdicts.to_frame()
    assert any(taken) and not all(taken)  # both ways were used
    monkeypatch.setattr(qc.verdicts, "_one_file_rows", lambda ids, findings: None)
    general = check([*files, extra], config).verdicts.to_frame()
    pd.testing.assert_frame_equal(fast, general)
    assert (fast["findings"] > 0).sum() >= 30
