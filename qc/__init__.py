"""corpus-qc: a data-quality checker for scraped text corpora.

Public API: :func:`check` and :func:`load_corpus`.
"""

from __future__ import annotations

from qc.api import CheckResult, check
from qc.load import load_corpus

__version__ = "0.1.0"
__all__ = ["CheckResult", "__version__", "check", "load_corpus"]
