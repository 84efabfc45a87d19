"""``qc init``: a commented starter ``[tool.qc]`` (in pyproject.toml or a qc.toml) and a ``qc-rules/`` pack.

Nothing existing is overwritten: a pyproject.toml that already has ``[tool.qc]``, an existing qc.toml, or an
existing ``qc-rules/`` folder stops the command before anything is written. A pyproject.toml without
``[tool.qc]`` gets the table appended, the rest of the file kept byte for byte.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from qc.errors import ConfigError
from qc.jsonschemas import RULE_SCHEMA
from qc.paths import repository_url, schemas_url

RULES_DIR = "qc-rules"
EXAMPLE_RULE = "MY001-lorem-ipsum.yaml"

#: The settings most projects change, each with its default (commented keys keep the default).
STARTER_SETTINGS = f'''# corpus-qc settings: {(repository_url() or 'README.md') + '#configuration'}
# `qc config` prints every effective setting and where it came from.
rules = ["{RULES_DIR}/"]          # your own rule packs, loaded after the built-in ones
# select = ["ALL"]                # codes (PH001), code prefixes (PH), families, names
# ignore = []                     # the same selectors, left out
fail-on = "error"                 # error | warning | info | never
# default-timezone = "UTC"        # time zone naive timestamps are read in
# jobs = 4                        # worker processes (default: every core)

# [{{table}}.severity]             # code = severity its findings get instead of the rule's own
# BP090 = "warning"

# [{{table}}.rule-options.BP020]   # options of a built-in rule, without copying it
# min_run = 8

# [{{table}}.per-site-ignores]     # site glob = selectors dropped on those sites
# "*.example.com" = ["PH001"]

# [{{table}}.per-path-ignores]     # path glob = selectors dropped in those files
# "fixtures/**/*.jsonl" = ["placeholder"]
'''

EXAMPLE_RULE_TEXT = f"""# yaml-language-server: $schema={schemas_url()}{RULE_SCHEMA}
# An example rule: edit it or copy it, then run: qc rules test {RULES_DIR}
code: MY001
name: lorem-ipsum-filler
family: custom
kind: pattern
severity: warning
message: "Filler text left in the page: '{{match}}'"
summary: Finds lorem ipsum filler text left in published pages.
why: >-
  Templates ship with lorem ipsum until an editor replaces it. A page that still has it was published
  unfinished, and its text says nothing.
patterns:
  - '(?i)\\blorem ipsum dolor\\b'
examples:
  fail:
    - "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
    - "Welcome! lorem ipsum dolor sit amet"
  pass:
    - "The phrase 'lorem' alone is not filler."
    - "A finished article about typesetting history."
"""


def _has_qc_table(pyproject: Path) -> bool:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML, not changed: {exc}", path=str(pyproject)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(pyproject)) from None
    return "qc" in document.get("tool", {})


def init_project(directory: Path, *, use_pyproject: bool) -> list[Path]:
    """Write the starter config and ``qc-rules/`` into ``directory``; the paths written (refuses to overwrite)."""
    rules_dir = directory / RULES_DIR
    config_path = directory / ("pyproject.toml" if use_pyproject else "qc.toml")
    if use_pyproject and config_path.exists() and _has_qc_table(config_path):
        raise ConfigError("already has a [tool.qc] table; not overwritten", path=str(config_path))
    if not use_pyproject and config_path.exists():
        raise ConfigError("file exists; not overwritten", path=str(config_path))
    if rules_dir.exists():
        raise ConfigError("folder exists; not overwritten", path=str(rules_dir))
    if use_pyproject:
        table = "tool.qc"
        body = f"[{table}]\n" + STARTER_SETTINGS.format(table=table)
        old = config_path.read_bytes() if config_path.exists() else b""
        separator = b"" if not old or old.endswith(b"\n\n") else b"\n" if old.endswith(b"\n") else b"\n\n"
        text = old + separator + body.encode("utf-8")
    else:
        text = STARTER_SETTINGS.replace("[{table}.", "[").format(table="").encode("utf-8")
    try:
        rules_dir.mkdir(parents=True)
        rule_path = rules_dir / EXAMPLE_RULE
        rule_path.write_text(EXAMPLE_RULE_TEXT, encoding="utf-8")
        config_path.write_bytes(text)
    except OSError as exc:
        raise ConfigError(f"cannot write: {exc.strerror or exc}", path=str(exc.filename or directory)) from None
    return [config_path, rule_path]
