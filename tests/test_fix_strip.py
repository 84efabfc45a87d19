"""qc.fixing.strip: the one place a strip span becomes a cleaned text (examples and hypothesis properties)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qc.fixing.strip import Cut, strip_text

BREAK = re.compile(r"\r\n|\n|\r")


def lines_with_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end including its break, content) of each line, breaks as strip.py counts them."""
    out, position = [], 0
    for found in BREAK.finditer(text):
        out.append((position, found.end(), text[position:found.start()]))
        position = found.end()
    out.append((position, len(text), text[position:]))
    return out


def is_subsequence(small: str, big: str) -> bool:
    chars = iter(big)
    return all(char in chars for char in small)


def test_whole_line_cut_takes_the_line_and_its_break() -> None:
    text = "Home\nNews\nThe article starts here.\nMore text."
    assert strip_text(text, [Cut(0, 4, True), Cut(5, 9, True)]) == ("The article starts here.\nMore text.", 10)


def test_span_cut_keeps_the_rest_of_the_line() -> None:
    text = "Share on Facebook and read the post.\nSecond line."
    cleaned, removed = strip_text(text, [Cut(0, 18)])
    assert cleaned == "and read the post.\nSecond line."
    assert removed == 18


def test_span_cuts_that_leave_only_separators_take_the_line() -> None:
    text = "Log in | Register\nThe post itself.\n打印 上一主题 下一主题\nEnd."
    cuts = [Cut(0, 6), Cut(9, 17), Cut(35, 37), Cut(38, 42), Cut(43, 47)]
    assert text[35:37] == "打印" and text[43:47] == "下一主题"
    assert strip_text(text, cuts)[0] == "The post itself.\nEnd."


def test_letters_left_on_a_line_keep_it() -> None:
    text = "Log in | Register now\nThe post."
    assert strip_text(text, [Cut(0, 6), Cut(9, 17)])[0] == " |  now\nThe post."


def test_blank_lines_collapse_only_at_a_cut() -> None:
    text = "Para one.\n\n\n\nPara two.\n\nMenu\n\nPara three."
    menu = text.index("Menu")
    cleaned, _ = strip_text(text, [Cut(menu, menu + 4, True)])
    # The untouched triple blank run stays; the run the cut left collapses to one blank line.
    assert cleaned == "Para one.\n\n\n\nPara two.\n\nPara three."


def test_last_line_cut_leaves_no_dangling_break() -> None:
    text = "The post.\n© 2026 Example. All rights reserved."
    assert strip_text(text, [Cut(10, len(text), True)]) == ("The post.", len(text) - 9)


def test_first_lines_cut_leave_no_leading_blank_line() -> None:
    text = "Skip to content\n\nThe post.\n"
    assert strip_text(text, [Cut(0, 15, True)])[0] == "The post.\n"


def test_crlf_text_keeps_its_breaks() -> None:
    text = "Menu\r\nThe post.\r\n\r\nFooter\r\nMore."
    cleaned, _ = strip_text(text, [Cut(0, 4, True), Cut(19, 25, True)])
    assert text[19:25] == "Footer"
    assert cleaned == "The post.\r\n\r\nMore."


def test_no_cuts_and_empty_text_change_nothing() -> None:
    assert strip_text("a\n\n\nb", []) == ("a\n\n\nb", 0)
    assert strip_text("", [Cut(0, 5, True)]) == ("", 0)


def test_offsets_are_clamped() -> None:
    text = "one\ntwo\nthree"
    assert strip_text(text, [Cut(-10, 2, True)]) == strip_text(text, [Cut(0, 2, True)])
    assert strip_text(text, [Cut(9, 1_000, True)]) == ("one\ntwo", 6)
    assert strip_text(text, [Cut(5_000, 6_000)]) == (text, 0)


# -- properties ---------------------------------------------------------------------------------------

LINE = st.text(alphabet=st.sampled_from(list("ab |·,.x 中文")), max_size=12)
TEXTS = st.builds(lambda lines, breaks: "".join(line + brk for line, brk in zip(lines, breaks, strict=False)),
                  st.lists(LINE, min_size=1, max_size=10),
                  st.lists(st.sampled_from(["\n", "\r\n", "\r", "\n\n", ""]), min_size=10, max_size=10))


@st.composite
def text_and_cuts(draw: st.DrawFn) -> tuple[str, list[Cut]]:
    text = draw(TEXTS)
    size = len(text)
    cuts = draw(st.lists(st.builds(Cut, st.integers(-3, size + 3), st.integers(-3, size + 3), st.booleans()),
                         max_size=5))
    return text, cuts


@settings(max_examples=400, deadline=None)
@given(text_and_cuts())
def test_only_deletes_and_counts_what_it_deleted(case: tuple[str, list[Cut]]) -> None:
    text, cuts = case
    cleaned, removed = strip_text(text, cuts)
    assert removed == len(text) - len(cleaned) >= 0
    assert is_subsequence(cleaned, text)


@settings(max_examples=400, deadline=None)
@given(text_and_cuts())
def test_stripping_again_with_nothing_changes_nothing(case: tuple[str, list[Cut]]) -> None:
    text, cuts = case
    cleaned, _ = strip_text(text, cuts)
    assert strip_text(cleaned, []) == (cleaned, 0)


@settings(max_examples=400, deadline=None)
@given(text_and_cuts())
def test_lines_no_cut_touches_are_kept_in_order(case: tuple[str, list[Cut]]) -> None:
    text, cuts = case
    clamped = [(max(0, min(c.start, len(text))), max(0, min(c.end, len(text))), c.whole_line) for c in cuts]
    kept = []
    starts = [start for start, _, _ in lines_with_spans(text)]

    def line_of(offset: int) -> int:  # the line an offset is on (the text's end: the last line)
        return max(i for i, start in enumerate(starts) if start <= offset)

    for number, (start, end, content) in enumerate(lines_with_spans(text)):
        # A cut touches a line when it overlaps the line or its break (an empty whole-line cut: its line); a
        # span that ends where the line starts took the break before it, joining the line to the previous one.
        touched = any(line_of(s) <= number <= line_of(max(s, e - 1)) if whole else (s < end and e >= start and e > s)
                      for s, e, whole in clamped)
        if content.strip() and not touched:
            kept.append(content)
    cleaned_lines = [content for _, _, content in lines_with_spans(strip_text(text, cuts)[0])]
    position = 0
    for content in kept:  # each untouched line is still a whole line of the output, in the same order
        assert content in cleaned_lines[position:], (content, cleaned_lines)
        position = cleaned_lines.index(content, position) + 1


@settings(max_examples=200, deadline=None)
@given(text_and_cuts())
def test_clamped_offsets_give_the_same_result(case: tuple[str, list[Cut]]) -> None:
    text, cuts = case
    clamped = [Cut(max(0, min(c.start, len(text))), max(0, min(c.end, len(text))), c.whole_line) for c in cuts]
    assert strip_text(text, cuts) == strip_text(text, clamped)
