"""Where users already work: the GitHub Action, the GitLab CI template and ``--report`` (every CI report from
one run), exercised the way the CI systems run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sysconfig
import venv
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from .conftest import CLEAN_EN, PLACEHOLDER, REPO, post, run_qc, write_jsonl

DATA = REPO / "tests" / "data"
ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
GITLAB_TEMPLATE_PATH = REPO / "ci" / "gitlab" / "corpus-qc.gitlab-ci.yml"
GITLAB_TEMPLATE = yaml.safe_load(GITLAB_TEMPLATE_PATH.read_text("utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


# -- --report FORMAT=FILE -------------------------------------------------------------------------------------

def test_report_writes_every_format_from_one_run(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER), post("p2", CLEAN_EN)])
    run = run_qc("check", corpus.name, "--format", "json", "--report", "junit=out/j.xml",
                 "--report", "gitlab=out/gl.json", "--report", "sarif=out/r.sarif", cwd=tmp_path)
    assert run.code == 1, run.stderr
    assert [f["rule"] for f in run.json()["findings"]] == ["PH001"]
    suites = ET.parse(tmp_path / "out" / "j.xml").getroot()
    assert int(suites.find("testsuite[@name='PH001 unfilled-template-variable']").get("failures")) == 1
    for fmt, name in (("gitlab", "gl.json"), ("sarif", "r.sarif")):
        alone = run_qc("check", corpus.name, "--format", fmt, cwd=tmp_path)
        assert (tmp_path / "out" / name).read_text("utf-8") == alone.stdout, fmt


@pytest.mark.parametrize("bad", ["junit", "xml=a.xml", "=a.xml", "junit="])
def test_a_bad_report_is_one_line_exit_2_before_any_work(tmp_path: Path, bad: str) -> None:
    run = run_qc("check", tmp_path / "missing.jsonl", "--report", bad)
    assert run.code == 2
    assert run.stderr.startswith("qc: error: --report: expected FORMAT=FILE with FORMAT one of terminal, json,")
    assert run.stderr.count("\n") == 1 and "missing.jsonl" not in run.stderr  # checked before the inputs


# -- running CI definitions locally ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def python_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv's bin folder, its dependencies borrowed from this environment (no downloads): the
    action's install step installs corpus-qc into it for real."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    site = subprocess.run([str(env_dir / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env_dir / "bin"


def _environment(python_bin: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PYTHON", "CI_", "QC_"))}
    env.update({"PATH": f"{python_bin}{os.pathsep}{env.get('PATH', '')}", "NO_COLOR": "1", **extra})
    return env


class ActionRun:
    """The action's steps run as GitHub runs a composite action: ``run`` steps in bash with the step's env,
    ``${{ }}`` resolved from inputs and step outputs, ``uses`` steps recorded (not run) with their inputs."""

    def __init__(self, root: Path, python_bin: Path, inputs: dict[str, str]) -> None:
        self.root = root
        self.temp = root / "runner-temp"
        self.temp.mkdir()
        self.summary = root / "step-summary.md"
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
        self.outputs: dict[str, dict[str, str]] = {}
        self.used: list[tuple[str, dict[str, str]]] = []
        self.logs: list[subprocess.CompletedProcess[str]] = []
        self.python_bin = python_bin

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        if expression == "runner.temp":
            return str(self.temp)
        raise AssertionError(f"expression the test does not model: {expression}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m[1]), text)

    def condition(self, expression: str) -> bool:
        """``a != ''`` / ``a == ''`` joined by ``&&``: what this action's ``if:`` use."""
        result = True
        for clause in expression.split("&&"):
            found = re.fullmatch(r"\s*([\w.-]+)\s*(!=|==)\s*''\s*", clause)
            assert found, f"condition the test does not model: {clause}"
            empty = self.value(found[1]) == ""
            result &= (not empty) if found[2] == "!=" else empty
        return result

    def run(self) -> Iterator[tuple[dict[str, Any], int]]:
        for step in ACTION["runs"]["steps"]:
            if "if" in step and not self.condition(step["if"]):
                continue
            if "uses" in step:
                self.used.append((step["uses"], {k: self.substitute(str(v)) for k, v in step.get("with", {}).items()}))
                continue
            output = self.root / f"output-{len(self.logs)}"
            output.touch()
            env = _environment(self.python_bin, {
                "GITHUB_ACTION_PATH": str(REPO), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(self.summary),
                "RUNNER_TEMP": str(self.temp), "GITHUB_WORKSPACE": str(self.root), "CI": "true",
                **{k: self.substitute(str(v)) for k, v in step.get("env", {}).items()},
            })
            assert step["shell"] == "bash"
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  cwd=self.root, env=env, capture_output=True, text=True, timeout=600)
            self.logs.append(proc)
            if "id" in step:
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines())
            yield step, proc.returncode
            if proc.returncode != 0:
                return


