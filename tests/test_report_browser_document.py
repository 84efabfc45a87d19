"""The HTML report's document view in headless Chromium: a click scrolls to and flashes the span, colours
follow severity, nested spans keep every rule visible, the legend stays in view, cards split by severity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from .conftest import post, run_qc, write_jsonl
from .test_report_browser import ARGS, ARTIFACTS, CHROMIUM


def _post(paragraphs: int) -> str:
    body = "\n".join(f"Paragraph {i}: the river authority published its quarterly report on water levels."
                     for i in range(paragraphs))
    return ("Skip to content\nHome\nNews\nSport\nWeather\nContact\nLog in | Register\nShare on Facebook\n" + body +
            "\nDear {{first_name}}, thanks for reading.\nAll rights reserved.")


LONG_POST = _post(120)  # about 10,000 characters: embedded whole
VERY_LONG_POST = _post(600)  # about 50,000 characters: embedded as its head and the text around its spans


pytestmark = pytest.mark.browser


def test_document_view_scrolls_to_the_span_and_colours_by_severity(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "long.jsonl", [post("long", LONG_POST, site="river.example"),
                                          post("very-long", VERY_LONG_POST, site="river.example")])
    page_file = tmp_path / "report.html"
    run = run_qc("check", tmp_path / "long.jsonl", "--format", "json", "--html", page_file)
    assert run.code == 1, run.stderr
    report: dict[str, Any] = run.json()
    placeholder = next(f for f in report["findings"] if f["rule"] == "PH001" and f["doc_id"] == "long")
    deep = next(f for f in report["findings"] if f["rule"] == "PH001" and f["doc_id"] == "very-long")
    assert deep["start"] > 40_000
    starts: dict[int, set[str]] = {}
    for f in report["findings"]:
        if f["start"] is not None and f["doc_id"] == "long":
            starts.setdefault(f["start"], set()).add(f["rule"])
    shared_start, sharing = next((s, rules) for s, rules in sorted(starts.items()) if len(rules) >= 2)
    spans = [f for f in report["findings"] if f["doc_id"] == "long" and f["start"] is not None]
    outer = next(f for f in spans if any(g is not f and f["start"] <= g["start"] and g["end"] <= f["end"]
                                         and (g["start"], g["end"]) != (f["start"], f["end"]) for g in spans))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_file.as_uri())
        page.wait_for_selector("#findings tbody tr")

        severities = report["summary"]["severities"]
        for name in ("error", "warning", "info"):
            assert page.get_by_test_id(f"findings-{name}").inner_text().split()[0] == str(severities[name]["findings"])
        assert page.get_by_test_id("documents-error").inner_text() == str(severities["error"]["documents"])

        page.select_option("#f-rule", "PH001")
        page.locator("#findings tbody tr").filter(has_text="very-long").first.click()
        deep_mark = page.locator('#doc-text mark[data-focused="true"]')
        deep_mark.wait_for()
        assert deep_mark.get_attribute("data-start") == str(deep["start"]), "a span deep in a long post is shown"
        assert deep_mark.inner_text() == deep["match"]
        assert "characters not embedded" in page.get_by_test_id("doc-text").inner_text()
        page.keyboard.press("Escape")

        page.locator("#findings tbody tr").filter(has_text="long").filter(has_not_text="very-long").first.click()
        focused = page.locator('#doc-text mark[data-focused="true"]')
        focused.wait_for()
        assert focused.get_attribute("data-start") == str(placeholder["start"])
        assert "PH001" in (focused.get_attribute("data-rules") or "")
        page.wait_for_function("() => document.getElementById('document').scrollTop > 1000")
        view = page.evaluate("""() => {
            const box = document.getElementById('document').getBoundingClientRect();
            const mark = document.querySelector('#doc-text mark[data-focused="true"]').getBoundingClientRect();
            const legend = document.getElementById('legend').getBoundingClientRect();
            return {top: box.top, bottom: box.bottom, mark: mark.top, legend: legend.top, legendBottom: legend.bottom};
        }""")
        assert view["top"] < view["mark"] < view["bottom"], "the clicked span is in view"
        assert view["top"] <= view["legend"] and view["legendBottom"] < view["mark"], "the legend stays visible"
        flashed = page.locator("#doc-text .flash")
        assert flashed.count() == 1 and flashed.inner_text() == placeholder["match"], "the clicked span flashes"
        assert page.evaluate("""() => document.querySelector('#doc-text mark[data-focused="true"]')
                                        .closest('.flash') !== null""")

        def background(selector: str) -> str:
            return str(page.eval_on_selector(selector, "node => getComputedStyle(node).backgroundColor"))

        assert focused.get_attribute("data-severity") == "error"
        warning_mark = '#doc-text mark[data-severity="warning"].depth1'
        assert background('#doc-text mark[data-focused="true"]') != background(warning_mark)
        error_legend = '#legend span[data-severity="error"]'
        assert page.locator(error_legend).inner_text().startswith("PH001")
        assert background(error_legend) == background('#doc-text mark[data-focused="true"]'), "legend = severity"

        nested = page.locator(f'#doc-text mark[data-start="{shared_start}"]')
        assert set((nested.get_attribute("data-rules") or "").split()) >= sharing, "every overlapping rule shown"
        assert "depth1" not in (nested.get_attribute("class") or ""), "a span inside another is drawn darker"
        legend_codes = {text.split()[0] for text in page.locator("#legend span").all_inner_texts()}
        assert legend_codes >= sharing | {"PH001"}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-document-view.png"))
        page.keyboard.press("Escape")

        # A span with another inside it (a footer line holding "All rights reserved."): clicking the outer
        # finding flashes all of it, not only the part before the inner span.
        page.select_option("#f-rule", outer["rule"])
        rows = page.locator("#findings tbody tr").filter(has_not_text="very-long")
        rows.filter(has_text=outer["match"].split("\n")[0][:20]).first.click()
        page.locator('#doc-text mark[data-focused="true"]').wait_for()
        whole = page.locator("#doc-text .flash")
        assert whole.inner_text() == outer["match"], "the whole outer span flashes"
        assert whole.locator("mark").count() >= 2, "it holds the nested span's marks too"
        browser.close()
