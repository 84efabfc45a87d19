"""Quality of the cut: how much article text ``qc fix``'s strip keeps and how much chrome it removes.

    PYTHONPATH=$PWD .venv/bin/python bench/cut_quality.py ../shared/corpus/real-dev.jsonl \
        --labels ../shared/corpus/real-dev.labels.jsonl [--format json] [--select CODES] [--ignore CODES]

Runs the rules over the corpus (as ``qc check`` does: corpus-level rules see the whole file), cuts every
finding whose rule's effective action is strip out of its record (:func:`qc.fixing.cuts.cuts_by_text`,
:func:`qc.fixing.strip.strip_text`), and scores the cleaned texts on the gold/naive pairs of the labels
file (:mod:`qc.fixing.quality`), overall and per source. The same pairs cleaned by C4's line filter (and
by C4 with full-width CJK sentence ends) are the baseline. Also prints the seconds the check took.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import qc
from qc.fixing.cuts import cuts_by_text
from qc.fixing.quality import QualityReport, c4_clean, load_pairs, measure
from qc.fixing.strip import strip_text


def run(corpus: Path, labels: Path, select: list[str] | None = None,
        ignore: list[str] | None = None) -> tuple[dict[str, QualityReport], float]:
    """The reports of qc's strip and of the C4 baselines, and the seconds the check took."""
    texts, pairs = load_pairs(corpus, labels)
    config: dict[str, Any] = {}
    if select:
        config["select"] = select
    if ignore:
        config["ignore"] = ignore
    began = time.perf_counter()
    result = qc.check(corpus, config, excerpts=False)
    seconds = time.perf_counter() - began
    findings = result.findings
    findings = findings[findings["field"] == "text"]
    cuts = cuts_by_text(findings, result.ruleset, keys=("doc_id",))

    def qc_clean(doc_id: str) -> str:
        return strip_text(texts[doc_id], cuts.get((doc_id,), []))[0]

    reports = {
        "qc fix (strip)": measure(texts, pairs, qc_clean),
        "C4 line filter": measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id])),
        "C4 line filter + CJK sentence ends": measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id], cjk=True)),
        "C4 line + page rules": measure(texts, pairs, lambda doc_id: c4_clean(texts[doc_id], page_rules=True)),
    }
    return reports, seconds


def table(reports: dict[str, QualityReport]) -> str:
    """One Markdown table: method, source, pairs, kept, kept of all gold, removed, gold kept."""
    lines = ["| method | source | pairs | kept | kept (of all gold) | removed | gold kept |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for method, report in reports.items():
        for source, figures in report.as_dict().items():
            lines.append(f"| {method} | {source} | {figures['pairs']} | {figures['kept']:.3f} | "
                         f"{figures['kept_of_all_gold']:.3f} | {figures['removed']:.3f} | {figures['gold_kept']:.3f} |")
    return "\n".join(lines)


def main() -> int:
    """Print the figures as a Markdown table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--labels", type=Path, required=True)
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    parser.add_argument("--select", help="comma-separated rule selectors (default: every rule)")
    parser.add_argument("--ignore", help="comma-separated rule selectors to leave out")
    args = parser.parse_args()
    reports, seconds = run(args.corpus, args.labels, args.select.split(",") if args.select else None,
                           args.ignore.split(",") if args.ignore else None)
    if args.format == "json":
        print(json.dumps({"check_seconds": round(seconds, 2),
                          "methods": {name: report.as_dict() for name, report in reports.items()}}, indent=2))
    else:
        pairs = reports["qc fix (strip)"].naive["all"]
        print(f"{pairs.pairs} gold/naive pairs; {pairs.gold_coverage:.1%} of the gold line characters are naive "
              f"lines (the kept denominator); check took {seconds:.1f} s\n")
        print(table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
