"""The HTML report without a browser: escaping, self-containment, caps and size at 100,000 findings."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

import qc
from qc.api import tally_store
from qc.paths import default_docs_url
from qc.render import html
from qc.render.html import script_json
from qc.schemas import coerce_findings, validate_findings
from qc.store import FindingsStore
from qc.summary import evaluate_gate, summarise

from .conftest import post, run_qc, write_jsonl

HOSTILE = [
    post("x1", "<script>window.__pwned = 1</script> Dear {{first_name}}, welcome.",
         title="<svg onload=alert(1)>", url="javascript:alert(1)", site="<b>evil</b>.example"),
    post("x2", "</textarea><img src=x onerror=\"window.__pwned=2\"> Lorem ipsum dolor sit amet \u2028 end \u2029",
         site="ok.example"),
    post("</script><script>window.__pwned=3</script>", "{{ 7*7 }} {% raw %} </script> {{user}}"),
]


def render_html(result: qc.api.CheckResult) -> str:
    out = io.StringIO()
    html.render(result, out)
    return out.getvalue()


def test_script_json_is_inert_and_round_trips() -> None:
    value = {"t": "</script><!-- <script> & \u2028\u2029 \"'", "n": [1, None]}
    text = str(script_json(value))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == value


def test_hostile_corpus_is_escaped_everywhere(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "h.jsonl", HOSTILE)
    page = render_html(qc.check(tmp_path, {}))
    for raw in ("<script>window", "<img src=x", "<svg onload", "</textarea>", "<b>evil</b>", "\u2028"):
        assert raw not in page, raw
    assert len(re.findall(r"<script\b", page)) == 3, "only the report's own three script elements"
    assert "&lt;b&gt;evil&lt;/b&gt;.example" in page, "the site name is shown, escaped"
    assert "{{ 7*7 }} {% raw %}" in page, "template syntax in the corpus is data, never evaluated"


def test_self_contained_with_a_csp_pinned_to_the_report_script(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "h.jsonl", HOSTILE)
    page = render_html(qc.check(tmp_path, {}))
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", page), "nothing loads from the network"
    links = re.findall(r"""<(\w+)\s[^>]*\bhref\s*=\s*["']?((?:https?:|file:)?//[^"' >]*)""", page)
    assert links, "rule codes link to their pages"
    assert all(tag == "a" and url.startswith(str(default_docs_url())) for tag, url in links), "only rule pages"
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert found is not None
    csp = unescape(found.group(1))
    assert "default-src 'none'" in csp
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" in csp
    assert page.count("data:image/svg+xml;base64,") >= 3, "charts are inlined SVG images"


def test_demo_writes_html_next_to_json(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "h.jsonl", HOSTILE)
    target = tmp_path / "out" / "report.html"
    run = run_qc("check", tmp_path / "h.jsonl", "--html", target, "--quiet")
    assert run.code == 1 and target.is_file()
    assert "Gate failed" in target.read_text("utf-8")
    as_format = run_qc("check", tmp_path / "h.jsonl", "--format", "html")
    assert as_format.stdout.startswith("<!DOCTYPE html>")


def test_100k_findings_stay_small_and_show_true_counts(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "s.jsonl", [post("d0", "Dear {{first_name}}, Lorem ipsum dolor sit amet.")])
    small = qc.check(tmp_path, {})
    n = 100_000
    rules = ["PH001", "PH002", "BP010", "BP001"]
    rows = pd.DataFrame({
        "doc_id": [f"d{i // 4}" for i in range(n)], "rule": [rules[i % 4] for i in range(n)],
        "family": [("placeholder" if i % 4 < 2 else "boilerplate") for i in range(n)],
        "severity": [("error" if i % 4 < 2 else "warning") for i in range(n)], "field": "text",
        "start": [i % 500 for i in range(n)], "end": [i % 500 + 14 for i in range(n)],
        "match": "{{first_name}}", "message": "Unfilled template variable: '{{first_name}}'",
        "source_path": "big.jsonl", "source_line": [i // 4 + 1 for i in range(n)],
        "site": [f"site{i % 50}.example" for i in range(n)],
    })
    store = FindingsStore.of(validate_findings(coerce_findings(rows)))
    tally = tally_store(store, small.ruleset)
    summary = summarise(tally, n // 4, n // 4, 50, small.ruleset)
    big = replace(small, store=store, tally=tally, summary=summary, gate=evaluate_gate(tally, summary, small.config))
    page = render_html(big)
    assert len(page.encode("utf-8")) < 4_000_000, f"{len(page) / 1e6:.1f} MB"
    data = json.loads(page.split('id="qc-data">', 1)[1].split("</script>", 1)[0])
    assert len(data["findings"]) == 4 * data["embed_cap"]
    assert data["rules"]["PH001"]["findings"] == 25_000
    assert f"{data['embed_cap']} of 25000" in page
    assert 'data-testid="findings">100000<' in page


def test_every_renderer_shares_one_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qc.render import github, junit, model, sarif, terminal

    write_jsonl(tmp_path / "h.jsonl", HOSTILE)
    result = qc.check(tmp_path, {})
    calls: list[int] = []
    original = model.build_model

    def counting(res: qc.api.CheckResult) -> model.ReportModel:
        calls.append(1)
        return original(res)

    monkeypatch.setattr(model, "build_model", counting)
    for module in (html, terminal, junit, sarif, github):
        module.render(result, io.StringIO())
    assert calls == [1]
