"""Where the built-in rule packs and report templates live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

#: The public repository: the rule pages (docs/rules/) and editor schemas (schemas/) are published there.
REPOSITORY_URL = "https://github.com/corpus-qc/corpus-qc"
#: Default ``docs-url``: every report links a finding's rule to ``<docs-url>CODE.md``.
DEFAULT_DOCS_URL = f"{REPOSITORY_URL}/blob/main/docs/rules/"
#: Where editors fetch the JSON Schemas from (``# yaml-language-server: $schema=…``, ``#:schema …``).
SCHEMAS_URL = "https://raw.githubusercontent.com/corpus-qc/corpus-qc/main/schemas/"


def _locate(name: str) -> Path:
    # A wheel carries them inside the package (pyproject force-include); a checkout keeps them top level.
    for candidate in (_PACKAGE / "_builtin" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"built-in {name}/ not found next to {_PACKAGE}")


def builtin_rules_dir() -> Path:
    """Directory of the built-in YAML rule packs."""
    return _locate("rules")


def schemas_dir() -> Path:
    """Directory of the editor JSON Schemas (rule files and ``[tool.qc]``)."""
    return _locate("schemas")


def reports_dir() -> Path:
    """Directory of the report templates and assets."""
    return _locate("reports")
