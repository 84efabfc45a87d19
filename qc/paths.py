"""Where the built-in rule packs and report templates live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    # A wheel carries them inside the package (pyproject force-include); a checkout keeps them top level.
    for candidate in (_PACKAGE / "_builtin" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"built-in {name}/ not found next to {_PACKAGE}")


def builtin_rules_dir() -> Path:
    """Directory of the built-in YAML rule packs."""
    return _locate("rules")


def reports_dir() -> Path:
    """Directory of the report templates and assets."""
    return _locate("reports")
