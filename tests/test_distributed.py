"""The Dask engine on a real LocalCluster (two worker processes, TCP on loopback)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from qc.api import check, resolve_ruleset
from qc.config import Config
from qc.distributed import plan_partitions, run_dask
from qc.engine import Checker, sort_findings
from qc.load import resolve_inputs

from . import scale_fixtures
from .conftest import run_qc


def _config(**keys: object) -> Config:
    return Config.model_validate({"fail-on": "never", **{k.replace("_", "-"): v for k, v in keys.items()}})


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return scale_fixtures.write_corpus(tmp_path_factory.mktemp("corpus"), posts=300)


def test_partitions_split_jsonl_into_ranges(corpus: list[Path]) -> None:
    parts = plan_partitions(resolve_inputs(corpus), partition_bytes=2048)
    ranged = [p for p in parts if p.byte_range is not None]
    assert len(ranged) > 5 and all(p.file.path == corpus[0] for p in ranged)
    assert len(parts) == len(ranged) + 1 + 1 + 6  # gz and parquet whole, one per text file


@pytest.mark.dask
def test_dask_engine_matches_the_local_engine(cluster: LocalCluster, corpus: list[Path]) -> None:
    local = check(corpus, _config(jobs=2, batch_rows=11))
    remote = check(corpus, _config(engine="dask", scheduler=cluster.scheduler_address, batch_rows=11))
    pd.testing.assert_frame_equal(sort_findings(local.findings), remote.findings)
    assert remote.stats.documents == local.stats.documents
    assert remote.summary.as_dict()["rules"] == local.summary.as_dict()["rules"]


@pytest.mark.dask
def test_dask_ranges_and_a_corpus_level_rule(cluster: LocalCluster, corpus: list[Path]) -> None:
    ruleset = scale_fixtures.ruleset_with_corpus_rule(resolve_ruleset(_config()))
    config = _config(batch_rows=13)
    local = check(corpus, config, ruleset=ruleset)
    with Client(cluster.scheduler_address) as client:
        store, stats = run_dask(corpus, Checker(ruleset), config, client=client, partition_bytes=2048)
    findings = store.to_frame()
    # The same findings in the same order: each batch in document order, batches in corpus order.
    pd.testing.assert_frame_equal(local.findings, findings)
    pd.testing.assert_frame_equal(sort_findings(findings), findings)
    assert (findings["rule"] == "TST001").sum() > 60  # the banner and the repeated chrome lines
    assert stats.documents == local.stats.documents


@pytest.mark.dask
def test_a_dask_dataframe_is_checked_like_a_pandas_one(cluster: LocalCluster) -> None:
    frame = pd.DataFrame([scale_fixtures.post(n) for n in range(120)])
    local = check(frame, _config(batch_rows=16))
    remote = check(dd.from_pandas(frame, npartitions=4),
                   _config(engine="dask", scheduler=cluster.scheduler_address, batch_rows=16))
    pd.testing.assert_frame_equal(local.findings, remote.findings)
    assert remote.inputs == ["<dataframe>"] and not remote.findings.empty


@pytest.mark.dask
def test_losing_a_worker_mid_run_still_gives_the_same_findings(cluster: LocalCluster, corpus: list[Path]) -> None:
    config = _config(batch_rows=5)
    checker = Checker(resolve_ruleset(config))
    expected = check(corpus, config).findings
    killed: list[int] = []
    with Client(cluster.scheduler_address) as client:
        pids: dict[str, Any] = client.run(os.getpid)

        def kill_one(_documents: int) -> None:
            if not killed:  # after the first merged partition: the rest is still running or queued
                pid = next(iter(pids.values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        store, stats = run_dask(corpus, checker, config, client=client, partition_bytes=1024,
                                on_batch=kill_one)
        client.wait_for_workers(2, timeout=60)  # the nanny restarts the worker for the next tests
        assert set(client.run(os.getpid).values()) != set(pids.values())
    assert killed
    pd.testing.assert_frame_equal(expected, store.to_frame())
    assert stats.documents == 308


def test_dask_engine_without_a_scheduler_is_a_config_error(corpus: list[Path]) -> None:
    from qc.errors import ConfigError

    with pytest.raises(ConfigError, match="scheduler"):
        check(corpus, _config(engine="dask"))


@pytest.mark.dask
def test_cli_dask_engine_reports_the_local_findings(cluster: LocalCluster, corpus: list[Path]) -> None:
    local = run_qc("check", *corpus, "--jobs", "1", "--format", "json", "--fail-on", "never")
    remote = run_qc("check", *corpus, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                    "--format", "json", "--fail-on", "never")
    assert local.code == remote.code == 0, remote.stderr
    key = ("source_path", "source_line")
    expected = sorted(local.json()["findings"], key=lambda f: tuple(f[k] or 0 for k in key))  # stable sort
    assert remote.json()["findings"] == expected
    unreachable = run_qc("check", corpus[0], "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert unreachable.code == 2 and "scheduler" in unreachable.stderr and "Traceback" not in unreachable.stderr


def test_in_window_never_has_more_than_window_tasks_submitted_and_unmerged() -> None:
    from qc.distributed import in_window

    submitted: list[int] = []
    merged: list[int] = []
    in_flight_seen: list[int] = []

    def submit_one(i: int) -> int:
        submitted.append(i)
        in_flight_seen.append(len(submitted) - len(merged))
        return i

    for task in in_window(submit_one, 10, 4):
        merged.append(task)
    assert merged == list(range(10))  # every task once, in order
    assert submitted == list(range(10))
    assert max(in_flight_seen) == 4  # never more than the window ahead of the merge
    assert list(in_window(submit_one, 0, 4)) == []
