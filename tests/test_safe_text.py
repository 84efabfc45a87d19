"""The one neutraliser (qc.safe_text), as properties over arbitrary text: what the hostile end-to-end tests
rely on, checked on far more inputs than a subprocess run can afford."""

from __future__ import annotations

import io
import json
import re

from hypothesis import given
from hypothesis import strategies as st

from qc.safe_text import WorkflowCommandGuard, json_dumps, one_line, visible

from .hostile import FRAGMENTS

# Any code point, surrogates included (they reach renderers from surrogate-escaped decodes).
anything = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())) | st.lists(
    st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=8).map("".join)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@given(anything)
def test_visible_leaves_no_control(text: str) -> None:
    for mode in ("escape", "mark", "keep"):
        shown = visible(text, mode)  # type: ignore[arg-type]
        assert RAW.search(shown) is None, (mode, shown)
        shown.encode("utf-8")  # printable on any UTF-8 stream: no lone surrogate left
    assert "\n" not in visible(text) and "\r" not in visible(text)
    assert "\n" not in visible(text, "mark") and "\t" not in visible(text, "mark")


@given(st.text(st.characters(blacklist_categories=["Cc", "Cs"], blacklist_characters="\u2028\u2029\u202a\u202b"
                                                                                    "\u202c\u202d\u202e\u2066"
                                                                                    "\u2067\u2068\u2069")))
def test_visible_changes_nothing_else(text: str) -> None:
    assert visible(text) == text and visible(text, "mark") == text and visible(text, "keep") == text


def test_visible_examples() -> None:
    assert visible("a\x1b]0;t\x07\u202e\x9b\x7f\ud800") == "a\\x1b]0;t\\x07\\u202e\\x9b\\x7f\\ud800"
    assert visible("a\r\nb\nc\rd\te", "mark") == "a⏎b⏎c⏎d e"
    assert visible("a\r\nb\nc\rd\te", "keep") == "a\nb\nc\\rd\te"
    assert visible("a\nb\tc") == "a\\nb\\tc"
    assert one_line("x\n::error::y ##[add-mask]z") == "x\\n::error::y #\\x23[add-mask]z"


@given(anything)
def test_json_dumps_is_lossless_and_printable(text: str) -> None:
    dumped = json_dumps({"value": text, "list": [text]})
    assert RAW.search(dumped) is None
    assert json.loads(dumped) == {"value": text, "list": [text]}


@given(st.lists(anything, max_size=6))
def test_guard_lets_no_line_start_a_command(writes: list[str]) -> None:
    out = io.StringIO()
    guard = WorkflowCommandGuard(out)
    for chunk in writes:
        guard.write(chunk)
    guard.close()
    written = out.getvalue()
    for line in re.split(r"\r\n|\r|\n", written):
        assert not re.sub(r"\x1b\[[0-9;]*m", "", line).lstrip().startswith("::"), line
        assert "##[" not in line
    if not any(re.match(r"(?:\s|\x1b\[[0-9;]*m)*:", line) or "#" in line
               for line in re.split(r"\r\n|\r|\n", "".join(writes))):
        assert written == "".join(writes), "lines that start no command pass unchanged"
