"""A fail-open cache: a compiled prefilter database replaced in ``$QC_CACHE_DIR`` must never turn a failing
gate green. The real ``qc`` runs on a failing corpus; the cache file is then replaced by a well-formed one
holding a database of other patterns (or claiming none), and the gate must still fail, with every record
counted. A cache folder others can write is refused outright."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
from pathlib import Path

import pytest

from .conftest import run_qc, write_jsonl
from .hostile import digests

# Hyperscan ships wheels for x86_64 only (see pyproject.toml); elsewhere there is no database to cache. On
# x86_64 these tests never skip: a missing install there fails them.
hyperscan = pytest.importorskip("hyperscan") if platform.machine() != "x86_64" else __import__("hyperscan")

MAGIC = b"corpus-qc hyperscan v1\n"
RECORDS = [{"id": "bad", "text": "Dear {{first_name}}, your order has shipped."},
           {"id": "ok1", "text": "The council voted on Tuesday to add protected bike lanes."},
           {"id": "ok2", "text": "今天上午，市里召开了春季植树动员会。"}]


def _check(corpus: Path, cache: Path, *extra: str) -> tuple[int, dict, list[str]]:
    run = run_qc("check", corpus, "--format", "json", *extra, env={"QC_CACHE_DIR": str(cache)})
    return run.code, run.json(), run.stderr.splitlines()


def _counts(report: dict) -> dict:
    return {k: v for k, v in report["summary"].items() if k != "seconds"}


def _placeholder_findings(report: dict) -> set[str]:
    return {f["doc_id"] for f in report["findings"] if f["rule"] == "PH001"}


def _replace(path: Path, how: str) -> None:
    """Rewrite a cache file as an attacker would: valid magic, ids and checksum, another database."""
    blob = path.read_bytes()
    head = json.loads(blob[len(MAGIC):blob.index(b"\n", len(MAGIC))])
    accepted, rejected = head["accepted"], head["rejected"]
    body = b""
    if how == "other patterns":
        database = hyperscan.Database()
        database.compile(expressions=[b"zz-never-in-any-corpus"] * len(accepted), ids=accepted,
                         elements=len(accepted), flags=[0] * len(accepted))
        body = bytes(hyperscan.dumpb(database))
    else:  # "no patterns": every pattern claimed rejected, so none is prefiltered by Hyperscan
        accepted, rejected = [], sorted(accepted + rejected)
    head = {"accepted": accepted, "rejected": rejected, "sha256": hashlib.sha256(body).hexdigest()}
    path.write_bytes(MAGIC + json.dumps(head).encode() + b"\n" + body)


@pytest.fixture
def warmed(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A failing corpus and an owner-only cache filled by a first run."""
    corpus = write_jsonl(tmp_path / "c.jsonl", RECORDS)
    cache = tmp_path / "cache"
    code, report, stderr = _check(corpus, cache, "--jobs", "1")
    assert code == 1 and stderr == []
    assert _placeholder_findings(report) == {"bad"}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    files = list(cache.glob("hs-*.db"))
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    return corpus, cache, report


@pytest.mark.parametrize("how", ["other patterns", "no patterns"])
def test_replaced_database_does_not_turn_the_gate_green(warmed: tuple[Path, Path, dict], how: str) -> None:
    corpus, cache, first = warmed
    for path in cache.glob("hs-*.db"):
        _replace(path, how)
    before = digests([corpus])
    code, report, stderr = _check(corpus, cache, "--jobs", "2")  # workers get the parent's checked build
    assert code == 1, "the gate still fails"
    assert _counts(report) == _counts(first), "every record checked, the same findings"
    assert _placeholder_findings(report) == {"bad"}
    if how == "other patterns":
        assert len(stderr) == 1 and "disagrees with the rules' examples" in stderr[0], stderr
    else:
        assert stderr == [], "RE2 answers for every pattern: nothing to distrust"
    assert digests([corpus]) == before


def test_world_writable_cache_dir_is_refused(warmed: tuple[Path, Path, dict]) -> None:
    corpus, cache, first = warmed
    for path in cache.glob("hs-*.db"):
        _replace(path, "other patterns")
    os.chmod(cache, 0o777)
    planted = digests(cache.iterdir())
    code, report, stderr = _check(corpus, cache, "--jobs", "1")
    assert code == 1
    assert _counts(report) == _counts(first)
    assert len(stderr) == 1 and stderr[0].startswith("qc: warning: not using the prefilter cache"), stderr
    assert "writable by others" in stderr[0]
    assert digests(cache.iterdir()) == planted, "nothing read back or written into it"
