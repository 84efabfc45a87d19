"""The byte-level line-shape kernels of qc.features agree with the regexes they replace (Arrow's RE2 over
every value), on lines mixing scripts, full-width digits, sentence ends, 4-byte characters and nulls."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from qc.features import cjk_counts, ends_with_any, has_digit
from qc.kinds.chrome_blocks import _CJK, _DIGIT, _SENTENCE_END, SENTENCE_END_CHARS

_ALPHABET = list("ab Z09 \t.!?:;)\"") + list("。！？…”’」』；）０９１５首页新闻ソウル한국어") + [
    "\u3000", "\u303f", "\u3040", "\u30ff", "\u3100", "\u33ff", "\u3400", "\u4dbf", "\u4dc0", "\u4e00",
    "\u9fff", "\ua000", "\uabff", "\uac00", "\ud7af", "\ud7b0", "\uf8ff", "\uf900", "\ufaff", "\ufb00",
    "\uff0f", "\uff10", "\uff19", "\uff1a", "é", "ß", "\u00a0", "😀", "𠀀", "\u2026", "\u2019"]


def _lines(count: int = 3000, seed: int = 7) -> pa.Array:
    rng = random.Random(seed)
    values: list[str | None] = ["", None, "x", "。", "１", "a)", "😀", "首页", "abc…"]
    for _ in range(count):
        values.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12))))
    return pa.array(values, type=pa.large_string())


def test_cjk_counts_match_the_regex() -> None:
    lines = _lines()
    expected = pc.fill_null(pc.count_substring_regex(lines, _CJK), 0).to_numpy(zero_copy_only=False)
    assert np.array_equal(cjk_counts(lines), expected)
    assert cjk_counts(lines).sum() > 100  # the sample holds CJK characters


def test_has_digit_matches_the_regex() -> None:
    lines = _lines()
    expected = pc.fill_null(pc.match_substring_regex(lines, _DIGIT), False).to_numpy(zero_copy_only=False)
    assert np.array_equal(has_digit(lines), expected)
    assert 0 < has_digit(lines).sum() < len(lines)


def test_ends_with_any_matches_the_regex() -> None:
    lines = _lines()
    expected = pc.fill_null(pc.match_substring_regex(lines, _SENTENCE_END), False).to_numpy(zero_copy_only=False)
    assert np.array_equal(ends_with_any(lines, SENTENCE_END_CHARS), expected)
    assert 0 < expected.sum() < len(lines)


def test_kernels_read_a_sliced_array() -> None:
    lines = _lines()
    part = lines.slice(500, 700)
    assert np.array_equal(cjk_counts(part), cjk_counts(lines)[500:1200])
    assert np.array_equal(has_digit(part), has_digit(lines)[500:1200])
    assert np.array_equal(ends_with_any(part, SENTENCE_END_CHARS), ends_with_any(lines, SENTENCE_END_CHARS)[500:1200])
    small = pa.array(["ab", "首"], type=pa.string())  # a 32-bit-offset array works too
    assert cjk_counts(small).tolist() == [0, 1]
