"""The run's findings, handed to ``qc fix`` file by file and record by record, in corpus order.

The findings store is in corpus order and a document's findings are contiguous, so one streaming pass
joins them with the raw records: :class:`FindingsCursor` walks the store's chunks once, and
:meth:`FindingsCursor.file` gives one file's findings record by record as its raw records stream past
(bounded memory: one chunk of findings at a time). Records are keyed by ``(source_path, source_line)``:
the physical line a JSON Lines or CSV record starts on, a Parquet row (1-based), 1 for a text file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qc.errors import QcError
from qc.store import FindingsStore

#: Columns ``qc fix`` reads from the findings store.
COLUMNS = ["doc_id", "rule", "family", "severity", "field", "start", "end", "match", "message",
           "source_path", "source_line"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding as ``qc fix`` acts on it (and writes it into the quarantine)."""

    rule: str
    family: str
    severity: str
    field: str | None
    start: int | None
    end: int | None
    match: str
    message: str
    doc_id: str | None

    def as_dict(self) -> dict[str, object]:
        """The finding as a JSON object (quarantine lines)."""
        return {"rule": self.rule, "family": self.family, "severity": self.severity, "field": self.field,
                "start": self.start, "end": self.end, "match": self.match, "message": self.message}


Group = tuple[str, int | None, list[Finding]]


def _groups(store: FindingsStore, keep: Callable[[pd.DataFrame], np.ndarray]) -> Iterator[Group]:
    """(source_path, source_line, findings) per document, in store order; ``keep`` filters each chunk."""
    for chunk in store.chunks(COLUMNS, whole_documents=True):
        chunk = chunk[keep(chunk)]
        if chunk.empty:
            continue
        paths = chunk["source_path"].astype(str).tolist()
        lines = chunk["source_line"].astype("Int64").tolist()
        starts = chunk["start"].astype("Int64").tolist()
        ends = chunk["end"].astype("Int64").tolist()
        columns = [chunk[name].tolist() for name in ("rule", "family", "severity", "field", "match", "message",
                                                      "doc_id")]
        current: Group | None = None
        for i, (path, line) in enumerate(zip(paths, lines, strict=True)):
            line = None if line is pd.NA else int(line)
            rule, family, severity, field, match, message, doc_id = (column[i] for column in columns)
            finding = Finding(rule, family, severity, field if isinstance(field, str) else None,
                              None if starts[i] is pd.NA else int(starts[i]),
                              None if ends[i] is pd.NA else int(ends[i]), str(match), str(message),
                              doc_id if isinstance(doc_id, str) else None)
            if current is not None and current[0] == path and current[1] == line:
                current[2].append(finding)
                continue
            if current is not None:
                yield current
            current = (path, line, [finding])
        if current is not None:
            yield current


class FindingsCursor:
    """One pass over the store's findings, file after file in the order the run read them."""

    def __init__(self, store: FindingsStore, keep: Callable[[pd.DataFrame], np.ndarray]) -> None:
        self._groups = _groups(store, keep)
        self._next: Group | None = next(self._groups, None)
        self._done: set[str] = set()

    def _advance(self) -> None:
        self._next = next(self._groups, None)

    def file(self, path: str) -> FileFindings:
        """The findings of the file whose display path is ``path`` (read its records in line order)."""
        return FileFindings(self, path)

    def finish_file(self, path: str) -> None:
        """Mark ``path`` done: a finding for it met later means the store is not in the order assumed."""
        self._done.add(path)

    def peek(self) -> Group | None:
        """The next document's findings, not consumed."""
        if self._next is not None and self._next[0] in self._done:
            raise QcError(f"internal error: findings for {self._next[0]} arrived after the file was written "
                          "(the findings are not in the order the files were read)")
        return self._next

    def take(self) -> Group:
        """Consume the next document's findings."""
        group = self.peek()
        assert group is not None
        self._advance()
        return group

    def leftover(self) -> Iterator[Group]:
        """Findings not consumed by any file (for a file no writer read: counted, never lost silently)."""
        while self._next is not None:
            yield self.take()


class FileFindings:
    """One file's findings, asked for record by record with increasing lines."""

    def __init__(self, cursor: FindingsCursor, path: str) -> None:
        self._cursor = cursor
        self.path = path

    def at(self, line: int, orphan: Callable[[Group], None]) -> list[Finding]:
        """The findings of the record starting on ``line``; findings on earlier lines that no record read
        here holds (a rejected line, a file-level problem) go to ``orphan``."""
        while (group := self._cursor.peek()) is not None and group[0] == self.path:
            if group[1] is not None and group[1] > line:
                return []
            self._cursor.take()
            if group[1] == line:
                return group[2]
            orphan(group)
        return []

    def rest(self, orphan: Callable[[Group], None]) -> None:
        """Hand every finding of this file not yet asked for to ``orphan``, and mark the file done."""
        while (group := self._cursor.peek()) is not None and group[0] == self.path:
            orphan(self._cursor.take())
        self._cursor.finish_file(self.path)
