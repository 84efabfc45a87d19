"""The HTML report in headless Chromium: hostile corpus text stays inert, numbers match the JSON report.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it), driven by Playwright; Playwright's
own browser download is never used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Request, sync_playwright

from .conftest import REPO, post, run_qc, write_jsonl

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"

pytestmark = pytest.mark.browser

HOSTILE = [
    post("x1", "<script>window.__pwned = 1</script>\nDear {{first_name}}, welcome back.\n"
         "<img src=x onerror=\"window.__pwned = 2\">",
         title="<svg onload=\"window.__pwned = 3\">", url="javascript:window.__pwned=4", site="<b>evil</b>.example",
         posted_at="2031-01-01T00:00:00Z", captured_at="2026-06-01T00:00:00Z"),
    post("x2", "</textarea></pre></script><script>window.__pwned = 5</script> Lorem ipsum dolor sit amet,"
         " consectetur.\u2028 next\u2029 para {{ 7*7 }} 😀 {{user_name}}",
         site="ok.example", posted_at="2026-05-01T00:00:00Z", captured_at="2026-06-01T00:00:00Z"),
    post("<img src=x onerror=window.__pwned=6>", "A clean enough post about <a href=\"javascript:alert(1)\">links</a>.",
         site="ok.example", posted_at="2026-05-02T00:00:00Z", captured_at="2026-06-01T00:00:00Z"),
]


def test_hostile_report_in_chromium(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "hostile.jsonl", HOSTILE)
    page_file = tmp_path / "report.html"
    run = run_qc("check", tmp_path / "hostile.jsonl", "--format", "json", "--html", page_file)
    assert run.code == 1, run.stderr
    report: dict[str, Any] = run.json()

    problems: list[str] = []
    requests: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in (
            "error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

        def record(request: Request) -> None:
            if not request.url.startswith(("file:", "data:")):
                requests.append(request.url)

        page.on("request", record)
        page.goto(page_file.as_uri())
        page.wait_for_selector("#findings tbody tr")

        # Summary cards equal the JSON report of the same run.
        summary = report["summary"]
        for testid, key in (("documents", "documents"), ("sites", "sites"), ("findings", "findings"),
                            ("documents-with-findings", "documents_with_findings")):
            assert page.get_by_test_id(testid).inner_text().strip() == str(summary[key]), testid
        for rule in summary["rules"]:
            if rule["findings"]:
                assert page.get_by_test_id(f"rule-findings-{rule['code']}").inner_text() == str(rule["findings"])
        assert "failed" in page.get_by_test_id("verdict").inner_text().lower()

        # Filter to one rule, open the document, and compare the highlighted span with the finding.
        # The last one sits after an astral character (😀): offsets are code points, not UTF-16 units.
        finding = [f for f in report["findings"] if f["rule"] == "PH001" and f["doc_id"] == "x2"][-1]
        assert finding["match"] == "{{user_name}}"
        page.select_option("#f-rule", "PH001")
        rows = page.locator("#findings tbody tr")
        assert rows.count() == sum(1 for f in report["findings"] if f["rule"] == "PH001")
        rows.filter(has_text="x2").first.click()
        mark = page.locator(f'#doc-text mark[data-start="{finding["start"]}"]')
        assert mark.inner_text() == finding["match"]
        assert page.locator("#legend").inner_text().count("PH001") == 1
        page.keyboard.press("Escape")
        assert page.locator("#document").is_hidden(), "Escape closes the document view"

        # Sorting by rule puts the rows in order.
        page.select_option("#f-rule", "")
        page.click("#findings th[data-key='1']")
        codes = page.locator("#findings tbody tr td:first-child").all_inner_texts()
        assert codes == sorted(codes)

        # The hostile text is on the page as text, and nothing it carried ran.
        page.select_option("#f-rule", "PH001")
        page.locator("#findings tbody tr").filter(has_text="x1").first.click()
        doc_text = page.get_by_test_id("doc-text").inner_text()
        assert "<script>window.__pwned = 1</script>" in doc_text
        assert "<img src=x onerror" in doc_text
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)
        browser.close()
    assert problems == []
    assert requests == []


def test_chart_labels_are_readable_at_1400_px(tmp_path: Path) -> None:
    """Every chart's smallest text renders at 11 px or more on a 1400 px page (they were scaled down to
    4-7 px to fit narrow grid cells), and the rule chart says when it shows only the top rules."""
    import base64
    import re

    page_file = tmp_path / "report.html"
    run = run_qc("check", REPO / "samples", "--format", "json", "--html", page_file)
    assert run.code == 1, run.stderr
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_file.as_uri())
        charts = page.evaluate("""() => [...document.querySelectorAll('.chart img')].map(
            img => [img.parentElement.dataset.chart, img.getAttribute('src'), img.getBoundingClientRect().width])""")
        browser.close()
    assert {key for key, _, _ in charts} >= {"families", "rules", "sites", "histogram"}
    for key, uri, shown_width in charts:
        svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
        smallest = min(float(size) for size in re.findall(r"font-size: ?([\d.]+)px", svg))
        rendered = smallest * shown_width / view_width
        assert rendered >= 11, f"{key} chart: smallest text {rendered:.1f} px"
        if key == "rules":
            hit = sum(1 for rule in run.json()["summary"]["rules"] if rule["findings"])
            assert hit > 15 and f"top 15 of {hit} rules" in svg, "the rule chart says it shows only the top 15"
