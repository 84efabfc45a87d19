"""Baselines for gradual adoption: record today's findings, then gate only on new ones.

A finding's fingerprint is (rule, site, normalised match), or (rule, doc_id, normalised match) for a record
without a site: stable across runs, file moves, line shifts and re-crawls (a re-crawl gives pages new
doc_ids, but the site and the defect stay). Baselines of version 1 (keyed on doc_id) are still read.
The baseline file is JSON with a count per fingerprint, so a site (or document) that gains one more copy
of the same defect has one new finding. ``--baseline`` re-evaluates the gate on the new findings only and
lists the baseline entries that no longer occur.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import pandas as pd

from qc import __version__
from qc.errors import ConfigError

if TYPE_CHECKING:
    from qc.api import CheckResult
    from qc.store import FindingsStore
    from qc.tally import FindingsTally

BASELINE_VERSION = 2
#: Version 1 keyed every finding on its doc_id; such files are still read, with their own fingerprints.
READABLE_VERSIONS = (1, 2)
_SPACE = re.compile(r"\s+")


def normalise_match(match: str) -> str:
    """NFKC, casefolded, whitespace collapsed: cosmetic differences do not make a finding new."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", match)).strip().casefold()


def fingerprint(rule: str, key: str, match: str) -> str:
    """A stable hex fingerprint for (rule, key, normalised match); ``key`` is a site or a doc_id."""
    payload = "\x1f".join((rule, key, normalise_match(match))).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:24]


def _doc_ids(findings: pd.DataFrame) -> pd.Series:
    # Schema findings may have no doc_id; their file and line name the record instead.
    return findings["doc_id"].fillna(findings["source_path"] + ":" + findings["source_line"].astype("str"))


def finding_keys(findings: pd.DataFrame, version: int = BASELINE_VERSION) -> pd.Series:
    """What a fingerprint keys a finding on: its site (``site:`` prefixed), else its doc_id (version 1: doc_id)."""
    doc_ids = _doc_ids(findings)
    if version == 1 or "site" not in findings.columns:
        return doc_ids
    site = findings["site"]
    has_site = site.notna() & (site.astype("str") != "")
    return ("site:" + site.astype("str")).where(has_site, doc_ids)


def fingerprints(findings: pd.DataFrame, version: int = BASELINE_VERSION) -> pd.Series:
    """The fingerprint of every finding, aligned with the frame."""
    if findings.empty:
        return pd.Series([], dtype="str", index=findings.index)
    keys = finding_keys(findings, version)
    values = [fingerprint(str(r), str(k), str(m)) for r, k, m in
              zip(findings["rule"].tolist(), keys.tolist(), findings["match"].tolist(), strict=True)]
    return pd.Series(values, index=findings.index, dtype="str")


def write_baseline(store: FindingsStore, out: TextIO) -> int:
    """Write the baseline for every finding in ``store`` to ``out``; return the number of entries."""
    entries: dict[str, dict[str, Any]] = {}
    for findings in store.chunks(["rule", "doc_id", "match", "source_path", "source_line", "site"]):
        prints = fingerprints(findings)
        for fp, rule, key, match in zip(prints.tolist(), findings["rule"].tolist(), finding_keys(findings).tolist(),
                                        findings["match"].tolist(), strict=True):
            entry = entries.setdefault(fp, {"rule": rule, "key": key, "match": normalise_match(match)[:200],
                                            "count": 0})
            entry["count"] += 1
    body = {"version": BASELINE_VERSION, "tool": f"corpus-qc {__version__}",
            "entries": dict(sorted(entries.items(), key=lambda kv: (kv[1]["rule"], kv[1]["key"], kv[0])))}
    out.write(json.dumps(body, ensure_ascii=False, indent=1) + "\n")
    return len(entries)


def read_baseline(path: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    """The version and entries of a baseline file; a missing or malformed file is a :class:`ConfigError`."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found", field="--baseline") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{where}: not a corpus-qc baseline ({exc})", field="--baseline") from None
    if not isinstance(body, dict) or body.get("version") not in READABLE_VERSIONS or \
            not isinstance(body.get("entries"), dict):
        raise ConfigError(f"{path}: not a corpus-qc baseline (version {BASELINE_VERSION} with 'entries')",
                          field="--baseline")
    entries: dict[str, dict[str, Any]] = body["entries"]
    return int(body["version"]), entries


@dataclass
class BaselineOutcome:
    """How the findings compare with a baseline."""

    path: str
    known: int
    new: int
    #: One flag per finding of the run, indexed by its position in the run.
    is_new: pd.Series
    absent: list[dict[str, Any]] = field(default_factory=list)
    #: The new findings' tally (the gate is evaluated on it; annotation reports show its heads).
    tally: FindingsTally | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"path": self.path, "known": self.known, "new": self.new, "absent": self.absent}


def compare(store: FindingsStore, entries: dict[str, dict[str, Any]], path: str = "",
            version: int = BASELINE_VERSION) -> BaselineOutcome:
    """Mark each finding new or known; list entries whose findings no longer occur."""
    budget = Counter({fp: int(entry.get("count", 1)) for fp, entry in entries.items()})
    flags: list[np.ndarray] = []  # one byte per finding
    seen: set[str] = set()  # baseline entries met (bounded by the baseline, not by the findings)
    for findings in store.chunks(["rule", "doc_id", "match", "source_path", "source_line", "site"]):
        chunk_flags = np.ones(len(findings), dtype=bool)
        for i, fp in enumerate(fingerprints(findings, version).tolist()):
            if fp in budget:
                seen.add(fp)
                if budget[fp] > 0:
                    budget[fp] -= 1
                    chunk_flags[i] = False
        flags.append(chunk_flags)
    absent = [{"fingerprint": fp, **entry} for fp, entry in entries.items() if fp not in seen]
    mask = pd.Series(np.concatenate(flags) if flags else np.zeros(0, dtype=bool), dtype=bool)
    return BaselineOutcome(path=path, known=int((~mask).sum()), new=int(mask.sum()), is_new=mask, absent=absent)


def apply_baseline(result: CheckResult, path: Path) -> CheckResult:
    """The result with its gate re-evaluated on findings not in the baseline at ``path``."""
    from qc.api import tally_store
    from qc.summary import evaluate_gate, summarise

    version, entries = read_baseline(path)
    outcome = compare(result.store, entries, str(path), version)
    outcome.tally = tally_store(result.store, result.ruleset, keep=outcome.is_new.to_numpy(), validate=False)
    stats = result.stats
    new_summary = summarise(outcome.tally, stats.documents, stats.checked, len(stats.sites), result.ruleset,
                            stats.seconds)
    gate = evaluate_gate(outcome.tally, new_summary, result.config)
    if gate.reasons:
        gate.reasons = [f"{reason} (new since baseline)" for reason in gate.reasons]
    return replace(result, gate=gate, baseline=outcome)
