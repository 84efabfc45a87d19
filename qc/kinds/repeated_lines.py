"""``repeated_lines`` (corpus level): lines a site repeats across many posts are its template text.

Pass one (``observe``) normalises every line (whitespace folded, digits masked as ``0``, case folded),
hashes it with the site it came from, and counts in how many documents each (site, line) pair occurs.
Only 64-bit hashes and counts are kept, never strings, so the state is bounded by the number of
distinct lines and merges by addition across batches, files, processes or workers. Records without a
site form one group. Pass two (``evaluate``) flags every line whose pair recurs in at least
``min_documents`` documents and at least ``min_fraction`` of its site's documents; the finding's span
is the line and its ``match`` the line text, so reports can list each site's most leaked lines.

Keys: ``min_documents``, ``min_fraction``, ``min_chars``/``max_chars`` (normalised line length
considered: very short lines such as "0" or "OK" carry no evidence, very long ones are prose),
``max_pairs`` (when the merged state exceeds it, pairs seen in a single document are dropped first) and
``limit`` (findings per document).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from qc.batch import Batch
from qc.rulespec import FindingRow, RuleSpec

_NO_SITE = "\x00no-site"


def _normalise(lines: pd.Series) -> pd.Series:
    """Whitespace folded, digits masked, case folded: vectorised over a Series of lines."""
    folded = lines.str.replace(r"\s+", " ", regex=True).str.strip()
    return folded.str.replace(r"[0-9]+", "0", regex=True).str.lower()


def _hash(values: pd.Series) -> np.ndarray:
    # pandas' hash is deterministic across processes (unlike ``hash()``), so states from workers merge.
    return pd.util.hash_pandas_object(values.astype("str"), index=False).to_numpy(dtype=np.uint64)


class Spec(RuleSpec):
    """A corpus-level rule flagging lines repeated across a site's documents."""

    KIND: ClassVar[str] = "repeated_lines"
    CORPUS_LEVEL: ClassVar[bool] = True

    min_documents: int = Field(default=3, ge=2)
    min_fraction: float = Field(default=0.0, ge=0.0, le=1.0)
    min_chars: int = Field(default=8, ge=1)
    max_chars: int = Field(default=200, ge=1)
    max_pairs: int = Field(default=5_000_000, ge=1000)
    limit: int = Field(default=20, ge=1)

    def _lines(self, batch: Batch) -> pd.DataFrame:
        """One row per (document, distinct normalised line): row, start, end, site hash, line hash."""
        texts = batch.texts(self.field)
        sites = batch.texts("site").where(lambda s: s != "", _NO_SITE)
        rows: list[int] = []
        starts: list[int] = []
        raw: list[str] = []
        for row, text in enumerate(texts.tolist()):
            pos = 0
            for line in text.split("\n"):
                rows.append(row)
                starts.append(pos)
                raw.append(line)
                pos += len(line) + 1
        frame = pd.DataFrame({"row": rows, "start": starts, "line": pd.Series(raw, dtype="str")})
        frame["norm"] = _normalise(frame["line"])
        length = frame["norm"].str.len()
        frame = frame[(length >= self.min_chars) & (length <= self.max_chars)]
        frame = frame.assign(
            site=_hash(sites.iloc[frame["row"].to_numpy()].reset_index(drop=True)),
            hash=_hash(frame["norm"].reset_index(drop=True)),
        )
        return frame

    def observe(self, batch: Batch) -> dict[str, Counter[Any]]:
        """Count documents per site and per (site hash, line hash) in this batch."""
        sites = batch.texts("site").where(lambda s: s != "", _NO_SITE)
        docs: Counter[Any] = Counter(_hash(sites).tolist())
        lines = self._lines(batch).drop_duplicates(["row", "hash"])
        pairs: Counter[Any] = Counter(zip(lines["site"].tolist(), lines["hash"].tolist(), strict=True))
        return {"docs": docs, "pairs": pairs}

    def merge_states(self, states: list[Any]) -> dict[str, Counter[Any]]:
        """Add the counts up; prune single-document pairs if the state outgrows ``max_pairs``."""
        docs: Counter[Any] = Counter()
        pairs: Counter[Any] = Counter()
        for state in states:
            if not state:
                continue
            docs.update(state["docs"])
            pairs.update(state["pairs"])
            if len(pairs) > self.max_pairs:
                pairs = Counter({k: v for k, v in pairs.items() if v > 1})
        return {"docs": docs, "pairs": pairs}

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Flag each line whose (site, line) pair recurs often enough; the match is the line text."""
        if not state or not state["pairs"]:
            return
        docs, pairs = state["docs"], state["pairs"]
        lines = self._lines(batch)
        emitted: Counter[int] = Counter()
        for row, start, line, site, value in zip(lines["row"].tolist(), lines["start"].tolist(),
                                                 lines["line"].tolist(), lines["site"].tolist(),
                                                 lines["hash"].tolist(), strict=True):
            count = pairs.get((site, value), 0)
            if count < self.min_documents or count < self.min_fraction * docs.get(site, 0):
                continue
            if emitted[row] >= self.limit:
                continue
            lead = len(line) - len(line.lstrip())
            text = line.strip()
            emitted[row] += 1
            yield FindingRow(row=row, start=start + lead, end=start + lead + len(text), match=text,
                             message=self.format_message(text, value=str(count)))
