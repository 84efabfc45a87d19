"""corpus-qc: a data-quality checker for scraped text corpora.

Public API: :func:`check` and :func:`load_corpus`.

The names are imported on first use (PEP 562): ``import qc`` alone, which every ``qc.*`` module import
runs first, costs nothing, so ``qc --version`` never loads pandas, pyarrow or pandera.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qc.api import CheckResult, check
    from qc.load import load_corpus

__version__ = "0.1.0"
__all__ = ["CheckResult", "__version__", "check", "load_corpus"]

_LAZY = {"CheckResult": "qc.api", "check": "qc.api", "load_corpus": "qc.load"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qc' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this hook
    return value
