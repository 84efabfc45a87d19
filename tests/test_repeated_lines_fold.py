"""repeated_lines' normalisation skips no-op replacements yet gives exactly the original fold."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qc.batch import Batch
from qc.kinds.repeated_lines import Spec
from qc.registry import load_rules
from qc.textnorm import normalise_lines


def _reference(lines: pa.Array) -> pa.Array:
    folded = pc.utf8_trim_whitespace(pc.replace_substring_regex(lines, r"\s+", " "))
    return pc.utf8_lower(pc.replace_substring_regex(folded, r"[0-9]+", "0"))


def test_normalise_matches_the_plain_regex_fold() -> None:
    rng = random.Random(5)
    alphabet = [" ", " ", "\t", "\r", "\x0c", "\x0b", "0", "1", "9", "a", "Ä", "é", "\u3000", "\xa0", "B", "中"]
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20_000)]
    lines += ["Page 1 of 10", "  Posted   on 2024-01-05\t", "00 0 007", "", "\u3000Menu\u3000"]
    array = pa.array([*lines, None], type=pa.large_string())
    assert normalise_lines(array).equals(_reference(array))
    assert normalise_lines(array.slice(3)).equals(_reference(array.slice(3)))


def test_lines_keep_missing_texts_empty() -> None:
    [rule] = [r for r in load_rules() if isinstance(r, Spec)]
    frame = pd.DataFrame({
        "text": pd.array(["Subscribe to our newsletter\nStory", None, "Subscribe  to our newsletter"],
                         dtype="str"),
        "site": pd.array(["a.example", "a.example", "a.example"], dtype="str"),
    })
    lines = rule._lines(Batch(frame=frame))
    assert lines["row"].tolist() == [0, 2]
    assert lines["key"].iloc[0] == lines["key"].iloc[1]  # the same line once whitespace is folded
    assert lines["line"].tolist() == ["Subscribe to our newsletter", "Subscribe  to our newsletter"]


def test_lines_keep_exactly_the_lines_whose_normal_form_fits() -> None:
    # Lines near the length bounds, CJK-heavy or padded with whitespace that the fold removes: the cheap
    # byte/character bound that drops long prose early must never drop a line that would have been kept.
    [rule] = [r for r in load_rules() if isinstance(r, Spec)]
    rng = random.Random(11)
    pieces = ["中", "文", "a", "B", " ", "  ", "\t\t\t", "\u3000", "7", "2024", "😀", "é"]
    texts = []
    for _ in range(300):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 420))) for _ in range(rng.randint(1, 4))]
        texts.append("\n".join(lines))
    heavy = ["中", "中", "中", "中", "中", "中", "中", " ", "\t\t", "\u3000", "7", "😀"]  # CJK prose, some of it long
    for _ in range(200):
        texts.append("".join(rng.choice(heavy) for _ in range(rng.randint(150, 700))))
    texts += ["中" * 201, "中" * 200, "\u3000" * 300 + "中" * 200 + "\u3000" * 300, ("中" + "\t" * 5) * 190]
    frame = pd.DataFrame({"text": pd.array(texts, dtype="str"), "site": pd.array(["s"] * len(texts), dtype="str")})
    got = rule._lines(Batch(frame=frame))
    expected = []
    for row, text in enumerate(texts):
        start = 0
        for line in text.split("\n"):
            norm = _reference(pa.array([line], type=pa.large_string()))[0].as_py()
            if rule.min_chars <= len(line) <= 4 * rule.max_chars and rule.min_chars <= len(norm) <= rule.max_chars:
                expected.append((row, start, line))
            start += len(line) + 1
    assert list(zip(got["row"], got["start"], got["line"], strict=True)) == expected
    assert 50 < len(expected) < sum(t.count("\n") + 1 for t in texts)  # neither vacuous nor trivial
