"""``qc config`` (effective settings and their sources), ``[tool.qc.severity]`` and "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PLACEHOLDER, REPO, post, run_qc, write_jsonl

WARNING_TEXT = "The results show TODO: add the figures here."  # PH005, a warning


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER), post("p2", WARNING_TEXT)])
    return tmp_path


def _pyproject(root: Path, text: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_names_where_each_setting_came_from(project: Path) -> None:
    pyproject = _pyproject(project, '[tool.qc]\nfail-on = "warning"\nignore = ["BP"]\n'
                                    '[tool.qc.severity]\nPH005 = "error"\n')
    run = run_qc("config", "--format", "json", "--select", "placeholder", "--timezone", "Asia/Shanghai", cwd=project)
    assert run.code == 0, run.stderr
    report = run.json()
    settings = report["settings"]
    assert report["config_file"] == str(pyproject)
    assert settings["fail-on"] == {"value": "warning", "source": str(pyproject)}
    assert settings["severity"] == {"value": {"PH005": "error"}, "source": str(pyproject)}
    assert settings["select"] == {"value": ["placeholder"], "source": "flag"}
    assert settings["default-timezone"] == {"value": "Asia/Shanghai", "source": "flag"}
    assert settings["batch-rows"] == {"value": 20000, "source": "default"}
    placeholder = [path for path in (REPO / "rules").rglob("*.yaml")
                   if "family: placeholder" in path.read_text("utf-8")]
    assert report["rules_selected"] == len(placeholder) >= 10
    from qc.config import Config

    assert set(settings) == {f.alias for name, f in Config.model_fields.items() if name != "source"}

    table = run_qc("config", cwd=project)
    assert table.code == 0 and f"config file: {pyproject}" in table.stdout
    assert "fail-on" in table.stdout and "default" in table.stdout


def test_config_without_a_file(tmp_path: Path) -> None:
    run = run_qc("config", "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert run.json()["config_file"] is None
    assert {s["source"] for s in run.json()["settings"].values()} == {"default"}


def test_severity_override_changes_findings_and_the_gate(project: Path) -> None:
    before = run_qc("check", "c.jsonl", "--format", "json", cwd=project)
    assert before.code == 1
    assert {f["rule"]: f["severity"] for f in before.json()["findings"]} == {"PH001": "error", "PH005": "warning"}
    _pyproject(project, '[tool.qc.severity]\nPH001 = "info"\nPH005 = "info"\n')
    after = run_qc("check", "c.jsonl", "--format", "json", cwd=project)
    assert after.code == 0, after.stderr  # nothing at or above fail-on=error any more
    report = after.json()
    assert {f["rule"]: f["severity"] for f in report["findings"]} == {"PH001": "info", "PH005": "info"}
    assert {r["code"]: r["severity"] for r in report["summary"]["rules"]}["PH001"] == "info"
    _pyproject(project, '[tool.qc.severity]\nPH005 = "error"\n[tool.qc]\nignore = ["PH001"]\n')
    raised = run_qc("check", "c.jsonl", "--format", "json", cwd=project)
    assert raised.code == 1
    assert raised.json()["gate"]["failing_rules"][0]["code"] == "PH005"


@pytest.mark.parametrize(("toml", "message"), [
    ('[tool.qc.severity]\nPH0001 = "info"\n', "severity.PH0001: no rule with code 'PH0001'; did you mean "
                                               "'PH001'?"),
    ('[tool.qc.severity]\nph001 = "info"\n', "severity.ph001: no rule with code 'ph001'; did you mean 'PH001'?"),
    ('[tool.qc.severity]\nSC001 = "info"\n', "severity.SC001: no rule with code 'SC001' (an input check: its "
                                             "severity is fixed)"),
    ('[tool.qc.severity]\nPH001 = "fatal"\n', "severity.PH001: Input should be 'info', 'warning' or 'error'"),
    ('[tool.qc]\nfial-on = "warning"\n', "fial-on: unknown key; did you mean 'fail-on'?"),
    ('[tool.qc]\nzzz = 1\n', "zzz: unknown key"),
])
@pytest.mark.parametrize("command", ["check", "config"])
def test_config_mistakes_are_one_line_with_a_suggestion(project: Path, toml: str, message: str, command: str
                                                        ) -> None:
    pyproject = _pyproject(project, toml)
    run = run_qc(command, *(["c.jsonl"] if command == "check" else []), cwd=project)
    assert run.code == 2
    assert run.stderr == f"qc: error: {pyproject}: {message}\n"


def test_rule_file_unknown_key_suggests_the_known_one(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    text = (REPO / "rules/core/placeholder/PH002-lorem-ipsum.yaml").read_text("utf-8")
    (tmp_path / "pack" / "x.yaml").write_text(text.replace("ignorecase: true", "ignorcase: true"), encoding="utf-8")
    run = run_qc("rules", "test", tmp_path / "pack")
    assert run.code == 2
    assert run.stderr.strip().endswith("ignorcase: unknown key; did you mean 'ignorecase'?")
