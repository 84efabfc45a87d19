"""Neutralise hostile text before it reaches a terminal or a CI log: the one place that does it.

Scraped text, doc ids, sites, urls, file names, rule files and labels are untrusted. Printed raw, an
escape sequence in them can clear the screen, set the window title, plant an OSC 8 link or blink; a
bidi override (U+202E) reorders what the reader sees; a lone CR overwrites a line; a newline followed by
``::error::`` starts a GitHub workflow command. Every renderer that prints such text to a terminal or a
log passes it through :func:`visible` (one string) or :func:`visible_column` (a column, vectorised), which
show each control as its escape (``\\x1b``, ``\\x07``, ``\\u202e``) instead of sending it.

Colours corpus-qc itself emits are added by rich after this, so they stay.

:class:`WorkflowCommandGuard` is the last line of defence for output that may land in a CI log: no line
it passes on can start a workflow command (``::cmd::``) or hold a legacy one (``##[cmd]``, which the
GitHub runner finds anywhere in a line), however the layout folded the text.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:  # pandas is imported only where a column is escaped: error lines need no pandas
    import pandas as pd

#: How line breaks and tabs are shown: ``escape`` as ``\\n``/``\\r``/``\\t`` (one physical line: errors,
#: ids, paths), ``mark`` as the report's ``⏎`` and a space (contexts, matches), ``keep`` as they are
#: (multi-line prose such as a rule's ``why``; CRLF becomes LF, and a lone CR shows as ``\\r``: it would
#: overwrite the line).
Newlines = Literal["escape", "mark", "keep"]

# Controls nothing legitimate needs on a terminal: C0 (but tab/LF/CR, handled per mode), DEL, C1, the
# Unicode line and paragraph separators, the bidi embeddings/overrides/isolates ("Trojan Source"), and lone
# surrogates (from a surrogate-escaped decode; they cannot be encoded for output at all). Zero-width joiners
# and LRM/RLM stay: emoji sequences and right-to-left scripts need them and they reorder nothing.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
_CONTROL = re.compile(f"[{_ALWAYS}{_SURROGATES}\t\n\r]")
_CONTROL_NOT_LAYOUT = re.compile(f"[{_ALWAYS}{_SURROGATES}\r]")
# The same class for Arrow-backed columns (RE2, which has no surrogates: Arrow strings are valid UTF-8).
_COLUMN_PATTERN = f"[{_ALWAYS}\t\n\r]"

_MARK = {"\r\n": "⏎", "\n": "⏎", "\r": "⏎", "\t": " "}
_ESCAPE = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPE.get(char) or _escape_char(char)


def _escape_mark(match: re.Match[str]) -> str:
    char = match.group()
    return _MARK.get(char) or _escape_char(char)


def _escape_keep(match: re.Match[str]) -> str:
    char = match.group()
    return "\n" if char == "\r\n" else _ESCAPE.get(char) or _escape_char(char)


_MARK_CONTROL = re.compile(f"\r\n|{_CONTROL.pattern}")
_KEEP_CONTROL = re.compile(f"\r\n|{_CONTROL_NOT_LAYOUT.pattern}")


def visible(value: object, newlines: Newlines = "escape") -> str:
    """``value`` as text safe to print: every control shown as its escape (``\\x1b``, ``\\u202e``).

    ``newlines`` says how line breaks and tabs are shown (see :data:`Newlines`). Text without controls is
    returned as it is (one regex search).
    """
    text = value if isinstance(value, str) else str(value)
    if newlines == "keep":
        return _KEEP_CONTROL.sub(_escape_keep, text) if _CONTROL_NOT_LAYOUT.search(text) else text
    if not _CONTROL.search(text):
        return text
    if newlines == "mark":
        return _MARK_CONTROL.sub(_escape_mark, text)
    return _CONTROL.sub(_escape_escape, text)


def visible_column(values: pd.Series, newlines: Newlines = "escape") -> pd.Series:
    """:func:`visible` over a column: one vectorised search finds the rows that need it, only those are
    rewritten. Missing values stay missing."""
    import pandas as pd

    if values.empty:
        return values
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        needs = values.str.contains(_COLUMN_PATTERN, regex=True, na=False)
    else:
        needs = values.map(lambda v: isinstance(v, str) and _CONTROL.search(v) is not None)
    needs = needs.to_numpy(dtype=bool)
    if not needs.any():
        return values
    out = values.astype(object)
    out[needs] = [visible(v, newlines) for v in out[needs]]
    return out


def one_line(value: object) -> str:
    """``value`` as one physical line for stderr: controls and line breaks escaped, and no legacy
    ``##[`` workflow command (the GitHub runner finds those anywhere in a line)."""
    return defuse_legacy_commands(visible(value, "escape"))


