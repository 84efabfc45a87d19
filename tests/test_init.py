"""``qc init``: a starter config and an example rule pack that pass as written; nothing is ever overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .conftest import PLACEHOLDER, post, run_qc, write_jsonl


def test_init_appends_to_a_pyproject_without_qc_and_the_pack_passes(tmp_path: Path) -> None:
    original = '[project]\nname = "demo"  # keep me\n'
    (tmp_path / "pyproject.toml").write_text(original, encoding="utf-8")
    run = run_qc("init", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert "wrote pyproject.toml" in run.stdout and "wrote qc-rules/MY001-lorem-ipsum.yaml" in run.stdout
    text = (tmp_path / "pyproject.toml").read_text("utf-8")
    assert text.startswith(original)  # the rest of the file kept as it was
    document = tomllib.loads(text)
    assert document["project"] == {"name": "demo"}
    assert document["tool"]["qc"] == {"rules": ["qc-rules/"], "fail-on": "error"}
    tested = run_qc("rules", "test", "qc-rules", cwd=tmp_path)
    assert tested.code == 0 and "4 passed, 0 failed" in tested.stdout
    # The starter is a working config: the example rule runs beside the built-in ones.
    write_jsonl(tmp_path / "c.jsonl", [post("p1", "Lorem ipsum dolor sit amet."), post("p2", PLACEHOLDER)])
    checked = run_qc("check", "c.jsonl", "--format", "json", cwd=tmp_path)
    assert checked.code == 1, checked.stderr  # PH001 is an error: the starter's fail-on = "error"
    assert {f["rule"] for f in checked.json()["findings"]} >= {"MY001", "PH001"}


def test_init_toml_writes_a_qc_toml_that_qc_config_reads(tmp_path: Path) -> None:
    run = run_qc("init", "--toml", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert not (tmp_path / "pyproject.toml").exists()
    assert tomllib.loads((tmp_path / "qc.toml").read_text("utf-8")) == {"rules": ["qc-rules/"], "fail-on": "error"}
    shown = run_qc("config", "--format", "json", cwd=tmp_path)
    assert shown.code == 0, shown.stderr
    assert shown.json()["config_file"] == str(tmp_path / "qc.toml")
    # every commented-out table is valid once uncommented
    uncommented = "\n".join(line.removeprefix("# ") for line in
                            (tmp_path / "qc.toml").read_text("utf-8").splitlines() if "corpus-qc" not in line
                            and "`qc config`" not in line)
    (tmp_path / "qc.toml").write_text(uncommented, encoding="utf-8")
    shown = run_qc("config", "--format", "json", cwd=tmp_path)
    assert shown.code == 0, shown.stderr
    settings = shown.json()["settings"]
    assert settings["rule-options"]["value"] == {"BP020": {"min_run": 8}}
    assert settings["per-site-ignores"]["value"] == {"*.example.com": ["PH001"]}


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.qc]\nfail-on = "never"\n', encoding="utf-8")
    run = run_qc("init", cwd=tmp_path)
    assert run.code == 2 and run.stderr.count("\n") == 1
    assert "pyproject.toml: already has a [tool.qc] table; not overwritten" in run.stderr
    assert not (tmp_path / "qc-rules").exists()
    assert (tmp_path / "pyproject.toml").read_text("utf-8") == '[tool.qc]\nfail-on = "never"\n'

    (tmp_path / "qc.toml").write_text("# mine\n", encoding="utf-8")
    run = run_qc("init", "--toml", cwd=tmp_path)
    assert run.code == 2 and "qc.toml: file exists; not overwritten" in run.stderr
    assert (tmp_path / "qc.toml").read_text("utf-8") == "# mine\n"

    other = tmp_path / "other"
    (other / "qc-rules").mkdir(parents=True)
    run = run_qc("init", cwd=other)
    assert run.code == 2 and "qc-rules: folder exists; not overwritten" in run.stderr
    assert not (other / "pyproject.toml").exists() and not list((other / "qc-rules").iterdir())


def test_init_refuses_a_broken_pyproject_without_touching_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    run = run_qc("init", cwd=tmp_path)
    assert run.code == 2 and "pyproject.toml: invalid TOML, not changed" in run.stderr
    assert (tmp_path / "pyproject.toml").read_text("utf-8") == "[project\n"
    assert not (tmp_path / "qc-rules").exists()
