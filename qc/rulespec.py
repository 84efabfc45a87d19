"""Rule specifications: the keys every rule shares, examples, and the contract a rule kind implements.

A rule is data: one YAML file. Its ``kind`` names a module in ``qc.kinds`` whose ``Spec`` class (a
subclass of :class:`RuleSpec`) adds the kind's own keys (its options), declares the features it reads
(:attr:`RuleSpec.FEATURES`, computed once per batch: :mod:`qc.features`) and implements its evaluation:
:meth:`RuleSpec.evaluate_columns`, the batch's findings as :class:`FindingColumns` (what the engine calls),
or :meth:`RuleSpec.evaluate`, one :class:`FindingRow` per finding (adapted to columns). Validation is
strict (unknown keys are errors) and happens when the pack is loaded.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

if TYPE_CHECKING:
    from qc.batch import Batch


class Severity(StrEnum):
    """Finding severity, ordered info < warning < error."""

    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        """Numeric order used by the gate (info=1, warning=2, error=3)."""
        return {"info": 1, "warning": 2, "error": 3}[self.value]


#: What ``qc fix`` does with a rule's findings.
Action = Literal["strip", "drop", "flag", "keep"]
#: What a ``strip`` action removes: the finding's whole lines or only its span.
StripScope = Literal["line", "span"]


#: Feature: parsed dates and the page's date stamps (see :attr:`RuleSpec.FEATURES`, :mod:`qc.features`).
DATES = "dates"
#: Feature: every line of a text field, split once per batch (:meth:`qc.batch.Batch.lines`).
LINES = "lines"

MESSAGE_FIELDS = frozenset({"match", "field", "value", "code", "name"})
CODE_RE = re.compile(r"^[A-Z]{1,4}[0-9]{3}$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FAMILY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class Example(BaseModel):
    """One example record: a text, optionally with other fields (posted_at, captured_at, url…)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    text: str = ""

    def as_record(self) -> dict[str, Any]:
        """The example as a flat record for the engine."""
        record: dict[str, Any] = {"text": self.text}
        record.update(self.model_extra or {})
        return record


def _coerce_examples(value: Any) -> Any:
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


def _text_or_record_items(schema: dict[str, Any]) -> None:
    # The JSON Schema says what _coerce_examples accepts: an example is a bare text or a record with a text.
    schema["items"] = {"anyOf": [{"type": "string"}, schema["items"]]}


