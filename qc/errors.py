"""Error types. Every QcError prints as one line naming the place (file, line, field) and exits 2."""

from __future__ import annotations


class QcError(Exception):
    """Base of every error corpus-qc reports as a usage, config, rule or input problem (exit 2)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        if self.field:
            where += f"{self.field}: "
        return f"{where}{self.message}"


class InputError(QcError):
    """A corpus input cannot be read: missing path, empty glob, unreadable/binary/truncated file."""


class ConfigError(QcError):
    """A configuration file or command-line option is invalid."""


class RuleSpecError(QcError):
    """A rule file is invalid: YAML syntax, unknown key, bad value, or a regex RE2 cannot compile."""


class OutputError(QcError):
    """An output file cannot be written: it is an input, a directory, on a full disk, or not writable."""


class RuleErrors(RuleSpecError):
    """Every problem found in the rule packs of a run (each one a :class:`RuleSpecError`, printed one a line)."""

    def __init__(self, errors: list[RuleSpecError]) -> None:
        first = errors[0]
        super().__init__(first.message, path=first.path, line=first.line, field=first.field)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
