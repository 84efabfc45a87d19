"""A text file of a folder of posts: one record, its whole content the text (a byte-order mark kept)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from qc.fixing.edit import Changed, Dropped, Editor
from qc.fixing.findings import FileFindings
from qc.load import InputFile
from qc.rawio import UTF8_BOM, open_regular


def fix_file(src: InputFile, findings: FileFindings, editor: Editor, mapping: Mapping[str, str],
             out: IO[bytes] | None) -> None:
    """Rewrite one text post into ``out`` (None: a dry run); a dropped post writes no file (``out`` empty)."""
    with open_regular(src.path) as handle:
        raw = handle.read()
    bom = UTF8_BOM if raw.startswith(UTF8_BOM) else b""

    def record() -> dict[str, str]:
        return {"text": raw[len(bom):].decode("utf-8", errors="replace")}

    outcome = editor.edit(src.display, 1, findings.at(1, editor.orphan), record, {"text": "text"})
    findings.rest(editor.orphan)
    if isinstance(outcome, Dropped):
        return
    if out is not None:
        out.write(bom + outcome.fields["text"].encode("utf-8") if isinstance(outcome, Changed) else raw)
