"""The built-in packs' regexes select the same candidate rows through Hyperscan and through RE2.

The rule kinds added here generate regexes with multi-line anchors (whole-line phrases), ``\\x{3000}``
escapes and ``(?P<hit>…)`` groups; a prefilter that disagreed with RE2 would silently drop findings.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from qc.matcher import Prefilter, hyperscan_available
from qc.registry import load_rules

from .conftest import DevSet


def test_hyperscan_and_re2_agree_on_the_dev_set(dev_set: DevSet) -> None:
    patterns = [p for rule in load_rules() for p in rule.scan_patterns()]
    texts = [json.loads(line)["text"] for line in dev_set.corpus.read_text(encoding="utf-8").splitlines()]
    column = {"text": pa.array(texts, type=pa.large_string())}
    fast = Prefilter(patterns, use_hyperscan=True).candidates(column)
    portable = Prefilter(patterns, use_hyperscan=False).candidates(column)
    assert fast.keys() == portable.keys()
    differing = [key for key in fast if not np.array_equal(fast[key], portable[key])]
    assert not differing
    assert sum(len(rows) > 0 for rows in fast.values()) > 20  # the comparison is not vacuous
    if hyperscan_available():  # where the wheel exists, the fast path really ran
        assert any(db.database is not None for db in Prefilter(patterns).fields.values())


def test_folds_to_ascii_names_every_non_ascii_character_re2_folds_onto_an_ascii_letter() -> None:
    """The ASCII-row shortcut (qc.matcher._ascii_exact) rests on this list being complete."""
    import pyarrow.compute as pc

    from qc.matcher import FOLDS_TO_ASCII

    chars = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    hit = pc.match_substring_regex(pa.array(chars), "^[a-z]$", ignore_case=True).to_numpy(zero_copy_only=False)
    assert {chars[i] for i in np.flatnonzero(hit)} == set(FOLDS_TO_ASCII)


def test_case_insensitive_non_ascii_patterns_agree_on_ascii_and_other_rows() -> None:
    """Hyperscan answers the ASCII rows, RE2 the others; together they are RE2's answer on every row."""
    from qc.kinds.phrases import phrase_regex
    from qc.matcher import _ascii_exact
    from qc.rulespec import ScanPattern

    phrases = ["politique de confidentialité", "Política de privacidad", "политика конфиденциальности",
               "mentions légales", "skip to content"]
    patterns = [ScanPattern(key="T#0", regex=phrase_regex(phrases, True, whole_line=True), field="text",
                            ignorecase=True),
                ScanPattern(key="T#1", regex=phrase_regex(phrases, True), field="text", ignorecase=True),
                ScanPattern(key="T#2", regex="(?:ſkip|\\x{212A}eep) me", field="text", ignorecase=True)]
    assert _ascii_exact(patterns[0]) and _ascii_exact(patterns[1]) and not _ascii_exact(patterns[2])
    texts = ["Politique de confidentialite", "POLITIQUE DE CONFIDENTIALITÉ", "  mentions LÉGALES  ",
             "Mentions legales", "ПОЛИТИКА конфиденциальности", "intro\nSkip To Content\nbody", "skip to contents",
             "no match here", "", "Keep me", "skip me", "\u212aeep me", "Política de privacidad:",
             "x politique de confidentialité y", "ſkip to content"]
    column = {"text": pa.array(texts * 3, type=pa.large_string())}
    fast = Prefilter(patterns, use_hyperscan=True).candidates(column)
    portable = Prefilter(patterns, use_hyperscan=False).candidates(column)
    for key in ("T#0", "T#1", "T#2"):
        assert np.array_equal(fast[key], portable[key]), key
    assert len(portable["T#0"]) >= 9 and 13 in portable["T#1"] and 13 not in portable["T#0"]  # not vacuous
    if hyperscan_available():
        fields = Prefilter(patterns).fields["text"]
        assert fields.ascii_database is not None and sorted(fields.ascii_ids) == [0, 1]
