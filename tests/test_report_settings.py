"""The JSON report (schema 1.1) records the run's effective settings: the object ``qc config --format json`` prints."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from qc.paths import reports_dir

from .conftest import PLACEHOLDER, post, run_qc, write_jsonl


def test_report_settings_are_what_qc_config_prints(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.qc]\nfail-on = "warning"\n[tool.qc.per-site-ignores]\n"*.example.com" = ["PH001"]\n'
                         "[tool.qc.rule-options.BP020]\nmin_run = 8\n", encoding="utf-8")
    write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER)])
    run = run_qc("check", "c.jsonl", "--format", "json", "--select", "PH", "--timezone", "Asia/Shanghai",
                 cwd=tmp_path)
    assert run.code == 1, run.stderr
    report = run.json()
    jsonschema.validate(report, json.loads((reports_dir() / "json-report.schema.json").read_text("utf-8")))
    assert report["schema_version"] == "1.2"
    settings = report["settings"]
    assert settings["config_file"] == str(pyproject)
    assert settings["settings"]["fail-on"] == {"value": "warning", "source": str(pyproject)}
    assert settings["settings"]["select"] == {"value": ["PH"], "source": "flag"}
    assert settings["settings"]["default-timezone"] == {"value": "Asia/Shanghai", "source": "flag"}
    assert settings["settings"]["rule-options"] == {"value": {"BP020": {"min_run": 8}}, "source": str(pyproject)}
    assert settings["settings"]["batch-rows"] == {"value": 20000, "source": "default"}
    shown = run_qc("config", "--format", "json", "--select", "PH", "--timezone", "Asia/Shanghai", cwd=tmp_path)
    assert shown.code == 0, shown.stderr
    printed = shown.json()
    # The same object, but check's own flags (--format json) and its every-core jobs are check's alone.
    for key in ("format", "jobs"):
        assert printed["settings"].pop(key)["source"] == "default"
        settings["settings"].pop(key)
    assert printed == settings
    selected = [r for r in report["summary"]["rules"] if r["code"].startswith("PH")]
    assert report["settings"]["rules_selected"] == len(selected) > 0


def test_report_without_config_file_marks_every_setting_default_or_flag(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", [post("p1", "A plain sentence.")])
    run = run_qc("check", "c.jsonl", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert run.code == 0, run.stderr
    settings = run.json()["settings"]
    assert settings["config_file"] is None
    sources = {key: entry["source"] for key, entry in settings["settings"].items()}
    assert sources["fail-on"] == "flag"
    assert {source for key, source in sources.items() if key != "fail-on"} <= {"default", "flag"}
