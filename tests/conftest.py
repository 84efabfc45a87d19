"""Shared helpers: write real corpus files to disk and run the real ``qc`` command."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Data vendored into the repository (see tests/data/NOTICE.md): tests on it run on every clone.
VENDORED = REPO / "tests" / "data"
#: The project's shared data beside the repository, when a checkout has it (``QC_SHARED_DIR`` overrides);
#: a fresh clone has none, so tests on it skip, each with an always-running counterpart on VENDORED.
SHARED = Path(os.environ.get("QC_SHARED_DIR") or REPO.parent / "shared")


#: Markers of tests too slow for the default suite; each implies ``slow`` (see pyproject's markers).
SLOW_MARKERS = ("browser", "dask", "wheel", "scale")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that carries a finer slow marker, so ``-m "not slow"`` leaves them all out."""
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)


@dataclass
class Run:
    """A finished ``qc`` process."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_qc(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``python -m qc ARGS`` as a user would, capturing exit code and both streams."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "qc", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or REPO, env=full_env, timeout=300,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write_jsonl(path: Path, records: list[Any], compress: str | None = None) -> Path:
    """Write records (dicts, or raw strings written verbatim as lines) as JSON Lines."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if compress == "gz":
        path.write_bytes(gzip.compress(data))
    elif compress == "zst":
        import zstandard

        path.write_bytes(zstandard.ZstdCompressor().compress(data))
    else:
        path.write_bytes(data)
    return path


@dataclass(frozen=True)
class DevSet:
    """A development corpus of real pages and its gold labels (one ``{"doc_id", "labels"}`` line per record)."""

    name: str
    corpus: Path
    labels: Path

    def label_lines(self) -> list[dict[str, Any]]:
        """Every label line, in file order."""
        return [json.loads(line) for line in self.labels.read_text(encoding="utf-8").splitlines() if line]

    def doc_ids(self) -> list[str]:
        """Every record's id, in file order."""
        lines = self.corpus.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["id"] for line in lines if line]


#: 301 records of the shared set's copyable sources, vendored so accuracy tests run on every clone.
DEV_SAMPLE = DevSet("sample", VENDORED / "dev-sample.jsonl", VENDORED / "dev-sample.labels.jsonl")


def full_dev_set() -> DevSet:
    """The full shared development set (``SHARED/corpus``), or a skip that names the missing path."""
    full = DevSet("full", SHARED / "corpus" / "real-dev.jsonl", SHARED / "corpus" / "real-dev.labels.jsonl")
    for path in (full.corpus, full.labels):
        if not path.is_file():
            pytest.skip(f"{path} not found: the full shared dev set is not beside this clone (set QC_SHARED_DIR "
                        f"to its folder to use it); the same test runs on the vendored {DEV_SAMPLE.corpus.name}")
    return full


@pytest.fixture(params=["sample", "full"], scope="session")
def dev_set(request: pytest.FixtureRequest) -> DevSet:
    """The vendored sample always, then the full shared set where present (skipped, saying why, elsewhere)."""
    return DEV_SAMPLE if request.param == "sample" else full_dev_set()


CLEAN_EN = "The council voted on Tuesday to add protected bike lanes across the city by next spring."
CLEAN_ZH = "今天上午，市里召开了春季植树动员会，会议总结了去年的造林绿化工作。"
PLACEHOLDER = "Dear {{first_name}}, your order has shipped."
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit."


def post(doc_id: str, text: str, **extra: Any) -> dict[str, Any]:
    """A minimal post record."""
    return {"id": doc_id, "text": text, **extra}


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A directory with one clean and one defective JSONL file."""
    write_jsonl(tmp_path / "a.jsonl", [post("a1", CLEAN_EN), post("a2", PLACEHOLDER)])
    write_jsonl(tmp_path / "b.jsonl", [post("b1", CLEAN_ZH), post("b2", LOREM)])
    return tmp_path
