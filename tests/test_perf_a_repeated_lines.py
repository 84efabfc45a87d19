"""repeated_lines' normalisation skips no-op replacements yet gives exactly the original fold."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qc.batch import Batch
from qc.kinds import repeated_lines
from qc.kinds.repeated_lines import Spec
from qc.registry import load_rules


def _reference(lines: pa.Array) -> pa.Array:
    folded = pc.utf8_trim_whitespace(pc.replace_substring_regex(lines, r"\s+", " "))
    return pc.utf8_lower(pc.replace_substring_regex(folded, r"[0-9]+", "0"))


def test_normalise_matches_the_plain_regex_fold() -> None:
    rng = random.Random(5)
    alphabet = [" ", " ", "\t", "\r", "\x0c", "\x0b", "0", "1", "9", "a", "Ä", "é", "\u3000", "\xa0", "B", "中"]
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20_000)]
    lines += ["Page 1 of 10", "  Posted   on 2024-01-05\t", "00 0 007", "", "\u3000Menu\u3000"]
    array = pa.array([*lines, None], type=pa.large_string())
    assert repeated_lines._normalise(array).equals(_reference(array))
    assert repeated_lines._normalise(array.slice(3)).equals(_reference(array.slice(3)))


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
