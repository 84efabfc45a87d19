"""qc fix writes the same bytes for --jobs 1, --jobs 2 and the Dask engine, with small batches and a
findings store that spills to disk (bounded memory): the output depends on the findings only."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qc.api import fix
from tests.conftest import DEV_SAMPLE
from tests.fixing import SAMPLES, tree_bytes, write_format

SMALL = {"batch-rows": 16, "findings-memory-rows": 50}


def _corpus(tmp_path: Path) -> list[str]:
    root = tmp_path / "corpus"
    shutil.copytree(SAMPLES, root / "samples")
    shutil.copy(DEV_SAMPLE.corpus, root / "dev-sample.jsonl")
    write_format(root / "tables", "csv")
    write_format(root / "tables", "parquet")
    write_format(root, "text")
    return [str(root)]


def _outputs(folder: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    files = tree_bytes(folder)
    manifest = json.loads(files.pop(".qc/manifest.json"))
    manifest.pop("config")  # the settings name the engine and the jobs; everything else must agree
    return files, manifest


def test_jobs_give_byte_identical_outputs(tmp_path: Path) -> None:
    paths = _corpus(tmp_path)
    runs = []
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        _, report = fix(paths, out, {**SMALL, "jobs": jobs})
        assert report.records["changed"] > 100 and report.records["dropped"] > 20
        runs.append(_outputs(out))
    assert runs[0][0] == runs[1][0]
    assert runs[0][1] == runs[1][1]
    assert len(runs[0][0]) > 10


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


@pytest.mark.dask
def test_dask_gives_the_bytes_of_a_local_run(cluster: object, tmp_path: Path) -> None:
    paths = _corpus(tmp_path)
    fix(paths, tmp_path / "local", {**SMALL, "jobs": 1})
    fix(paths, tmp_path / "dask", {**SMALL, "engine": "dask",
                                   "scheduler": cluster.scheduler_address})  # type: ignore[attr-defined]
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "dask")
