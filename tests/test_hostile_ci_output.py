"""Workflow-command injection and structured output: under ``--format github`` no file name, doc_id, match or
message can end an annotation and start a command of its own (stdout or stderr), the terminal report read
in a CI log starts none either, and JUnit, SARIF and JSON stay well-formed (and lossless where they can be)
whatever control characters the corpus holds."""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import REPO, write_jsonl
from .hostile import (
    assert_no_raw_controls,
    assert_no_workflow_commands,
    digests,
    hostile_name,
    hostile_text,
    run_qc_env,
    terminal_env,
)

SLOW = settings(max_examples=4, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Property injection: a value that tries to close the property list or add one.
INJECTIONS = st.sampled_from([",line=999,title=injected", "::error::x", "%2C%3A", "a,b:c", "\n::notice::n"])

# One annotation as GitHub reads it: ::command k=v,k=v::data (every separator corpus-qc's own).
ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(value: str, *, prop: bool) -> str:
    """GitHub's unescaping of workflow-command data (and, for properties, also ``:`` and ``,``)."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for escaped, char in pairs:
        value = value.replace(escaped, char)
    return value


def _ci_env() -> dict[str, str]:
    return terminal_env(CI="true", GITHUB_ACTIONS="true", COLUMNS="80")


def _annotations(stdout: str) -> list[dict[str, str]]:
    """Parse every annotation line; anything else must be the verdict line."""
    found = []
    lines = stdout.splitlines()
    assert lines and lines[-1].startswith("corpus-qc gate "), stdout[-500:]
    for line in lines[:-1]:
        match = ANNOTATION.match(line)
        assert match is not None, f"not an annotation: {line!r}"
        props = dict(item.split("=", 1) for item in match.group(2).split(","))
        found.append({**{k: _unescape(v, prop=True) for k, v in props.items()}, "level": match.group(1),
                      "message": _unescape(match.group(3), prop=False)})
    return found


@SLOW
@given(texts=st.lists(hostile_text, min_size=2, max_size=8), data=st.data())
def test_github_annotations_hold_hostile_values(texts: list[str], data: st.DataObject) -> None:
    names = data.draw(st.lists(hostile_name | INJECTIONS, min_size=len(texts), max_size=len(texts)))
    file_name = data.draw(hostile_name | INJECTIONS).replace("/", "_")
    bad_name = data.draw(hostile_name | INJECTIONS).replace("/", "_")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = [{"id": f"{name}#{i}", "text": f"{text} Dear {{{{first_name}}}}, {text}"}
                   for i, (name, text) in enumerate(zip(names, texts, strict=True))]
        corpus = write_jsonl(folder / f"{file_name}.jsonl", records)
        bad = write_jsonl(folder / f"bad-{bad_name}.jsonl", [{"id": "x", "body2": 1}])
        before = digests([corpus, bad])
        env = _ci_env()
        run = run_qc_env("check", folder, "--format", "github", "--jobs", "1", env=env)
        assert run.code == 2, run.stderr  # the bad file is an input error; the corpus is still checked
        annotations = _annotations(run.stdout)
        report = run_qc_env("check", folder, "--format", "json", "--jobs", "1", env=env).json()
        assert len(annotations) == min(len(report["findings"]), 200)
        assert report["summary"]["documents"] == len(records)
        for annotation in annotations:  # nothing a value holds adds or changes a property
            assert set(annotation) == {"file", "line", "title", "level", "message"}, annotation
            assert annotation["line"].isdigit()
        placeholder = [a for a in annotations if a["title"].startswith("PH001 (")]
        assert len(placeholder) == len(records)
        assert sorted(int(a["line"]) for a in placeholder) == list(range(1, len(records) + 1))
        assert {a["file"].rsplit("/", 1)[-1] for a in placeholder} == {_shown_name(corpus.name)}
        stderr = run.stderr.splitlines()
        assert len(stderr) == 1 and stderr[0].startswith("qc: error: "), run.stderr
        assert_no_raw_controls(run.stdout + run.stderr, "--format github")
        assert_no_workflow_commands(run.stderr, "stderr")
        assert digests([corpus, bad]) == before


def _shown_name(name: str) -> str:
    from qc.safe_text import visible

    # GitHub's own escapes restore CR and LF exactly; other controls are shown escaped, ##[ defused.
    return "\r".join("\n".join(visible(part, "keep") for part in piece.split("\n")) for piece in name.split("\r")
                     ).replace("##[", "#\\x23[")


def test_file_name_cannot_start_a_command(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "x\n::error::injected,line=1.jsonl", [{"id": "a", "text": "Dear {{first_name}}."}])
    run = run_qc_env("check", corpus, "--format", "github", env=_ci_env())
    assert run.code == 1
    [annotation] = _annotations(run.stdout)
    assert annotation["file"] == str(corpus), "the real file name, escaped by GitHub's rules"
    assert not any(line.startswith("::error::injected") for line in run.stdout.splitlines())
    missing = run_qc_env("check", tmp_path / "nothing\n::error::stderr ##[add-mask]x", "--format", "github",
                         env=_ci_env())
    assert missing.code == 2
    assert missing.stderr.count("\n") == 1 and missing.stderr.startswith("qc: error: "), missing.stderr
    assert_no_workflow_commands(missing.stderr, "stderr")


def test_baseline_notice_is_one_safe_line(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "Dear {{first_name}}."}])
    target = tmp_path / "base\n::error::notice\x1b]0;t\x07 ##[add-mask]x.json"
    run = run_qc_env("check", corpus, "--format", "github", "--write-baseline", target, env=_ci_env())
    assert run.code == 0, "recording a baseline exits 0"
    assert target.exists()
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("qc: wrote 1 baseline entries to "), run.stderr
    assert_no_raw_controls(run.stderr, "stderr")
    assert_no_workflow_commands(run.stderr, "stderr")


def test_terminal_report_in_a_ci_log_starts_no_command(tmp_path: Path) -> None:
    # A doc_id starting with "::" is first on its line after the indentation, unless the output is
    # guarded; a long doc_id is cut with "…" at 80 columns, never folded (a fold would put "::error::"
    # first on the next line).
    records = [{"id": "::warning::start", "text": "::error::ctx ##[add-mask]z Dear {{first_name}}"}]
    records += [{"id": "y" * n + "::error::fold", "text": "Dear {{first_name}}, x"} for n in (72, 76)]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    for extra in ((), ("--verbose",)):
        run = run_qc_env("check", corpus, "--jobs", "1", *extra, env=_ci_env())
        assert run.code == 1
        assert "\x1b[" not in run.stdout, "CI=true: no colour"
        assert_no_workflow_commands(run.stdout, "the terminal report")
        starts = [line.lstrip(" │") for line in run.stdout.splitlines()]
        assert not any(line.startswith(("::error::fold", "error::fold")) for line in starts), "no fold"
        if not extra:
            assert all("c.jsonl:" in line for line in starts if "yyyy" in line), "a long doc_id is not folded"
            assert "\\x3a:warning::start" in run.stdout, "the line starting with '::' is defused, not dropped"
            assert re.search(r"y+…  \S*c\.jsonl:\d", run.stdout), "a long doc_id gives way to the location"


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ci")
    controls = "".join(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
    records = [{"id": f"d{i}{controls[i % len(controls)]}\u202e", "site": f"s{controls[i]}",
                "text": f"{controls} Dear {{{{first_name}}}}, \u2028x"} for i in range(8)]
    write_jsonl(folder / f"c\x1b]0;t\x07{controls[1:9]}.jsonl", records)
    return folder


def test_junit_is_well_formed_and_valid(hostile_corpus: Path) -> None:
    before = digests(hostile_corpus.iterdir())
    run = run_qc_env("check", hostile_corpus, "--format", "junit", env=_ci_env())
    assert run.code == 1
    root = ET.fromstring(run.stdout.encode("utf-8"))  # XML 1.0: a raw C0 control would not parse
    xmlschema.XMLSchema(str(REPO / "tests" / "data" / "JUnit.xsd")).validate(run.stdout)
    cases = [c for c in root.iter("testcase") if c.find("failure") is not None and "PH001" in c.get("classname", "")]
    assert len(cases) == 8, "one failing testcase per document"
    assert_no_raw_controls(run.stdout.replace("\n", ""), "--format junit")
    assert digests(hostile_corpus.iterdir()) == before


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_keep_values_exactly_and_print_safely(hostile_corpus: Path, fmt: str) -> None:
    run = run_qc_env("check", hostile_corpus, "--format", fmt, env=_ci_env())
    assert run.code == 1
    assert_no_raw_controls(run.stdout.replace("\n", ""), f"--format {fmt}")
    body = json.loads(run.stdout)
    ids = {f"d{i}" for i in range(8)}
    if fmt == "json":
        doc_ids = {f["doc_id"] for f in body["findings"] if f["rule"] == "PH001"}
    else:
        schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
        jsonschema.validate(body, schema)
        doc_ids = {r["properties"]["doc_id"] for r in body["runs"][0]["results"] if r["ruleId"] == "PH001"}
    assert len(doc_ids) == 8
    assert {d[:2] for d in doc_ids} == ids, doc_ids
    assert all(d.endswith("\u202e") for d in doc_ids), "the value itself is kept exactly (escaped as \\u202e)"
