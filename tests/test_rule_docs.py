"""Rule pages (docs/rules/CODE.md): generated from the YAML, checked in and current, and linked from every report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from qc.fielddocs import documented
from qc.kinds import KINDS
from qc.paths import default_docs_url
from qc.rulespec import RuleSpec
from qc.schemas import SCHEMA_CHECKS

from .conftest import PLACEHOLDER, REPO, post, run_qc, write_jsonl

DOCS = REPO / "docs" / "rules"


def _builtin_rules() -> list[dict[str, object]]:
    rules = []
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        if path.name != "pack.yaml":
            rules.append(yaml.safe_load(path.read_text("utf-8")))
    return rules


def test_checked_in_pages_are_current(tmp_path: Path) -> None:
    run = run_qc("rules", "docs", tmp_path / "docs")
    assert run.code == 0, run.stderr
    fresh = {p.name: p.read_text("utf-8") for p in (tmp_path / "docs").glob("*.md")}
    checked_in = {p.name: p.read_text("utf-8") for p in DOCS.glob("*.md")}
    assert sorted(fresh) == sorted(checked_in), "run: qc rules docs docs/rules"
    stale = [name for name in fresh if fresh[name] != checked_in[name]]
    assert not stale, f"stale pages {stale}: run qc rules docs docs/rules"


def test_every_rule_and_input_check_has_a_page_in_the_index() -> None:
    index = (DOCS / "README.md").read_text("utf-8")
    codes = [str(rule["code"]) for rule in _builtin_rules()] + list(SCHEMA_CHECKS)
    assert len(codes) == len(set(codes))
    for code in codes:
        assert (DOCS / f"{code}.md").is_file(), code
        assert f"[{code}]({code}.md)" in index


def test_a_page_says_what_why_examples_options_and_how_to_silence() -> None:
    for rule in _builtin_rules():
        page = (DOCS / f"{rule['code']}.md").read_text("utf-8")
        assert page.splitlines()[1] == f"# {rule['code']} {rule['name']}"
        for heading in ("## What it does", "## Why is this bad?", "## Examples", "## Options", "## How to silence it"):
            assert heading in page, (rule["code"], heading)
        examples = rule["examples"]
        assert isinstance(examples, dict)
        for example in [*examples["fail"], *examples["pass"]]:
            text = example if isinstance(example, str) else example["text"]
            first_line = text.splitlines()[0]
            assert first_line in page or yaml.safe_dump(first_line).strip() in page, (rule["code"], first_line)
        assert f"--ignore {rule['code']}" in page
        assert f'ignore = ["{rule["code"]}"]' in page
        # Every option of the rule's kind is in the table, with a description from the Spec field's docstring.
        spec = KINDS[str(rule["kind"])]
        for key, field in documented(spec).model_fields.items():
            if key not in RuleSpec.model_fields:
                assert field.description, (spec, key)
                row = next((line for line in page.splitlines() if line.startswith(f"| `{key}` |")), None)
                assert row is not None, (rule["code"], key)
                assert row.split(" | ")[-1].rstrip(" |").replace("\\", "")[:20] == field.description[:20]


def test_options_table_shows_the_defaults_and_what_the_rule_sets() -> None:
    page = (DOCS / "PH001.md").read_text("utf-8")
    assert "| `limit` | integer | `20` | Findings per document, at most. |" in page
    assert "| `patterns` | list of string | required |" in page
    assert "exception_window: 120" in page.split("This rule sets:")[1].split("Options of the")[0]
    bp030 = (DOCS / "BP030.md").read_text("utf-8")
    assert "min_documents: 5" in bp030  # set by the rule; the table shows the kind's default 3
    assert "| `min_documents` | integer | `3` |" in bp030


def test_schema_check_pages_say_they_cannot_be_ignored_and_that_is_true(tmp_path: Path) -> None:
    page = (DOCS / "SC001.md").read_text("utf-8")
    assert "# SC001 malformed-json-line" in page
    assert "do not apply" in page
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("a", "fine text here"), "{not json"])
    run = run_qc("check", corpus, "--ignore", "SC001", "--format", "json")
    assert run.code == 2 and "matches no rule" in run.stderr


def test_silencing_as_the_page_says_works(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER)])
    loud = run_qc("check", corpus, "--format", "json")
    assert loud.code == 1 and {f["rule"] for f in loud.json()["findings"]} == {"PH001"}
    flag = run_qc("check", corpus, "--format", "json", "--ignore", "PH001")
    assert flag.code == 0 and flag.json()["findings"] == []
    (tmp_path / "pyproject.toml").write_text('[tool.qc]\nignore = ["PH001"]\n', encoding="utf-8")
    config = run_qc("check", corpus, "--format", "json", cwd=tmp_path)
    assert config.code == 0 and config.json()["findings"] == []


def _custom_pack(root: Path) -> Path:
    pack = root / "pack"
    pack.mkdir()
    (pack / "XY001.yaml").write_text(
        "code: XY001\nname: order-stub\nfamily: custom\nkind: pattern\nseverity: error\n"
        "message: \"Stub: '{match}'\"\nsummary: Finds ORDER-STUB markers.\nwhy: A stub | is <b>unfinished</b>.\n"
        "patterns: ['ORDER-STUB']\nexamples:\n  fail: ['see ORDER-STUB here']\n  pass: ['see order 12 here']\n",
        encoding="utf-8")
    return pack


def test_docs_for_a_custom_pack_and_stale_pages_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "XY999.md").write_text("<!-- Generated from x.yaml by `qc rules docs`; edit the YAML -->\n# old\n")
    (out / "notes.md").write_text("# my own notes\n")
    run = run_qc("rules", "docs", out, "--rules", _custom_pack(tmp_path), "--no-builtin")
    assert run.code == 0, run.stderr
    assert "removed 1 stale" in run.stdout
    names = sorted(p.name for p in out.glob("*.md"))
    assert names == sorted(["XY001.md", "README.md", "notes.md", *(f"{c}.md" for c in SCHEMA_CHECKS)])
    page = (out / "XY001.md").read_text("utf-8")
    assert "A stub | is \\<b\\>unfinished\\</b\\>." in page  # YAML prose is escaped, not live HTML
    assert "<b>" not in page


def test_docs_into_an_unwritable_place_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = run_qc("rules", "docs", blocker / "docs")
    assert run.code == 2
    assert run.stderr.startswith("qc: error:") and "Traceback" not in run.stderr


# -- every report links a finding's rule to its page -----------------------------------------------------


@pytest.fixture
def linked_run(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER, url="https://news.example/1"),
                                       post("p2", "Order ORDER-STUB pending.", url="https://news.example/2")])
    _custom_pack(tmp_path)
    return tmp_path


def test_sarif_help_uri_points_at_the_checked_in_page(linked_run: Path) -> None:
    run = run_qc("check", linked_run / "c.jsonl", "--rules", linked_run / "pack", "--format", "sarif")
    assert run.code == 1, run.stderr
    rules = {r["id"]: r for r in run.json()["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["PH001"]["helpUri"] == f"{default_docs_url()}PH001.md"
    assert rules["PH001"]["helpUri"] == (DOCS / "PH001.md").resolve().as_uri(), "from a checkout: its own page"
    assert (DOCS / "PH001.md").is_file()
    assert "helpUri" not in rules["XY001"]  # no page for a custom rule under the default docs-url
    assert all(r["helpUri"].endswith(f"/{code}.md") for code, r in rules.items() if code != "XY001")


def test_configured_docs_url_links_every_rule(linked_run: Path) -> None:
    (linked_run / "qc.toml").write_text('docs-url = "https://docs.example.org/qc"\n', encoding="utf-8")
    run = run_qc("check", "c.jsonl", "--rules", "pack", "--format", "sarif", cwd=linked_run)
    assert run.code == 1, run.stderr
    rules = {r["id"]: r for r in run.json()["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["XY001"]["helpUri"] == "https://docs.example.org/qc/XY001.md"
    assert rules["PH001"]["helpUri"] == "https://docs.example.org/qc/PH001.md"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "docs/rules/", "https://x.example/a b",
                                 'https://x.example/"onclick=1'])
def test_a_docs_url_that_is_no_web_url_is_a_config_error(tmp_path: Path, bad: str) -> None:
    write_jsonl(tmp_path / "c.jsonl", [post("p1", PLACEHOLDER)])
    (tmp_path / "qc.toml").write_text(f"docs-url = {json.dumps(bad)}\n", encoding="utf-8")
    run = run_qc("check", "c.jsonl", cwd=tmp_path)
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        f"qc: error: {tmp_path / 'qc.toml'}: docs-url: must be an absolute http(s) URL, e.g. "
        "https://example.org/qc/rules/"]


def test_terminal_github_and_html_link_the_rule(linked_run: Path) -> None:
    url = f"{default_docs_url()}PH001.md"
    terminal = run_qc("check", linked_run / "c.jsonl", "--rules", linked_run / "pack")
    assert f"docs: {url}" in terminal.stdout
    assert "docs: " not in terminal.stdout.split("XY001")[1].split("\n  ")[0]  # the custom rule: no page

    summary = linked_run / "summary.md"
    github = run_qc("check", linked_run / "c.jsonl", "--rules", linked_run / "pack", "--format", "github",
                    env={"GITHUB_STEP_SUMMARY": str(summary)})
    ph001 = next(line for line in github.stdout.splitlines() if "title=PH001" in line)
    assert ph001.endswith(f"%0ARule: {url}")
    xy001 = next(line for line in github.stdout.splitlines() if "title=XY001" in line)
    assert "Rule:" not in xy001
    row = next(line for line in summary.read_text("utf-8").splitlines() if line.startswith("| PH001 |"))
    assert row.endswith(f" | [page]({url}) |")
    row = next(line for line in summary.read_text("utf-8").splitlines() if line.startswith("| XY001 |"))
    assert row.endswith(" |  |")

    page = linked_run / "r.html"
    html = run_qc("check", linked_run / "c.jsonl", "--rules", linked_run / "pack", "--html", page, "-q")
    assert html.code == 1, html.stderr
    text = page.read_text("utf-8")
    assert f'<a href="{url}" rel="noopener noreferrer" target="_blank">PH001</a>' in text
    data = json.loads(re.search(r'<script type="application/json" id="qc-data">(.*?)</script>', text, re.S)[1])
    assert data["rules"]["PH001"]["url"] == url and data["rules"]["XY001"]["url"] is None


@pytest.mark.browser
def test_html_findings_table_links_rules_in_chromium(linked_run: Path) -> None:
    from playwright.sync_api import sync_playwright

    from .test_report_browser import ARGS, CHROMIUM

    page_file = linked_run / "r.html"
    run = run_qc("check", linked_run / "c.jsonl", "--rules", linked_run / "pack", "--html", page_file, "-q")
    assert run.code == 1, run.stderr
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("#findings tbody tr")
        links = page.eval_on_selector_all("#findings tbody td a", "els => els.map(a => [a.textContent, a.href])")
        cells = page.eval_on_selector_all("#findings tbody tr td:first-child", "els => els.map(c => c.textContent)")
        browser.close()
    assert ["PH001", f"{default_docs_url()}PH001.md"] in links
    assert "XY001" in cells and all(text != "XY001" for text, _ in links)



def test_the_repository_url_is_written_in_one_place() -> None:
    """pyproject.toml's [project.urls] Repository is the only place: the package reads it from its metadata,
    and no module spells a repository URL of its own."""
    import tomllib

    from qc.paths import repository_url, schemas_url

    declared = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["urls"]["Repository"]
    assert repository_url() == declared.rstrip("/")
    owner_repo = declared.split("github.com/", 1)[1]
    assert schemas_url() == f"https://raw.githubusercontent.com/{owner_repo}/main/schemas/"
    spelled = [path.name for path in (REPO / "qc").rglob("*.py") if owner_repo in path.read_text("utf-8")]
    assert spelled == [], f"modules spelling the repository URL: {spelled}"


def test_rule_links_from_a_checkout_open_its_own_pages() -> None:
    """With docs-url unset, a checkout links its built-in rules to its docs/rules/ pages: links that work
    whether or not the repository is published."""
    from urllib.parse import unquote, urlparse

    base = default_docs_url()
    assert base is not None and base.startswith("file://")
    page = Path(unquote(urlparse(f"{base}PH001.md").path))
    assert page.is_file() and page.resolve() == (DOCS / "PH001.md").resolve()