def test_action_validates_against_the_published_schema() -> None:
    schema = json.loads((DATA / "github-action.schema.json").read_text("utf-8"))
    jsonschema.validate(ACTION, schema, cls=jsonschema.Draft7Validator)
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"paths", "args", "fail-on", "html-artifact", "sarif"}
    broken = {**ACTION, "runs": {**ACTION["runs"], "steps": [{"run": "echo no shell"}]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft7Validator)


def test_action_scripts_never_expand_expressions() -> None:
    # ${{ }} inside a script is pasted into the shell source before it runs: an input could inject code.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def _placeholder_codes() -> set[str]:
    rules = (yaml.safe_load(path.read_text("utf-8")) for path in (REPO / "rules").rglob("*.yaml"))
    return {str(rule["code"]) for rule in rules if isinstance(rule, dict) and rule.get("family") == "placeholder"}


def _corpus(root: Path) -> None:
    (root / "data").mkdir()
    write_jsonl(root / "data" / "posts.jsonl", [post("p1", PLACEHOLDER, url="https://news.example/1"),
                                                post("p2", CLEAN_EN, url="https://news.example/2")])


@pytest.mark.slow  # a fresh venv, corpus-qc installed into it by the CI definition's own step
def test_action_on_a_failing_corpus(tmp_path: Path, python_bin: Path) -> None:
    _corpus(tmp_path)
    action = ActionRun(tmp_path, python_bin, {"paths": "data/posts.jsonl", "args": "--select placeholder"})
    codes = [(step["name"], code) for step, code in action.run()]
    assert codes == [("Install corpus-qc", 0), ("Check the corpus", 0), ("Gate", 1)], action.logs[-1].stderr
    assert (python_bin / "qc").is_file(), "the install step installed corpus-qc from the action's folder"
    check = action.logs[1]
    assert "::error file=data/posts.jsonl,line=1,title=PH001 (p1)::" in check.stdout
    assert action.outputs["check"] == {"exit-code": "1", "html": str(action.temp / "corpus-qc" / "report.html"),
                                       "sarif": str(action.temp / "corpus-qc" / "corpus-qc.sarif")}
    assert "corpus-qc gate failed" in action.summary.read_text("utf-8")
    assert "Gate failed" in (action.temp / "corpus-qc" / "report.html").read_text("utf-8")
    sarif = json.loads((action.temp / "corpus-qc" / "corpus-qc.sarif").read_text("utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["PH001"]
    ran = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert ran - _placeholder_codes() <= {f"SC{n:03d}" for n in range(1, 100)}, "args reached qc: only placeholder"
    uses = dict(action.used)
    assert uses["actions/upload-artifact@v4"]["name"] == "corpus-qc-report"
    assert Path(uses["actions/upload-artifact@v4"]["path"]).is_file()
    assert Path(uses["github/codeql-action/upload-sarif@v3"]["sarif_file"]).is_file()
    assert uses["actions/setup-python@v5"] == {"python-version": "3.12"}


@pytest.mark.slow  # a fresh venv, corpus-qc installed into it by the CI definition's own step
def test_action_passing_gate_without_sarif_or_artifact(tmp_path: Path, python_bin: Path) -> None:
    _corpus(tmp_path)
    write_jsonl(tmp_path / "data" / "posts.jsonl", [post("p2", CLEAN_EN)])
    action = ActionRun(tmp_path, python_bin, {"paths": "data/", "sarif": "false", "html-artifact": ""})
    codes = [code for _, code in action.run()]
    assert codes == [0, 0, 0]
    assert action.outputs["check"]["exit-code"] == "0" and action.outputs["check"]["sarif"] == ""
    assert not (action.temp / "corpus-qc" / "corpus-qc.sarif").exists()
    assert [name for name, _ in action.used] == ["actions/setup-python@v5"]
    assert "corpus-qc gate passed" in action.summary.read_text("utf-8")


@pytest.mark.slow  # a fresh venv, corpus-qc installed into it by the CI definition's own step
def test_action_inputs_cannot_inject_shell(tmp_path: Path, python_bin: Path) -> None:
    _corpus(tmp_path)
    action = ActionRun(tmp_path, python_bin, {"paths": "data/posts.jsonl $(touch pwned1) `touch pwned2`",
                                              "args": "--select PH001; touch pwned3", "fail-on": "error"})
    codes = [code for _, code in action.run()]
    assert codes == [0, 0, 2]  # qc refused the odd paths and selector: an error, exit 2, no code ran
    assert not list(tmp_path.glob("pwned*"))
    assert action.outputs["check"]["exit-code"] == "2"


@pytest.mark.slow  # a fresh venv, corpus-qc installed into it by the CI definition's own step
def test_gitlab_template_validates_and_its_script_writes_the_reports(tmp_path: Path, python_bin: Path) -> None:
    schema = json.loads((DATA / "gitlab-ci.schema.json").read_text("utf-8"))
    jsonschema.validate(GITLAB_TEMPLATE, schema, cls=jsonschema.Draft7Validator)
    job = GITLAB_TEMPLATE[".corpus-qc"]
    assert GITLAB_TEMPLATE["corpus-qc"] == {"extends": ".corpus-qc"}
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"

    _corpus(tmp_path)
    variables = {**job["variables"], "QC_PATHS": "data/posts.jsonl", "QC_INSTALL": str(REPO)}
    script = "\n".join(job["script"])  # GitLab runs the lines in one shell, failing on the first that fails
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=tmp_path,
                          env=_environment(python_bin, {**variables, "CI": "true", "GITLAB_CI": "true"}),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr  # the gate failed: the job fails, the reports are kept
    junit = ET.parse(tmp_path / reports["junit"]).getroot()
    assert sum(int(s.get("failures")) for s in junit.iter("testsuite")) == 1
    quality = json.loads((tmp_path / reports["codequality"]).read_text("utf-8"))
    assert [(q["check_name"], q["severity"], q["location"]["path"]) for q in quality] == [
        ("PH001", "critical", "data/posts.jsonl")]
    for path in job["artifacts"]["paths"]:
        assert "Gate failed" in (tmp_path / path).read_text("utf-8")



def test_readme_examples_use_the_real_inputs_variables_and_hook() -> None:
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text("utf-8"),
                                                    re.S)]
    steps = [step for block in blocks if isinstance(block, dict) for step in block.get("steps", [])]
    action_step = next(step for step in steps if str(step.get("uses", "")).startswith("corpus-qc/corpus-qc@"))
    assert set(action_step["with"]) <= set(ACTION["inputs"])
    gitlab = next(block for block in blocks if isinstance(block, dict) and "include" in block)
    assert set(gitlab["corpus-qc"]["variables"]) <= set(GITLAB_TEMPLATE[".corpus-qc"]["variables"])
    assert gitlab["include"][0]["remote"].endswith("/ci/gitlab/corpus-qc.gitlab-ci.yml")
    hooks = next(block for block in blocks if isinstance(block, dict) and "repos" in block)
    (hook_definition,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks["repos"][0]["hooks"][0]["id"] == hook_definition["id"]
