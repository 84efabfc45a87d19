"""``make screenshots`` regenerates the README's screenshots of the HTML report at 1400 px in Chromium."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.browser

SHOTS = ("report-top.png", "report-document.png")


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_screenshots_script_writes_both_views_at_1400_px(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(REPO / "docs" / "screenshots.py"), str(tmp_path)], cwd=REPO,
                         capture_output=True, text=True, check=False, timeout=300)
    assert run.returncode == 0, run.stderr
    for name in SHOTS:
        assert _png_size(tmp_path / name)[0] == 1400, name
    # The document view differs from the top of the report: the click opened a document.
    assert (tmp_path / SHOTS[0]).read_bytes() != (tmp_path / SHOTS[1]).read_bytes()


def test_readme_shows_the_committed_screenshots_and_make_regenerates_them() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    for name in SHOTS:
        assert f"](docs/img/{name})" in readme, f"README shows {name}"
        assert _png_size(REPO / "docs" / "img" / name)[0] == 1400
    dry = subprocess.run(["make", "-n", "screenshots"], cwd=REPO, capture_output=True, text=True, check=False)
    assert dry.returncode == 0, dry.stderr
    assert "docs/screenshots.py docs/img" in dry.stdout
