"""Configuration: ``[tool.qc]`` in pyproject.toml or a ``qc.toml``, found from the working directory upward.

Layers, later wins: defaults, the discovered (or ``--config``) file, then command-line flags.
Unknown keys are errors naming the file and key.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from qc.errors import ConfigError
from qc.render import OutputFormat
from qc.rulespec import Action, Severity

FAIL_ON = ("error", "warning", "info", "never")
ENGINES = ("local", "dask")
#: Keys whose value is one of a fixed set of words.
WARC_TEXT = ("naive", "main")
CHOICES = {"fail_on": FAIL_ON, "engine": ENGINES, "warc_text": WARC_TEXT}


def _canonical_names(schema: dict[str, Any]) -> None:
    # The JSON Schema lists the canonical names ``fields`` accepts (the validator below checks them).
    from qc.load import CANONICAL

    schema["propertyNames"] = {"enum": list(CANONICAL)}


class Config(BaseModel):
    """Every setting corpus-qc reads; keys are kebab-case in TOML."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda s: s.replace("_", "-"))  # descriptions: qc.fielddocs

    rules: list[str] = Field(default_factory=list)
    """Extra rule-pack directories (or rule files), loaded after the built-in packs."""
    builtin_rules: bool = True
    """Load the built-in packs (boilerplate, placeholder, date)."""
    select: list[str] = Field(default_factory=lambda: ["ALL"])
    """Rules to run: codes (PH001), code prefixes (PH), families, names, or ALL."""
    ignore: list[str] = Field(default_factory=list)
    """Rules to leave out, with the same selectors as select."""
    fail_on: str = Field(default="error", json_schema_extra={"enum": list(FAIL_ON)})
    """Lowest severity that fails the gate: error, warning, info, or never."""
    max_doc_rate: dict[str, float] = Field(default_factory=dict,
                                           json_schema_extra={"additionalProperties": {"type": "number", "minimum": 0,
                                                                                     "maximum": 1}})
    """Family or rule code -> highest share of documents (0-1) it may hit before the gate fails."""
    fields: dict[str, str] = Field(default_factory=dict, json_schema_extra=_canonical_names)
    """Canonical field name (text, doc_id, posted_at…) -> the source column that holds it."""
    default_timezone: str = "UTC"
    """IANA time zone naive timestamps are read in (Asia/Shanghai)."""
    dayfirst: bool = False
    """Read ambiguous numeric dates day first (05/06/2020 is 5 June)."""
    dayfirst_sites: list[str] = Field(default_factory=list)
    """Sites (and their subdomains) whose 05/06/2020 is 5 June."""
    max_findings_per_document: int = Field(default=0, ge=0)
    """Findings of one rule kept per document (the last kept one says how many more there were); 0 keeps all."""
    batch_rows: int = Field(default=20_000, ge=1)
    """Records per batch: input memory follows it."""
    findings_memory_rows: int = Field(default=100_000, ge=1)
    """Findings held in memory before older ones spill to a temporary Parquet file (memory bound on findings)."""
    format: str = Field(default="terminal", json_schema_extra={"enum": [f.value for f in OutputFormat]})
    """Report format on stdout."""
    jobs: int | None = Field(default=None, ge=1)
    """Worker processes for the local engine; unset means every core (qc check) or 1 (qc.check())."""
    engine: str = Field(default="local", json_schema_extra={"enum": list(ENGINES)})
    """local (processes on this machine) or dask (a Dask distributed cluster at scheduler)."""
    scheduler: str | None = None
    """Dask scheduler address, e.g. tcp://scheduler.internal:8786."""
    warc_text: str = Field(default="naive", json_schema_extra={"enum": list(WARC_TEXT)})
    """Text of an HTML page in a WARC: naive (every visible text node, what leaks) or main (main content only)."""
    limit: int | None = Field(default=None, ge=1)
    """Check only the first N records (after --sample): a quick look; the report says so."""
    sample: float | None = Field(default=None, gt=0, le=1)
    """Check a deterministic sample of this share of records (0-1], chosen by a hash of seed and record address."""
    seed: int = 0
    """Seed of --sample: the same seed picks the same records, whatever --jobs or engine."""
    severity: dict[str, Severity] = Field(default_factory=dict)
    """Rule code -> error, warning or info: the severity its findings get instead of the rule's own."""
    rule_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Rule code -> options of its kind that replace the rule's own (BP020 = {min-run = 8}); checked like a rule."""
    per_site_ignores: dict[str, list[str]] = Field(default_factory=dict)
    """Site glob (case-insensitive; *.example.com is every subdomain) -> selectors whose findings on it are dropped."""
    per_path_ignores: dict[str, list[str]] = Field(default_factory=dict)
    """Path glob (a bare name matches in any folder; else relative to the working directory, or absolute) ->
    selectors whose findings in those files are dropped."""
    actions: dict[str, Action] = Field(default_factory=dict)
    """Rule code, rule name or family -> what qc fix does with its findings: strip, drop, flag or keep
    (instead of the rule's action key or the family's default)."""
    docs_url: str = ""
    """Base URL of the rule pages: a finding of PH001 links to <docs-url>PH001.md in every report. Unset, the
    built-in rules link to their pages in this checkout's docs/rules/, else in the repository's."""
    #: Where the file came from (not a TOML key, so not in the JSON Schema).
    source: SkipJsonSchema[str | None] = Field(default=None, exclude=True)
    #: Keys the file set and keys a flag (or the caller's overrides) set: where each setting came from.
    #: Private attributes, so no TOML key can set them.
    _file_keys: set[str] = PrivateAttr(default_factory=set)
    _flag_keys: set[str] = PrivateAttr(default_factory=set)

    def mark_flag(self, key: str) -> None:
        """Record that the setting ``key`` (kebab-case) was given on the command line."""
        self._flag_keys.add(key)

    @field_validator("fail_on", "engine", "warc_text")
    @classmethod
    def _check_choice(cls, value: str, info: ValidationInfo) -> str:
        allowed = CHOICES[str(info.field_name)]
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    @field_validator("per_site_ignores", "per_path_ignores")
    @classmethod
    def _check_ignore_tables(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        # Which rules a selector names is checked once the packs are loaded (qc.ignores.check_selectors).
        for glob, selectors in value.items():
            if not glob.strip():
                raise ValueError("a glob must not be empty")
            if not selectors or any(not s.strip() for s in selectors):
                raise ValueError(f"{glob}: give one or more selectors (code, code prefix, family or name)")
        return value

    @field_validator("docs_url")
    @classmethod
    def _check_docs_url(cls, value: str) -> str:
        # Reports put this in href attributes and SARIF helpUri: only an absolute web URL belongs there.
        if value == "":
            return value  # not configured: the built-in pages (qc.paths.default_docs_url)
        if not value.startswith(("https://", "http://")) or any(c in value for c in " \"'<>()`\\\n\r\t"):
            raise ValueError("must be an absolute http(s) URL, e.g. https://example.org/qc/rules/")
        return value if value.endswith("/") else value + "/"

    @field_validator("max_doc_rate")
    @classmethod
    def _check_rates(cls, value: dict[str, float]) -> dict[str, float]:
        for key, rate in value.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{key}: rate must be between 0 and 1")
        return value

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: dict[str, str]) -> dict[str, str]:
        from qc.load import CANONICAL

        for key in value:
            if key not in CANONICAL:
                raise ValueError(f"unknown canonical field {key!r} (known: {', '.join(CANONICAL)})")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def fail_on_rank(self) -> int | None:
        """Lowest severity rank that fails the gate, or None for ``never``."""
        return None if self.fail_on == "never" else Severity(self.fail_on).rank