def defuse_legacy_commands(line: str) -> str:
    """``##[`` shown as ``#\\x23[``, so the GitHub runner does not read the rest as a command."""
    return line.replace("##[", "#\\x23[") if "##[" in line else line


# Where the GitHub runner sees a workflow command: ``::`` first on the line after leading whitespace. The
# colours rich adds (SGR sequences: all other escapes were neutralised before layout) are skipped too.
_COMMAND_START = re.compile(r"^((?:\s|\x1b\[[0-9;]*m)*):")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def defuse_line(line: str) -> str:
    """One output line (without its break) that cannot start or hold a workflow command."""
    line = defuse_legacy_commands(line)
    match = _COMMAND_START.match(line)
    if match is not None and line.startswith("::", match.end(1)):
        line = f"{match.group(1)}\\x3a{line[match.end(1) + 1:]}"
    return line


class WorkflowCommandGuard:
    """A text stream that passes every complete line through :func:`defuse_line` to ``out``.

    Renderers that lay corpus text out (folding long lines, indenting examples) cannot know which part
    of a value ends up first on a physical line, so the check is made on the lines as written. A partial
    line is held until its break (or :meth:`close`), since its start is only known then.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._pending = ""

    def write(self, text: str) -> int:
        """Write ``text``, holding back its last line until that line is complete."""
        if not text:
            return 0
        # [line, break, line, break, …, partial]; breaks pass unchanged (a CRLF split across two writes
        # reads as CR, empty line, LF: the same bytes).
        parts = _LINE_BREAK.split(self._pending + text)
        self._pending = parts.pop()
        self.out.write("".join(defuse_line(part) if i % 2 == 0 else part for i, part in enumerate(parts)))
        return len(text)

    def flush(self) -> None:
        """Flush ``out`` (a partial line stays held: its start decides whether it is safe)."""
        self.out.flush()

    def close(self) -> None:
        """Write the held partial line, if any, and flush; ``out`` stays open."""
        if self._pending:
            self.out.write(defuse_line(self._pending))
            self._pending = ""
        self.out.flush()

    def isatty(self) -> bool:
        """Whether ``out`` is a terminal (rich decides on colour by it)."""
        isatty = getattr(self.out, "isatty", None)
        return bool(isatty and isatty())

    def fileno(self) -> int:
        """``out``'s file descriptor (rich asks it for the terminal size)."""
        fileno: Any = self.out.fileno
        return int(fileno())

    @property
    def encoding(self) -> str:
        """``out``'s encoding (rich picks box characters by it)."""
        return str(getattr(self.out, "encoding", None) or "utf-8")


# JSON already escapes C0 controls; these it would write raw. Escaped as \\uXXXX they parse back to the very
# same string, so a JSON report keeps its data exactly and is still safe to ``cat`` to a terminal (and a lone
# surrogate no longer fails the write).
_JSON_RAW = re.compile(f"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069{_SURROGATES}]")


def json_dumps(value: Any, **options: Any) -> str:
    """:func:`json.dumps` without ASCII-escaping text, but with DEL, C1 controls, line separators, bidi
    overrides and lone surrogates written as ``\\uXXXX`` escapes (lossless)."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_RAW.search(text) else text
