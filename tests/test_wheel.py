"""The built wheel carries the rule packs and report templates and works outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import PLACEHOLDER, REPO, post, write_jsonl

pytestmark = pytest.mark.wheel


def test_wheel_installs_and_finds_builtin_rules(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("corpus_qc-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("qc/_builtin/rules/core/") and n.endswith(".yaml") for n in names)
    assert "qc/_builtin/reports/json-report.schema.json" in names
    for name in ("report.html.j2", "report.css", "report.js"):
        assert f"qc/_builtin/reports/{name}" in names
    with zipfile.ZipFile(wheel) as archive:  # the editor schemas ship as published in the repository
        for name in ("rule.schema.json", "config.schema.json"):
            assert archive.read(f"qc/_builtin/schemas/{name}") == (REPO / "schemas" / name).read_bytes()

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    # The installed wheel must be what runs: a PYTHONPATH naming the checkout (as when testing a worktree
    # with PYTHONPATH=$PWD) would put the checkout's `qc` first, so the fresh venv never sees it.
    clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=300, env=clean)
    # Dependencies come from this test environment's site-packages, appended after the fresh venv's own,
    # so the installed wheel (not the checkout) provides `qc`. A .pth in a non-site dir is not executed,
    # so the checkout's editable-install hook stays inactive.
    fresh_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True, env=clean).stdout.strip()
    (Path(fresh_site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    (tmp_path / "work").mkdir()
    write_jsonl(tmp_path / "work" / "c.jsonl", [post("p", PLACEHOLDER)])
    where = subprocess.run([str(python), "-c", "import qc.paths as p; print(p.builtin_rules_dir())"],
                           check=True, capture_output=True, text=True, cwd=tmp_path / "work", env=clean)
    assert where.stdout.strip().startswith(str(env_dir))
    result = subprocess.run([str(env_dir / "bin" / "qc"), "check", "c.jsonl", "--format", "json"],
                            capture_output=True, text=True, cwd=tmp_path / "work", timeout=300, env=clean)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [f["rule"] for f in report["findings"]] == ["PH001"]
    page = tmp_path / "work" / "report.html"
    html = subprocess.run([str(env_dir / "bin" / "qc"), "check", "c.jsonl", "--quiet", "--html", str(page)],
                          capture_output=True, text=True, cwd=tmp_path / "work", timeout=300, env=clean)
    assert html.returncode == 1, html.stderr
    assert "Gate failed" in page.read_text("utf-8"), "the installed wheel finds its report templates"
    sarif = subprocess.run([str(env_dir / "bin" / "qc"), "check", "c.jsonl", "--format", "sarif"],
                           capture_output=True, text=True, cwd=tmp_path / "work", timeout=300)
    rules = {r["id"]: r for r in json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["PH001"]["helpUri"].endswith("/docs/rules/PH001.md"), "installed built-in rules link their page"
