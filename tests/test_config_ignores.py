"""``[tool.qc.per-site-ignores]`` and ``[tool.qc.per-path-ignores]`` through the real ``qc check``."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import PLACEHOLDER, post, run_qc, write_jsonl


def _project(root: Path, table: str) -> Path:
    (root / "pyproject.toml").write_text("[tool.qc]\n" + table, encoding="utf-8")
    for folder in ("news", "forum"):
        (root / "crawl" / folder).mkdir(parents=True, exist_ok=True)
    write_jsonl(root / "crawl" / "news" / "a.jsonl", [
        post("sub", PLACEHOLDER, url="https://News.Example.com/1"),
        post("deep", PLACEHOLDER, url="https://a.b.example.com/2"),
        post("apex", PLACEHOLDER, url="https://example.com/3"),
        post("other", PLACEHOLDER, url="https://other.org/4"),
    ])
    write_jsonl(root / "crawl" / "forum" / "b.jsonl", [post("forum", PLACEHOLDER, url="https://forum.org/5")])
    return root


def _flagged(root: Path, *args: str) -> dict[str, set[str]]:
    run = run_qc("check", "crawl", "--format", "json", "--fail-on", "never", *args, cwd=root)
    assert run.code == 0, run.stderr
    found: dict[str, set[str]] = {}
    for finding in run.json()["findings"]:
        found.setdefault(finding["doc_id"], set()).add(finding["rule"])
    return found


def test_site_glob_matches_subdomains_case_insensitively_not_the_apex(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.qc.per-site-ignores]\n"*.EXAMPLE.com" = ["PH001"]\n')
    found = _flagged(root)
    assert "sub" not in found and "deep" not in found
    assert "PH001" in found["apex"] and "PH001" in found["other"] and "PH001" in found["forum"]
    summary = run_qc("check", "crawl", "--format", "json", "--fail-on", "never", cwd=root).json()["summary"]
    ph001 = next(r for r in summary["rules"] if r["code"] == "PH001")
    assert ph001["documents"] == 3  # the tally counts only what is kept


def test_path_globs_by_folder_name_and_absolute(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.qc.per-path-ignores]\n"crawl/news/**/*.jsonl" = ["placeholder"]\n')
    found = _flagged(root)
    assert set(found) == {"forum"}
    root = _project(tmp_path, '[tool.qc.per-path-ignores]\n"b.jsonl" = ["unfilled-template-variable"]\n')
    assert "forum" not in _flagged(root) and "other" in _flagged(root)
    absolute = (tmp_path / "crawl" / "forum").resolve().as_posix()
    root = _project(tmp_path, f'[tool.qc.per-path-ignores]\n"{absolute}/*" = ["PH"]\n')
    found = _flagged(root)
    assert "forum" not in found and {"sub", "apex", "other"} <= set(found)


def test_selector_of_another_rule_keeps_the_finding(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.qc.per-site-ignores]\n"other.org" = ["BP"]\n')
    assert "PH001" in _flagged(root)["other"]


def test_unknown_selector_is_one_line_with_did_you_mean(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.qc.per-site-ignores]\n"*.example.com" = ["placeholdr"]\n')
    run = run_qc("check", "crawl", cwd=root)
    assert run.code == 2
    line = run.stderr.strip()
    assert "\n" not in line and "Traceback" not in run.stderr
    assert "pyproject.toml" in line and "per-site-ignores.*.example.com" in line
    assert "did you mean 'placeholder'?" in line


def test_empty_selector_list_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.qc.per-path-ignores]\n"*.jsonl" = []\n')
    run = run_qc("check", "crawl", cwd=root)
    assert run.code == 2 and "per-path-ignores" in run.stderr and "selectors" in run.stderr
    assert "Traceback" not in run.stderr


def test_input_check_findings_can_be_ignored_per_path(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.qc.per-path-ignores]\n"bad.jsonl" = ["SC001"]\n')
    write_jsonl(root / "crawl" / "bad.jsonl", ["{not json", json.dumps(post("ok", "fine text"))])
    run = run_qc("check", "crawl", "--format", "json", "--fail-on", "never", cwd=root)
    assert run.code == 0, run.stderr
    assert not [f for f in run.json()["findings"] if f["rule"] == "SC001"]
    root = _project(tmp_path, "")
    run = run_qc("check", "crawl", "--format", "json", "--fail-on", "never", cwd=root)
    assert [f for f in run.json()["findings"] if f["rule"] == "SC001"]
