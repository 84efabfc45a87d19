"""Text folders: every ``.txt``/``.md``/``.html`` file under a directory is one post.

The doc_id is the path under the folder, ``source_line`` is 1 (the file is the record) and a finding's
``line`` the physical line in the file. Files are read many to a batch (:func:`read_text_files`); a file
is one split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from qc.errors import InputError
from qc.lines import field_line_column
from qc.rawio import UTF8_BOM, binary_reason, count_breaks, open_regular
from qc.readers.base import Frames, InputFile, LoadLog, Problem, Reader, ReadOptions, Split


def read_text_files(files: list[InputFile], log: LoadLog) -> Iterator[tuple[pd.DataFrame, list[Problem]]]:
    """One record per file (its doc_id the path under the folder); a file that cannot be read is a
    file-level error on ``log`` and the others are still read."""
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for src in files:
        log.files.append(src.display)
        try:
            with open_regular(src.path) as handle:
                raw = handle.read()
        except InputError as exc:
            log.errors.append(exc)
            continue
        except OSError as exc:
            log.errors.append(InputError(f"cannot read file ({exc.strerror or exc})", path=src.display))
            continue
        reason = binary_reason(raw)
        if reason is not None:
            log.errors.append(InputError(f"binary file ({reason}), not a text post", path=src.display))
            continue
        raw = raw.removeprefix(UTF8_BOM)
        doc_id = src.path.relative_to(src.root).as_posix() if src.root else src.path.name
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            problems.append(Problem("SC003", src.display, 1, f"invalid UTF-8 at byte {exc.start}; decoded "
                                    "with replacement characters", field="text", doc_id=doc_id,
                                    line=1 + count_breaks(raw[: exc.start])))
        records.append({"doc_id": doc_id, "text": text, "source_path": src.display, "source_line": 1,
                        field_line_column("text"): 1})
    if records or problems:
        yield pd.DataFrame.from_records(records), problems



class TextReader(Reader):
    """A text post per file; files are batched together by the loader."""

    name = "text"
    suffixes = (".txt", ".md", ".html", ".htm")
    locator = "file"

    def recognises(self, path: Path, head: bytes) -> bool:
        return binary_reason(head) is None

    def read(self, split: Split, options: ReadOptions, log: LoadLog) -> Frames:
        return read_text_files([split.file], log)
