"""Where the built-in rule packs and report templates live, in a checkout and in an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
#: The distribution whose metadata names the repository (pyproject.toml ``[project.urls] Repository``).
DISTRIBUTION = "corpus-qc"


@cache
def repository_url() -> str | None:
    """The public repository, or None when none is declared.

    Written in one place only, ``[project.urls] Repository`` in pyproject.toml, and read here from the
    installed package's metadata (an editable install of a checkout has it too)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository" and url.strip().startswith(("https://", "http://")):
            return url.strip().rstrip("/")
    return None


def local_docs_dir() -> Path | None:
    """This checkout's ``docs/rules/`` (the generated rule pages), or None in an installed wheel."""
    folder = _PACKAGE.parent / "docs" / "rules"
    return folder if (folder / "README.md").is_file() else None


@cache
def default_docs_url() -> str | None:
    """Where a built-in rule's page is linked when ``docs-url`` is not set: this checkout's
    ``docs/rules/`` (a ``file:`` URI: the links work from the checkout, published or not), else the
    repository's ``docs/rules/`` on the web, else None (no links)."""
    local = local_docs_dir()
    if local is not None:
        return local.as_uri() + "/"
    repository = repository_url()
    return f"{repository}/blob/main/docs/rules/" if repository else None


@cache
def schemas_url() -> str:
    """Where editors fetch the JSON Schemas (``# yaml-language-server: $schema=…``, ``#:schema …``, each
    schema's ``$id``): the repository's ``schemas/`` as raw files, else this installation's folder."""
    repository = repository_url()
    if repository and repository.startswith("https://github.com/"):
        return repository.replace("https://github.com/", "https://raw.githubusercontent.com/", 1) + "/main/schemas/"
    if repository:
        return f"{repository}/raw/main/schemas/"
    return schemas_dir().as_uri() + "/"


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
