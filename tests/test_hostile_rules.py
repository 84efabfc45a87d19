"""Hostile rule files and crashes: ``path:line: reason`` and exit 2, never a traceback, never exit 1.

A YAML alias bomb (recursive or exponential), deep nesting and foreign tags are refused with the line;
a rule pack of tens of thousands of patterns loads in linear work; and any unexpected exception anywhere
(MemoryError, RecursionError, an EOFError click would call "Aborted!") is one line and exit 2: exit 1 is
only ever the verdict.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CLEAN_EN, PLACEHOLDER, post, write_jsonl
from tests.safety import qc_env, run_qc_with

RULE_HEAD = """\
code: PH901
name: hostile-rule
family: placeholder
kind: phrases
severity: error
message: "hit {match}"
summary: s
why: w
examples:
  fail: ["a lol b"]
  pass: ["nothing"]
"""


def _memory_cap() -> None:
    """Child set-up: a safety net, so a regression (an alias bomb expanded) fails the test, not the machine."""
    cap = 4 << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _pack(tmp_path: Path, body: str, name: str = "PH901-hostile-rule.yaml") -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    (pack / name).write_text(RULE_HEAD + body, encoding="utf-8")
    return pack


def _laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\nphrases: *l{levels - 1}\n"


HOSTILE = {
    # name: (rule file body after the common head, line named in the error, words of the reason)
    "billion-laughs": (_laughs(), 13, "aliases"),
    "recursive-alias": ("phrases: &loop [*loop]\n", 12, "aliases"),
    "aliased-key": ("&k phrases: [lol]\n*k : [x]\n", 13, "aliases"),
    "list-as-key": ("phrases: [lol]\n? [a, b]\n: 1\n", 13, "plain scalar"),
    "deep-nesting": ("phrases: " + "[" * 500 + "]" * 500 + "\n", 12, "nested deeper"),
    "python-tag": ("phrases: [!!python/object/apply:os.system [echo pwned]]\n", 12, "constructor"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["check", "rules-test"])
def test_a_hostile_rule_file_is_refused_with_its_line(tmp_path: Path, case: str, command: str) -> None:
    body, line, reason = HOSTILE[case]
    pack = _pack(tmp_path, body)
    rule_file = pack / "PH901-hostile-rule.yaml"
    before = rule_file.read_bytes()
    if command == "check":
        corpus = write_jsonl(tmp_path / "c.jsonl", [post("1", CLEAN_EN)])
        run = run_qc_with("check", corpus, "--rules", pack, "--jobs", "1", preexec=_memory_cap)
    else:
        run = run_qc_with("rules", "test", pack, preexec=_memory_cap)
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert lines[0].startswith(f"qc: error: {rule_file}:{line}: "), lines[0]
    assert reason in lines[0]
    assert rule_file.read_bytes() == before


# -- tens of thousands of patterns --------------------------------------------------------------


def _write_big_pack(folder: Path, count: int) -> tuple[Path, str, str]:
    """One ``pattern`` rule with ``count`` regexes and one ``phrases`` rule with ``count`` phrases."""
    folder.mkdir(parents=True, exist_ok=True)
    last_pattern, last_phrase = f"zq{count - 1:06d}xv", f"wordy{count - 1:06d}"
    rules: list[dict[str, Any]] = [
        {"code": "PT901", "name": "many-patterns", "family": "placeholder", "kind": "pattern", "severity": "error",
         "message": "pattern {match}", "summary": "s", "why": "w",
         "patterns": [f"zq{i:06d}x[v]" for i in range(count)],
         "examples": {"fail": [f"a {last_pattern} b"], "pass": ["nothing here"]}},
        {"code": "PT902", "name": "many-phrases", "family": "placeholder", "kind": "phrases", "severity": "error",
         "message": "phrase {match}", "summary": "s", "why": "w",
         "phrases": [f"wordy{i:06d}" for i in range(count)],
         "examples": {"fail": [f"a {last_phrase} b"], "pass": ["nothing here"]}},
    ]
    for rule in rules:
        (folder / f"{rule['code']}-{rule['name']}.yaml").write_text(json.dumps(rule), encoding="utf-8")
    return folder, last_pattern, last_phrase


def test_a_pack_of_20000_patterns_and_phrases_checks_every_one(tmp_path: Path) -> None:
    pack, last_pattern, last_phrase = _write_big_pack(tmp_path / "pack", 20_000)
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("hit", f"x {last_pattern} y {last_phrase} z"),
                                                post("first", "zq000000xv and wordy000000"),
                                                post("clean", CLEAN_EN)])
    run = run_qc_with("check", corpus, "--no-builtin", "--rules", pack, "--jobs", "1", "--format", "json",
                      env=qc_env(QC_CACHE_DIR=str(tmp_path / "cache")))
    assert run.code == 1, run.stderr
    found = {(f["doc_id"], f["rule"], f["match"]) for f in run.json()["findings"]}
    assert found == {("hit", "PT901", last_pattern), ("hit", "PT902", last_phrase),
                     ("first", "PT901", "zq000000xv"), ("first", "PT902", "wordy000000")}


def _copied_elements(monkeypatch: pytest.MonkeyPatch, pack: Path, cache: Path) -> int:
    """Elements copied into sets and sorted lists by corpus-qc's own code while loading ``pack`` and
    compiling its prefilter: a set rebuilt per pattern makes this grow with the square of the patterns."""
    import sys

    # Imported before counting, so every qc module the set-up uses gets the counting builtins.
    from qc.engine import Checker
    from qc.registry import load_rules

    copied = [0]

    def counting(builtin: Any) -> Any:
        def make(*args: Any, **kwargs: Any) -> Any:
            if args:
                items = args[0] if hasattr(args[0], "__len__") else list(args[0])
                copied[0] += len(items)
                return builtin(items, *args[1:], **kwargs)
            return builtin(**kwargs)
        return make

    monkeypatch.setenv("QC_CACHE_DIR", str(cache))
    for name, module in list(sys.modules.items()):
        if name == "qc" or name.startswith("qc."):
            for builtin in (set, frozenset, sorted):
                monkeypatch.setattr(module, builtin.__name__, counting(builtin), raising=False)
    Checker(load_rules([pack], include_builtin=False)).compile()
    monkeypatch.undo()
    return copied[0]


def test_pack_set_up_work_grows_linearly_with_the_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Structural, not timed: count the work (elements copied) for 1,000 and for 10,000 patterns."""
    small = _copied_elements(monkeypatch, _write_big_pack(tmp_path / "small", 1_000)[0], tmp_path / "cache-s")
    large = _copied_elements(monkeypatch, _write_big_pack(tmp_path / "large", 10_000)[0], tmp_path / "cache-l")
    assert small >= 1_000  # the counter sees the set-up's copies at all
    assert large <= 15 * small, (small, large)  # linear: about 10x; one set per pattern: about 100x


