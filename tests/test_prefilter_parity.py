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
