"""Every error of a rule pack is reported, one ``path:line: key: reason`` line each, not only the first."""

from __future__ import annotations

from pathlib import Path

from .conftest import REPO, post, run_qc, write_jsonl

GOOD = (REPO / "rules" / "core" / "boilerplate" / "BP020-menu-line-runs.yaml").read_text("utf-8")


def _variant(code: str, name: str, *edits: tuple[str, str]) -> str:
    lines = []
    for line in GOOD.splitlines():
        if line.startswith("code:"):
            line = f"code: {code}"
        elif line.startswith("name:"):
            line = f"name: {name}"
        for old, new in edits:
            if line.startswith(old):
                line = new + line[len(old):]
        lines.append(line)
    return "\n".join(lines) + "\n"


def _bad_pack(root: Path) -> Path:
    pack = root / "pack"
    pack.mkdir()
    (pack / "a-good.yaml").write_text(_variant("XX001", "xx-good"), encoding="utf-8")
    (pack / "b-two-errors.yaml").write_text(
        _variant("XX002", "xx-two", ("severity: warning", "severity: fatal"), ("summary:", "sumary:")), "utf-8")
    (pack / "c-kind.yaml").write_text(_variant("XX003", "xx-kind", ("kind: line_runs", "kind: nope")), "utf-8")
    (pack / "d-syntax.yaml").write_text("code: [\n", encoding="utf-8")
    return pack


def test_every_problem_of_the_pack_gets_its_own_line(tmp_path: Path) -> None:
    pack = _bad_pack(tmp_path)
    run = run_qc("rules", "test", pack, cwd=tmp_path)
    assert run.code == 2 and "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert all(line.startswith(f"qc: error: {pack}/") for line in lines), lines
    assert any(line.startswith(f"qc: error: {pack}/b-two-errors.yaml:") and "severity: Input should be" in line
               for line in lines)
    assert any("b-two-errors.yaml" in line and "sumary: unknown key; did you mean 'summary'?" in line
               for line in lines)
    assert any("b-two-errors.yaml:1: summary: required key is missing" in line for line in lines)
    assert any("c-kind.yaml:" in line and "kind: unknown rule kind 'nope'" in line for line in lines)
    assert any("d-syntax.yaml:" in line and "YAML syntax error" in line for line in lines)
    assert not any("a-good.yaml" in line for line in lines)
    assert len(lines) == 5


def test_qc_check_reports_them_all_and_checks_nothing(tmp_path: Path) -> None:
    pack = _bad_pack(tmp_path)
    write_jsonl(tmp_path / "c.jsonl", [post("p1", "fine")])
    run = run_qc("check", "c.jsonl", "--rules", pack, "--rules", tmp_path / "missing", cwd=tmp_path)
    assert run.code == 2 and not run.stdout.strip()
    lines = run.stderr.splitlines()
    assert len(lines) == 6 and "missing: rule directory does not exist" in lines[-1]


def test_every_duplicate_code_is_reported(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    for n in range(3):
        (pack / f"r{n}.yaml").write_text(_variant("XX001", f"xx-{n}"), encoding="utf-8")
    run = run_qc("rules", "test", pack, cwd=tmp_path)
    assert run.code == 2
    assert run.stderr.count("duplicate rule code or name 'XX001'") == 2
