"""The compiled Hyperscan prefilter is reused: from the on-disk cache and when pickled to a worker.

Compiling the built-in rules' database takes seconds, so a second process with the same patterns must
load it instead; a damaged cache must never fail a run, only cost a compile.
"""

from __future__ import annotations

import dataclasses
import pickle
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from qc import matcher
from qc.matcher import Prefilter, hyperscan_available
from qc.rulespec import ScanPattern

# Hyperscan is a dependency only where it ships wheels (x86_64, see pyproject.toml); elsewhere the prefilter
# runs on RE2 alone and there is no database to cache. On x86_64 these tests never skip: a missing install
# there fails them.
pytestmark = pytest.mark.skipif(not hyperscan_available() and platform.machine() != "x86_64",
                                reason="no Hyperscan wheel for this platform: the prefilter uses RE2 only")

PATTERNS = [
    ScanPattern(key="a#0", regex=r"\bcopyright\b", field="text", ignorecase=True),
    ScanPattern(key="b#0", regex=r"[0-9]{4}-[0-9]{2}", field="text"),
    # Hyperscan rejects an end anchor inside a group: this one goes to RE2, so the cache must remember that.
    ScanPattern(key="c#0", regex=r"end(?:\s|$)x?", field="text"),
]
TEXTS = ["Copyright 2020", "on 2021-03 at", "the end", "nothing", "", "COPYRIGHT and 1999-12 end"]


def _column() -> dict[str, pa.Array]:
    return {"text": pa.array(TEXTS, type=pa.large_string())}


def _count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = matcher._build_hyperscan

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(matcher, "_build_hyperscan", counting)
    return calls


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_second_prefilter_loads_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    calls = _count_compiles(monkeypatch)
    first = Prefilter(PATTERNS).candidates(_column())
    assert len(calls) == 1
    assert len(list(tmp_path.glob("hs-*.db"))) == 1
    second_filter = Prefilter(PATTERNS)
    second = second_filter.candidates(_column())
    assert len(calls) == 1  # no compile: the database came from the cache
    assert _same(first, second)
    assert second_filter.fields["text"].re2_ids == [2]  # the rejected pattern is still routed to RE2
    assert _same(second, Prefilter(PATTERNS, use_hyperscan=False).candidates(_column()))
    assert first["a#0"].tolist() == [0, 5]


def test_changed_patterns_miss_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    calls = _count_compiles(monkeypatch)
    assert Prefilter(PATTERNS).fields["text"].database is not None
    changed = [dataclasses.replace(PATTERNS[0], ignorecase=False), *PATTERNS[1:]]
    assert Prefilter(changed).candidates(_column())["a#0"].tolist() == []  # case now matters
    assert len(calls) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_cache_falls_back_to_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 damage: str) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    expected = Prefilter(PATTERNS).candidates(_column())
    [path] = tmp_path.glob("hs-*.db")
    blob = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        path.write_bytes(blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]))
    else:
        path.write_bytes(b"not a database")
    calls = _count_compiles(monkeypatch)
    assert _same(Prefilter(PATTERNS).candidates(_column()), expected)
    assert len(calls) == 1
    calls.clear()  # the rebuilt database was written back: the next run loads it
    assert _same(Prefilter(PATTERNS).candidates(_column()), expected)
    assert not calls


def test_unwritable_cache_still_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("QC_CACHE_DIR", str(blocker / "cache"))
    assert Prefilter(PATTERNS).candidates(_column())["b#0"].tolist() == [1, 5]


def test_pickled_prefilter_does_not_recompile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    original = Prefilter(PATTERNS)
    expected = original.candidates(_column())
    for path in tmp_path.glob("hs-*.db"):  # no cache to fall back on: the pickle must carry the database
        path.unlink()
    calls = _count_compiles(monkeypatch)
    copy = pickle.loads(pickle.dumps(original))
    assert _same(copy.candidates(_column()), expected)
    assert not calls
    assert copy.fields["text"].database is not None


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("QC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert matcher.cache_dir() == tmp_path / "corpus-qc"
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path / "x"))
    assert matcher.cache_dir() == tmp_path / "x"


def test_another_host_does_not_reuse_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    expected = Prefilter(PATTERNS).candidates(_column())
    calls = _count_compiles(monkeypatch)
    monkeypatch.setattr(matcher, "_host_signature", lambda: "Version: 5.4.12 Features: AVX2 Mode: BLOCK (elsewhere)")
    assert _same(Prefilter(PATTERNS).candidates(_column()), expected)
    assert len(calls) == 1  # a cached database is only reused on the CPU features it was compiled for
    assert len(list(tmp_path.glob("hs-*.db"))) == 2
