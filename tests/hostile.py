"""Hostile text for the security tests: escape sequences, controls, bidi overrides and workflow commands,
as hypothesis strategies and fixed cases, plus checks that output shows none of them raw."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from hypothesis import strategies as st

from .conftest import REPO, Run

#: What a scraped post, a doc id or a file name can hold that must never reach a terminal or a CI log raw.
FRAGMENTS = [
    "\x1b[2J\x1b[H",                                   # clear screen, cursor home
    "\x1b]0;pwned\x07",                                # set the window title (OSC, BEL-terminated)
    "\x1b]2;title\x1b\\",                              # set the title (OSC, ST-terminated)
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # an OSC 8 hyperlink
    "\x1b[5mblink\x1b[0m",                             # blink
    "\x1b[?1049h",                                     # alternate screen
    "\x07", "\x08\x08", "\x00", "\x0b\x0c", "\x7f",    # BEL, backspace, NUL, VT/FF, DEL
    "\r", "\rover",                                    # carriage return: overwrites the line
    "\x9b31m", "\x9d0;c1-title\x9c", "\x90q\x9c", "\x85",  # C1: CSI, OSC…ST, DCS, NEL
    "\u202e", "\u202a", "\u2066", "\u2069",            # bidi override, embedding, isolates
    "\u2028", "\u2029",                                # line and paragraph separators
    "\n::error::injected", "::warning file=x::y",      # GitHub workflow commands
    "%0A::error::pct", "\r\n::notice::crlf",
    "##[add-mask]secret", "##[stop-commands]tok",      # GitHub's legacy commands (anywhere in a line)
    "[bold red]markup[/]",                             # rich markup must print literally
]
#: Ordinary text that must survive as it is.
BENIGN = ["plain", "Ünïcödé", "今天的新闻", "👩‍👩‍👧 family", "a\tb", "path/with space", "x" * 30]

#: Hostile names and texts: a mix of the fragments and benign text.
hostile_text = st.lists(st.sampled_from(FRAGMENTS) | st.sampled_from(BENIGN), min_size=1, max_size=6).map("".join)
#: Hostile file names: the same, less what a POSIX name cannot hold, bounded in length.
hostile_name = hostile_text.map(lambda s: s.replace("/", "_").replace("\x00", "_")[:60])

_SGR = re.compile(r"\x1b\[[0-9;]*m")
# Controls no output of qc may carry raw (besides the newlines that end lines, tabs, and rich's own colours).
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def without_colours(text: str) -> str:
    """``text`` less the SGR colour sequences corpus-qc's own renderer adds."""
    return _SGR.sub("", text)


def assert_no_raw_controls(text: str, where: str) -> None:
    """No control character, C1 code, bidi override or line separator in ``text`` but LF and tab (and SGR
    colours)."""
    found = _RAW.search(without_colours(text))
    assert found is None, f"raw {found.group()!r} in {where}: …{text[max(found.start() - 60, 0):found.end() + 60]!r}…"


def assert_no_workflow_commands(text: str, where: str, allowed: Iterable[str] = ()) -> None:
    """No line of ``text`` starts a GitHub workflow command (``::`` after leading whitespace) unless it is
    one of ``allowed`` (corpus-qc's own annotations), and none holds a legacy ``##[`` command."""
    allowed = set(allowed)
    for line in re.split(r"\r\n|\r|\n", without_colours(text)):
        assert "##[" not in line, f"legacy workflow command in {where}: {line!r}"
        if line.lstrip().startswith("::"):
            assert line in allowed, f"a workflow command in {where}: {line!r}"


def digests(paths: Iterable[Path]) -> dict[Path, str]:
    """sha256 of each file, to show inputs are byte-identical after a run."""
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def terminal_env(**extra: str) -> dict[str, str]:
    """The environment of a colour terminal: rich renders as for a person at a terminal (not as under CI)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "GITHUB_ACTIONS", "TERM")}
    return {**env, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "400", "LINES": "50", **extra}


def run_qc_env(*args: str | Path, env: dict[str, str], cwd: Path | None = None) -> Run:
    """``python -m qc ARGS`` with exactly ``env`` (``conftest.run_qc`` always adds NO_COLOR)."""
    proc = subprocess.run([sys.executable, "-m", "qc", *map(str, args)], capture_output=True, cwd=cwd or REPO,
                          env=env, timeout=300)
    # Decoded strictly: an output that is not valid UTF-8 fails here, as it would in a terminal or a parser.
    return Run(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