class Examples(BaseModel):
    """Texts the rule must flag (``fail``) and texts it must leave alone (``pass``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    fail: list[Example] = Field(min_length=1, json_schema_extra=_text_or_record_items)
    """Texts (or records with a text and other fields) the rule must flag."""
    pass_: list[Example] = Field(alias="pass", min_length=1, json_schema_extra=_text_or_record_items)
    """Texts (or records) the rule must leave alone."""

    _coerce_fail = field_validator("fail", mode="before")(_coerce_examples)
    _coerce_pass = field_validator("pass_", mode="before")(_coerce_examples)


@dataclass(frozen=True)
class ScanPattern:
    """A regex a rule wants run over a text field; the engine prefilters all of them in one pass."""

    key: str
    regex: str
    field: str = "text"
    ignorecase: bool = False


@dataclass(slots=True)
class FindingRow:
    """One finding, before it becomes a row of the findings frame (a kind yielding these goes through the
    :meth:`FindingColumns.from_rows` adapter; the hot kinds return :class:`FindingColumns` directly)."""

    row: int
    start: int | None
    end: int | None
    match: str
    message: str
    field: str | None = None


#: ``FindingColumns.starts``/``ends`` value of a finding without a span (a document-level check).
NO_SPAN = -1


@dataclass
class FindingColumns:
    """A rule's findings for one batch as columns, one entry per finding, in the order the rule reports
    them (the engine orders all rules' findings by document, stably, so a row's findings keep this order).

    ``rows`` are batch rows; ``starts``/``ends`` character offsets (:data:`NO_SPAN` for none); ``matches``
    the matched texts. The message is made from the rule's template, vectorised, by
    :meth:`RuleSpec.format_messages` from ``matches`` and ``values`` (the ``{value}`` inputs; None: the
    match) and ``fields`` (None: the rule's field), unless ``messages`` are given (the adapter's case).
    """

    rows: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    matches: pa.Array
    values: pa.Array | None = None
    fields: list[str | None] | None = None
    messages: pa.Array | None = None

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def empty(cls) -> FindingColumns:
        """No findings."""
        none = np.empty(0, dtype=np.int64)
        return cls(none, none, none, pa.array([], type=pa.large_string()))

    @classmethod
    def of(cls, rows: Sequence[int], starts: Sequence[int], ends: Sequence[int], matches: Sequence[str],
           values: Sequence[str | None] | None = None) -> FindingColumns:
        """Columns from plain sequences (one conversion per column, none per finding)."""
        return cls(np.asarray(rows, dtype=np.int64), np.asarray(starts, dtype=np.int64),
                   np.asarray(ends, dtype=np.int64), pa.array(matches, type=pa.large_string()),
                   None if values is None else pa.array(values, type=pa.large_string()))

    @classmethod
    def from_rows(cls, found: Iterable[FindingRow]) -> FindingColumns:
        """The adapter for kinds that yield :class:`FindingRow` objects (messages already made)."""
        found = list(found)
        if not found:
            return cls.empty()
        fields = [f.field for f in found]
        return cls(
            rows=np.fromiter((f.row for f in found), dtype=np.int64, count=len(found)),
            starts=np.fromiter((NO_SPAN if f.start is None else f.start for f in found), dtype=np.int64,
                               count=len(found)),
            ends=np.fromiter((NO_SPAN if f.end is None else f.end for f in found), dtype=np.int64, count=len(found)),
            matches=pa.array([f.match for f in found], type=pa.large_string()),
            fields=None if all(f is None for f in fields) else fields,
            messages=pa.array([f.message for f in found], type=pa.large_string()),
        )

    def to_rows(self, rule: RuleSpec) -> Iterator[FindingRow]:
        """One :class:`FindingRow` per finding (for callers that want objects: tests, ``rule.evaluate``)."""
        messages = (self.messages if self.messages is not None else rule.format_messages(self)).to_pylist()
        fields = self.fields if self.fields is not None else [None] * len(self)
        for row, start, end, match, message, field_name in zip(
                self.rows.tolist(), self.starts.tolist(), self.ends.tolist(), self.matches.to_pylist(), messages,
                fields, strict=True):
            yield FindingRow(row=row, start=None if start == NO_SPAN else start, end=None if end == NO_SPAN else end,
                             match=match, message=message, field=field_name)


@functools.lru_cache(maxsize=1024)
def _template(message: str) -> tuple[tuple[str, str | None], ...] | None:
    """The message template as (literal text, placeholder or None) parts; None when a placeholder has a
    conversion or format spec (``{match!r}``, ``{value:>5}``), which only ``str.format`` can apply."""
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(message):
        if name is not None and (spec or conversion):
            return None
        parts.append((literal, name))
    return tuple(parts)


def shown_matches(matches: pa.Array) -> pa.Array:
    """What ``{match}`` shows: the match, or its first 77 characters and "…" when it is longer than 80
    (:meth:`RuleSpec.format_message`), for a whole column at once."""
    long = pc.greater(pc.utf8_length(matches), 80)
    if not pc.any(long).as_py():
        return matches
    cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(matches, 0, 77), pa.scalar("…", pa.large_string()),
                                      pa.scalar("", pa.large_string()))
    return pc.if_else(long, cut, matches)


class RuleSpec(BaseModel):
    """Keys every rule shares. Kinds subclass it, add their keys and implement ``evaluate``.

    Each key's docstring is its description in the generated rule docs and JSON Schema (qc.ruledocs,
    qc.jsonschemas).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    KIND: ClassVar[str] = ""
    #: Corpus-level kinds see every batch twice: ``observe`` in pass one, ``evaluate`` in pass two.
    CORPUS_LEVEL: ClassVar[bool] = False
    #: Whether ``observe`` reads parsed dates (``posted_ts``/``captured_ts``); pass one skips parsing them
    #: unless some corpus-level rule says so.
    OBSERVES_DATES: ClassVar[bool] = False
    #: The features (:mod:`qc.features`) ``observe``/``evaluate`` read, computed once per batch and only when
    #: a selected rule declares them: ``DATES`` (``posted_ts``/``captured_ts``, their ``*_source`` and the
    #: page's own date stamps, ``*_chrome_ts/start/end``, made by the loader) and ``LINES`` (a text field's
    #: lines as columns, :meth:`qc.batch.Batch.lines`, shared by every rule that reads them). A kind that
    #: reads only the source fields declares nothing, so a run selecting only such rules parses no date and
    #: splits no line.
    FEATURES: ClassVar[frozenset[str]] = frozenset()
    #: Whether this kind's evidence is a whole line (menus, footers, repeated template lines): ``qc fix``'s
    #: ``strip`` then removes every line a finding touches, not only its span. A rule's ``strip`` key
    #: overrides it.
    STRIPS_LINES: ClassVar[bool] = False

    code: str = Field(json_schema_extra={"pattern": CODE_RE.pattern})
    """Unique rule code: 1-4 capital letters and 3 digits, e.g. PH001."""
    name: str = Field(json_schema_extra={"pattern": NAME_RE.pattern})
    """Unique kebab-case name, e.g. unfilled-template-variable; usable as a selector."""
    family: str = Field(json_schema_extra={"pattern": FAMILY_RE.pattern})
    """Family the rule reports under (boilerplate, placeholder, date or your own); usable as a selector."""
    kind: str
    """Rule kind: the module in qc/kinds/ that evaluates the rule, and so which other keys it takes."""
    severity: Severity
    """error, warning or info; the gate fails on findings at or above fail-on."""
    field: str = "text"
    """Record field the rule reads."""
    message: str
    """Finding message; placeholders {match}, {field}, {value}, {code}, {name}."""
    summary: str
    """One line: what the rule finds."""
    why: str
    """Why a finding matters, for the reader of a report (qc rules show prints it)."""
    status: str = Field(default="stable", pattern="^(stable|preview)$")
    """stable, or preview for a rule still being tuned."""
    examples: Examples
    """Texts the rule must flag (fail) and must leave alone (pass); qc rules test runs them."""
    action: Action | None = None
    """What qc fix does with a finding: strip (cut it out), drop (quarantine the record), flag (keep the
    record, list it in the manifest) or keep (ignore); unset takes the family's default."""
    strip: StripScope | None = None
    """What strip removes: line (every line the finding touches) or span (only the match); unset takes the
    kind's default."""

    _source: str = PrivateAttr(default="")
    _pack: str = PrivateAttr(default="")

    @field_validator("code")
    @classmethod
    def _check_code(cls, value: str) -> str:
        if not CODE_RE.match(value):
            raise ValueError("must be 1-4 capital letters then 3 digits, e.g. PH001")
        return value

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError("must be kebab-case, e.g. unfilled-template-variable")
        return value

    @field_validator("family")
    @classmethod
    def _check_family(cls, value: str) -> str:
        if not FAMILY_RE.match(value):
            raise ValueError("must be a lowercase identifier, e.g. boilerplate")
        if value == "schema":
            raise ValueError("'schema' is reserved for input problems found by the loader")
        return value

    @field_validator("message")
    @classmethod
    def _check_message(cls, value: str) -> str:
        for _, name, _, _ in string.Formatter().parse(value):
            if name is not None and name not in MESSAGE_FIELDS:
                raise ValueError(
                    f"unknown placeholder {{{name}}}; allowed: {', '.join(sorted(MESSAGE_FIELDS))}"
                )
        return value

    # -- engine contract -------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """Path of the YAML file the rule came from."""
        return self._source

    @property
    def pack(self) -> str:
        """Name of the pack (folder) the rule came from."""
        return self._pack

    @property
    def strips_lines(self) -> bool:
        """Whether ``strip`` removes the finding's whole lines (the rule's ``strip`` key, else the kind's)."""
        return self.STRIPS_LINES if self.strip is None else self.strip == "line"

    def bind_source(self, source: str, pack: str) -> None:
        """Record where the rule was loaded from (set once by the loader)."""
        self._source = source
        self._pack = pack

    def scan_patterns(self) -> list[ScanPattern]:
        """Regexes this rule needs prefiltered over a text field (none for non-text kinds)."""
        return []

    def example_values(self, field_name: str) -> list[str]:
        """The text of ``field_name`` in each of the rule's examples (fail first, then pass) that has one."""
        values = []
        for example in [*self.examples.fail, *self.examples.pass_]:
            value = example.text if field_name == "text" else (example.model_extra or {}).get(field_name)
            if isinstance(value, str) and value:
                values.append(value)
        return values

    def observe(self, batch: Batch) -> Any:
        """Pass one of a corpus-level rule: return mergeable state for this batch."""
        return None

    def merge_states(self, states: list[Any]) -> Any:
        """Combine states from :meth:`observe` across batches, files, processes or workers.

        Must be associative and return a state it can merge again: the engine folds states a group at a
        time into a running state (bounded memory), then calls :meth:`finish_state` once.
        """
        return None

    def finish_state(self, state: Any) -> Any:
        """The state :meth:`evaluate` receives, made once from the fully merged state (default: itself)."""
        return state

    def evaluate(self, batch: Batch, state: Any = None) -> Iterator[FindingRow]:
        """Yield findings for the rows of ``batch``. ``state`` is the merged pass-one state.

        A kind implements this or :meth:`evaluate_columns` (the columnar form, which the engine calls).
        """
        if type(self).evaluate_columns is RuleSpec.evaluate_columns:
            raise TypeError(f"rule kind {self.kind!r} must implement evaluate() or evaluate_columns()")
        yield from self.evaluate_columns(batch, state).to_rows(self)

    def evaluate_columns(self, batch: Batch, state: Any = None) -> FindingColumns:
        """This rule's findings for ``batch`` as columns (what the engine calls); by default the adapter
        over :meth:`evaluate`'s :class:`FindingRow` objects."""
        return FindingColumns.from_rows(self.evaluate(batch, state))

    def format_messages(self, found: FindingColumns) -> pa.Array:
        """The message of every finding in ``found``: :meth:`format_message` for a whole column, built by
        Arrow string kernels from the template's parts (per finding only for a template with a format spec)."""
        if found.messages is not None:
            return found.messages
        parts = _template(self.message)
        if parts is None or found.fields is not None:
            values = found.values.to_pylist() if found.values is not None else [None] * len(found)
            fields = found.fields if found.fields is not None else [None] * len(found)
            return pa.array([self.format_message(m, v, f) for m, v, f in
                             zip(found.matches.to_pylist(), values, fields, strict=True)], type=pa.large_string())
        shown = shown_matches(found.matches)
        columns: dict[str, Any] = {"match": shown, "field": self.field, "code": self.code, "name": self.name,
                                   "value": shown if found.values is None else pc.coalesce(found.values, shown)}
        pieces: list[Any] = []
        for literal, name in parts:
            if literal:
                pieces.append(literal)
            if name is not None:
                pieces.append(columns[name])
        if not any(isinstance(p, pa.Array) for p in pieces):  # a template without {match} or {value}
            return pa.array(["".join(pieces)] * len(found), type=pa.large_string())
        scalars = [p if isinstance(p, pa.Array) else pa.scalar(p, pa.large_string()) for p in pieces]
        if len(scalars) == 1:
            return scalars[0]
        return pc.binary_join_element_wise(*scalars, pa.scalar("", pa.large_string()))

    def format_message(self, match: str, value: str | None = None, field_name: str | None = None) -> str:
        """Fill the rule's message template; scraped text goes in as data, never as a format string."""
        shown = match if len(match) <= 80 else match[:77] + "…"
        return self.message.format_map(
            {
                "match": shown,
                "field": field_name or self.field,
                "value": value if value is not None else shown,
                "code": self.code,
                "name": self.name,
            }
        )


@dataclass
class RuleExampleResult:
    """Outcome of running one example through its rule."""

    rule: str
    expectation: str  # "fail" or "pass"
    index: int
    text: str
    findings: int
    ok: bool
    details: list[str] = field(default_factory=list)
