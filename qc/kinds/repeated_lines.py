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
``max_pairs`` (when the merged state outgrows it, pairs seen in a single document so far are dropped:
memory stays bounded, and a template line may then be counted one document short), ``min_lines`` (a
document is flagged only when at least this many distinct lines of it are template lines: a site's header
or footer is a block of lines, while a single recurring line is as often the post's own title, byline or
date shown again in the site's related-story lists) and ``limit`` (findings per document).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from qc.batch import Batch
from qc.rulespec import LINES, FindingRow, RuleSpec
from qc.textnorm import normalise_lines

_NO_SITE = "\x00no-site"
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd constant: mixes the site hash into the line hash


def _as_str(arrow_type: pa.DataType) -> Any:
    # Arrow strings to pandas' default "str" dtype without a Python object per value.
    if pa.types.is_large_string(arrow_type) or pa.types.is_string(arrow_type):
        return pd.StringDtype(na_value=np.nan)
    return None


def _hash(values: pd.Series) -> np.ndarray:
    # pandas' hash is deterministic across processes (unlike ``hash()``), so states from workers merge.
    return pd.util.hash_pandas_object(values.astype("str"), index=False).to_numpy(dtype=np.uint64)


#: A count table: sorted unique uint64 keys and their int64 counts (16 bytes a key, pickles as two buffers).
Counts = tuple[np.ndarray, np.ndarray]


def _counts(keys: np.ndarray) -> Counts:
    unique, counts = np.unique(keys.astype(np.uint64, copy=False), return_counts=True)
    return unique, counts.astype(np.int64)


def _add(tables: list[Counts]) -> Counts:
    """Sum count tables key by key."""
    if not tables:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    if len(tables) == 1:
        return tables[0]
    keys = np.concatenate([keys for keys, _ in tables])
    counts = np.concatenate([counts for _, counts in tables])
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.int64)


def _lookup(table: Counts, keys: np.ndarray) -> np.ndarray:
    """The count of each key (0 when absent), by binary search in the sorted keys."""
    known, counts = table
    if len(known) == 0:
        return np.zeros(len(keys), dtype=np.int64)
    at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return np.where(known[at] == keys, counts[at], 0)


class Spec(RuleSpec):
    """A corpus-level rule flagging lines repeated across a site's documents."""

    KIND: ClassVar[str] = "repeated_lines"
    STRIPS_LINES: ClassVar[bool] = True
    CORPUS_LEVEL: ClassVar[bool] = True
    FEATURES: ClassVar[frozenset[str]] = frozenset({LINES})

    min_documents: int = Field(default=3, ge=2)
    """Documents of a site a normalised line must occur in."""
    min_fraction: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of its site's documents a line must occur in."""
    min_chars: int = Field(default=8, ge=1)
    """Shortest normalised line considered (shorter ones carry no evidence)."""
    max_chars: int = Field(default=200, ge=1)
    """Longest normalised line considered (longer ones are prose)."""
    max_pairs: int = Field(default=5_000_000, ge=1000)
    """Memory bound: past this many (site, line) pairs, pairs seen in one document so far are dropped."""
    min_lines: int = Field(default=1, ge=1)
    """A document is flagged only when at least this many distinct lines of it are template lines."""
    limit: int = Field(default=20, ge=1)
    """Findings per document, at most."""

    @staticmethod
    def _sites(batch: Batch) -> np.ndarray:
        sites = batch.texts("site")
        return _hash(sites.where(sites != "", _NO_SITE))

    def _lines(self, batch: Batch) -> pd.DataFrame:
        """One row per kept line: document row, start offset, raw line, site hash and (site, line) key."""
        lines = batch.lines(self.field)  # the batch's LINES feature, split once for every line rule
        raw, rows, lengths, starts = lines.text, lines.rows, lines.lengths, lines.starts
        # Normalising only shrinks a line, so most prose (long paragraphs) is dropped before the regexes.
        # Every non-ASCII character inside the trimmed line survives normalising (the folds touch ASCII only,
        # lowercasing maps one character to one), and a trimmed line of b bytes and c characters holds at
        # least ceil((b - c) / 3) of them: long CJK prose is dropped here too, whatever 4 * max_chars allows.
        trimmed = batch.trimmed_lines(self.field).text  # shared with the other line rules
        spread = pc.binary_length(trimmed).to_numpy().astype(np.int64) - pc.utf8_length(trimmed).to_numpy()
        maybe = np.flatnonzero((lengths >= self.min_chars) & (lengths <= 4 * self.max_chars)
                               & ((spread + 2) // 3 <= self.max_chars))
        raw = raw.take(pa.array(maybe))
        norm = normalise_lines(raw)
        norm_len = pc.utf8_length(norm).to_numpy()
        keep = (norm_len >= self.min_chars) & (norm_len <= self.max_chars)
        picked = maybe[keep]
        sites = self._sites(batch)[rows[picked]]
        line_hash = _hash(pd.Series(norm.filter(pa.array(keep)).to_pandas(types_mapper=_as_str)))
        return pd.DataFrame({
            "row": rows[picked], "start": starts[picked], "site": sites,
            "key": line_hash ^ (sites * _MIX), "line": raw.filter(pa.array(keep)).to_pandas(),
        })

    def observe(self, batch: Batch) -> dict[str, Counts]:
        """Count documents per site hash and documents per (site, line) key in this batch."""
        pairs = self._lines(batch).drop_duplicates(["row", "key"])["key"].to_numpy(dtype=np.uint64)
        return {"docs": _counts(self._sites(batch)), "pairs": _counts(pairs)}

    def merge_states(self, states: list[Any]) -> dict[str, Counts]:
        """Add the counts up (merged states merge again); prune single-document pairs past ``max_pairs``."""
        live = [state for state in states if state]
        docs = _add([state["docs"] for state in live])
        pairs = _add([state["pairs"] for state in live])
        if len(pairs[0]) > self.max_pairs:
            keep = pairs[1] > 1
            pairs = (pairs[0][keep], pairs[1][keep])
        return {"docs": docs, "pairs": pairs}

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Flag each line whose (site, line) pair recurs often enough; the match is the line text."""
        if not state or not len(state["pairs"][0]):
            return
        lines = self._lines(batch)
        counts = _lookup(state["pairs"], lines["key"].to_numpy(dtype=np.uint64))
        site_docs = _lookup(state["docs"], lines["site"].to_numpy(dtype=np.uint64))
        hits = lines[(counts >= self.min_documents) & (counts >= self.min_fraction * site_docs)]
        hits = hits.assign(count=counts[hits.index])
        if self.min_lines > 1:
            distinct = hits.groupby("row")["key"].transform("nunique")
            hits = hits[distinct.to_numpy() >= self.min_lines]
        hits = hits.groupby("row", sort=True).head(self.limit)
        for row, start, line, count in zip(hits["row"].tolist(), hits["start"].tolist(), hits["line"].tolist(),
                                           hits["count"].tolist(), strict=True):
            lead = len(line) - len(line.lstrip())
            text = line.strip()
            yield FindingRow(row=row, start=start + lead, end=start + lead + len(text), match=text,
                             message=self.format_message(text, value=str(int(count))))
