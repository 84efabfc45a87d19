"""Screenshots of the HTML report for the README (``make screenshots``): the top of the report, and the
document view after clicking a finding, at 1400 px wide, from the bundled sample corpus.

Chromium is Debian's ``/usr/bin/chromium`` (or ``$CHROMIUM``), driven by Playwright exactly as
tests/test_report_browser.py drives it; Playwright's own browser download is never used.

    python docs/screenshots.py [OUT_DIR]     # default docs/img
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTH, HEIGHT = 1400, 900
#: The finding clicked for the document view: the footer of the sample's English blog post, whose other
#: findings (warnings, info) show the severity colours. (An English page: the screenshots must read without
#: CJK fonts on the machine that takes them.)
CLICKED_RULE, CLICKED_DOCUMENT = "BP012", "en-bp-001"


def write_report(html: Path) -> None:
    """The sample corpus's HTML report (the gate fails on purpose: exit 1 is expected, 2 is an error)."""
    run = subprocess.run([sys.executable, "-m", "qc", "check", "samples/", "--quiet", "--html", str(html)],
                         cwd=REPO, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1) or not html.is_file():
        raise SystemExit(f"qc check failed (exit {run.returncode}): {run.stderr.strip()}")


def shoot(html: Path, out: Path) -> list[Path]:
    """Write ``report-top.png`` and ``report-document.png`` into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    top, document = out / "report-top.png", out / "report-document.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(html.as_uri())
        page.wait_for_selector("#findings tbody tr")
        page.screenshot(path=str(top))
        page.select_option("#f-rule", CLICKED_RULE)
        page.locator("#findings tbody tr").filter(has_text=CLICKED_DOCUMENT).first.click()
        page.locator('#doc-text mark[data-focused="true"]').wait_for()
        page.wait_for_timeout(400)  # the flash settles: the screenshot shows the span, not an animation frame
        page.screenshot(path=str(document))
        browser.close()
    return [top, document]


def main(argv: list[str]) -> int:
    """Regenerate the screenshots into ``argv[0]`` (default docs/img)."""
    out = Path(argv[0]) if argv else REPO / "docs" / "img"
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        write_report(html)
        for path in shoot(html, out):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
