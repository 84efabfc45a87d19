"""The compiled Hyperscan prefilter is reused: from the on-disk cache and when pickled to a worker.

Compiling the built-in rules' database takes seconds, so a second process with the same patterns must
load it instead; a damaged cache must never fail a run, only cost a compile.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import platform
import stat
import time
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
hyperscan = pytest.importorskip("hyperscan") if platform.machine() != "x86_64" else __import__("hyperscan")

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


# -- the cache can never change a verdict ------------------------------------------------------------------

#: Each pattern's own rule examples, as the engine passes them (see ``RuleSpec.example_values``).
PROBES = {"a#0": ["Copyright 2020", "no mark here"], "b#0": ["on 2021-03 at"], "c#0": ["the end"]}


def _header(path: Path) -> dict[str, Any]:
    blob = path.read_bytes()
    start = len(matcher._CACHE_MAGIC)
    return dict(json.loads(blob[start:blob.index(b"\n", start)]))


def _plant(path: Path, accepted: list[int], rejected: list[int], regexes: list[bytes] | None) -> None:
    """Write a well-formed cache file under ``path`` holding a database of other patterns (or none)."""
    body = b""
    if regexes is not None:
        database = hyperscan.Database()
        database.compile(expressions=regexes, ids=accepted, elements=len(accepted), flags=[0] * len(accepted))
        body = bytes(hyperscan.dumpb(database))
    head = {"accepted": accepted, "rejected": rejected, "sha256": hashlib.sha256(body).hexdigest()}
    path.write_bytes(matcher._CACHE_MAGIC + json.dumps(head).encode() + b"\n" + body)
    path.chmod(0o600)


def test_cache_dir_and_files_are_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "fresh" / "cache"
    monkeypatch.setenv("QC_CACHE_DIR", str(cache))
    Prefilter(PATTERNS, probes=PROBES).candidates(_column())
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    [path] = cache.iterdir()  # written atomically: no temp file left
    assert path.name.startswith("hs-") and path.suffix == ".db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_own_cache_dir_made_before_is_tightened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o755)
    cache.chmod(0o755)
    monkeypatch.setenv("QC_CACHE_DIR", str(cache))
    Prefilter(PATTERNS, probes=PROBES).candidates(_column())
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert len(list(cache.glob("hs-*.db"))) == 1


def test_tampered_database_is_caught_and_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    expected = Prefilter(PATTERNS, probes=PROBES).candidates(_column())
    [path] = tmp_path.glob("hs-*.db")
    head = _header(path)
    # The same ids and a valid checksum, but a database of patterns that never match: what a fail-open
    # cache would load.
    _plant(path, head["accepted"], head["rejected"], [b"zzzz-never"] * len(head["accepted"]))
    unchecked = Prefilter(PATTERNS).candidates(_column())  # no examples to check it against
    assert unchecked["a#0"].tolist() == [], "the planted database really drops findings when trusted"
    calls = _count_compiles(monkeypatch)
    assert _same(Prefilter(PATTERNS, probes=PROBES).candidates(_column()), expected)
    assert len(calls) == 1, "recompiled"
    warning = capsys.readouterr().err.splitlines()
    assert len(warning) == 1 and "disagrees with the rules' examples" in warning[0]
    calls.clear()
    assert _same(Prefilter(PATTERNS, probes=PROBES).candidates(_column()), expected)
    assert not calls, "the file was replaced by the good build"


def test_database_claiming_no_hyperscan_patterns_changes_nothing(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    expected = Prefilter(PATTERNS, probes=PROBES).candidates(_column())
    [path] = tmp_path.glob("hs-*.db")
    head = _header(path)
    _plant(path, [], sorted(head["accepted"] + head["rejected"]), None)  # "everything goes to RE2"
    assert _same(Prefilter(PATTERNS, probes=PROBES).candidates(_column()), expected)


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_cache_dir_others_can_write_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], mode: int) -> None:
    cache = tmp_path / "shared"
    cache.mkdir()
    monkeypatch.setenv("QC_CACHE_DIR", str(cache))
    expected = Prefilter(PATTERNS, use_hyperscan=False).candidates(_column())
    key_path = cache / f"hs-{matcher._cache_key(PATTERNS, [0, 1, 2])}.db"
    _plant(key_path, [0, 1], [2], [b"zzzz-never", b"zzzz-never"])  # someone else's file under the real name
    cache.chmod(mode)
    calls = _count_compiles(monkeypatch)
    before = key_path.read_bytes()
    assert _same(Prefilter(PATTERNS).candidates(_column()), expected), "even unchecked, it is not read"
    assert len(calls) == 1, "compiled in memory"
    assert key_path.read_bytes() == before and len(list(cache.iterdir())) == 1, "and nothing written there"
    warning = capsys.readouterr().err.splitlines()
    assert len(warning) == 1 and "not using the prefilter cache" in warning[0] and "writable by others" in warning[0]


def test_cache_dir_of_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    real_uid = os.getuid()
    monkeypatch.setattr(matcher.os, "getuid", lambda: real_uid + 1)  # as if the folder were someone else's
    calls = _count_compiles(monkeypatch)
    assert Prefilter(PATTERNS).candidates(_column())["b#0"].tolist() == [1, 5]
    assert len(calls) == 1 and not list(tmp_path.iterdir())
    assert "owned by another user" in capsys.readouterr().err


def test_cache_under_a_folder_others_can_replace_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)  # anyone may rename the cache folder away and put theirs
    monkeypatch.setenv("QC_CACHE_DIR", str(shared / "cache"))
    Prefilter(PATTERNS).candidates(_column())
    assert "which others can write" in capsys.readouterr().err
    assert not list((shared / "cache").iterdir())
    shared.chmod(0o1777)  # sticky, as /tmp is: only the owner may rename it
    Prefilter(PATTERNS).candidates(_column())
    assert capsys.readouterr().err == ""
    assert len(list((shared / "cache").glob("hs-*.db"))) == 1


def test_old_entries_are_evicted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    now = time.time()
    old = []
    for n in range(matcher.MAX_CACHE_FILES + 4):
        path = tmp_path / f"hs-{n:064x}.db"
        path.write_bytes(b"x" * 100)
        os.utime(path, (now - 1000 + n, now - 1000 + n))  # the higher n, the more recently used
        old.append(path)
    stale_tmp = tmp_path / "hs-abc.db123.tmp"
    stale_tmp.write_bytes(b"half")
    os.utime(stale_tmp, (now - 2 * matcher.STALE_TEMP_SECONDS,) * 2)
    live_tmp = tmp_path / "hs-def.db456.tmp"  # another process writing right now
    live_tmp.write_bytes(b"half")
    Prefilter(PATTERNS).candidates(_column())
    kept = sorted(tmp_path.glob("hs-*.db"))
    assert len(kept) == matcher.MAX_CACHE_FILES
    [new] = [p for p in kept if p not in old]
    assert set(kept) - {new} == set(old[-(matcher.MAX_CACHE_FILES - 1):]), "the least recently used go"
    assert not stale_tmp.exists() and live_tmp.exists()
    # And a size bound: the newest entries that fit in it stay (and the one just written, whatever its size).
    sized = tmp_path / "sized"
    sized.mkdir()
    files = []
    for n in range(6):
        path = sized / f"hs-{n}.db"
        path.write_bytes(b"x" * 100)
        os.utime(path, (now - 100 + n,) * 2)
        files.append(path)
    monkeypatch.setattr(matcher, "MAX_CACHE_BYTES", 350)
    matcher._evict(sized, keep=files[0])
    assert sorted(sized.glob("hs-*.db")) == sorted([files[0], *files[-3:]])


def test_a_cache_hit_counts_as_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QC_CACHE_DIR", str(tmp_path))
    Prefilter(PATTERNS, probes=PROBES).candidates(_column())
    [path] = tmp_path.glob("hs-*.db")
    os.utime(path, (1_000_000, 1_000_000))
    Prefilter(PATTERNS, probes=PROBES).candidates(_column())
    assert path.stat().st_mtime > time.time() - 600, "eviction keeps what is used"