# -- any crash: exit 2 and one line -------------------------------------------------------------

INJECT = """\
import builtins
import os

_name = os.environ.get("QC_TEST_RAISE")
if _name:
    import qc.registry

    def _load_rule_file(path, pack):
        if _name == "exhaust":  # really run out of memory (address space, under the test's RLIMIT_AS)
            hoard = []
            while True:
                hoard.append(bytes(64 << 20))  # calloc'd: address space, not resident memory
        raise getattr(builtins, _name)("raised inside the run by the test")

    qc.registry.load_rule_file = _load_rule_file
"""


@pytest.fixture
def crashing(tmp_path: Path) -> Any:
    """Run ``qc`` with an exception raised where rule files are loaded (a ``sitecustomize`` on the path)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(INJECT, encoding="utf-8")

    def run(error: str, *args: str | Path) -> Any:
        env = qc_env(QC_TEST_RAISE=error)
        env["PYTHONPATH"] = f"{site}:{env['PYTHONPATH']}"
        return run_qc_with(*args, env=env, preexec=_memory_cap)

    return run


def _assert_crash_line(run: Any, error: str) -> None:
    assert run.code == 2, (run.code, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr and "Aborted" not in run.stderr, run.stderr
    assert lines[0].startswith(f"qc: error: internal error: {error}"), lines[0]


@pytest.mark.parametrize("error", ["MemoryError", "RecursionError", "EOFError", "BrokenPipeError", "KeyError"])
def test_any_crash_is_one_line_and_exit_2(tmp_path: Path, crashing: Any, error: str) -> None:
    # EOFError and BrokenPipeError are the ones click itself turns into exit 1 ("Aborted!", or nothing).
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("1", PLACEHOLDER)])
    _assert_crash_line(crashing(error, "check", corpus, "--jobs", "1"), error)


def test_memory_really_exhausted_is_still_one_line_and_exit_2(tmp_path: Path, crashing: Any) -> None:
    """The MemoryError's traceback holds the memory: it is let go before the line is printed."""
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("1", PLACEHOLDER)])
    _assert_crash_line(crashing("exhaust", "check", corpus, "--jobs", "1"), "MemoryError")


def test_a_crash_in_rules_test_is_exit_2_not_its_mismatch_code(tmp_path: Path, crashing: Any) -> None:
    pack = _pack(tmp_path, "phrases: [lol]\n")
    assert crashing("", "rules", "test", pack).code == 0  # the pack itself is fine
    _assert_crash_line(crashing("EOFError", "rules", "test", pack), "EOFError")


def test_debug_shows_the_traceback_and_still_exits_2(tmp_path: Path, crashing: Any) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("1", PLACEHOLDER)])
    run = crashing("MemoryError", "--debug", "check", corpus, "--jobs", "1")
    assert run.code == 2
    assert "Traceback" in run.stderr and run.stderr.strip().splitlines()[-1].startswith("qc: error: internal error")


def test_the_injection_is_inert_without_its_variable(tmp_path: Path, crashing: Any) -> None:
    """The crash tests above fail because of the injected exception, not because of the set-up."""
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("1", PLACEHOLDER)])
    assert crashing("", "check", corpus, "--jobs", "1").code == 1


def test_the_laughs_really_are_a_bomb() -> None:
    """The billion-laughs body is valid YAML that expands to 9**9 items (what the loader must not do)."""
    node = yaml.compose(RULE_HEAD + _laughs(), Loader=yaml.SafeLoader)
    assert node is not None
    top = dict((key.value, value) for key, value in node.value)
    assert len(top["phrases"].value) == 9 and top["phrases"].value[0] is top["l7"]
