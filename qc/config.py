"""Configuration: ``[tool.qc]`` in pyproject.toml or a ``qc.toml``, found from the working directory upward.

Layers, later wins: defaults, the discovered (or ``--config``) file, then command-line flags.
Unknown keys are errors naming the file and key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from qc.errors import ConfigError
from qc.rulespec import Severity

FAIL_ON = ("error", "warning", "info", "never")
ENGINES = ("local", "dask")
#: Keys whose value is one of a fixed set of words.
CHOICES = {"fail_on": FAIL_ON, "engine": ENGINES}


class Config(BaseModel):
    """Every setting corpus-qc reads; keys are kebab-case in TOML."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=lambda s: s.replace("_", "-"))

    rules: list[str] = Field(default_factory=list, description="Extra rule-pack directories.")
    builtin_rules: bool = True
    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=list)
    fail_on: str = "error"
    max_doc_rate: dict[str, float] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict, description="canonical name -> source column")
    default_timezone: str = "UTC"
    dayfirst: bool = False
    dayfirst_sites: list[str] = Field(default_factory=list, description="Sites whose 05/06/2020 is 5 June.")
    batch_rows: int = Field(default=20_000, ge=1)
    #: Findings held in memory before older ones spill to a temporary Parquet file (memory bound on findings).
    findings_memory_rows: int = Field(default=100_000, ge=1)
    format: str = "terminal"
    #: Worker processes for the local engine; None means every core.
    jobs: int | None = Field(default=None, ge=1)
    #: ``local`` (processes on this machine) or ``dask`` (a Dask distributed cluster at ``scheduler``).
    engine: str = "local"
    scheduler: str | None = None
    #: Where the file came from (not a TOML key).
    source: str | None = Field(default=None, exclude=True)

    @field_validator("fail_on", "engine")
    @classmethod
    def _check_choice(cls, value: str, info: ValidationInfo) -> str:
        allowed = CHOICES[str(info.field_name)]
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

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


def load_config(path: Path | None = None, *, search: bool = True, overrides: dict[str, Any] | None = None
                ) -> Config:
    """Read the config file (given, or discovered when ``search``) and apply command-line overrides."""
    data: dict[str, Any] = {}
    source: Path | None = path if path is not None else (discover() if search else None)
    if source is not None:
        if not source.is_file():
            raise ConfigError("config file not found", path=str(source))
        try:
            document = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", path=str(source)) from None
        data = document.get("tool", {}).get("qc", {}) if source.name == "pyproject.toml" else document
        data = document.get("tool", {}).get("qc", data) if "tool" in document else data
    merged = {**data, **{k.replace("_", "-"): v for k, v in (overrides or {}).items() if v is not None}}
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first.get("loc", ())) or "(config)"
        reason = "unknown key" if first.get("type") == "extra_forbidden" else str(first.get("msg", ""))
        raise ConfigError(reason.removeprefix("Value error, "), path=str(source) if source else "command line",
                          field=key) from None
    config.source = str(source) if source else None
    return config