def discover(start: Path | None = None) -> Path | None:
    """The nearest ``qc.toml``, or ``pyproject.toml`` with a ``[tool.qc]`` table, from ``start`` upward."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        qc_toml = directory / "qc.toml"
        if qc_toml.is_file():
            return qc_toml
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, OSError):
                continue
            if "qc" in data.get("tool", {}):
                return pyproject
    return None


def read_config_table(path: Path | None = None, *, search: bool = True) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.qc]`` table (or whole ``qc.toml``) of the given or discovered file, and that file."""
    source: Path | None = path if path is not None else (discover() if search else None)
    if source is None:
        return {}, None
    if not source.is_file():
        raise ConfigError("config file not found", path=str(source))
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(source)) from None
    data = document.get("tool", {}).get("qc", {}) if source.name == "pyproject.toml" else document
    data = document.get("tool", {}).get("qc", data) if "tool" in document else data
    return data, source


def did_you_mean(word: str, choices: list[str]) -> str:
    """ "; did you mean 'x'?" for the closest choice, or "" when none is close."""
    folded = {choice.casefold(): choice for choice in choices}  # ph001 means PH001
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""


def _flag_keys(overrides: dict[str, Any] | None) -> dict[str, Any]:
    return {k.replace("_", "-"): v for k, v in (overrides or {}).items() if v is not None}


def load_config(path: Path | None = None, *, search: bool = True, overrides: dict[str, Any] | None = None
                ) -> Config:
    """Read the config file (given, or discovered when ``search``) and apply command-line overrides."""
    data, source = read_config_table(path, search=search)
    merged = {**data, **_flag_keys(overrides)}
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        key = ".".join(loc) or "(config)"
        if first.get("type") == "extra_forbidden":
            known = [field.alias or name for name, field in Config.model_fields.items() if name not in HIDDEN_FIELDS]
            reason = "unknown key" + (did_you_mean(loc[-1], known) if len(loc) == 1 else "")
        else:
            reason = str(first.get("msg", ""))
        raise ConfigError(reason.removeprefix("Value error, "), path=str(source) if source else "command line",
                          field=key) from None
    config.source = str(source) if source else None
    config._file_keys = set(data)
    config._flag_keys = set(_flag_keys(overrides))
    return config


HIDDEN_FIELDS = frozenset({"source"})


def settings_rows(config: Config) -> list[tuple[str, Any, str]]:
    """Every setting as (key, effective value, origin): ``flag`` for a command-line flag (or an override given
    to :func:`load_config`), the file's path for a key the file set, else ``default`` (also a default the
    command fills in, such as ``jobs``: every core)."""
    values = config.model_dump(mode="json")
    rows = []
    for name, field in Config.model_fields.items():
        if name in HIDDEN_FIELDS:
            continue
        key = field.alias or name
        value = values[name]
        if key in config._flag_keys:
            origin = "flag"
        elif key in config._file_keys and config.source:
            origin = config.source
        else:
            origin = "default"
        rows.append((key, value, origin))
    return rows


def settings_document(config: Config, rules_selected: int) -> dict[str, Any]:
    """The effective settings as ``qc config --format json`` prints them and the JSON report records them."""
    return {"config_file": config.source, "rules_selected": rules_selected,
            "settings": {key: {"value": value, "source": origin} for key, value, origin in settings_rows(config)}}


def explain_config(path: Path | None = None, *, search: bool = True, overrides: dict[str, Any] | None = None
                   ) -> list[tuple[str, Any, str]]:
    """Every setting as (key, effective value, where it came from: ``default``, the file's path, or ``flag``)."""
    return settings_rows(load_config(path, search=search, overrides=overrides))
